// Sampler: the chain that turns logits into the next token, with llama.cpp's parameters,
// defaults and order: penalties, top-k, top-p, min-p, temperature, then a seeded draw.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

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
};

// Checks ranges; throws Error naming the parameter.
void ValidateSamplerParams(const SamplerParams& p);

class Sampler {
 public:
  explicit Sampler(const SamplerParams& params);

  // Picks the next token from logits [n_vocab] given the tokens so far.
  int32_t Sample(std::span<const float> logits, std::span<const int32_t> history);

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
  const std::vector<Candidate>& Distribution(std::span<const float> logits,
                                             std::span<const int32_t> history);
  // A uniform draw in [0, 1) from the sampler's seeded generator.
  double Uniform();
  const SamplerParams& params() const { return params_; }

 private:
  void ApplyPenalties(std::span<const int32_t> history);
  void TopK(int32_t k);
  void Normalize();  // sorts and fills p from logits
  void TopP(float p);
  void MinP(float p);

  SamplerParams params_;
  std::mt19937_64 rng_;
  std::vector<Candidate> cand_;
};

// argmax, ties to the lowest id.
int32_t Greedy(std::span<const float> logits);

}  // namespace densing
