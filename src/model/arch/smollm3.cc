// smollm3: Llama, except that every 4th layer (3, 7, 11, …) applies no rotary embedding.
#include "gguf/gguf_file.h"
#include "model/arch/architectures.h"

namespace densing {

void ConfigureSmolLm3(const gguf::File& /*file*/, ModelConfig& c) {
  c.rope_layout = RopeLayout::kInterleaved;
  c.no_rope_period = 4;
}

}  // namespace densing
