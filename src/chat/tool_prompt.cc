// Tools, tool calls and tool results put where each template family expects them.
#include "chat/tool_prompt.h"

#include <cctype>

namespace densing {

using Json = nlohmann::ordered_json;

namespace {

bool Contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether `word` occurs in `s` as a whole identifier (not inside xml_tools, tools_in_user, ...).
bool HasWord(std::string_view s, std::string_view word) {
  for (size_t at = s.find(word); at != std::string_view::npos; at = s.find(word, at + 1)) {
    const bool left = at == 0 || !IsIdent(s[at - 1]);
    const size_t end = at + word.size();
    const bool right = end == s.size() || !IsIdent(s[end]);
    if (left && right) return true;
  }
  return false;
}

// The functions of OpenAI's tool objects: {"name", "description", "parameters"}.
Json Functions(const Json& tools) {
  Json out = Json::array();
  for (const Json& t : tools) out.push_back(t.at("function"));
  return out;
}

// One earlier call in the family's output syntax.
std::string CallText(ToolFamily family, const Json& call) {
  const Json& f = call.contains("function") ? call["function"] : call;
  Json args = f.value("arguments", Json::object());
  Json obj = Json::object();
  obj["name"] = f.value("name", "");
  switch (family) {
    case ToolFamily::kLlama3:
    case ToolFamily::kGemma:
      obj["parameters"] = args;
      return PyJson(obj);
    case ToolFamily::kMistral:
      obj["arguments"] = args;
      return "[TOOL_CALLS]" + PyJson(Json::array({obj}));
    case ToolFamily::kPhi4:
      obj["arguments"] = args;
      return "<|tool_call|>" + PyJson(Json::array({obj})) + "<|/tool_call|>";
    case ToolFamily::kHermes:
      break;
  }
  obj["arguments"] = args;
  return "<tool_call>\n" + PyJson(obj) + "\n</tool_call>";
}

std::string ResultText(ToolFamily family, const std::string& content) {
  switch (family) {
    case ToolFamily::kHermes:
      return "<tool_response>\n" + content + "\n</tool_response>";
    case ToolFamily::kGemma:  // the block Gemma's agent guide returns results in
      return "```tool_output\n" + content + "\n```";
    default:
      return content;
  }
}

std::string ContentString(const Json& m) {
  auto it = m.find("content");
  return it != m.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string PyJson(const Json& j) {
  if (j.is_object()) {
    std::string out = "{";
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      out += Json(it.key()).dump(-1, ' ', false, Json::error_handler_t::replace);
      out += ": " + PyJson(it.value());
    }
    return out + "}";
  }
  if (j.is_array()) {
    std::string out = "[";
    for (size_t k = 0; k < j.size(); ++k) out += (k ? ", " : "") + PyJson(j[k]);
    return out + "]";
  }
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string ToolSystemPrompt(ToolFamily family, const Json& tools) {
  const Json functions = Functions(tools);
  std::string list;
  for (const Json& f : functions) list += PyJson(f) + "\n";
  switch (family) {
    case ToolFamily::kGemma:
      // Google's documented function-calling prompt for Gemma 3, its JSON variant:
      // https://ai.google.dev/gemma/docs/capabilities/function-calling
      return "You have access to functions. If you decide to invoke any of the function(s),\n"
             "you MUST put it in the format of\n"
             "{\"name\": function name, \"parameters\": dictionary of argument name and its "
             "value}\n\n"
             "You SHOULD NOT include any other text in the response if you call a function\n" +
             PyJson(functions);
    case ToolFamily::kLlama3:
      return "You have access to the following functions. To call a function, respond with "
             "JSON in the format {\"name\": function name, \"parameters\": dictionary of "
             "argument name and its value}, and nothing else.\n\n" +
             list;
    case ToolFamily::kMistral:
      return "You have access to the following functions:\n" + list +
             "\nTo call functions, respond with [TOOL_CALLS] followed by a JSON array of "
             "{\"name\": function name, \"arguments\": dictionary of argument name and its "
             "value}.";
    case ToolFamily::kPhi4:
      return "You have access to the following functions:\n" + list +
             "\nTo call functions, respond with <|tool_call|>, a JSON array of {\"name\": "
             "function name, \"arguments\": dictionary of argument name and its value}, and "
             "<|/tool_call|>.";
    case ToolFamily::kHermes:
      break;
  }
  return "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
         "The functions you can call are described within <tools></tools> XML tags:\n<tools>\n" +
         list +
         "</tools>\n\nFor each function call, return a JSON object with the function name and "
         "arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": "
         "<function-name>, \"arguments\": <args-json-object>}\n</tool_call>";
}

ToolChat PrepareToolChat(std::string_view t, ToolFamily family, const Json& messages,
                         const Json& tools) {
  ToolChat out;
  out.extra_vars = Json::object();
  const bool template_calls = Contains(t, "tool_calls");
  const bool template_tool_role = Contains(t, "'tool'") || Contains(t, "\"tool\"");
  // Phi-4-mini reads the tools as a JSON string on the system message (its model card).
  const bool system_tools = family == ToolFamily::kPhi4 && (Contains(t, "['tools']") ||
                                                             Contains(t, "'tools' in message"));

  Json msgs = Json::array();
  for (const Json& m : messages) {
    const std::string role = m.value("role", "");
    if (role == "assistant" && m.contains("tool_calls") && !template_calls) {
      Json copy = m;
      std::string text = ContentString(m);
      for (const Json& call : m["tool_calls"]) {
        if (!text.empty()) text += "\n";
        text += CallText(family, call);
      }
      copy["content"] = text;
      copy.erase("tool_calls");
      msgs.push_back(std::move(copy));
    } else if (role == "tool" && !template_tool_role) {
      const std::string result = ResultText(family, ContentString(m));
      if (!msgs.empty() && msgs.back().value("role", "") == "user" &&
          msgs.back().value("_tool_result", false)) {
        msgs.back()["content"] = msgs.back()["content"].get<std::string>() + "\n" + result;
      } else {
        msgs.push_back({{"role", "user"}, {"content", result}, {"_tool_result", true}});
      }
    } else {
      msgs.push_back(m);
    }
  }
  for (Json& m : msgs) m.erase("_tool_result");

  if (!tools.empty()) {
    if (HasWord(t, "xml_tools")) {
      out.extra_vars["xml_tools"] = Functions(tools);  // SmolLM3's documented variable
    } else if (system_tools) {
      if (msgs.empty() || msgs[0].value("role", "") != "system") {
        msgs.insert(msgs.begin(),
                    Json{{"role", "system"}, {"content", "You are a helpful assistant with some tools."}});
      }
      msgs[0]["tools"] = PyJson(Functions(tools));
    } else if (HasWord(t, "tools")) {
      out.extra_vars["tools"] = tools;
    } else {
      const std::string prompt = ToolSystemPrompt(family, tools);
      if (!msgs.empty() && msgs[0].value("role", "") == "system") {
        const std::string system = ContentString(msgs[0]);
        msgs[0]["content"] = system.empty() ? prompt : system + "\n\n" + prompt;
      } else {
        msgs.insert(msgs.begin(), Json{{"role", "system"}, {"content", prompt}});
      }
    }
  }
  out.messages = std::move(msgs);
  return out;
}

}  // namespace densing
