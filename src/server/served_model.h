// ServedModel: the model behind the server, its tokenizer and chat template, and the turning of
// a request into prompt tokens.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "chat/tool_calls.h"
#include "grammar/vocabulary.h"
#include "model/model.h"
#include "server/request.h"
#include "tokenizer/tokenizer.h"

namespace densing::server {

struct ServedModel {
  // Loads the file; `id` is what clients name in "model" (empty: the file name without .gguf).
  static std::unique_ptr<ServedModel> Load(const std::string& path, const std::string& id);

  std::unique_ptr<Model> model;
  std::unique_ptr<Tokenizer> tokenizer;
  std::string id;
  std::string chat_template;  // tokenizer.chat_template, or ChatML when the file has none
  bool chatml_fallback = false;
  ToolFamily tool_family = ToolFamily::kHermes;  // how the template writes tool calls
  size_t max_piece_bytes = 1;  // the longest token's text: bounds the bytes n tokens can hold
  int64_t created = 0;         // unix time of loading, for /v1/models

  // The token trie that grammars mask with, built on first use (any thread may ask).
  std::shared_ptr<const grammar::Vocabulary> vocabulary() const;

 private:
  mutable std::once_flag vocabulary_once_;
  mutable std::shared_ptr<const grammar::Vocabulary> vocabulary_;
};

// The prompt a request asks for: chat messages through the template, or the completion prompt
// (text tokenized with BOS where the vocabulary wants it; ids checked against the vocabulary).
// A template error or an id outside the vocabulary is a 400, and so is a text too long to fit
// in `n_ctx` tokens (found before tokenizing it, which would take long for megabytes).
std::vector<int32_t> PromptTokens(const ServedModel& m, const GenerationRequest& r, int64_t n_ctx);

}  // namespace densing::server
