// minicpm: Llama with scaled embeddings, scaled residual branches and scaled logits (muP).
#include <cmath>

#include "base/error.h"
#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigureMiniCpm(const gguf::File& f, ModelConfig& c) {
  c.rope_layout = RopeLayout::kInterleaved;
  const std::string a = c.arch + ".";
  c.embedding_scale = static_cast<float>(f.GetFloat(a + "embedding_scale"));
  const float residual = static_cast<float>(f.GetFloat(a + "residual_scale"));
  const float logit = static_cast<float>(f.GetFloat(a + "logit_scale"));
  if (!(logit > 0) || !std::isfinite(residual) || !std::isfinite(c.embedding_scale)) {
    Fail("{}: minicpm scales must be finite and the logit scale positive", f.path());
  }
  c.residual_scale = residual;
  c.logit_scale = 1.0f / logit;  // the file stores the divisor n_embd / dim_model_base
}

}  // namespace densing
