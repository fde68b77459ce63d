// Negative log-likelihood of the scored positions, accumulated in chunk and row order so that the
// result does not depend on the thread count.
#include "eval/perplexity.h"

#include <cmath>

#include "eval/log_prob.h"
#include "eval/mean_stat.h"

namespace densing::eval {

PerplexityResult Perplexity(const Model& model, ThreadPool& pool, const ChunkPlan& plan,
                            int64_t n_batch, KvTypes kv_types,
                            const std::function<void(int64_t, double)>& on_chunk) {
  ChunkRunner runner(model, pool, plan, n_batch, kv_types);
  const int64_t n_vocab = runner.n_vocab();
  RunningMean nll;
  PerplexityResult r;
  std::vector<double> row_nll(static_cast<size_t>(plan.n_rows()));
  runner.Run(0, plan.n_chunks, [&](const ChunkRows& rows) {
    pool.ParallelFor(rows.n_rows, [&](int64_t i, int) {
      std::span<const float> row(rows.logits + i * n_vocab, static_cast<size_t>(n_vocab));
      row_nll[static_cast<size_t>(i)] =
          -TokenLogProb(row, SummarizeRow(row), plan.Target(rows.chunk, rows.row0 + i));
    });
    for (int64_t i = 0; i < rows.n_rows; ++i) nll.Add(row_nll[static_cast<size_t>(i)]);
    if (rows.last) {
      r.running_ppl.push_back(std::exp(nll.mean()));
      if (on_chunk) on_chunk(rows.chunk + 1, r.running_ppl.back());
    }
  });
  r.n_ctx = plan.n_ctx;
  r.n_tokens = static_cast<int64_t>(plan.tokens.size());
  r.n_chunks = plan.n_chunks;
  r.n_scored = nll.count();
  r.nll = nll.mean();
  r.nll_stderr = nll.stderr_of_mean();
  r.ppl = std::exp(r.nll);
  r.ppl_stderr = r.nll_stderr * r.ppl;
  return r;
}

}  // namespace densing::eval
