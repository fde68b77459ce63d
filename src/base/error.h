// Error: the one exception type for anything a file, a user or a client can cause; check macros.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace densing {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename... Args>
[[noreturn]] void Fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);

}  // namespace densing

// A broken invariant is a bug in densing, not bad input: always checked, reported as an Error so
// that the CLI and the server still answer with one line instead of a crash.
#define DENSING_CHECK(cond) \
  ((cond) ? (void)0 : ::densing::CheckFailed(__FILE__, __LINE__, #cond))

#ifdef NDEBUG
#define DENSING_DCHECK(cond) ((void)0)
#else
#define DENSING_DCHECK(cond) DENSING_CHECK(cond)
#endif
