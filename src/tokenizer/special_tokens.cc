// SpecialTokenSplitter: finds special token texts in raw text, longest token first.
#include "tokenizer/special_tokens.h"

#include <algorithm>

namespace densing::tokenizer {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

uint32_t PrefixKey(std::string_view s) {
  const auto b0 = static_cast<uint8_t>(s[0]);
  return s.size() == 1 ? (0x10000u | b0) : (b0 << 8 | static_cast<uint8_t>(s[1]));
}

bool Eligible(const Vocab& vocab, int32_t id, bool parse_special) {
  return parse_special || vocab.types[id] == TokenType::kUserDefined;
}

// Cuts every occurrence of token `id` out of `text`, appending the pieces to `out`.
void CutToken(const Vocab& vocab, int32_t id, std::string_view text, std::vector<Fragment>* out) {
  const std::string_view token = vocab.texts[id];
  const uint8_t strip = vocab.strip[id];
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t at = rest.find(token);
    if (at == std::string_view::npos) {
      out->push_back({rest, -1});
      return;
    }
    std::string_view left = rest.substr(0, at);
    if (strip & kLstrip) {
      while (!left.empty() && IsSpace(left.back())) left.remove_suffix(1);
    }
    if (!left.empty()) out->push_back({left, -1});
    out->push_back({token, id});
    rest.remove_prefix(at + token.size());
    if (strip & kRstrip) {
      while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
    }
  }
}

}  // namespace

SpecialTokenSplitter::SpecialTokenSplitter(const Vocab& vocab) {
  for (int32_t id = 0; id < vocab.size(); ++id) {
    const TokenType t = vocab.types[id];
    if (t == TokenType::kControl || t == TokenType::kUserDefined || t == TokenType::kUnknown) {
      candidates_.push_back(id);
      any_user_defined_ |= t == TokenType::kUserDefined;
    }
  }
  // Longest first, as llama.cpp (whose sort leaves ties in no particular order).
  std::stable_sort(candidates_.begin(), candidates_.end(), [&vocab](int32_t a, int32_t b) {
    return vocab.texts[a].size() > vocab.texts[b].size();
  });
  for (uint32_t i = 0; i < candidates_.size(); ++i) {
    const std::string& text = vocab.texts[candidates_[i]];  // never empty (LoadVocab)
    first_bytes_.set(static_cast<uint8_t>(text[0]));
    by_prefix_[PrefixKey(text)].push_back(i);
  }
}

std::vector<bool> SpecialTokenSplitter::FindPresent(const Vocab& vocab, std::string_view text,
                                                    bool parse_special) const {
  std::vector<bool> present(candidates_.size(), false);
  auto check = [&](uint32_t key, size_t pos) {
    auto it = by_prefix_.find(key);
    if (it == by_prefix_.end()) return;
    for (uint32_t i : it->second) {
      if (present[i] || !Eligible(vocab, candidates_[i], parse_special)) continue;
      if (text.substr(pos).starts_with(vocab.texts[candidates_[i]])) present[i] = true;
    }
  };
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (!first_bytes_.test(static_cast<uint8_t>(text[pos]))) continue;
    check(PrefixKey(text.substr(pos, 1)), pos);
    if (pos + 1 < text.size()) check(PrefixKey(text.substr(pos, 2)), pos);
  }
  return present;
}

std::vector<Fragment> SpecialTokenSplitter::Split(const Vocab& vocab, std::string_view text,
                                                  bool parse_special) const {
  std::vector<Fragment> fragments;
  if (text.empty()) return fragments;
  fragments.push_back({text, -1});
  if (!parse_special && !any_user_defined_) return fragments;
  const std::vector<bool> present = FindPresent(vocab, text, parse_special);
  std::vector<Fragment> next;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    if (!present[i]) continue;
    next.clear();
    for (const Fragment& f : fragments) {
      if (f.token >= 0) {
        next.push_back(f);
      } else {
        CutToken(vocab, candidates_[i], f.text, &next);
      }
    }
    fragments.swap(next);
  }
  return fragments;
}

}  // namespace densing::tokenizer
