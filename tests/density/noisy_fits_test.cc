// Fits on noisy data: the estimates centre on the truth and the reported standard errors match
// the spread of the estimates over 500 noisy draws (fixed seed; statistical, not timing).
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "density/least_squares.h"
#include "density/sigmoid.h"

namespace densing::density {
namespace {

struct RngFree {
  void operator()(gsl_rng* r) const { gsl_rng_free(r); }
};

struct Spread {
  double sum = 0, sum_sq = 0, sum_se = 0;
  int n = 0;
  void Add(double v, double se) {
    sum += v;
    sum_sq += v * v;
    sum_se += se;
    ++n;
  }
  double Mean() const { return sum / n; }
  double Sd() const { return std::sqrt(sum_sq / n - Mean() * Mean()); }
  double MeanSe() const { return sum_se / n; }
};

TEST(NoisyFits, LineStandardErrorMatchesTheSpreadOfSlopes) {
  std::unique_ptr<gsl_rng, RngFree> rng(gsl_rng_alloc(gsl_rng_mt19937));
  gsl_rng_set(rng.get(), 5);
  const std::vector<double> x = {0, 40, 100, 180, 260, 330, 420, 560};
  Spread slope;
  for (int k = 0; k < 500; ++k) {
    std::vector<double> y;
    for (double t : x) y.push_back(0.007 * t - 1.5 + gsl_ran_gaussian(rng.get(), 0.3));
    const LinearFit f = FitLine(x, y, "noisy line");
    slope.Add(f.slope, f.slope_std_error);
  }
  EXPECT_NEAR(slope.Mean(), 0.007, 3 * slope.Sd() / std::sqrt(500.0));
  // E[SE] is a little below the true SD (SE is a square root); 15% holds it for 6 dof.
  EXPECT_NEAR(slope.MeanSe() / slope.Sd(), 1.0, 0.15);
}

TEST(NoisyFits, SigmoidStandardErrorsMatchTheSpreadOfEstimates) {
  // The family reference's shape: S = 25 + 75 / (1 + exp(−γ (ln N − l))), γ and l fitted, on
  // eight sizes with one MMLU point of noise.
  std::unique_ptr<gsl_rng, RngFree> rng(gsl_rng_alloc(gsl_rng_mt19937));
  gsl_rng_set(rng.get(), 6);
  const std::vector<double> ln_n = {std::log(0.5), std::log(1.0), std::log(2.0), std::log(4.0),
                                    std::log(8.0), std::log(16.0), std::log(32.0), std::log(64.0)};
  const Sigmoid truth{75, 0.6, 2.0, 25};
  Spread gamma, l;
  for (int k = 0; k < 500; ++k) {
    std::vector<double> s;
    for (double x : ln_n) s.push_back(truth(x) + gsl_ran_gaussian(rng.get(), 1.0));
    const SigmoidFit f = FitSigmoid(ln_n, s, std::make_pair(75.0, 25.0), "noisy sigmoid");
    gamma.Add(f.curve.gamma, f.std_errors.gamma);
    l.Add(f.curve.l, f.std_errors.l);
  }
  EXPECT_NEAR(gamma.Mean(), 0.6, 3 * gamma.Sd() / std::sqrt(500.0) + 0.005);
  EXPECT_NEAR(l.Mean(), 2.0, 3 * l.Sd() / std::sqrt(500.0) + 0.005);
  EXPECT_NEAR(gamma.MeanSe() / gamma.Sd(), 1.0, 0.15);
  EXPECT_NEAR(l.MeanSe() / l.Sd(), 1.0, 0.15);
}

}  // namespace
}  // namespace densing::density
