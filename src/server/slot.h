// Slot: one sequence of the scheduler — its KV cache, the tokens the cache holds (kept after a
// request ends, so the next one can reuse a shared prefix) and the state of the request it serves.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/state.h"
#include "sampling/sampler.h"
#include "server/stop_matcher.h"
#include "server/task.h"
#include "tokenizer/tokenizer.h"

namespace densing::server {

// What the scheduler counts for /metrics. Slots update them before they tell the waiting client,
// so a client that got its answer sees them up to date.
struct Counters {
  std::atomic<int64_t> busy_slots{0};
  std::atomic<int64_t> prompt_tokens{0};
  std::atomic<int64_t> cached_tokens{0};
  std::atomic<int64_t> generated_tokens{0};
  std::atomic<int64_t> steps{0};
  std::atomic<int64_t> busy_micros{0};
  std::atomic<int64_t> context_shifts{0};
  std::atomic<int64_t> shifted_tokens{0};
  std::atomic<int64_t> drafted_tokens{0};   // proposed by speculation
  std::atomic<int64_t> accepted_tokens{0};  // of those, kept
};

class Slot {
 public:
  // `counters` must outlive the slot.
  Slot(const ModelConfig& config, int64_t n_ctx, KvTypes kv_types, const Tokenizer& tokenizer,
       Counters& counters);

  bool busy() const { return task_ != nullptr; }
  Task& task() { return *task_; }
  KvCache& kv() { return kv_; }
  const KvCache& kv() const { return kv_; }
  int64_t n_ctx() const { return kv_.n_ctx; }
  // Tokens whose keys and values the cache holds, at positions 0, 1, ...
  const std::vector<int32_t>& cached() const { return cached_; }
  uint64_t order() const { return order_; }  // when it was last given a request

  // How many leading tokens of `prompt` the cache already holds.
  int64_t CommonPrefix(std::span<const int32_t> prompt) const;

  // Starts `task` keeping the first `reuse` cached tokens of `from` (this slot or another one,
  // whose keys and values are then copied). `order` ranks requests for prompt processing.
  void Start(std::shared_ptr<Task> task, const Slot& from, int64_t reuse, uint64_t order);

  // What the next step should evaluate: prompt tokens, or the last sampled token.
  int64_t prompt_left() const;
  const std::vector<int32_t>& prompt() const { return task_->job().prompt; }
  int32_t next_token() const { return next_; }

  // The cache is full and the next token waits: drop the older half of what follows the job's
  // first n_keep tokens (Job::context_shift), moving the rest down.
  void ShiftContext(const Model& model);

  // A token of this slot went through the model at position cached().size().
  void Commit(int32_t token) { cached_.push_back(token); }
  // Logits after prompt token i (i + 1 < prompt size): the logprob of prompt token i + 1.
  void RecordPromptLogprob(std::span<const float> logits, size_t i);
  // Logits after the last evaluated token: samples the next one, streams its text and finishes
  // the request when it ends.
  void Sample(std::span<const float> logits);

  // Speculative decoding (docs/speculative.md). Whether this request may speculate: not under a
  // grammar, which the sampler advances token by token.
  bool CanDraft() const;
  // The context a draft continues: the cached tokens, then next_token().
  std::vector<int32_t> DraftContext() const;
  // Most drafts worth checking this step: within `budget`, the context, the request's
  // max_tokens, and what a convolution layer's state can be rewound over.
  int64_t DraftRoom(int64_t budget) const;
  // Tokens proposed to follow next_token() this step, and for each the distribution it was
  // drawn from (empty rows, or none: a point mass, as prompt lookup's).
  void Propose(std::vector<int32_t> drafts, std::vector<std::vector<Sampler::Candidate>> dists = {});
  const std::vector<int32_t>& drafts() const { return drafts_; }
  // `rows`: the logits after next_token() and after each draft, all evaluated (and committed)
  // this step. Keeps the drafts the target agrees with (at temperature 0, those it would have
  // picked; else by speculative sampling), samples one token of its own after them, and rewinds
  // the cache past the rejected ones.
  void Verify(std::span<const float> rows, size_t n_vocab);
  // Ends the request (the cache stays for reuse; after an error it is forgotten).
  void Finish(FinishReason reason, std::string error = {});

 private:
  void Emit(std::string_view text, const TokenLogprob* logprob);
  std::span<const float> WithoutEndTokens(std::span<const float> logits);
  // A chosen token: counted, streamed, checked against stop strings and limits; it becomes
  // next_token() unless the request ends with it.
  void Take(int32_t id, std::span<const float> logits);
  int64_t KeptByShift() const;
  bool CanShift() const;

  const Tokenizer& tokenizer_;
  Counters& counters_;
  KvCache kv_;
  std::vector<int32_t> cached_;
  uint64_t order_ = 0;

  std::shared_ptr<Task> task_;
  int64_t n_cached_ = 0;  // prompt tokens reused
  int64_t n_generated_ = 0;
  int64_t n_shifted_ = 0;
  int64_t n_exact_ = INT64_MAX;  // cached tokens a fresh evaluation would give (fewer after a shift)
  int32_t next_ = -1;
  std::optional<Sampler> sampler_;
  std::optional<StreamDecoder> decoder_;
  StopMatcher stop_;
  std::vector<TokenLogprob> prompt_logprobs_;
  std::vector<int32_t> end_ids_;  // the end-of-generation tokens, for ignore_eos
  std::vector<float> masked_;     // logits with those tokens taken out
  std::vector<int32_t> drafts_;
  std::vector<std::vector<Sampler::Candidate>> draft_dists_;
  int64_t n_drafted_ = 0;
  int64_t n_accepted_ = 0;
};

}  // namespace densing::server
