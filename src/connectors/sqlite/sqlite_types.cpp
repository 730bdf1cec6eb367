#include "connectors/sqlite/sqlite_types.h"
#include "common/strings.h"

#include <cctype>
#include <cstdio>

namespace aishell {

namespace {}  // namespace

LogicalType SqliteDeclaredType(const std::string& declared, std::string* comment) {
  std::string t = AsciiUpper(declared);
  auto trim = [](std::string s) {
    size_t b = s.find_first_not_of(' ');
    size_t e = s.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  t = trim(t);
  std::string base = trim(t.substr(0, t.find('(')));
  if (base.empty()) {
    if (comment) *comment = "no declared type: read as text";
    return TypeId::kVarchar;
  }
  if (base == "BOOLEAN" || base == "BOOL") return TypeId::kBoolean;
  if (base == "DATE") return TypeId::kDate;
  if (base == "DATETIME" || base == "TIMESTAMP" || base.rfind("TIMESTAMP", 0) == 0)
    return TypeId::kTimestamp;
  if (base == "DECIMAL" || base == "NUMERIC") {
    int p = -1, s = 0;
    auto open = t.find('(');
    if (open != std::string::npos) {
      if (std::sscanf(t.c_str() + open, "(%d , %d)", &p, &s) < 1 &&
          std::sscanf(t.c_str() + open, "(%d,%d)", &p, &s) < 1)
        p = -1;
    }
    if (p >= 1 && p <= kMaxShortDecimalPrecision && s >= 0 && s <= p)
      return LogicalType::Decimal(p, s);
    if (comment) *comment = "declared '" + declared + "' read as DOUBLE";
    return TypeId::kDouble;
  }
  if (base.find("INT") != std::string::npos) return TypeId::kBigInt;
  if (base.find("CHAR") != std::string::npos || base.find("CLOB") != std::string::npos ||
      base.find("TEXT") != std::string::npos) {
    return TypeId::kVarchar;
  }
  if (base.find("REAL") != std::string::npos || base.find("FLOA") != std::string::npos ||
      base.find("DOUB") != std::string::npos) {
    return TypeId::kDouble;
  }
  if (comment) *comment = "declared '" + declared + "' read as text";
  return TypeId::kVarchar;
}

std::string SqliteTypeFor(const LogicalType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kInteger:
    case TypeId::kBigInt:
      return "INTEGER";
    case TypeId::kDouble:
      return "REAL";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    default:
      return "TEXT";
  }
}

bool SqliteComparableColumn(const ColumnInfo& c) {
  const LogicalType& t = c.type;
  if (t.id == TypeId::kVarchar) return c.comment.empty();
  return t.id == TypeId::kBigInt || t.id == TypeId::kInteger || t.id == TypeId::kDouble ||
         t.id == TypeId::kDate;
}

}  // namespace aishell
