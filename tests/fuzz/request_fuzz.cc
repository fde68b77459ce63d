// Fuzz target: a request body as the server receives it, through JSON parsing, the chat and
// completion request checks, and the prompt (chat template and tokenizer of a tiny model), without
// the network. Only densing::Error (the server's 400s are ApiError, an Error) may come out.
#include <cstdint>
#include <memory>
#include <string>

#include "base/error.h"
#include "fuzz_input.h"
#include "server/json_fields.h"
#include "server/request.h"
#include "server/served_model.h"

namespace {

std::unique_ptr<densing::server::ServedModel>& Model() {
  static std::unique_ptr<densing::server::ServedModel> model;
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Model() = densing::server::ServedModel::Load(
      densing::fuzz::SharedDir() + "/models/tiny-qwen2.gguf", "tiny");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (auto endpoint : {densing::server::Endpoint::kChat, densing::server::Endpoint::kCompletion}) {
    try {
      const nlohmann::json j = densing::server::ParseJsonObject(body);
      const densing::server::GenerationRequest r =
          endpoint == densing::server::Endpoint::kChat
              ? densing::server::ParseChatRequest(j)
              : densing::server::ParseCompletionRequest(j);
      (void)densing::server::PromptTokens(*Model(), r, 256);
    } catch (const densing::Error&) {
    }
  }
  return 0;
}
