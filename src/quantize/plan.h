// The weight type of each tensor when a model is quantized to a target such as Q4_K_M: the
// per-tensor choices users of the reference quantizer know.
#pragma once

#include <cstdint>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/dtype.h"

namespace densing {

namespace gguf {
class File;
struct TensorInfo;
}

enum class QuantMix : uint8_t { kNone, kQ3_K_M, kQ4_K_S, kQ4_K_M, kQ5_K_M };

struct QuantTarget {
  std::string name;   // as the user wrote it, upper case: "Q4_K_M"
  DType base;         // the type most weights get
  QuantMix mix = QuantMix::kNone;
  uint32_t file_type; // general.file_type (llama_ftype)
};

// "F16", "BF16", "Q8_0", ..., "Q6_K", "Q4_K_M", "Q4_K_S", "Q5_K_M", "Q3_K_M"; Error otherwise.
QuantTarget ParseQuantTarget(std::string_view name);
std::string KnownQuantTargets();

struct TypeOverride {
  std::string pattern;
  std::regex regex;
  DType type;
};
// "REGEX=TYPE"; Error when either half is bad.
TypeOverride ParseTypeOverride(const std::string& spec);

// The type of every tensor of `file`, in file order. 1-D tensors, norms, the expert router,
// rotary factors and convolution taps keep their type; the output head gets more bits; the _M/_S mixes give some
// attention-value and FFN-down layers more bits; a row length the chosen block size does not
// divide falls back to a type whose block fits. Overrides come last, on 2-D+ weights.
std::vector<DType> PlanTypes(const gguf::File& file, const QuantTarget& target,
                             const std::vector<TypeOverride>& overrides);
// The same for tensors not yet in a file (`densing synth`).
std::vector<DType> PlanTypes(std::span<const gguf::TensorInfo> tensors, int64_t n_layer,
                             int64_t n_expert, const QuantTarget& target,
                             const std::vector<TypeOverride>& overrides);

}  // namespace densing
