// gemma2: embeddings scaled by sqrt(d), GELU, post-attention and post-FFN norms, soft-capped
// attention and final logits, sliding window on alternate layers.
#include <cmath>

#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigureGemma2(const gguf::File& f, ModelConfig& c) {
  const std::string a = c.arch + ".";
  c.rope_layout = RopeLayout::kHalves;
  c.activation = Activation::kGeluTanh;
  c.embedding_scale = std::sqrt(static_cast<float>(c.n_embd));
  c.attn_softcap = static_cast<float>(f.GetFloatOr(a + "attn_logit_softcapping", 50.0));
  c.final_softcap = static_cast<float>(f.GetFloatOr(a + "final_logit_softcapping", 30.0));
  c.layer_slides.resize(static_cast<size_t>(c.n_layer));
  for (int64_t i = 0; i < c.n_layer; ++i) c.layer_slides[static_cast<size_t>(i)] = i % 2 == 0;
}

}  // namespace densing
