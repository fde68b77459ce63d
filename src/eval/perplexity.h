// Perplexity of a model over a text, computed the reference engine's way (see chunks.h).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "eval/chunks.h"
#include "model/model.h"
#include "threading/thread_pool.h"

namespace densing::eval {

struct PerplexityResult {
  int64_t n_ctx = 0;
  int64_t n_tokens = 0;  // of the whole text
  int64_t n_chunks = 0;
  int64_t n_scored = 0;  // positions scored, n_chunks · (n_ctx − 1 − n_ctx/2)
  double nll = 0;        // mean negative log-likelihood per scored token (nats)
  double nll_stderr = 0;
  double ppl = 0;         // exp(nll)
  double ppl_stderr = 0;  // nll_stderr · ppl (the delta method)
  std::vector<double> running_ppl;  // the estimate after each chunk
};

// on_chunk(chunks_done, running_ppl) after each chunk, e.g. for a progress bar.
PerplexityResult Perplexity(const Model& model, ThreadPool& pool, const ChunkPlan& plan,
                            int64_t n_batch, KvTypes kv_types = {},
                            const std::function<void(int64_t, double)>& on_chunk = {});

}  // namespace densing::eval
