// Parsing of /v1/chat/completions and /v1/completions bodies. Sampling follows OpenAI's defaults
// (temperature 1, top_p 1, no top-k or min-p); llama.cpp's extensions top_k, min_p and
// repeat_penalty are accepted too.
#include "server/request.h"

#include <random>

#include "server/api_error.h"
#include "server/json_fields.h"
#include "server/output_format.h"

namespace densing::server {
namespace {

using nlohmann::json;

// Fields OpenAI defines that densing does not implement: refused rather than ignored, so a
// client never silently gets something other than what it asked for.
void RefuseUnsupported(const JsonFields& f) {
  if (auto n = f.Integer("n", 1, 1 << 20); n && *n != 1) {
    FailParam("n", "'n' must be 1: densing returns one choice per request");
  }
  if (auto b = f.Integer("best_of", 1, 1 << 20); b && *b != 1) {
    FailParam("best_of", "'best_of' must be 1");
  }
  if (const json* v = f.Get("functions"); v && !v->empty()) {
    FailParam("functions", "'functions' is not supported (use 'tools')");
  }
  if (auto suffix = f.String("suffix"); suffix && !suffix->empty()) {
    FailParam("suffix", "'suffix' is not supported");
  }
}

std::vector<std::string> ParseStop(const JsonFields& f) {
  const json* v = f.Get("stop");
  if (!v) return {};
  std::vector<std::string> stop;
  const auto add = [&](const json& s) {
    if (!s.is_string()) FailParam("stop", "'stop' must hold strings, not {}", JsonTypeName(s));
    const std::string& text = s.get_ref<const std::string&>();
    if (text.empty()) FailParam("stop", "'stop' strings must not be empty");
    if (text.size() > kMaxStopBytes) {
      FailParam("stop", "'stop' strings must be at most {} bytes", kMaxStopBytes);
    }
    stop.push_back(text);
  };
  if (v->is_array()) {
    if (v->size() > kMaxStopStrings) {
      FailParam("stop", "'stop' may hold at most {} strings", kMaxStopStrings);
    }
    for (const json& s : *v) add(s);
  } else {
    add(*v);
  }
  return stop;
}

// The fields both endpoints share.
GenerationRequest ParseCommon(const json& body, Endpoint endpoint,
                              const nlohmann::ordered_json* ordered = nullptr) {
  JsonFields f(body);
  RefuseUnsupported(f);
  GenerationRequest r;
  ParseOutputFormat(body, ordered, r.sampler);
  ParseLogitBias(body, r.sampler);
  r.endpoint = endpoint;
  r.model = f.String("model").value_or("");

  SamplerParams& s = r.sampler;
  s.temperature = static_cast<float>(f.Number("temperature", 0, 2).value_or(1.0));
  s.top_p = static_cast<float>(f.Number("top_p", 0, 1).value_or(1.0));
  if (s.top_p == 0) {  // "only the most likely token"
    s.top_p = 1;
    s.temperature = 0;
  }
  s.top_k = static_cast<int32_t>(f.Integer("top_k", 0, INT32_MAX).value_or(0));
  s.min_p = static_cast<float>(f.Number("min_p", 0, 1).value_or(0.0));
  s.presence_penalty = static_cast<float>(f.Number("presence_penalty", -2, 2).value_or(0.0));
  s.frequency_penalty = static_cast<float>(f.Number("frequency_penalty", -2, 2).value_or(0.0));
  s.repeat_penalty = static_cast<float>(f.Number("repeat_penalty", 0.01, 10).value_or(1.0));
  // OpenAI's penalties count every earlier token, not a window.
  s.repeat_last_n = -1;
  if (auto seed = f.Integer("seed", INT64_MIN, INT64_MAX)) {
    s.seed = static_cast<uint64_t>(*seed);
  } else {
    s.seed = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  }

  r.stop = ParseStop(f);
  r.ignore_eos = f.Bool("ignore_eos").value_or(false);
  r.n_keep = f.Integer("n_keep", -1, kMaxTokensLimit).value_or(0);
  r.stream = f.Bool("stream").value_or(false);
  if (const json* so = f.Get("stream_options")) {
    if (!so->is_object()) FailParam("stream_options", "'stream_options' must be an object");
    JsonFields sf(*so);
    r.include_usage = sf.Bool("include_usage").value_or(false);
  }
  return r;
}

// Message content: a string, or an array of {"type": "text", "text": ...} parts.
std::string MessageContent(const json& content, const std::string& param) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) {
    FailParam(param, "'{}' must be a string or an array of text parts, not {}", param,
              JsonTypeName(content));
  }
  std::string text;
  for (size_t j = 0; j < content.size(); ++j) {
    const json& part = content[j];
    const std::string where = fmt::format("{}[{}]", param, j);
    if (!part.is_object() || part.value("type", json()) != "text" || !part.contains("text") ||
        !part["text"].is_string()) {
      FailParam(where, "'{}' must be {{\"type\": \"text\", \"text\": string}}", where);
    }
    text += part["text"].get<std::string>();
  }
  return text;
}

}  // namespace

