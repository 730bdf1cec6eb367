#include "common/value.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/pow10.h"

namespace aishell {

int64_t Pow10(int e) {
  if (e < 0 || e > kMaxPow10Exponent) throw Error(ErrorKind::kInternal, "Pow10 out of range");
  return kPow10[e];
}

Int128 Pow10Wide(int e) {
  if (e < 0 || e > kMaxDecimalPrecision)
    throw Error(ErrorKind::kInternal, "Pow10Wide out of range");
  if (e <= kMaxPow10Exponent) return kPow10[e];
  static const auto kWide = [] {
    std::array<Int128, kMaxDecimalPrecision + 1> table{};
    table[0] = 1;
    for (int k = 1; k <= kMaxDecimalPrecision; k++) table[k] = table[k - 1] * 10;
    return table;
  }();
  return kWide[e];
}

namespace {
std::string FormatUnsigned128(unsigned __int128 mag) {
  char buf[48];
  char* end = buf + sizeof(buf);
  char* p = end;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  } while (mag != 0);
  return std::string(p, end);
}
}  // namespace

std::string FormatInt128(Int128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) return std::to_string(static_cast<int64_t>(v));
  bool negative = v < 0;
  unsigned __int128 mag =
      negative ? 0 - static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  return (negative ? "-" : "") + FormatUnsigned128(mag);
}

std::string FormatDecimal(Int128 unscaled, int scale) {
  if (scale == 0) return FormatInt128(unscaled);
  bool negative = unscaled < 0;
  unsigned __int128 mag = negative ? 0 - static_cast<unsigned __int128>(unscaled)
                                   : static_cast<unsigned __int128>(unscaled);
  if (mag <= UINT64_MAX) {
    uint64_t m = static_cast<uint64_t>(mag);
    if (scale <= kMaxPow10Exponent) {
      uint64_t p = static_cast<uint64_t>(kPow10[scale]);
      return fmt::format("{}{}.{:0{}d}", negative ? "-" : "", m / p, m % p, scale);
    }
  }
  std::string digits = FormatUnsigned128(mag);
  if (digits.size() <= static_cast<size_t>(scale))
    digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
  digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  return (negative ? "-" : "") + digits;
}

std::string FormatUuid(const Uuid& v) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[v.bytes[i] >> 4]);
    out.push_back(kHex[v.bytes[i] & 15]);
  }
  return out;
}

std::optional<Uuid> ParseUuid(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') text = text.substr(1, 36);
  Uuid out{};
  int n = 0;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (c == '-') {
      if (text.size() != 36 || (i != 8 && i != 13 && i != 18 && i != 23)) return std::nullopt;
      continue;
    }
    int h = hex(c);
    if (h < 0 || n >= 32) return std::nullopt;
    out.bytes[n / 2] = static_cast<uint8_t>(out.bytes[n / 2] | (n % 2 ? h : h << 4));
    n++;
  }
  if (n != 32 || (text.size() != 36 && text.size() != 32)) return std::nullopt;
  return out;
}

