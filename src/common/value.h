// A single SQL value of any logical type: literals, constants, statistics, row access in tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace aishell {

class Value {
 public:
  Value() = default;  // NULL of unknown type

  static Value Null(LogicalType type = LogicalType(TypeId::kNull));
  static Value Boolean(bool v);
  static Value TinyInt(int8_t v);
  static Value SmallInt(int16_t v);
  static Value Integer(int32_t v);
  static Value BigInt(int64_t v);
  static Value Real(float v);
  static Value Double(double v);
  // Any precision up to 38 (the unscaled value must fit it).
  static Value Decimal(Int128 unscaled, int precision, int scale);
  static Value Varchar(std::string v);
  static Value Varbinary(std::string bytes);
  static Value Json(std::string canonical_text);
  static Value UuidValue(const Uuid& v);
  static Value Date(int32_t days);
  static Value Time(int64_t micros_of_day);
  static Value Timestamp(int64_t micros);
  static Value TimestampTz(int64_t micros);
  static Value IntervalValue(Interval v);
  // Nested values. `type` is the ARRAY / MAP / ROW type; elements must be of its child types.
  static Value Array(LogicalType type, std::vector<Value> elements);
  static Value Map(LogicalType type, std::vector<Value> keys, std::vector<Value> values);
  static Value Row(LogicalType type, std::vector<Value> fields);

  const LogicalType& type() const { return type_; }
  bool is_null() const { return is_null_; }

  bool GetBool() const { return int_ != 0; }
  // Integral types, DECIMAL of precision <= 18 (unscaled), DATE, TIME, TIMESTAMP(TZ), BOOLEAN.
  int64_t GetInt64() const { return int_; }
  // The unscaled value of a DECIMAL of any precision (also integral types, widened).
  Int128 GetInt128() const { return type_.id == TypeId::kDecimal ? wide_ : int_; }
  // DOUBLE and REAL (a REAL holds a float, exactly).
  double GetDouble() const { return double_; }
  // VARCHAR, VARBINARY and JSON bytes; a UUID's 16 bytes.
  const std::string& GetString() const { return string_; }
  Uuid GetUuid() const;
  const Interval& GetInterval() const { return interval_; }
  // ARRAY elements; ROW fields; MAP keys (the values are MapValues()).
  const std::vector<Value>& Children() const { return children_; }
  const std::vector<Value>& MapValues() const { return map_values_; }
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
  Int128 wide_ = 0;  // DECIMAL unscaled value (any precision)
  double double_ = 0;
  std::string string_;
  Interval interval_;
  std::vector<Value> children_;
  std::vector<Value> map_values_;
};

// Decimal helpers shared by values and vectors.
int64_t Pow10(int exponent);     // exponent in [0, 18]
Int128 Pow10Wide(int exponent);  // exponent in [0, 38]
std::string FormatDecimal(Int128 unscaled, int scale);
std::string FormatInt128(Int128 v);
// Text forms of the other new scalar types, as Trino prints them.
std::string FormatUuid(const Uuid& v);
std::optional<Uuid> ParseUuid(std::string_view text);
std::string FormatVarbinary(std::string_view bytes);  // hex with spaces, as Trino's CLI
std::string FormatTime(int64_t micros_of_day);        // HH:MM:SS[.ffffff]
std::optional<int64_t> ParseTime(std::string_view text);
std::string FormatReal(float v);
std::string FormatDouble(double v);

}  // namespace aishell
