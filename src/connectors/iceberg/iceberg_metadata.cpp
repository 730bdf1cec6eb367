#include "connectors/iceberg/iceberg_metadata.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/strings.h"
#include "formats/avro/avro_reader.h"
#include "functions/cast.h"

namespace aishell::iceberg {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

struct MetadataParser {
  std::string context;

  [[noreturn]] void Fail(const std::string& message) const {
    throw Error(ErrorKind::kIo, context + ": invalid Iceberg table metadata: " + message);
  }

  static bool Has(object o, const char* key) {
    element e;
    return o[key].get(e) == simdjson::SUCCESS && !e.is_null();
  }
  std::optional<int64_t> OptInt(object o, const char* key) const {
    element e;
    if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
    int64_t i;
    if (e.get(i) == simdjson::SUCCESS) return i;
    uint64_t u;
    if (e.get(u) == simdjson::SUCCESS) return static_cast<int64_t>(u);
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) {
      try {
        return std::stoll(std::string(s));
      } catch (...) {
      }
    }
    Fail(std::string("\"") + key + "\" is not an integer");
  }
  int64_t Int(object o, const char* key, int64_t fallback) const {
    return OptInt(o, key).value_or(fallback);
  }
  int64_t RequiredInt(object o, const char* key, const std::string& where) const {
    auto v = OptInt(o, key);
    if (!v) Fail(where + " has no \"" + key + "\"");
    return *v;
  }
  static std::string Str(object o, const char* key) {
    std::string_view s;
    if (o[key].get(s) == simdjson::SUCCESS) return std::string(s);
    return {};
  }

  static std::string Raw(element e) { return simdjson::minify(e); }

