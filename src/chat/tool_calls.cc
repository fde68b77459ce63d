// Parsing tool calls out of generated text, per template family. Nothing here throws on model
// output: what does not parse is content.
#include "chat/tool_calls.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "base/json_nesting.h"
#include "chat/tool_call_markers.h"

namespace densing {

using tool_call_internal::kHermesClose;
using tool_call_internal::kHermesOpen;
using tool_call_internal::kMistralArgs;
using tool_call_internal::kMistralCallId;
using tool_call_internal::kMistralOpen;
using tool_call_internal::kPhiClose;
using tool_call_internal::kPhiOpen;
using tool_call_internal::kPythonTag;
using tool_call_internal::IsIdentChar;
using tool_call_internal::IsSpace;
using tool_call_internal::Offered;
using tool_call_internal::Trim;

namespace {

using Json = nlohmann::ordered_json;

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// The end (one past) of the JSON object or array that starts at s[i], found by bracket depth
// outside strings; npos when it does not close within s.
size_t JsonValueEnd(std::string_view s, size_t i) {
  if (i >= s.size() || (s[i] != '{' && s[i] != '[')) return std::string_view::npos;
  int depth = 0;
  bool in_string = false;
  for (size_t j = i; j < s.size(); ++j) {
    const char c = s[j];
    if (in_string) {
      if (c == '\\') {
        ++j;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return j + 1;
    }
  }
  return std::string_view::npos;
}

std::optional<Json> ParseJson(std::string_view s) {
  if (NestedDeeperThan(s, kMaxJsonDepth)) return std::nullopt;  // see base/json_nesting.h
  Json j = Json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// {"name", "arguments" | "parameters"} or {"type": "function", "function": {...}} as a call;
// nullopt when it is not one.
std::optional<ToolCall> CallFromJson(const Json& j, ToolFamily family) {
  if (!j.is_object()) return std::nullopt;
  const Json* obj = &j;
  if (j.contains("function") && j["function"].is_object()) obj = &j["function"];
  auto name = obj->find("name");
  if (name == obj->end() || !name->is_string() || name->get<std::string>().empty()) {
    return std::nullopt;
  }
  Json args = Json::object();
  for (const char* key : {"arguments", "parameters"}) {
    auto it = obj->find(key);
    if (it == obj->end() || it->is_null()) continue;
    args = *it;
    break;
  }
  if (args.is_string()) {  // arguments already serialized
    std::optional<Json> inner = ParseJson(args.get<std::string>());
    if (!inner) return std::nullopt;
    args = *inner;
  }
  if (!args.is_object()) return std::nullopt;
  ToolCall call;
  call.name = name->get<std::string>();
  call.arguments = args.dump();
  auto id = j.find("id");
  call.id = id != j.end() && id->is_string() && !id->get<std::string>().empty()
                ? id->get<std::string>()
                : NewToolCallId(family);
  return call;
}

// A JSON object or an array of them, each a call; nullopt if any is not.
std::optional<std::vector<ToolCall>> CallsFromJson(const Json& j, ToolFamily family) {
  std::vector<ToolCall> calls;
  if (j.is_array()) {
    if (j.empty()) return std::nullopt;
    for (const Json& item : j) {
      std::optional<ToolCall> c = CallFromJson(item, family);
      if (!c) return std::nullopt;
      calls.push_back(std::move(*c));
    }
    return calls;
  }
  std::optional<ToolCall> c = CallFromJson(j, family);
  if (!c) return std::nullopt;
  calls.push_back(std::move(*c));
  return calls;
}

// Text wrapped in open/close tags (Hermes, Phi-4): each wrapped part that parses is a call; the
// rest is content. An unclosed last tag counts when what follows it parses.
ParsedOutput ParseTagged(std::string_view text, std::string_view open, std::string_view close,
                         ToolFamily family) {
  ParsedOutput out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = text.find(open, pos);
    if (start == std::string_view::npos) break;
    out.content.append(text.substr(pos, start - pos));
    const size_t inner = start + open.size();
    const size_t end = text.find(close, inner);
    const size_t stop = end == std::string_view::npos ? text.size() : end + close.size();
    std::optional<Json> j = ParseJson(Trim(
        text.substr(inner, (end == std::string_view::npos ? text.size() : end) - inner)));
    std::optional<std::vector<ToolCall>> calls;
    if (j) calls = CallsFromJson(*j, family);
    if (calls) {
      for (ToolCall& c : *calls) out.calls.push_back(std::move(c));
    } else {
      out.content.append(text.substr(start, stop - start));
    }
    pos = stop;
  }
  if (pos < text.size()) out.content.append(text.substr(pos));
  if (!out.calls.empty()) out.content = std::string(Trim(out.content));
  return out;
}

// A run of JSON calls from s[i] on, separated by whitespace, ';' or ','; the calls must name
// offered functions. Returns the calls and where the run ended.
std::vector<ToolCall> JsonCallRun(std::string_view s, size_t& i, ToolFamily family,
                                  const std::vector<std::string>& names) {
  std::vector<ToolCall> calls;
  while (true) {
    const size_t start = SkipSpace(s, i);
    const size_t end = JsonValueEnd(s, start);
    if (end == std::string_view::npos) break;
    std::optional<Json> j = ParseJson(s.substr(start, end - start));
    std::optional<std::vector<ToolCall>> got;
    if (j) got = CallsFromJson(*j, family);
    if (!got) break;
    bool known = true;
    for (const ToolCall& c : *got) known = known && (names.empty() || Offered(names, c.name));
    if (!known) break;
    for (ToolCall& c : *got) calls.push_back(std::move(c));
    i = end;
    size_t next = SkipSpace(s, i);
    if (next < s.size() && (s[next] == ';' || s[next] == ',')) i = next + 1;
  }
  return calls;
}

// Llama 3.x: the whole answer is the call (or calls), optionally after <|python_tag|>.
ParsedOutput ParseLlama3(std::string_view text, const std::vector<std::string>& names) {
  ParsedOutput out;
  std::string_view s = Trim(text);
  const size_t tag = s.find(kPythonTag);
  std::string_view before;
  if (tag != std::string_view::npos) {
    before = Trim(s.substr(0, tag));
    s = s.substr(tag + kPythonTag.size());
  }
  size_t i = 0;
  std::vector<ToolCall> calls = JsonCallRun(s, i, ToolFamily::kLlama3, names);
  if (calls.empty() || !Trim(s.substr(i)).empty()) {
    out.content = std::string(text);
    return out;
  }
  out.content = std::string(before);
  out.calls = std::move(calls);
  return out;
}

// Mistral: content, then [TOOL_CALLS] and a JSON array (v0.3) or name[ARGS]{...} per call
// (later templates, with an optional [CALL_ID]id).
ParsedOutput ParseMistral(std::string_view text) {
  ParsedOutput out;
  const size_t open = text.find(kMistralOpen);
  if (open == std::string_view::npos) {
    out.content = std::string(text);
    return out;
  }
  std::string_view s = text.substr(open);
  std::vector<ToolCall> calls;
  size_t i = 0;
  bool ok = true;
  while (ok && i < s.size()) {
    i = SkipSpace(s, i);
    if (i == s.size()) break;
    if (s.compare(i, kMistralOpen.size(), kMistralOpen) != 0) {
      ok = false;
      break;
    }
    i = SkipSpace(s, i + kMistralOpen.size());
    if (i < s.size() && s[i] == '[') {
      const size_t end = JsonValueEnd(s, i);
      std::optional<Json> j;
      if (end != std::string_view::npos) j = ParseJson(s.substr(i, end - i));
      std::optional<std::vector<ToolCall>> got;
      if (j) got = CallsFromJson(*j, ToolFamily::kMistral);
      if (!got) {
        ok = false;
        break;
      }
      for (ToolCall& c : *got) calls.push_back(std::move(c));
      i = end;
      continue;
    }
    // name[ARGS]{...}, possibly repeated without a new [TOOL_CALLS].
    while (ok && i < s.size() && IsIdentChar(s[i])) {
      size_t name_end = i;
      while (name_end < s.size() && IsIdentChar(s[name_end])) ++name_end;
      ToolCall call;
      call.name = std::string(s.substr(i, name_end - i));
      i = name_end;
      if (s.compare(i, kMistralCallId.size(), kMistralCallId) == 0) {
        i += kMistralCallId.size();
        size_t id_end = i;
        while (id_end < s.size() && IsIdentChar(s[id_end])) ++id_end;
        call.id = std::string(s.substr(i, id_end - i));
        i = id_end;
      }
      if (s.compare(i, kMistralArgs.size(), kMistralArgs) != 0) {
        ok = false;
        break;
      }
      i += kMistralArgs.size();
      const size_t end = JsonValueEnd(s, i);
      std::optional<Json> args;
      if (end != std::string_view::npos) args = ParseJson(s.substr(i, end - i));
      if (!args || !args->is_object()) {
        ok = false;
        break;
      }
      call.arguments = args->dump();
      if (call.id.empty()) call.id = NewToolCallId(ToolFamily::kMistral);
      calls.push_back(std::move(call));
      i = SkipSpace(s, end);
    }
  }
  if (!ok || calls.empty()) {
    out.content = std::string(text);
    return out;
  }
  out.content = std::string(Trim(text.substr(0, open)));
  out.calls = std::move(calls);
  return out;
}

// --- Gemma's Python-style calls: [f(a=1, b="x"), g()] -----------------------------------------

struct PyParser {
  std::string_view s;
  size_t i = 0;

  void Space() { i = SkipSpace(s, i); }
  bool Eat(char c) {
    Space();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::string Ident() {
    Space();
    const size_t start = i;
    while (i < s.size() && IsIdentChar(s[i])) ++i;
    return std::string(s.substr(start, i - start));
  }
  std::optional<Json> String() {
    const char quote = s[i++];
    std::string text;
    while (i < s.size() && s[i] != quote) {
      char c = s[i++];
      if (c == '\\' && i < s.size()) {
        const char e = s[i++];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
      }
      text.push_back(c);
    }
    if (i >= s.size()) return std::nullopt;
    ++i;
    return Json(text);
  }
  std::optional<Json> Value(int depth) {
    Space();
    if (i >= s.size() || depth > 32) return std::nullopt;
    const char c = s[i];
    if (c == '"' || c == '\'') return String();
    if (c == '[') {
      ++i;
      Json list = Json::array();
      if (Eat(']')) return list;
      do {
        std::optional<Json> v = Value(depth + 1);
        if (!v) return std::nullopt;
        list.push_back(std::move(*v));
      } while (Eat(','));
      return Eat(']') ? std::optional<Json>(list) : std::nullopt;
    }
    if (c == '{') {
      ++i;
      Json dict = Json::object();
      if (Eat('}')) return dict;
      do {
        std::optional<Json> k = Value(depth + 1);
        if (!k || !k->is_string() || !Eat(':')) return std::nullopt;
        std::optional<Json> v = Value(depth + 1);
        if (!v) return std::nullopt;
        dict[k->get<std::string>()] = std::move(*v);
      } while (Eat(','));
      return Eat('}') ? std::optional<Json>(dict) : std::nullopt;
    }
    const std::string word = Ident();
    if (word == "True" || word == "true") return Json(true);
    if (word == "False" || word == "false") return Json(false);
    if (word == "None" || word == "null") return Json(nullptr);
    return ParseJson(word);  // a number (Ident() takes digits, '-', '.'); else nullopt
  }
  std::optional<ToolCall> Call() {
    ToolCall call;
    call.name = Ident();
    if (call.name.empty() || !Eat('(')) return std::nullopt;
    Json args = Json::object();
    if (!Eat(')')) {
      do {
        const std::string key = Ident();
        if (key.empty() || !Eat('=')) return std::nullopt;
        std::optional<Json> v = Value(0);
        if (!v) return std::nullopt;
        args[key] = std::move(*v);
      } while (Eat(','));
      if (!Eat(')')) return std::nullopt;
    }
    call.arguments = args.dump();
    call.id = NewToolCallId(ToolFamily::kGemma);
    return call;
  }
};

std::optional<std::vector<ToolCall>> PythonCalls(std::string_view s) {
  PyParser p{s};
  std::vector<ToolCall> calls;
  const bool list = p.Eat('[');
  do {
    std::optional<ToolCall> c = p.Call();
    if (!c) return std::nullopt;
    calls.push_back(std::move(*c));
  } while (list && p.Eat(','));
  if (list && !p.Eat(']')) return std::nullopt;
  p.Space();
  if (p.i != s.size()) return std::nullopt;
  return calls;
}

// Gemma 3 has no call tokens; Google's function-calling guide
// (https://ai.google.dev/gemma/docs/capabilities/function-calling) prompts for either
// {"name": ..., "parameters": ...} or [func_name(param=value, ...)], and its agent examples wrap
// the call in a ```tool_code``` block. The whole answer must be the call(s), naming offered
// functions.
ParsedOutput ParseGemma(std::string_view text, const std::vector<std::string>& names) {
  ParsedOutput out;
  std::string_view s = Trim(text);
  for (std::string_view fence : {"```tool_code", "```json", "```python", "```"}) {
    if (s.substr(0, fence.size()) == fence && s.size() >= fence.size() + 3 &&
        s.substr(s.size() - 3) == "```") {
      s = Trim(s.substr(fence.size(), s.size() - fence.size() - 3));
      break;
    }
  }
  size_t i = 0;
  std::vector<ToolCall> calls = JsonCallRun(s, i, ToolFamily::kGemma, names);
  if (calls.empty() || !Trim(s.substr(i)).empty()) {
    std::optional<std::vector<ToolCall>> py = PythonCalls(s);
    calls.clear();
    if (py) calls = std::move(*py);
  }
  for (const ToolCall& c : calls) {
    if (!names.empty() && !Offered(names, c.name)) calls.clear();
  }
  if (calls.empty()) {
    out.content = std::string(text);
  } else {
    out.calls = std::move(calls);
  }
  return out;
}

}  // namespace

ToolFamily DetectToolFamily(std::string_view t) {
  if (t.find("[TOOL_CALLS]") != std::string_view::npos) return ToolFamily::kMistral;
  if (t.find("<|tool_call|>") != std::string_view::npos ||
      t.find("<|tool|>") != std::string_view::npos) {
    return ToolFamily::kPhi4;
  }
  if (t.find("<tool_call>") != std::string_view::npos) return ToolFamily::kHermes;
  if (t.find("<|start_header_id|>") != std::string_view::npos) return ToolFamily::kLlama3;
  if (t.find("<start_of_turn>") != std::string_view::npos) return ToolFamily::kGemma;
  return ToolFamily::kHermes;
}

const char* ToolFamilyName(ToolFamily family) {
  switch (family) {
    case ToolFamily::kHermes:
      return "hermes";
    case ToolFamily::kLlama3:
      return "llama3";
    case ToolFamily::kMistral:
      return "mistral";
    case ToolFamily::kPhi4:
      return "phi4";
    case ToolFamily::kGemma:
      return "gemma";
  }
  return "?";
}

std::string NewToolCallId(ToolFamily family) {
  static constexpr char kAlnum[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(0, 61);
  // Mistral's templates refuse ids that are not 9 alphanumerics when they come back.
  const bool mistral = family == ToolFamily::kMistral;
  std::string id = mistral ? "" : "call_";
  for (int k = 0; k < (mistral ? 9 : 24); ++k) id.push_back(kAlnum[pick(rng)]);
  return id;
}

ParsedOutput ParseToolCalls(ToolFamily family, std::string_view text,
                            const std::vector<std::string>& names) {
  switch (family) {
    case ToolFamily::kHermes:
      return ParseTagged(text, kHermesOpen, kHermesClose, family);
    case ToolFamily::kPhi4:
      return ParseTagged(text, kPhiOpen, kPhiClose, family);
    case ToolFamily::kLlama3:
      return ParseLlama3(text, names);
    case ToolFamily::kMistral:
      return ParseMistral(text);
    case ToolFamily::kGemma:
      return ParseGemma(text, names);
  }
  return {std::string(text), {}};
}

}  // namespace densing
