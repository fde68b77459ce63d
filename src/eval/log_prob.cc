// Numerically stable log-sum-exp over a row of logits.
#include "eval/log_prob.h"

#include <cmath>

#include "base/error.h"

namespace densing::eval {

RowSummary SummarizeRow(std::span<const float> logits) {
  DENSING_CHECK(!logits.empty());
  int32_t argmax = 0;
  float max = logits[0];
  for (size_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > max) {
      max = logits[i];
      argmax = static_cast<int32_t>(i);
    }
  }
  double sum = 0;
  for (float v : logits) sum += std::exp(static_cast<double>(v - max));
  return {static_cast<double>(max) + std::log(sum), argmax};
}

RowSummary LogSoftmax(std::span<const float> logits, std::span<float> out) {
  DENSING_CHECK(out.size() == logits.size());
  const RowSummary s = SummarizeRow(logits);
  for (size_t i = 0; i < logits.size(); ++i) {
    out[i] = static_cast<float>(static_cast<double>(logits[i]) - s.log_sum_exp);
  }
  return s;
}

}  // namespace densing::eval
