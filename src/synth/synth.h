// Synthesize: write a model with the exact tensor shapes and keys of a real one, random weights
// and a synthetic SentencePiece vocabulary, quantized as `densing quantize` would.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "quantize/plan.h"
#include "synth/shape.h"
#include "threading/thread_pool.h"

namespace densing {

struct SynthStats {
  int64_t n_params = 0;
  int64_t bytes = 0;  // tensor data
  double seconds = 0;
};

// Same seed, same file, whatever the thread count.
SynthStats Synthesize(const SynthShape& shape, const QuantTarget& target,
                      const std::vector<TypeOverride>& overrides, uint64_t seed,
                      const std::string& path, ThreadPool& pool);

// Checks a custom shape's sizes; Error naming the first bad one.
void ValidateShape(const SynthShape& shape);

}  // namespace densing
