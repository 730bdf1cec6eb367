// Date and time functions: current_date/current_timestamp, date_trunc, extract and the field
// functions (year, month, ...), date_add, date_diff, date_format, from/to_unixtime.
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/time_zone.h"
#include "functions/function_registry.h"
#include "functions/scalar_kernels.h"

namespace aishell {

namespace {

using SV = std::string_view;
using Args = const std::vector<LogicalType>&;
using VecArgs = const std::vector<Vector>&;

const LogicalType kVarchar(TypeId::kVarchar);
const LogicalType kBigInt(TypeId::kBigInt);
const LogicalType kDouble(TypeId::kDouble);
const LogicalType kDate(TypeId::kDate);
const LogicalType kTimestamp(TypeId::kTimestamp);
const LogicalType kTimestampTz(TypeId::kTimestampTz);

enum class Unit { kMillisecond, kSecond, kMinute, kHour, kDay, kWeek, kMonth, kQuarter, kYear };
enum class Field {
  kYear,
  kQuarter,
  kMonth,
  kWeek,
  kDay,
  kDayOfWeek,
  kDayOfYear,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kYearOfWeek
};

std::string LowerTrim(SV s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\'') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.size() > 1 && out.back() == 's') out.pop_back();  // "days" -> "day"
  return out;
}

Unit ParseUnit(SV text, const char* function) {
  std::string u = LowerTrim(text);
  if (u == "millisecond") return Unit::kMillisecond;
  if (u == "second") return Unit::kSecond;
  if (u == "minute") return Unit::kMinute;
  if (u == "hour") return Unit::kHour;
  if (u == "day") return Unit::kDay;
  if (u == "week") return Unit::kWeek;
  if (u == "month") return Unit::kMonth;
  if (u == "quarter") return Unit::kQuarter;
  if (u == "year") return Unit::kYear;
  throw Error(
      ErrorKind::kExecution,
      std::string(function) + ": unknown unit '" + std::string(text) +
          "' (expected millisecond, second, minute, hour, day, week, month, quarter or year)");
}

Field ParseField(SV text) {
  std::string f = LowerTrim(text);
  if (f == "year") return Field::kYear;
  if (f == "quarter") return Field::kQuarter;
  if (f == "month") return Field::kMonth;
  if (f == "week" || f == "week_of_year") return Field::kWeek;
  if (f == "day" || f == "day_of_month") return Field::kDay;
  if (f == "day_of_week" || f == "dow" || f == "isodow") return Field::kDayOfWeek;
  if (f == "day_of_year" || f == "doy") return Field::kDayOfYear;
  if (f == "hour") return Field::kHour;
  if (f == "minute") return Field::kMinute;
  if (f == "second") return Field::kSecond;
  if (f == "millisecond") return Field::kMillisecond;
  if (f == "year_of_week" || f == "yow") return Field::kYearOfWeek;
  throw Error(ErrorKind::kExecution, "extract: unknown field '" + std::string(text) + "'");
}

inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b) < 0) q--;
  return q;
}

inline int32_t IsoDayOfWeek(int32_t days) {  // Monday = 1 .. Sunday = 7
  int32_t w = static_cast<int32_t>(((days % 7) + 7 + 3) % 7);
  return w + 1;
}

int32_t DayOfYear(int32_t days) {
  CivilDate c = CivilFromDays(days);
  return days - DaysFromCivil(c.year, 1, 1) + 1;
}

// ISO week number and week-based year.
std::pair<int32_t, int32_t> IsoWeek(int32_t days) {
  int32_t thursday = days - IsoDayOfWeek(days) + 4;
  CivilDate c = CivilFromDays(thursday);
  int32_t doy = thursday - DaysFromCivil(c.year, 1, 1);
  return {doy / 7 + 1, c.year};
}

