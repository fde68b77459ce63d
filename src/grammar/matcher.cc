// The stack table and the matcher's steps over code points and UTF-8 bytes.
#include "grammar/matcher.h"

#include <algorithm>

#include "base/error.h"

namespace densing::grammar {

namespace {
uint64_t Key(uint32_t a, uint32_t b) { return (uint64_t{a} << 32) | b; }

void SortUnique(std::vector<uint32_t>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

constexpr uint32_t kMinOfLength[5] = {0, 0, 0x80, 0x800, 0x10000};  // below: an overlong form

// An ambiguous grammar can keep exponentially many parses alive at once; past this many the
// matcher gives up with an Error rather than slow down without bound.
constexpr size_t kMaxStacks = 4096;
void CheckAmbiguity(size_t n) {
  if (n > kMaxStacks)
    Fail("grammar: too ambiguous: more than {} parses are alive at once", kMaxStacks);
}
}  // namespace

StackTable::StackTable(std::shared_ptr<const Grammar> grammar) : grammar_(std::move(grammar)) {
  DENSING_CHECK(grammar_ != nullptr);
  nodes_.push_back({UINT32_MAX, kEmpty});
}

uint32_t StackTable::Intern(uint32_t pos, uint32_t parent) {
  auto [it, added] = ids_.emplace(Key(pos, parent), static_cast<uint32_t>(nodes_.size()));
  if (added) nodes_.push_back({pos, parent});
  return it->second;
}

void StackTable::Expand(uint32_t pos, uint32_t parent, std::vector<uint32_t>* out) {
  const auto& elems = grammar_->elems();
  const Elem& e = elems[pos];
  switch (e.type) {
    case ElemType::kEnd:
    case ElemType::kAlt:  // this alternative is done: return to the rule below
      if (parent == kEmpty) {
        out->push_back(kEmpty);
      } else {
        Expand(nodes_[parent].pos, nodes_[parent].parent, out);
      }
      return;
    case ElemType::kRuleRef: {
      // A reference in tail position returns straight to `parent`, so right recursion (x*)
      // does not grow the stack.
      const ElemType after = elems[pos + 1].type;
      const uint32_t ret =
          after == ElemType::kEnd || after == ElemType::kAlt ? parent : Intern(pos + 1, parent);
      for (uint32_t alt : grammar_->alternatives(e.value)) Expand(alt, ret, out);
      return;
    }
    default:
      out->push_back(Intern(pos, parent));
  }
}

std::vector<uint32_t> StackTable::Start() {
  std::vector<uint32_t> out;
  for (uint32_t alt : grammar_->alternatives(grammar_->root())) Expand(alt, kEmpty, &out);
  SortUnique(&out);
  return out;
}

void StackTable::Advance(uint32_t id, uint32_t cp, std::vector<uint32_t>* out) {
  if (id == kEmpty) return;
  const uint64_t key = (uint64_t{id} << 21) | cp;
  auto it = advanced_.find(key);
  if (it == advanced_.end()) {
    const Node node = nodes_[id];
    const auto& elems = grammar_->elems();
    scratch_.clear();
    if (MatchChar(&elems[node.pos], cp)) Expand(SkipChar(elems, node.pos), node.parent, &scratch_);
    SortUnique(&scratch_);
    const auto begin = static_cast<uint32_t>(results_.size());
    results_.insert(results_.end(), scratch_.begin(), scratch_.end());
    it =
        advanced_.emplace(key, std::make_pair(begin, static_cast<uint32_t>(results_.size()))).first;
  }
  out->insert(out->end(), results_.begin() + it->second.first,
              results_.begin() + it->second.second);
}

bool StackTable::CanAcceptRange(uint32_t id, uint32_t lo, uint32_t hi) const {
  if (id == kEmpty) return false;
  return MatchCharRange(&grammar_->elems()[nodes_[id].pos], lo, hi);
}

Matcher::Matcher(std::shared_ptr<const Grammar> grammar)
    : Matcher(std::make_shared<StackTable>(std::move(grammar))) {}

Matcher::Matcher(std::shared_ptr<StackTable> table) : table_(std::move(table)) {
  stacks_ = table_->Start();
}

bool Matcher::CanEnd() const {
  return partial_left_ == 0 && !stacks_.empty() && stacks_.front() == StackTable::kEmpty;
}

bool Matcher::Step(uint8_t b, Matcher* to) const {
  uint32_t cp;
  uint8_t left, len;
  if (partial_left_ == 0) {
    if (b < 0x80) {
      cp = b, left = 0, len = 1;
    } else if ((b & 0xE0) == 0xC0) {
      cp = b & 0x1F, left = 1, len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      cp = b & 0x0F, left = 2, len = 3;
    } else if ((b & 0xF8) == 0xF0 && b <= 0xF4) {
      cp = b & 0x07, left = 3, len = 4;
    } else {
      return false;
    }
  } else {
    if ((b & 0xC0) != 0x80) return false;
    cp = (partial_cp_ << 6) | (b & 0x3F), left = static_cast<uint8_t>(partial_left_ - 1),
    len = partial_len_;
  }
  to->table_ = table_;
  to->stacks_.clear();
  if (left > 0) {  // still incomplete: some stack must be able to take a character it can become
    const uint32_t lo = std::max(cp << (6 * left), kMinOfLength[len]);
    const uint32_t hi = std::min(((cp + 1) << (6 * left)) - 1, uint32_t{0x10FFFF});
    if (lo > hi) return false;
    // Surrogates (U+D800-DFFF) are not characters: a prefix that can only become one is refused.
    const bool below = lo<0xD800, above = hi> 0xDFFF;
    if (!below && !above) return false;
    bool any = false;
    for (uint32_t s : stacks_) {
      any = any || (below && table_->CanAcceptRange(s, lo, std::min(hi, uint32_t{0xD7FF}))) ||
            (above && table_->CanAcceptRange(s, std::max(lo, uint32_t{0xE000}), hi));
    }
    if (!any) return false;
    to->stacks_ = stacks_;
    to->partial_cp_ = cp, to->partial_left_ = left, to->partial_len_ = len;
    return true;
  }
  if (cp < kMinOfLength[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
  for (uint32_t s : stacks_) table_->Advance(s, cp, &to->stacks_);
  SortUnique(&to->stacks_);
  CheckAmbiguity(to->stacks_.size());
  to->partial_cp_ = 0, to->partial_left_ = 0, to->partial_len_ = 0;
  return !to->stacks_.empty();
}

bool Matcher::AcceptCodePoint(uint32_t cp) {
  if (partial_left_ != 0) return false;
  std::vector<uint32_t> next;
  for (uint32_t s : stacks_) table_->Advance(s, cp, &next);
  if (next.empty()) return false;
  SortUnique(&next);
  CheckAmbiguity(next.size());
  stacks_ = std::move(next);
  return true;
}

bool Matcher::AcceptBytes(std::string_view bytes) {
  Matcher a = *this, b = *this;
  for (char c : bytes) {
    if (!a.Step(static_cast<uint8_t>(c), &b)) return false;
    std::swap(a, b);
  }
  *this = std::move(a);
  return true;
}

}  // namespace densing::grammar
