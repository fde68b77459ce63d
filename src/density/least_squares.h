// Non-linear least squares through GSL's multifit_nlinear (trust region, Levenberg-Marquardt),
// with standard errors from the Jacobian at the solution; and ordinary linear least squares.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace densing::density {

struct LeastSquaresProblem {
  std::string what;  // names the fit in errors: "loss law L(N, D)"
  size_t n_data = 0;
  size_t n_params = 0;
  // Writes the n_data residuals (model − observation) at parameters p.
  std::function<void(std::span<const double> p, std::span<double> residuals)> residuals;
};

struct LeastSquaresFit {
  std::vector<double> params;
  std::vector<double> std_errors;  // sqrt(diag(covariance) · rss / dof); 0 when dof is 0
  std::vector<double> residuals;   // model − observation at the solution
  double rss = 0;                  // sum of squared residuals
  size_t dof = 0;                  // n_data − n_params
  size_t iterations = 0;
};

// Fits from each start and keeps the lowest residual sum of squares; starts that fail to converge
// are skipped. Throws Error naming `problem.what` when there are fewer data than parameters or no
// start converges.
LeastSquaresFit FitLeastSquares(const LeastSquaresProblem& problem,
                                const std::vector<std::vector<double>>& starts);

struct LinearFit {
  double slope = 0;
  double intercept = 0;
  double slope_std_error = 0;  // 0 with only two points
  double r2 = 0;               // coefficient of determination; 1 for a perfect fit
  std::vector<double> residuals;
};

// y = slope·x + intercept by ordinary least squares (gsl_fit_linear). Needs two distinct x.
LinearFit FitLine(std::span<const double> x, std::span<const double> y, const std::string& what);

}  // namespace densing::density
