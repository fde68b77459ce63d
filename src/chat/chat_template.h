// Chat templates: render a model's tokenizer.chat_template (Jinja) into the prompt text, the way
// Hugging Face transformers' apply_chat_template does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace densing {

struct ChatMessage {
  std::string role;
  std::string content;
};

// Renders `source` with the variables transformers passes: messages, add_generation_prompt,
// bos_token, eos_token, tools = documents = none, plus strftime_now() and raise_exception().
// Errors, including the template's own raise_exception(), are an Error starting
// "chat template: ".
std::string RenderChatTemplate(const std::string& source, const std::vector<ChatMessage>& messages,
                               bool add_generation_prompt, const std::string& bos_token,
                               const std::string& eos_token);

// The same with messages as JSON (tool calls, structured content) and extra variables (tools,
// date_string, ...) that are added to or replace the ones above. Key order is kept, so tools
// print as given.
std::string RenderChatTemplate(
    const std::string& source, const nlohmann::ordered_json& messages, bool add_generation_prompt,
    const std::string& bos_token, const std::string& eos_token,
    const nlohmann::ordered_json& extra_vars = nlohmann::ordered_json::object());

// ChatML, used when a model file has no tokenizer.chat_template.
extern const char* const kChatMlTemplate;

}  // namespace densing
