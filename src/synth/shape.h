// SynthShape: the architecture and exact sizes of a real model, for writing random-weight
// stand-ins of it (`densing synth`).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace densing {

struct SynthShape {
  std::string arch;  // a general.architecture densing runs (moe: llama with experts)
  std::string name;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;  // 0: n_embd / n_head
  int64_t n_ff = 0;
  int64_t n_vocab = 0;
  int64_t n_ctx = 4096;
  bool tied = false;
  float rope_base = 10000.0f;
  float norm_eps = 1e-5f;
  bool llama3_rope = false;  // rope_freqs.weight with Llama 3.1's long-context scaling
  int64_t n_ctx_orig = 0;    // > 0: LongRoPE (Phi-3.5, Phi-4-mini) trained for this context
  int64_t rope_dims = 0;     // rotated dimensions of a head (0: all)
  int64_t n_expert = 0;
  int64_t n_expert_used = 0;
  int64_t sliding_window = 0;
  std::vector<int64_t> attention_layers;  // lfm2: the layers with attention; the rest convolve

  bool qk_norm() const { return arch == "qwen3" || arch == "qwen3moe" || arch == "gemma3" || arch == "lfm2"; }
  bool sandwich_norms() const { return arch == "gemma2" || arch == "gemma3"; }
  bool conv(int64_t layer) const {
    return arch == "lfm2" &&
           std::find(attention_layers.begin(), attention_layers.end(), layer) == attention_layers.end();
  }
  int64_t hd() const { return head_dim ? head_dim : n_embd / n_head; }
  int64_t n_rot() const { return rope_dims ? rope_dims : hd(); }
};

// A named shape ("qwen2.5-0.5b", "llama3.2-1b", "minicpm-2b", "phi3-mini", "gemma2-2b", ...);
// Error listing the known names otherwise.
SynthShape FindShape(std::string_view name);
std::string KnownShapes();
// The shape for --arch with no --shape: the smallest real model of that architecture.
SynthShape DefaultShape(std::string_view arch);

}  // namespace densing
