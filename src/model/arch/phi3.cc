// phi3: fused QKV and fused gate+up projections, rotary in two halves.
#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigurePhi3(const gguf::File& /*file*/, ModelConfig& c) {
  c.rope_layout = RopeLayout::kHalves;
  // The key is declared, but the reference engine attends over the whole context in every
  // layer (its fixtures show no window), and so do we.
  c.layer_slides.clear();
}

}  // namespace densing
