// Redraws at most once per 0.1% of progress.
#include "base/progress.h"

#include <unistd.h>

#include <cstdio>

namespace densing {

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total > 0 ? total : 1),
      enabled_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (enabled_ && last_permille_ >= 0) std::fputc('\n', stderr);
}

void ProgressBar::Update(int64_t done) {
  if (!enabled_) return;
  const int permille = static_cast<int>(1000 * std::min(done, total_) / total_);
  if (permille == last_permille_) return;
  last_permille_ = permille;
  constexpr int kWidth = 30;
  const int filled = permille * kWidth / 1000;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%% %6.1f s", label_.c_str(), filled,
               "##############################", kWidth - filled, "", permille / 10.0, s);
  std::fflush(stderr);
}

}  // namespace densing
