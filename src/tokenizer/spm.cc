// SPM tokenizer: greedy best-score bigram merging over UTF-8 characters, with byte fallback.
#include "tokenizer/spm.h"

#include <queue>

#include "base/error.h"
#include "tokenizer/utf8.h"

namespace densing::tokenizer {
namespace {

struct Symbol {
  uint32_t start;  // byte offset in the text
  uint32_t n;      // byte length; 0 once merged into its left neighbour
  int32_t prev;
  int32_t next;
};

struct Bigram {
  int32_t left;
  int32_t right;
  float score;
  uint32_t size;
};

// Highest score first; among equal scores the leftmost pair.
struct LowerPriority {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

using BigramQueue = std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority>;

void TryAddBigram(const Vocab& vocab, std::string_view text, const std::vector<Symbol>& symbols,
                  int32_t left, int32_t right, BigramQueue* queue) {
  if (left < 0 || right < 0) return;
  const Symbol& l = symbols[left];
  const uint32_t size = l.n + symbols[right].n;
  const int32_t id = vocab.Find(text.substr(l.start, size));
  if (id < 0) return;
  queue->push({left, right, vocab.scores[id], size});
}

void EmitBytes(const Vocab& vocab, std::string_view piece, std::vector<int32_t>* out) {
  for (char c : piece) {
    int32_t id = vocab.byte_tokens[static_cast<uint8_t>(c)];
    if (id < 0) id = vocab.unk;
    if (id < 0) {
      Fail("tokenizer: byte 0x{:02X} has no token and the vocabulary has no unknown token",
           static_cast<uint8_t>(c));
    }
    out->push_back(id);
  }
}

}  // namespace

std::string SpmEscape(std::string_view text, bool add_prefix) {
  std::string out;
  out.reserve(text.size() + text.size() / 2 + 3);
  if (add_prefix) out += "\xE2\x96\x81";
  for (char c : text) {
    if (c == ' ') {
      out += "\xE2\x96\x81";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void SpmTokenize(const Vocab& vocab, std::string_view text, std::vector<int32_t>* out) {
  if (text.empty()) return;
  if (text.size() >= UINT32_MAX / 2) Fail("tokenizer: text of {} bytes is too long", text.size());
  std::vector<Symbol> symbols;
  symbols.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = std::min(Utf8SeqLen(static_cast<uint8_t>(text[pos])), text.size() - pos);
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(n), index - 1,
                       pos + n == text.size() ? -1 : index + 1});
    pos += n;
  }

  BigramQueue queue;
  for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i) {
    TryAddBigram(vocab, text, symbols, i - 1, i, &queue);
  }
  while (!queue.empty()) {
    const Bigram bigram = queue.top();
    queue.pop();
    Symbol& left = symbols[bigram.left];
    Symbol& right = symbols[bigram.right];
    // Stale: one side was merged away or grew since this pair was queued.
    if (left.n == 0 || right.n == 0 || left.n + right.n != bigram.size) continue;
    left.n += right.n;
    right.n = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = bigram.left;
    TryAddBigram(vocab, text, symbols, left.prev, bigram.left, &queue);
    TryAddBigram(vocab, text, symbols, bigram.left, left.next, &queue);
  }

  // Every merged piece is a token by construction; single characters may not be.
  for (int32_t i = 0; i != -1; i = symbols[i].next) {
    const std::string_view piece = text.substr(symbols[i].start, symbols[i].n);
    const int32_t id = vocab.Find(piece);
    if (id >= 0) {
      out->push_back(id);
    } else {
      EmitBytes(vocab, piece, out);
    }
  }
}

}  // namespace densing::tokenizer
