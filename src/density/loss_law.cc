// Loss-law evaluation, inversion, and a fit started from a grid over the exponents with a and b
// solved exactly (the law is linear in them once α and β are fixed).
#include "density/loss_law.h"

#include <cmath>
#include <vector>

#include "base/error.h"

namespace densing::density {

double LossLaw::operator()(double n, double d) const {
  return a * std::pow(n, -alpha) + b * std::pow(d, -beta);
}

std::optional<double> LossLaw::InverseParams(double loss, double d0) const {
  if (a <= 0 || alpha <= 0) return std::nullopt;
  const double model_term = loss - b * std::pow(d0, -beta);
  if (!(model_term > 0)) return std::nullopt;
  const double n = std::pow(model_term / a, -1.0 / alpha);
  if (!std::isfinite(n)) return std::nullopt;
  return n;
}

LossLawFit FitLossLaw(std::span<const double> n, std::span<const double> d,
                      std::span<const double> loss, const std::string& what) {
  DENSING_CHECK(n.size() == d.size() && n.size() == loss.size());
  for (size_t i = 0; i < n.size(); ++i) {
    if (!(n[i] > 0) || !(d[i] > 0) || !(loss[i] > 0)) {
      Fail("{}: point {} has N = {}, D = {}, L = {}; all must be positive", what, i + 1, n[i], d[i],
           loss[i]);
    }
  }
  LeastSquaresProblem problem;
  problem.what = what;
  problem.n_data = n.size();
  problem.n_params = 4;  // ln a, α, ln b, β: positive a and b without constraints
  problem.residuals = [&](std::span<const double> p, std::span<double> r) {
    for (size_t i = 0; i < n.size(); ++i) {
      r[i] =
          std::exp(p[0] - p[1] * std::log(n[i])) + std::exp(p[2] - p[3] * std::log(d[i])) - loss[i];
    }
  };
  std::vector<std::vector<double>> starts;
  for (double alpha : {0.05, 0.15, 0.3, 0.5, 0.8}) {
    for (double beta : {0.05, 0.15, 0.3, 0.5, 0.8}) {
      // Least squares for a, b with u = N^−α, v = D^−β: the 2×2 normal equations.
      double uu = 0, uv = 0, vv = 0, ul = 0, vl = 0;
      for (size_t i = 0; i < n.size(); ++i) {
        const double u = std::pow(n[i], -alpha);
        const double v = std::pow(d[i], -beta);
        uu += u * u;
        uv += u * v;
        vv += v * v;
        ul += u * loss[i];
        vl += v * loss[i];
      }
      const double det = uu * vv - uv * uv;
      if (!(std::fabs(det) > 0)) continue;
      const double a = (ul * vv - vl * uv) / det;
      const double b = (vl * uu - ul * uv) / det;
      if (a > 0 && b > 0) starts.push_back({std::log(a), alpha, std::log(b), beta});
    }
  }
  if (starts.empty()) starts.push_back({0.0, 0.3, 0.0, 0.3});
  LossLawFit out;
  out.raw = FitLeastSquares(problem, starts);
  const auto& p = out.raw.params;
  const auto& e = out.raw.std_errors;
  out.law = LossLaw{std::exp(p[0]), p[1], std::exp(p[2]), p[3]};
  // d(e^x) = e^x dx.
  out.std_errors = LossLaw{out.law.a * e[0], e[1], out.law.b * e[2], e[3]};
  return out;
}

}  // namespace densing::density
