// Loading the served model and rendering prompts.
#include "server/served_model.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "chat/chat_template.h"
#include "chat/tool_prompt.h"
#include "server/api_error.h"

namespace densing::server {

std::unique_ptr<ServedModel> ServedModel::Load(const std::string& path, const std::string& id) {
  auto m = std::make_unique<ServedModel>();
  m->model = Model::Load(path);
  m->tokenizer = Tokenizer::FromGguf(m->model->file());
  m->id = id;
  if (m->id.empty()) m->id = std::filesystem::path(path).stem().string();
  const gguf::File& file = m->model->file();
  const gguf::Value* tmpl = file.Find("tokenizer.chat_template");
  if (tmpl && tmpl->type == gguf::ValueType::kString) {
    m->chat_template = file.GetString("tokenizer.chat_template");
  } else {
    m->chat_template = kChatMlTemplate;
    m->chatml_fallback = true;
  }
  m->tool_family = DetectToolFamily(m->chat_template);
  for (int32_t id = 0; id < m->tokenizer->n_vocab(); ++id) {
    m->max_piece_bytes = std::max(m->max_piece_bytes, m->tokenizer->TokenToPiece(id).size());
  }
  m->created = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  return m;
}

std::shared_ptr<const grammar::Vocabulary> ServedModel::vocabulary() const {
  std::call_once(vocabulary_once_, [&] { vocabulary_ = grammar::Vocabulary::FromTokenizer(*tokenizer); });
  return vocabulary_;
}

namespace {

std::string SpecialText(const Tokenizer& t, int32_t id) {
  return id >= 0 && id < t.n_vocab() ? t.TokenText(id) : std::string();
}

// Every token stands for at most max_piece_bytes bytes, so a longer text cannot fit.
std::vector<int32_t> Encode(const ServedModel& m, const std::string& text, int64_t n_ctx,
                            const char* param) {
  const uint64_t most = static_cast<uint64_t>(n_ctx) * m.max_piece_bytes;
  if (text.size() > most) {
    FailCode(param, "context_length_exceeded",
             "the prompt of {} bytes cannot fit in a context of {} tokens", text.size(), n_ctx);
  }
  return m.tokenizer->Encode(text, /*add_special=*/true, /*parse_special=*/true);
}

std::vector<int32_t> ChatTokens(const ServedModel& m, const GenerationRequest& r, int64_t n_ctx) {
  const Tokenizer& t = *m.tokenizer;
  std::string text;
  // tool_choice "none" shows the model no tools (the conversation's earlier calls stay).
  const nlohmann::ordered_json no_tools = nlohmann::ordered_json::array();
  const ToolChat chat =
      PrepareToolChat(m.chat_template, m.tool_family, r.messages,
                      r.tools.choice == ToolChoice::kNone ? no_tools : r.tools.tools);
  try {
    text = RenderChatTemplate(m.chat_template, chat.messages, /*add_generation_prompt=*/true,
                              SpecialText(t, t.bos()), SpecialText(t, t.eos()), chat.extra_vars);
  } catch (const Error& e) {
    FailParam("messages", "{}", e.what());
  }
  std::vector<int32_t> tokens = Encode(m, text, n_ctx, "messages");
  // Templates that write {{ bos_token }} themselves would otherwise start with two.
  if (tokens.size() >= 2 && tokens[0] == t.bos() && tokens[1] == t.bos()) {
    tokens.erase(tokens.begin());
  }
  return tokens;
}

}  // namespace

std::vector<int32_t> PromptTokens(const ServedModel& m, const GenerationRequest& r, int64_t n_ctx) {
  const Tokenizer& t = *m.tokenizer;
  if (r.endpoint == Endpoint::kChat) return ChatTokens(m, r, n_ctx);
  if (!r.prompt_is_tokens) return Encode(m, r.prompt_text, n_ctx, "prompt");
  for (int32_t id : r.prompt_tokens) {
    if (id >= t.n_vocab()) {
      FailParam("prompt", "token id {} is outside the vocabulary of {} tokens", id, t.n_vocab());
    }
  }
  return r.prompt_tokens;
}

}  // namespace densing::server
