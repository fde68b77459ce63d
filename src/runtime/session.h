// Session: one sequence being evaluated — its tokens so far, KV cache and activation buffers.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/forward.h"
#include "model/model.h"
#include "model/state.h"
#include "threading/thread_pool.h"

namespace densing {

class Session {
 public:
  // n_ctx: most positions the sequence may hold (0: the model's training context, capped at
  // 4096); n_batch: most tokens per forward step.
  // kv_types: what the KV cache stores (F32 unless asked).
  Session(const Model& model, ThreadPool& pool, int64_t n_ctx = 0, int64_t n_batch = 512,
          KvTypes kv_types = {});

  // Appends `tokens` to the sequence and returns the logits of the last one ([n_vocab]).
  // kDecode: with the kernels decoding uses, so the result (and the cache) is what evaluating
  // the tokens one at a time would give, bit for bit (speculation; slower for long batches).
  std::span<const float> Eval(std::span<const int32_t> tokens, MatMulKernel kernel = MatMulKernel::kBest);
  // Appends `tokens` and returns the logits of every one of them ([n, n_vocab], row-major).
  std::span<const float> EvalAll(std::span<const int32_t> tokens, MatMulKernel kernel = MatMulKernel::kBest);

  // Forgets positions from n on, so the sequence can continue differently from there. A model
  // with convolution layers whose state at n is no longer kept (KvCache::Restorable) evaluates
  // the first n tokens again.
  void Truncate(int64_t n);
  // Context shift: keeps the first n_keep tokens, forgets the oldest half of the rest and moves
  // the newer half down (see ShiftCache). Returns how many tokens were dropped; throws Error when
  // n_keep leaves nothing to drop.
  int64_t ShiftContext(int64_t n_keep);
  // Makes this session hold the first n tokens of `other` (same model), without evaluating them
  // (or, like Truncate, by evaluating them where the convolution state at n is gone).
  void CopyFrom(const Session& other, int64_t n);

  KvCache& kv() { return kv_; }
  Activations& activations() { return act_; }

  const std::vector<int32_t>& tokens() const { return tokens_; }
  int64_t n_past() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t n_ctx() const { return kv_.n_ctx; }
  int64_t n_vocab() const { return n_vocab_; }
  const Model& model() const { return model_; }

 private:
  std::span<const float> Run(std::span<const int32_t> tokens, bool all, MatMulKernel kernel);
  // Evaluates the tokens held from position 0 again: a convolution's state from further back than
  // the cache keeps is gone (KvCache::Restorable).
  void EvaluateAgain();

  const Model& model_;
  ThreadPool& pool_;
  int64_t n_vocab_;
  KvCache kv_;
  Activations act_;
  std::vector<int32_t> tokens_;
  std::vector<float> logits_;
};

// The context size a Session gets when the caller asks for 0.
int64_t DefaultContext(const ModelConfig& config);

}  // namespace densing
