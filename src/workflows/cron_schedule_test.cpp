#include "workflows/cron_schedule.h"

#include <gtest/gtest.h>

#include "common/date_time.h"
#include "common/exception.h"

namespace aishell {
namespace {

int64_t At(const char* text) { return *ParseTimestamp(text) / 1000000; }

TEST(CronScheduleTest, EveryFifteenMinutes) {
  auto s = CronSchedule::Parse("*/15 * * * *");
  EXPECT_TRUE(s.Matches(At("2026-01-01 10:15:00")));
  EXPECT_TRUE(s.Matches(At("2026-01-01 10:15:59")));
  EXPECT_FALSE(s.Matches(At("2026-01-01 10:16:00")));
  EXPECT_EQ(s.NextAfter(At("2026-01-01 10:15:00")), At("2026-01-01 10:30:00"));
  EXPECT_EQ(s.LastAtOrBefore(At("2026-01-01 10:29:59")), At("2026-01-01 10:15:00"));
}

TEST(CronScheduleTest, RangesListsNamesAndDays) {
  auto s = CronSchedule::Parse("0 9-17/4 * jan,mar mon-fri");
  // 2026-01-05 is a Monday.
  EXPECT_TRUE(s.Matches(At("2026-01-05 13:00:00")));
  EXPECT_FALSE(s.Matches(At("2026-01-05 11:00:00")));
  EXPECT_FALSE(s.Matches(At("2026-01-04 13:00:00")));  // Sunday
  EXPECT_FALSE(s.Matches(At("2026-02-02 13:00:00")));  // February
  // Both day fields restricted: either matches; 7 is Sunday.
  auto d = CronSchedule::Parse("0 0 1 * 7");
  EXPECT_TRUE(d.Matches(At("2026-01-04 00:00:00")));
  EXPECT_TRUE(d.Matches(At("2026-02-01 00:00:00")));
  EXPECT_FALSE(d.Matches(At("2026-01-05 00:00:00")));
  EXPECT_EQ(CronSchedule::Parse("0 0 30 2 *").NextAfter(At("2026-01-01 00:00:00")), -1);
}

TEST(CronScheduleTest, BadSchedulesNameTheField) {
  auto message = [](const char* text) {
    try {
      CronSchedule::Parse(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("*/15 * * *").find("has 4 field(s)"), std::string::npos);
  EXPECT_NE(message("60 * * * *").find("minute field '60' is out of range 0-59"),
            std::string::npos);
  EXPECT_NE(message("* * * * mon-sun").find("ends before it starts"), std::string::npos);
  EXPECT_NE(message("*/0 * * * *").find("invalid step"), std::string::npos);
  EXPECT_NE(message("* x * * *").find("hour field 'x' is not a number"), std::string::npos);
}

}  // namespace
}  // namespace aishell
