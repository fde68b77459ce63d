// FamilyReference: the built-in, one-step reference. Score against ln N over one model family of
// the catalog, S(N) = chance + (100 − chance) / (1 + exp(−γ·(ln N − l))), fitted by non-linear
// least squares and inverted for N̂. The default family is Qwen1.5: four sizes (0.5B to 7B) released
// together on the same recipe, each with a self-reported 5-shot MMLU, and mid-way through the
// catalog's dates, so that both older and newer models need only modest extrapolation.
#pragma once

#include <string>
#include <vector>

#include "density/catalog.h"
#include "density/reference.h"
#include "density/sigmoid.h"

namespace densing::density {

inline constexpr char kDefaultReferenceFamily[] = "Qwen1.5";

class FamilyReference : public Reference {
 public:
  // Fits on the entries of `family` that have `score_column` and `params`. Throws Error naming
  // the family when it has fewer than four distinct sizes with a score.
  FamilyReference(const Catalog& catalog, const std::string& family,
                  const std::string& score_column, ParamKind params, double chance);

  std::string Describe() const override;
  EffectiveParams Effective(double score) const override;
  std::string Report() const override;
  nlohmann::json ToJson() const override;

  const Sigmoid& curve() const { return fit_.curve; }

 private:
  struct Point {
    std::string model;
    double params_b;
    double score;
  };
  std::string catalog_name_;
  std::string family_;
  std::string score_column_;
  ParamKind params_;
  std::vector<Point> points_;
  SigmoidFit fit_;
};

}  // namespace densing::density