  IcebergType ParseType(element e, IcebergSchema* schema) const {
    IcebergType t;
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) {
      std::string name = AsciiLower(std::string(s));
      t.text = name;
      if (name == "boolean")
        t.id = IcebergTypeId::kBoolean;
      else if (name == "int" || name == "integer")
        t.id = IcebergTypeId::kInt;
      else if (name == "long")
        t.id = IcebergTypeId::kLong;
      else if (name == "float")
        t.id = IcebergTypeId::kFloat;
      else if (name == "double")
        t.id = IcebergTypeId::kDouble;
      else if (name == "date")
        t.id = IcebergTypeId::kDate;
      else if (name == "time")
        t.id = IcebergTypeId::kTime;
      else if (name == "timestamp")
        t.id = IcebergTypeId::kTimestamp;
      else if (name == "timestamptz")
        t.id = IcebergTypeId::kTimestampTz;
      else if (name == "timestamp_ns")
        t.id = IcebergTypeId::kTimestampNs;
      else if (name == "timestamptz_ns")
        t.id = IcebergTypeId::kTimestampTzNs;
      else if (name == "string")
        t.id = IcebergTypeId::kString;
      else if (name == "uuid")
        t.id = IcebergTypeId::kUuid;
      else if (name == "binary")
        t.id = IcebergTypeId::kBinary;
      else if (name.rfind("decimal", 0) == 0) {
        t.id = IcebergTypeId::kDecimal;
        if (sscanf(name.c_str(), "decimal(%d , %d)", &t.precision, &t.scale) != 2 &&
            sscanf(name.c_str(), "decimal(%d,%d)", &t.precision, &t.scale) != 2) {
          Fail("bad decimal type '" + name + "'");
        }
      } else if (name.rfind("fixed", 0) == 0) {
        t.id = IcebergTypeId::kFixed;
        if (sscanf(name.c_str(), "fixed[%d]", &t.length) != 1) Fail("bad type '" + name + "'");
      } else {
        t.id = IcebergTypeId::kOther;
      }
      return t;
    }
    object o;
    if (e.get(o) != simdjson::SUCCESS) Fail("a type must be a string or an object");
    t.text = Raw(e);
    std::string kind = Str(o, "type");
    if (kind == "struct") {
      t.id = IcebergTypeId::kStruct;
      array fields;
      if (o["fields"].get(fields) == simdjson::SUCCESS) {
        for (auto f : fields) t.fields.push_back(ParseField(f, schema));
      }
    } else if (kind == "list") {
      t.id = IcebergTypeId::kList;
      element inner;
      if (o["element"].get(inner) == simdjson::SUCCESS) {
        auto et = ParseType(inner, schema);
        if (schema) schema->all_types[static_cast<int>(Int(o, "element-id", -1))] = et;
        t.fields.push_back(NestedField(o, "element", "element-id", "element-required", et));
      }
    } else if (kind == "map") {
      t.id = IcebergTypeId::kMap;
      element k, v;
      if (o["key"].get(k) == simdjson::SUCCESS) {
        auto kt = ParseType(k, schema);
        if (schema) schema->all_types[static_cast<int>(Int(o, "key-id", -1))] = kt;
        t.fields.push_back(NestedField(o, "key", "key-id", nullptr, kt));
      }
      if (o["value"].get(v) == simdjson::SUCCESS) {
        auto vt = ParseType(v, schema);
        if (schema) schema->all_types[static_cast<int>(Int(o, "value-id", -1))] = vt;
        t.fields.push_back(NestedField(o, "value", "value-id", "value-required", vt));
      }
    } else {
      t.id = IcebergTypeId::kOther;
    }
    return t;
  }

  // A list element, map key or map value as a field.
  IcebergField NestedField(object o, const char* name, const char* id_key, const char* required_key,
                           IcebergType type) const {
    IcebergField f;
    f.id = static_cast<int>(Int(o, id_key, -1));
    f.name = name;
    bool required = true;
    if (required_key && o[required_key].get(required) != simdjson::SUCCESS) required = false;
    f.required = required;
    f.type = std::move(type);
    return f;
  }

  IcebergField ParseField(element e, IcebergSchema* schema) const {
    object o;
    if (e.get(o) != simdjson::SUCCESS) Fail("a schema field must be an object");
    IcebergField f;
    f.id = static_cast<int>(RequiredInt(o, "id", "a schema field"));
    f.name = Str(o, "name");
    bool required = false;
    if (o["required"].get(required) != simdjson::SUCCESS) required = false;
    f.required = required;
    f.doc = Str(o, "doc");
    element type;
    if (o["type"].get(type) != simdjson::SUCCESS) Fail("field '" + f.name + "' has no type");
    f.type = ParseType(type, schema);
    if (schema) schema->all_types[f.id] = f.type;
    element def;
    if (o["initial-default"].get(def) == simdjson::SUCCESS && !def.is_null()) {
      f.initial_default = DefaultValue(f, def);
    }
    return f;
  }

  std::optional<Value> DefaultValue(const IcebergField& f, element e) const {
    const IcebergType& t = f.type;
    auto bad = [&]() -> std::optional<Value> {
      Fail("bad initial-default for column '" + f.name + "': " + Raw(e));
    };
    std::string_view s;
    bool is_str = e.get(s) == simdjson::SUCCESS;
    switch (t.id) {
      case IcebergTypeId::kBoolean: {
        bool b;
        if (e.get(b) != simdjson::SUCCESS) return bad();
        return Value::Boolean(b);
      }
      case IcebergTypeId::kInt:
      case IcebergTypeId::kLong: {
        int64_t i;
        if (e.get(i) != simdjson::SUCCESS) return bad();
        return t.id == IcebergTypeId::kInt ? Value::Integer(static_cast<int32_t>(i))
                                           : Value::BigInt(i);
      }
      case IcebergTypeId::kFloat:
      case IcebergTypeId::kDouble: {
        double d;
        if (e.get(d) != simdjson::SUCCESS) return bad();
        if (t.id == IcebergTypeId::kFloat) return Value::Real(static_cast<float>(d));
        return Value::Double(d);
      }
      case IcebergTypeId::kDecimal: {
        if (!is_str || t.precision > kMaxDecimalPrecision) return bad();
        Int128 v;
        if (!ParseDecimal128(s, t.precision, t.scale, &v)) return bad();
        return Value::Decimal(v, t.precision, t.scale);
      }
      case IcebergTypeId::kDate: {
        if (!is_str) return bad();
        auto d = ParseDate(s);
        if (!d) return bad();
        return Value::Date(*d);
      }
      case IcebergTypeId::kTimestamp:
      case IcebergTypeId::kTimestampNs:
      case IcebergTypeId::kTimestampTz:
      case IcebergTypeId::kTimestampTzNs: {
        if (!is_str) return bad();
        std::string text(s);
        std::replace(text.begin(), text.end(), 'T', ' ');
        auto ts = ParseTimestamp(text);
        if (!ts) return bad();
        bool tz = t.id == IcebergTypeId::kTimestampTz || t.id == IcebergTypeId::kTimestampTzNs;
        return tz ? Value::TimestampTz(*ts) : Value::Timestamp(*ts);
      }
      default:
        if (is_str) return Value::Varchar(std::string(s));
        return Value::Varchar(Raw(e));
    }
  }

  IcebergSchema ParseSchema(element e) const {
    object o;
    if (e.get(o) != simdjson::SUCCESS) Fail("a schema must be an object");
    IcebergSchema schema;
    schema.schema_id = static_cast<int>(Int(o, "schema-id", 0));
    array fields;
    if (o["fields"].get(fields) != simdjson::SUCCESS) Fail("a schema has no \"fields\"");
    for (auto f : fields) schema.fields.push_back(ParseField(f, &schema));
    array ids;
    if (o["identifier-field-ids"].get(ids) == simdjson::SUCCESS) {
      for (auto id : ids) {
        int64_t i;
        if (id.get(i) == simdjson::SUCCESS)
          schema.identifier_field_ids.push_back(static_cast<int>(i));
      }
    }
    return schema;
  }

  PartitionSpec ParseSpecFields(array fields, int spec_id) const {
    PartitionSpec spec;
    spec.spec_id = spec_id;
    int next_id = 1000;
    for (auto f : fields) {
      object o;
      if (f.get(o) != simdjson::SUCCESS) Fail("a partition field must be an object");
      PartitionField pf;
      pf.source_id = static_cast<int>(Int(o, "source-id", -1));
      if (pf.source_id < 0) {
        array ids;
        if (o["source-ids"].get(ids) == simdjson::SUCCESS) {
          for (auto id : ids) {
            int64_t i;
            if (id.get(i) == simdjson::SUCCESS) {
              pf.source_id = static_cast<int>(i);
              break;
            }
          }
        }
      }
      pf.field_id = static_cast<int>(Int(o, "field-id", next_id));
      next_id = std::max(next_id, pf.field_id) + 1;
      pf.name = Str(o, "name");
      pf.transform = ParseTransform(Str(o, "transform"));
      spec.fields.push_back(pf);
    }
    return spec;
  }

  TableMetadata Parse(const std::string& json) const {
    simdjson::dom::parser parser;
    element root;
    auto error = parser.parse(json).get(root);
    if (error) Fail(std::string("not valid JSON (") + simdjson::error_message(error) + ")");
    object o;
    if (root.get(o) != simdjson::SUCCESS) Fail("not a JSON object");
    TableMetadata m;
    m.format_version = static_cast<int>(RequiredInt(o, "format-version", "the metadata"));
    if (m.format_version < 1 || m.format_version > 3) {
      throw Error(ErrorKind::kUnsupported, context + ": unsupported Iceberg format version " +
                                               std::to_string(m.format_version));
    }
    m.table_uuid = Str(o, "table-uuid");
    m.location = Str(o, "location");
    m.last_sequence_number = Int(o, "last-sequence-number", 0);
    m.last_updated_ms = Int(o, "last-updated-ms", 0);
    m.last_column_id = static_cast<int>(Int(o, "last-column-id", 0));
    array schemas;
    if (o["schemas"].get(schemas) == simdjson::SUCCESS) {
      for (auto s : schemas) m.schemas.push_back(ParseSchema(s));
      m.current_schema_id = static_cast<int>(Int(o, "current-schema-id", 0));
    } else {
      element s;
      if (o["schema"].get(s) != simdjson::SUCCESS) Fail("no \"schemas\" and no \"schema\"");
      m.schemas.push_back(ParseSchema(s));
      m.current_schema_id = m.schemas[0].schema_id;
    }
    if (!m.SchemaById(m.current_schema_id)) {
      Fail("current-schema-id " + std::to_string(m.current_schema_id) + " is not in \"schemas\"");
    }
    array specs;
    if (o["partition-specs"].get(specs) == simdjson::SUCCESS) {
      for (auto s : specs) {
        object so;
        if (s.get(so) != simdjson::SUCCESS) Fail("a partition spec must be an object");
        array fields;
        if (so["fields"].get(fields) != simdjson::SUCCESS) Fail("a partition spec has no fields");
        m.specs.push_back(ParseSpecFields(fields, static_cast<int>(Int(so, "spec-id", 0))));
      }
      m.default_spec_id = static_cast<int>(Int(o, "default-spec-id", 0));
    } else {
      array fields;
      if (o["partition-spec"].get(fields) == simdjson::SUCCESS) {
        m.specs.push_back(ParseSpecFields(fields, 0));
      } else {
        m.specs.push_back(PartitionSpec{});
      }
      m.default_spec_id = 0;
    }
    m.default_sort_order_id = static_cast<int>(Int(o, "default-sort-order-id", 0));
    object props;
    if (o["properties"].get(props) == simdjson::SUCCESS) {
      for (auto [k, v] : props) {
        std::string_view s;
        m.properties[std::string(k)] = v.get(s) == simdjson::SUCCESS ? std::string(s) : Raw(v);
      }
    }
    auto current = OptInt(o, "current-snapshot-id");
    if (current && *current != -1) m.current_snapshot_id = current;
    array snaps;
    if (o["snapshots"].get(snaps) == simdjson::SUCCESS) {
      for (auto s : snaps) {
        object so;
        if (s.get(so) != simdjson::SUCCESS) Fail("a snapshot must be an object");
        Snapshot snap;
        snap.snapshot_id = RequiredInt(so, "snapshot-id", "a snapshot");
        snap.parent_id = OptInt(so, "parent-snapshot-id");
        snap.sequence_number = Int(so, "sequence-number", 0);
        snap.timestamp_ms = Int(so, "timestamp-ms", 0);
        snap.manifest_list = Str(so, "manifest-list");
        array manifests;
        if (so["manifests"].get(manifests) == simdjson::SUCCESS) {
          for (auto mf : manifests) {
            std::string_view p;
            if (mf.get(p) == simdjson::SUCCESS) snap.manifests.emplace_back(p);
          }
        }
        auto sid = OptInt(so, "schema-id");
        if (sid) snap.schema_id = static_cast<int>(*sid);
        object summary;
        if (so["summary"].get(summary) == simdjson::SUCCESS) {
          for (auto [k, v] : summary) {
            std::string_view sv;
            snap.summary[std::string(k)] =
                v.get(sv) == simdjson::SUCCESS ? std::string(sv) : Raw(v);
          }
        }
        m.snapshots.push_back(std::move(snap));
      }
    }
    array log;
    if (o["snapshot-log"].get(log) == simdjson::SUCCESS) {
      for (auto l : log) {
        object lo;
        if (l.get(lo) != simdjson::SUCCESS) continue;
        m.snapshot_log.emplace_back(Int(lo, "timestamp-ms", 0), Int(lo, "snapshot-id", 0));
      }
    }
    object refs;
    if (o["refs"].get(refs) == simdjson::SUCCESS) {
      for (auto [k, v] : refs) {
        object ro;
        if (v.get(ro) != simdjson::SUCCESS) continue;
        SnapshotRef ref;
        ref.snapshot_id = Int(ro, "snapshot-id", 0);
        ref.type = Str(ro, "type");
        m.refs[std::string(k)] = ref;
      }
    }
    if (m.current_snapshot_id && !m.SnapshotById(*m.current_snapshot_id)) {
      Fail("current-snapshot-id " + std::to_string(*m.current_snapshot_id) +
           " is not in \"snapshots\"");
    }
    return m;
  }
};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

