// Conversation: a chat with a model over one Session — each turn is rendered with the model's
// chat template and only the text that is new since the last turn is evaluated.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_template.h"
#include "generate/generate.h"

namespace densing {

class Conversation {
 public:
  // Uses the file's tokenizer.chat_template, or ChatML when it has none (uses_fallback()).
  Conversation(Session& session, const Tokenizer& tokenizer, std::string system_prompt);

  // Adds the user's message, generates the reply (streamed through on_text) and keeps it in the
  // history. Throws Error when the turn does not fit the context.
  GenerateStats Reply(const std::string& user, const GenerateParams& params,
                      const std::function<bool(int32_t, std::string_view)>& on_text);

  bool uses_fallback() const { return fallback_; }
  const std::vector<ChatMessage>& messages() const { return messages_; }

 private:
  std::string Render(bool add_generation_prompt) const;

  Session& session_;
  const Tokenizer& tokenizer_;
  std::string template_;
  bool fallback_ = false;
  std::vector<ChatMessage> messages_;
  std::string held_text_;  // the text whose tokens the session holds
};

}  // namespace densing
