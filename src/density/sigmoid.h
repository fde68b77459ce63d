// Sigmoid: S(x) = c / (1 + exp(−γ·(x − l))) + d, the S-curve of a benchmark score against a
// model's loss (two-step method) or against ln N (the one-step family reference); its fit and its
// inverse.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "density/least_squares.h"

namespace densing::density {

struct Sigmoid {
  double c = 1;      // height: the score rises from d to c + d (or falls, when γ·c < 0)
  double gamma = 1;  // steepness
  double l = 0;      // midpoint
  double d = 0;      // floor

  double operator()(double x) const;
  // The x with S(x) = s; nullopt when s is not strictly between d and c + d (the curve never
  // reaches it).
  std::optional<double> Inverse(double s) const;
  double lower() const { return c > 0 ? d : c + d; }
  double upper() const { return c > 0 ? c + d : d; }
};

struct SigmoidFit {
  Sigmoid curve;
  Sigmoid std_errors;  // 0 for parameters held fixed
  LeastSquaresFit raw;
};

// Fits all four parameters (reported with c > 0: the mirror (−c, −γ, l, c + d) is the same
// curve), or only γ and l when `fixed_c_d` gives c and d (e.g. the chance
// score and the distance from it to 100). Starting points cover both rising and falling curves.
SigmoidFit FitSigmoid(std::span<const double> x, std::span<const double> s,
                      std::optional<std::pair<double, double>> fixed_c_d, const std::string& what);

}  // namespace densing::density
