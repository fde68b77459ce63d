// The reference engine's way of scoring a text: its tokens cut into chunks of n_ctx, BOS first in
// each chunk, and only the logits of the second half of each chunk scored.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "model/model.h"
#include "model/state.h"
#include "threading/thread_pool.h"

namespace densing {
class Tokenizer;
}

namespace densing::eval {

struct ChunkPlan {
  std::vector<int32_t> tokens;  // the whole text, tokenized once (BOS at the start if the model adds one)
  int64_t n_ctx = 0;
  int64_t n_chunks = 0;  // tokens.size() / n_ctx: the tail that does not fill a chunk is dropped
  int64_t first = 0;     // n_ctx / 2: the logits of positions first … n_ctx − 2 are scored
  int32_t bos = -1;      // replaces each chunk's first token; −1 when the model adds none

  // Scored positions per chunk: each predicts the token after it.
  int64_t n_rows() const { return n_ctx - 1 - first; }
  // The token that row `row` of chunk `chunk` predicts.
  int32_t Target(int64_t chunk, int64_t row) const {
    return tokens[static_cast<size_t>(chunk * n_ctx + first + row + 1)];
  }
  // The token evaluated at `pos` of `chunk` (BOS in place of the first).
  int32_t Input(int64_t chunk, int64_t pos) const {
    return pos == 0 && bos >= 0 ? bos : tokens[static_cast<size_t>(chunk * n_ctx + pos)];
  }
};

// Throws Error when n_ctx is below 4 or the tokens do not fill one chunk. max_chunks > 0 caps
// the count.
ChunkPlan PlanChunks(std::vector<int32_t> tokens, int64_t n_ctx, int32_t bos, int64_t max_chunks = 0);
// Tokenizes `text` as the model's metadata asks (BOS added when add_bos), then PlanChunks.
ChunkPlan PlanText(const Tokenizer& tokenizer, std::string_view text, int64_t n_ctx,
                   int64_t max_chunks = 0);

// Scored logits of one chunk: rows row0 … row0 + n_rows − 1, each [n_vocab].
struct ChunkRows {
  int64_t chunk;
  int64_t row0;
  int64_t n_rows;
  const float* logits;  // [n_rows, n_vocab]
  bool last;            // the chunk's final rows
};

// Evaluates chunks, several at once when they fit a batch (each in its own cache), asking the
// output head only for the scored positions. Buffers are sized once, here.
class ChunkRunner {
 public:
  ChunkRunner(const Model& model, ThreadPool& pool, const ChunkPlan& plan, int64_t n_batch,
              KvTypes kv_types = {});
  ~ChunkRunner();

  // Calls `fn` for the scored rows of chunks [begin, end), in chunk and row order.
  void Run(int64_t begin, int64_t end, const std::function<void(const ChunkRows&)>& fn);
  int64_t n_vocab() const { return n_vocab_; }

 private:
  const Model& model_;
  ThreadPool& pool_;
  const ChunkPlan& plan_;
  int64_t n_vocab_;
  int64_t n_seq_;  // chunks per group
  std::vector<std::unique_ptr<KvCache>> caches_;
  std::unique_ptr<Activations> act_;
  std::vector<BatchToken> batch_;
  std::vector<int64_t> batch_chunk_;  // per batch token: its chunk
  std::vector<float> logits_;         // [n_batch, n_vocab]
};

}  // namespace densing::eval
