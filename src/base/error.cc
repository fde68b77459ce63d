// Reporting of failed internal checks.
#include "base/error.h"

namespace densing {

void CheckFailed(const char* file, int line, const char* expr) {
  throw Error(fmt::format("internal error: check failed at {}:{}: {}", file, line, expr));
}

}  // namespace densing