int64_t ExtractField(Field f, int64_t micros) {
  int32_t days = TimestampDays(micros);
  int64_t rem = micros - static_cast<int64_t>(days) * kMicrosPerDay;
  switch (f) {
    case Field::kYear:
      return CivilFromDays(days).year;
    case Field::kQuarter:
      return (CivilFromDays(days).month - 1) / 3 + 1;
    case Field::kMonth:
      return CivilFromDays(days).month;
    case Field::kWeek:
      return IsoWeek(days).first;
    case Field::kYearOfWeek:
      return IsoWeek(days).second;
    case Field::kDay:
      return CivilFromDays(days).day;
    case Field::kDayOfWeek:
      return IsoDayOfWeek(days);
    case Field::kDayOfYear:
      return DayOfYear(days);
    case Field::kHour:
      return rem / (3600 * kMicrosPerSecond);
    case Field::kMinute:
      return (rem / (60 * kMicrosPerSecond)) % 60;
    case Field::kSecond:
      return (rem / kMicrosPerSecond) % 60;
    case Field::kMillisecond:
      return (rem / 1000) % 1000;
  }
  return 0;
}

int64_t TruncMicros(Unit u, int64_t micros) {
  int32_t days = TimestampDays(micros);
  switch (u) {
    case Unit::kMillisecond:
      return FloorDiv(micros, 1000) * 1000;
    case Unit::kSecond:
      return FloorDiv(micros, kMicrosPerSecond) * kMicrosPerSecond;
    case Unit::kMinute:
      return FloorDiv(micros, 60 * kMicrosPerSecond) * 60 * kMicrosPerSecond;
    case Unit::kHour:
      return FloorDiv(micros, 3600 * kMicrosPerSecond) * 3600 * kMicrosPerSecond;
    case Unit::kDay:
      return static_cast<int64_t>(days) * kMicrosPerDay;
    case Unit::kWeek:
      return static_cast<int64_t>(days - IsoDayOfWeek(days) + 1) * kMicrosPerDay;
    case Unit::kMonth: {
      CivilDate c = CivilFromDays(days);
      return static_cast<int64_t>(DaysFromCivil(c.year, c.month, 1)) * kMicrosPerDay;
    }
    case Unit::kQuarter: {
      CivilDate c = CivilFromDays(days);
      return static_cast<int64_t>(DaysFromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1)) *
             kMicrosPerDay;
    }
    case Unit::kYear: {
      CivilDate c = CivilFromDays(days);
      return static_cast<int64_t>(DaysFromCivil(c.year, 1, 1)) * kMicrosPerDay;
    }
  }
  return micros;
}

int64_t AddUnit(Unit u, int64_t n, int64_t micros) {
  auto shift = [micros](int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r) || __builtin_add_overflow(micros, r, &r))
      throw Error(ErrorKind::kExecution, "date_add: value out of range");
    return r;
  };
  switch (u) {
    case Unit::kMillisecond:
      return shift(n, 1000);
    case Unit::kSecond:
      return shift(n, kMicrosPerSecond);
    case Unit::kMinute:
      return shift(n, 60 * kMicrosPerSecond);
    case Unit::kHour:
      return shift(n, 3600 * kMicrosPerSecond);
    case Unit::kDay:
      return shift(n, kMicrosPerDay);
    case Unit::kWeek:
      return shift(n, 7 * kMicrosPerDay);
    case Unit::kMonth:
    case Unit::kQuarter:
    case Unit::kYear: {
      int64_t months = n * (u == Unit::kMonth ? 1 : (u == Unit::kQuarter ? 3 : 12));
      if (months > INT32_MAX || months < INT32_MIN)
        throw Error(ErrorKind::kExecution, "date_add: value out of range");
      return AddIntervalToTimestamp(micros, Interval{static_cast<int32_t>(months), 0, 0});
    }
  }
  return micros;
}

