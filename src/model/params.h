// ParamCount: parameter and byte accounting of a model from its tensor infos alone — total,
// embedding, non-embedding, and active per token for mixture-of-experts: what density divides by.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "gguf/gguf_file.h"

namespace densing {

struct ParamCount {
  int64_t total = 0;
  // token_embd, position_embd and token_types, plus the output head when it has its own weights
  // (an untied head is a second vocabulary matrix; published "non-embedding" counts exclude it).
  int64_t embedding = 0;
  int64_t non_embedding = 0;
  // Routed-expert tensors (*_exps); shared experts (*_shexp) and the router are always active.
  int64_t expert = 0;
  // Parameters one token passes through: everything but the unused routed experts,
  // total − expert · (1 − n_expert_used / n_expert).
  int64_t active = 0;
  int64_t n_expert = 0;
  int64_t n_expert_used = 0;
  bool tied_output = true;  // no output.weight: the head reuses token_embd
  uint64_t bytes = 0;       // of all tensors as stored
  double bits_per_weight() const { return total ? 8.0 * double(bytes) / double(total) : 0; }
};

// `name` is used in errors. A routed-expert tensor must have n_expert as its third dimension,
// and then n_expert_used must be in 1..n_expert.
ParamCount CountParams(std::span<const gguf::TensorInfo> tensors, int64_t n_expert,
                       int64_t n_expert_used, const std::string& name);

// With the expert counts from {arch}.expert_count and {arch}.expert_used_count.
ParamCount CountParams(const gguf::File& file);

}  // namespace densing
