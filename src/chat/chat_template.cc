// Chat-template rendering with transformers' Jinja settings (trim_blocks, lstrip_blocks).
#include "chat/chat_template.h"

#include "base/error.h"
#include "chat/jinja/template.h"

namespace densing {

const char* const kChatMlTemplate =
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

std::string RenderChatTemplate(const std::string& source, const std::vector<ChatMessage>& messages,
                               bool add_generation_prompt, const std::string& bos_token,
                               const std::string& eos_token) {
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const ChatMessage& message : messages) {
    json.push_back({{"role", message.role}, {"content", message.content}});
  }
  return RenderChatTemplate(source, json, add_generation_prompt, bos_token, eos_token);
}

std::string RenderChatTemplate(const std::string& source, const nlohmann::ordered_json& messages,
                               bool add_generation_prompt, const std::string& bos_token,
                               const std::string& eos_token,
                               const nlohmann::ordered_json& extra_vars) {
  if (!messages.is_array()) Fail("chat template: messages must be a JSON array");
  if (!extra_vars.is_object()) Fail("chat template: extra variables must be a JSON object");
  nlohmann::ordered_json context = nlohmann::ordered_json::object();
  context["messages"] = messages;
  context["tools"] = nullptr;
  context["documents"] = nullptr;
  context["add_generation_prompt"] = add_generation_prompt;
  context["bos_token"] = bos_token;
  context["eos_token"] = eos_token;
  for (auto it = extra_vars.begin(); it != extra_vars.end(); ++it) context[it.key()] = it.value();
  jinja::Options options;
  options.trim_blocks = true;
  options.lstrip_blocks = true;
  try {
    return jinja::Template::Parse(source, options).Render(context);
  } catch (const Error& e) {
    throw Error(std::string("chat template: ") + e.what());
  }
}

}  // namespace densing
