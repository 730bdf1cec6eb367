#include "connectors/mongodb/mongodb_schema.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "common/strings.h"

namespace aishell {

namespace {

constexpr int kDecimal128Precision = 34;

// The scale of a Decimal128 value from its string form ("12.340", "1.5E-7", "1E+3").
int DecimalScale(const bson_decimal128_t& d) {
  char text[BSON_DECIMAL128_STRING];
  bson_decimal128_to_string(&d, text);
  std::string s(text);
  int scale = 0;
  size_t e = s.find_first_of("Ee");
  std::string mantissa = e == std::string::npos ? s : s.substr(0, e);
  size_t dot = mantissa.find('.');
  if (dot != std::string::npos) scale = static_cast<int>(mantissa.size() - dot - 1);
  if (e != std::string::npos) scale -= std::atoi(s.c_str() + e + 1);
  return std::clamp(scale, 0, kDecimal128Precision);
}

size_t Index(BsonKind k) { return static_cast<size_t>(k); }

std::string JoinPath(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : ".") + p;
  return s;
}

std::vector<std::string> SplitPath(const std::string& dotted) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    out.push_back(dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

}  // namespace

const char* BsonKindName(BsonKind kind) {
  switch (kind) {
    case BsonKind::kNull:
      return "null";
    case BsonKind::kInt32:
      return "int32";
    case BsonKind::kInt64:
      return "int64";
    case BsonKind::kDouble:
      return "double";
    case BsonKind::kDecimal:
      return "decimal128";
    case BsonKind::kString:
      return "string";
    case BsonKind::kBool:
      return "bool";
    case BsonKind::kDate:
      return "date";
    case BsonKind::kObjectId:
      return "objectId";
    case BsonKind::kBinary:
      return "binary";
    case BsonKind::kUuid:
      return "uuid";
    case BsonKind::kDocument:
      return "document";
    case BsonKind::kArray:
      return "array";
    default:
      return "other";
  }
}

BsonKind KindOf(const bson_iter_t& it) {
  switch (bson_iter_type(&it)) {
    case BSON_TYPE_NULL:
    case BSON_TYPE_UNDEFINED:
      return BsonKind::kNull;
    case BSON_TYPE_INT32:
      return BsonKind::kInt32;
    case BSON_TYPE_INT64:
      return BsonKind::kInt64;
    case BSON_TYPE_DOUBLE:
      return BsonKind::kDouble;
    case BSON_TYPE_DECIMAL128:
      return BsonKind::kDecimal;
    case BSON_TYPE_UTF8:
    case BSON_TYPE_SYMBOL:
      return BsonKind::kString;
    case BSON_TYPE_BOOL:
      return BsonKind::kBool;
    case BSON_TYPE_DATE_TIME:
      return BsonKind::kDate;
    case BSON_TYPE_OID:
      return BsonKind::kObjectId;
    case BSON_TYPE_BINARY: {
      bson_subtype_t subtype;
      uint32_t length = 0;
      const uint8_t* data = nullptr;
      bson_iter_binary(&it, &subtype, &length, &data);
      if ((subtype == BSON_SUBTYPE_UUID || subtype == BSON_SUBTYPE_UUID_DEPRECATED) && length == 16)
        return BsonKind::kUuid;
      return BsonKind::kBinary;
    }
    case BSON_TYPE_DOCUMENT:
      return BsonKind::kDocument;
    case BSON_TYPE_ARRAY:
      return BsonKind::kArray;
    default:
      return BsonKind::kOther;
  }
}

FieldObservation* FieldObservation::Child(const std::string& name) {
  auto it = children.find(name);
  if (it != children.end()) return it->second.get();
  child_order.push_back(name);
  auto& slot = children[name];
  slot = std::make_unique<FieldObservation>();
  return slot.get();
}

void FieldObservation::ObserveDocument(const bson_t& doc) {
  bson_iter_t it;
  if (!bson_iter_init(&it, &doc)) return;
  while (bson_iter_next(&it)) Child(bson_iter_key(&it))->Observe(it);
}

void FieldObservation::Observe(const bson_iter_t& it) {
  BsonKind kind = KindOf(it);
  present++;
  seen[Index(kind)]++;
  if (kind == BsonKind::kDecimal) {
    bson_decimal128_t d;
    bson_iter_decimal128(&it, &d);
    max_decimal_scale = std::max(max_decimal_scale, DecimalScale(d));
  } else if (kind == BsonKind::kDocument || kind == BsonKind::kArray) {
    uint32_t length = 0;
    const uint8_t* data = nullptr;
    if (kind == BsonKind::kDocument) {
      bson_iter_document(&it, &length, &data);
    } else {
      bson_iter_array(&it, &length, &data);
    }
    bson_t sub;
    if (!bson_init_static(&sub, data, length)) return;
    if (kind == BsonKind::kDocument) {
      ObserveDocument(sub);
    } else {
      if (!element) element = std::make_unique<FieldObservation>();
      bson_iter_t e;
      if (bson_iter_init(&e, &sub)) {
        while (bson_iter_next(&e)) element->Observe(e);
      }
    }
  }
}

BsonKindSet FieldObservation::Kinds() const {
  BsonKindSet set = 0;
  for (size_t k = 1; k < seen.size(); k++) {
    if (seen[k] > 0) set |= 1u << k;
  }
  return set;
}

namespace {

// nullopt: the kinds do not unify (JSON text).
std::optional<LogicalType> Unify(const FieldObservation& field) {
  BsonKindSet kinds = field.Kinds();
  auto only = [&](std::initializer_list<BsonKind> allowed) {
    BsonKindSet mask = 0;
    for (BsonKind k : allowed) mask |= KindBit(k);
    return (kinds & ~mask) == 0;
  };
  auto has = [&](BsonKind k) { return (kinds & KindBit(k)) != 0; };
  if (kinds == 0) return LogicalType(TypeId::kVarchar);
  if (has(BsonKind::kString)) return LogicalType(TypeId::kVarchar);
  if (only({BsonKind::kInt32})) return LogicalType(TypeId::kInteger);
  if (only({BsonKind::kInt32, BsonKind::kInt64})) return LogicalType(TypeId::kBigInt);
  if (only({BsonKind::kInt32, BsonKind::kInt64, BsonKind::kDouble, BsonKind::kDecimal})) {
    if (has(BsonKind::kDouble)) return LogicalType(TypeId::kDouble);
    return LogicalType::Decimal(kDecimal128Precision, field.max_decimal_scale);
  }
  if (only({BsonKind::kBool})) return LogicalType(TypeId::kBoolean);
  if (only({BsonKind::kDate})) return LogicalType(TypeId::kTimestampTz);
  if (only({BsonKind::kObjectId})) return LogicalType(TypeId::kVarchar);
  if (only({BsonKind::kUuid})) return LogicalType(TypeId::kUuid);
  if (only({BsonKind::kBinary, BsonKind::kUuid})) return LogicalType(TypeId::kVarbinary);
  if (only({BsonKind::kDocument})) {
    std::vector<std::string> names;
    std::vector<LogicalType> types;
    for (const auto& name : field.child_order) {
      auto t = Unify(*field.children.at(name));
      names.push_back(name);
      types.push_back(t ? *t : LogicalType(TypeId::kJson));
    }
    if (names.empty()) return LogicalType(TypeId::kJson);  // only empty documents
    return LogicalType::Row(std::move(names), std::move(types));
  }
  if (only({BsonKind::kArray})) {
    if (!field.element || field.element->Kinds() == 0)
      return LogicalType::Array(LogicalType(TypeId::kVarchar));
    auto element = Unify(*field.element);
    // Elements of different kinds (a number and a document): the whole array is JSON text.
    if (!element || (field.element->Kinds() & KindBit(BsonKind::kString) &&
                     field.element->Kinds() != KindBit(BsonKind::kString)))
      return std::nullopt;
    return LogicalType::Array(*element);
  }
  return std::nullopt;
}

}  // namespace

LogicalType UnifiedType(const FieldObservation& field) {
  auto t = Unify(field);
  return t ? *t : LogicalType(TypeId::kJson);
}

std::string DescribeObservation(const FieldObservation& field, int64_t documents) {
  std::vector<std::pair<int64_t, BsonKind>> kinds;
  int64_t total = 0;
  for (size_t k = 0; k < field.seen.size(); k++) {
    if (field.seen[k] > 0) {
      kinds.emplace_back(field.seen[k], static_cast<BsonKind>(k));
      total += field.seen[k];
    }
  }
  std::stable_sort(kinds.begin(), kinds.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  auto percent = [](int64_t part, int64_t whole) {
    if (whole <= 0) return std::string("0%");
    double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
    if (p > 0 && p < 1) return std::string("<1%");
    if (p < 100 && p > 99) return std::string(">99%");
    return std::to_string(static_cast<int>(std::lround(p))) + "%";
  };
  std::string s;
  for (const auto& [n, k] : kinds) {
    if (!s.empty()) s += ", ";
    s += std::string(BsonKindName(k)) + " in " + percent(n, total);
  }
  if (documents > field.present) {
    if (!s.empty()) s += "; ";
    s += "missing in " + percent(documents - field.present, documents);
  }
  if (s.empty()) s = "not seen";
  return s + " of " + std::to_string(documents) + " sampled";
}

namespace {

void CollectNestedKinds(const FieldObservation& field, const std::string& prefix,
                        std::map<std::string, BsonKindSet>* out) {
  for (const auto& name : field.child_order) {
    const FieldObservation& child = *field.children.at(name);
    std::string path = prefix.empty() ? name : prefix + "." + name;
    (*out)[path] = child.Kinds();
    CollectNestedKinds(child, path, out);
  }
}

void AddColumns(const FieldObservation& field, const std::string& name,
                std::vector<std::string> path, int64_t documents, const MongoSchemaOptions& options,
                MongoTable* table) {
  path.push_back(name);
  LogicalType type = UnifiedType(field);
  if (options.flatten && type.id == TypeId::kRow) {
    for (const auto& child : field.child_order)
      AddColumns(*field.children.at(child), child, path, documents, options, table);
    return;
  }
  MongoColumn column;
  column.path = path;
  column.dotted = JoinPath(path);
  column.kinds = field.Kinds();
  if (type.id == TypeId::kRow) CollectNestedKinds(field, "", &column.nested_kinds);
  ColumnInfo info;
  info.name = column.dotted;
  info.type = type;
  info.nullable = !(path.size() == 1 && path[0] == "_id");
  info.comment = DescribeObservation(field, documents);
  table->columns.push_back(std::move(column));
  table->info->columns.push_back(std::move(info));
}

}  // namespace

void BuildColumns(const FieldObservation& root, int64_t documents,
                  const MongoSchemaOptions& options, MongoTable* table) {
  std::vector<std::string> order = root.child_order;
  auto id = std::find(order.begin(), order.end(), "_id");
  if (id != order.end()) std::rotate(order.begin(), id, id + 1);
  for (const auto& name : order)
    AddColumns(*root.children.at(name), name, {}, documents, options, table);
  // Overrides: replace a type, or add a column the sample did not show.
  for (const auto& [lower, type] : options.overrides) {
    int found = table->info->FindColumn(lower);
    if (found >= 0) {
      table->info->columns[found].type = type;
      table->info->columns[found].comment += " (type set by property)";
      table->columns[found].overridden = true;
      continue;
    }
    MongoColumn column;
    column.path = SplitPath(lower);
    column.dotted = lower;
    column.overridden = true;
    ColumnInfo info;
    info.name = lower;
    info.type = type;
    info.comment = "not seen in the sample (type set by property)";
    table->columns.push_back(std::move(column));
    table->info->columns.push_back(std::move(info));
  }
}

}  // namespace aishell
