// Forward: tokens in, logits out, for every architecture of the Llama family.
#pragma once

#include <cstdint>
#include <span>

#include "model/model.h"
#include "model/state.h"
#include "threading/thread_pool.h"

namespace densing {

// Runs `tokens` at positions pos0, pos0 + 1, … through the model, storing their keys and values in
// `kv`, in steps of at most act.n_batch tokens. `logits` receives [n_tokens, n_vocab] when
// all_logits, else [n_vocab] for the last token. Throws Error for a token id outside the vocabulary
// or positions past the cache; checks nothing else inside the layers.
void Forward(const Model& model, std::span<const int32_t> tokens, int64_t pos0, KvCache& kv,
             Activations& act, ThreadPool& pool, float* logits, bool all_logits);

// One token of a batch that may mix sequences: the cache it belongs to and its position there.
// Tokens of one sequence must appear in position order; each sees its own cache up to itself.
struct BatchToken {
  int32_t token;
  int64_t pos;
  KvCache* kv;
  bool logits;  // whether its logits are wanted
};

// Context shift: forgets positions [n_keep, n_keep + n_discard) of the n_past a cache holds and
// moves the later ones down by n_discard, rotating each cached key back by n_discard positions
// (rotary angles add up), so the cache holds what evaluating the kept tokens stores, up to
// rounding. Convolution inputs move with their positions.
void ShiftCache(const Model& model, KvCache& kv, int64_t n_keep, int64_t n_discard, int64_t n_past);

// Runs a batch of at most act.n_batch tokens from any number of sequences through the model in
// one step (the weights are read once for all of them). `logits` receives one [n_vocab] row per
// token that asked for it, in batch order.
void ForwardBatch(const Model& model, std::span<const BatchToken> batch, Activations& act,
                  ThreadPool& pool, float* logits);

// The blocks the decoder is made of, for the files that implement them.
struct Step {
  const Model& model;
  const ModelConfig& c;
  std::span<const BatchToken> batch;
  Activations& act;
  ThreadPool& pool;
  int64_t n;  // tokens in this step

  // MatMul and MatMulShared with the kernels act.kernel names, into act.scratch.
  void MatMul(const TensorView& w, const float* x, int64_t n_tok, float* y) const;
  void MatMulShared(std::span<const MatMulOut> outs, const float* x, int64_t n_tok) const;
};

// The rotary embedding of layer `layer`'s queries and keys in a sequence of n_ctx positions
// (LongRoPE picks its divisors by the context).
RopeParams LayerRope(const Model& model, int64_t layer, int64_t n_ctx);

void AttentionBlock(const Step& s, int64_t layer);
void ShortConvBlock(const Step& s, int64_t layer);
void FeedForwardBlock(const Step& s, int64_t layer);
void MixtureOfExpertsFfn(const Step& s, const LayerWeights& L);  // act.h → act.proj
// out [n_rows, n_embd] = down(act(gate · in) ⊙ (up · in)) for in [n_rows, n_embd]; a null gate
// means `up` holds the gate rows first, then the up rows. Uses act.gate and act.up.
void GatedMlp(const Step& s, const float* in, int64_t n_rows, const TensorView& gate,
              const TensorView& up, const TensorView& down, float* out);

}  // namespace densing