std::string FormatVarbinary(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (size_t i = 0; i < bytes.size(); i++) {
    if (i) out.push_back(' ');
    auto b = static_cast<uint8_t>(bytes[i]);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string FormatTime(int64_t micros) {
  int64_t secs = micros / kMicrosPerSecond;
  int64_t frac = micros % kMicrosPerSecond;
  std::string out = fmt::format("{:02d}:{:02d}:{:02d}", secs / 3600, secs / 60 % 60, secs % 60);
  if (frac) {
    std::string f = fmt::format("{:06d}", frac);
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

std::optional<int64_t> ParseTime(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int fields[3] = {0, 0, 0};
  size_t i = 0;
  for (int f = 0; f < 3; f++) {
    if (f > 0) {
      if (i >= text.size() || text[i] != ':') {
        if (f == 2) break;  // HH:MM
        return std::nullopt;
      }
      i++;
    }
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 2) {
      fields[f] = fields[f] * 10 + (text[i] - '0');
      i++;
    }
    if (i - start != 2) return std::nullopt;
  }
  int64_t frac = 0;
  if (i < text.size() && text[i] == '.') {
    i++;
    int digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (digits < 6) {
        frac = frac * 10 + (text[i] - '0');
      } else if (digits == 6 && text[i] >= '5') {
        frac++;  // round half up at microseconds
      }
      digits++;
      i++;
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 6; d++) frac *= 10;
  }
  if (i != text.size() || fields[0] > 23 || fields[1] > 59 || fields[2] > 59) return std::nullopt;
  int64_t micros = ((fields[0] * 60LL + fields[1]) * 60 + fields[2]) * kMicrosPerSecond + frac;
  if (micros >= kMicrosPerDay) return std::nullopt;
  return micros;
}

Value Value::Null(LogicalType type) {
  Value v;
  v.type_ = type;
  v.is_null_ = true;
  return v;
}

#define AISHELL_VALUE_CTOR(Name, Arg, TypeExpr, Assign) \
  Value Value::Name(Arg x) {                            \
    Value v;                                            \
    v.type_ = TypeExpr;                                 \
    v.is_null_ = false;                                 \
    Assign;                                             \
    return v;                                           \
  }

AISHELL_VALUE_CTOR(Boolean, bool, LogicalType(TypeId::kBoolean), v.int_ = x ? 1 : 0)
AISHELL_VALUE_CTOR(TinyInt, int8_t, LogicalType(TypeId::kTinyInt), v.int_ = x)
AISHELL_VALUE_CTOR(SmallInt, int16_t, LogicalType(TypeId::kSmallInt), v.int_ = x)
AISHELL_VALUE_CTOR(Integer, int32_t, LogicalType(TypeId::kInteger), v.int_ = x)
AISHELL_VALUE_CTOR(BigInt, int64_t, LogicalType(TypeId::kBigInt), v.int_ = x)
AISHELL_VALUE_CTOR(Real, float, LogicalType(TypeId::kReal), v.double_ = x)
AISHELL_VALUE_CTOR(Double, double, LogicalType(TypeId::kDouble), v.double_ = x)
AISHELL_VALUE_CTOR(Varchar, std::string, LogicalType(TypeId::kVarchar), v.string_ = std::move(x))
AISHELL_VALUE_CTOR(Varbinary, std::string, LogicalType(TypeId::kVarbinary),
                   v.string_ = std::move(x))
AISHELL_VALUE_CTOR(Json, std::string, LogicalType(TypeId::kJson), v.string_ = std::move(x))
AISHELL_VALUE_CTOR(UuidValue, const Uuid&, LogicalType(TypeId::kUuid),
                   v.string_.assign(reinterpret_cast<const char*>(x.bytes), 16))
AISHELL_VALUE_CTOR(Date, int32_t, LogicalType(TypeId::kDate), v.int_ = x)
AISHELL_VALUE_CTOR(Time, int64_t, LogicalType(TypeId::kTime), v.int_ = x)
AISHELL_VALUE_CTOR(Timestamp, int64_t, LogicalType(TypeId::kTimestamp), v.int_ = x)
AISHELL_VALUE_CTOR(TimestampTz, int64_t, LogicalType(TypeId::kTimestampTz), v.int_ = x)
AISHELL_VALUE_CTOR(IntervalValue, Interval, LogicalType(TypeId::kInterval), v.interval_ = x)
#undef AISHELL_VALUE_CTOR

Value Value::Decimal(Int128 unscaled, int precision, int scale) {
  Value v;
  v.type_ = LogicalType::Decimal(precision, scale);
  v.is_null_ = false;
  v.wide_ = unscaled;
  v.int_ = static_cast<int64_t>(unscaled);  // exact for precision <= 18
  return v;
}

Value Value::Array(LogicalType type, std::vector<Value> elements) {
  Value v;
  v.type_ = std::move(type);
  v.is_null_ = false;
  v.children_ = std::move(elements);
  return v;
}

Value Value::Map(LogicalType type, std::vector<Value> keys, std::vector<Value> values) {
  Value v;
  v.type_ = std::move(type);
  v.is_null_ = false;
  v.children_ = std::move(keys);
  v.map_values_ = std::move(values);
  return v;
}

Value Value::Row(LogicalType type, std::vector<Value> fields) {
  Value v;
  v.type_ = std::move(type);
  v.is_null_ = false;
  v.children_ = std::move(fields);
  return v;
}

Uuid Value::GetUuid() const {
  Uuid u{};
  if (string_.size() == 16) std::memcpy(u.bytes, string_.data(), 16);
  return u;
}

double Value::AsDouble() const {
  switch (type_.id) {
    case TypeId::kDouble:
    case TypeId::kReal:
      return double_;
    case TypeId::kDecimal:
      if (type_.scale <= kMaxPow10Exponent)
        return static_cast<double>(wide_) / static_cast<double>(kPow10[type_.scale]);
      return static_cast<double>(wide_) / static_cast<double>(Pow10Wide(type_.scale));
    default:
      return static_cast<double>(int_);
  }
}

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == std::floor(d) && std::fabs(d) < 1e15) return fmt::format("{:.1f}", d);
  return fmt::format("{}", d);
}

