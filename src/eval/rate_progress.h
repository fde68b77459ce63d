// RateProgress: a progress line on stderr with the rate and the time left (base/ProgressBar has
// neither), drawn only when stderr is a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace densing::eval {

class RateProgress {
 public:
  RateProgress(std::string label, int64_t total, std::string unit);
  ~RateProgress();  // finishes the line
  RateProgress(const RateProgress&) = delete;
  RateProgress& operator=(const RateProgress&) = delete;
  void Update(int64_t done);

 private:
  std::string label_;
  int64_t total_;
  std::string unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

// "1h02m", "3m07s", "12s".
std::string FormatDuration(double seconds);

}  // namespace densing::eval
