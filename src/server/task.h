// Task: one request inside the scheduler — the job it asks for and the channel that carries its
// text back to the HTTP thread that waits on it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sampling/sampler.h"

namespace densing::server {

// A token with its log-probability under the model (log-softmax of the raw logits, before any
// penalty or temperature) and the most likely tokens at its place, best first.
struct TokenLogprob {
  int32_t id = -1;
  float logprob = 0;
  bool known = true;  // false for a prompt's first token: nothing predicts it
  std::vector<std::pair<int32_t, float>> top;
};

struct Job {
  std::vector<int32_t> prompt;  // not empty, at most the context
  int64_t max_tokens = -1;      // -1: until end of generation or a full context
  SamplerParams sampler;
  // The token trie sampler.grammar masks with (ServedModel::vocabulary()); set when it has one.
  std::shared_ptr<const grammar::Vocabulary> vocabulary;
  std::vector<std::string> stop;
  int top_logprobs = -1;         // >= 0: logprobs of generated tokens with this many alternatives
  bool prompt_logprobs = false;  // the logprob of every prompt token too (echo)
  bool ignore_eos = false;       // never sample an end-of-generation token
  // The sampled end-of-generation token's logprob is listed too, as OpenAI's /v1/completions
  // lists "<|endoftext|>": clients that score a prompt with max_tokens 1 and echo (such as
  // lm-evaluation-harness) drop the last entry as the generated one.
  bool end_token_logprob = false;
  // A full context shifts (the cache keeps its first n_keep tokens and the newer half of the
  // rest, as llama.cpp's --context-shift does) instead of finishing for length.
  bool context_shift = false;
  int64_t n_keep = 0;
};

enum class FinishReason : uint8_t { kStop, kLength, kCancelled, kError };
const char* FinishReasonName(FinishReason r);  // OpenAI's "stop", "length", ...

struct Outcome {
  FinishReason finish = FinishReason::kLength;
  int64_t n_prompt = 0;     // prompt tokens, including the reused ones
  int64_t n_cached = 0;     // prompt tokens whose keys and values were reused
  int64_t n_generated = 0;  // sampled tokens, the end-of-generation token not counted
  int64_t n_shifted = 0;    // tokens dropped from the context by shifts
  int64_t n_drafted = 0;    // tokens proposed by speculative decoding
  int64_t n_accepted = 0;   // of those, kept
  std::string error;        // for kError
};

// What the waiting side takes: the text and logprobs that came since the last take. Logprobs
// come in token order: the prompt's first (when the job asked), then the generated tokens'.
struct Progress {
  std::string text;
  std::vector<TokenLogprob> logprobs;
  bool done = false;
};

class Task {
 public:
  explicit Task(Job job) : job_(std::move(job)) {}

  const Job& job() const { return job_; }

  // Waits up to `timeout` for news and appends it to `out`; sets out.done once finished.
  // Returns whether anything new came (or the task is done).
  bool Wait(Progress& out, std::chrono::milliseconds timeout);
  // Valid once Wait has reported done.
  const Outcome& outcome() const { return outcome_; }
  // The client is gone: the scheduler frees the slot at its next step.
  void Cancel() { cancelled_.store(true); }
  bool cancelled() const { return cancelled_.load(); }

  // Scheduler side.
  void Emit(std::string_view text, const TokenLogprob* logprob);
  void EmitLogprobs(std::vector<TokenLogprob> logprobs);
  void Finish(Outcome outcome);

 private:
  const Job job_;
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::string text_;
  std::vector<TokenLogprob> logprobs_;
  bool done_ = false;
  Outcome outcome_;
};

}  // namespace densing::server
