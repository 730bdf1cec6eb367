#include "common/time_zone.h"

#include <gtest/gtest.h>

#include "common/date_time.h"
#include "common/exception.h"

namespace aishell {
namespace {

constexpr int64_t kHour = 3600LL * 1000000;

// 2024-07-01 12:00:00 and 2024-01-15 12:00:00 UTC, in microseconds.
constexpr int64_t kJuly = 1719835200LL * 1000000;
constexpr int64_t kJanuary = 1705320000LL * 1000000;

TEST(TimeZoneTest, NamesAndOffsets) {
  EXPECT_TRUE(TimeZone().is_utc());
  EXPECT_EQ(TimeZone::Find("Z")->name(), "UTC");
  EXPECT_EQ(TimeZone::Find("Etc/UTC")->name(), "UTC");
  EXPECT_EQ(TimeZone::Find("+05:30")->name(), "+05:30");
  EXPECT_EQ(TimeZone::Find("-8")->name(), "-08:00");
  EXPECT_EQ(TimeZone::Find("+05:30")->OffsetSeconds(kJuly), 5 * 3600 + 1800);
  EXPECT_FALSE(TimeZone::Find("Mars/Olympus_Mons"));
  EXPECT_FALSE(TimeZone::Find("+25:00"));
  EXPECT_THROW(TimeZone::Get("Nowhere", "X-Trino-Time-Zone"), Error);
}

TEST(TimeZoneTest, DaylightSavingTime) {
  auto ny = TimeZone::Get("America/New_York", "test");
  EXPECT_EQ(ny.name(), "America/New_York");
  EXPECT_EQ(ny.OffsetSeconds(kJuly), -4 * 3600);
  EXPECT_EQ(ny.OffsetSeconds(kJanuary), -5 * 3600);
  EXPECT_EQ(ny.ToLocal(kJuly), kJuly - 4 * kHour);
  EXPECT_EQ(ny.ToUtc(ny.ToLocal(kJuly)), kJuly);
  EXPECT_EQ(ny.ToUtc(ny.ToLocal(kJanuary)), kJanuary);
}

TEST(TimeZoneTest, SessionScope) {
  EXPECT_TRUE(SessionTimeZone().is_utc());
  {
    SessionTimeZoneScope scope(TimeZone::Get("Asia/Kolkata", "test"));
    EXPECT_EQ(SessionTimeZone().name(), "Asia/Kolkata");
  }
  EXPECT_TRUE(SessionTimeZone().is_utc());
}

}  // namespace
}  // namespace aishell
