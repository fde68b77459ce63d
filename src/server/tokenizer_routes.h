// vLLM's tokenizer routes (POST /tokenize, POST /detokenize, GET /tokenizer_info): what
// lm-evaluation-harness's remote tokenizer asks a server for, so that it can split a scored
// text into context and continuation with the served model's own tokenizer.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "server/served_model.h"

namespace densing::server {

// {"prompt": TEXT, "add_special_tokens": true} → {"tokens", "count", "max_model_len"}. The text
// is tokenized as a completion prompt is (control tokens written in it become their ids); BOS is
// added only when add_special_tokens is true (the default) and the vocabulary asks for it.
nlohmann::json TokenizeResponse(const ServedModel& m, std::string_view body, int64_t n_ctx);

// {"tokens": [ids]} → {"prompt": TEXT}. An id outside the vocabulary is a 400.
nlohmann::json DetokenizeResponse(const ServedModel& m, std::string_view body);

// {"eos_token", "bos_token", "add_bos_token", "add_eos_token", "chat_template",
//  "model_max_length", "tokenizer_class"}: the fields of Hugging Face's tokenizer_config.json
// that a client needs (bos_token is null when the vocabulary has none).
nlohmann::json TokenizerInfo(const ServedModel& m, int64_t n_ctx);

}  // namespace densing::server
