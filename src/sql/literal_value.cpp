// Converting literal AST nodes to Values: numbers, strings, typed literals and intervals.
#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "sql/ast.h"

namespace aishell {

namespace {

// A decimal number text ("-12.50", ".5", "7.", "123456789012345678901") as a Value: DECIMAL when
// it fits 38 digits (as Trino), else DOUBLE. Returns false when the text is not a number.
bool DecimalTextToValue(const std::string& raw, Value& out) {
  std::string text = TrimSpace(raw);
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    i++;
  }
  std::string int_digits, frac_digits;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
    int_digits += text[i++];
  if (i < text.size() && text[i] == '.') {
    i++;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
      frac_digits += text[i++];
  }
  if (i != text.size() || (int_digits.empty() && frac_digits.empty())) return false;
  size_t lead = 0;
  while (lead < int_digits.size() && int_digits[lead] == '0') lead++;
  int_digits = int_digits.substr(lead);
  int scale = static_cast<int>(frac_digits.size());
  int precision = std::max<int>(1, static_cast<int>(int_digits.size()) + scale);
  if (precision > kMaxDecimalPrecision) {
    out = Value::Double(std::strtod(text.c_str(), nullptr));
    return true;
  }
  Int128 unscaled = 0;
  for (char c : int_digits + frac_digits) unscaled = unscaled * 10 + (c - '0');
  out = Value::Decimal(negative ? -unscaled : unscaled, precision, scale);
  return true;
}

bool HasZone(const std::string& text) {
  std::string t = TrimSpace(text);
  if (t.size() <= 10) return false;
  std::string rest = t.substr(10);
  if (!rest.empty() && (rest.back() == 'Z' || rest.back() == 'z')) return true;
  if (rest.find('+') != std::string::npos) return true;
  // A '-' after the time part: 2024-01-01 10:00:00-05:00
  size_t colon = rest.find(':');
  if (colon != std::string::npos && rest.find('-', colon) != std::string::npos) return true;
  for (const char* zone : {" UTC", " GMT"}) {
    if (AsciiUpper(rest).find(zone) != std::string::npos) return true;
  }
  return false;
}

std::string StripNamedUtc(const std::string& text) {
  std::string t = TrimSpace(text);
  std::string u = AsciiUpper(t);
  for (const char* zone : {" UTC", " GMT"}) {
    if (u.size() > 4 && u.compare(u.size() - 4, 4, zone) == 0) return t.substr(0, t.size() - 4);
  }
  return t;
}

[[noreturn]] void ConversionError(const std::string& message, int position) {
  throw Error(ErrorKind::kConversion, message, position);
}

bool ParseInt64(const std::string& text, int64_t& out) {
  std::string t = TrimSpace(text);
  if (t.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (errno == ERANGE || end != t.c_str() + t.size()) return false;
  out = v;
  return true;
}

IntervalField UnitFromWord(const std::string& word) {
  std::string w = AsciiLower(word);
  if (w == "y" || w == "yr" || w == "yrs" || w == "year" || w == "years")
    return IntervalField::kYear;
  if (w == "mon" || w == "mons" || w == "month" || w == "months") return IntervalField::kMonth;
  if (w == "w" || w == "week" || w == "weeks") return IntervalField::kWeek;
  if (w == "d" || w == "day" || w == "days") return IntervalField::kDay;
  if (w == "h" || w == "hr" || w == "hrs" || w == "hour" || w == "hours")
    return IntervalField::kHour;
  if (w == "m" || w == "min" || w == "mins" || w == "minute" || w == "minutes")
    return IntervalField::kMinute;
  if (w == "s" || w == "sec" || w == "secs" || w == "second" || w == "seconds")
    return IntervalField::kSecond;
  return IntervalField::kNone;
}

// Adds `amount` of `field` to `acc` (seconds may be fractional), with overflow checks.
void AddField(Interval& acc, IntervalField field, const std::string& amount, int position,
              const std::string& text) {
  auto fail = [&]() -> void {
    ConversionError(
        fmt::format("invalid interval value '{}' for {}", text, IntervalFieldName(field)),
        position);
  };
  auto overflow = [&]() -> void {
    ConversionError(fmt::format("interval value '{}' is out of range", text), position);
  };
  if (field == IntervalField::kSecond) {
    // [-]digits[.digits]
    std::string a = TrimSpace(amount);
    bool negative = !a.empty() && a[0] == '-';
    if (!a.empty() && (a[0] == '-' || a[0] == '+')) a = a.substr(1);
    size_t dot = a.find('.');
    std::string whole = a.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : a.substr(dot + 1);
    if (whole.empty() && frac.empty()) fail();
    for (char c : whole + frac) {
      if (!std::isdigit(static_cast<unsigned char>(c))) fail();
    }
    if (whole.size() > 12) overflow();
    int64_t seconds = whole.empty() ? 0 : std::stoll(whole);
    if (frac.size() > 6) frac = frac.substr(0, 6);
    while (frac.size() < 6) frac += '0';
    int64_t micros = seconds * kMicrosPerSecond + std::stoll(frac);
    acc.micros += negative ? -micros : micros;
    return;
  }
  int64_t v = 0;
  if (!ParseInt64(amount, v)) fail();
  constexpr int64_t kMaxUnits =
      100000000000LL;  // keeps the micros arithmetic below far from overflow
  if (v > kMaxUnits || v < -kMaxUnits) overflow();
  switch (field) {
    case IntervalField::kYear: {
      int64_t months = static_cast<int64_t>(acc.months) + v * 12;
      if (months > std::numeric_limits<int32_t>::max() ||
          months < std::numeric_limits<int32_t>::min()) {
        overflow();
      }
      acc.months = static_cast<int32_t>(months);
      break;
    }
    case IntervalField::kMonth: {
      int64_t months = static_cast<int64_t>(acc.months) + v;
      if (months > std::numeric_limits<int32_t>::max() ||
          months < std::numeric_limits<int32_t>::min()) {
        overflow();
      }
      acc.months = static_cast<int32_t>(months);
      break;
    }
    case IntervalField::kWeek:
    case IntervalField::kDay: {
      int64_t days = static_cast<int64_t>(acc.days) + v * (field == IntervalField::kWeek ? 7 : 1);
      if (days > std::numeric_limits<int32_t>::max() ||
          days < std::numeric_limits<int32_t>::min()) {
        overflow();
      }
      acc.days = static_cast<int32_t>(days);
      break;
    }
    case IntervalField::kHour:
      acc.micros += v * 3600 * kMicrosPerSecond;
      break;
    case IntervalField::kMinute:
      acc.micros += v * 60 * kMicrosPerSecond;
      break;
    default:
      fail();
  }
}

}  // namespace

Interval ParseIntervalLiteral(const std::string& raw_text, IntervalField start, IntervalField end,
                              bool negative, int position) {
  std::string text = TrimSpace(raw_text);
  Interval result;
  auto fail = [&](const std::string& why) -> void {
    ConversionError(fmt::format("invalid interval literal '{}': {}", raw_text, why), position);
  };
  if (text.empty()) fail("empty value");
  bool text_negative = false;
  if (start != IntervalField::kNone && (text[0] == '-' || text[0] == '+')) {
    text_negative = text[0] == '-';
    text = TrimSpace(text.substr(1));
    if (text.empty()) fail("missing value");
  }
  if (start == IntervalField::kNone) {
    // "30 days", "1 year 2 months", "-3 hours", "1.5 seconds"
    std::vector<std::string> words;
    std::string cur;
    for (char c : text) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        if (!cur.empty()) words.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) words.push_back(cur);
    // Also accept "30days" (number and unit together).
    std::vector<std::string> split;
    for (const auto& w : words) {
      size_t k = 0;
      while (k < w.size() && (std::isdigit(static_cast<unsigned char>(w[k])) || w[k] == '.' ||
                              w[k] == '-' || w[k] == '+')) {
        k++;
      }
      if (k > 0 && k < w.size()) {
        split.push_back(w.substr(0, k));
        split.push_back(w.substr(k));
      } else {
        split.push_back(w);
      }
    }
    if (split.empty() || split.size() % 2 != 0) {
      fail("expected pairs of number and unit, e.g. '30 days', or INTERVAL '30' DAY");
    }
    for (size_t i = 0; i < split.size(); i += 2) {
      IntervalField unit = UnitFromWord(split[i + 1]);
      if (unit == IntervalField::kNone) fail(fmt::format("unknown unit '{}'", split[i + 1]));
      if (unit != IntervalField::kSecond && split[i].find('.') != std::string::npos) {
        fail("only seconds may have a fraction");
      }
      AddField(result, unit, split[i], position, raw_text);
    }
  } else if (end == IntervalField::kNone) {
    if (start != IntervalField::kSecond && text.find('.') != std::string::npos) {
      fail(fmt::format("{} does not take a fraction", IntervalFieldName(start)));
    }
    AddField(result, start, text, position, raw_text);
  } else if (start == IntervalField::kYear && end == IntervalField::kMonth) {
    size_t dash = text.find('-');
    if (dash == std::string::npos) {
      AddField(result, IntervalField::kYear, text, position, raw_text);
    } else {
      AddField(result, IntervalField::kYear, text.substr(0, dash), position, raw_text);
      int64_t months = 0;
      if (!ParseInt64(text.substr(dash + 1), months) || months < 0 || months > 11)
        fail("months must be 0-11");
      AddField(result, IntervalField::kMonth, text.substr(dash + 1), position, raw_text);
    }
  } else {
    // DAY/HOUR/MINUTE TO HOUR/MINUTE/SECOND: "D HH:MM:SS.fff", "HH:MM", ...
    static const IntervalField kOrder[] = {IntervalField::kDay, IntervalField::kHour,
                                           IntervalField::kMinute, IntervalField::kSecond};
    int s = -1, e = -1;
    for (int i = 0; i < 4; i++) {
      if (kOrder[i] == start) s = i;
      if (kOrder[i] == end) e = i;
    }
    if (s < 0 || e < 0 || e <= s) {
      fail(fmt::format("unsupported interval qualifier {} TO {}", IntervalFieldName(start),
                       IntervalFieldName(end)));
    }
    std::vector<std::string> parts;
    std::string rest = text;
    if (start == IntervalField::kDay) {
      size_t space = rest.find(' ');
      if (space == std::string::npos) fail("expected 'D HH[:MM[:SS]]'");
      parts.push_back(rest.substr(0, space));
      rest = TrimSpace(rest.substr(space + 1));
    }
    size_t begin = 0;
    while (true) {
      size_t colon = rest.find(':', begin);
      parts.push_back(
          rest.substr(begin, colon == std::string::npos ? std::string::npos : colon - begin));
      if (colon == std::string::npos) break;
      begin = colon + 1;
    }
    if (static_cast<int>(parts.size()) != e - s + 1) {
      fail(fmt::format("expected {} fields for {} TO {}", e - s + 1, IntervalFieldName(start),
                       IntervalFieldName(end)));
    }
    for (int i = s; i <= e; i++) {
      const std::string& part = parts[i - s];
      if (TrimSpace(part).empty() || TrimSpace(part)[0] == '-' || TrimSpace(part)[0] == '+')
        fail("bad field");
      AddField(result, kOrder[i], part, position, raw_text);
    }
  }
  if (negative != text_negative) {
    result.months = -result.months;
    result.days = -result.days;
    result.micros = -result.micros;
  }
  return result;
}

