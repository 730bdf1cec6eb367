// Logical types of the engine: the SQL types of the Trino dialect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aishell {

enum class TypeId : uint8_t {
  kNull,         // the type of an untyped NULL literal; coerces to anything
  kBoolean,      // stored as uint8_t (0/1)
  kInteger,      // int32_t
  kBigInt,       // int64_t
  kDouble,       // double
  kDecimal,      // int64_t unscaled value, precision <= 18 (overflow is an error)
  kVarchar,      // std::string_view into the vector's string heap
  kDate,         // int32_t days since 1970-01-01
  kTimestamp,    // int64_t microseconds since 1970-01-01 00:00:00 (no zone)
  kTimestampTz,  // int64_t microseconds since the epoch, UTC
  kInterval,     // Interval {months, days, micros}
};

struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  bool operator==(const Interval&) const = default;
};

inline constexpr int kMaxDecimalPrecision = 18;

struct LogicalType {
  TypeId id = TypeId::kNull;
  uint8_t precision = 0;  // DECIMAL only
  uint8_t scale = 0;      // DECIMAL only

  constexpr LogicalType() = default;
  constexpr LogicalType(TypeId type_id) : id(type_id) {}  // NOLINT: implicit on purpose
  constexpr LogicalType(TypeId type_id, uint8_t p, uint8_t s)
      : id(type_id), precision(p), scale(s) {}

  static constexpr LogicalType Decimal(int p, int s) {
    return LogicalType(TypeId::kDecimal, static_cast<uint8_t>(p), static_cast<uint8_t>(s));
  }

  bool operator==(const LogicalType& o) const {
    return id == o.id && (id != TypeId::kDecimal || (precision == o.precision && scale == o.scale));
  }
  bool operator!=(const LogicalType& o) const { return !(*this == o); }

  bool IsNumeric() const {
    return id == TypeId::kInteger || id == TypeId::kBigInt || id == TypeId::kDouble ||
           id == TypeId::kDecimal;
  }
  bool IsIntegral() const { return id == TypeId::kInteger || id == TypeId::kBigInt; }
  bool IsTemporal() const {
    return id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTimestampTz;
  }
  // Width in bytes of one value in a flat vector (std::string_view for VARCHAR).
  size_t PhysicalSize() const;
  // SQL spelling, e.g. "DECIMAL(12,2)", "TIMESTAMP WITH TIME ZONE".
  std::string ToString() const;
};

// Parses a SQL type name such as "varchar(20)", "int", "decimal(10, 2)", "timestamp with time
// zone".
std::optional<LogicalType> ParseTypeName(std::string_view text);

// Trino's implicit coercion: the common super type of two types, if there is one.
std::optional<LogicalType> CommonSuperType(const LogicalType& a, const LogicalType& b);

// Whether a value of type `from` may be implicitly coerced to `to` (Trino rules).
bool CanImplicitlyCoerce(const LogicalType& from, const LogicalType& to);

}  // namespace aishell