// Big-endian two's complement bytes -> int64 (nullopt when it does not fit).
// A big-endian two's complement integer of up to 16 significant bytes (decimal unscaled values).
std::optional<Int128> BigEndianInt128(const std::string& b) {
  if (b.empty()) return 0;
  size_t skip = 0;
  if (b.size() > 16) {
    skip = b.size() - 16;
    unsigned char fill = (static_cast<unsigned char>(b[skip]) & 0x80) ? 0xff : 0;
    for (size_t i = 0; i < skip; i++) {
      if (static_cast<unsigned char>(b[i]) != fill) return std::nullopt;
    }
  }
  unsigned __int128 v =
      (static_cast<unsigned char>(b[skip]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
  for (size_t i = skip; i < b.size(); i++) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return static_cast<Int128>(v);
}

std::optional<int64_t> BigEndianInt(const std::string& b) {
  if (b.empty()) return 0;
  if (b.size() > 8) {
    // Accept sign-extension bytes only.
    size_t extra = b.size() - 8;
    unsigned char fill = (static_cast<unsigned char>(b[extra]) & 0x80) ? 0xff : 0;
    for (size_t i = 0; i < extra; i++) {
      if (static_cast<unsigned char>(b[i]) != fill) return std::nullopt;
    }
    return BigEndianInt(b.substr(extra));
  }
  uint64_t v = (static_cast<unsigned char>(b[0]) & 0x80) ? ~uint64_t{0} : 0;
  for (unsigned char c : b) v = (v << 8) | c;
  return static_cast<int64_t>(v);
}

template <typename T>
T LittleEndian(const std::string& b) {
  T v{};
  std::memcpy(&v, b.data(), sizeof(T));
  return v;
}

// A primitive Avro datum (a partition value) as an engine value of the Iceberg type.
Value AvroToValue(const avro::AvroValue& v, const IcebergType& t) {
  LogicalType et = EngineType(t);
  if (v.is_null()) return Value::Null(et);
  switch (t.id) {
    case IcebergTypeId::kBoolean:
      return Value::Boolean(v.kind == avro::AvroKind::kBoolean ? v.boolean : v.integer != 0);
    case IcebergTypeId::kInt:
      return Value::Integer(static_cast<int32_t>(v.integer));
    case IcebergTypeId::kLong:
      return Value::BigInt(v.integer);
    case IcebergTypeId::kFloat:
      return Value::Real(static_cast<float>(v.real));
    case IcebergTypeId::kDouble:
      return Value::Double(v.real);
    case IcebergTypeId::kDecimal: {
      if (t.precision > kMaxDecimalPrecision) return Value::Null(et);
      if (v.kind == avro::AvroKind::kInt || v.kind == avro::AvroKind::kLong) {
        return Value::Decimal(v.integer, t.precision, t.scale);
      }
      auto i = BigEndianInt128(v.bytes);
      return i ? Value::Decimal(*i, t.precision, t.scale) : Value::Null(et);
    }
    case IcebergTypeId::kDate:
      return Value::Date(static_cast<int32_t>(v.integer));
    case IcebergTypeId::kTime:
      return Value::Time(v.integer);
    case IcebergTypeId::kUuid: {
      if (v.kind == avro::AvroKind::kString) {
        auto parsed = ParseUuid(v.bytes);
        return parsed ? Value::UuidValue(*parsed) : Value::Null(et);
      }
      if (v.bytes.size() != 16) return Value::Null(et);
      Uuid u;
      std::memcpy(u.bytes, v.bytes.data(), 16);
      return Value::UuidValue(u);
    }
    case IcebergTypeId::kFixed:
    case IcebergTypeId::kBinary:
      return Value::Varbinary(v.bytes);
    case IcebergTypeId::kTimestamp:
      return Value::Timestamp(v.integer);
    case IcebergTypeId::kTimestampTz:
      return Value::TimestampTz(v.integer);
    case IcebergTypeId::kTimestampNs:
      return Value::Timestamp(FloorDiv(v.integer, 1000));
    case IcebergTypeId::kTimestampTzNs:
      return Value::TimestampTz(FloorDiv(v.integer, 1000));
    default:
      return Value::Varchar(v.bytes);
  }
}

// Iceberg's int->long map encoding: array<record{key, value}> or an Avro map.
template <typename F>
void ForEachMapEntry(const avro::AvroValue* v, F f) {
  if (!v || v->is_null()) return;
  if (v->kind == avro::AvroKind::kArray) {
    for (const auto& kv : v->items) {
      const auto* k = kv.Find("key");
      const auto* val = kv.Find("value");
      if (k && val) f(static_cast<int>(k->integer), *val);
    }
  } else if (v->kind == avro::AvroKind::kMap) {
    for (size_t i = 0; i < v->items.size(); i++) {
      try {
        f(std::stoi(v->keys[i]), v->items[i]);
      } catch (...) {
      }
    }
  }
}

}  // namespace

const IcebergField* IcebergSchema::FindById(int id) const {
  for (const auto& f : fields) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const IcebergField* IcebergSchema::FindByName(const std::string& name) const {
  std::string l = AsciiLower(name);
  for (const auto& f : fields) {
    if (AsciiLower(f.name) == l) return &f;
  }
  return nullptr;
}

std::string Snapshot::operation() const {
  auto it = summary.find("operation");
  return it == summary.end() ? std::string() : it->second;
}

const IcebergSchema& TableMetadata::CurrentSchema() const {
  const IcebergSchema* s = SchemaById(current_schema_id);
  return s ? *s : schemas.front();
}

const IcebergSchema* TableMetadata::SchemaById(int id) const {
  for (const auto& s : schemas) {
    if (s.schema_id == id) return &s;
  }
  return nullptr;
}

const PartitionSpec* TableMetadata::SpecById(int id) const {
  for (const auto& s : specs) {
    if (s.spec_id == id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::SnapshotById(int64_t id) const {
  for (const auto& s : snapshots) {
    if (s.snapshot_id == id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}

const Snapshot* TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
  const Snapshot* best = nullptr;
  if (!snapshot_log.empty()) {
    for (const auto& [ts, id] : snapshot_log) {
      if (ts <= timestamp_ms) {
        if (const Snapshot* s = SnapshotById(id)) best = s;
      }
    }
    return best;
  }
  for (const auto& s : snapshots) {
    if (s.timestamp_ms <= timestamp_ms && (!best || s.timestamp_ms >= best->timestamp_ms)) {
      best = &s;
    }
  }
  return best;
}

Transform ParseTransform(const std::string& text) {
  Transform t;
  t.text = AsciiLower(text);
  const std::string& s = t.text;
  if (s == "identity")
    t.kind = TransformKind::kIdentity;
  else if (s == "year")
    t.kind = TransformKind::kYear;
  else if (s == "month")
    t.kind = TransformKind::kMonth;
  else if (s == "day")
    t.kind = TransformKind::kDay;
  else if (s == "hour")
    t.kind = TransformKind::kHour;
  else if (s == "void")
    t.kind = TransformKind::kVoid;
  else if (sscanf(s.c_str(), "bucket[%d]", &t.param) == 1)
    t.kind = TransformKind::kBucket;
  else if (sscanf(s.c_str(), "truncate[%d]", &t.param) == 1)
    t.kind = TransformKind::kTruncate;
  else
    t.kind = TransformKind::kUnknown;
  return t;
}

TableMetadata ParseTableMetadata(const std::string& json, const std::string& context) {
  return MetadataParser{context}.Parse(json);
}

LogicalType EngineType(const IcebergType& type) {
  switch (type.id) {
    case IcebergTypeId::kBoolean:
      return TypeId::kBoolean;
    case IcebergTypeId::kInt:
      return TypeId::kInteger;
    case IcebergTypeId::kLong:
      return TypeId::kBigInt;
    case IcebergTypeId::kFloat:
      return TypeId::kReal;
    case IcebergTypeId::kDouble:
      return TypeId::kDouble;
    case IcebergTypeId::kDecimal:
      if (type.precision <= kMaxDecimalPrecision) {
        return LogicalType::Decimal(type.precision, type.scale);
      }
      return TypeId::kVarchar;
    case IcebergTypeId::kDate:
      return TypeId::kDate;
    case IcebergTypeId::kTime:
      return TypeId::kTime;
    case IcebergTypeId::kUuid:
      return TypeId::kUuid;
    case IcebergTypeId::kFixed:
    case IcebergTypeId::kBinary:
      return TypeId::kVarbinary;
    case IcebergTypeId::kTimestamp:
    case IcebergTypeId::kTimestampNs:
      return TypeId::kTimestamp;
    case IcebergTypeId::kTimestampTz:
    case IcebergTypeId::kTimestampTzNs:
      return TypeId::kTimestampTz;
    case IcebergTypeId::kList:
      if (type.fields.size() == 1) return LogicalType::Array(EngineType(type.fields[0].type));
      return TypeId::kVarchar;
    case IcebergTypeId::kMap:
      if (type.fields.size() == 2)
        return LogicalType::Map(EngineType(type.fields[0].type), EngineType(type.fields[1].type));
      return TypeId::kVarchar;
    case IcebergTypeId::kStruct: {
      std::vector<std::string> names;
      std::vector<LogicalType> types;
      for (const auto& f : type.fields) {
        names.push_back(f.name);
        types.push_back(EngineType(f.type));
      }
      return LogicalType::Row(std::move(names), std::move(types));
    }
    default:
      return TypeId::kVarchar;
  }
}

IcebergType TransformResultType(const Transform& transform, const IcebergType& source) {
  switch (transform.kind) {
    case TransformKind::kIdentity:
    case TransformKind::kTruncate:
      return source;
    case TransformKind::kBucket:
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
    case TransformKind::kHour: {
      IcebergType t;
      t.id = IcebergTypeId::kInt;
      t.text = "int";
      return t;
    }
    default:
      return source;
  }
}

std::optional<Value> DecodeBound(const IcebergType& t, const std::string& b) {
  auto need = [&](size_t n) { return b.size() >= n; };
  switch (t.id) {
    case IcebergTypeId::kBoolean:
      if (!need(1)) return std::nullopt;
      return Value::Boolean(b[0] != 0);
    case IcebergTypeId::kInt:
      if (!need(4)) return std::nullopt;
      return Value::Integer(LittleEndian<int32_t>(b));
    case IcebergTypeId::kLong:
      // A column promoted from int keeps 4-byte bounds in old files.
      if (b.size() == 4) return Value::BigInt(LittleEndian<int32_t>(b));
      if (!need(8)) return std::nullopt;
      return Value::BigInt(LittleEndian<int64_t>(b));
    case IcebergTypeId::kFloat: {
      if (!need(4)) return std::nullopt;
      float f = LittleEndian<float>(b);
      if (std::isnan(f)) return std::nullopt;
      return Value::Real(f);
    }
    case IcebergTypeId::kDouble: {
      if (b.size() == 4) return Value::Double(LittleEndian<float>(b));
      if (!need(8)) return std::nullopt;
      double d = LittleEndian<double>(b);
      if (std::isnan(d)) return std::nullopt;
      return Value::Double(d);
    }
    case IcebergTypeId::kDecimal: {
      if (t.precision > kMaxDecimalPrecision) return std::nullopt;
      auto i = BigEndianInt128(b);
      if (!i) return std::nullopt;
      return Value::Decimal(*i, t.precision, t.scale);
    }
    case IcebergTypeId::kTime:
      if (!need(8)) return std::nullopt;
      return Value::Time(LittleEndian<int64_t>(b));
    case IcebergTypeId::kUuid: {
      if (b.size() != 16) return std::nullopt;
      Uuid u;
      std::memcpy(u.bytes, b.data(), 16);
      return Value::UuidValue(u);
    }
    case IcebergTypeId::kFixed:
    case IcebergTypeId::kBinary:
      return Value::Varbinary(b);
    case IcebergTypeId::kDate:
      if (!need(4)) return std::nullopt;
      return Value::Date(LittleEndian<int32_t>(b));
    case IcebergTypeId::kTimestamp:
      if (!need(8)) return std::nullopt;
      return Value::Timestamp(LittleEndian<int64_t>(b));
    case IcebergTypeId::kTimestampTz:
      if (!need(8)) return std::nullopt;
      return Value::TimestampTz(LittleEndian<int64_t>(b));
    case IcebergTypeId::kTimestampNs:
      if (!need(8)) return std::nullopt;
      return Value::Timestamp(FloorDiv(LittleEndian<int64_t>(b), 1000));
    case IcebergTypeId::kTimestampTzNs:
      if (!need(8)) return std::nullopt;
      return Value::TimestampTz(FloorDiv(LittleEndian<int64_t>(b), 1000));
    case IcebergTypeId::kString:
      return Value::Varchar(b);
    default:
      return std::nullopt;
  }
}

std::vector<ManifestFile> ReadManifestList(const std::string& bytes, const std::string& path) {
  avro::AvroFileReader reader(bytes, path);
  std::vector<ManifestFile> out;
  avro::AvroValue r;
  auto count = [&](const char* a, const char* b) {
    const auto* v = r.Find(a);
    if (!v || v->is_null()) v = r.Find(b);
    return v ? v->AsInt(0) : 0;
  };
  while (reader.Next(&r)) {
    ManifestFile m;
    const auto* p = r.Find("manifest_path");
    if (!p || p->is_null()) {
      throw Error(ErrorKind::kIo, path + ": manifest list entry without manifest_path");
    }
    m.path = p->bytes;
    if (const auto* v = r.Find("manifest_length")) m.length = v->AsInt(0);
    if (const auto* v = r.Find("partition_spec_id")) m.spec_id = static_cast<int>(v->AsInt(0));
    if (const auto* v = r.Find("content")) m.content = static_cast<int>(v->AsInt(0));
    if (const auto* v = r.Find("sequence_number")) m.sequence_number = v->AsInt(0);
    if (const auto* v = r.Find("min_sequence_number")) m.min_sequence_number = v->AsInt(0);
    if (const auto* v = r.Find("added_snapshot_id")) m.added_snapshot_id = v->AsInt(0);
    m.added_files = count("added_files_count", "added_data_files_count");
    m.existing_files = count("existing_files_count", "existing_data_files_count");
    m.deleted_files = count("deleted_files_count", "deleted_data_files_count");
    m.added_rows = count("added_rows_count", "added_rows_count");
    m.existing_rows = count("existing_rows_count", "existing_rows_count");
    m.deleted_rows = count("deleted_rows_count", "deleted_rows_count");
    if (const auto* parts = r.Find("partitions"); parts && parts->kind == avro::AvroKind::kArray) {
      for (const auto& fs : parts->items) {
        FieldSummary s;
        if (const auto* v = fs.Find("contains_null")) s.contains_null = v->boolean;
        if (const auto* v = fs.Find("contains_nan"); v && !v->is_null())
          s.contains_nan = v->boolean;
        if (const auto* v = fs.Find("lower_bound"); v && !v->is_null()) s.lower_bound = v->bytes;
        if (const auto* v = fs.Find("upper_bound"); v && !v->is_null()) s.upper_bound = v->bytes;
        m.partitions.push_back(std::move(s));
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<ManifestEntry> ReadManifest(const std::string& bytes, const std::string& path,
                                        const ManifestFile& manifest, const PartitionSpec* spec,
                                        const IcebergSchema* schema) {
  avro::AvroFileReader reader(bytes, path);
  int spec_id = manifest.spec_id;
  auto meta = reader.metadata().find("partition-spec-id");
  if (meta != reader.metadata().end()) {
    try {
      spec_id = std::stoi(meta->second);
    } catch (...) {
    }
  }
  std::vector<ManifestEntry> out;
  avro::AvroValue r;
  while (reader.Next(&r)) {
    ManifestEntry e;
    if (const auto* v = r.Find("status")) e.status = static_cast<int>(v->AsInt(1));
    const auto* snap = r.Find("snapshot_id");
    e.snapshot_id = snap && !snap->is_null() ? snap->integer : manifest.added_snapshot_id;
    const auto* seq = r.Find("sequence_number");
    e.sequence_number = seq && !seq->is_null() ? seq->integer : manifest.sequence_number;
    const auto* fseq = r.Find("file_sequence_number");
    e.file_sequence_number = fseq && !fseq->is_null() ? fseq->integer : manifest.sequence_number;
    const auto* df = r.Find("data_file");
    if (!df || df->kind != avro::AvroKind::kRecord) {
      throw Error(ErrorKind::kIo, path + ": manifest entry without data_file");
    }
    DataFile& f = e.file;
    f.spec_id = spec_id;
    if (const auto* v = df->Find("content")) f.content = static_cast<FileContent>(v->AsInt(0));
    if (manifest.content == 1 && f.content == FileContent::kData) {
      f.content = FileContent::kPositionDeletes;
    }
    if (const auto* v = df->Find("file_path")) f.path = v->bytes;
    if (const auto* v = df->Find("file_format")) f.format = v->bytes;
    for (auto& c : f.format) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const auto* v = df->Find("record_count")) f.record_count = v->AsInt(0);
    if (const auto* v = df->Find("file_size_in_bytes")) f.file_size = v->AsInt(0);
    ForEachMapEntry(df->Find("value_counts"),
                    [&](int k, const avro::AvroValue& v) { f.value_counts[k] = v.integer; });
    ForEachMapEntry(df->Find("null_value_counts"),
                    [&](int k, const avro::AvroValue& v) { f.null_value_counts[k] = v.integer; });
    ForEachMapEntry(df->Find("nan_value_counts"),
                    [&](int k, const avro::AvroValue& v) { f.nan_value_counts[k] = v.integer; });
    ForEachMapEntry(df->Find("lower_bounds"),
                    [&](int k, const avro::AvroValue& v) { f.lower_bounds[k] = v.bytes; });
    ForEachMapEntry(df->Find("upper_bounds"),
                    [&](int k, const avro::AvroValue& v) { f.upper_bounds[k] = v.bytes; });
    if (const auto* v = df->Find("equality_ids"); v && v->kind == avro::AvroKind::kArray) {
      for (const auto& i : v->items) f.equality_ids.push_back(static_cast<int>(i.integer));
    }
    if (const auto* v = df->Find("split_offsets"); v && v->kind == avro::AvroKind::kArray) {
      for (const auto& i : v->items) f.split_offsets.push_back(i.integer);
    }
    if (const auto* v = df->Find("referenced_data_file"); v && !v->is_null()) {
      f.referenced_data_file = v->bytes;
    }
    const auto* part = df->Find("partition");
    if (spec && schema && part && part->kind == avro::AvroKind::kRecord) {
      for (size_t i = 0; i < spec->fields.size(); i++) {
        const PartitionField& pf = spec->fields[i];
        const avro::AvroValue* pv = nullptr;
        // By field id, else by name, else by position.
        for (size_t j = 0; j < part->schema->fields.size() && !pv; j++) {
          if (part->schema->fields[j].field_id == pf.field_id) pv = &part->items[j];
        }
        if (!pv) pv = part->Find(pf.name);
        if (!pv && i < part->items.size()) pv = &part->items[i];
        IcebergType source;
        if (auto it = schema->all_types.find(pf.source_id); it != schema->all_types.end()) {
          source = it->second;
        }
        IcebergType rt = TransformResultType(pf.transform, source);
        f.partition.push_back(pv ? AvroToValue(*pv, rt) : Value::Null(EngineType(rt)));
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace aishell::iceberg
