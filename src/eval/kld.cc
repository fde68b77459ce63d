// Per-position comparison of two distributions and the summary over all positions.
#include "eval/kld.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "eval/log_prob.h"
#include "eval/mean_stat.h"

namespace densing::eval {
namespace {

double Percentile(const std::vector<double>& sorted, double q) {
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(at));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (at - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

PositionStats ComparePosition(std::span<const float> base_lp, std::span<const float> logits,
                              int32_t target) {
  DENSING_CHECK(base_lp.size() == logits.size());
  const RowSummary m = SummarizeRow(logits);
  double kld = 0;
  int32_t base_top = 0;
  for (size_t i = 0; i < base_lp.size(); ++i) {
    if (base_lp[i] > base_lp[static_cast<size_t>(base_top)]) base_top = static_cast<int32_t>(i);
    if (std::isinf(base_lp[i])) continue;  // probability 0 adds nothing
    const double lb = base_lp[i];
    kld += std::exp(lb) * (lb - (static_cast<double>(logits[i]) - m.log_sum_exp));
  }
  PositionStats s;
  s.kld = std::max(0.0, kld);  // rounding can leave −1e-12 where both agree
  s.nll_base = -static_cast<double>(base_lp[static_cast<size_t>(target)]);
  if (std::isinf(s.nll_base)) {
    // Below the range a saved row keeps: the lowest kept log-probability bounds it.
    float floor = 0;
    for (float v : base_lp) {
      if (!std::isinf(v)) floor = std::min(floor, v);
    }
    s.nll_base = -static_cast<double>(floor);
  }
  s.nll_model = -TokenLogProb(logits, m, target);
  s.p_diff = std::exp(-s.nll_model) - std::exp(-s.nll_base);
  s.same_top = base_top == m.argmax;
  return s;
}

KldSummary Summarize(std::span<const PositionStats> positions) {
  KldSummary r;
  r.n_positions = static_cast<int64_t>(positions.size());
  if (positions.empty()) return r;
  RunningMean kld, same, dp, abs_dp, dp2, nll_base, nll_model;
  std::vector<double> sorted;
  sorted.reserve(positions.size());
  for (const PositionStats& p : positions) {
    kld.Add(p.kld);
    same.Add(p.same_top ? 1.0 : 0.0);
    dp.Add(p.p_diff);
    abs_dp.Add(std::fabs(p.p_diff));
    dp2.Add(p.p_diff * p.p_diff);
    nll_base.Add(p.nll_base);
    nll_model.Add(p.nll_model);
    sorted.push_back(p.kld);
  }
  std::sort(sorted.begin(), sorted.end());
  r.mean_kld = kld.mean();
  r.mean_kld_stderr = kld.stderr_of_mean();
  r.median_kld = Percentile(sorted, 0.5);
  r.p90_kld = Percentile(sorted, 0.9);
  r.p99_kld = Percentile(sorted, 0.99);
  r.max_kld = sorted.back();
  r.same_top_p = same.mean();
  r.same_top_p_stderr = same.stderr_of_mean();
  r.mean_dp = dp.mean();
  r.mean_dp_stderr = dp.stderr_of_mean();
  r.mean_abs_dp = abs_dp.mean();
  r.rms_dp = std::sqrt(dp2.mean());
  r.ppl_base = std::exp(nll_base.mean());
  r.ppl_model = std::exp(nll_model.mean());
  r.delta_ppl = r.ppl_model - r.ppl_base;
  return r;
}

ModelBase::ModelBase(const Model& base, ThreadPool& pool, const ChunkPlan& plan, int64_t n_batch,
                     KvTypes kv_types)
    : pool_(pool), plan_(plan), runner_(base, pool, plan, n_batch, kv_types) {}

void ModelBase::Fill(int64_t begin, int64_t end, std::vector<float>& out) {
  const int64_t n_vocab = runner_.n_vocab();
  out.resize(static_cast<size_t>((end - begin) * plan_.n_rows() * n_vocab));
  runner_.Run(begin, end, [&](const ChunkRows& rows) {
    float* dst = out.data() + ((rows.chunk - begin) * plan_.n_rows() + rows.row0) * n_vocab;
    pool_.ParallelFor(rows.n_rows, [&](int64_t i, int) {
      LogSoftmax({rows.logits + i * n_vocab, static_cast<size_t>(n_vocab)},
                 {dst + i * n_vocab, static_cast<size_t>(n_vocab)});
    });
  });
}

KldSummary RunKld(const Model* model, ThreadPool& pool, const ChunkPlan& plan, int64_t n_batch,
                  BaseSource& base, BaseLogitsWriter* save, KvTypes kv_types,
                  const std::function<void(int64_t)>& on_chunk) {
  const int64_t n_vocab = base.n_vocab();
  std::unique_ptr<ChunkRunner> runner;
  if (model != nullptr) {
    runner = std::make_unique<ChunkRunner>(*model, pool, plan, n_batch, kv_types);
    if (runner->n_vocab() != n_vocab) {
      Fail("the model has {} tokens in its vocabulary, the base {}", runner->n_vocab(), n_vocab);
    }
  }
  const int64_t group = std::max<int64_t>(1, n_batch / plan.n_ctx);
  std::vector<float> base_rows;
  std::vector<PositionStats> positions;
  positions.reserve(static_cast<size_t>(plan.n_chunks * plan.n_rows()));
  std::vector<PositionStats> step;
  for (int64_t begin = 0; begin < plan.n_chunks; begin += group) {
    const int64_t end = std::min(plan.n_chunks, begin + group);
    base.Fill(begin, end, base_rows);
    if (save != nullptr) save->Append(base_rows);
    if (runner) {
      runner->Run(begin, end, [&](const ChunkRows& rows) {
        step.resize(static_cast<size_t>(rows.n_rows));
        const float* b = base_rows.data() + ((rows.chunk - begin) * plan.n_rows() + rows.row0) * n_vocab;
        pool.ParallelFor(rows.n_rows, [&](int64_t i, int) {
          step[static_cast<size_t>(i)] =
              ComparePosition({b + i * n_vocab, static_cast<size_t>(n_vocab)},
                              {rows.logits + i * n_vocab, static_cast<size_t>(n_vocab)},
                              plan.Target(rows.chunk, rows.row0 + i));
        });
        positions.insert(positions.end(), step.begin(), step.end());
      });
    }
    if (on_chunk) on_chunk(end);
  }
  return Summarize(positions);
}

}  // namespace densing::eval
