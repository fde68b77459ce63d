// OpenAI response objects.
#include "server/responses.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <random>

namespace densing::server {

using nlohmann::json;

namespace {

json Bytes(const std::string& s) {
  json out = json::array();
  for (unsigned char c : s) out.push_back(c);
  return out;
}

json Nullable(const char* s) { return s ? json(s) : json(nullptr); }

const char* ObjectName(Endpoint e, bool chunk) {
  if (e == Endpoint::kChat) return chunk ? "chat.completion.chunk" : "chat.completion";
  return "text_completion";
}

}  // namespace

ResponseMeta NewResponseMeta(Endpoint endpoint, const std::string& model) {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng(std::random_device{}());
  ResponseMeta m;
  m.id = fmt::format("{}-{:016x}{:08x}", endpoint == Endpoint::kChat ? "chatcmpl" : "cmpl", rng(),
                     static_cast<uint32_t>(counter++));
  m.created = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  m.model = model;
  return m;
}

json UsageJson(const Outcome& o) {
  return {{"prompt_tokens", o.n_prompt},
          {"completion_tokens", o.n_generated},
          {"total_tokens", o.n_prompt + o.n_generated},
          {"prompt_tokens_details", {{"cached_tokens", o.n_cached}}},
          // OpenAI's fields for predicted outputs: speculative drafts kept and dropped.
          {"completion_tokens_details",
           {{"accepted_prediction_tokens", o.n_accepted},
            {"rejected_prediction_tokens", o.n_drafted - o.n_accepted}}}};
}

json ChatLogprobs(const Tokenizer& t, std::span<const TokenLogprob> tokens) {
  json content = json::array();
  for (const TokenLogprob& lp : tokens) {
    json top = json::array();
    for (const auto& [id, logprob] : lp.top) {
      const std::string piece = t.TokenToPiece(id);
      top.push_back({{"token", piece}, {"logprob", logprob}, {"bytes", Bytes(piece)}});
    }
    const std::string piece = t.TokenToPiece(lp.id);
    content.push_back({{"token", piece},
                       {"logprob", lp.logprob},
                       {"bytes", Bytes(piece)},
                       {"top_logprobs", top}});
  }
  return {{"content", content}, {"refusal", nullptr}};
}

json CompletionLogprobs(const Tokenizer& t, std::span<const TokenLogprob> tokens, int64_t& offset) {
  json out = {{"tokens", json::array()},
              {"token_logprobs", json::array()},
              {"top_logprobs", json::array()},
              {"text_offset", json::array()}};
  for (const TokenLogprob& lp : tokens) {
    out["tokens"].push_back(t.TokenToPiece(lp.id));
    out["text_offset"].push_back(offset);
    offset += static_cast<int64_t>(t.TokenToPiece(lp.id, /*render_special=*/false).size());
    if (!lp.known) {
      out["token_logprobs"].push_back(nullptr);
      out["top_logprobs"].push_back(nullptr);
      continue;
    }
    out["token_logprobs"].push_back(lp.logprob);
    json top = json::object();
    for (const auto& [id, logprob] : lp.top) {
      const std::string piece = t.TokenToPiece(id);
      if (!top.contains(piece)) top[piece] = logprob;  // best first: keep the best of equals
    }
    out["top_logprobs"].push_back(top);
  }
  return out;
}

namespace {

// The fields every response and chunk of an endpoint shares, around its choices.
json Envelope(const ResponseMeta& m, Endpoint endpoint, bool chunk, json choices) {
  return {{"id", m.id},
          {"object", ObjectName(endpoint, chunk)},
          {"created", m.created},
          {"model", m.model},
          {"system_fingerprint", "densing"},
          {"choices", std::move(choices)}};
}

}  // namespace

json ChatCompletion(const ResponseMeta& m, const std::string& text, const Outcome& o,
                    json logprobs) {
  json choice = {{"index", 0},
                 {"message", {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}}},
                 {"logprobs", std::move(logprobs)},
                 {"finish_reason", FinishReasonName(o.finish)}};
  json response = Envelope(m, Endpoint::kChat, false, json::array({choice}));
  response["usage"] = UsageJson(o);
  return response;
}

json TextCompletion(const ResponseMeta& m, const std::string& text, const Outcome& o,
                    json logprobs) {
  json choice = {{"text", text},
                 {"index", 0},
                 {"logprobs", std::move(logprobs)},
                 {"finish_reason", FinishReasonName(o.finish)}};
  json response = Envelope(m, Endpoint::kCompletion, false, json::array({choice}));
  response["usage"] = UsageJson(o);
  return response;
}

json ChatChunk(const ResponseMeta& m, json delta, json logprobs, const char* finish_reason,
               bool include_usage) {
  json choice = {{"index", 0},
                 {"delta", std::move(delta)},
                 {"logprobs", std::move(logprobs)},
                 {"finish_reason", Nullable(finish_reason)}};
  json chunk = Envelope(m, Endpoint::kChat, true, json::array({choice}));
  if (include_usage) chunk["usage"] = nullptr;
  return chunk;
}

json TextChunk(const ResponseMeta& m, const std::string& text, json logprobs,
               const char* finish_reason, bool include_usage) {
  json choice = {{"text", text},
                 {"index", 0},
                 {"logprobs", std::move(logprobs)},
                 {"finish_reason", Nullable(finish_reason)}};
  json chunk = Envelope(m, Endpoint::kCompletion, true, json::array({choice}));
  if (include_usage) chunk["usage"] = nullptr;
  return chunk;
}

json UsageChunk(const ResponseMeta& m, Endpoint endpoint, const Outcome& o) {
  json chunk = Envelope(m, endpoint, true, json::array());
  chunk["usage"] = UsageJson(o);
  return chunk;
}

}  // namespace densing::server
