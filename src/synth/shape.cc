// Sizes of public models, from their published configurations.
#include "synth/shape.h"

#include <cmath>
#include <tuple>
#include <vector>

#include "base/error.h"

namespace densing {
namespace {

SynthShape Make(const char* arch, const char* name, int64_t d, int64_t layers, int64_t heads,
                int64_t kv, int64_t ff, int64_t vocab, bool tied) {
  SynthShape s;
  s.arch = arch;
  s.name = name;
  s.n_embd = d;
  s.n_layer = layers;
  s.n_head = heads;
  s.n_head_kv = kv;
  s.n_ff = ff;
  s.n_vocab = vocab;
  s.tied = tied;
  return s;
}

std::vector<SynthShape> Shapes() {
  std::vector<SynthShape> v;
  for (auto [name, d, layers, heads, kv, ff] :
       {std::tuple{"qwen2.5-0.5b", 896, 24, 14, 2, 4864}, std::tuple{"qwen2.5-1.5b", 1536, 28, 12, 2, 8960}}) {
    SynthShape s = Make("qwen2", name, d, layers, heads, kv, ff, 151936, true);
    s.rope_base = 1e6f;
    s.norm_eps = 1e-6f;
    s.n_ctx = 32768;
    v.push_back(s);
  }
  for (auto [name, d, layers, heads, ff] :
       {std::tuple{"llama3.2-1b", 2048, 16, 32, 8192}, std::tuple{"llama3.2-3b", 3072, 28, 24, 8192}}) {
    SynthShape s = Make("llama", name, d, layers, heads, 8, ff, 128256, true);
    s.rope_base = 500000.0f;
    s.llama3_rope = true;
    s.n_ctx = 131072;
    v.push_back(s);
  }
  {
    SynthShape s = Make("minicpm", "minicpm-2b", 2304, 40, 36, 36, 5760, 122753, true);
    s.n_ctx = 4096;
    v.push_back(s);
  }
  {
    SynthShape s = Make("phi3", "phi3-mini", 3072, 32, 32, 32, 8192, 32064, false);
    s.sliding_window = 2047;
    v.push_back(s);
  }
  {  // 128k contexts by LongRoPE from an original 4k
    SynthShape s = Make("phi3", "phi3.5-mini", 3072, 32, 32, 32, 8192, 32064, false);
    s.n_ctx = 131072;
    s.n_ctx_orig = 4096;
    v.push_back(s);
    s = Make("phi3", "phi4-mini", 3072, 32, 24, 8, 8192, 200064, true);
    s.n_ctx = 131072;
    s.n_ctx_orig = 4096;
    s.rope_dims = 96;  // partial_rotary_factor 0.75
    v.push_back(s);
  }
  {
    SynthShape s = Make("gemma2", "gemma2-2b", 2304, 26, 8, 4, 9216, 256000, true);
    s.head_dim = 256;
    s.norm_eps = 1e-6f;
    s.sliding_window = 4096;
    s.n_ctx = 8192;
    v.push_back(s);
  }
  {
    SynthShape s = Make("llama", "mistral-7b", 4096, 32, 32, 8, 14336, 32768, false);
    s.rope_base = 1e6f;
    s.n_ctx = 32768;
    v.push_back(s);
  }
  {
    // Mixtral-style experts at a laptop size: 8 experts, 2 used per token.
    SynthShape s = Make("llama", "moe-2x1b", 2048, 16, 16, 8, 1408, 32000, false);
    s.n_expert = 8;
    s.n_expert_used = 2;
    v.push_back(s);
  }
  {
    SynthShape s = Make("qwen3", "qwen3-0.6b", 1024, 28, 16, 8, 3072, 151936, true);
    s.head_dim = 128;
    s.rope_base = 1e6f;
    s.norm_eps = 1e-6f;
    s.n_ctx = 40960;
    v.push_back(s);
  }
  {
    // 128 experts of width 768, 8 used per token: about 3.3B of 30.5B parameters active.
    SynthShape s = Make("qwen3moe", "qwen3-30b-a3b", 2048, 48, 32, 4, 768, 151936, false);
    s.head_dim = 128;
    s.rope_base = 1e6f;
    s.norm_eps = 1e-6f;
    s.n_ctx = 40960;
    s.n_expert = 128;
    s.n_expert_used = 8;
    v.push_back(s);
  }
  for (auto [name, d, layers, ff] :
       {std::tuple{"gemma3-270m", 640, 18, 2048}, std::tuple{"gemma3-1b", 1152, 26, 6912}}) {
    SynthShape s = Make("gemma3", name, d, layers, 4, 1, ff, 262144, true);
    s.head_dim = 256;
    s.rope_base = 1e6f;
    s.norm_eps = 1e-6f;
    s.sliding_window = 512;
    s.n_ctx = 32768;
    v.push_back(s);
  }
  {
    SynthShape s = Make("smollm3", "smollm3-3b", 2048, 36, 16, 4, 11008, 128256, true);
    s.rope_base = 5e6f;
    s.norm_eps = 1e-6f;
    s.n_ctx = 65536;
    v.push_back(s);
  }
  {
    SynthShape s = Make("lfm2", "lfm2-1.2b", 2048, 16, 32, 8, 8192, 65536, true);
    s.rope_base = 1e6f;
    s.n_ctx = 128000;
    s.attention_layers = {2, 5, 8, 10, 12, 14};
    v.push_back(s);
  }
  return v;
}

}  // namespace

SynthShape FindShape(std::string_view name) {
  for (const SynthShape& s : Shapes()) {
    if (s.name == name) return s;
  }
  Fail("unknown shape '{}' (known: {})", name, KnownShapes());
}

std::string KnownShapes() {
  std::string s;
  for (const SynthShape& shape : Shapes()) s += (s.empty() ? "" : ", ") + shape.name;
  return s;
}

SynthShape DefaultShape(std::string_view arch) {
  if (arch == "llama") return FindShape("llama3.2-1b");
  if (arch == "qwen2") return FindShape("qwen2.5-0.5b");
  if (arch == "minicpm") return FindShape("minicpm-2b");
  if (arch == "phi3") return FindShape("phi3-mini");
  if (arch == "gemma2") return FindShape("gemma2-2b");
  if (arch == "moe") return FindShape("moe-2x1b");
  if (arch == "qwen3") return FindShape("qwen3-0.6b");
  if (arch == "qwen3moe") return FindShape("qwen3-30b-a3b");
  if (arch == "gemma3") return FindShape("gemma3-270m");
  if (arch == "smollm3") return FindShape("smollm3-3b");
  if (arch == "lfm2") return FindShape("lfm2-1.2b");
  Fail("unknown architecture '{}' (known: llama, qwen2, minicpm, phi3, gemma2, moe, qwen3, qwen3moe, "
       "gemma3, smollm3, lfm2)", arch);
}

}  // namespace densing
