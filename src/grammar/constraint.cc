// Token masks from a grammar state: one token by its bytes, or the whole vocabulary by a walk of
// the token trie that stops at the first byte the grammar refuses.
#include "grammar/constraint.h"

#include <algorithm>

#include "base/error.h"

namespace densing::grammar {

Constraint::Constraint(const GrammarSpec& spec, std::shared_ptr<const Vocabulary> vocabulary)
    : spec_(spec),
      vocabulary_(std::move(vocabulary)),
      table_(std::make_shared<StackTable>(spec.grammar)),
      matcher_(table_),
      active_(!spec.lazy()),
      scratch_a_(matcher_),
      scratch_b_(matcher_) {
  DENSING_CHECK(vocabulary_ != nullptr);
  for (const std::string& w : spec_.trigger_words) {
    if (w.empty()) Fail("a grammar trigger word is empty");
    max_trigger_ = std::max(max_trigger_, w.size());
  }
}

bool Constraint::IsTriggerToken(int32_t id) const {
  return std::find(spec_.trigger_tokens.begin(), spec_.trigger_tokens.end(), id) !=
         spec_.trigger_tokens.end();
}

size_t Constraint::FindTrigger(const std::string& text) const {
  size_t best = std::string::npos;
  for (const std::string& w : spec_.trigger_words) best = std::min(best, text.find(w));
  return best;
}

bool Constraint::Allows(int32_t id) {
  if (id < 0 || id >= vocabulary_->size()) return false;
  const TokenKind kind = vocabulary_->kind(id);
  if (kind == TokenKind::kEndOfGeneration) return CanEnd();
  if (!active_) {
    // Waiting: anything goes, except a token whose trigger starts output the grammar refuses.
    if (IsTriggerToken(id))
      return vocabulary_->piece(id).empty() || Matcher(table_).AcceptBytes(vocabulary_->piece(id));
    if (kind == TokenKind::kNever) return true;
    const std::string text = pending_ + vocabulary_->piece(id);
    const size_t at = FindTrigger(text);
    return at == std::string::npos ||
           Matcher(table_).AcceptBytes(std::string_view(text).substr(at));
  }
  if (kind == TokenKind::kNever) return false;
  const std::string& piece = vocabulary_->piece(id);
  scratch_a_ = matcher_;
  for (char c : piece) {
    if (!scratch_a_.Step(static_cast<uint8_t>(c), &scratch_b_)) return false;
    std::swap(scratch_a_, scratch_b_);
  }
  return true;
}

void Constraint::Mask(std::vector<uint8_t>* allowed) {
  const int32_t n = vocabulary_->size();
  allowed->assign(static_cast<size_t>(n), 0);
  if (!active_) {
    for (int32_t id = 0; id < n; ++id) (*allowed)[static_cast<size_t>(id)] = Allows(id);
    return;
  }
  for (const CachedMask& c : cache_) {
    if (c.state.SameState(matcher_)) {
      *allowed = c.allowed;
      return;
    }
  }
  if (matcher_.CanEnd()) {
    for (int32_t id : vocabulary_->end_tokens()) (*allowed)[static_cast<size_t>(id)] = 1;
  }
  if (levels_.empty()) levels_.assign(2, matcher_);
  levels_[0] = matcher_;
  Walk(0, 0, allowed);
  constexpr size_t kCached = 8;
  if (cache_.size() < kCached) {
    cache_.push_back({matcher_, *allowed});
  } else {
    cache_[cache_next_] = {matcher_, *allowed};
    cache_next_ = (cache_next_ + 1) % kCached;
  }
}

void Constraint::Walk(uint32_t node, size_t depth, std::vector<uint8_t>* allowed) {
  const auto& nodes = vocabulary_->nodes();
  const auto& tokens = vocabulary_->tokens();
  if (levels_.size() < depth + 2) levels_.resize(depth + 2, matcher_);
  const Vocabulary::Node& n = nodes[node];
  for (uint32_t c = n.first_child; c < n.first_child + n.n_children; ++c) {
    if (!levels_[depth].Step(nodes[c].byte, &levels_[depth + 1])) continue;
    const Vocabulary::Node& child = nodes[c];
    for (uint32_t t = child.first_token; t < child.first_token + child.n_tokens; ++t) {
      (*allowed)[static_cast<size_t>(tokens[t])] = 1;
    }
    Walk(c, depth + 1, allowed);
  }
}

bool Constraint::Accept(int32_t id) {
  if (!Allows(id)) return false;
  const TokenKind kind = vocabulary_->kind(id);
  if (kind == TokenKind::kEndOfGeneration) return true;
  const std::string& piece = vocabulary_->piece(id);
  if (active_) return matcher_.AcceptBytes(piece);
  if (IsTriggerToken(id)) {
    active_ = true;
    return matcher_.AcceptBytes(piece);
  }
  std::string text = pending_ + piece;
  const size_t at = FindTrigger(text);
  if (at != std::string::npos) {
    active_ = true;
    return matcher_.AcceptBytes(std::string_view(text).substr(at));
  }
  // Keep only what could still be the start of a trigger.
  if (max_trigger_ > 1 && text.size() > max_trigger_ - 1)
    text.erase(0, text.size() - (max_trigger_ - 1));
  pending_ = max_trigger_ > 1 ? std::move(text) : std::string();
  return true;
}

}  // namespace densing::grammar
