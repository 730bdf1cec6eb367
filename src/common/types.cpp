#include "common/types.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace aishell {

PhysicalKind LogicalType::Physical() const {
  switch (id) {
    case TypeId::kNull:
      return PhysicalKind::kNone;
    case TypeId::kBoolean:
      return PhysicalKind::kBool;
    case TypeId::kTinyInt:
      return PhysicalKind::kInt8;
    case TypeId::kSmallInt:
      return PhysicalKind::kInt16;
    case TypeId::kInteger:
    case TypeId::kDate:
      return PhysicalKind::kInt32;
    case TypeId::kBigInt:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return PhysicalKind::kInt64;
    case TypeId::kDecimal:
      return IsLongDecimal() ? PhysicalKind::kInt128 : PhysicalKind::kInt64;
    case TypeId::kReal:
      return PhysicalKind::kFloat;
    case TypeId::kDouble:
      return PhysicalKind::kDouble;
    case TypeId::kVarchar:
    case TypeId::kVarbinary:
    case TypeId::kJson:
      return PhysicalKind::kString;
    case TypeId::kUuid:
      return PhysicalKind::kUuid;
    case TypeId::kInterval:
      return PhysicalKind::kInterval;
  }
  return PhysicalKind::kNone;
}

size_t LogicalType::PhysicalSize() const {
  switch (Physical()) {
    case PhysicalKind::kNone:
    case PhysicalKind::kBool:
    case PhysicalKind::kInt8:
      return 1;
    case PhysicalKind::kInt16:
      return 2;
    case PhysicalKind::kInt32:
    case PhysicalKind::kFloat:
      return 4;
    case PhysicalKind::kInt64:
    case PhysicalKind::kDouble:
      return 8;
    case PhysicalKind::kInt128:
      return sizeof(Int128);
    case PhysicalKind::kString:
      return sizeof(std::string_view);
    case PhysicalKind::kUuid:
      return sizeof(Uuid);
    case PhysicalKind::kInterval:
      return sizeof(Interval);
  }
  return 8;
}

std::string LogicalType::ToString() const {
  switch (id) {
    case TypeId::kNull:
      return "UNKNOWN";
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kTinyInt:
      return "TINYINT";
    case TypeId::kSmallInt:
      return "SMALLINT";
    case TypeId::kInteger:
      return "INTEGER";
    case TypeId::kBigInt:
      return "BIGINT";
    case TypeId::kReal:
      return "REAL";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kVarchar:
      return "VARCHAR";
    case TypeId::kVarbinary:
      return "VARBINARY";
    case TypeId::kJson:
      return "JSON";
    case TypeId::kUuid:
      return "UUID";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTime:
      return "TIME";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    case TypeId::kTimestampTz:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeId::kInterval:
      return "INTERVAL";
  }
  return "?";
}

LogicalType DecimalForIntegral(const LogicalType& t) {
  switch (t.id) {
    case TypeId::kTinyInt:
      return LogicalType::Decimal(3, 0);
    case TypeId::kSmallInt:
      return LogicalType::Decimal(5, 0);
    case TypeId::kInteger:
      return LogicalType::Decimal(10, 0);
    case TypeId::kBigInt:
      return LogicalType::Decimal(19, 0);
    default:
      return t;
  }
}

namespace {
std::string Normalize(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space && c != '(' && c != ')' && c != ',' && out.back() != '(' && out.back() != ',') {
      out.push_back(' ');
    }
    space = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}
}  // namespace

