// Redraws at most five times a second, and once at the end.
#include "eval/rate_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace densing::eval {

std::string FormatDuration(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

RateProgress::RateProgress(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)),
      total_(std::max<int64_t>(total, 1)),
      unit_(std::move(unit)),
      enabled_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

RateProgress::~RateProgress() {
  if (enabled_ && drawn_) std::fputc('\n', stderr);
}

void RateProgress::Update(int64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  drawn_ = true;
  const double s = std::chrono::duration<double>(now - start_).count();
  const double rate = s > 0 ? static_cast<double>(done) / s : 0.0;
  const std::string eta = rate > 0 ? FormatDuration(static_cast<double>(total_ - done) / rate) : "?";
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * std::min(done, total_) / total_);
  std::fprintf(stderr, "\r%s [%.*s%*s] %lld/%lld %.1f %s/s ETA %s   ", label_.c_str(), filled,
               "########################", kWidth - filled, "", static_cast<long long>(done),
               static_cast<long long>(total_), rate, unit_.c_str(), eta.c_str());
  std::fflush(stderr);
}

}  // namespace densing::eval
