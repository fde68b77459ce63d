// The token byte trie, built once per vocabulary.
#include "grammar/vocabulary.h"

#include <algorithm>

#include "base/error.h"
#include "tokenizer/tokenizer.h"

namespace densing::grammar {

Vocabulary::Vocabulary(std::vector<std::string> pieces, std::vector<TokenKind> kinds)
    : pieces_(std::move(pieces)), kinds_(std::move(kinds)) {
  DENSING_CHECK(pieces_.size() == kinds_.size());
  for (size_t i = 0; i < pieces_.size(); ++i) {
    if (kinds_[i] == TokenKind::kText && pieces_[i].empty()) kinds_[i] = TokenKind::kNever;
    if (kinds_[i] == TokenKind::kText) tokens_.push_back(static_cast<int32_t>(i));
    if (kinds_[i] == TokenKind::kEndOfGeneration) end_tokens_.push_back(static_cast<int32_t>(i));
  }
  std::sort(tokens_.begin(), tokens_.end(), [&](int32_t a, int32_t b) {
    return pieces_[static_cast<size_t>(a)] < pieces_[static_cast<size_t>(b)];
  });
  nodes_.emplace_back();
  Build(0, 0, tokens_.size(), 0);
}

// tokens_[lo, hi) all share the node's prefix of `depth` bytes; those exactly `depth` long come
// first (sorted order) and end here; the rest are grouped by their next byte into children,
// which are laid out side by side before any grandchild.
void Vocabulary::Build(uint32_t node, size_t lo, size_t hi, size_t depth) {
  const auto len = [&](size_t i) { return pieces_[static_cast<size_t>(tokens_[i])].size(); };
  const auto byte_at = [&](size_t i) {
    return static_cast<uint8_t>(pieces_[static_cast<size_t>(tokens_[i])][depth]);
  };
  size_t i = lo;
  while (i < hi && len(i) == depth) ++i;
  nodes_[node].first_token = static_cast<uint32_t>(lo);
  nodes_[node].n_tokens = static_cast<uint32_t>(i - lo);
  std::vector<std::pair<size_t, size_t>> groups;
  while (i < hi) {
    size_t j = i + 1;
    while (j < hi && byte_at(j) == byte_at(i)) ++j;
    groups.push_back({i, j});
    i = j;
  }
  const auto first = static_cast<uint32_t>(nodes_.size());
  nodes_[node].first_child = first;
  nodes_[node].n_children = static_cast<uint32_t>(groups.size());
  for (const auto& [a, b] : groups) {
    Node child;
    child.byte = byte_at(a);
    nodes_.push_back(child);
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    Build(first + static_cast<uint32_t>(g), groups[g].first, groups[g].second, depth + 1);
  }
}

std::shared_ptr<const Vocabulary> Vocabulary::FromTokenizer(const Tokenizer& tokenizer) {
  const int32_t n = tokenizer.n_vocab();
  std::vector<std::string> pieces(static_cast<size_t>(n));
  std::vector<TokenKind> kinds(static_cast<size_t>(n), TokenKind::kText);
  for (int32_t id = 0; id < n; ++id) {
    const auto i = static_cast<size_t>(id);
    if (tokenizer.IsEndOfGeneration(id)) {
      kinds[i] = TokenKind::kEndOfGeneration;
    } else if (tokenizer.IsControl(id)) {
      kinds[i] = TokenKind::kNever;
    } else {
      pieces[i] = tokenizer.TokenToPiece(id, /*render_special=*/false);
    }
  }
  return std::make_shared<Vocabulary>(std::move(pieces), std::move(kinds));
}

}  // namespace densing::grammar
