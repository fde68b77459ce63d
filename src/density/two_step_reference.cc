// The two-step reference: its data files, fits, inversion and report.
#include "density/two_step_reference.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "density/csv.h"

namespace densing::density {
namespace {

// The positive value in column `plain`, or else in column `other` times `other_scale`.
double ReadPositive(const CsvTable& t, const CsvRecord& r, const char* plain, const char* other,
                    double other_scale) {
  size_t col;
  double scale = 1;
  if (auto c = t.Find(plain)) {
    col = *c;
  } else if (auto co = t.Find(other)) {
    col = *co;
    scale = other_scale;
  } else {
    Fail("{}:1: no column {} (or {})", t.name(), plain, other);
  }
  auto v = ParseNumberCell(r.fields[col], t.name(), r.line, t.header()[col]);
  if (!v) Fail("{}:{}: column {} is empty", t.name(), r.line, t.header()[col]);
  if (!(*v > 0)) {
    Fail("{}:{}: column {} must be positive, not {}", t.name(), r.line, t.header()[col], *v);
  }
  return *v * scale;
}

}  // namespace

std::vector<LossPoint> LoadLossPoints(const std::string& path) {
  const CsvTable t = CsvTable::Load(path);
  std::vector<LossPoint> out;
  for (const auto& r : t.records()) {
    out.push_back({ReadPositive(t, r, "N", "N_B", 1e9), ReadPositive(t, r, "D", "D_B", 1e9),
                   ReadPositive(t, r, "L", "loss", 1)});
  }
  if (out.size() < 5) {
    Fail("{}: {} rows; the loss law has 4 constants, give at least 5", path, out.size());
  }
  return out;
}

std::vector<ScorePoint> LoadScorePoints(const std::string& path) {
  const CsvTable t = CsvTable::Load(path);
  const size_t s_col = t.Find("S") ? t.Require("S") : t.Require("score");
  std::vector<ScorePoint> out;
  for (const auto& r : t.records()) {
    const double loss = ReadPositive(t, r, "L", "loss", 1);
    auto s = ParseNumberCell(r.fields[s_col], t.name(), r.line, t.header()[s_col]);
    if (!s || *s < 0 || *s > 100) {
      Fail("{}:{}: score must be a percentage in 0..100", t.name(), r.line);
    }
    out.push_back({loss, *s});
  }
  if (out.size() < 5) {
    Fail("{}: {} rows; the score curve has 4 constants, give at least 5", path, out.size());
  }
  return out;
}

TwoStepReference::TwoStepReference(std::vector<LossPoint> loss_points,
                                   std::vector<ScorePoint> score_points, double d0_tokens,
                                   std::string source)
    : loss_points_(std::move(loss_points)),
      score_points_(std::move(score_points)),
      d0_(d0_tokens),
      source_(std::move(source)) {
  if (!(d0_ > 0)) Fail("--d0: {} tokens is not positive", d0_);
  std::vector<double> n, d, l, sl, ss;
  for (const auto& p : loss_points_) {
    n.push_back(p.n);
    d.push_back(p.d);
    l.push_back(p.loss);
  }
  for (const auto& p : score_points_) {
    sl.push_back(p.loss);
    ss.push_back(p.score);
  }
  loss_fit_ = FitLossLaw(n, d, l, "loss law L(N, D) = a*N^-alpha + b*D^-beta");
  score_fit_ = FitSigmoid(sl, ss, std::nullopt, "score curve S(L) = c/(1+exp(-gamma*(L-l))) + d");
}

std::string TwoStepReference::Describe() const {
  return fmt::format(
      "two-step (densing-law paper): loss law on {} reference runs, score curve on "
      "{} models, D0 = {:.3g} tokens ({})",
      loss_points_.size(), score_points_.size(), d0_, source_);
}

EffectiveParams TwoStepReference::Effective(double score) const {
  EffectiveParams out;
  const Sigmoid& s = score_fit_.curve;
  auto loss = s.Inverse(score);
  if (!loss) {
    out.reach = score <= s.lower() ? Reach::kBelowFloor : Reach::kAboveCeiling;
    return out;
  }
  auto n = loss_fit_.law.InverseParams(*loss, d0_);
  if (!n) {
    // A loss below what infinitely many parameters reach at D0: beyond the reference.
    out.reach = Reach::kAboveCeiling;
    return out;
  }
  out.n_hat_b = *n / 1e9;
  const auto [lo, hi] =
      std::minmax_element(loss_points_.begin(), loss_points_.end(),
                          [](const LossPoint& a, const LossPoint& b) { return a.n < b.n; });
  out.extrapolated = *n < lo->n || *n > hi->n;
  return out;
}

std::string TwoStepReference::Report() const {
  const LossLaw& L = loss_fit_.law;
  const LossLaw& Le = loss_fit_.std_errors;
  const Sigmoid& S = score_fit_.curve;
  const Sigmoid& Se = score_fit_.std_errors;
  std::string out = fmt::format("reference: {}\n", Describe());
  out += fmt::format("  step 1: L = a*N^-alpha + b*D^-beta   (rms residual {:.4g})\n",
                     std::sqrt(loss_fit_.raw.rss / static_cast<double>(loss_points_.size())));
  out += fmt::format(
      "    a = {:.5g} ± {:.2g}  alpha = {:.5g} ± {:.2g}  b = {:.5g} ± {:.2g}  "
      "beta = {:.5g} ± {:.2g}\n",
      L.a, Le.a, L.alpha, Le.alpha, L.b, Le.b, L.beta, Le.beta);
  out += fmt::format("  step 2: S = c/(1+exp(-gamma*(L-l))) + d   (rms residual {:.4g})\n",
                     std::sqrt(score_fit_.raw.rss / static_cast<double>(score_points_.size())));
  out += fmt::format(
      "    c = {:.5g} ± {:.2g}  gamma = {:.5g} ± {:.2g}  l = {:.5g} ± {:.2g}  "
      "d = {:.5g} ± {:.2g}\n",
      S.c, Se.c, S.gamma, Se.gamma, S.l, Se.l, S.d, Se.d);
  out += "  residuals (fit − data), step 1:";
  for (double r : loss_fit_.raw.residuals) out += fmt::format(" {:+.3g}", r);
  out += "\n  residuals (fit − data), step 2:";
  for (double r : score_fit_.raw.residuals) out += fmt::format(" {:+.3g}", r);
  out += "\n";
  return out;
}

nlohmann::json TwoStepReference::ToJson() const {
  const LossLaw& L = loss_fit_.law;
  const LossLaw& Le = loss_fit_.std_errors;
  const Sigmoid& S = score_fit_.curve;
  const Sigmoid& Se = score_fit_.std_errors;
  nlohmann::json j;
  j["kind"] = "two-step";
  j["description"] = Describe();
  j["d0_tokens"] = d0_;
  j["loss_law"] = {
      {"formula", "L = a*N^-alpha + b*D^-beta"},
      {"constants", {{"a", L.a}, {"alpha", L.alpha}, {"b", L.b}, {"beta", L.beta}}},
      {"std_errors", {{"a", Le.a}, {"alpha", Le.alpha}, {"b", Le.b}, {"beta", Le.beta}}},
      {"residuals", loss_fit_.raw.residuals},
      {"rss", loss_fit_.raw.rss}};
  j["score_curve"] = {{"formula", "S = c/(1+exp(-gamma*(L-l))) + d"},
                      {"constants", {{"c", S.c}, {"gamma", S.gamma}, {"l", S.l}, {"d", S.d}}},
                      {"std_errors", {{"c", Se.c}, {"gamma", Se.gamma}, {"l", Se.l}, {"d", Se.d}}},
                      {"residuals", score_fit_.raw.residuals},
                      {"rss", score_fit_.raw.rss}};
  return j;
}

}  // namespace densing::density
