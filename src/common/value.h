// A single SQL value of any logical type: literals, constants, statistics, row access in tests.
#pragma once

#include <cstdint>
#include <string>

#include "common/types.h"

namespace aishell {

class Value {
 public:
  Value() = default;  // NULL of unknown type

  static Value Null(LogicalType type = LogicalType(TypeId::kNull));
  static Value Boolean(bool v);
  static Value Integer(int32_t v);
  static Value BigInt(int64_t v);
  static Value Double(double v);
  static Value Decimal(int64_t unscaled, int precision, int scale);
  static Value Varchar(std::string v);
  static Value Date(int32_t days);
  static Value Timestamp(int64_t micros);
  static Value TimestampTz(int64_t micros);
  static Value IntervalValue(Interval v);

  const LogicalType& type() const { return type_; }
  bool is_null() const { return is_null_; }

  bool GetBool() const { return int_ != 0; }
  // INTEGER, BIGINT, DECIMAL (unscaled), DATE, TIMESTAMP(TZ), BOOLEAN.
  int64_t GetInt64() const { return int_; }
  double GetDouble() const { return double_; }
  const std::string& GetString() const { return string_; }
  const Interval& GetInterval() const { return interval_; }
  // Numeric value as a double, for any numeric type (DECIMAL is scaled).
  double AsDouble() const;

  // The display form used by result tables and CSV output ("NULL" for null).
  std::string ToString() const;
  // A SQL literal that parses back to this value, e.g. DATE '2024-01-01', 'it''s'.
  std::string ToSqlLiteral() const;

  // Strict equality: same type and value; two NULLs are equal here.
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

  // Total order among non-null values of the same (or numeric-compatible) type; -1, 0, 1.
  int Compare(const Value& other) const;

 private:
  LogicalType type_;
  bool is_null_ = true;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  Interval interval_;
};

// Decimal helpers shared by values and vectors.
int64_t Pow10(int exponent);  // exponent in [0, 18]
std::string FormatDecimal(int64_t unscaled, int scale);

}  // namespace aishell
