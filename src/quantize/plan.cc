// Per-tensor type rules, after the reference quantizer's (llama.cpp's llama_tensor_get_type) for
// the targets densing offers.
#include "quantize/plan.h"

#include <cctype>

#include "base/error.h"
#include "gguf/gguf_file.h"

namespace densing {
namespace {

struct TargetRow {
  const char* name;
  DType base;
  QuantMix mix;
  uint32_t file_type;
};

constexpr TargetRow kTargets[] = {
    {"F32", DType::kF32, QuantMix::kNone, 0},      {"F16", DType::kF16, QuantMix::kNone, 1},
    {"BF16", DType::kBF16, QuantMix::kNone, 32},   {"Q8_0", DType::kQ8_0, QuantMix::kNone, 7},
    {"Q4_0", DType::kQ4_0, QuantMix::kNone, 2},    {"Q4_1", DType::kQ4_1, QuantMix::kNone, 3},
    {"Q5_0", DType::kQ5_0, QuantMix::kNone, 8},    {"Q5_1", DType::kQ5_1, QuantMix::kNone, 9},
    {"Q2_K", DType::kQ2_K, QuantMix::kNone, 10},   {"Q3_K", DType::kQ3_K, QuantMix::kNone, 11},
    {"Q4_K", DType::kQ4_K, QuantMix::kNone, 14},   {"Q5_K", DType::kQ5_K, QuantMix::kNone, 16},
    {"Q6_K", DType::kQ6_K, QuantMix::kNone, 18},   {"Q3_K_M", DType::kQ3_K, QuantMix::kQ3_K_M, 12},
    {"Q4_K_S", DType::kQ4_K, QuantMix::kQ4_K_S, 14}, {"Q4_K_M", DType::kQ4_K, QuantMix::kQ4_K_M, 15},
    {"Q5_K_M", DType::kQ5_K, QuantMix::kQ5_K_M, 17},
};

std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

bool IsQuantized(DType t) {
  return t != DType::kF32 && t != DType::kF16 && t != DType::kBF16;
}

// The layers that get more bits in the _M mixes: the first and last eighth, and every third
// layer between.
bool UseMoreBits(int64_t i, int64_t n) {
  return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

int64_t LayerOf(const std::string& name) {
  if (name.rfind("blk.", 0) != 0) return -1;
  return std::strtoll(name.c_str() + 4, nullptr, 10);
}

bool Contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// A type whose block divides a row of n elements, closest to `t`.
DType Fit(DType t, int64_t n) {
  if (n % Traits(t).block_size == 0) return t;
  switch (t) {
    case DType::kQ2_K:
    case DType::kQ3_K: t = DType::kQ4_0; break;
    case DType::kQ4_K: t = DType::kQ5_0; break;
    case DType::kQ5_K: t = DType::kQ5_1; break;
    case DType::kQ6_K: t = DType::kQ8_0; break;
    default: break;
  }
  return n % Traits(t).block_size == 0 ? t : DType::kF16;
}

DType MixRule(const std::string& name, DType t, QuantMix mix, int64_t layer, int64_t n_layer) {
  const bool attn_v = Contains(name, "attn_v.weight") || Contains(name, "attn_qkv.weight");
  const bool ffn_down = Contains(name, "ffn_down");
  switch (mix) {
    case QuantMix::kNone: return t;
    case QuantMix::kQ3_K_M:
      if (attn_v) return layer < 2 ? DType::kQ5_K : DType::kQ4_K;
      if (ffn_down) return layer < n_layer / 16 ? DType::kQ5_K : DType::kQ4_K;
      if (Contains(name, "attn_output.weight")) return DType::kQ4_K;
      return t;
    case QuantMix::kQ4_K_S:
      if (attn_v && layer < 4) return DType::kQ5_K;
      if (ffn_down && layer < n_layer / 8) return DType::kQ5_K;
      return t;
    case QuantMix::kQ4_K_M:
    case QuantMix::kQ5_K_M:
      if ((attn_v || ffn_down) && UseMoreBits(layer, n_layer)) return DType::kQ6_K;
      return t;
  }
  return t;
}

// The reference gives models of exactly 8 experts (Mixtral, Qwen3-MoE's small shapes) more bits
// in attention, whose weights are small next to the experts': K and V in Q8_0, the output
// projection in Q5_K for the mixes at and below Q4_K_M.
DType EightExpertRule(const std::string& name, DType t, QuantMix mix) {
  if (Contains(name, "attn_v.weight") || Contains(name, "attn_qkv.weight") ||
      Contains(name, "attn_k.weight")) {
    return DType::kQ8_0;
  }
  if (Contains(name, "attn_output.weight") &&
      (t == DType::kQ2_K || mix == QuantMix::kQ3_K_M || mix == QuantMix::kQ4_K_S ||
       mix == QuantMix::kQ4_K_M)) {
    return DType::kQ5_K;
  }
  return t;
}

}  // namespace

QuantTarget ParseQuantTarget(std::string_view name) {
  const std::string u = Upper(name);
  for (const TargetRow& r : kTargets) {
    if (u == r.name) return {r.name, r.base, r.mix, r.file_type};
  }
  Fail("unknown quantization type '{}' (known: {})", name, KnownQuantTargets());
}

std::string KnownQuantTargets() {
  std::string s;
  for (const TargetRow& r : kTargets) s += (s.empty() ? "" : ", ") + std::string(r.name);
  return s;
}

TypeOverride ParseTypeOverride(const std::string& spec) {
  const size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0) Fail("--type-for '{}' should be REGEX=TYPE", spec);
  const std::string type_name = Upper(spec.substr(eq + 1));
  const DTypeTraits* t = FindDTypeByName(type_name);
  if (t == nullptr || t->type == DType::kQ8_1 || t->type == DType::kQ8_K) {
    Fail("--type-for '{}': '{}' is not a weight type", spec, spec.substr(eq + 1));
  }
  TypeOverride o{spec.substr(0, eq), {}, t->type};
  try {
    o.regex = std::regex(o.pattern);
  } catch (const std::regex_error& e) {
    Fail("--type-for '{}': bad regular expression: {}", spec, e.what());
  }
  return o;
}

std::vector<DType> PlanTypes(const gguf::File& f, const QuantTarget& target,
                             const std::vector<TypeOverride>& overrides) {
  const std::string arch = f.GetStringOr("general.architecture", "");
  return PlanTypes(f.tensors(), f.GetIntOr(arch + ".block_count", 0),
                   f.GetIntOr(arch + ".expert_count", 0), target, overrides);
}

std::vector<DType> PlanTypes(std::span<const gguf::TensorInfo> tensors, int64_t n_layer,
                             int64_t n_expert, const QuantTarget& target,
                             const std::vector<TypeOverride>& overrides) {
  bool has_output = false;
  for (const gguf::TensorInfo& t : tensors) has_output = has_output || t.name == "output.weight";
  std::vector<DType> types;
  for (const gguf::TensorInfo& t : tensors) {
    const std::string& name = t.name;
    const bool weight = t.n_dims >= 2 && name.size() > 7 && name.ends_with(".weight") &&
                        !Contains(name, "_norm.weight") && !Contains(name, "ffn_gate_inp") &&
                        !Contains(name, "rope_freqs") && !Contains(name, "rope_factors") && !Contains(name, "shortconv.conv.weight");
    if (!weight) {
      types.push_back(t.type);
      continue;
    }
    DType type = target.base;
    const bool head = name == "output.weight" || (!has_output && name == "token_embd.weight");
    if (IsQuantized(target.base)) {
      if (head) {
        type = t.ne[0] % 256 != 0 ? DType::kQ8_0 : (target.base == DType::kQ8_0 ? DType::kQ8_0 : DType::kQ6_K);
      } else {
        type = MixRule(name, type, target.mix, LayerOf(name), n_layer);
        if (n_expert == 8) type = EightExpertRule(name, type, target.mix);
      }
    }
    for (const TypeOverride& o : overrides) {
      if (std::regex_search(name, o.regex)) type = o.type;
    }
    types.push_back(Fit(type, t.ne[0]));
  }
  return types;
}

}  // namespace densing
