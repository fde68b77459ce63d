// ModelConfig: the hyperparameters of a decoder-only transformer, read from GGUF keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/ops.h"

namespace densing {

namespace gguf {
class File;
}

enum class Activation : uint8_t { kSilu, kGeluTanh };

struct ModelConfig {
  std::string arch;  // general.architecture
  std::string name;  // general.name, if any

  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;  // per head, for Q and K and V
  int64_t n_ff = 0;
  int64_t n_ctx_train = 0;
  float norm_eps = 1e-5f;

  float rope_base = 10000.0f;
  int64_t n_rot = 0;
  RopeLayout rope_layout = RopeLayout::kInterleaved;

  Activation activation = Activation::kSilu;
  float attn_scale = 0;        // multiplies q·k; 1/sqrt(head_dim) unless the architecture says
  float attn_softcap = 0;      // 0: none
  float final_softcap = 0;     // 0: none
  float embedding_scale = 1;   // multiplies the token embeddings
  float residual_scale = 1;    // multiplies each residual branch
  float logit_scale = 1;       // multiplies the logits

  // Sliding-window attention: a query at position p sees keys at positions > p - window.
  int64_t sliding_window = 0;
  std::vector<bool> layer_slides;  // per layer; empty when no layer slides

  // Mixture of experts (0 experts: a dense FFN).
  int64_t n_expert = 0;
  int64_t n_expert_used = 0;
  int64_t n_ff_expert = 0;
  int64_t n_ff_shared = 0;           // qwen2moe's shared expert
  bool normalize_expert_weights = false;

  bool slides(int64_t layer) const {
    return sliding_window > 0 && !layer_slides.empty() && layer_slides[layer];
  }
};

// Keys common to the Llama family under "{arch}.": sizes, norm epsilon, rope. Missing required
// keys throw Error naming the key.
void ReadLlamaFamilyConfig(const gguf::File& file, ModelConfig& config);

}  // namespace densing
