// The table of architectures by general.architecture name.
#include "model/arch/architectures.h"
#include "model/model.h"

namespace densing {
namespace {

constexpr Architecture kArchitectures[] = {
    {"llama", ConfigureLlama},       {"mistral", ConfigureLlama}, {"qwen2", ConfigureQwen2},
    {"qwen2moe", ConfigureQwen2},    {"minicpm", ConfigureMiniCpm}, {"phi3", ConfigurePhi3},
    {"gemma2", ConfigureGemma2},     {"qwen3", ConfigureQwen3},   {"qwen3moe", ConfigureQwen3},
    {"gemma3", ConfigureGemma3},     {"smollm3", ConfigureSmolLm3}, {"lfm2", ConfigureLfm2},
};

}  // namespace

const Architecture* FindArchitecture(std::string_view name) {
  for (const Architecture& a : kArchitectures) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

std::string KnownArchitectures() {
  std::string s;
  for (const Architecture& a : kArchitectures) s += (s.empty() ? "" : ", ") + std::string(a.name);
  return s;
}

}  // namespace densing
