// KL-divergence of a model's next-token distributions from its base's, over the positions that
// perplexity scores (the second half of each chunk), with the base's distributions coming from
// the base model itself or from a file it wrote earlier.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "eval/base_logits_file.h"
#include "eval/chunks.h"
#include "model/model.h"
#include "threading/thread_pool.h"

namespace densing::eval {

struct PositionStats {
  double kld;        // Σ p_base · (log p_base − log p_model)
  double nll_base;   // −log p_base(target)
  double nll_model;  // −log p_model(target)
  double p_diff;     // p_model(target) − p_base(target)
  bool same_top;     // both put the same token first
};

// base_log_probs: normalized ([n_vocab]); logits: the model's raw row.
PositionStats ComparePosition(std::span<const float> base_log_probs, std::span<const float> logits,
                              int32_t target);

struct KldSummary {
  int64_t n_positions = 0;
  double mean_kld = 0, mean_kld_stderr = 0;
  double median_kld = 0, p90_kld = 0, p99_kld = 0, max_kld = 0;
  double same_top_p = 0, same_top_p_stderr = 0;
  double mean_abs_dp = 0, mean_dp = 0, mean_dp_stderr = 0, rms_dp = 0;
  double ppl_base = 0, ppl_model = 0, delta_ppl = 0;  // delta: model − base
};

// Percentiles interpolate linearly between order statistics.
KldSummary Summarize(std::span<const PositionStats> positions);

// Where the base's log-probabilities come from, a group of chunks at a time.
class BaseSource {
 public:
  virtual ~BaseSource() = default;
  virtual int64_t n_vocab() const = 0;
  // out: [(end − begin) · plan.n_rows(), n_vocab] normalized log-probabilities.
  virtual void Fill(int64_t begin, int64_t end, std::vector<float>& out) = 0;
};

class ModelBase : public BaseSource {
 public:
  ModelBase(const Model& base, ThreadPool& pool, const ChunkPlan& plan, int64_t n_batch,
            KvTypes kv_types = {});
  int64_t n_vocab() const override { return runner_.n_vocab(); }
  void Fill(int64_t begin, int64_t end, std::vector<float>& out) override;

 private:
  ThreadPool& pool_;
  const ChunkPlan& plan_;
  ChunkRunner runner_;
};

class FileBase : public BaseSource {
 public:
  explicit FileBase(const BaseLogitsReader& reader) : reader_(reader) {}
  int64_t n_vocab() const override { return reader_.n_vocab(); }
  void Fill(int64_t begin, int64_t end, std::vector<float>& out) override { reader_.Read(begin, end, out); }

 private:
  const BaseLogitsReader& reader_;
};

// Compares `model` (may be null: then only `save` is written) with `base` over `plan`; `save`
// (may be null) receives the base's rows. on_chunk(chunks_done) after each group.
KldSummary RunKld(const Model* model, ThreadPool& pool, const ChunkPlan& plan, int64_t n_batch,
                  BaseSource& base, BaseLogitsWriter* save, KvTypes kv_types = {},
                  const std::function<void(int64_t)>& on_chunk = {});

}  // namespace densing::eval
