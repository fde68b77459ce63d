// Log-probabilities read from a row of logits: log-sum-exp, one token's log-softmax, argmax.
#pragma once

#include <cstdint>
#include <span>

namespace densing::eval {

struct RowSummary {
  double log_sum_exp;  // log Σ exp(logit)
  int32_t argmax;      // the first id with the largest logit
};

// Accumulates in double so that 150k-token vocabularies keep their precision.
RowSummary SummarizeRow(std::span<const float> logits);

// log P(token) = logit[token] − log Σ exp(logits).
inline double TokenLogProb(std::span<const float> logits, const RowSummary& s, int32_t token) {
  return static_cast<double>(logits[static_cast<size_t>(token)]) - s.log_sum_exp;
}

// out[i] = logits[i] − log Σ exp(logits); returns the summary it used.
RowSummary LogSoftmax(std::span<const float> logits, std::span<float> out);

}  // namespace densing::eval
