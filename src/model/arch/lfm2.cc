// lfm2: a hybrid of gated short-convolution layers (head_count_kv 0) and GQA attention layers
// with q/k norms; rotary in two halves; the final norm is stored as token_embd_norm.
#include "base/error.h"
#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigureLfm2(const gguf::File& f, ModelConfig& c) {
  const std::string a = c.arch + ".";
  c.rope_layout = RopeLayout::kHalves;
  c.conv_taps = f.GetInt(a + "shortconv.l_cache");
  if (c.conv_taps < 2 || c.conv_taps > 64) {
    Fail("{}: {}shortconv.l_cache is {} (expected 2 to 64)", f.path(), a, c.conv_taps);
  }
  if (c.layer_conv.empty()) c.layer_conv.assign(static_cast<size_t>(c.n_layer), false);
  // The reference applies a declared window to the attention layers only.
  c.layer_slides.clear();
  for (int64_t i = 0; c.sliding_window > 0 && i < c.n_layer; ++i) {
    c.layer_slides.push_back(!c.conv(i));
  }
}

}  // namespace densing
