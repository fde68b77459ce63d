// Options shared by the subcommands that load a model, with llama.cpp's flag names.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "sampling/sampler.h"

namespace densing::cli {

struct ModelOptions {
  std::string path;
  int threads = 0;    // 0: all cores
  int64_t n_ctx = 0;  // 0: the model's own, capped
  int64_t n_batch = 512;
};

// -m/--model, -t/--threads, -c/--ctx-size, -b/--batch-size
void AddModelOptions(CLI::App* cmd, ModelOptions& o);

struct SamplingOptions {
  SamplerParams params;
  int64_t seed = -1;  // -1: a random seed
};

// --temp --top-k --top-p --min-p --repeat-penalty --repeat-last-n --presence-penalty
// --frequency-penalty --seed
void AddSamplingOptions(CLI::App* cmd, SamplingOptions& o);
// The parameters with the seed resolved.
SamplerParams ResolveSampling(const SamplingOptions& o);

}  // namespace densing::cli
