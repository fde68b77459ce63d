// The draft model's side of speculative serving: catch each slot's draft cache up with its
// context, then draft one token per slot per batched pass.
#include "server/draft_runner.h"

#include <algorithm>

#include "base/error.h"
#include "server/slot.h"

namespace densing::server {

DraftRunner::DraftRunner(const Model& draft, int n_slots, int64_t n_ctx, int64_t n_batch, KvTypes kv_types)
    : model_(draft),
      n_vocab_(static_cast<size_t>(draft.weights().output.ne[1])),
      act_(draft, std::max<int64_t>(n_batch, n_slots), n_ctx) {
  for (int i = 0; i < n_slots; ++i) slots_.push_back({KvCache(draft.config(), n_ctx, kv_types), {}, {}, nullptr, {}});
  logits_.resize(static_cast<size_t>(n_slots) * n_vocab_);
}

void DraftRunner::Run(std::vector<BatchToken>& batch, const std::vector<int>& owner, ThreadPool& pool,
                      MatMulKernel kernel) {
  if (batch.empty()) return;
  act_.kernel = kernel;
  for (size_t i = 0; i < batch.size(); ++i) batch[i].logits = i + 1 == batch.size() || owner[i + 1] != owner[i];
  ForwardBatch(model_, batch, act_, pool, logits_.data());
  size_t row = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    PerSlot& s = slots_[static_cast<size_t>(owner[i])];
    s.cached.push_back(batch[i].token);
    if (!batch[i].logits) continue;
    const float* l = logits_.data() + row++ * n_vocab_;
    s.logits.assign(l, l + n_vocab_);
  }
  batch.clear();
}

void DraftRunner::Propose(std::span<Slot* const> slots, std::span<const int> index,
                          std::span<const int64_t> room, const SpeculativeParams& params, ThreadPool& pool) {
  std::vector<BatchToken> batch;
  std::vector<int> owner;
  // Catch up: each draft cache holds the slot's context but its last token, which is evaluated
  // below with the rest, in passes of at most n_batch tokens. What a step adds (accepted drafts
  // and the target's token) goes through the decode kernels, as it did in the target; prompts
  // through the prompt kernels.
  std::vector<std::vector<int32_t>> ctx(slots.size());
  MatMulKernel catch_up = MatMulKernel::kDecode;
  for (size_t i = 0; i < slots.size(); ++i) {
    PerSlot& s = slots_[static_cast<size_t>(index[i])];
    ctx[i] = slots[i]->DraftContext();
    size_t common = 0;
    while (common < s.cached.size() && common + 1 < ctx[i].size() && s.cached[common] == ctx[i][common]) ++common;
    if (!s.kv.Restorable(static_cast<int64_t>(common))) common = 0;
    s.kv.Rewind(static_cast<int64_t>(common));
    s.cached.resize(common);
    if (s.task != &slots[i]->task()) {
      SamplerParams sp = slots[i]->task().job().sampler;
      sp.seed ^= 0x9e3779b97f4a7c15ULL;  // its own stream, still seeded
      sp.grammar = {};
      s.sampler.emplace(sp);
      s.task = &slots[i]->task();
    }
    if (static_cast<int64_t>(ctx[i].size() - common) > params.draft_max + 1) catch_up = MatMulKernel::kBest;
    for (size_t p = common; p < ctx[i].size(); ++p) {
      batch.push_back({ctx[i][p], static_cast<int64_t>(p), &s.kv, false});
      owner.push_back(index[i]);
      if (static_cast<int64_t>(batch.size()) == act_.n_batch) {
        // A pass may end inside a slot's tokens: only its last token's logits matter.
        Run(batch, owner, pool, catch_up);
        owner.clear();
      }
    }
  }
  Run(batch, owner, pool, catch_up);
  owner.clear();

  std::vector<std::vector<int32_t>> drafts(slots.size());
  std::vector<std::vector<std::vector<Sampler::Candidate>>> dists(slots.size());
  std::vector<bool> active(slots.size(), true);
  for (int64_t step = 0;; ++step) {
    for (size_t i = 0; i < slots.size(); ++i) {
      if (!active[i]) continue;
      PerSlot& s = slots_[static_cast<size_t>(index[i])];
      if (step >= room[i] || TopProbability(s.logits) < params.draft_p_min) {
        active[i] = false;
        continue;
      }
      int32_t tok;
      if (slots[i]->task().job().sampler.temperature <= 0) {
        tok = s.sampler->Sample(s.logits, s.cached);
      } else {
        const auto& q = s.sampler->Distribution(s.logits, s.cached);
        tok = DrawFrom(q, s.sampler->Uniform());
        dists[i].emplace_back(q.begin(), q.end());
      }
      drafts[i].push_back(tok);
      if (step + 1 < room[i]) {
        batch.push_back({tok, static_cast<int64_t>(s.cached.size()), &s.kv, true});
        owner.push_back(index[i]);
      } else {
        active[i] = false;
      }
    }
    if (batch.empty()) break;
    Run(batch, owner, pool, MatMulKernel::kDecode);
    owner.clear();
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    if (static_cast<int32_t>(drafts[i].size()) < params.draft_min) {
      drafts[i].clear();
      dists[i].clear();
    }
    slots[i]->Propose(std::move(drafts[i]), std::move(dists[i]));
  }
}

}  // namespace densing::server
