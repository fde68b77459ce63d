// The hand-over between the scheduler thread and an HTTP thread.
#include "server/task.h"

namespace densing::server {

const char* FinishReasonName(FinishReason r) {
  switch (r) {
    case FinishReason::kStop:
      return "stop";
    case FinishReason::kLength:
      return "length";
    case FinishReason::kCancelled:
      return "cancelled";
    case FinishReason::kError:
      return "error";
  }
  return "?";
}

bool Task::Wait(Progress& out, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  const auto news = [&] { return done_ || !text_.empty() || !logprobs_.empty(); };
  if (!cv_.wait_for(lock, timeout, news)) return false;
  out.text += text_;
  text_.clear();
  for (TokenLogprob& lp : logprobs_) out.logprobs.push_back(std::move(lp));
  logprobs_.clear();
  out.done = done_;
  return true;
}

void Task::Emit(std::string_view text, const TokenLogprob* logprob) {
  if (text.empty() && !logprob) return;
  {
    std::lock_guard lock(mu_);
    text_.append(text);
    if (logprob) logprobs_.push_back(*logprob);
  }
  cv_.notify_all();
}

void Task::EmitLogprobs(std::vector<TokenLogprob> logprobs) {
  if (logprobs.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (TokenLogprob& lp : logprobs) logprobs_.push_back(std::move(lp));
  }
  cv_.notify_all();
}

void Task::Finish(Outcome outcome) {
  {
    std::lock_guard lock(mu_);
    if (done_) return;
    outcome_ = std::move(outcome);
    done_ = true;
  }
  cv_.notify_all();
}

}  // namespace densing::server