int64_t DiffUnit(Unit u, int64_t a, int64_t b) {
  switch (u) {
    case Unit::kMillisecond:
      return (b - a) / 1000;
    case Unit::kSecond:
      return (b - a) / kMicrosPerSecond;
    case Unit::kMinute:
      return (b - a) / (60 * kMicrosPerSecond);
    case Unit::kHour:
      return (b - a) / (3600 * kMicrosPerSecond);
    case Unit::kDay:
      return (b - a) / kMicrosPerDay;
    case Unit::kWeek:
      return (b - a) / (7 * kMicrosPerDay);
    case Unit::kMonth:
    case Unit::kQuarter:
    case Unit::kYear: {
      int32_t da = TimestampDays(a), db = TimestampDays(b);
      CivilDate ca = CivilFromDays(da), cb = CivilFromDays(db);
      int64_t months = (cb.year * 12LL + cb.month) - (ca.year * 12LL + ca.month);
      // Only complete months count: compare the day-of-month and time of day.
      int64_t ra = a - static_cast<int64_t>(da) * kMicrosPerDay,
              rb = b - static_cast<int64_t>(db) * kMicrosPerDay;
      auto later = [](int32_t d1, int64_t r1, int32_t d2, int64_t r2) {
        return d1 > d2 || (d1 == d2 && r1 > r2);
      };
      if (months > 0 && later(ca.day, ra, cb.day, rb)) months--;
      if (months < 0 && later(cb.day, rb, ca.day, ra)) months++;
      return u == Unit::kMonth ? months : (u == Unit::kQuarter ? months / 3 : months / 12);
    }
  }
  return 0;
}

// Reads a temporal vector row as microseconds.
inline int64_t MicrosAt(const UnifiedView& v, size_t i, bool is_date) {
  return is_date ? static_cast<int64_t>(v.Get<int32_t>(i)) * kMicrosPerDay : v.Get<int64_t>(i);
}

// Caches the parse of a (usually constant) unit/field argument.
template <class T, class Parse>
struct ParsedArg {
  std::string text;
  T value{};
  bool valid = false;
  Parse parse;
  explicit ParsedArg(Parse p) : parse(p) {}
  T Get(SV s) {
    if (!valid || s != text) {
      value = parse(s);
      text.assign(s);
      valid = true;
    }
    return value;
  }
};

