// Turn-by-turn rendering. The template renders the whole history each turn; when that text
// extends what the session already holds, only the extension is tokenized and evaluated.
#include "generate/conversation.h"

#include "base/error.h"
#include "gguf/gguf_file.h"

namespace densing {

Conversation::Conversation(Session& session, const Tokenizer& tokenizer, std::string system_prompt)
    : session_(session), tokenizer_(tokenizer) {
  const gguf::File& f = session.model().file();
  template_ = f.GetStringOr("tokenizer.chat_template", "");
  if (template_.empty()) {
    template_ = kChatMlTemplate;
    fallback_ = true;
  }
  if (!system_prompt.empty()) messages_.push_back({"system", std::move(system_prompt)});
}

std::string Conversation::Render(bool add_generation_prompt) const {
  const auto piece = [&](int32_t id) { return id >= 0 ? tokenizer_.TokenToPiece(id) : std::string(); };
  return RenderChatTemplate(template_, messages_, add_generation_prompt, piece(tokenizer_.bos()),
                            piece(tokenizer_.eos()));
}

GenerateStats Conversation::Reply(const std::string& user, const GenerateParams& params,
                                  const std::function<bool(int32_t, std::string_view)>& on_text) {
  messages_.push_back({"user", user});
  const std::string text = Render(true);
  std::vector<int32_t> prompt;
  if (!held_text_.empty() && text.starts_with(held_text_)) {
    const std::vector<int32_t> added =
        tokenizer_.Encode(std::string_view(text).substr(held_text_.size()), false, true);
    // A turn that does not fit shifts out the oldest of what the session holds.
    while (params.context_shift && session_.n_past() + static_cast<int64_t>(added.size()) >= session_.n_ctx() &&
           (session_.n_past() - params.n_keep) / 2 >= 1) {
      session_.ShiftContext(params.n_keep);
    }
    prompt = session_.tokens();
    prompt.insert(prompt.end(), added.begin(), added.end());
  } else {
    // First turn, or a template that rewrites earlier turns: start over, reusing what matches.
    // Templates that write the BOS text themselves get no second BOS.
    const bool has_bos = tokenizer_.bos() >= 0 && text.starts_with(tokenizer_.TokenToPiece(tokenizer_.bos()));
    prompt = tokenizer_.Encode(text, /*add_special=*/!has_bos, /*parse_special=*/true);
  }
  if (static_cast<int64_t>(prompt.size()) >= session_.n_ctx()) {
    messages_.pop_back();
    Fail("the conversation ({} tokens) no longer fits the context of {}; start a new chat{}",
         prompt.size(), session_.n_ctx(), params.context_shift ? "" : " or allow context shifts");
  }
  std::string reply;
  const GenerateStats stats = Generate(session_, tokenizer_, prompt, params, [&](int32_t id, std::string_view piece) {
    reply += piece;
    return on_text(id, piece);
  });
  messages_.push_back({"assistant", reply});
  held_text_ = text + reply;
  return stats;
}

}  // namespace densing
