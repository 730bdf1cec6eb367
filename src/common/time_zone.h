// Time zones: the session time zone (Trino's X-Trino-Time-Zone, `SET TIME ZONE`, the setting
// session.time_zone) that current_date, localtimestamp, AT TIME ZONE and the rendering of
// `timestamp with time zone` in the Trino protocol use. IANA names come from the system's tz
// database (Debian's tzdata, read through Howard Hinnant's date library,
// libhowardhinnant-date-dev); fixed offsets are written +05:30 / -08:00.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace aishell {

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // "UTC", "Z", "America/New_York", "+05:30", "-08"; nullopt for an unknown name.
  static std::optional<TimeZone> Find(const std::string& name);
  // Find, or Error(kBinder) naming the zone and where it came from (`what`, e.g. "SET TIME ZONE").
  static TimeZone Get(const std::string& name, const std::string& what);

  const std::string& name() const { return name_; }  // as Trino spells it ("UTC", "+05:30")
  bool is_utc() const { return name_ == "UTC"; }
  // The offset from UTC, in seconds, at the instant `utc_micros`.
  int64_t OffsetSeconds(int64_t utc_micros) const;
  // The wall-clock time in this zone of the instant `utc_micros` (micros since 1970 local).
  int64_t ToLocal(int64_t utc_micros) const {
    return utc_micros + OffsetSeconds(utc_micros) * 1000000;
  }
  // The instant of the wall-clock time `local_micros` in this zone (the earlier one of an
  // ambiguous time; a time skipped by a DST change moves forward).
  int64_t ToUtc(int64_t local_micros) const;

 private:
  std::string name_ = "UTC";
  const void* zone_ = nullptr;  // a date::time_zone, or null for a fixed offset
  int64_t fixed_offset_seconds_ = 0;
};

// The time zone of the statement being planned or rendered on this thread (UTC unless a
// SessionTimeZoneScope is active).
const TimeZone& SessionTimeZone();

class SessionTimeZoneScope {
 public:
  explicit SessionTimeZoneScope(const TimeZone& zone);
  ~SessionTimeZoneScope();
  SessionTimeZoneScope(const SessionTimeZoneScope&) = delete;
  SessionTimeZoneScope& operator=(const SessionTimeZoneScope&) = delete;

 private:
  TimeZone previous_;
};

}  // namespace aishell
