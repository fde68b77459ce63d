// llama (and Mistral, Mixtral-style experts): the reference data flow, rotary in pairs.
#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigureLlama(const gguf::File& /*file*/, ModelConfig& c) {
  c.rope_layout = RopeLayout::kInterleaved;
  // Mistral-style: a declared window applies to every layer (the reference engine ignores it).
  if (c.sliding_window > 0) c.layer_slides.assign(static_cast<size_t>(c.n_layer), true);
  c.normalize_expert_weights = true;  // Mixtral renormalizes the top-k router weights
}

}  // namespace densing
