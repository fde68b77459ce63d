// Parameter counts by tensor name; experts are recognised by the "_exps" suffix of their names.
#include "model/params.h"

#include <string>

#include "gguf/gguf_file.h"

namespace densing {

ParamCounts CountParams(const gguf::File& f) {
  const std::string arch = f.GetStringOr("general.architecture", "");
  const int64_t n_expert = f.GetIntOr(arch + ".expert_count", 0);
  const int64_t n_used = f.GetIntOr(arch + ".expert_used_count", 0);
  ParamCounts p;
  int64_t experts = 0;
  for (const gguf::TensorInfo& t : f.tensors()) {
    const int64_t n = t.ne[0] * t.ne[1] * t.ne[2] * t.ne[3];
    p.total += n;
    p.bytes += static_cast<int64_t>(t.n_bytes);
    if (t.name == "token_embd.weight" || t.name == "output.weight") p.embedding += n;
    if (t.name.find("_exps.") != std::string::npos) experts += n;
  }
  p.non_embedding = p.total - p.embedding;
  p.active = p.total - experts;
  if (n_expert > 0 && n_used > 0) {
    p.active += static_cast<int64_t>(static_cast<double>(experts) * n_used / n_expert);
  } else {
    p.active += experts;
  }
  return p;
}

}  // namespace densing
