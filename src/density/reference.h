// Reference: what turns a benchmark score into effective parameters N̂ — the parameter count a
// reference model family needs to reach that score. ρ = N̂ / N is a model's capability density.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace densing::density {

enum class Reach : uint8_t {
  kInside,        // N̂ is a number
  kBelowFloor,    // the score is at or below what the reference's weakest possible model scores
  kAboveCeiling,  // the score is at or above what any reference model can reach
};
const char* ReachName(Reach reach);  // "ok", "below reference floor", "above reference ceiling"

struct EffectiveParams {
  Reach reach = Reach::kInside;
  double n_hat_b = 0;         // billions; meaningful only when reach is kInside
  bool extrapolated = false;  // N̂ lies outside the sizes the reference was fitted on
};

class Reference {
 public:
  virtual ~Reference() = default;
  // One line: which reference, fitted on what.
  virtual std::string Describe() const = 0;
  virtual EffectiveParams Effective(double score) const = 0;
  // Human report: the fitted constants with standard errors, and the residual of every point.
  virtual std::string Report() const = 0;
  virtual nlohmann::json ToJson() const = 0;
};

}  // namespace densing::density
