// DraftRunner: the draft model of speculative serving. One KV cache per slot, kept in step with
// the slot's tokens (only what changed is evaluated again); each step it drafts for every slot
// in batched forward passes of the draft model, one drafted token per slot per pass.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "generate/speculative.h"
#include "model/forward.h"
#include "model/model.h"
#include "model/state.h"
#include "sampling/sampler.h"
#include "threading/thread_pool.h"

namespace densing::server {

class Slot;
class Task;

class DraftRunner {
 public:
  DraftRunner(const Model& draft, int n_slots, int64_t n_ctx, int64_t n_batch, KvTypes kv_types);

  // For each slot i of `slots` (index `index[i]` among the scheduler's slots), drafts up to
  // room[i] tokens after its DraftContext() and hands them to Slot::Propose.
  void Propose(std::span<Slot* const> slots, std::span<const int> index, std::span<const int64_t> room,
               const SpeculativeParams& params, ThreadPool& pool);

 private:
  struct PerSlot {
    KvCache kv;
    std::vector<int32_t> cached;      // tokens whose keys and values kv holds
    std::optional<Sampler> sampler;   // the request's chain, its own seeded generator
    const Task* task = nullptr;       // the request the sampler was made for
    std::vector<float> logits;        // after the last evaluated token
  };
  // Evaluates `batch` (tokens of several slots, each slot's in order); the last token of each
  // slot in it wants logits, which go to that slot's PerSlot::logits.
  void Run(std::vector<BatchToken>& batch, const std::vector<int>& owner, ThreadPool& pool,
           MatMulKernel kernel);

  const Model& model_;
  size_t n_vocab_;
  Activations act_;
  std::vector<PerSlot> slots_;
  std::vector<float> logits_;  // [n_slots, n_vocab]
};

}  // namespace densing::server
