// The one-step family reference: fit, inversion and report.
#include "density/family_reference.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "base/error.h"
#include "density/csv.h"

namespace densing::density {

const char* ReachName(Reach reach) {
  switch (reach) {
    case Reach::kInside:
      return "ok";
    case Reach::kBelowFloor:
      return "below reference floor";
    case Reach::kAboveCeiling:
      return "above reference ceiling";
  }
  return "?";
}

FamilyReference::FamilyReference(const Catalog& catalog, const std::string& family,
                                 const std::string& score_column, ParamKind params, double chance)
    : catalog_name_(catalog.name),
      family_(family),
      score_column_(score_column),
      params_(params) {
  if (!(chance >= 0 && chance < 100)) Fail("chance score {} is outside 0..100", chance);
  std::set<double> sizes;
  for (const auto& e : catalog.entries) {
    if (Lower(e.family) != Lower(family)) continue;
    auto n = e.Params(params);
    auto s = e.Score(score_column);
    if (!n || !s) continue;
    points_.push_back({e.model, *n, *s});
    sizes.insert(*n);
  }
  if (sizes.size() < 4) {
    Fail(
        "{}: reference family '{}' has {} distinct sizes with {} and {} parameters; need at "
        "least 4 (choose another with --ref-family)",
        catalog.name, family, sizes.size(), score_column, ParamKindName(params));
  }
  std::vector<double> x, s;
  for (const auto& p : points_) {
    x.push_back(std::log(p.params_b));
    s.push_back(p.score);
  }
  fit_ = FitSigmoid(x, s, std::make_pair(100.0 - chance, chance),
                    "reference family " + family + " (" + score_column + " against ln N)");
}

std::string FamilyReference::Describe() const {
  return fmt::format("one-step: {} against ln N ({} parameters) on the {} family ({} models, {})",
                     score_column_, ParamKindName(params_), family_, points_.size(), catalog_name_);
}

EffectiveParams FamilyReference::Effective(double score) const {
  EffectiveParams out;
  const Sigmoid& c = fit_.curve;
  auto x = c.Inverse(score);
  if (!x) {
    out.reach = score <= c.lower() ? Reach::kBelowFloor : Reach::kAboveCeiling;
    return out;
  }
  out.n_hat_b = std::exp(*x);
  double lo = points_.front().params_b, hi = lo;
  for (const auto& p : points_) {
    lo = std::min(lo, p.params_b);
    hi = std::max(hi, p.params_b);
  }
  out.extrapolated = out.n_hat_b < lo || out.n_hat_b > hi;
  return out;
}

std::string FamilyReference::Report() const {
  const Sigmoid& c = fit_.curve;
  const Sigmoid& e = fit_.std_errors;
  std::string out = fmt::format("reference: {}\n", Describe());
  out += fmt::format("  S = {:.4g} + {:.4g} / (1 + exp(-gamma*(ln N - l))), N in billions\n", c.d,
                     c.c);
  out += fmt::format("  gamma = {:.4f} ± {:.4f}   l = {:.4f} ± {:.4f} (midpoint N = {:.3g}B)\n",
                     c.gamma, e.gamma, c.l, e.l, std::exp(c.l));
  out += fmt::format("  residuals (fit − reported), rms {:.3f} points:\n",
                     std::sqrt(fit_.raw.rss / static_cast<double>(points_.size())));
  for (size_t i = 0; i < points_.size(); ++i) {
    out += fmt::format("    {:<16} N = {:>7.3f}B  {} = {:6.2f}  fit {:6.2f}  residual {:+.2f}\n",
                       points_[i].model, points_[i].params_b, score_column_, points_[i].score,
                       points_[i].score + fit_.raw.residuals[i], fit_.raw.residuals[i]);
  }
  return out;
}

nlohmann::json FamilyReference::ToJson() const {
  const Sigmoid& c = fit_.curve;
  const Sigmoid& e = fit_.std_errors;
  nlohmann::json j;
  j["kind"] = "family";
  j["description"] = Describe();
  j["family"] = family_;
  j["score"] = score_column_;
  j["params"] = ParamKindName(params_);
  j["formula"] = "S = d + c / (1 + exp(-gamma * (ln(N_B) - l)))";
  j["constants"] = {{"c", c.c}, {"d", c.d}, {"gamma", c.gamma}, {"l", c.l}};
  j["std_errors"] = {{"gamma", e.gamma}, {"l", e.l}};
  j["fixed"] = {"c", "d"};
  nlohmann::json pts = nlohmann::json::array();
  for (size_t i = 0; i < points_.size(); ++i) {
    pts.push_back({{"model", points_[i].model},
                   {"params_B", points_[i].params_b},
                   {"score", points_[i].score},
                   {"residual", fit_.raw.residuals[i]}});
  }
  j["points"] = pts;
  j["rss"] = fit_.raw.rss;
  return j;
}

}  // namespace densing::density
