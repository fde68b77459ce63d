// Calendar arithmetic through std::chrono's civil calendar.
#include "density/date.h"

#include <fmt/format.h>

#include <cctype>
#include <chrono>

#include "base/error.h"

namespace densing::density {
namespace {

bool ReadDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

int Date::DaysSinceEpoch() const {
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                           std::chrono::day{unsigned(has_day() ? day : 15)}};
  return static_cast<int>(sys_days{ymd}.time_since_epoch().count());
}

Date DateFromDaysSinceEpoch(int days) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  return Date{static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
              static_cast<int>(unsigned(ymd.day()))};
}

std::string Date::ToString() const {
  if (has_day()) return fmt::format("{:04}-{:02}-{:02}", year, month, day);
  return fmt::format("{:04}-{:02}", year, month);
}

std::optional<Date> ParseDate(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.size() != 7 && text.size() != 10) return std::nullopt;
  Date d;
  if (!ReadDigits(text, 0, 4, &d.year) || text[4] != '-' || !ReadDigits(text, 5, 2, &d.month)) {
    return std::nullopt;
  }
  if (text.size() == 10 && (text[7] != '-' || !ReadDigits(text, 8, 2, &d.day) || d.day == 0)) {
    return std::nullopt;
  }
  if (d.year < 1950 || d.year > 2100 || d.month < 1 || d.month > 12) return std::nullopt;
  if (d.has_day()) {
    const std::chrono::year_month_day ymd{std::chrono::year{d.year},
                                          std::chrono::month{unsigned(d.month)},
                                          std::chrono::day{unsigned(d.day)}};
    if (!ymd.ok()) return std::nullopt;
  }
  return d;
}

Date ParseDateOrFail(std::string_view text, std::string_view where) {
  if (auto d = ParseDate(text)) return *d;
  Fail("{}: '{}' is not a date (YYYY-MM or YYYY-MM-DD)", where, text);
}

double DaysSinceTrendEpoch(const Date& d) {
  return static_cast<double>(d.DaysSinceEpoch() - kTrendEpoch.DaysSinceEpoch());
}

}  // namespace densing::density
