#include "common/types.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace aishell {

size_t LogicalType::PhysicalSize() const {
  switch (id) {
    case TypeId::kNull:
    case TypeId::kBoolean:
      return 1;
    case TypeId::kInteger:
    case TypeId::kDate:
      return 4;
    case TypeId::kBigInt:
    case TypeId::kDouble:
    case TypeId::kDecimal:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return 8;
    case TypeId::kVarchar:
      return sizeof(std::string_view);
    case TypeId::kInterval:
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
    case TypeId::kInteger:
      return "INTEGER";
    case TypeId::kBigInt:
      return "BIGINT";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kVarchar:
      return "VARCHAR";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    case TypeId::kTimestampTz:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeId::kInterval:
      return "INTERVAL";
  }
  return "?";
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
  if (base == "integer" || base == "int" || base == "int4" || base == "smallint" ||
      base == "tinyint" || base == "int2")
    return LogicalType(TypeId::kInteger);
  if (base == "bigint" || base == "int8" || base == "long") return LogicalType(TypeId::kBigInt);
  if (base == "double" || base == "double precision" || base == "float" || base == "real" ||
      base == "float8" || base == "float4")
    return LogicalType(TypeId::kDouble);
  if (base == "decimal" || base == "numeric") {
    int p = 18, s = 0;
    if (!args.empty()) {
      auto comma = args.find(',');
      try {
        p = std::stoi(args.substr(0, comma));
        if (comma != std::string::npos) s = std::stoi(args.substr(comma + 1));
      } catch (...) {
        return std::nullopt;
      }
    }
    if (p < 1 || s < 0 || s > p) return std::nullopt;
    if (p > kMaxDecimalPrecision) p = kMaxDecimalPrecision;  // wider decimals: checked for overflow
    if (s > p) s = p;
    return LogicalType::Decimal(p, s);
  }
  if (base == "varchar" || base == "char" || base == "text" || base == "string" ||
      base == "character varying" || base == "character")
    return LogicalType(TypeId::kVarchar);
  if (base == "date") return LogicalType(TypeId::kDate);
  if (base == "timestamp" || base == "timestamp without time zone" || base == "datetime")
    return LogicalType(TypeId::kTimestamp);
  if (base == "timestamp with time zone" || base == "timestamptz")
    return LogicalType(TypeId::kTimestampTz);
  if (base == "interval" || base == "interval day to second" || base == "interval year to month")
    return LogicalType(TypeId::kInterval);
  return std::nullopt;
}

namespace {
int NumericRank(TypeId id) {
  switch (id) {
    case TypeId::kInteger:
      return 1;
    case TypeId::kBigInt:
      return 2;
    case TypeId::kDecimal:
      return 3;
    case TypeId::kDouble:
      return 4;
    default:
      return 0;
  }
}
LogicalType DecimalFor(const LogicalType& t) {
  if (t.id == TypeId::kInteger) return LogicalType::Decimal(10, 0);
  if (t.id == TypeId::kBigInt) return LogicalType::Decimal(18, 0);
  return t;
}
}  // namespace

std::optional<LogicalType> CommonSuperType(const LogicalType& a, const LogicalType& b) {
  if (a == b) return a;
  if (a.id == TypeId::kNull) return b;
  if (b.id == TypeId::kNull) return a;
  if (a.IsNumeric() && b.IsNumeric()) {
    if (a.id == TypeId::kDecimal || b.id == TypeId::kDecimal) {
      if (a.id == TypeId::kDouble || b.id == TypeId::kDouble) return LogicalType(TypeId::kDouble);
      LogicalType da = DecimalFor(a), db = DecimalFor(b);
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
