// Options shared by the subcommands that load a model, with llama.cpp's flag names.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "generate/generate.h"
#include "model/state.h"
#include "sampling/sampler.h"

namespace densing::cli {

struct ModelOptions {
  std::string path;
  int threads = 0;    // 0: all cores
  int64_t n_ctx = 0;  // 0: the model's own, capped
  int64_t n_batch = 512;
  std::string cache_type_k = "f32";  // a command may set other defaults before AddModelOptions
  std::string cache_type_v = "f32";

  KvTypes kv_types() const { return {ParseKvType(cache_type_k), ParseKvType(cache_type_v)}; }
};

// -m/--model, -t/--threads, -c/--ctx-size, -b/--batch-size, --cache-type-k (-ctk),
// --cache-type-v (-ctv). With `cached_default`, -m may be left out: see UseDefaultModel.
void AddModelOptions(CLI::App* cmd, ModelOptions& o, bool cached_default = false);
// Without -m, the default model of the models cache (`densing models`), said on stderr; an Error
// telling to run scripts/setup or pass -m when it is not there.
void UseDefaultModel(ModelOptions& o);

struct SamplingOptions {
  SamplerParams params;
  int64_t seed = -1;  // -1: a random seed
};

// --temp --top-k --top-p --min-p --repeat-penalty --repeat-last-n --presence-penalty
// --frequency-penalty --seed
void AddSamplingOptions(CLI::App* cmd, SamplingOptions& o);
// The parameters with the seed resolved.
SamplerParams ResolveSampling(const SamplingOptions& o);

struct ContextShiftOptions {
  bool no_shift = false;
  int64_t keep = 0;  // tokens of the prompt kept at a shift, besides a BOS the model adds
};

// --no-context-shift, --keep N (llama.cpp's names): a full context shifts by default.
void AddContextShiftOptions(CLI::App* cmd, ContextShiftOptions& o);
// Sets params.context_shift and params.n_keep (with the BOS, as llama.cpp keeps it).
void ApplyContextShift(const ContextShiftOptions& o, const Tokenizer& tokenizer, GenerateParams& params);

}  // namespace densing::cli
