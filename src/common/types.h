// Logical types of the engine: the SQL types of the Trino dialect.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aishell {

enum class TypeId : uint8_t {
  kNull,         // the type of an untyped NULL literal; coerces to anything
  kBoolean,      // stored as uint8_t (0/1)
  kTinyInt,      // int8_t
  kSmallInt,     // int16_t
  kInteger,      // int32_t
  kBigInt,       // int64_t
  kReal,         // float
  kDouble,       // double
  kDecimal,      // unscaled value: int64_t for precision <= 18, __int128 up to 38 (see Int128)
  kVarchar,      // std::string_view into the vector's string heap
  kVarbinary,    // std::string_view of raw bytes, in the string heap
  kJson,         // std::string_view of canonical JSON text, in the string heap
  kUuid,         // Uuid: 16 bytes in RFC 4122 order
  kDate,         // int32_t days since 1970-01-01
  kTime,         // int64_t microseconds since midnight
  kTimestamp,    // int64_t microseconds since 1970-01-01 00:00:00 (no zone)
  kTimestampTz,  // int64_t microseconds since the epoch, UTC
  kInterval,     // Interval {months, days, micros}
  kArray,        // ArrayEntry {offset, length} into the vector's child 0 (the elements)
  kMap,          // ArrayEntry into children 0 (keys) and 1 (values)
  kRow,          // uint32_t row index into each field's child vector
};

// How a type's values are laid out in a flat vector: what kernels dispatch on.
enum class PhysicalKind : uint8_t {
  kNone,      // NULL-typed vectors hold no data
  kBool,      // uint8_t
  kInt8,      // int8_t
  kInt16,     // int16_t
  kInt32,     // int32_t
  kInt64,     // int64_t
  kInt128,    // Int128 (little-endian, as Arrow's decimal128)
  kFloat,     // float
  kDouble,    // double
  kString,    // std::string_view into a StringHeap
  kUuid,      // Uuid
  kInterval,  // Interval
  kList,      // ArrayEntry (ARRAY, MAP)
  kStruct,    // uint32_t (ROW)
};

// One ARRAY or MAP value: rows [offset, offset + length) of the vector's child vector(s).
struct ArrayEntry {
  uint32_t offset;
  uint32_t length;
};

using Int128 = __int128;

struct Uuid {
  uint8_t bytes[16];
  bool operator==(const Uuid&) const = default;
  auto operator<=>(const Uuid&) const = default;
};

struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  bool operator==(const Interval&) const = default;
};

// Decimals of precision up to kMaxShortDecimalPrecision hold an int64_t unscaled value (the fast
// path); wider ones, up to kMaxDecimalPrecision, an Int128.
inline constexpr int kMaxShortDecimalPrecision = 18;
inline constexpr int kMaxDecimalPrecision = 38;

struct NestedTypeInfo;

struct LogicalType {
  TypeId id = TypeId::kNull;
  uint8_t precision = 0;  // DECIMAL only
  uint8_t scale = 0;      // DECIMAL only
  // ARRAY, MAP, ROW: the element / key and value / field types (null for the others, and for the
  // "any array" markers of function signatures).
  std::shared_ptr<const NestedTypeInfo> nested;

  constexpr LogicalType() = default;
  constexpr LogicalType(TypeId type_id) : id(type_id) {}  // NOLINT: implicit on purpose
  constexpr LogicalType(TypeId type_id, uint8_t p, uint8_t s)
      : id(type_id), precision(p), scale(s) {}

  static LogicalType Decimal(int p, int s) {
    return LogicalType(TypeId::kDecimal, static_cast<uint8_t>(p), static_cast<uint8_t>(s));
  }

  static LogicalType Array(LogicalType element);
  static LogicalType Map(LogicalType key, LogicalType value);
  // Field names may be empty (anonymous fields, as ROW(1, 'a') has).
  static LogicalType Row(std::vector<std::string> names, std::vector<LogicalType> types);

  bool operator==(const LogicalType& o) const {
    if (id != o.id) return false;
    if (id == TypeId::kDecimal) return precision == o.precision && scale == o.scale;
    if (IsNested()) return NestedEquals(o);
    return true;
  }
  bool operator!=(const LogicalType& o) const { return !(*this == o); }

  bool IsNested() const { return id == TypeId::kArray || id == TypeId::kMap || id == TypeId::kRow; }
  // ARRAY: {element}; MAP: {key, value}; ROW: the field types. Empty for other types.
  const std::vector<LogicalType>& Children() const;
  // ROW: the field names ("" for an anonymous field). Empty for other types.
  const std::vector<std::string>& FieldNames() const;
  const LogicalType& ElementType() const { return Children().at(0); }

  bool IsNumeric() const { return IsIntegral() || IsFloating() || id == TypeId::kDecimal; }
  bool IsIntegral() const {
    return id == TypeId::kTinyInt || id == TypeId::kSmallInt || id == TypeId::kInteger ||
           id == TypeId::kBigInt;
  }
  bool IsFloating() const { return id == TypeId::kReal || id == TypeId::kDouble; }
  bool IsTemporal() const {
    return id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTimestampTz;
  }
  // Types whose values are byte strings in the vector's heap (VARCHAR, VARBINARY, JSON).
  bool IsStringLike() const {
    return id == TypeId::kVarchar || id == TypeId::kVarbinary || id == TypeId::kJson;
  }
  // A DECIMAL held as Int128 (precision > 18).
  bool IsLongDecimal() const {
    return id == TypeId::kDecimal && precision > kMaxShortDecimalPrecision;
  }
  PhysicalKind Physical() const;
  bool NestedEquals(const LogicalType& o) const;
  // Width in bytes of one value in a flat vector (std::string_view for VARCHAR).
  size_t PhysicalSize() const;
  // Trino's spelling, e.g. "DECIMAL(12,2)", "TIMESTAMP WITH TIME ZONE".
  std::string ToString() const;
};

struct NestedTypeInfo {
  std::vector<LogicalType> children;
  std::vector<std::string> names;  // ROW field names
};

// The decimal type that holds every value of an integral type exactly (TINYINT: DECIMAL(3,0),
// SMALLINT: (5,0), INTEGER: (10,0), BIGINT: (19,0)); other types are returned unchanged.
LogicalType DecimalForIntegral(const LogicalType& t);

// Parses a SQL type name such as "varchar(20)", "int", "decimal(10, 2)", "timestamp with time
// zone".
std::optional<LogicalType> ParseTypeName(std::string_view text);

// The rank of a numeric type on Trino's coercion ladder: TINYINT 1 < SMALLINT < INTEGER < BIGINT
// < DECIMAL < REAL < DOUBLE 7; 0 for other types.
int NumericRank(TypeId id);
// Rank of an integer type by width (TINYINT 1 ... BIGINT 4), 0 for the others.
int IntegerRank(TypeId id);

// Trino's implicit coercion: the common super type of two types, if there is one.
std::optional<LogicalType> CommonSuperType(const LogicalType& a, const LogicalType& b);

// Whether a value of type `from` may be implicitly coerced to `to` (Trino rules).
bool CanImplicitlyCoerce(const LogicalType& from, const LogicalType& to);

}  // namespace aishell
