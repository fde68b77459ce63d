// The scheduler's loop and its one forward step: every decoding slot's last token first, then
// prompt chunks in arrival order while the batch has room.
#include <algorithm>
#include <chrono>

#include "base/error.h"
#include "server/scheduler.h"

namespace densing::server {

void Scheduler::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || counters_.busy_slots > 0 || !queue_.empty(); });
    if (stop_) return;
    Admit();
    lock.unlock();
    DropCancelled();
    if (counters_.busy_slots > 0) {
      const auto t0 = std::chrono::steady_clock::now();
      try {
        Step();
      } catch (const std::exception& e) {
        // A bug or an exhausted resource: end the requests in flight, keep serving.
        for (auto& slot : slots_) slot->Finish(FinishReason::kError, e.what());
      }
      counters_.busy_micros += std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - t0)
                                   .count();
    }
    lock.lock();
  }
}

void Scheduler::Admit() {
  while (!queue_.empty()) {
    std::shared_ptr<Task> task = queue_.front();
    if (task->cancelled()) {
      queue_.pop_front();
      task->Finish({.finish = FinishReason::kCancelled});
      continue;
    }
    const std::vector<int32_t>& prompt = task->job().prompt;
    // The free slot with the most of this prompt cached, else the one idle the longest.
    Slot* target = nullptr;
    int64_t target_common = -1;
    for (auto& slot : slots_) {
      if (slot->busy()) continue;
      const int64_t common = slot->CommonPrefix(prompt);
      if (common > target_common || (common == target_common && slot->order() < target->order())) {
        target = slot.get();
        target_common = common;
      }
    }
    if (!target) return;
    queue_.pop_front();
    // Any slot, busy or not, may hold a longer prefix (a shared system prompt): copy it.
    const Slot* from = target;
    int64_t reuse = target_common;
    for (auto& slot : slots_) {
      const int64_t common = slot->CommonPrefix(prompt);
      if (common > reuse) {
        from = slot.get();
        reuse = common;
      }
    }
    // At least one prompt token is evaluated, for the logits to sample from; none is reused when
    // the request wants the logprob of every prompt token.
    const int64_t cap = task->job().prompt_logprobs ? 0 : static_cast<int64_t>(prompt.size()) - 1;
    if (reuse > cap) {
      reuse = cap;
      if (from != target && target_common >= reuse) from = target;
    }
    // A convolution layer's state is kept only near the end of a sequence
    // (KvCache::Restorable): a prefix that ends further back is evaluated again.
    if (!from->kv().Restorable(reuse)) reuse = 0;
    target->Start(std::move(task), *from, reuse, next_order_++);
  }
}

void Scheduler::DropCancelled() {
  for (auto& slot : slots_) {
    if (slot->busy() && slot->task().cancelled()) slot->Finish(FinishReason::kCancelled);
  }
}

void Scheduler::ProposeDrafts() {
  std::vector<Slot*> decoding;
  std::vector<int> index;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i]->busy() && slots_[i]->next_token() >= 0) {
      decoding.push_back(slots_[i].get());
      index.push_back(static_cast<int>(i));
    }
  }
  const SpeculativeParams& sp = options_.speculative;
  int64_t budget = verify_tokens_ - static_cast<int64_t>(decoding.size());
  std::vector<Slot*> drafting;
  std::vector<int> drafting_index;
  std::vector<int64_t> rooms;
  for (size_t i = 0; i < decoding.size() && budget > 0; ++i) {
    Slot* slot = decoding[i];
    if (!slot->CanDraft()) continue;
    const int64_t room = slot->DraftRoom(std::min<int64_t>(budget, draft_ ? sp.draft_max : sp.lookup));
    if (room <= 0) continue;
    if (draft_) {  // drafted below, all slots together
      drafting.push_back(slot);
      drafting_index.push_back(index[i]);
      rooms.push_back(room);
      budget -= room;
      continue;
    }
    std::vector<int32_t> drafts = LookupDraft(slot->DraftContext(), static_cast<int32_t>(room),
                                              sp.lookup_ngram_min, sp.lookup_ngram_max);
    if (static_cast<int32_t>(drafts.size()) < sp.draft_min) drafts.clear();
    budget -= static_cast<int64_t>(drafts.size());
    slot->Propose(std::move(drafts));
  }
  if (!drafting.empty()) draft_->Propose(drafting, drafting_index, rooms, sp, pool_);
}

