// Grammar: GBNF text (llama.cpp's grammar format) compiled into rules a Matcher runs over code
// points. The API of the whole grammar/ folder, for whoever constrains sampling:
//
//   From GBNF text:     auto g = grammar::Grammar::Parse(text);          // Error: "line 3, column
//                                                                         // 7: expected ..."
//   From a JSON schema: auto g = grammar::Grammar::Parse(grammar::JsonSchemaToGbnf(schema));
//                       (grammar/json_schema.h; AnyJsonGbnf() for {"type":"json_object"} / --json)
//   A request's constraint, plain data that copies cheaply (SamplerParams::grammar holds one):
//     grammar::GrammarSpec spec{.grammar = g};                            // active from the start
//     grammar::GrammarSpec lazy{.grammar = g, .trigger_words = {"<tool_call>"}};  // or
//                                                 .trigger_tokens = {id}
//     A lazy grammar lets every token through until a trigger word appears in the output (or a
//     trigger token is sampled); from the trigger's first byte on, the output must match the
//     grammar (so the grammar's root starts with the trigger text, e.g.
//     root ::= "<tool_call>" ...). Before the trigger, end of generation is allowed.
//   Attaching it to sampling: SamplerParams p; p.grammar = spec; Sampler s(p, vocabulary);
//     with vocabulary = grammar::Vocabulary::FromTokenizer(tokenizer) built once per model
//     (grammar/vocabulary.h). Sampler::Sample then only returns tokens that keep the output in
//     the grammar, advances the grammar by the token it returns, allows end of generation only
//     where the grammar can end, and returns Sampler::kNoToken at a dead end (the grammar
//     allows nothing, e.g. it ended and the vocabulary has no end-of-generation token).
//   In the server: set Job::vocabulary = ServedModel::vocabulary() (built once, on first use)
//     whenever job.sampler.grammar has a grammar; MakeJob does it after every field is set.
//   Lower level: grammar::Matcher (matcher.h) accepts code points or bytes and says CanEnd();
//     grammar::Constraint (constraint.h) is a Matcher over a Vocabulary with the lazy triggers:
//     Allows(token), Mask(allowed), Accept(token).
//
// An ambiguous grammar that keeps more than 4096 parses alive at once throws Error while matching
// (sampling then fails with that message). Matchers and constraints are single-threaded objects
// (one per sequence); a Grammar and a Vocabulary are immutable and may be shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace densing::grammar {

// One element of a rule body (the layout llama.cpp's grammars compile to): an alternative is a
// run of elements ended by kAlt (another alternative follows) or kEnd (the rule ends). A
// character class is a kChar/kCharNot followed by kCharAlt items; kCharRangeUpper after an item
// makes it a range.
enum class ElemType : uint8_t {
  kEnd,
  kAlt,
  kRuleRef,
  kChar,
  kCharNot,
  kCharAlt,
  kCharRangeUpper,
  kCharAny
};

struct Elem {
  ElemType type;
  uint32_t value;  // a code point, or a rule index for kRuleRef
};

inline bool IsCharElem(ElemType t) {
  return t == ElemType::kChar || t == ElemType::kCharNot || t == ElemType::kCharAny;
}

class Grammar {
 public:
  // Parses GBNF; `root` is the start rule. Throws Error with one line naming the line and column
  // and what was expected, an undefined rule, a missing start rule, a left-recursive rule or a
  // rule that can never finish.
  static std::shared_ptr<const Grammar> Parse(std::string_view gbnf,
                                              std::string_view root = "root");

  // Every rule's body, one after another.
  const std::vector<Elem>& elems() const { return elems_; }
  uint32_t n_rules() const { return static_cast<uint32_t>(rule_start_.size()); }
  // Positions in elems() where each alternative of `rule` starts.
  const std::vector<uint32_t>& alternatives(uint32_t rule) const { return alts_[rule]; }
  uint32_t root() const { return root_; }
  const std::string& rule_name(uint32_t rule) const { return names_[rule]; }

 private:
  friend class GbnfParser;
  std::vector<Elem> elems_;
  std::vector<uint32_t> rule_start_;
  std::vector<std::vector<uint32_t>> alts_;
  std::vector<std::string> names_;
  uint32_t root_ = 0;
};

// What a request asks of sampling: a grammar (null: none) and, for a lazy grammar, its triggers.
struct GrammarSpec {
  std::shared_ptr<const Grammar> grammar;
  std::vector<std::string> trigger_words;
  std::vector<int32_t> trigger_tokens;
  bool lazy() const { return !trigger_words.empty() || !trigger_tokens.empty(); }
};

// Does the character element at `e` accept code point `cp`? Any code point in [lo, hi]?
bool MatchChar(const Elem* e, uint32_t cp);
bool MatchCharRange(const Elem* e, uint32_t lo, uint32_t hi);
// The position after the character element (class) at `pos`.
uint32_t SkipChar(const std::vector<Elem>& elems, uint32_t pos);

}  // namespace densing::grammar
