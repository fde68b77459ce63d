// Parameter accounting over tensor infos.
#include "model/params.h"

#include <string_view>

#include "base/error.h"
#include "gguf/gguf_file.h"

namespace densing {
namespace {

bool IsEmbedding(std::string_view name) {
  return name == "token_embd.weight" || name == "output.weight" || name == "position_embd.weight" ||
         name == "token_types.weight";
}

bool IsRoutedExpert(std::string_view name) { return name.find("_exps.") != std::string_view::npos; }

}  // namespace

ParamCount CountParams(std::span<const gguf::TensorInfo> tensors, int64_t n_expert,
                       int64_t n_expert_used, const std::string& name) {
  ParamCount c;
  c.n_expert = n_expert;
  c.n_expert_used = n_expert_used;
  int64_t unused_expert = 0;
  for (const auto& t : tensors) {
    int64_t n = 1;
    for (int d = 0; d < 4; ++d) {
      if (t.ne[d] < 0 || (t.ne[d] > 0 && n > INT64_MAX / t.ne[d])) {
        Fail("{}: tensor {} has an invalid shape", name, t.name);
      }
      n *= t.ne[d];
    }
    c.total += n;
    c.bytes += t.n_bytes;
    if (t.name == "output.weight") c.tied_output = false;
    if (IsEmbedding(t.name)) c.embedding += n;
    if (IsRoutedExpert(t.name)) {
      if (n_expert <= 0) {
        Fail("{}: tensor {} holds routed experts but the file gives no expert count", name, t.name);
      }
      if (t.ne[2] != n_expert) {
        Fail("{}: tensor {} has {} experts in dimension 2, the metadata says {}", name, t.name,
             t.ne[2], n_expert);
      }
      if (n_expert_used < 1 || n_expert_used > n_expert) {
        Fail("{}: {} experts used per token is outside 1..{}", name, n_expert_used, n_expert);
      }
      c.expert += n;
      unused_expert += n / n_expert * (n_expert - n_expert_used);
    }
  }
  c.non_embedding = c.total - c.embedding;
  c.active = c.total - unused_expert;
  return c;
}

ParamCount CountParams(const gguf::File& file) {
  const std::string arch = file.GetStringOr("general.architecture", "");
  int64_t n_expert = 0;
  int64_t n_used = 0;
  if (!arch.empty()) {
    n_expert = file.GetIntOr(arch + ".expert_count", 0);
    n_used = file.GetIntOr(arch + ".expert_used_count", 0);
  }
  return CountParams(file.tensors(), n_expert, n_used, file.path());
}

}  // namespace densing
