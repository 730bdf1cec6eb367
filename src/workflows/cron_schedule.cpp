#include "workflows/cron_schedule.h"

#include <ctime>
#include <sstream>
#include <vector>

#include "common/exception.h"
#include "common/strings.h"

namespace aishell {

namespace {

const char* const kFieldNames[] = {"minute", "hour", "day of month", "month", "day of week"};
const int kMin[] = {0, 0, 1, 1, 0};
const int kMax[] = {59, 23, 31, 12, 7};
const char* const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

[[noreturn]] void Bad(const std::string& schedule, int field, const std::string& part,
                      const std::string& why) {
  throw Error(ErrorKind::kConversion, "invalid cron schedule \"" + schedule + "\": " +
                                          kFieldNames[field] + " field '" + part + "' " + why +
                                          " (expected minute hour day-of-month month "
                                          "day-of-week, e.g. \"*/15 * * * *\")");
}

int ParseNumber(const std::string& schedule, int field, const std::string& part,
                const std::string& text) {
  std::string lower = AsciiLower(text);
  if (field == 3) {
    for (int i = 0; i < 12; i++)
      if (lower == kMonthNames[i]) return i + 1;
  }
  if (field == 4) {
    for (int i = 0; i < 7; i++)
      if (lower == kDayNames[i]) return i;
  }
  if (text.empty() || text.size() > 4) Bad(schedule, field, part, "is not a number");
  int n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') Bad(schedule, field, part, "is not a number");
    n = n * 10 + (c - '0');
  }
  if (n < kMin[field] || n > kMax[field]) {
    Bad(schedule, field, part,
        "is out of range " + std::to_string(kMin[field]) + "-" + std::to_string(kMax[field]));
  }
  return n;
}

// Sets the values of one field in `bits` (indexed by value); returns false for "*".
template <size_t N>
bool ParseField(const std::string& schedule, int field, const std::string& text,
                std::bitset<N>& bits) {
  bool restricted = false;
  std::stringstream items(text);
  std::string item;
  bool any_item = false;
  while (std::getline(items, item, ',')) {
    any_item = true;
    if (item.empty()) Bad(schedule, field, text, "has an empty list item");
    std::string range = item;
    int step = 1;
    if (auto slash = item.find('/'); slash != std::string::npos) {
      range = item.substr(0, slash);
      std::string s = item.substr(slash + 1);
      if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 3 ||
          std::stoi(s) == 0) {
        Bad(schedule, field, item, "has an invalid step");
      }
      step = std::stoi(s);
    }
    int lo, hi;
    if (range == "*") {
      lo = kMin[field];
      hi = kMax[field] == 7 ? 6 : kMax[field];
      if (step == 1 && text == "*") return false;
    } else if (auto dash = range.find('-'); dash != std::string::npos) {
      lo = ParseNumber(schedule, field, item, range.substr(0, dash));
      hi = ParseNumber(schedule, field, item, range.substr(dash + 1));
      if (lo > hi) Bad(schedule, field, item, "is a range that ends before it starts");
    } else {
      lo = ParseNumber(schedule, field, item, range);
      hi = item.find('/') != std::string::npos ? (kMax[field] == 7 ? 6 : kMax[field]) : lo;
    }
    for (int v = lo; v <= hi; v += step) bits.set(field == 4 && v == 7 ? 0 : v);
    restricted = true;
  }
  if (!any_item) Bad(schedule, field, text, "is empty");
  return restricted;
}

}  // namespace

CronSchedule CronSchedule::Parse(const std::string& text) {
  std::vector<std::string> fields;
  std::stringstream in(text);
  std::string f;
  while (in >> f) fields.push_back(f);
  if (fields.size() != 5) {
    throw Error(ErrorKind::kConversion,
                "invalid cron schedule \"" + text + "\": it has " + std::to_string(fields.size()) +
                    " field(s), a schedule has 5 (minute hour day-of-month month day-of-week, "
                    "e.g. \"*/15 * * * *\")");
  }
  CronSchedule s;
  s.text_ = text;
  if (!ParseField(text, 0, fields[0], s.minutes_)) s.minutes_.set();
  if (!ParseField(text, 1, fields[1], s.hours_)) s.hours_.set();
  s.days_any_ = !ParseField(text, 2, fields[2], s.days_);
  if (s.days_any_) s.days_.set();
  if (!ParseField(text, 3, fields[3], s.months_)) s.months_.set();
  s.weekdays_any_ = !ParseField(text, 4, fields[4], s.weekdays_);
  if (s.weekdays_any_) s.weekdays_.set();
  return s;
}

bool CronSchedule::Matches(int64_t unix_seconds) const {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm = {};
  gmtime_r(&t, &tm);
  if (!minutes_.test(tm.tm_min) || !hours_.test(tm.tm_hour) || !months_.test(tm.tm_mon + 1))
    return false;
  bool day = days_.test(tm.tm_mday);
  bool weekday = weekdays_.test(tm.tm_wday);
  if (!days_any_ && !weekdays_any_) return day || weekday;
  return day && weekday;
}

int64_t CronSchedule::NextAfter(int64_t unix_seconds) const {
  int64_t t = (unix_seconds / 60 + 1) * 60;
  for (int64_t i = 0; i < 5LL * 366 * 24 * 60; i++, t += 60) {
    if (Matches(t)) return t;
  }
  return -1;
}

int64_t CronSchedule::LastAtOrBefore(int64_t unix_seconds) const {
  int64_t t = unix_seconds / 60 * 60;
  for (int64_t i = 0; i < 5LL * 366 * 24 * 60; i++, t -= 60) {
    if (Matches(t)) return t;
  }
  return -1;
}

}  // namespace aishell
