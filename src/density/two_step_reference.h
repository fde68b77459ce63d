// TwoStepReference: the densing-law paper's method from user data. Step 1 fits the loss law
// L(N, D) = a·N^(−α) + b·D^(−β) on reference models (rows N, D, L); step 2 fits the score
// S(L) = c / (1 + exp(−γ·(L − l))) + d on real models (rows L, S). A score is inverted to a loss
// L̂ and then to N̂ at D0 training tokens.
#pragma once

#include <string>
#include <vector>

#include "density/loss_law.h"
#include "density/reference.h"
#include "density/sigmoid.h"

namespace densing::density {

// The paper's D0: a model trained on 10^12 tokens.
inline constexpr double kDefaultD0Tokens = 1e12;

struct LossPoint {
  double n;  // parameters (not billions)
  double d;  // training tokens
  double loss;
};
struct ScorePoint {
  double loss;
  double score;  // percent
};

// CSV readers. Loss file: columns N (parameters) or N_B (billions), D (tokens) or D_B (billions),
// and L. Score file: columns L and S. Errors name the file and the line.
std::vector<LossPoint> LoadLossPoints(const std::string& path);
std::vector<ScorePoint> LoadScorePoints(const std::string& path);

class TwoStepReference : public Reference {
 public:
  TwoStepReference(std::vector<LossPoint> loss_points, std::vector<ScorePoint> score_points,
                   double d0_tokens, std::string source);

  std::string Describe() const override;
  EffectiveParams Effective(double score) const override;
  std::string Report() const override;
  nlohmann::json ToJson() const override;

  const LossLaw& loss_law() const { return loss_fit_.law; }
  const Sigmoid& score_curve() const { return score_fit_.curve; }

 private:
  std::vector<LossPoint> loss_points_;
  std::vector<ScorePoint> score_points_;
  double d0_;
  std::string source_;
  LossLawFit loss_fit_;
  SigmoidFit score_fit_;
};

}  // namespace densing::density
