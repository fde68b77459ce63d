// qwen3 and qwen3moe: Qwen2 without the Q/K/V biases, with an RMS norm over each head's q and k
// before rotary, and a head size of its own (attention.key_length, which may exceed d / heads);
// qwen3moe's router renormalizes its top-k weights and has no shared expert.
#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigureQwen3(const gguf::File& /*file*/, ModelConfig& c) {
  c.rope_layout = RopeLayout::kHalves;
  c.sliding_window = 0;
  c.normalize_expert_weights = true;
}

}  // namespace densing
