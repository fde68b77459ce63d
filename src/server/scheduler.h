// Scheduler: continuous batching. N slots decode together in one forward step; a new request
// joins the running batch as soon as a slot is free, its prompt fed in chunks beside the running
// streams; a slot reuses the longest cached prefix of its prompt, its own or another slot's. All
// model compute runs on the scheduler's one thread; HTTP threads only submit and wait.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "generate/speculative.h"
#include "model/forward.h"
#include "model/model.h"
#include "server/draft_runner.h"
#include "server/slot.h"
#include "server/task.h"
#include "threading/thread_pool.h"
#include "tokenizer/tokenizer.h"

namespace densing::server {

struct SchedulerOptions {
  int n_slots = 4;        // requests decoded together (--parallel)
  int64_t n_ctx = 0;      // per slot; 0: the model's, at most 4096
  int64_t n_batch = 512;  // most tokens per forward step
  int max_queue = 64;     // requests waiting for a slot; more are refused
  int n_threads = 0;      // 0: all cores
  KvTypes kv_types;       // what each slot's KV cache stores
  bool context_shift = true;  // a full slot shifts its context (Job::context_shift) by default
  // Speculative decoding (docs/speculative.md): prompt lookup (speculative.lookup > 0) or a draft
  // model (draft_model, with speculative.draft_max/draft_min/draft_p_min; speculative.draft is
  // unused here). The draft model and its tokenizer must outlive the scheduler.
  SpeculativeParams speculative;
  const Model* draft_model = nullptr;
  const Tokenizer* draft_tokenizer = nullptr;
};

// Counters for /metrics, read while the scheduler runs.
struct SchedulerStats {
  int64_t queued = 0;
  int64_t busy_slots = 0;
  int64_t prompt_tokens = 0;  // evaluated for prompts
  int64_t cached_tokens = 0;  // prompt tokens reused from a cache instead
  int64_t generated_tokens = 0;
  int64_t steps = 0;
  double busy_seconds = 0;  // spent in forward steps and sampling
  int64_t context_shifts = 0;
  int64_t shifted_tokens = 0;  // dropped from contexts by shifts
  int64_t drafted_tokens = 0;  // proposed by speculative decoding
  int64_t accepted_tokens = 0;  // of those, kept
};

class Scheduler {
 public:
  // The model and tokenizer must outlive the scheduler. Throws Error for impossible options.
  Scheduler(const Model& model, const Tokenizer& tokenizer, const SchedulerOptions& options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts the scheduler thread (tests may submit first to fill the queue).
  void Start();
  // Cancels every request and joins the thread.
  void Stop();

  // Queues a job (its prompt fits the context: the caller checks). nullptr when the queue is full.
  std::shared_ptr<Task> Submit(Job job);

  int64_t n_ctx() const { return n_ctx_; }
  bool speculating() const { return options_.speculative.lookup > 0 || draft_.has_value(); }
  // Most tokens (decoding slots' and drafts together) a speculative step evaluates: the largest
  // batch whose logits equal decoding's (ExactBatchTokens).
  int64_t verify_tokens() const { return verify_tokens_; }
  int n_slots() const { return static_cast<int>(slots_.size()); }
  int max_queue() const { return options_.max_queue; }
  bool context_shift() const { return options_.context_shift; }
  SchedulerStats stats() const;

 private:
  void SetUpSpeculation();  // checks the options, loads nothing, probes verify_tokens_
  void Loop();
  void Admit();          // queue → free slots (holding mu_)
  void DropCancelled();  // frees the slots of clients that went away
  void Step();           // one forward step over every busy slot
  // Drafts for the decoding slots (none while a prompt is in the step): within verify_tokens_.
  void ProposeDrafts();

  const Model& model_;
  const Tokenizer& tokenizer_;
  SchedulerOptions options_;
  int64_t n_ctx_;
  int64_t n_vocab_;
  int64_t max_rows_;  // logits rows one step can return

  Counters counters_;
  ThreadPool pool_;
  Activations act_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<BatchToken> batch_;
  std::vector<Slot*> batch_slots_;  // whose token each batch entry is
  std::vector<float> logits_;
  uint64_t next_order_ = 0;
  std::optional<DraftRunner> draft_;
  int64_t verify_tokens_ = 1;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Task>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace densing::server
