// The sampler chain. Candidates are kept sorted by logit once top-k has run, so top-p and
// min-p are prefix cuts.
#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "base/error.h"

namespace densing {

void ValidateSamplerParams(const SamplerParams& p) {
  if (!std::isfinite(p.temperature) || p.temperature < 0) Fail("temperature must be >= 0");
  if (!(p.top_p > 0 && p.top_p <= 1)) Fail("top-p must be in (0, 1]");
  if (!(p.min_p >= 0 && p.min_p <= 1)) Fail("min-p must be in [0, 1]");
  if (!(p.repeat_penalty > 0) || !std::isfinite(p.repeat_penalty)) Fail("repeat penalty must be > 0");
  if (p.repeat_last_n < -1) Fail("repeat-last-n must be >= -1");
  if (!std::isfinite(p.presence_penalty) || !std::isfinite(p.frequency_penalty)) {
    Fail("presence and frequency penalties must be finite");
  }
}

int32_t Greedy(std::span<const float> logits) {
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

Sampler::Sampler(const SamplerParams& params, std::shared_ptr<const grammar::Vocabulary> vocabulary)
    : params_(params), rng_(params.seed) {
  ValidateSamplerParams(params_);
  if (params_.grammar.grammar) {
    if (!vocabulary) Fail("a grammar needs the model's vocabulary");
    constraint_.emplace(params_.grammar, std::move(vocabulary));
  }
}

void Sampler::Fill(std::span<const float> logits, std::span<const int32_t> history) {
  cand_.resize(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) cand_[i] = {static_cast<int32_t>(i), logits[i], 0.0f};
  for (const auto& [id, bias] : params_.logit_bias) {
    if (id < 0 || static_cast<size_t>(id) >= cand_.size()) continue;
    float& l = cand_[static_cast<size_t>(id)].logit;
    l = bias <= -100.0f ? -INFINITY : l + bias;
  }
  ApplyPenalties(history);
}

const std::vector<Sampler::Candidate>& Sampler::Distribution(std::span<const float> logits,
                                                             std::span<const int32_t> history) {
  Fill(logits, history);
  Chain();
  return cand_;
}

void Sampler::Chain() {
  if (params_.temperature <= 0) {
    TopK(1);
    Normalize();
    return;
  }
  TopK(params_.top_k);
  if (params_.top_p < 1.0f || params_.min_p > 0.0f) {  // they cut by probability
    Normalize();
    TopP(params_.top_p);
    MinP(params_.min_p);
  }
  for (Candidate& c : cand_) c.logit /= params_.temperature;
  Normalize();
}

double Sampler::Uniform() {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  return uniform(rng_);
}

int32_t Sampler::Sample(std::span<const float> logits, std::span<const int32_t> history) {
  Fill(logits, history);
  if (!constraint_) {
    Chain();
    return Draw();
  }
  // Banned tokens (bias -100) stay out even when nothing else is left.
  const auto drop_banned = [&] {
    std::erase_if(cand_, [](const Candidate& c) { return c.logit == -INFINITY; });
  };
  drop_banned();
  int32_t id = kNoToken;
  if (!cand_.empty()) {
    Chain();
    id = Draw();
  }
  if (id == kNoToken || !constraint_->Allows(id)) {
    Fill(logits, history);
    constraint_->Mask(&allowed_);
    std::erase_if(cand_, [&](const Candidate& c) { return !allowed_[static_cast<size_t>(c.id)]; });
    drop_banned();
    if (cand_.empty()) return kNoToken;
    Chain();
    id = Draw();
  }
  DENSING_CHECK(constraint_->Accept(id));  // Allows said yes
  return id;
}

int32_t Sampler::Draw() {
  if (params_.temperature <= 0) return cand_[0].id;
  const double r = Uniform();
  double sum = 0;
  for (const Candidate& c : cand_) {
    sum += c.p;
    if (r < sum) return c.id;
  }
  return cand_.back().id;
}

void Sampler::ApplyPenalties(std::span<const int32_t> history) {
  const bool off = params_.repeat_penalty == 1.0f && params_.presence_penalty == 0.0f &&
                   params_.frequency_penalty == 0.0f;
  if (off || params_.repeat_last_n == 0 || history.empty()) return;
  size_t n = history.size();
  if (params_.repeat_last_n > 0) n = std::min(n, static_cast<size_t>(params_.repeat_last_n));
  std::unordered_map<int32_t, int> counts;
  for (int32_t t : history.last(n)) ++counts[t];
  for (const auto& [id, count] : counts) {
    if (id < 0 || static_cast<size_t>(id) >= cand_.size()) continue;
    float& l = cand_[static_cast<size_t>(id)].logit;
    // As llama.cpp: divide positive logits, multiply negative ones.
    l = l <= 0 ? l * params_.repeat_penalty : l / params_.repeat_penalty;
    l -= static_cast<float>(count) * params_.frequency_penalty + params_.presence_penalty;
  }
}

void Sampler::TopK(int32_t k) {
  const auto better = [](const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  if (k <= 0 || static_cast<size_t>(k) >= cand_.size()) {
    if (params_.top_p >= 1.0f && params_.min_p <= 0.0f) {
      // Nothing will be cut, so the order does not matter beyond the best coming first (for
      // Normalize): sorting a 150k vocabulary per token would cost more than the forward pass
      // of a small model.
      std::iter_swap(cand_.begin(), std::min_element(cand_.begin(), cand_.end(), better));
      return;
    }
    std::sort(cand_.begin(), cand_.end(), better);
    return;
  }
  std::partial_sort(cand_.begin(), cand_.begin() + k, cand_.end(), better);
  cand_.resize(static_cast<size_t>(k));
}

void Sampler::Normalize() {
  const float max = cand_.front().logit;  // the best, by TopK
  double sum = 0;
  for (Candidate& c : cand_) {
    c.p = std::exp(c.logit - max);
    sum += c.p;
  }
  for (Candidate& c : cand_) c.p = static_cast<float>(c.p / sum);
}

void Sampler::TopP(float p) {
  if (p >= 1.0f) return;
  double sum = 0;
  size_t keep = cand_.size();
  for (size_t i = 0; i < cand_.size(); ++i) {
    sum += cand_[i].p;
    if (sum >= p) {
      keep = i + 1;
      break;
    }
  }
  cand_.resize(keep);
}

void Sampler::MinP(float p) {
  if (p <= 0.0f) return;
  const float threshold = cand_.front().p * p;
  size_t keep = 1;
  while (keep < cand_.size() && cand_[keep].p >= threshold) ++keep;
  cand_.resize(keep);
}

}  // namespace densing
