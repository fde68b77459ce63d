// The tokenizer routes' request reading and answers.
#include "server/tokenizer_routes.h"

#include <string>
#include <vector>

#include "server/api_error.h"
#include "server/json_fields.h"

namespace densing::server {

using nlohmann::json;

json TokenizeResponse(const ServedModel& m, std::string_view body, int64_t n_ctx) {
  const json request = ParseJsonObject(body);
  const JsonFields f(request);
  const json* prompt = f.Get("prompt");
  if (!prompt) FailParam("prompt", "'prompt' is required");
  if (!prompt->is_string()) FailParam("prompt", "'prompt' must be a string, not {}", JsonTypeName(*prompt));
  const bool add_special = f.Bool("add_special_tokens").value_or(true);
  const std::vector<int32_t> tokens =
      m.tokenizer->Encode(prompt->get<std::string>(), add_special, /*parse_special=*/true);
  return {{"tokens", tokens}, {"count", tokens.size()}, {"max_model_len", n_ctx}};
}

json DetokenizeResponse(const ServedModel& m, std::string_view body) {
  const json request = ParseJsonObject(body);
  const JsonFields f(request);
  const json* tokens = f.Get("tokens");
  if (!tokens) FailParam("tokens", "'tokens' is required");
  if (!tokens->is_array()) FailParam("tokens", "'tokens' must be an array of token ids, not {}", JsonTypeName(*tokens));
  std::vector<int32_t> ids;
  ids.reserve(tokens->size());
  for (const json& v : *tokens) {
    const std::optional<int64_t> id = AsInteger(v);
    if (!id) FailParam("tokens", "'tokens' must hold integers, not {}", JsonTypeName(v));
    if (*id < 0 || *id >= m.tokenizer->n_vocab()) {
      FailParam("tokens", "token id {} is outside the vocabulary of {} tokens", *id, m.tokenizer->n_vocab());
    }
    ids.push_back(static_cast<int32_t>(*id));
  }
  return {{"prompt", m.tokenizer->Decode(ids)}};
}

json TokenizerInfo(const ServedModel& m, int64_t n_ctx) {
  const Tokenizer& t = *m.tokenizer;
  const auto text = [&t](int32_t id) { return id >= 0 && id < t.n_vocab() ? json(t.TokenText(id)) : json(nullptr); };
  return {{"tokenizer_class", t.model() == "gpt2" ? "densing-bpe" : "densing-spm"},
          {"eos_token", text(t.eos())},
          {"bos_token", text(t.bos())},
          {"add_bos_token", t.add_bos()},
          {"add_eos_token", t.add_eos()},
          {"chat_template", m.chat_template},
          {"model_max_length", n_ctx}};
}

}  // namespace densing::server