Value LiteralToValue(const LiteralExpression& literal) {
  const int pos = literal.position;
  switch (literal.literal_kind) {
    case LiteralKind::kNull:
      return Value::Null();
    case LiteralKind::kBoolean:
      return Value::Boolean(literal.bool_value);
    case LiteralKind::kInteger: {
      int64_t v = literal.integer_value;
      if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
        return Value::Integer(static_cast<int32_t>(v));
      }
      return Value::BigInt(v);
    }
    case LiteralKind::kDecimal: {
      Value v;
      if (!DecimalTextToValue(literal.text, v)) {
        ConversionError(fmt::format("invalid decimal literal '{}'", literal.text), pos);
      }
      return v;
    }
    case LiteralKind::kDouble: {
      double d = std::strtod(literal.text.c_str(), nullptr);
      if (std::isinf(d))
        ConversionError(fmt::format("double literal {} is out of range", literal.text), pos);
      return Value::Double(d);
    }
    case LiteralKind::kString:
      return Value::Varchar(literal.text);
    case LiteralKind::kInterval:
      return Value::IntervalValue(ParseIntervalLiteral(literal.text, literal.interval_start,
                                                       literal.interval_end,
                                                       literal.interval_negative, pos));
    case LiteralKind::kTyped:
      break;
  }
  const std::string type = AsciiUpper(literal.type_name);
  const std::string& text = literal.text;
  if (type == "DATE") {
    auto days = ParseDate(TrimSpace(text));
    if (!days) ConversionError(fmt::format("invalid DATE literal '{}'", text), pos);
    return Value::Date(*days);
  }
  if (type == "TIMESTAMP") {
    if (HasZone(text)) {
      auto micros = ParseTimestamp(StripNamedUtc(text), true);
      if (!micros) ConversionError(fmt::format("invalid TIMESTAMP literal '{}'", text), pos);
      return Value::TimestampTz(*micros);
    }
    auto micros = ParseTimestamp(TrimSpace(text), false);
    if (!micros) ConversionError(fmt::format("invalid TIMESTAMP literal '{}'", text), pos);
    return Value::Timestamp(*micros);
  }
  if (type == "DECIMAL" || type == "NUMERIC") {
    Value v;
    if (!DecimalTextToValue(text, v))
      ConversionError(fmt::format("invalid DECIMAL literal '{}'", text), pos);
    if (v.type().id != TypeId::kDecimal)  // more than 38 digits: no DOUBLE fallback when typed
      ConversionError(
          fmt::format("DECIMAL literal '{}' has more than {} digits", text, kMaxDecimalPrecision),
          pos);
    return v;
  }
  if (type == "BIGINT" || type == "INTEGER" || type == "INT" || type == "SMALLINT" ||
      type == "TINYINT") {
    int64_t v = 0;
    if (!ParseInt64(text, v))
      ConversionError(fmt::format("invalid {} literal '{}'", type, text), pos);
    auto check = [&](int64_t lo, int64_t hi) {
      if (v < lo || v > hi)
        ConversionError(fmt::format("{} literal '{}' is out of range", type, text), pos);
    };
    if (type == "TINYINT") {
      check(INT8_MIN, INT8_MAX);
      return Value::TinyInt(static_cast<int8_t>(v));
    }
    if (type == "SMALLINT") {
      check(INT16_MIN, INT16_MAX);
      return Value::SmallInt(static_cast<int16_t>(v));
    }
    if (type != "BIGINT") {
      check(INT32_MIN, INT32_MAX);
      return Value::Integer(static_cast<int32_t>(v));
    }
    return Value::BigInt(v);
  }
  if (type == "DOUBLE" || type == "REAL") {
    std::string t = TrimSpace(text);
    char* end = nullptr;
    double d = std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size()) {
      ConversionError(fmt::format("invalid {} literal '{}'", type, text), pos);
    }
    if (type == "REAL") return Value::Real(static_cast<float>(d));
    return Value::Double(d);
  }
  if (type == "TIME") {
    auto t = ParseTime(text);
    if (!t) ConversionError(fmt::format("invalid TIME literal '{}'", text), pos);
    return Value::Time(*t);
  }
  if (type == "UUID") {
    auto u = ParseUuid(text);
    if (!u) ConversionError(fmt::format("invalid UUID literal '{}'", text), pos);
    return Value::UuidValue(*u);
  }
  if (type == "JSON") {
    auto canonical = CanonicalJson(text);
    if (!canonical)
      ConversionError(fmt::format("invalid JSON literal '{}': not valid JSON", text), pos);
    return Value::Json(std::move(*canonical));
  }
  if (type == "X") {  // X'0a ff': VARBINARY from hex digits (spaces allowed)
    std::string bytes;
    int nibbles = 0, acc = 0;
    for (char c : text) {
      if (c == ' ') continue;
      int h = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
              : (std::tolower(static_cast<unsigned char>(c)) >= 'a' &&
                 std::tolower(static_cast<unsigned char>(c)) <= 'f')
                  ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                  : -1;
      if (h < 0) ConversionError(fmt::format("invalid binary literal X'{}': not hex", text), pos);
      acc = acc * 16 + h;
      if (++nibbles % 2 == 0) {
        bytes.push_back(static_cast<char>(acc));
        acc = 0;
      }
    }
    if (nibbles % 2)
      ConversionError(fmt::format("invalid binary literal X'{}': odd number of hex digits", text),
                      pos);
    return Value::Varbinary(std::move(bytes));
  }
  if (type == "BOOLEAN") {
    std::string t = AsciiLower(TrimSpace(text));
    if (t == "true") return Value::Boolean(true);
    if (t == "false") return Value::Boolean(false);
    ConversionError(fmt::format("invalid BOOLEAN literal '{}'", text), pos);
  }
  if (type == "VARCHAR" || type == "CHAR") return Value::Varchar(text);
  throw Error(ErrorKind::kUnsupported,
              fmt::format("{} literals are not supported; use CAST('{}' AS {})", type, text,
                          AsciiLower(type)),
              pos);
}

}  // namespace aishell
