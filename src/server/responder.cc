// Turning a task's progress into bytes on the wire.
#include "server/responder.h"

#include "server/api_error.h"

namespace densing::server {

using nlohmann::json;

namespace {

std::string Event(const json& j) { return "data: " + Dump(j) + "\n\n"; }

json OutcomeError(const Outcome& o) {
  const std::string message = o.finish == FinishReason::kError
                                  ? "generation failed: " + o.error
                                  : std::string("the server is shutting down");
  return ApiError(500, message, "server_error", "", "").Body();
}

}  // namespace

Responder::Responder(const Tokenizer& tokenizer, std::shared_ptr<Task> task, ResponderSetup setup)
    : tokenizer_(tokenizer),
      task_(std::move(task)),
      setup_(std::move(setup)),
      last_write_(std::chrono::steady_clock::now()) {
  if (setup_.tools.enabled) {
    tool_stream_.emplace(setup_.tools.family, setup_.tools.names, setup_.tools.parallel);
  }
}

std::string Responder::ToolEvents(ToolCallStream::Update update, json logprobs) {
  std::string out;
  if (!update.content.empty() || !logprobs.is_null()) {
    out += Event(Chunk(update.content, std::move(logprobs), nullptr));
  }
  const size_t first = tool_stream_->n_calls() - update.calls.size();
  for (json& delta : ToolCallDeltas(update.calls, first)) {
    out += Event(ChatChunk(setup_.meta, std::move(delta), nullptr, nullptr, setup_.include_usage));
  }
  return out;
}

json Responder::LogprobsJson(std::span<const TokenLogprob> tokens) {
  if (!setup_.logprobs) return nullptr;
  if (setup_.endpoint == Endpoint::kChat) {
    n_logprobs_ += tokens.size();
    return ChatLogprobs(tokenizer_, tokens);
  }
  // Prompt tokens are placed in the echoed text, generated ones after it.
  json out;
  const size_t n_prompt = n_logprobs_ < setup_.n_prompt_logprobs
                              ? std::min(tokens.size(), setup_.n_prompt_logprobs - n_logprobs_)
                              : 0;
  out = CompletionLogprobs(tokenizer_, tokens.first(n_prompt), text_offset_);
  if (n_prompt < tokens.size()) {
    if (n_logprobs_ + n_prompt == setup_.n_prompt_logprobs) {
      text_offset_ = static_cast<int64_t>(setup_.echo.size());
    }
    json rest = CompletionLogprobs(tokenizer_, tokens.subspan(n_prompt), text_offset_);
    for (const char* key : {"tokens", "token_logprobs", "top_logprobs", "text_offset"}) {
      for (json& v : rest[key]) out[key].push_back(std::move(v));
    }
  }
  n_logprobs_ += tokens.size();
  return out;
}

json Responder::Chunk(const std::string& text, json logprobs, const char* finish) {
  if (setup_.endpoint == Endpoint::kCompletion) {
    return TextChunk(setup_.meta, text, std::move(logprobs), finish, setup_.include_usage);
  }
  json delta = json::object();
  if (!text.empty()) delta["content"] = text;
  return ChatChunk(setup_.meta, std::move(delta), std::move(logprobs), finish,
                   setup_.include_usage);
}

bool Responder::Pump(const Writer& write, std::chrono::milliseconds wait) {
  if (done_) return true;
  if (setup_.stream && !started_) {
    started_ = true;
    json first;
    if (setup_.endpoint == Endpoint::kChat) {
      first = ChatChunk(setup_.meta, {{"role", "assistant"}, {"content", ""}}, nullptr, nullptr,
                        setup_.include_usage);
    } else {
      first = TextChunk(setup_.meta, setup_.echo, nullptr, nullptr, setup_.include_usage);
    }
    if (!write(Event(first))) return false;
  }
  if (!setup_.stream) {
    task_->Wait(all_, wait);
    if (all_.done) return WriteWhole(write);
    // Nothing is sent until the end, so probe the connection now and then; JSON allows
    // leading whitespace.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_write_ < wait) return true;
    last_write_ = now;
    return write(" ");
  }
  Progress news;
  if (!task_->Wait(news, wait)) return write(": keep-alive\n\n");
  return PumpStream(write, news);
}

bool Responder::PumpStream(const Writer& write, Progress& news) {
  if (tool_stream_) {
    // Text that may belong to a call is held back; calls go out as tool-call deltas.
    json logprobs = news.logprobs.empty() ? json(nullptr) : LogprobsJson(news.logprobs);
    std::string events = ToolEvents(tool_stream_->Push(news.text), std::move(logprobs));
    if (news.done) events += ToolEvents(tool_stream_->Finish(), nullptr);
    if (!events.empty() && !write(events)) return false;
  } else if (!news.text.empty() || !news.logprobs.empty()) {
    json logprobs = news.logprobs.empty() ? json(nullptr) : LogprobsJson(news.logprobs);
    if (!write(Event(Chunk(news.text, std::move(logprobs), nullptr)))) return false;
  }
  if (!news.done) return true;
  done_ = true;
  const Outcome& o = task_->outcome();
  std::string tail;
  if (o.finish == FinishReason::kStop || o.finish == FinishReason::kLength) {
    const bool calls = tool_stream_ && tool_stream_->n_calls() > 0;
    const char* finish =
        calls && o.finish == FinishReason::kStop ? "tool_calls" : FinishReasonName(o.finish);
    tail += Event(Chunk("", nullptr, finish));
    if (setup_.include_usage) tail += Event(UsageChunk(setup_.meta, setup_.endpoint, o));
  } else {
    tail += Event(OutcomeError(o));
  }
  tail += "data: [DONE]\n\n";
  return write(tail);
}

bool Responder::WriteWhole(const Writer& write) {
  done_ = true;
  const Outcome& o = task_->outcome();
  if (o.finish != FinishReason::kStop && o.finish != FinishReason::kLength) {
    return write(Dump(OutcomeError(o)));
  }
  json logprobs = LogprobsJson(all_.logprobs);
  if (setup_.endpoint == Endpoint::kChat) {
    if (!tool_stream_) {
      return write(Dump(ChatCompletion(setup_.meta, all_.text, o, std::move(logprobs))));
    }
    ToolCallStream::Update head = tool_stream_->Push(all_.text);
    ToolCallStream::Update tail = tool_stream_->Finish();
    std::string content = head.content + tail.content;
    for (ToolCall& c : tail.calls) head.calls.push_back(std::move(c));
    json completion = ChatCompletion(setup_.meta, content, o, std::move(logprobs));
    AddToolCalls(completion, head.calls, o.finish == FinishReason::kStop);
    return write(Dump(completion));
  }
  return write(Dump(TextCompletion(setup_.meta, setup_.echo + all_.text, o, std::move(logprobs))));
}

}  // namespace densing::server
