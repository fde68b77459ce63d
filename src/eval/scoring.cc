// Argmax rules and tallies.
#include "eval/scoring.h"

#include "base/error.h"

namespace densing::eval {

ItemOutcome ScoreItem(std::span<const ChoiceScore> choices, int gold) {
  if (choices.empty()) Fail("an item without choices");
  if (gold < 0 || static_cast<size_t>(gold) >= choices.size()) {
    Fail("gold index {} is outside the {} choices", gold, choices.size());
  }
  ItemOutcome o;
  auto norm = [](const ChoiceScore& c) { return c.log_prob / static_cast<double>(c.n_chars > 0 ? c.n_chars : 1); };
  for (size_t i = 1; i < choices.size(); ++i) {
    if (choices[i].log_prob > choices[static_cast<size_t>(o.pred)].log_prob) o.pred = static_cast<int>(i);
    if (norm(choices[i]) > norm(choices[static_cast<size_t>(o.pred_norm)])) o.pred_norm = static_cast<int>(i);
  }
  o.correct = o.pred == gold;
  o.correct_norm = o.pred_norm == gold;
  o.gold_nll = -choices[static_cast<size_t>(gold)].log_prob;
  o.gold_tokens = choices[static_cast<size_t>(gold)].n_tokens;
  return o;
}

int64_t CountChars(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void Tally::Add(const ItemOutcome& o) {
  acc.Add(o.correct ? 1.0 : 0.0);
  acc_norm.Add(o.correct_norm ? 1.0 : 0.0);
  nll.Add(o.gold_nll);
  gold_tokens += o.gold_tokens;
}

}  // namespace densing::eval
