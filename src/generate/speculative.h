// Speculative decoding: draft tokens (from a small draft model or from n-gram lookup in the
// context) checked by the target in one batched forward pass, accepted so that the output keeps
// the target's distribution exactly (token for token at temperature 0).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/session.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace densing {

struct SpeculativeParams {
  // Draft model: a Session of a smaller model with the same vocabulary (null: none).
  Session* draft = nullptr;
  int32_t draft_max = 16;      // most tokens drafted per step (llama.cpp's --draft-max default)
  int32_t draft_min = 0;       // fewer drafted than this: the step decodes one token plainly
  float draft_p_min = 0.75f;   // stop drafting when the draft's top probability falls below this
  // Prompt lookup (no draft model): most tokens proposed from an n-gram match (0: off).
  int32_t lookup = 0;
  int32_t lookup_ngram_max = 4;  // the longest suffix of the context looked up first
  int32_t lookup_ngram_min = 2;  // the shortest tried
  // Most tokens one verifying forward pass takes; see ExactBatchTokens.
  int32_t verify_tokens = 3;

  bool enabled() const { return draft != nullptr || lookup > 0; }
};

// Throws Error for out-of-range values (draft-max 0, p-min outside [0, 1], ...).
void ValidateSpeculativeParams(const SpeculativeParams& p);

// Refuses a draft model that cannot draft for the target, naming the first difference: another
// vocabulary (size, token texts, BOS/EOS/EOT), more parameters than the target, or a training
// context shorter than the target session's n_ctx.
void CheckDraftModel(const Model& target, const Tokenizer& target_tokenizer, const Model& draft,
                     const Tokenizer& draft_tokenizer, int64_t n_ctx);

// The most tokens (up to n_max) that one forward pass of `model` with the decode kernels
// (MatMulKernel::kDecode, as verification runs) can take and still give each token the logits
// that decoding it alone gives, bit for bit. The kernels are built for it (a batch's sums are
// each token's own); this probe checks the whole pass (attention, norms, the kernels the CPU
// dispatches to) by evaluating batches of 2, 3, 4, 8, 16, 32, ... both ways; at least 1.
int32_t ExactBatchTokens(const Model& model, ThreadPool& pool, int32_t n_max);

// Prompt lookup: the tokens that followed the most recent earlier occurrence of the context's
// last n tokens, for n from ngram_max down to ngram_min (the first n that matches wins); at most
// n_max of them. Empty when nothing matches.
std::vector<int32_t> LookupDraft(std::span<const int32_t> context, int32_t n_max, int32_t ngram_min,
                                 int32_t ngram_max);

// One position of speculative sampling. p: the target's distribution (Sampler::Distribution);
// q: the distribution the draft token was drawn from, or empty when the draft is a point mass
// (prompt lookup, a greedy draft). Accepts `draft` with probability min(1, p(d)/q(d)) using
// u_accept; otherwise draws from normalise(max(0, p − q)) using u_resample. Both uniforms in [0, 1).
struct Verdict {
  bool accepted;
  int32_t token;  // the draft when accepted, else the resampled token
};
Verdict AcceptOrResample(std::span<const Sampler::Candidate> p, std::span<const Sampler::Candidate> q,
                         int32_t draft, double u_accept, double u_resample);

// The draft's confidence: its top token's softmax probability over the raw logits.
double TopProbability(std::span<const float> logits);
// The token of distribution q (best first, p summing to 1) at the uniform draw u in [0, 1).
int32_t DrawFrom(std::span<const Sampler::Candidate> q, double u);

class Speculator {
 public:
  // `sampling`: the target's sampler parameters; the draft model samples with the same chain
  // (greedily at temperature 0) from its own seeded generator.
  Speculator(const SpeculativeParams& params, const SamplerParams& sampling);

  // The target holds the context; `last` was sampled from it but is not evaluated. Drafts up to
  // `room` tokens (and what the parameters allow), evaluates [last, drafts…] in one forward pass,
  // and returns the tokens that follow `last`: the accepted drafts, then one token of the
  // target's own. Afterwards the target holds context, last and the accepted drafts (not the
  // returned last token), as plain decoding would.
  std::vector<int32_t> Step(Session& target, int32_t last, Sampler& sampler, int64_t room);

  int64_t n_drafted() const { return n_drafted_; }
  int64_t n_accepted() const { return n_accepted_; }

 private:
  // Fills drafts_ (and draft_dists_ at temperature > 0) for the context `ctx`.
  void DraftWithModel(std::span<const int32_t> ctx, int64_t n_max);

  SpeculativeParams params_;
  bool greedy_;
  Sampler draft_sampler_;
  std::vector<int32_t> context_;
  std::vector<int32_t> drafts_;
  std::vector<std::vector<Sampler::Candidate>> draft_dists_;  // empty rows: point masses
  int64_t n_drafted_ = 0;
  int64_t n_accepted_ = 0;
};

}  // namespace densing
