#include "common/value.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/pow10.h"

namespace aishell {

int64_t Pow10(int e) {
  if (e < 0 || e > kMaxPow10Exponent) throw Error(ErrorKind::kInternal, "Pow10 out of range");
  return kPow10[e];
}

std::string FormatDecimal(int64_t unscaled, int scale) {
  if (scale == 0) return std::to_string(unscaled);
  bool negative = unscaled < 0;
  uint64_t mag = negative ? 0 - static_cast<uint64_t>(unscaled) : static_cast<uint64_t>(unscaled);
  uint64_t p = static_cast<uint64_t>(Pow10(scale));
  return fmt::format("{}{}.{:0{}d}", negative ? "-" : "", mag / p, mag % p, scale);
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
AISHELL_VALUE_CTOR(Integer, int32_t, LogicalType(TypeId::kInteger), v.int_ = x)
AISHELL_VALUE_CTOR(BigInt, int64_t, LogicalType(TypeId::kBigInt), v.int_ = x)
AISHELL_VALUE_CTOR(Double, double, LogicalType(TypeId::kDouble), v.double_ = x)
AISHELL_VALUE_CTOR(Varchar, std::string, LogicalType(TypeId::kVarchar), v.string_ = std::move(x))
AISHELL_VALUE_CTOR(Date, int32_t, LogicalType(TypeId::kDate), v.int_ = x)
AISHELL_VALUE_CTOR(Timestamp, int64_t, LogicalType(TypeId::kTimestamp), v.int_ = x)
AISHELL_VALUE_CTOR(TimestampTz, int64_t, LogicalType(TypeId::kTimestampTz), v.int_ = x)
AISHELL_VALUE_CTOR(IntervalValue, Interval, LogicalType(TypeId::kInterval), v.interval_ = x)
#undef AISHELL_VALUE_CTOR

Value Value::Decimal(int64_t unscaled, int precision, int scale) {
  Value v;
  v.type_ = LogicalType::Decimal(precision, scale);
  v.is_null_ = false;
  v.int_ = unscaled;
  return v;
}

double Value::AsDouble() const {
  switch (type_.id) {
    case TypeId::kDouble:
      return double_;
    case TypeId::kDecimal:
      return static_cast<double>(int_) / static_cast<double>(Pow10(type_.scale));
    default:
      return static_cast<double>(int_);
  }
}

namespace {
std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == std::floor(d) && std::fabs(d) < 1e15) return fmt::format("{:.1f}", d);
  return fmt::format("{}", d);
}
}  // namespace

std::string Value::ToString() const {
  if (is_null_) return "NULL";
  switch (type_.id) {
    case TypeId::kNull:
      return "NULL";
    case TypeId::kBoolean:
      return int_ ? "true" : "false";
    case TypeId::kInteger:
    case TypeId::kBigInt:
      return std::to_string(int_);
    case TypeId::kDouble:
      return FormatDouble(double_);
    case TypeId::kDecimal:
      return FormatDecimal(int_, type_.scale);
    case TypeId::kVarchar:
      return string_;
    case TypeId::kDate:
      return FormatDate(static_cast<int32_t>(int_));
    case TypeId::kTimestamp:
      return FormatTimestamp(int_);
    case TypeId::kTimestampTz:
      return FormatTimestampTz(int_);
    case TypeId::kInterval:
      return FormatInterval(interval_);
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
    case TypeId::kTimestamp:
      return "TIMESTAMP " + quote(ToString());
    case TypeId::kTimestampTz:
      return "TIMESTAMP " + quote(FormatTimestamp(int_) + " +00:00");
    case TypeId::kDouble: {
      if (std::isnan(double_) || std::isinf(double_))
        return "CAST(" + quote(ToString()) + " AS DOUBLE)";
      return fmt::format("{}", double_) + (double_ == std::floor(double_) ? "E0" : "");
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
  if (type_.id == TypeId::kVarchar && o.type_.id == TypeId::kVarchar) {
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
    if (type_.id == TypeId::kDouble || o.type_.id == TypeId::kDouble)
      return cmp(AsDouble(), o.AsDouble());
    if (type_.id == TypeId::kDecimal || o.type_.id == TypeId::kDecimal) {
      int sa = type_.id == TypeId::kDecimal ? type_.scale : 0;
      int sb = o.type_.id == TypeId::kDecimal ? o.type_.scale : 0;
      __int128 a = int_, b = o.int_;
      if (sa < sb) a *= Pow10(sb - sa);
      if (sb < sa) b *= Pow10(sa - sb);
      return cmp(a, b);
    }
    return cmp(int_, o.int_);
  }
  if (type_.id == TypeId::kDate && o.type_.id != TypeId::kDate && o.type_.IsTemporal())
    return cmp(int_ * kMicrosPerDay, o.int_);
  if (o.type_.id == TypeId::kDate && type_.id != TypeId::kDate && type_.IsTemporal())
    return cmp(int_, o.int_ * kMicrosPerDay);
  if (type_.id == TypeId::kDouble) return cmp(double_, o.double_);
  return cmp(int_, o.int_);
}

}  // namespace aishell
