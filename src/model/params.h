// Parameter accounting from a GGUF file's tensor infos alone: what the density lab divides by.
#pragma once

#include <cstdint>

namespace densing {

namespace gguf {
class File;
}

struct ParamCounts {
  int64_t total = 0;
  // token_embd plus a separate output head (both map between tokens and the hidden size).
  int64_t embedding = 0;
  int64_t non_embedding = 0;
  // Used per token: everything but the experts, plus k of E experts (k = E for dense models).
  int64_t active = 0;
  int64_t bytes = 0;  // bytes of all tensor data
  double bits_per_weight() const { return total ? 8.0 * bytes / total : 0.0; }
};

ParamCounts CountParams(const gguf::File& file);

}  // namespace densing