std::string FormatReal(float f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "Infinity" : "-Infinity";
  if (f == std::floor(f) && std::fabs(f) < 1e7f) return fmt::format("{:.1f}", f);
  return fmt::format("{}", f);
}

std::string Value::ToString() const {
  if (is_null_) return "NULL";
  switch (type_.id) {
    case TypeId::kNull:
      return "NULL";
    case TypeId::kBoolean:
      return int_ ? "true" : "false";
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      return std::to_string(int_);
    case TypeId::kReal:
      return FormatReal(static_cast<float>(double_));
    case TypeId::kDouble:
      return FormatDouble(double_);
    case TypeId::kDecimal:
      return FormatDecimal(wide_, type_.scale);
    case TypeId::kVarchar:
    case TypeId::kJson:
      return string_;
    case TypeId::kVarbinary:
      return FormatVarbinary(string_);
    case TypeId::kUuid:
      return FormatUuid(GetUuid());
    case TypeId::kDate:
      return FormatDate(static_cast<int32_t>(int_));
    case TypeId::kTime:
      return FormatTime(int_);
    case TypeId::kTimestamp:
      return FormatTimestamp(int_);
    case TypeId::kTimestampTz:
      return FormatTimestampTz(int_);
    case TypeId::kInterval:
      return FormatInterval(interval_);
    case TypeId::kArray: {  // as Trino's CLI: [1, 2, 3]
      std::string out = "[";
      for (size_t i = 0; i < children_.size(); i++) {
        if (i) out += ", ";
        out += children_[i].ToString();
      }
      return out + "]";
    }
    case TypeId::kMap: {  // {k1=v1, k2=v2}
      std::string out = "{";
      for (size_t i = 0; i < children_.size(); i++) {
        if (i) out += ", ";
        out += children_[i].ToString() + "=" + map_values_[i].ToString();
      }
      return out + "}";
    }
    case TypeId::kRow: {  // {a=1, b=x}; anonymous fields as field0, field1, ...
      std::string out = "{";
      const auto& names = type_.FieldNames();
      for (size_t i = 0; i < children_.size(); i++) {
        if (i) out += ", ";
        std::string name =
            i < names.size() && !names[i].empty() ? names[i] : "field" + std::to_string(i);
        out += name + "=" + children_[i].ToString();
      }
      return out + "}";
    }
  }
  return "?";
}

std::string Value::ToSqlLiteral() const {
  if (is_null_) return "NULL";
  auto quote = [](const std::string& s) {
    std::string out = "'";
    for (char c : s) {
      if (c == '\'')
        out += "''";
      else
        out += c;
    }
    return out + "'";
  };
  switch (type_.id) {
    case TypeId::kVarchar:
      return quote(string_);
    case TypeId::kDate:
      return "DATE " + quote(ToString());
    case TypeId::kTime:
      return "TIME " + quote(ToString());
    case TypeId::kUuid:
      return "UUID " + quote(ToString());
    case TypeId::kJson:
      return "JSON " + quote(string_);
    case TypeId::kVarbinary: {
      std::string hex = FormatVarbinary(string_);
      hex.erase(std::remove(hex.begin(), hex.end(), ' '), hex.end());
      return "X" + quote(hex);
    }
    case TypeId::kTinyInt:
      return "TINYINT " + quote(ToString());
    case TypeId::kSmallInt:
      return "SMALLINT " + quote(ToString());
    case TypeId::kReal: {
      return "REAL " + quote(ToString());
    }
    case TypeId::kTimestamp:
      return "TIMESTAMP " + quote(ToString());
    case TypeId::kTimestampTz:
      return "TIMESTAMP " + quote(FormatTimestamp(int_) + " +00:00");
    case TypeId::kDouble: {
      if (std::isnan(double_) || std::isinf(double_))
        return "CAST(" + quote(ToString()) + " AS DOUBLE)";
      return fmt::format("{}", double_) + (double_ == std::floor(double_) ? "E0" : "");
    }
    case TypeId::kArray: {
      std::string out = "ARRAY[";
      for (size_t i = 0; i < children_.size(); i++) {
        if (i) out += ", ";
        out += children_[i].ToSqlLiteral();
      }
      return out + "]";
    }
    case TypeId::kMap: {
      std::string keys = "ARRAY[", values = "ARRAY[";
      for (size_t i = 0; i < children_.size(); i++) {
        if (i) keys += ", ", values += ", ";
        keys += children_[i].ToSqlLiteral();
        values += map_values_[i].ToSqlLiteral();
      }
      return "MAP(" + keys + "], " + values + "])";
    }
    case TypeId::kRow: {
      std::string out = "CAST(ROW(";
      for (size_t i = 0; i < children_.size(); i++) {
        if (i) out += ", ";
        out += children_[i].ToSqlLiteral();
      }
      return out + ") AS " + type_.ToString() + ")";
    }
    case TypeId::kInterval: {
      return fmt::format("INTERVAL '{}' MONTH + INTERVAL '{}' DAY + INTERVAL '{}' SECOND",
                         interval_.months, interval_.days,
                         static_cast<double>(interval_.micros) / kMicrosPerSecond);
    }
    default:
      return ToString();
  }
}

