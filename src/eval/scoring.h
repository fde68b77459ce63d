// lm-evaluation-harness's multiple-choice scoring: acc picks the choice with the largest summed
// log-probability, acc_norm the largest sum per character; standard errors of the means; and the
// conditional loss −log P(gold | context) the density method needs.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "eval/mean_stat.h"

namespace densing::eval {

struct ChoiceScore {
  double log_prob = 0;   // Σ log P(token | context, earlier tokens of the choice)
  int64_t n_tokens = 0;
  int64_t n_chars = 0;   // of the choice without its leading space (Unicode code points)
};

struct ItemOutcome {
  int pred = 0;       // argmax of log_prob (the first on ties)
  int pred_norm = 0;  // argmax of log_prob / n_chars
  bool correct = false;
  bool correct_norm = false;
  double gold_nll = 0;  // −log P(gold | context)
  int64_t gold_tokens = 0;
};

// Throws Error when `gold` is outside the choices or there are none.
ItemOutcome ScoreItem(std::span<const ChoiceScore> choices, int gold);

// Code points in UTF-8 text (bytes that do not continue a sequence).
int64_t CountChars(std::string_view utf8);

struct Tally {
  RunningMean acc, acc_norm, nll;
  int64_t gold_tokens = 0;
  void Add(const ItemOutcome& o);
  double loss_per_token() const { return gold_tokens > 0 ? nll.sum() / static_cast<double>(gold_tokens) : 0.0; }
};

}  // namespace densing::eval
