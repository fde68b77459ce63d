// The GSL calls behind FitLeastSquares and FitLine.
#include "density/least_squares.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "base/error.h"

namespace densing::density {
namespace {

// GSL's default error handler aborts the process; densing reports errors through return codes.
void DisableGslAbort() {
  static const bool once = [] {
    gsl_set_error_handler_off();
    return true;
  }();
  (void)once;
}

// GSL hands in vectors with any stride (the finite-difference Jacobian writes into a column of
// J), so values go through contiguous scratch buffers.
struct Callback {
  const LeastSquaresProblem* problem;
  std::vector<double> x;
  std::vector<double> r;
};

int Residuals(const gsl_vector* x, void* data, gsl_vector* f) {
  auto& cb = *static_cast<Callback*>(data);
  for (size_t j = 0; j < cb.x.size(); ++j) cb.x[j] = gsl_vector_get(x, j);
  cb.problem->residuals(cb.x, cb.r);
  for (size_t i = 0; i < cb.r.size(); ++i) {
    if (!std::isfinite(cb.r[i])) return GSL_EDOM;
    gsl_vector_set(f, i, cb.r[i]);
  }
  return GSL_SUCCESS;
}

struct WorkspaceDeleter {
  void operator()(gsl_multifit_nlinear_workspace* w) const { gsl_multifit_nlinear_free(w); }
};
struct MatrixDeleter {
  void operator()(gsl_matrix* m) const { gsl_matrix_free(m); }
};

std::optional<LeastSquaresFit> FitFrom(const LeastSquaresProblem& problem,
                                       const std::vector<double>& start) {
  const size_t n = problem.n_data;
  const size_t p = problem.n_params;
  gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
  params.scale = gsl_multifit_nlinear_scale_more;  // robust to parameters of different sizes
  std::unique_ptr<gsl_multifit_nlinear_workspace, WorkspaceDeleter> w(
      gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, n, p));
  if (!w) throw std::bad_alloc();
  gsl_multifit_nlinear_fdf fdf{};
  fdf.f = Residuals;
  fdf.df = nullptr;  // forward-difference Jacobian
  fdf.fvv = nullptr;
  fdf.n = n;
  fdf.p = p;
  Callback callback{&problem, std::vector<double>(p), std::vector<double>(n)};
  fdf.params = &callback;
  gsl_vector_const_view x0 = gsl_vector_const_view_array(start.data(), p);
  if (gsl_multifit_nlinear_init(&x0.vector, &fdf, w.get()) != GSL_SUCCESS) return std::nullopt;
  int info = 0;
  const int status =
      gsl_multifit_nlinear_driver(500, 1e-12, 1e-12, 1e-12, nullptr, nullptr, &info, w.get());
  // GSL_EMAXITER or GSL_ENOPROG can still leave a usable minimum; the caller compares rss.
  if (status != GSL_SUCCESS && status != GSL_EMAXITER && status != GSL_ENOPROG) return std::nullopt;

  LeastSquaresFit fit;
  const gsl_vector* x = gsl_multifit_nlinear_position(w.get());
  const gsl_vector* f = gsl_multifit_nlinear_residual(w.get());
  fit.params.assign(x->data, x->data + p);
  fit.residuals.resize(n);
  for (size_t i = 0; i < n; ++i) fit.residuals[i] = gsl_vector_get(f, i);
  gsl_blas_ddot(f, f, &fit.rss);
  if (!std::isfinite(fit.rss)) return std::nullopt;
  for (double v : fit.params) {
    if (!std::isfinite(v)) return std::nullopt;
  }
  fit.dof = n - p;
  fit.iterations = gsl_multifit_nlinear_niter(w.get());
  fit.std_errors.assign(p, 0.0);
  if (fit.dof > 0) {
    std::unique_ptr<gsl_matrix, MatrixDeleter> covar(gsl_matrix_alloc(p, p));
    if (gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w.get()), 0.0, covar.get()) ==
        GSL_SUCCESS) {
      const double scale = fit.rss / static_cast<double>(fit.dof);
      for (size_t i = 0; i < p; ++i) {
        fit.std_errors[i] = std::sqrt(std::max(0.0, gsl_matrix_get(covar.get(), i, i) * scale));
      }
    }
  }
  return fit;
}

}  // namespace

LeastSquaresFit FitLeastSquares(const LeastSquaresProblem& problem,
                                const std::vector<std::vector<double>>& starts) {
  DisableGslAbort();
  if (problem.n_params == 0 || problem.n_data < problem.n_params) {
    Fail("{}: {} data points for {} parameters (need at least as many points as parameters)",
         problem.what, problem.n_data, problem.n_params);
  }
  std::optional<LeastSquaresFit> best;
  for (const auto& start : starts) {
    DENSING_CHECK(start.size() == problem.n_params);
    auto fit = FitFrom(problem, start);
    if (fit && (!best || fit->rss < best->rss)) best = std::move(fit);
  }
  if (!best) Fail("{}: the least-squares fit did not converge from any start", problem.what);
  return *best;
}

LinearFit FitLine(std::span<const double> x, std::span<const double> y, const std::string& what) {
  DisableGslAbort();
  DENSING_CHECK(x.size() == y.size());
  const size_t n = x.size();
  bool distinct = false;
  for (size_t i = 1; i < n; ++i) distinct |= x[i] != x[0];
  if (n < 2 || !distinct) {
    Fail("{}: a line needs at least two points at different x ({} given)", what, n);
  }
  LinearFit fit;
  double cov00 = 0, cov01 = 0, cov11 = 0, sumsq = 0;
  if (gsl_fit_linear(x.data(), 1, y.data(), 1, n, &fit.intercept, &fit.slope, &cov00, &cov01,
                     &cov11, &sumsq) != GSL_SUCCESS) {
    Fail("{}: the linear fit failed", what);
  }
  double mean = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(n);
  double total = 0;
  for (double v : y) total += (v - mean) * (v - mean);
  fit.r2 = total > 0 ? 1.0 - sumsq / total : 1.0;
  // gsl_fit_linear's covariance is already scaled by the residual variance.
  fit.slope_std_error = n > 2 ? std::sqrt(std::max(0.0, cov11)) : 0.0;
  fit.residuals.resize(n);
  for (size_t i = 0; i < n; ++i) fit.residuals[i] = fit.slope * x[i] + fit.intercept - y[i];
  return fit;
}

}  // namespace densing::density
