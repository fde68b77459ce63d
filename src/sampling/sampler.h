// Sampler: the chain that turns logits into the next token, with llama.cpp's parameters,
// defaults and order: logit bias, penalties, top-k, top-p, min-p, temperature, then a seeded
// draw — and an optional grammar that only lets through tokens keeping the output inside it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <span>
#include <vector>

#include "grammar/constraint.h"

namespace densing {

struct SamplerParams {
  float temperature = 0.8f;     // <= 0: greedy
  int32_t top_k = 40;           // <= 0: all tokens
  float top_p = 0.95f;          // 1: off
  float min_p = 0.05f;          // 0: off
  float repeat_penalty = 1.0f;  // 1: off
  int32_t repeat_last_n = 64;   // tokens of history the penalties look at (0: none, -1: all)
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  uint64_t seed = 0;            // the generator's seed
  // Added to a token's logit before anything else (OpenAI's logit_bias); -100 or less bans it.
  std::vector<std::pair<int32_t, float>> logit_bias;
  // Output must match this grammar (none when spec.grammar is null); see grammar/grammar.h.
  grammar::GrammarSpec grammar;
};

// Checks ranges; throws Error naming the parameter.
void ValidateSamplerParams(const SamplerParams& p);

class Sampler {
 public:
  // `vocabulary` is needed when params.grammar has a grammar (else Error).
  explicit Sampler(const SamplerParams& params,
                   std::shared_ptr<const grammar::Vocabulary> vocabulary = nullptr);

  static constexpr int32_t kNoToken = -1;  // the grammar allows no token here: stop

  // Picks the next token from logits [n_vocab] given the tokens so far. Under a grammar the
  // token is one it allows (kNoToken if none) and the grammar has advanced past it: the best
  // candidate of the unconstrained chain is drawn first and kept when the grammar allows it
  // (that is, drawn from the allowed tokens' renormalized distribution); only when it is
  // refused is the whole vocabulary masked and the chain run again on what is left.
  int32_t Sample(std::span<const float> logits, std::span<const int32_t> history);
  bool constrained() const { return constraint_.has_value(); }

  // After Sample: each surviving candidate's probability (for logprobs), sorted best first.
  struct Candidate {
    int32_t id;
    float logit;
    float p;
  };
  const std::vector<Candidate>& candidates() const { return cand_; }

  // The distribution Sample draws from, after the whole chain (penalties, top-k, top-p, min-p,
  // temperature): the surviving candidates (the best first), their p summing to 1. At temperature 0
  // it is the single greedy token with p = 1. Speculative sampling needs it, not a draw.
  // It does not apply the grammar.
  const std::vector<Candidate>& Distribution(std::span<const float> logits,
                                             std::span<const int32_t> history);
  // A uniform draw in [0, 1) from the sampler's seeded generator.
  double Uniform();
  const SamplerParams& params() const { return params_; }

 private:
  // cand_ = every token with its logit, biased and penalized.
  void Fill(std::span<const float> logits, std::span<const int32_t> history);
  void Chain();    // top-k, top-p, min-p, temperature on cand_; p filled
  int32_t Draw();  // one token from cand_
  void ApplyPenalties(std::span<const int32_t> history);
  void TopK(int32_t k);
  void Normalize();  // sorts and fills p from logits
  void TopP(float p);
  void MinP(float p);

  SamplerParams params_;
  std::mt19937_64 rng_;
  std::vector<Candidate> cand_;
  std::optional<grammar::Constraint> constraint_;
  std::vector<uint8_t> allowed_;
};

// argmax, ties to the lowest id.
int32_t Greedy(std::span<const float> logits);

}  // namespace densing
