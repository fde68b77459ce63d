// BpeMerges: merge table keyed by piece-id pairs, and rank-ordered merging of a word.
#include "tokenizer/bpe.h"

#include <algorithm>
#include <queue>

#include "base/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/utf8.h"

namespace densing::tokenizer {
namespace {

constexpr const char* kMergesKey = "tokenizer.ggml.merges";

struct Symbol {
  uint32_t start;
  uint32_t n;  // 0 once merged into its left neighbour
  int32_t prev;
  int32_t next;
  int32_t piece;  // -1 when the text takes part in no merge
};

struct Bigram {
  int32_t left;
  int32_t right;
  int32_t rank;
  int32_t result;
  uint32_t size;
};

// Lowest rank first; among equal ranks the leftmost pair.
struct LowerPriority {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

}  // namespace

int32_t BpeMerges::PieceId(const Vocab& vocab, std::string_view text) const {
  const int32_t id = vocab.Find(text);
  if (id >= 0) return id;
  auto it = extra_pieces_.find(text);
  return it == extra_pieces_.end() ? -1 : it->second;
}

int32_t BpeMerges::Intern(const Vocab& vocab, std::string_view text) {
  const int32_t id = PieceId(vocab, text);
  if (id >= 0) return id;
  const auto new_id = static_cast<int32_t>(vocab.size() + extra_pieces_.size());
  extra_pieces_.emplace(std::string(text), new_id);
  return new_id;
}

BpeMerges BpeMerges::Load(const gguf::File& file, const Vocab& vocab) {
  if (!file.Has(kMergesKey)) Fail("{}: missing (a gpt2 tokenizer needs its merges)", kMergesKey);
  const std::vector<std::string> lines = file.GetStringArray(kMergesKey);
  if (lines.size() >= static_cast<size_t>(INT32_MAX) / 4) {
    Fail("{}: {} merges is more than densing supports", kMergesKey, lines.size());
  }
  BpeMerges merges;
  merges.ranks_.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const size_t space = line.size() > 1 ? line.find(' ', 1) : std::string_view::npos;
    if (space == std::string_view::npos || space + 1 >= line.size()) {
      Fail("{}[{}]: '{}' is not two pieces separated by a space", kMergesKey, i, line);
    }
    const std::string_view left = line.substr(0, space);
    const std::string_view right = line.substr(space + 1);
    const int32_t a = merges.Intern(vocab, left);
    const int32_t b = merges.Intern(vocab, right);
    std::string joined(left);
    joined += right;
    const int32_t result = merges.Intern(vocab, joined);
    // The first rank of a duplicated pair wins, as in llama.cpp.
    merges.ranks_.try_emplace(Key(a, b), Merge{static_cast<int32_t>(i), result});
  }
  return merges;
}

void BpeMerges::TokenizeWord(const Vocab& vocab, std::string_view word, bool ignore_merges,
                             std::vector<int32_t>* out) const {
  if (word.empty()) return;
  if (ignore_merges) {
    const int32_t id = vocab.Find(word);
    if (id >= 0) {
      out->push_back(id);
      return;
    }
  }
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  for (size_t pos = 0; pos < word.size();) {
    const size_t n = std::min(Utf8SeqLen(static_cast<uint8_t>(word[pos])), word.size() - pos);
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(n), index - 1,
                       pos + n == word.size() ? -1 : index + 1,
                       PieceId(vocab, word.substr(pos, n))});
    pos += n;
  }

  std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority> queue;
  auto add_bigram = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[left];
    const Symbol& r = symbols[right];
    if (l.piece < 0 || r.piece < 0) return;
    auto it = ranks_.find(Key(l.piece, r.piece));
    if (it == ranks_.end()) return;
    queue.push({left, right, it->second.rank, it->second.result, l.n + r.n});
  };
  for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i) add_bigram(i - 1, i);

  while (!queue.empty()) {
    const Bigram bigram = queue.top();
    queue.pop();
    Symbol& left = symbols[bigram.left];
    Symbol& right = symbols[bigram.right];
    // Stale: a side was merged away or grew since this pair was queued.
    if (left.n == 0 || right.n == 0 || left.n + right.n != bigram.size) continue;
    left.n += right.n;
    left.piece = bigram.result;
    right.n = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = bigram.left;
    add_bigram(left.prev, bigram.left);
    add_bigram(bigram.left, left.next);
  }

  for (int32_t i = 0; i != -1; i = symbols[i].next) {
    const Symbol& s = symbols[i];
    if (s.piece >= 0 && s.piece < vocab.size()) {
      out->push_back(s.piece);
      continue;
    }
    for (char c : word.substr(s.start, s.n)) {
      const int32_t id = vocab.Find(std::string_view(&c, 1));
      if (id >= 0) out->push_back(id);
    }
  }
}

}  // namespace densing::tokenizer