GenerationRequest ParseChatRequest(const json& body, std::string_view raw_body) {
  nlohmann::ordered_json ordered;
  if (!raw_body.empty()) ordered = nlohmann::ordered_json::parse(raw_body, nullptr, false);
  const bool keep_order = ordered.is_object();
  GenerationRequest r = ParseCommon(body, Endpoint::kChat, keep_order ? &ordered : nullptr);
  JsonFields f(body);
  r.tools = ParseToolFields(body, keep_order ? &ordered : nullptr);
  const json* messages = f.Get("messages");
  if (!messages) FailParam("messages", "'messages' is required");
  if (!messages->is_array() || messages->empty()) {
    FailParam("messages", "'messages' must be a non-empty array");
  }
  for (size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    const std::string where = fmt::format("messages[{}]", i);
    if (!m.is_object()) FailParam(where, "'{}' must be an object", where);
    const json role = m.value("role", json());
    static const char* const kRoles[] = {"system", "developer", "user", "assistant", "tool"};
    bool known = false;
    for (const char* k : kRoles) known = known || role == k;
    if (!known) {
      FailParam(where + ".role",
                "'{}.role' must be one of system, developer, user, assistant, tool", where);
    }
    const json content = m.value("content", json());
    if (content.is_null() && role != "assistant") {
      FailParam(where + ".content", "'{}.content' is required", where);
    }
    const std::string text = content.is_null() ? "" : MessageContent(content, where + ".content");
    nlohmann::ordered_json message = {{"role", role}, {"content", text}};
    const nlohmann::ordered_json* om = keep_order ? &ordered["messages"][i] : nullptr;
    message.update(ToolMessageFields(m, om, where));
    r.messages.push_back(std::move(message));
  }
  std::optional<int64_t> max_tokens = f.Integer("max_completion_tokens", 1, kMaxTokensLimit);
  if (!max_tokens) max_tokens = f.Integer("max_tokens", 1, kMaxTokensLimit);
  r.max_tokens = max_tokens.value_or(-1);
  if (f.Bool("logprobs").value_or(false)) {
    r.top_logprobs = static_cast<int>(f.Integer("top_logprobs", 0, kMaxTopLogprobs).value_or(0));
  } else if (f.Get("top_logprobs")) {
    FailParam("top_logprobs", "'top_logprobs' needs 'logprobs': true");
  }
  return r;
}

GenerationRequest ParseCompletionRequest(const json& body) {
  GenerationRequest r = ParseCommon(body, Endpoint::kCompletion);
  JsonFields f(body);
  for (const char* name : {"tools", "tool_choice", "parallel_tool_calls"}) {
    if (f.Get(name)) FailParam(name, "'{}' belongs to /v1/chat/completions", name);
  }
  const json* prompt = f.Get("prompt");
  if (!prompt) FailParam("prompt", "'prompt' is required");
  json p = *prompt;
  // One prompt per request: ["text"] and [[ids]] are the batch forms of a single prompt.
  if (p.is_array() && p.size() == 1 && (p[0].is_string() || p[0].is_array())) p = json(p[0]);
  if (p.is_string()) {
    r.prompt_text = p.get<std::string>();
  } else if (p.is_array() && !p.empty()) {
    r.prompt_is_tokens = true;
    for (const json& t : p) {
      const std::optional<int64_t> id = AsInteger(t);
      if (!id) {
        FailParam("prompt",
                  "'prompt' must be a string, an array of token ids or one of those in an "
                  "array of one (densing answers one prompt per request)");
      }
      if (*id < 0 || *id > INT32_MAX) FailParam("prompt", "token id {} is out of range", *id);
      r.prompt_tokens.push_back(static_cast<int32_t>(*id));
    }
  } else {
    FailParam("prompt", "'prompt' must be a non-empty string or array of token ids, not {}",
              JsonTypeName(p));
  }
  r.max_tokens = f.Integer("max_tokens", 0, kMaxTokensLimit).value_or(16);  // OpenAI's default
  r.echo = f.Bool("echo").value_or(false);
  r.top_logprobs = static_cast<int>(f.Integer("logprobs", 0, kMaxTopLogprobs).value_or(-1));
  return r;
}

}  // namespace densing::server