void Scheduler::Step() {
  batch_.clear();
  batch_slots_.clear();
  const auto add = [&](Slot* slot, int32_t token, int64_t pos, bool logits) {
    batch_.push_back({token, pos, &slot->kv(), logits});
    batch_slots_.push_back(slot);
  };
  bool prompts = false;
  for (auto& slot : slots_) {
    if (slot->busy() && slot->next_token() >= 0 &&
        static_cast<int64_t>(slot->cached().size()) >= slot->n_ctx()) {
      slot->ShiftContext(model_);
    }
    prompts = prompts || slot->prompt_left() > 0;
  }
  // Speculation only in steps of decoding slots alone, so the step stays within the batch size
  // whose logits are decoding's.
  if (speculating() && !prompts) ProposeDrafts();
  int64_t rows = 0;
  for (auto& slot : slots_) {
    if (slot->busy() && slot->next_token() >= 0) {
      int64_t pos = static_cast<int64_t>(slot->cached().size());
      add(slot.get(), slot->next_token(), pos, true);
      for (int32_t d : slot->drafts()) add(slot.get(), d, ++pos, true);
      rows += 1 + static_cast<int64_t>(slot->drafts().size());
    }
  }
  const size_t n_decode = batch_.size();
  std::vector<Slot*> prompting;
  for (auto& slot : slots_) {
    if (slot->prompt_left() > 0) prompting.push_back(slot.get());
  }
  std::sort(prompting.begin(), prompting.end(),
            [](const Slot* a, const Slot* b) { return a->order() < b->order(); });
  for (Slot* slot : prompting) {
    const bool all_rows = slot->task().job().prompt_logprobs;
    const int64_t left = slot->prompt_left();
    int64_t n = std::min(left, act_.n_batch - static_cast<int64_t>(batch_.size()));
    if (all_rows) n = std::min(n, max_rows_ - rows);
    if (!all_rows && n == left && rows >= max_rows_) --n;  // its last token needs a row
    if (n <= 0) continue;
    const int64_t pos0 = static_cast<int64_t>(slot->cached().size());
    for (int64_t i = 0; i < n; ++i) {
      const bool logits = all_rows || i == left - 1;
      add(slot, slot->prompt()[static_cast<size_t>(pos0 + i)], pos0 + i, logits);
      rows += logits;
    }
  }
  if (batch_.empty()) return;

  // A step with drafts holds decoding slots alone: it runs the decode kernels, so each token's
  // logits are what decoding it alone gives (a prompt step runs the prompt kernels).
  bool drafts = false;
  for (auto& slot : slots_) drafts = drafts || !slot->drafts().empty();
  act_.kernel = drafts ? MatMulKernel::kDecode : MatMulKernel::kBest;
  ForwardBatch(model_, batch_, act_, pool_, logits_.data());
  ++counters_.steps;
  counters_.prompt_tokens += static_cast<int64_t>(batch_.size() - n_decode);

  const size_t n_vocab = static_cast<size_t>(n_vocab_);
  size_t row = 0;
  for (size_t i = 0; i < batch_.size(); ++i) {
    Slot* slot = batch_slots_[i];
    const size_t k = slot->drafts().size();
    if (i < n_decode && k > 0) {  // the slot's token and its drafts: checked together
      for (size_t j = 0; j <= k; ++j) slot->Commit(batch_[i + j].token);
      slot->Verify(std::span<const float>(logits_.data() + row * n_vocab, (k + 1) * n_vocab), n_vocab);
      row += k + 1;
      i += k;
      continue;
    }
    slot->Commit(batch_[i].token);
    if (!batch_[i].logits) continue;
    std::span<const float> logits(logits_.data() + row++ * n_vocab, n_vocab);
    const size_t pos = static_cast<size_t>(batch_[i].pos);
    if (slot->next_token() < 0 && pos + 1 < slot->prompt().size()) {
      slot->RecordPromptLogprob(logits, pos);
    } else {
      slot->Sample(logits);
    }
  }
}

}  // namespace densing::server
