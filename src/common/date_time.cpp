#include "common/date_time.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace aishell {

// Howard Hinnant's civil-calendar algorithms.
int32_t DaysFromCivil(int32_t y, int32_t m, int32_t d) {
  y -= m <= 2;
  const int32_t era = (y >= 0 ? y : y - 399) / 400;
  const uint32_t yoe = static_cast<uint32_t>(y - era * 400);
  const uint32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

CivilDate CivilFromDays(int32_t z) {
  z += 719468;
  const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  const uint32_t doe = static_cast<uint32_t>(z - era * 146097);
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int32_t y = static_cast<int32_t>(yoe) + era * 400;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  const uint32_t d = doy - (153 * mp + 2) / 5 + 1;
  const uint32_t m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{y + (m <= 2), static_cast<int32_t>(m), static_cast<int32_t>(d)};
}

int32_t DaysInMonth(int32_t y, int32_t m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2) {
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[m - 1];
}

bool IsValidCivil(int32_t y, int32_t m, int32_t d) {
  return y >= -9999 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

namespace {
bool ParseInt(std::string_view& s, int min_digits, int max_digits, int32_t& out) {
  int n = 0;
  int32_t v = 0;
  while (n < static_cast<int>(s.size()) && n < max_digits && s[n] >= '0' && s[n] <= '9') {
    v = v * 10 + (s[n] - '0');
    n++;
  }
  if (n < min_digits) return false;
  out = v;
  s.remove_prefix(n);
  return true;
}
void TrimSpaces(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
}
bool ParseDatePart(std::string_view& s, int32_t& days) {
  int32_t y, m, d;
  bool negative = false;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  if (!ParseInt(s, 1, 6, y)) return false;
  if (negative) y = -y;
  if (s.empty() || s[0] != '-') return false;
  s.remove_prefix(1);
  if (!ParseInt(s, 1, 2, m)) return false;
  if (s.empty() || s[0] != '-') return false;
  s.remove_prefix(1);
  if (!ParseInt(s, 1, 2, d)) return false;
  if (!IsValidCivil(y, m, d)) return false;
  days = DaysFromCivil(y, m, d);
  return true;
}
}  // namespace

std::optional<int32_t> ParseDate(std::string_view s) {
  TrimSpaces(s);
  int32_t days;
  if (!ParseDatePart(s, days) || !s.empty()) return std::nullopt;
  return days;
}

std::optional<int64_t> ParseTimestamp(std::string_view s, bool apply_zone) {
  TrimSpaces(s);
  int32_t days;
  if (!ParseDatePart(s, days)) return std::nullopt;
  int64_t micros = static_cast<int64_t>(days) * kMicrosPerDay;
  if (s.empty()) return micros;
  if (s[0] != ' ' && s[0] != 'T' && s[0] != 't') return std::nullopt;
  s.remove_prefix(1);
  TrimSpaces(s);
  int32_t hh, mm, ss = 0;
  if (!ParseInt(s, 1, 2, hh) || s.empty() || s[0] != ':') return std::nullopt;
  s.remove_prefix(1);
  if (!ParseInt(s, 2, 2, mm)) return std::nullopt;
  if (!s.empty() && s[0] == ':') {
    s.remove_prefix(1);
    if (!ParseInt(s, 2, 2, ss)) return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  int64_t frac = 0;
  if (!s.empty() && s[0] == '.') {
    s.remove_prefix(1);
    int digits = 0;
    while (!s.empty() && s[0] >= '0' && s[0] <= '9') {
      if (digits < 6) {
        frac = frac * 10 + (s[0] - '0');
        digits++;
      }
      s.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; digits++) frac *= 10;
  }
  micros += (static_cast<int64_t>(hh) * 3600 + mm * 60 + ss) * kMicrosPerSecond + frac;
  TrimSpaces(s);
  if (s.empty()) return micros;
  if (s == "Z" || s == "z" || s == "UTC" || s == "utc") return micros;
  if (s[0] == '+' || s[0] == '-') {
    int sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
    int32_t oh, om = 0;
    if (!ParseInt(s, 1, 2, oh)) return std::nullopt;
    if (!s.empty() && s[0] == ':') s.remove_prefix(1);
    if (!s.empty() && !ParseInt(s, 2, 2, om)) return std::nullopt;
    if (!s.empty()) return std::nullopt;
    if (apply_zone) micros -= sign * (static_cast<int64_t>(oh) * 3600 + om * 60) * kMicrosPerSecond;
    return micros;
  }
  return std::nullopt;
}

std::string FormatDate(int32_t days) {
  CivilDate c = CivilFromDays(days);
  if (c.year < 0) return fmt::format("-{:04d}-{:02d}-{:02d}", -c.year, c.month, c.day);
  return fmt::format("{:04d}-{:02d}-{:02d}", c.year, c.month, c.day);
}

std::string FormatTimestamp(int64_t micros) {
  int32_t days = TimestampDays(micros);
  int64_t rem = micros - static_cast<int64_t>(days) * kMicrosPerDay;
  int64_t secs = rem / kMicrosPerSecond;
  int64_t frac = rem % kMicrosPerSecond;
  std::string out = fmt::format("{} {:02d}:{:02d}:{:02d}", FormatDate(days), secs / 3600,
                                (secs / 60) % 60, secs % 60);
  if (frac != 0) {
    std::string f = fmt::format("{:06d}", frac);
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

std::string FormatTimestampTz(int64_t micros) { return FormatTimestamp(micros) + " UTC"; }

std::string FormatInterval(const Interval& iv) {
  std::string out;
  auto add = [&](int64_t v, const char* unit) {
    if (v == 0) return;
    if (!out.empty()) out += " ";
    out += fmt::format("{} {}{}", v, unit, (v == 1 || v == -1) ? "" : "s");
  };
  add(iv.months / 12, "year");
  add(iv.months % 12, "month");
  add(iv.days, "day");
  if (iv.micros != 0) {
    int64_t m = std::llabs(iv.micros);
    int64_t secs = m / kMicrosPerSecond;
    int64_t frac = m % kMicrosPerSecond;
    if (!out.empty()) out += " ";
    out += fmt::format("{}{:02d}:{:02d}:{:02d}", iv.micros < 0 ? "-" : "", secs / 3600,
                       (secs / 60) % 60, secs % 60);
    if (frac) out += fmt::format(".{:06d}", frac);
  }
  if (out.empty()) out = "0 days";
  return out;
}

int32_t AddIntervalToDate(int32_t days, const Interval& iv) {
  if (iv.months != 0) {
    CivilDate c = CivilFromDays(days);
    int32_t total = c.year * 12 + (c.month - 1) + iv.months;
    int32_t y = total >= 0 ? total / 12 : (total - 11) / 12;
    int32_t m = total - y * 12 + 1;
    int32_t d = std::min(c.day, DaysInMonth(y, m));
    days = DaysFromCivil(y, m, d);
  }
  return days + iv.days + static_cast<int32_t>(iv.micros / kMicrosPerDay);
}

int64_t AddIntervalToTimestamp(int64_t micros, const Interval& iv) {
  int32_t days = TimestampDays(micros);
  int64_t rem = micros - static_cast<int64_t>(days) * kMicrosPerDay;
  Interval date_part{iv.months, iv.days, 0};
  days = AddIntervalToDate(days, date_part);
  return static_cast<int64_t>(days) * kMicrosPerDay + rem + iv.micros;
}

}  // namespace aishell
