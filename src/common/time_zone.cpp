#include "common/time_zone.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <regex>

#include "common/exception.h"
#include "common/strings.h"

namespace aishell {

namespace {

thread_local TimeZone session_zone;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::optional<TimeZone> TimeZone::Find(const std::string& name) {
  TimeZone z;
  std::string trimmed = TrimSpace(name);
  std::string upper = AsciiUpper(trimmed);
  if (upper == "UTC" || upper == "Z" || upper == "GMT" || upper == "UCT" || upper == "ETC/UTC" ||
      upper == "ZULU" || upper == "+00:00" || upper == "-00:00" || upper == "UT")
    return z;
  // The sign may be missing: "+05:30" in an HTTP header may reach here as " 05:30" (cpp-httplib
  // percent-decodes header values, then the '+' of %2B reads as an encoded space).
  static const std::regex kOffset(R"(([+-]?)(\d{1,2})(?::?(\d{2}))?)");
  std::smatch m;
  if (std::regex_match(trimmed, m, kOffset)) {
    int hours = std::stoi(m[2].str());
    int minutes = m[3].matched ? std::stoi(m[3].str()) : 0;
    if (hours > 14 || minutes > 59) return std::nullopt;
    int64_t offset = (hours * 3600 + minutes * 60) * (m[1].str() == "-" ? -1 : 1);
    if (offset == 0) return z;
    z.fixed_offset_seconds_ = offset;
    z.name_ = fmt::format("{}{:02}:{:02}", offset < 0 ? '-' : '+', hours, minutes);
    return z;
  }
  try {
    const date::time_zone* tz = date::locate_zone(trimmed);
    z.zone_ = tz;
    z.name_ = std::string(tz->name());
    return z;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

TimeZone TimeZone::Get(const std::string& name, const std::string& what) {
  auto z = Find(name);
  if (!z)
    throw Error(ErrorKind::kUnsupported,
                what + ": unknown time zone '" + name +
                    "' (an IANA name such as 'America/New_York', 'UTC', or an offset such as "
                    "'+05:30')");
  return *z;
}

int64_t TimeZone::OffsetSeconds(int64_t utc_micros) const {
  if (!zone_) return fixed_offset_seconds_;
  const auto* tz = static_cast<const date::time_zone*>(zone_);
  date::sys_seconds t{std::chrono::seconds(FloorDiv(utc_micros, 1000000))};
  return tz->get_info(t).offset.count();
}

int64_t TimeZone::ToUtc(int64_t local_micros) const {
  if (!zone_) return local_micros - fixed_offset_seconds_ * 1000000;
  // The offset at the local time read as UTC, then corrected once (DST edges settle).
  int64_t guess = local_micros - OffsetSeconds(local_micros) * 1000000;
  int64_t offset = OffsetSeconds(guess);
  int64_t utc = local_micros - offset * 1000000;
  if (ToLocal(utc) != local_micros) {
    int64_t other = local_micros - OffsetSeconds(utc) * 1000000;
    if (ToLocal(other) == local_micros) return std::min(utc, other);
  }
  return utc;
}

const TimeZone& SessionTimeZone() { return session_zone; }

SessionTimeZoneScope::SessionTimeZoneScope(const TimeZone& zone) : previous_(session_zone) {
  session_zone = zone;
}

SessionTimeZoneScope::~SessionTimeZoneScope() { session_zone = previous_; }

}  // namespace aishell
