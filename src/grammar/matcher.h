// Matcher: where a grammar stands after some output, as the set of parse stacks (a pushdown
// automaton run on all alternatives at once) plus a UTF-8 sequence still incomplete.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"

namespace densing::grammar {

// The stacks a grammar's matchers can reach, interned: a stack is a node id (its top element's
// position and the id of the stack below), so a matcher's state is a few small integers that
// copy cheaply, and each (stack, code point) step is computed once and remembered.
// Single-threaded; matchers that share one must be used from one thread.
class StackTable {
 public:
  static constexpr uint32_t kEmpty = 0;  // the empty stack: the grammar has ended

  explicit StackTable(std::shared_ptr<const Grammar> grammar);
  const Grammar& grammar() const { return *grammar_; }

  // The stacks (tops on a character element, or kEmpty) the start rule opens with.
  std::vector<uint32_t> Start();
  // Appends the stacks that stack `id` becomes after accepting `cp` (none if it cannot).
  void Advance(uint32_t id, uint32_t cp, std::vector<uint32_t>* out);
  // Can stack `id` accept some code point in [lo, hi]?
  bool CanAcceptRange(uint32_t id, uint32_t lo, uint32_t hi) const;

 private:
  struct Node {
    uint32_t pos;     // position in grammar().elems()
    uint32_t parent;  // the stack below; kEmpty at the bottom
  };
  uint32_t Intern(uint32_t pos, uint32_t parent);
  // Pushes `pos` onto `parent` and expands rule references until every top is a character.
  void Expand(uint32_t pos, uint32_t parent, std::vector<uint32_t>* out);

  std::shared_ptr<const Grammar> grammar_;
  std::vector<Node> nodes_;
  std::unordered_map<uint64_t, uint32_t> ids_;
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>>
      advanced_;  // -> [begin, end) of results_
  std::vector<uint32_t> results_;
  std::vector<uint32_t> scratch_;
};

class Matcher {
 public:
  explicit Matcher(std::shared_ptr<const Grammar> grammar);
  explicit Matcher(std::shared_ptr<StackTable> table);

  // False (and the state unchanged) when the grammar cannot take it here.
  bool AcceptCodePoint(uint32_t cp);
  // Bytes of UTF-8 output, possibly ending inside a character (held until it completes).
  bool AcceptBytes(std::string_view bytes);
  // The grammar can end here (and no character is half done).
  bool CanEnd() const;
  // No continuation at all.
  bool dead() const { return stacks_.empty(); }

  // One byte, for callers that walk many continuations of one state (the token trie): `from` and
  // `to` may not alias. False when the byte leads nowhere.
  bool Step(uint8_t byte, Matcher* to) const;

  StackTable& table() const { return *table_; }
  // The same parse state (matchers of one table).
  bool SameState(const Matcher& o) const {
    return stacks_ == o.stacks_ && partial_cp_ == o.partial_cp_ && partial_left_ == o.partial_left_;
  }

 private:
  std::shared_ptr<StackTable> table_;
  std::vector<uint32_t> stacks_;  // sorted, unique
  uint32_t partial_cp_ = 0;       // the bits so far of an incomplete UTF-8 sequence
  uint8_t partial_left_ = 0;      // continuation bytes still to come
  uint8_t partial_len_ = 0;       // the sequence's full length
};

}  // namespace densing::grammar
