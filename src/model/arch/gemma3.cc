// gemma3: Gemma 2's sandwich norms, √d embedding scale and GELU, plus q/k norms; no soft-capping
// of attention. Sliding-window layers come in a period (sliding_window_pattern, default 6: five
// local layers, then one global), and local layers rotate with their own base (default 10000),
// unscaled.
#include <cmath>

#include "base/error.h"
#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigureGemma3(const gguf::File& f, ModelConfig& c) {
  const std::string a = c.arch + ".";
  c.rope_layout = RopeLayout::kHalves;
  c.activation = Activation::kGeluTanh;
  c.embedding_scale = std::sqrt(static_cast<float>(c.n_embd));
  c.final_softcap = static_cast<float>(f.GetFloatOr(a + "final_logit_softcapping", 0.0));
  // Gemma 3 27B scales queries by 1/sqrt(d / heads), every other size by 1/sqrt(head size).
  if (c.n_layer == 62) c.attn_scale = 1.0f / std::sqrt(static_cast<float>(c.n_embd / c.n_head));
  if (c.sliding_window <= 0) return;
  c.rope_base_swa = static_cast<float>(f.GetFloatOr(a + "rope.freq_base_swa", 10000.0));
  if (!(c.rope_base_swa > 0) || !std::isfinite(c.rope_base_swa)) {
    Fail("{}: {}rope.freq_base_swa must be a positive number", f.path(), a);
  }
  const std::string key = a + "attention.sliding_window_pattern";
  const gguf::Value* pattern = f.Find(key);
  c.layer_slides.assign(static_cast<size_t>(c.n_layer), false);
  if (pattern != nullptr && pattern->type == gguf::ValueType::kArray) {  // one flag per layer
    const std::vector<int64_t> flags = f.GetIntArray(key);
    if (static_cast<int64_t>(flags.size()) != c.n_layer) {
      Fail("{}: {} has {} entries for {} layers", f.path(), key, flags.size(), c.n_layer);
    }
    for (size_t i = 0; i < flags.size(); ++i) c.layer_slides[i] = flags[i] != 0;
    return;
  }
  const int64_t period = f.GetIntOr(key, 6);
  if (period < 0 || period > 4096) Fail("{}: {} is {} (expected 0 to 4096)", f.path(), key, period);
  for (int64_t i = 0; i < c.n_layer; ++i) {
    c.layer_slides[static_cast<size_t>(i)] = period == 0 || i % period < period - 1;
  }
}

}  // namespace densing