std::string FormatMysql(int64_t micros, SV format) {
  int32_t days = TimestampDays(micros);
  int64_t rem = micros - static_cast<int64_t>(days) * kMicrosPerDay;
  CivilDate c = CivilFromDays(days);
  static const char* kMonths[] = {"January",   "February", "March",    "April",
                                  "May",       "June",     "July",     "August",
                                  "September", "October",  "November", "December"};
  static const char* kDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                "Friday", "Saturday", "Sunday"};
  int64_t hour = rem / (3600 * kMicrosPerSecond), minute = (rem / (60 * kMicrosPerSecond)) % 60;
  int64_t second = (rem / kMicrosPerSecond) % 60, frac = rem % kMicrosPerSecond;
  std::string out;
  for (size_t i = 0; i < format.size(); i++) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    char f = format[++i];
    switch (f) {
      case 'Y':
        out += fmt::format("{:04d}", c.year);
        break;
      case 'y':
        out += fmt::format("{:02d}", ((c.year % 100) + 100) % 100);
        break;
      case 'm':
        out += fmt::format("{:02d}", c.month);
        break;
      case 'c':
        out += std::to_string(c.month);
        break;
      case 'd':
        out += fmt::format("{:02d}", c.day);
        break;
      case 'e':
        out += std::to_string(c.day);
        break;
      case 'H':
        out += fmt::format("{:02d}", hour);
        break;
      case 'k':
        out += std::to_string(hour);
        break;
      case 'h':
      case 'I':
        out += fmt::format("{:02d}", (hour + 11) % 12 + 1);
        break;
      case 'l':
        out += std::to_string((hour + 11) % 12 + 1);
        break;
      case 'i':
        out += fmt::format("{:02d}", minute);
        break;
      case 's':
      case 'S':
        out += fmt::format("{:02d}", second);
        break;
      case 'f':
        out += fmt::format("{:06d}", frac);
        break;
      case 'p':
        out += hour < 12 ? "AM" : "PM";
        break;
      case 'M':
        out += kMonths[c.month - 1];
        break;
      case 'b':
        out += std::string(kMonths[c.month - 1]).substr(0, 3);
        break;
      case 'W':
        out += kDays[IsoDayOfWeek(days) - 1];
        break;
      case 'a':
        out += std::string(kDays[IsoDayOfWeek(days) - 1]).substr(0, 3);
        break;
      case 'j':
        out += fmt::format("{:03d}", DayOfYear(days));
        break;
      case 'T':
        out += fmt::format("{:02d}:{:02d}:{:02d}", hour, minute, second);
        break;
      case 'v':
        out += fmt::format("{:02d}", IsoWeek(days).first);
        break;
      case '%':
        out += '%';
        break;
      default:
        out += '%';
        out += f;
    }
  }
  return out;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void RegisterDateFunctions(FunctionRegistryImpl& r) {
  // TIME: hour, minute, second, millisecond (also EXTRACT(field FROM time)).
  {
    LogicalType time(TypeId::kTime);
    struct TimeField {
      const char* name;
      Field field;
    };
    for (TimeField f :
         {TimeField{"hour", Field::kHour}, TimeField{"minute", Field::kMinute},
          TimeField{"second", Field::kSecond}, TimeField{"millisecond", Field::kMillisecond}}) {
      r.AddScalar(
          f.name,
          {{time}, false, [time, f](Args) {
             return MakeScalar(f.name, {time}, kBigInt, [f](VecArgs a, size_t n, Vector& out) {
               UnaryExecute<int64_t, int64_t>(
                   a[0], n, out, [&](int64_t micros) { return ExtractField(f.field, micros); });
             });
           }});
    }
  }
  // The current time is read when the call is bound, so it is fixed for the whole query;
  // current_date and localtimestamp are the wall clock of the session time zone
  // (common/time_zone.h), current_timestamp / now() the instant.
  r.AddScalar("current_date", {{}, false, [](Args) {
                                 int32_t today =
                                     TimestampDays(SessionTimeZone().ToLocal(NowMicros()));
                                 return MakeScalar("current_date", {}, kDate,
                                                   [today](VecArgs, size_t n, Vector& out) {
                                                     for (size_t i = 0; i < n; i++)
                                                       out.Data<int32_t>()[i] = today;
                                                   });
                               }});
  for (const char* name : {"current_timestamp", "now"}) {
    r.AddScalar(name, {{}, false, [name](Args) {
                         int64_t now = NowMicros();
                         return MakeScalar(name, {}, kTimestampTz,
                                           [now](VecArgs, size_t n, Vector& out) {
                                             for (size_t i = 0; i < n; i++)
                                               out.Data<int64_t>()[i] = now;
                                           });
                       }});
  }
  r.AddScalar("localtimestamp", {{}, false, [](Args) {
                                   int64_t now = SessionTimeZone().ToLocal(NowMicros());
                                   return MakeScalar("localtimestamp", {}, kTimestamp,
                                                     [now](VecArgs, size_t n, Vector& out) {
                                                       for (size_t i = 0; i < n; i++)
                                                         out.Data<int64_t>()[i] = now;
                                                     });
                                 }});

  // x AT TIME ZONE zone: the wall clock in `zone` of the instant x (a timestamp without a zone
  // is read in the session time zone, as Trino does). The result is a timestamp without a zone:
  // values carry no zone of their own here (Trino returns `timestamp with time zone` in `zone`).
  for (LogicalType t : {kTimestamp, kTimestampTz}) {
    bool local = t.id == TypeId::kTimestamp;
    r.AddScalar("at_timezone",
                {{t, kVarchar}, false, [t, local](Args) {
                   TimeZone session = SessionTimeZone();
                   return MakeScalar(
                       "at_timezone", {t, kVarchar}, kTimestamp,
                       [local, session](VecArgs a, size_t n, Vector& out) {
                         ParsedArg<TimeZone, TimeZone (*)(SV)> zone(
                             [](SV s) { return TimeZone::Get(std::string(s), "AT TIME ZONE"); });
                         auto* res = out.Data<int64_t>();
                         RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
                           int64_t m = v[0].Get<int64_t>(i);
                           if (local) m = session.ToUtc(m);
                           res[i] = zone.Get(v[1].Get<SV>(i)).ToLocal(m);
                         });
                       });
                 }});
  }

  for (LogicalType t : {kDate, kTimestamp, kTimestampTz}) {
    bool is_date = t.id == TypeId::kDate;
    // date_trunc(unit, x)
    r.AddScalar("date_trunc",
                {{kVarchar, t}, false, [t, is_date](Args) {
                   return MakeScalar(
                       "date_trunc", {kVarchar, t}, t, [is_date](VecArgs a, size_t n, Vector& out) {
                         ParsedArg<Unit, Unit (*)(SV)> unit(
                             [](SV s) { return ParseUnit(s, "date_trunc"); });
                         RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
                           Unit u = unit.Get(v[0].Get<SV>(i));
                           int64_t m = TruncMicros(u, MicrosAt(v[1], i, is_date));
                           if (is_date)
                             out.Data<int32_t>()[i] = TimestampDays(m);
                           else
                             out.Data<int64_t>()[i] = m;
                         });
                       });
                 }});
    // extract(field, x) / date_part(field, x)
    for (const char* name : {"extract", "date_part"}) {
      r.AddScalar(
          name, {{kVarchar, t}, false, [t, is_date, name](Args) {
                   return MakeScalar(
                       name, {kVarchar, t}, kBigInt, [is_date](VecArgs a, size_t n, Vector& out) {
                         ParsedArg<Field, Field (*)(SV)> field([](SV s) { return ParseField(s); });
                         auto* res = out.Data<int64_t>();
                         RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
                           res[i] =
                               ExtractField(field.Get(v[0].Get<SV>(i)), MicrosAt(v[1], i, is_date));
                         });
                       });
                 }});
    }
    struct FieldFn {
      const char* name;
      Field field;
    };
    for (FieldFn f :
         {FieldFn{"year", Field::kYear}, FieldFn{"quarter", Field::kQuarter},
          FieldFn{"month", Field::kMonth}, FieldFn{"week", Field::kWeek},
          FieldFn{"week_of_year", Field::kWeek}, FieldFn{"day", Field::kDay},
          FieldFn{"day_of_month", Field::kDay}, FieldFn{"day_of_week", Field::kDayOfWeek},
          FieldFn{"dow", Field::kDayOfWeek}, FieldFn{"day_of_year", Field::kDayOfYear},
          FieldFn{"doy", Field::kDayOfYear}, FieldFn{"hour", Field::kHour},
          FieldFn{"minute", Field::kMinute}, FieldFn{"second", Field::kSecond},
          FieldFn{"millisecond", Field::kMillisecond}, FieldFn{"year_of_week", Field::kYearOfWeek},
          FieldFn{"yow", Field::kYearOfWeek}}) {
      r.AddScalar(f.name,
                  {{t}, false, [t, is_date, f](Args) {
                     return MakeScalar(
                         f.name, {t}, kBigInt, [is_date, f](VecArgs a, size_t n, Vector& out) {
                           if (is_date) {
                             UnaryExecute<int32_t, int64_t>(a[0], n, out, [&](int32_t d) {
                               return ExtractField(f.field,
                                                   static_cast<int64_t>(d) * kMicrosPerDay);
                             });
                           } else if (f.field == Field::kYear) {
                             UnaryExecute<int64_t, int64_t>(a[0], n, out, [](int64_t m) -> int64_t {
                               return CivilFromDays(TimestampDays(m)).year;
                             });
                           } else {
                             UnaryExecute<int64_t, int64_t>(
                                 a[0], n, out, [&](int64_t m) { return ExtractField(f.field, m); });
                           }
                         });
                   }});
    }
    // date_add(unit, n, x)
    r.AddScalar(
        "date_add",
        {{kVarchar, kBigInt, t}, false, [t, is_date](Args) {
           return MakeScalar(
               "date_add", {kVarchar, kBigInt, t}, t, [is_date](VecArgs a, size_t n, Vector& out) {
                 ParsedArg<Unit, Unit (*)(SV)> unit([](SV s) { return ParseUnit(s, "date_add"); });
                 RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
                   int64_t m = AddUnit(unit.Get(v[0].Get<SV>(i)), v[1].Get<int64_t>(i),
                                       MicrosAt(v[2], i, is_date));
                   if (is_date)
                     out.Data<int32_t>()[i] = TimestampDays(m);
                   else
                     out.Data<int64_t>()[i] = m;
                 });
               });
         }});
    // date_diff(unit, a, b)
    r.AddScalar(
        "date_diff",
        {{kVarchar, t, t}, false, [t, is_date](Args) {
           return MakeScalar(
               "date_diff", {kVarchar, t, t}, kBigInt, [is_date](VecArgs a, size_t n, Vector& out) {
                 ParsedArg<Unit, Unit (*)(SV)> unit([](SV s) { return ParseUnit(s, "date_diff"); });
                 auto* res = out.Data<int64_t>();
                 RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
                   res[i] = DiffUnit(unit.Get(v[0].Get<SV>(i)), MicrosAt(v[1], i, is_date),
                                     MicrosAt(v[2], i, is_date));
                 });
               });
         }});
    r.AddScalar(
        "date_format",
        {{t, kVarchar}, false, [t, is_date](Args) {
           return MakeScalar(
               "date_format", {t, kVarchar}, kVarchar, [is_date](VecArgs a, size_t n, Vector& out) {
                 auto* res = out.Data<SV>();
                 auto& heap = *out.heap();
                 RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
                   res[i] = heap.Add(FormatMysql(MicrosAt(v[0], i, is_date), v[1].Get<SV>(i)));
                 });
               });
         }});
    r.AddScalar("last_day_of_month",
                {{t}, false, [t, is_date](Args) {
                   return MakeScalar(
                       "last_day_of_month", {t}, kDate,
                       [is_date](VecArgs a, size_t n, Vector& out) {
                         auto* res = out.Data<int32_t>();
                         RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
                           CivilDate c = CivilFromDays(TimestampDays(MicrosAt(v[0], i, is_date)));
                           res[i] = DaysFromCivil(c.year, c.month, DaysInMonth(c.year, c.month));
                         });
                       });
                 }});
    if (!is_date) {
      r.AddScalar("to_unixtime",
                  {{t}, false, [t](Args) {
                     return MakeScalar("to_unixtime", {t}, kDouble,
                                       [](VecArgs a, size_t n, Vector& out) {
                                         UnaryExecute<int64_t, double>(a[0], n, out, [](int64_t m) {
                                           return static_cast<double>(m) / kMicrosPerSecond;
                                         });
                                       });
                   }});
    }
  }
  r.AddScalar("from_unixtime",
              {{kDouble}, false, [](Args) {
                 return MakeScalar(
                     "from_unixtime", {kDouble}, kTimestampTz,
                     [](VecArgs a, size_t n, Vector& out) {
                       UnaryExecute<double, int64_t>(a[0], n, out, [](double s) {
                         if (std::isnan(s) || std::fabs(s) > 9.2e12)
                           throw Error(ErrorKind::kExecution, "from_unixtime: value out of range");
                         return static_cast<int64_t>(std::llround(s * kMicrosPerSecond));
                       });
                     });
               }});
}

}  // namespace aishell
