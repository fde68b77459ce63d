// Checking the tool fields of a chat request.
#include "server/tool_request.h"

#include <set>

#include "server/api_error.h"
#include "server/json_fields.h"

namespace densing::server {
namespace {

using nlohmann::json;
using OJson = nlohmann::ordered_json;

bool ValidFunctionName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A function's parameters: an object schema ({"type": "object", "properties": {...}, ...}).
void CheckParameters(const json& p, const std::string& where) {
  if (!p.is_object()) {
    FailParam(where, "'{}' must be a JSON Schema object, not {}", where, JsonTypeName(p));
  }
  if (p.contains("type") && p["type"] != "object") {
    FailParam(where, "'{}' must describe an object: its \"type\" must be \"object\", not {}",
              where, p["type"].dump());
  }
  if (p.contains("properties") && !p["properties"].is_object()) {
    FailParam(where + ".properties", "'{}.properties' must be an object", where);
  }
  if (p.contains("required")) {
    const json& req = p["required"];
    bool ok = req.is_array();
    for (size_t k = 0; ok && k < req.size(); ++k) ok = req[k].is_string();
    if (!ok) FailParam(where + ".required", "'{}.required' must be an array of strings", where);
  }
}

}  // namespace

ToolRequest ParseToolFields(const json& body, const OJson* ordered) {
  JsonFields f(body);
  ToolRequest r;
  std::set<std::string> names;
  if (const json* tools = f.Get("tools")) {
    if (!tools->is_array()) {
      FailParam("tools", "'tools' must be an array, not {}", JsonTypeName(*tools));
    }
    if (tools->size() > kMaxTools) {
      FailParam("tools", "'tools' may hold at most {} functions", kMaxTools);
    }
    for (size_t i = 0; i < tools->size(); ++i) {
      const json& t = (*tools)[i];
      const std::string where = fmt::format("tools[{}]", i);
      if (!t.is_object()) FailParam(where, "'{}' must be an object", where);
      if (t.value("type", json()) != "function") {
        FailParam(where + ".type", "'{}.type' must be \"function\"", where);
      }
      const json fn = t.value("function", json());
      if (!fn.is_object()) {
        FailParam(where + ".function", "'{}.function' must be an object with a name", where);
      }
      const json name = fn.value("name", json());
      if (!name.is_string() || !ValidFunctionName(name.get<std::string>())) {
        FailParam(where + ".function.name",
                  "'{}.function.name' must be a string of 1 to 64 letters, digits, '_' or '-'",
                  where);
      }
      if (!names.insert(name.get<std::string>()).second) {
        FailParam(where + ".function.name", "'{}.function.name': the name '{}' is used twice",
                  where, name.get<std::string>());
      }
      if (fn.contains("description") && !fn["description"].is_string()) {
        FailParam(where + ".function.description", "'{}.function.description' must be a string",
                  where);
      }
      if (fn.contains("parameters")) CheckParameters(fn["parameters"], where + ".function.parameters");
      // The order the client wrote is what the model is shown.
      const OJson src = ordered ? ordered->at("tools").at(i) : OJson(t);
      r.tools.push_back({{"type", "function"}, {"function", src.at("function")}});
    }
  }
  if (const json* pc = f.Get("parallel_tool_calls")) {
    if (!pc->is_boolean()) {
      FailParam("parallel_tool_calls", "'parallel_tool_calls' must be a boolean, not {}",
                JsonTypeName(*pc));
    }
    r.parallel = pc->get<bool>();
  }
  if (const json* tc = f.Get("tool_choice")) {
    if (tc->is_string()) {
      const std::string s = tc->get<std::string>();
      if (s == "auto") {
        r.choice = ToolChoice::kAuto;
      } else if (s == "none") {
        r.choice = ToolChoice::kNone;
      } else if (s == "required") {
        r.choice = ToolChoice::kRequired;
      } else {
        FailParam("tool_choice",
                  "'tool_choice' must be \"auto\", \"none\", \"required\" or {{\"type\": "
                  "\"function\", \"function\": {{\"name\": ...}}}}, not \"{}\"",
                  s);
      }
    } else if (tc->is_object()) {
      const json fn = tc->value("function", json());
      if (tc->value("type", json()) != "function" || !fn.is_object() ||
          !fn.value("name", json()).is_string()) {
        FailParam("tool_choice",
                  "'tool_choice' as an object must be {{\"type\": \"function\", \"function\": "
                  "{{\"name\": string}}}}");
      }
      r.choice = ToolChoice::kNamed;
      r.choice_name = fn["name"].get<std::string>();
      if (!names.count(r.choice_name)) {
        FailParam("tool_choice.function.name",
                  "'tool_choice' names the function '{}', which is not in 'tools'",
                  r.choice_name);
      }
    } else {
      FailParam("tool_choice", "'tool_choice' must be a string or an object, not {}",
                JsonTypeName(*tc));
    }
    if (r.choice == ToolChoice::kRequired && r.tools.empty()) {
      FailParam("tool_choice", "'tool_choice' is \"required\" but 'tools' is empty or absent");
    }
  }
  return r;
}

OJson ToolMessageFields(const json& m, const OJson* ordered, const std::string& where) {
  OJson out = OJson::object();
  const std::string role = m.value("role", "");
  const json calls = m.value("tool_calls", json());
  if (!calls.is_null()) {
    if (role != "assistant") {
      FailParam(where + ".tool_calls", "'{}.tool_calls' belongs on assistant messages only", where);
    }
    if (!calls.is_array()) FailParam(where + ".tool_calls", "'{}.tool_calls' must be an array", where);
    OJson list = OJson::array();
    for (size_t j = 0; j < calls.size(); ++j) {
      const json& c = calls[j];
      const std::string at = fmt::format("{}.tool_calls[{}]", where, j);
      if (!c.is_object()) FailParam(at, "'{}' must be an object", at);
      if (!c.value("id", json()).is_string()) FailParam(at + ".id", "'{}.id' must be a string", at);
      if (c.contains("type") && c["type"] != "function") {
        FailParam(at + ".type", "'{}.type' must be \"function\"", at);
      }
      const json fn = c.value("function", json());
      if (!fn.is_object() || !fn.value("name", json()).is_string()) {
        FailParam(at + ".function", "'{}.function' must be an object with a string name", at);
      }
      // Templates iterate the arguments or print them with tojson: they want the object.
      const json args = fn.value("arguments", json("{}"));
      OJson parsed;
      if (args.is_string()) {
        const std::string text = args.get<std::string>();
        parsed = OJson::parse(text.empty() ? std::string("{}") : text, nullptr, false);
      } else {
        parsed = ordered ? ordered->at("tool_calls").at(j).at("function").at("arguments")
                         : OJson(args);
      }
      if (parsed.is_discarded() || !parsed.is_object()) {
        FailParam(at + ".function.arguments",
                  "'{}.function.arguments' must be a JSON object (as a string)", at);
      }
      list.push_back({{"id", c["id"]},
                      {"type", "function"},
                      {"function", {{"name", fn["name"]}, {"arguments", std::move(parsed)}}}});
    }
    if (!list.empty()) out["tool_calls"] = std::move(list);
  }
  if (role == "tool") {
    const json id = m.value("tool_call_id", json());
    if (!id.is_string()) {
      FailParam(where + ".tool_call_id", "'{}.tool_call_id' is required on tool messages", where);
    }
    out["tool_call_id"] = id;
  }
  if (m.contains("name") && !m["name"].is_null()) {
    if (!m["name"].is_string()) FailParam(where + ".name", "'{}.name' must be a string", where);
    out["name"] = m["name"];
  }
  return out;
}

}  // namespace densing::server
