// Parameter accounting of a GGUF file for the density reports.
#include "density/gguf_params.h"

namespace densing::density {

ParamCount CountParamsOfFile(const std::string& path) {
  auto file = gguf::File::Open(path);
  return CountParams(*file);
}

nlohmann::json ToJson(const ParamCount& c) {
  return {{"total", c.total},
          {"embedding", c.embedding},
          {"non_embedding", c.non_embedding},
          {"active", c.active},
          {"expert", c.expert},
          {"n_expert", c.n_expert},
          {"n_expert_used", c.n_expert_used},
          {"tied_output", c.tied_output},
          {"bytes", c.bytes},
          {"bits_per_weight", c.bits_per_weight()}};
}

}  // namespace densing::density
