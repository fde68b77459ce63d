// The scheduler thread: admit, drop the cancelled, step, repeat.
#include "server/scheduler.h"

#include <algorithm>
#include <chrono>

#include "base/error.h"
#include "runtime/session.h"

namespace densing::server {
namespace {

// Logits rows beyond one per slot, for the prompt tokens of echo requests (their prompts then
// go through in chunks of about this many tokens) and for speculative drafts.
constexpr int64_t kPromptLogitRows = 64;
// The largest speculative step probed at start-up (ExactBatchTokens).
constexpr int64_t kMaxVerifyProbe = 64;

int64_t SlotContext(const Model& model, int64_t n_ctx) {
  if (n_ctx == 0) return DefaultContext(model.config());
  if (n_ctx < 8 || n_ctx > (int64_t{1} << 20)) Fail("context size {} is out of range", n_ctx);
  return n_ctx;
}

int64_t CheckedBatch(const SchedulerOptions& o, int64_t n_ctx) {
  if (o.n_slots < 1 || o.n_slots > 1024) Fail("--parallel must be in [1, 1024], not {}", o.n_slots);
  if (o.max_queue < 0) Fail("the queue size must be >= 0, not {}", o.max_queue);
  if (o.n_batch < o.n_slots) {
    Fail("the batch size ({}) must be at least the number of slots ({})", o.n_batch, o.n_slots);
  }
  return std::min(o.n_batch, std::max<int64_t>(n_ctx, o.n_slots));
}

}  // namespace

Scheduler::Scheduler(const Model& model, const Tokenizer& tokenizer,
                     const SchedulerOptions& options)
    : model_(model),
      tokenizer_(tokenizer),
      options_(options),
      n_ctx_(SlotContext(model, options.n_ctx)),
      n_vocab_(model.weights().output.ne[1]),
      pool_(options.n_threads),
      act_(model, CheckedBatch(options, n_ctx_), n_ctx_) {
  max_rows_ = std::min<int64_t>(act_.n_batch, options.n_slots + kPromptLogitRows);
  for (int i = 0; i < options.n_slots; ++i) {
    slots_.push_back(std::make_unique<Slot>(model.config(), n_ctx_, options.kv_types, tokenizer, counters_));
  }
  batch_.reserve(static_cast<size_t>(act_.n_batch));
  batch_slots_.reserve(static_cast<size_t>(act_.n_batch));
  logits_.resize(static_cast<size_t>(max_rows_ * n_vocab_));
  SetUpSpeculation();
}

void Scheduler::SetUpSpeculation() {
  SpeculativeParams& sp = options_.speculative;
  sp.draft = nullptr;
  ValidateSpeculativeParams(sp);
  if (sp.lookup > 0 && options_.draft_model) Fail("--lookup and --draft-model cannot be used together");
  if (sp.lookup == 0 && !options_.draft_model) return;
  if (options_.draft_model) {
    DENSING_CHECK(options_.draft_tokenizer != nullptr);
    CheckDraftModel(model_, tokenizer_, *options_.draft_model, *options_.draft_tokenizer, n_ctx_);
    draft_.emplace(*options_.draft_model, options_.n_slots, n_ctx_, act_.n_batch, options_.kv_types);
  }
  // Every slot's token and drafts share one step: probe the batch sizes whose logits are
  // decoding's, up to what a step can hold.
  const int64_t per_slot = std::min<int64_t>(draft_ ? sp.draft_max : sp.lookup, KvCache::kConvWindow / 2);
  const int64_t most = std::min({max_rows_, act_.n_batch, options_.n_slots * (per_slot + 1), kMaxVerifyProbe});
  verify_tokens_ = ExactBatchTokens(model_, pool_, static_cast<int32_t>(most));
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  for (auto& task : queue_) task->Finish({.finish = FinishReason::kCancelled});
  queue_.clear();
  for (auto& slot : slots_) slot->Finish(FinishReason::kCancelled);
}

std::shared_ptr<Task> Scheduler::Submit(Job job) {
  DENSING_CHECK(!job.prompt.empty() && static_cast<int64_t>(job.prompt.size()) <= n_ctx_);
  auto task = std::make_shared<Task>(std::move(job));
  {
    std::lock_guard lock(mu_);
    std::erase_if(queue_, [](const auto& t) {
      if (t->cancelled()) t->Finish({.finish = FinishReason::kCancelled});
      return t->cancelled();
    });
    if (stop_ || static_cast<int64_t>(queue_.size()) >=
                     options_.max_queue + n_slots() - counters_.busy_slots) {
      return nullptr;
    }
    queue_.push_back(task);
  }
  wake_.notify_all();
  return task;
}

SchedulerStats Scheduler::stats() const {
  SchedulerStats s;
  {
    std::lock_guard lock(mu_);
    s.queued = static_cast<int64_t>(queue_.size());
  }
  s.busy_slots = counters_.busy_slots;
  s.prompt_tokens = counters_.prompt_tokens;
  s.cached_tokens = counters_.cached_tokens;
  s.generated_tokens = counters_.generated_tokens;
  s.steps = counters_.steps;
  s.context_shifts = counters_.context_shifts;
  s.shifted_tokens = counters_.shifted_tokens;
  s.drafted_tokens = counters_.drafted_tokens;
  s.accepted_tokens = counters_.accepted_tokens;
  s.busy_seconds = static_cast<double>(counters_.busy_micros.load()) * 1e-6;
  return s;
}

}  // namespace densing::server
