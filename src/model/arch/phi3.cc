// phi3: fused QKV and fused gate+up projections, rotary in two halves, sliding-window attention.
#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigurePhi3(const gguf::File& /*file*/, ModelConfig& c) {
  c.rope_layout = RopeLayout::kHalves;
  if (c.sliding_window > 0) c.layer_slides.assign(static_cast<size_t>(c.n_layer), true);
}

}  // namespace densing
