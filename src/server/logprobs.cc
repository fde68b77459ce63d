// One pass for the normalizer, one for the top tokens (n_top is small, so insertion into a short
// sorted list beats sorting the vocabulary).
#include "server/logprobs.h"

#include <algorithm>
#include <cmath>

namespace densing::server {

TokenLogprob ComputeLogprob(std::span<const float> logits, int32_t id, int n_top) {
  const float max = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits) sum += std::exp(static_cast<double>(l) - max);
  const double log_z = max + std::log(sum);

  TokenLogprob out;
  out.id = id;
  out.logprob = static_cast<float>(logits[static_cast<size_t>(id)] - log_z);
  const size_t n = std::min(static_cast<size_t>(std::max(n_top, 0)), logits.size());
  auto& top = out.top;
  top.reserve(n + 1);
  for (size_t i = 0; i < logits.size() && n > 0; ++i) {
    const float l = logits[i];
    if (top.size() == n && l <= top.back().second) continue;
    auto at = std::find_if(top.begin(), top.end(), [&](const auto& t) { return l > t.second; });
    top.insert(at, {static_cast<int32_t>(i), l});
    if (top.size() > n) top.pop_back();
  }
  for (auto& t : top) t.second = static_cast<float>(t.second - log_z);
  return out;
}

}  // namespace densing::server