bool Value::operator==(const Value& o) const {
  if (is_null_ || o.is_null_) return is_null_ == o.is_null_;
  if (type_ != o.type_) return false;
  return Compare(o) == 0;
}

int Value::Compare(const Value& o) const {
  auto cmp = [](auto a, auto b) { return a < b ? -1 : (a > b ? 1 : 0); };
  if (type_.IsNested() && o.type_.IsNested()) {  // element by element; NULLs last
    auto compare_lists = [&](const std::vector<Value>& a, const std::vector<Value>& b) {
      for (size_t i = 0; i < a.size() && i < b.size(); i++) {
        if (a[i].is_null() || b[i].is_null()) {
          if (a[i].is_null() != b[i].is_null()) return a[i].is_null() ? 1 : -1;
          continue;
        }
        int c = a[i].Compare(b[i]);
        if (c) return c;
      }
      return cmp(a.size(), b.size());
    };
    int c = compare_lists(children_, o.children_);
    if (c || type_.id != TypeId::kMap) return c;
    return compare_lists(map_values_, o.map_values_);
  }
  if ((type_.IsStringLike() || type_.id == TypeId::kUuid) && type_.id == o.type_.id) {
    int c = string_.compare(o.string_);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (type_.id == TypeId::kInterval && o.type_.id == TypeId::kInterval) {
    int64_t a =
        interval_.months * 30LL * kMicrosPerDay + interval_.days * kMicrosPerDay + interval_.micros;
    int64_t b = o.interval_.months * 30LL * kMicrosPerDay + o.interval_.days * kMicrosPerDay +
                o.interval_.micros;
    return cmp(a, b);
  }
  if (type_.IsNumeric() && o.type_.IsNumeric()) {
    if (type_.IsFloating() || o.type_.IsFloating()) return cmp(AsDouble(), o.AsDouble());
    if (type_.id == TypeId::kDecimal || o.type_.id == TypeId::kDecimal) {
      int sa = type_.id == TypeId::kDecimal ? type_.scale : 0;
      int sb = o.type_.id == TypeId::kDecimal ? o.type_.scale : 0;
      // Compare a * 10^(sb-sa) with b without overflow: split off the integral parts first.
      Int128 a = GetInt128(), b = o.GetInt128();
      if (sa == sb) return cmp(a, b);
      int s = std::max(sa, sb);
      Int128 pa = Pow10Wide(s - sa), pb = Pow10Wide(s - sb);
      Int128 ia = a / Pow10Wide(sa), ib = b / Pow10Wide(sb);
      if (ia != ib) return cmp(ia, ib);
      return cmp((a % Pow10Wide(sa)) * pa, (b % Pow10Wide(sb)) * pb);
    }
    return cmp(int_, o.int_);
  }
  if (type_.id == TypeId::kDate && o.type_.id != TypeId::kDate && o.type_.IsTemporal())
    return cmp(int_ * kMicrosPerDay, o.int_);
  if (o.type_.id == TypeId::kDate && type_.id != TypeId::kDate && type_.IsTemporal())
    return cmp(int_, o.int_ * kMicrosPerDay);
  if (type_.IsFloating()) return cmp(double_, o.double_);
  return cmp(int_, o.int_);
}

}  // namespace aishell
