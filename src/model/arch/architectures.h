// The architectures densing runs; each file in this folder defines one Configure function.
#pragma once

#include "model/config.h"

namespace densing {

void ConfigureLlama(const gguf::File& file, ModelConfig& config);
void ConfigureQwen2(const gguf::File& file, ModelConfig& config);
void ConfigureMiniCpm(const gguf::File& file, ModelConfig& config);
void ConfigurePhi3(const gguf::File& file, ModelConfig& config);
void ConfigureGemma2(const gguf::File& file, ModelConfig& config);
void ConfigureQwen3(const gguf::File& file, ModelConfig& config);
void ConfigureGemma3(const gguf::File& file, ModelConfig& config);
void ConfigureSmolLm3(const gguf::File& file, ModelConfig& config);
void ConfigureLfm2(const gguf::File& file, ModelConfig& config);

}  // namespace densing
