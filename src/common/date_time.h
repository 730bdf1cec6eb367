// Calendar arithmetic for DATE (days since epoch) and TIMESTAMP (microseconds since epoch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/types.h"

namespace aishell {

inline constexpr int64_t kMicrosPerSecond = 1000000;
inline constexpr int64_t kMicrosPerDay = 86400LL * kMicrosPerSecond;

struct CivilDate {
  int32_t year;
  int32_t month;  // 1..12
  int32_t day;    // 1..31
};

int32_t DaysFromCivil(int32_t year, int32_t month, int32_t day);
CivilDate CivilFromDays(int32_t days);
bool IsValidCivil(int32_t year, int32_t month, int32_t day);
int32_t DaysInMonth(int32_t year, int32_t month);

// Floor division of a timestamp into (days, micros within the day).
inline int32_t TimestampDays(int64_t micros) {
  int64_t d = micros / kMicrosPerDay;
  if (micros % kMicrosPerDay < 0) d--;
  return static_cast<int32_t>(d);
}

// Parsing: "2024-03-01"; "2024-03-01 12:34:56.789", "2024-03-01T12:34:56Z", "... +02:00".
std::optional<int32_t> ParseDate(std::string_view text);
// For TIMESTAMP the zone offset, if present, is applied (result in UTC) only when `apply_zone`.
std::optional<int64_t> ParseTimestamp(std::string_view text, bool apply_zone = true);

std::string FormatDate(int32_t days);
std::string FormatTimestamp(int64_t micros);
std::string FormatTimestampTz(int64_t micros);  // rendered in UTC, with " UTC"
std::string FormatInterval(const Interval& interval);

// date/timestamp + interval, calendar-aware (month arithmetic clamps the day).
int32_t AddIntervalToDate(int32_t days,
                          const Interval& interval);  // micros part must be whole days
int64_t AddIntervalToTimestamp(int64_t micros, const Interval& interval);

}  // namespace aishell
