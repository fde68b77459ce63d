// Date: a release date given to the month (YYYY-MM) or to the day (YYYY-MM-DD), and the time axis
// of the trend fits (days since Llama-1's release).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace densing::density {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;  // 0 when only the month is known

  bool has_day() const { return day != 0; }
  // Days since 1970-01-01. A month-only date stands for the middle of its month (the 15th), so
  // its expected error is about a week either way instead of a biased half month.
  int DaysSinceEpoch() const;
  // "2024-02" or "2024-02-21", as it was written.
  std::string ToString() const;
};

// The day `days` after 1970-01-01 (a full date).
Date DateFromDaysSinceEpoch(int days);

// Parses "YYYY-MM" or "YYYY-MM-DD" (a real calendar date, years 1950..2100); nullopt otherwise.
std::optional<Date> ParseDate(std::string_view text);
// As ParseDate, but throws Error "WHERE: 'TEXT' is not a date (YYYY-MM or YYYY-MM-DD)".
Date ParseDateOrFail(std::string_view text, std::string_view where);

// t = 0 of the trend fits: Llama-1's release, 2023-02-24, as in the densing-law paper.
inline constexpr Date kTrendEpoch{2023, 2, 24};
// Days from kTrendEpoch to `d` (negative before it).
double DaysSinceTrendEpoch(const Date& d);

}  // namespace densing::density
