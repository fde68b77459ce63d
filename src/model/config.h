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
  // LongRoPE (Phi-3 128k, Phi-4-mini): the context the short frequency divisors were trained for
  // (rope.scaling.original_context_length; a longer context uses the long ones), and the factor
  // on every rotation (rope.scaling.attn_factor).
  int64_t n_ctx_orig = 0;
  float rope_attn_factor = 1.0f;
  float norm_eps = 1e-5f;

  float rope_base = 10000.0f;
  float rope_freq_scale = 1;   // linear rope scaling: positions multiplied by this
  float rope_base_swa = 0;     // rope base of the sliding layers, unscaled (0: as the others)
  int64_t n_rot = 0;
  RopeLayout rope_layout = RopeLayout::kInterleaved;
  int64_t no_rope_period = 0;  // > 0: layers i with (i + 1) % period == 0 skip rotary (SmolLM3)

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

  // Short-convolution layers (LFM2): per layer, whether it is a gated causal convolution of
  // conv_taps taps instead of attention (its head_count_kv entry is 0). Empty when none is.
  std::vector<bool> layer_conv;
  int64_t conv_taps = 0;

  bool slides(int64_t layer) const {
    return sliding_window > 0 && !layer_slides.empty() && layer_slides[layer];
  }
  bool conv(int64_t layer) const { return !layer_conv.empty() && layer_conv[layer]; }
  bool has_conv() const { return conv_taps > 0; }
  bool rotates(int64_t layer) const {
    return no_rope_period <= 0 || (layer + 1) % no_rope_period != 0;
  }
};

// Keys common to the Llama family under "{arch}.": sizes, norm epsilon, rope. Missing required
// keys throw Error naming the key.
void ReadLlamaFamilyConfig(const gguf::File& file, ModelConfig& config);

}  // namespace densing
