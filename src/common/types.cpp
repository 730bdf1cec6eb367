#include "common/types.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace aishell {

namespace {
// A ROW field name as Trino prints it: bare when it is a plain identifier, else double-quoted.
std::string QuoteFieldName(const std::string& name) {
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') plain = false;
  }
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

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
    case TypeId::kArray:
    case TypeId::kMap:
      return PhysicalKind::kList;
    case TypeId::kRow:
      return PhysicalKind::kStruct;
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
    case PhysicalKind::kList:
      return sizeof(ArrayEntry);
    case PhysicalKind::kStruct:
      return sizeof(uint32_t);
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
    case TypeId::kArray:
      return nested ? "ARRAY(" + ElementType().ToString() + ")" : "ARRAY";
    case TypeId::kMap:
      return nested ? "MAP(" + Children()[0].ToString() + ", " + Children()[1].ToString() + ")"
                    : "MAP";
    case TypeId::kRow: {
      if (!nested) return "ROW";
      std::string out = "ROW(";
      for (size_t i = 0; i < Children().size(); i++) {
        if (i) out += ", ";
        const std::string& name = FieldNames()[i];
        if (!name.empty()) out += QuoteFieldName(name) + " ";
        out += Children()[i].ToString();
      }
      return out + ")";
    }
  }
  return "?";
}

LogicalType LogicalType::Array(LogicalType element) {
  LogicalType t(TypeId::kArray);
  auto info = std::make_shared<NestedTypeInfo>();
  info->children.push_back(std::move(element));
  t.nested = std::move(info);
  return t;
}

LogicalType LogicalType::Map(LogicalType key, LogicalType value) {
  LogicalType t(TypeId::kMap);
  auto info = std::make_shared<NestedTypeInfo>();
  info->children = {std::move(key), std::move(value)};
  t.nested = std::move(info);
  return t;
}

LogicalType LogicalType::Row(std::vector<std::string> names, std::vector<LogicalType> types) {
  LogicalType t(TypeId::kRow);
  auto info = std::make_shared<NestedTypeInfo>();
  names.resize(types.size());
  info->names = std::move(names);
  info->children = std::move(types);
  t.nested = std::move(info);
  return t;
}

const std::vector<LogicalType>& LogicalType::Children() const {
  static const std::vector<LogicalType> kNone;
  return nested ? nested->children : kNone;
}

const std::vector<std::string>& LogicalType::FieldNames() const {
  static const std::vector<std::string> kNone;
  return nested ? nested->names : kNone;
}

bool LogicalType::NestedEquals(const LogicalType& o) const {
  if (nested == o.nested) return true;
  if (!nested || !o.nested) return false;
  return nested->children == o.nested->children && nested->names == o.nested->names;
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

namespace {

std::optional<LogicalType> ParseScalarTypeName(std::string_view text);

std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits at the commas outside parentheses, brackets and double quotes.
std::vector<std::string_view> SplitTopLevel(std::string_view s) {
  std::vector<std::string_view> parts;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(' || c == '<') depth++;
    if (c == ')' || c == '>') depth--;
    if (c == ',' && depth == 0) {
      parts.push_back(Trimmed(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(Trimmed(s.substr(start)));
  return parts;
}

// "array(T)", "map(K, V)", "row(a T, b U)" (also Hive's array<T>, map<K,V>, struct<a:T>).
std::optional<LogicalType> ParseNestedTypeName(std::string_view t) {
  size_t open = t.find_first_of("(<");
  if (open == std::string_view::npos) return std::nullopt;
  std::string head;
  for (char c : Trimmed(t.substr(0, open)))
    head.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (head != "array" && head != "map" && head != "row" && head != "struct") return std::nullopt;
  char close = t[open] == '(' ? ')' : '>';
  if (t.back() != close) return std::nullopt;
  std::string_view inner = Trimmed(t.substr(open + 1, t.size() - open - 2));
  auto parts = SplitTopLevel(inner);
  if (head == "array") {
    if (parts.size() != 1) return std::nullopt;
    auto e = ParseTypeName(parts[0]);
    if (!e) return std::nullopt;
    return LogicalType::Array(*e);
  }
  if (head == "map") {
    if (parts.size() != 2) return std::nullopt;
    auto k = ParseTypeName(parts[0]), v = ParseTypeName(parts[1]);
    if (!k || !v) return std::nullopt;
    return LogicalType::Map(*k, *v);
  }
  std::vector<std::string> names;
  std::vector<LogicalType> types;
  for (std::string_view f : parts) {
    if (f.empty()) return std::nullopt;
    std::string name;
    std::string_view rest;
    if (f.front() == '"') {
      size_t i = 1;
      for (; i < f.size(); i++) {
        if (f[i] == '"') {
          if (i + 1 < f.size() && f[i + 1] == '"') {
            name.push_back('"');
            i++;
            continue;
          }
          break;
        }
        name.push_back(f[i]);
      }
      if (i >= f.size()) return std::nullopt;
      rest = Trimmed(f.substr(i + 1));
    } else {
      size_t sep = f.find_first_of(" :");
      auto whole = ParseTypeName(f);
      if (whole && (sep == std::string_view::npos || f.find('(') < sep)) {  // anonymous field
        names.emplace_back();
        types.push_back(*whole);
        continue;
      }
      if (sep == std::string_view::npos) return std::nullopt;
      name = std::string(f.substr(0, sep));
      rest = Trimmed(f.substr(sep + 1));
      if (!rest.empty() && rest.front() == ':') rest = Trimmed(rest.substr(1));
    }
    auto ft = ParseTypeName(rest);
    if (!ft) return std::nullopt;
    names.push_back(std::move(name));
    types.push_back(*ft);
  }
  return LogicalType::Row(std::move(names), std::move(types));
}

}  // namespace

std::optional<LogicalType> ParseTypeName(std::string_view text) {
  std::string_view t = Trimmed(text);
  if (auto nested = ParseNestedTypeName(t)) return nested;
  return ParseScalarTypeName(t);
}

namespace {

std::optional<LogicalType> ParseScalarTypeName(std::string_view text) {
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

}  // namespace

// Trino's ladder: TINYINT < SMALLINT < INTEGER < BIGINT < REAL < DOUBLE, with DECIMAL between
// BIGINT and REAL (integers widen to DECIMAL(3|5|10|19, 0); DECIMAL widens to REAL and DOUBLE).
int IntegerRank(TypeId id) { return LogicalType(id).IsIntegral() ? NumericRank(id) : 0; }

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
  if (a.id == b.id && a.IsNested() && a.nested && b.nested &&
      a.Children().size() == b.Children().size()) {
    std::vector<LogicalType> children;
    for (size_t i = 0; i < a.Children().size(); i++) {
      auto c = CommonSuperType(a.Children()[i], b.Children()[i]);
      if (!c) return std::nullopt;
      children.push_back(*c);
    }
    if (a.id == TypeId::kArray) return LogicalType::Array(children[0]);
    if (a.id == TypeId::kMap) return LogicalType::Map(children[0], children[1]);
    return LogicalType::Row(a.FieldNames(), std::move(children));
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
