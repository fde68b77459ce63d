// Constraint: a grammar applied to a vocabulary for one sequence — which tokens keep the output
// inside the grammar, and the grammar's advance by each sampled token. Lazy grammars wait for
// their trigger.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/matcher.h"
#include "grammar/vocabulary.h"

namespace densing::grammar {

class Constraint {
 public:
  Constraint(const GrammarSpec& spec, std::shared_ptr<const Vocabulary> vocabulary);

  // False while a lazy grammar waits for its trigger.
  bool active() const { return active_; }
  // Would token `id` keep the output in the grammar? End of generation only where it can end.
  bool Allows(int32_t id);
  // (*allowed)[id] = Allows(id) for every token, walking the token trie once. All false: a dead
  // end.
  void Mask(std::vector<uint8_t>* allowed);
  // The token that was sampled: advances the grammar (a trigger activates a lazy one). False if
  // the token was not allowed; the state is then unchanged.
  bool Accept(int32_t id);
  bool CanEnd() const { return !active_ || matcher_.CanEnd(); }

  const Vocabulary& vocabulary() const { return *vocabulary_; }

 private:
  void Walk(uint32_t node, size_t depth, std::vector<uint8_t>* allowed);
  // Lazy: where a trigger word starts in pending_ + piece, or npos.
  size_t FindTrigger(const std::string& text) const;
  bool IsTriggerToken(int32_t id) const;

  GrammarSpec spec_;
  std::shared_ptr<const Vocabulary> vocabulary_;
  std::shared_ptr<StackTable> table_;
  Matcher matcher_;
  bool active_ = true;
  std::string pending_;  // lazy: the output's last bytes, too few to hold a whole trigger
  size_t max_trigger_ = 0;
  std::vector<Matcher> levels_;  // the trie walk's state at each depth
  // Masks of recent states: inside a string or a number the state repeats token after token.
  struct CachedMask {
    Matcher state;
    std::vector<uint8_t> allowed;
  };
  std::vector<CachedMask> cache_;
  size_t cache_next_ = 0;
  Matcher scratch_a_, scratch_b_;
};

}  // namespace densing::grammar
