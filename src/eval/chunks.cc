// Chunk planning and the batched evaluation of chunks.
#include "eval/chunks.h"

#include <algorithm>

#include "base/error.h"
#include "model/forward.h"
#include "tokenizer/tokenizer.h"

namespace densing::eval {

ChunkPlan PlanChunks(std::vector<int32_t> tokens, int64_t n_ctx, int32_t bos, int64_t max_chunks) {
  if (n_ctx < 4) Fail("a context of {} tokens is too small to score (at least 4)", n_ctx);
  ChunkPlan plan;
  plan.n_chunks = static_cast<int64_t>(tokens.size()) / n_ctx;
  if (plan.n_chunks < 1) {
    Fail("the text has {} tokens, fewer than one chunk of {} (-c)", tokens.size(), n_ctx);
  }
  if (max_chunks > 0) plan.n_chunks = std::min(plan.n_chunks, max_chunks);
  plan.tokens = std::move(tokens);
  plan.n_ctx = n_ctx;
  plan.first = n_ctx / 2;
  plan.bos = bos;
  return plan;
}

ChunkPlan PlanText(const Tokenizer& tokenizer, std::string_view text, int64_t n_ctx,
                   int64_t max_chunks) {
  const int32_t bos = tokenizer.add_bos() ? tokenizer.bos() : -1;
  return PlanChunks(tokenizer.Encode(text, /*add_special=*/true, /*parse_special=*/false), n_ctx,
                    bos, max_chunks);
}

ChunkRunner::ChunkRunner(const Model& model, ThreadPool& pool, const ChunkPlan& plan,
                         int64_t n_batch, KvTypes kv_types)
    : model_(model), pool_(pool), plan_(plan), n_vocab_(model.weights().output.ne[1]) {
  if (n_batch < 1) Fail("batch size {} is below 1", n_batch);
  n_seq_ = std::max<int64_t>(1, n_batch / plan.n_ctx);
  n_seq_ = std::min(n_seq_, plan.n_chunks);
  const int64_t step = std::min(n_batch, n_seq_ * plan.n_ctx);
  for (int64_t i = 0; i < n_seq_; ++i) {
    caches_.push_back(std::make_unique<KvCache>(model.config(), plan.n_ctx, kv_types));
  }
  act_ = std::make_unique<Activations>(model, step, plan.n_ctx);
  batch_.reserve(static_cast<size_t>(step));
  batch_chunk_.reserve(static_cast<size_t>(step));
  logits_.resize(static_cast<size_t>(step * n_vocab_));
}

ChunkRunner::~ChunkRunner() = default;

void ChunkRunner::Run(int64_t begin, int64_t end, const std::function<void(const ChunkRows&)>& fn) {
  DENSING_CHECK(begin >= 0 && end <= plan_.n_chunks);
  const int64_t n_ctx = plan_.n_ctx;
  const int64_t step = act_->n_batch;
  for (int64_t group = begin; group < end; group += n_seq_) {
    const int64_t n_seq = std::min(n_seq_, end - group);
    const int64_t total = n_seq * n_ctx;  // tokens of the group, chunk after chunk
    std::vector<int64_t> rows_done(static_cast<size_t>(n_seq), 0);
    for (int64_t start = 0; start < total; start += step) {
      const int64_t n = std::min(step, total - start);
      batch_.clear();
      batch_chunk_.clear();
      for (int64_t i = start; i < start + n; ++i) {
        const int64_t s = i / n_ctx, pos = i % n_ctx;
        const bool scored = pos >= plan_.first && pos < n_ctx - 1;
        batch_.push_back({plan_.Input(group + s, pos), pos, caches_[static_cast<size_t>(s)].get(), scored});
        if (scored) batch_chunk_.push_back(s);
      }
      ForwardBatch(model_, batch_, *act_, pool_, logits_.data());
      // Hand the rows over per chunk: they are contiguous in batch order.
      size_t r = 0;
      while (r < batch_chunk_.size()) {
        const int64_t s = batch_chunk_[r];
        size_t e = r;
        while (e < batch_chunk_.size() && batch_chunk_[e] == s) ++e;
        int64_t& done = rows_done[static_cast<size_t>(s)];
        const auto n_rows = static_cast<int64_t>(e - r);
        fn(ChunkRows{group + s, done, n_rows, logits_.data() + static_cast<int64_t>(r) * n_vocab_,
                     done + n_rows == plan_.n_rows()});
        done += n_rows;
        r = e;
      }
    }
  }
}

}  // namespace densing::eval
