// A request's life in a slot: prompt, then one sampled token per step until it ends.
#include "server/slot.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "model/forward.h"
#include "generate/speculative.h"
#include "server/logprobs.h"

namespace densing::server {

Slot::Slot(const ModelConfig& config, int64_t n_ctx, KvTypes kv_types, const Tokenizer& tokenizer,
           Counters& counters)
    : tokenizer_(tokenizer), counters_(counters), kv_(config, n_ctx, kv_types) {
  for (int32_t id = 0; id < tokenizer.n_vocab(); ++id) {
    if (tokenizer.IsEndOfGeneration(id)) end_ids_.push_back(id);
  }
}

int64_t Slot::CommonPrefix(std::span<const int32_t> prompt) const {
  const size_t n = std::min(prompt.size(), cached_.size());
  size_t i = 0;
  while (i < n && prompt[i] == cached_[i]) ++i;
  return static_cast<int64_t>(i);
}

void Slot::Start(std::shared_ptr<Task> task, const Slot& from, int64_t reuse, uint64_t order) {
  DENSING_CHECK(!busy() && reuse >= 0 && reuse <= from.CommonPrefix(task->job().prompt));
  if (&from != this) {
    kv_.CopyPrefix(from.kv_, reuse);
    cached_.assign(from.cached_.begin(), from.cached_.begin() + reuse);
  } else {
    cached_.resize(static_cast<size_t>(reuse));
    kv_.Rewind(reuse);
  }
  task_ = std::move(task);
  ++counters_.busy_slots;
  counters_.cached_tokens += reuse;
  order_ = order;
  const Job& job = task_->job();
  n_cached_ = reuse;
  n_generated_ = 0;
  n_shifted_ = 0;
  n_exact_ = INT64_MAX;
  n_drafted_ = 0;
  n_accepted_ = 0;
  drafts_.clear();
  draft_dists_.clear();
  next_ = -1;
  sampler_.emplace(job.sampler, job.vocabulary);
  decoder_.emplace(tokenizer_);
  stop_ = StopMatcher(job.stop);
  prompt_logprobs_.clear();
  if (job.prompt_logprobs) {
    TokenLogprob first;
    first.id = job.prompt[0];
    first.known = false;
    prompt_logprobs_.push_back(first);
  }
}

int64_t Slot::prompt_left() const {
  if (!busy() || next_ >= 0) return 0;
  return static_cast<int64_t>(prompt().size()) - static_cast<int64_t>(cached_.size());
}

void Slot::RecordPromptLogprob(std::span<const float> logits, size_t i) {
  const Job& job = task_->job();
  prompt_logprobs_.push_back(ComputeLogprob(logits, job.prompt[i + 1], job.top_logprobs));
}

void Slot::Emit(std::string_view text, const TokenLogprob* logprob) { task_->Emit(text, logprob); }

std::span<const float> Slot::WithoutEndTokens(std::span<const float> logits) {
  if (!task_->job().ignore_eos) return logits;
  masked_.assign(logits.begin(), logits.end());
  for (int32_t e : end_ids_) {
    if (static_cast<size_t>(e) < masked_.size()) masked_[static_cast<size_t>(e)] = -INFINITY;
  }
  return masked_;
}

void Slot::Sample(std::span<const float> logits) {
  const Job& job = task_->job();
  task_->EmitLogprobs(std::move(prompt_logprobs_));  // the prompt is done
  prompt_logprobs_.clear();
  if (job.max_tokens == 0) {
    Finish(FinishReason::kLength);
    return;
  }
  logits = WithoutEndTokens(logits);
  int32_t id = Sampler::kNoToken;
  try {
    id = sampler_->Sample(logits, cached_);
  } catch (const Error& e) {  // the request's own grammar gave up (too ambiguous): only it ends
    Finish(FinishReason::kError, e.what());
    return;
  }
  Take(id, logits);
}

void Slot::Take(int32_t id, std::span<const float> logits) {
  const Job& job = task_->job();
  // The grammar allows nothing more (complete, with no end token left to it): the output is done.
  if (id == Sampler::kNoToken || tokenizer_.IsEndOfGeneration(id)) {
    if (id != Sampler::kNoToken && job.end_token_logprob && job.top_logprobs >= 0) {
      const TokenLogprob lp = ComputeLogprob(logits, id, job.top_logprobs);
      Emit("", &lp);
    }
    Finish(FinishReason::kStop);
    return;
  }
  ++n_generated_;
  ++counters_.generated_tokens;
  std::optional<TokenLogprob> lp;
  if (job.top_logprobs >= 0) lp = ComputeLogprob(logits, id, job.top_logprobs);
  Emit(stop_.Push(decoder_->Push(id)), lp ? &*lp : nullptr);
  if (stop_.stopped()) {
    Finish(FinishReason::kStop);
  } else if (job.max_tokens >= 0 && n_generated_ >= job.max_tokens) {
    Finish(FinishReason::kLength);
  } else if (static_cast<int64_t>(cached_.size()) >= kv_.n_ctx && !CanShift()) {
    Finish(FinishReason::kLength);  // no room to evaluate the token just sampled
  } else {
    next_ = id;
  }
}

bool Slot::CanDraft() const {
  return busy() && next_ >= 0 && !task_->job().sampler.grammar.grammar;
}

std::vector<int32_t> Slot::DraftContext() const {
  std::vector<int32_t> ctx(cached_);
  ctx.push_back(next_);
  return ctx;
}

int64_t Slot::DraftRoom(int64_t budget) const {
  const Job& job = task_->job();
  // next_ and the drafts take positions cached_.size() ... ; all must fit the cache.
  int64_t room = std::min(budget, kv_.n_ctx - static_cast<int64_t>(cached_.size()) - 1);
  if (job.max_tokens >= 0) room = std::min(room, job.max_tokens - n_generated_ - 1);
  // Rewinding over the drafts must stay within what a convolution layer's state keeps.
  room = std::min(room, KvCache::kConvWindow / 2);
  return std::max<int64_t>(room, 0);
}

void Slot::Propose(std::vector<int32_t> drafts, std::vector<std::vector<Sampler::Candidate>> dists) {
  drafts_ = std::move(drafts);
  draft_dists_ = std::move(dists);
}

void Slot::Verify(std::span<const float> rows, size_t n_vocab) {
  const size_t k = drafts_.size();
  DENSING_CHECK(rows.size() == (k + 1) * n_vocab && cached_.size() >= k + 1);
  n_drafted_ += static_cast<int64_t>(k);
  counters_.drafted_tokens += static_cast<int64_t>(k);
  // The cache holds next_ and every draft; cached_ is given them back one by one as they are
  // accepted, so each row's history (penalties) and the context checks see what decoding would.
  const size_t base = cached_.size() - k;
  cached_.resize(base);
  const bool greedy = task_->job().sampler.temperature <= 0;
  for (size_t i = 0; i <= k && busy(); ++i) {
    const std::span<const float> row = WithoutEndTokens(rows.subspan(i * n_vocab, n_vocab));
    int32_t id;
    bool accepted = false;
    if (i == k || greedy) {
      id = sampler_->Sample(row, cached_);
      accepted = i < k && id == drafts_[i];
    } else {
      const auto& p = sampler_->Distribution(row, cached_);
      const double u_accept = sampler_->Uniform(), u_resample = sampler_->Uniform();
      const std::span<const Sampler::Candidate> q =
          i < draft_dists_.size() ? std::span<const Sampler::Candidate>(draft_dists_[i])
                                  : std::span<const Sampler::Candidate>();
      const Verdict v = AcceptOrResample(p, q, drafts_[i], u_accept, u_resample);
      id = v.token;
      accepted = v.accepted;
    }
    if (accepted) {
      ++n_accepted_;
      ++counters_.accepted_tokens;
    }
    Take(id, row);
    if (!accepted || !busy()) break;
    cached_.push_back(id);  // evaluated already, as a draft
  }
  drafts_.clear();
  draft_dists_.clear();
  kv_.Rewind(static_cast<int64_t>(cached_.size()));
}

int64_t Slot::KeptByShift() const {
  return std::min(task_->job().n_keep, static_cast<int64_t>(cached_.size()));
}

bool Slot::CanShift() const {
  return task_->job().context_shift &&
         (static_cast<int64_t>(cached_.size()) - KeptByShift()) / 2 >= 1;
}

void Slot::ShiftContext(const Model& model) {
  DENSING_CHECK(busy() && CanShift());
  const int64_t n_past = static_cast<int64_t>(cached_.size());
  const int64_t n_keep = KeptByShift();
  const int64_t n_discard = (n_past - n_keep) / 2;
  ShiftCache(model, kv_, n_keep, n_discard, n_past);
  cached_.erase(cached_.begin() + n_keep, cached_.begin() + n_keep + n_discard);
  n_exact_ = std::min(n_exact_, n_keep);
  n_shifted_ += n_discard;
  ++counters_.context_shifts;
  counters_.shifted_tokens += n_discard;
}

void Slot::Finish(FinishReason reason, std::string error) {
  if (!busy()) return;
  if (reason == FinishReason::kStop || reason == FinishReason::kLength) {
    std::string rest = stop_.Push(decoder_->Flush());
    if (!stop_.stopped()) rest += stop_.Flush();
    Emit(rest, nullptr);
  }
  Outcome o;
  o.finish = reason;
  o.n_prompt = static_cast<int64_t>(prompt().size());
  o.n_cached = n_cached_;
  o.n_generated = n_generated_;
  o.n_shifted = n_shifted_;
  o.n_drafted = n_drafted_;
  o.n_accepted = n_accepted_;
  o.error = std::move(error);
  if (reason == FinishReason::kError) cached_.clear();  // the cache may be half written
  // After a shift the cache past the kept tokens differs from a fresh evaluation: not reused.
  if (static_cast<int64_t>(cached_.size()) > n_exact_) cached_.resize(static_cast<size_t>(n_exact_));
  --counters_.busy_slots;
  task_->Finish(std::move(o));
  task_.reset();
  next_ = -1;
  prompt_logprobs_.clear();
}

}  // namespace densing::server
