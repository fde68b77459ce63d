// Vocabulary: what each token outputs, as bytes, in a byte trie so that masking a grammar walks
// a prefix shared by many tokens once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace densing {
class Tokenizer;
}

namespace densing::grammar {

enum class TokenKind : uint8_t {
  kText,             // outputs its bytes
  kEndOfGeneration,  // allowed only where the grammar can end
  kNever,            // control tokens and tokens that output nothing: never under a grammar
};

class Vocabulary {
 public:
  // pieces[i]: the bytes token i outputs (SPM's ▁ as a space, <0xXX> as that byte, byte-level
  // BPE mapped back to bytes).
  Vocabulary(std::vector<std::string> pieces, std::vector<TokenKind> kinds);
  static std::shared_ptr<const Vocabulary> FromTokenizer(const Tokenizer& tokenizer);

  int32_t size() const { return static_cast<int32_t>(pieces_.size()); }
  const std::string& piece(int32_t id) const { return pieces_[static_cast<size_t>(id)]; }
  TokenKind kind(int32_t id) const { return kinds_[static_cast<size_t>(id)]; }
  const std::vector<int32_t>& end_tokens() const { return end_tokens_; }

  struct Node {
    uint32_t first_child = 0, n_children = 0;  // into nodes()
    uint32_t first_token = 0, n_tokens = 0;    // into tokens(): the tokens ending here
    uint8_t byte = 0;                          // the byte that leads here from the parent
  };
  // nodes()[0] is the root (the empty prefix); children are sorted by byte.
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<int32_t>& tokens() const { return tokens_; }

 private:
  void Build(uint32_t node, size_t lo, size_t hi, size_t depth);

  std::vector<std::string> pieces_;
  std::vector<TokenKind> kinds_;
  std::vector<int32_t> end_tokens_;
  std::vector<Node> nodes_;
  std::vector<int32_t> tokens_;  // kText tokens sorted by piece
};

}  // namespace densing::grammar
