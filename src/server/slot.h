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
  // Ends the request (the cache stays for reuse; after an error it is forgotten).
  void Finish(FinishReason reason, std::string error = {});

 private:
  void Emit(std::string_view text, const TokenLogprob* logprob);
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
};

}  // namespace densing::server
