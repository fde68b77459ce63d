// RunningMean: mean and standard error of a stream of values, in double.
#pragma once

#include <cmath>
#include <cstdint>

namespace densing::eval {

class RunningMean {
 public:
  void Add(double x) {
    ++n_;
    sum_ += x;
    sum2_ += x * x;
  }
  void Merge(const RunningMean& o) {
    n_ += o.n_;
    sum_ += o.sum_;
    sum2_ += o.sum2_;
  }
  int64_t count() const { return n_; }
  double sum() const { return sum_; }
  double mean() const { return n_ > 0 ? sum_ / static_cast<double>(n_) : 0.0; }
  // Sample standard deviation over √n, i.e. sqrt((E[x²] − E[x]²) / (n − 1)): what both
  // lm-evaluation-harness and the reference engine's perplexity report. 0 below two values.
  double stderr_of_mean() const {
    if (n_ < 2) return 0.0;
    const double m = mean();
    const double var = sum2_ / static_cast<double>(n_) - m * m;
    return var > 0 ? std::sqrt(var / static_cast<double>(n_ - 1)) : 0.0;
  }

 private:
  int64_t n_ = 0;
  double sum_ = 0;
  double sum2_ = 0;
};

}  // namespace densing::eval
