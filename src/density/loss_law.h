// LossLaw: the first step of the densing-law method, L(N, D) = a·N^(−α) + b·D^(−β): a reference
// family's conditional loss on the benchmark against non-embedding parameters N and training
// tokens D; its fit and the inversion that gives N̂ for a loss at D0 tokens.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "density/least_squares.h"

namespace densing::density {

struct LossLaw {
  double a = 0;
  double alpha = 0;
  double b = 0;
  double beta = 0;

  double operator()(double n, double d) const;
  // The N with L(N, d0) = loss; nullopt when loss is at or below the data term b·d0^(−β), which
  // no finite model reaches.
  std::optional<double> InverseParams(double loss, double d0) const;
};

struct LossLawFit {
  LossLaw law;
  LossLaw std_errors;  // first-order, from the fit in (ln a, α, ln b, β)
  LeastSquaresFit raw;
};

// Fits by non-linear least squares on the losses themselves. N and D must be positive, and the
// points must vary in both N and D/N, or a and b cannot be told apart.
LossLawFit FitLossLaw(std::span<const double> n, std::span<const double> d,
                      std::span<const double> loss, const std::string& what);

}  // namespace densing::density