std::optional<LogicalType> ParseTypeName(std::string_view text) {
  std::string t = Normalize(text);
  std::string base = t;
  std::string args;
  if (auto p = t.find('('); p != std::string::npos) {
    auto q = t.find(')', p);
    if (q == std::string::npos) return std::nullopt;
    base = t.substr(0, p);
    args = t.substr(p + 1, q - p - 1);
    std::string rest = t.substr(q + 1);
    while (!base.empty() && base.back() == ' ') base.pop_back();
    if (!rest.empty()) base += rest;  // e.g. "timestamp(3) with time zone"
  }
  if (base == "boolean" || base == "bool") return LogicalType(TypeId::kBoolean);
  if (base == "tinyint" || base == "int1") return LogicalType(TypeId::kTinyInt);
  if (base == "smallint" || base == "int2") return LogicalType(TypeId::kSmallInt);
  if (base == "integer" || base == "int" || base == "int4") return LogicalType(TypeId::kInteger);
  if (base == "bigint" || base == "int8" || base == "long") return LogicalType(TypeId::kBigInt);
  if (base == "real" || base == "float4") return LogicalType(TypeId::kReal);
  if (base == "double" || base == "double precision" || base == "float" || base == "float8")
    return LogicalType(TypeId::kDouble);
  if (base == "decimal" || base == "numeric") {
    int p = kMaxShortDecimalPrecision, s = 0;
    if (!args.empty()) {
      auto comma = args.find(',');
      try {
        p = std::stoi(args.substr(0, comma));
        if (comma != std::string::npos) s = std::stoi(args.substr(comma + 1));
      } catch (...) {
        return std::nullopt;
      }
    }
    if (p < 1 || p > kMaxDecimalPrecision || s < 0 || s > p) return std::nullopt;
    return LogicalType::Decimal(p, s);
  }
  if (base == "varchar" || base == "char" || base == "text" || base == "string" ||
      base == "character varying" || base == "character")
    return LogicalType(TypeId::kVarchar);
  if (base == "varbinary" || base == "binary" || base == "bytea" || base == "blob")
    return LogicalType(TypeId::kVarbinary);
  if (base == "json") return LogicalType(TypeId::kJson);
  if (base == "uuid") return LogicalType(TypeId::kUuid);
  if (base == "date") return LogicalType(TypeId::kDate);
  if (base == "time" || base == "time without time zone") return LogicalType(TypeId::kTime);
  if (base == "timestamp" || base == "timestamp without time zone" || base == "datetime")
    return LogicalType(TypeId::kTimestamp);
  if (base == "timestamp with time zone" || base == "timestamptz")
    return LogicalType(TypeId::kTimestampTz);
  if (base == "interval" || base == "interval day to second" || base == "interval year to month")
    return LogicalType(TypeId::kInterval);
  return std::nullopt;
}

namespace {
// Trino's ladder: TINYINT < SMALLINT < INTEGER < BIGINT < REAL < DOUBLE, with DECIMAL between
// BIGINT and REAL (integers widen to DECIMAL(3|5|10|19, 0); DECIMAL widens to REAL and DOUBLE).
int NumericRank(TypeId id) {
  switch (id) {
    case TypeId::kTinyInt:
      return 1;
    case TypeId::kSmallInt:
      return 2;
    case TypeId::kInteger:
      return 3;
    case TypeId::kBigInt:
      return 4;
    case TypeId::kDecimal:
      return 5;
    case TypeId::kReal:
      return 6;
    case TypeId::kDouble:
      return 7;
    default:
      return 0;
  }
}
}  // namespace

std::optional<LogicalType> CommonSuperType(const LogicalType& a, const LogicalType& b) {
  if (a == b) return a;
  if (a.id == TypeId::kNull) return b;
  if (b.id == TypeId::kNull) return a;
  if (a.IsNumeric() && b.IsNumeric()) {
    if (a.IsFloating() || b.IsFloating()) return NumericRank(a.id) >= NumericRank(b.id) ? a : b;
    if (a.id == TypeId::kDecimal || b.id == TypeId::kDecimal) {
      LogicalType da = DecimalForIntegral(a), db = DecimalForIntegral(b);
      int scale = std::max(da.scale, db.scale);
      int integral = std::max(da.precision - da.scale, db.precision - db.scale);
      int precision = std::min(kMaxDecimalPrecision, integral + scale);
      return LogicalType::Decimal(precision, scale);
    }
    return NumericRank(a.id) >= NumericRank(b.id) ? a : b;
  }
  if (a.id == TypeId::kDate && b.id == TypeId::kTimestamp) return b;
  if (a.id == TypeId::kTimestamp && b.id == TypeId::kDate) return a;
  if ((a.id == TypeId::kTimestampTz && (b.id == TypeId::kTimestamp || b.id == TypeId::kDate)) ||
      (b.id == TypeId::kTimestampTz && (a.id == TypeId::kTimestamp || a.id == TypeId::kDate)))
    return LogicalType(TypeId::kTimestampTz);
  return std::nullopt;
}

bool CanImplicitlyCoerce(const LogicalType& from, const LogicalType& to) {
  if (from == to || from.id == TypeId::kNull) return true;
  auto common = CommonSuperType(from, to);
  return common && *common == to;
}

}  // namespace aishell
