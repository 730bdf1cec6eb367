// Standard 5-field cron schedules ("*/15 * * * *"): minute, hour, day of month, month, day of
// week. Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, and the
// names jan..dec and sun..sat; day of week 0 and 7 are Sunday. When both day fields are
// restricted a day matches either (as cron does). Times are UTC.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>

namespace aishell {

class CronSchedule {
 public:
  // Throws Error(kConversion) naming the field and the text when `text` is not a valid schedule.
  static CronSchedule Parse(const std::string& text);

  const std::string& text() const { return text_; }
  // Whether the minute starting at `unix_seconds` (rounded down to the minute) is scheduled.
  bool Matches(int64_t unix_seconds) const;
  // The first scheduled minute strictly after `unix_seconds` (searches up to 5 years; -1 if none,
  // e.g. "0 0 30 2 *").
  int64_t NextAfter(int64_t unix_seconds) const;
  // The last scheduled minute at or before `unix_seconds` (-1 if none within 5 years).
  int64_t LastAtOrBefore(int64_t unix_seconds) const;

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<8> weekdays_;  // 0..6, Sunday 0
  bool days_any_ = true;
  bool weekdays_any_ = true;
};

}  // namespace aishell
