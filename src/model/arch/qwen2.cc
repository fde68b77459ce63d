// qwen2 and qwen2moe: biases on Q, K, V; rotary in two halves; qwen2moe adds routed experts
// (weights not renormalized) and a sigmoid-gated shared expert.
#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigureQwen2(const gguf::File& /*file*/, ModelConfig& c) {
  c.rope_layout = RopeLayout::kHalves;
  c.sliding_window = 0;  // Qwen2's use_sliding_window is off in every released model
  c.normalize_expert_weights = false;
}

}  // namespace densing
