// Sigmoid evaluation, inversion and a multi-start fit.
#include "density/sigmoid.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/error.h"

namespace densing::density {

double Sigmoid::operator()(double x) const { return c / (1.0 + std::exp(-gamma * (x - l))) + d; }

std::optional<double> Sigmoid::Inverse(double s) const {
  if (c == 0 || gamma == 0) return std::nullopt;
  const double frac = (s - d) / c;  // in (0, 1) exactly when the curve reaches s
  if (!(frac > 0 && frac < 1)) return std::nullopt;
  return l - std::log(1.0 / frac - 1.0) / gamma;
}

SigmoidFit FitSigmoid(std::span<const double> x, std::span<const double> s,
                      std::optional<std::pair<double, double>> fixed_c_d, const std::string& what) {
  DENSING_CHECK(x.size() == s.size());
  if (x.empty()) Fail("{}: no data to fit", what);
  const auto [x_min, x_max] = std::minmax_element(x.begin(), x.end());
  const auto [s_min, s_max] = std::minmax_element(s.begin(), s.end());
  const double x_span = std::max(*x_max - *x_min, 1e-9);
  const double s_span = std::max(*s_max - *s_min, 1e-9);

  LeastSquaresProblem problem;
  problem.what = what;
  problem.n_data = x.size();
  problem.n_params = fixed_c_d ? 2 : 4;
  problem.residuals = [&](std::span<const double> p, std::span<double> r) {
    Sigmoid curve = fixed_c_d ? Sigmoid{fixed_c_d->first, p[0], p[1], fixed_c_d->second}
                              : Sigmoid{p[0], p[1], p[2], p[3]};
    for (size_t i = 0; i < x.size(); ++i) r[i] = curve(x[i]) - s[i];
  };
  // A grid of steepness (both signs, relative to the x range) and midpoints (inside and around
  // the data), so that neither a falling nor a rising curve depends on one lucky start.
  std::vector<std::vector<double>> starts;
  for (double g : {-12.0, -4.0, -1.0, 1.0, 4.0, 12.0}) {
    for (double at : {-0.5, 0.0, 0.5, 1.0, 1.5}) {
      const double gamma = g / x_span;
      const double mid = *x_min + at * x_span;
      if (fixed_c_d) {
        starts.push_back({gamma, mid});
      } else {
        starts.push_back({2.0 * s_span, gamma, mid, *s_min - 0.5 * s_span});
        starts.push_back({s_span, gamma, mid, *s_min});
      }
    }
  }
  SigmoidFit out;
  out.raw = FitLeastSquares(problem, starts);
  // (c, γ, l, d) and (−c, −γ, l, c + d) are the same curve; report the one with c > 0, refitted
  // from there so that the standard errors belong to those constants.
  if (!fixed_c_d && out.raw.params[0] < 0) {
    const auto& q = out.raw.params;
    out.raw = FitLeastSquares(problem, {{-q[0], -q[1], q[2], q[0] + q[3]}});
  }
  const auto& p = out.raw.params;
  const auto& e = out.raw.std_errors;
  if (fixed_c_d) {
    out.curve = Sigmoid{fixed_c_d->first, p[0], p[1], fixed_c_d->second};
    out.std_errors = Sigmoid{0, e[0], e[1], 0};
  } else {
    out.curve = Sigmoid{p[0], p[1], p[2], p[3]};
    out.std_errors = Sigmoid{e[0], e[1], e[2], e[3]};
  }
  return out;
}

}  // namespace densing::density
