#include "connectors/iceberg/iceberg_writer.h"
#include "common/json_text.h"

#include <strings.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>
#include <unordered_map>

#include <simdjson.h>

#include "common/date_time.h"
#include "common/exception.h"
#include "connectors/iceberg/iceberg_metadata.h"
#include "formats/parquet/parquet_writer.h"
#include "storage/file_system.h"

namespace aishell::iceberg {

namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
           static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }());
  return rng;
}

std::string NewUuid() {
  uint64_t a = Rng()(), b = Rng()();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

int64_t NewSnapshotId() { return static_cast<int64_t>(Rng()() & 0x7fffffffffffffffULL) | 1; }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IdToString(const TableIdentifier& id) {
  std::string s;
  for (const auto& n : id.ns) s += n + ".";
  return s + id.name;
}

// Avro schema of a partition value type ("int" with logicalType date for day, ...).
std::string AvroTypeOf(const LogicalType& t, int field_id) {
  switch (t.id) {
    case TypeId::kBoolean:
      return "\"boolean\"";
    case TypeId::kInteger:
      return "\"int\"";
    case TypeId::kBigInt:
      return "\"long\"";
    case TypeId::kReal:
      return "\"float\"";
    case TypeId::kDouble:
      return "\"double\"";
    case TypeId::kTime:
      return "{\"type\":\"long\",\"logicalType\":\"time-micros\"}";
    case TypeId::kUuid:
      return "{\"type\":\"fixed\",\"name\":\"uuid_fixed_" + std::to_string(field_id) +
             "\",\"size\":16,\"logicalType\":\"uuid\"}";
    case TypeId::kVarbinary:
      return "\"bytes\"";
    case TypeId::kDecimal: {
      // fixed of the minimal size for the precision (Iceberg requires this size)
      int size = 1;
      while (size < 16 && std::pow(2.0, 8 * size - 1) < std::pow(10.0, t.precision)) size++;
      return "{\"type\":\"fixed\",\"name\":\"fixed_" + std::to_string(field_id) +
             "\",\"size\":" + std::to_string(size) +
             ",\"logicalType\":\"decimal\",\"precision\":" + std::to_string(t.precision) +
             ",\"scale\":" + std::to_string(t.scale) + "}";
    }
    case TypeId::kVarchar:
      return "\"string\"";
    case TypeId::kDate:
      return "{\"type\":\"int\",\"logicalType\":\"date\"}";
    case TypeId::kTimestamp:
      return "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\",\"adjust-to-utc\":false}";
    case TypeId::kTimestampTz:
      return "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\",\"adjust-to-utc\":true}";
    default:
      throw Error(ErrorKind::kUnsupported,
                  "iceberg: cannot write a partition value of type " + t.ToString());
  }
}

int DecimalFixedSize(int precision) {
  int size = 1;
  while (size < 16 && std::pow(2.0, 8 * size - 1) < std::pow(10.0, precision)) size++;
  return size;
}

std::string DecimalBytes(Int128 unscaled, int size) {
  std::string out(static_cast<size_t>(size), '\0');
  for (int i = size - 1; i >= 0; i--) {
    out[static_cast<size_t>(i)] = static_cast<char>(unscaled & 0xff);
    unscaled >>= 8;  // arithmetic shift keeps the sign
  }
  return out;
}

// Writes a value in the Avro encoding of AvroTypeOf(value type), inside a ["null", T] union.
void WriteOptionalAvroValue(avro::AvroEncoder& e, const Value& v) {
  if (v.is_null()) {
    e.WriteUnionIndex(0);
    return;
  }
  e.WriteUnionIndex(1);
  switch (v.type().id) {
    case TypeId::kBoolean:
      e.WriteBoolean(v.GetBool());
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      e.WriteInt(static_cast<int32_t>(v.GetInt64()));
      break;
    case TypeId::kBigInt:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      e.WriteLong(v.GetInt64());
      break;
    case TypeId::kDouble:
      e.WriteDouble(v.GetDouble());
      break;
    case TypeId::kReal:
      e.WriteFloat(static_cast<float>(v.GetDouble()));
      break;
    case TypeId::kTime:
      e.WriteLong(v.GetInt64());
      break;
    case TypeId::kDecimal:
      e.WriteFixed(DecimalBytes(v.GetInt128(), DecimalFixedSize(v.type().precision)));
      break;
    case TypeId::kUuid:
      e.WriteFixed(v.GetString());
      break;
    case TypeId::kVarchar:
    case TypeId::kVarbinary:
      e.WriteString(v.GetString());
      break;
    default:
      throw Error(ErrorKind::kUnsupported,
                  "iceberg: cannot write a partition value of type " + v.type().ToString());
  }
}

// Partition path segment: Iceberg's human string of a transform result, URL-escaped.
std::string PartitionValueText(const ResolvedPartitionField& f, const Value& v) {
  if (v.is_null()) return "null";
  std::string text;
  if (f.transform == "identity") {
    text = v.ToString();
  } else if (f.transform == "day") {
    text = FormatDate(static_cast<int32_t>(v.GetInt64()));
  } else if (f.transform == "year") {
    text = std::to_string(1970 + v.GetInt64());
  } else if (f.transform == "month") {
    int64_t m = v.GetInt64();
    int64_t y = 1970 + (m >= 0 ? m / 12 : -((-m + 11) / 12));
    int64_t mm = m - (y - 1970) * 12 + 1;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld", static_cast<long long>(y),
                  static_cast<long long>(mm));
    text = buf;
  } else if (f.transform == "hour") {
    int64_t h = v.GetInt64();
    int64_t days = h >= 0 ? h / 24 : -((-h + 23) / 24);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s-%02lld", FormatDate(static_cast<int32_t>(days)).c_str(),
                  static_cast<long long>(h - days * 24));
    text = buf;
  }
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int32_t YearOfDays(int32_t days) { return CivilFromDays(days).year - 1970; }
int32_t MonthOfDays(int32_t days) {
  CivilDate c = CivilFromDays(days);
  return (c.year - 1970) * 12 + (c.month - 1);
}

}  // namespace

std::string IcebergTypeName(const LogicalType& type) {
  switch (type.id) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInteger:
      return "int";
    case TypeId::kBigInt:
      return "long";
    case TypeId::kReal:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
    case TypeId::kVarbinary:
      return "binary";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kTime:
      return "time";
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
      throw Error(ErrorKind::kUnsupported, "iceberg: Iceberg has no " + type.ToString() +
                                               " type: CAST the column to INTEGER to write it");
    case TypeId::kJson:
      throw Error(ErrorKind::kUnsupported,
                  "iceberg: Iceberg has no JSON type: CAST the column to VARCHAR to write it");
    case TypeId::kVarchar:
    case TypeId::kNull:
      return "string";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampTz:
      return "timestamptz";
    case TypeId::kArray:
    case TypeId::kMap:
    case TypeId::kRow: {
      // The spec's spelling; checks that every element, key, value and field can be written.
      std::string s = type.id == TypeId::kArray ? "list<"
                      : type.id == TypeId::kMap ? "map<"
                                                : "struct<";
      const auto& kids = type.Children();
      for (size_t i = 0; i < kids.size(); i++) {
        if (i) s += ",";
        if (type.id == TypeId::kRow) s += type.FieldNames()[i] + ":";
        s += IcebergTypeName(kids[i]);
      }
      return s + ">";
    }
    default:
      throw Error(ErrorKind::kUnsupported,
                  "iceberg: a column of type " + type.ToString() + " cannot be written to Iceberg");
  }
}

std::string SerializeBound(const Value& v) {
  std::string out;
  auto le = [&out](uint64_t x, int bytes) {
    for (int i = 0; i < bytes; i++) out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
  };
  switch (v.type().id) {
    case TypeId::kBoolean:
      out.push_back(v.GetBool() ? '\1' : '\0');
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      le(static_cast<uint32_t>(static_cast<int32_t>(v.GetInt64())), 4);
      break;
    case TypeId::kBigInt:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      le(static_cast<uint64_t>(v.GetInt64()), 8);
      break;
    case TypeId::kDouble: {
      double d = v.GetDouble();
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      le(bits, 8);
      break;
    }
    case TypeId::kReal: {
      auto f = static_cast<float>(v.GetDouble());
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      le(bits, 4);
      break;
    }
    case TypeId::kTime:
      le(static_cast<uint64_t>(v.GetInt64()), 8);
      break;
    case TypeId::kDecimal: {
      // minimal two's complement big-endian
      std::string full = DecimalBytes(v.GetInt128(), 16);
      size_t start = 0;
      while (start + 1 < full.size()) {
        unsigned char b0 = static_cast<unsigned char>(full[start]);
        unsigned char b1 = static_cast<unsigned char>(full[start + 1]);
        if ((b0 == 0x00 && !(b1 & 0x80)) || (b0 == 0xff && (b1 & 0x80))) {
          start++;
        } else {
          break;
        }
      }
      out = full.substr(start);
      break;
    }
    case TypeId::kVarchar:
      out = v.GetString();
      break;
    default:
      break;
  }
  return out;
}

std::vector<ResolvedPartitionField> ResolvePartitionSpec(const std::vector<ColumnInfo>& columns,
                                                         const std::vector<PartitionRequest>& req) {
  std::vector<ResolvedPartitionField> out;
  int next_id = 1000;
  for (const auto& r : req) {
    int idx = -1;
    for (size_t i = 0; i < columns.size(); i++) {
      if (strcasecmp(columns[i].name.c_str(), r.column.c_str()) == 0) idx = static_cast<int>(i);
    }
    if (idx < 0) {
      throw Error(ErrorKind::kBinder,
                  "iceberg: partition column '" + r.column + "' is not a column of the table");
    }
    ResolvedPartitionField f;
    f.source_column = idx;
    f.source_id = idx + 1;
    f.field_id = next_id++;
    std::string t = r.transform;
    std::transform(t.begin(), t.end(), t.begin(), ::tolower);
    if (t == "days") t = "day";
    if (t == "months") t = "month";
    if (t == "years") t = "year";
    if (t == "hours") t = "hour";
    f.transform = t;
    const LogicalType& src = columns[static_cast<size_t>(idx)].type;
    bool temporal =
        src.id == TypeId::kDate || src.id == TypeId::kTimestamp || src.id == TypeId::kTimestampTz;
    if (t == "identity") {
      IcebergTypeName(src);  // throws for unsupported types
      f.result_type = src;
      f.name = columns[static_cast<size_t>(idx)].name;
    } else if (t == "year" || t == "month" || t == "day" || t == "hour") {
      if (!temporal || (t == "hour" && src.id == TypeId::kDate)) {
        throw Error(ErrorKind::kUnsupported, "iceberg: cannot partition by " + t + "(" + r.column +
                                                 "): the column is " + src.ToString());
      }
      f.result_type = t == "day" ? LogicalType(TypeId::kDate) : LogicalType(TypeId::kInteger);
      f.name = columns[static_cast<size_t>(idx)].name + "_" + t;
    } else {
      throw Error(ErrorKind::kUnsupported,
                  "iceberg: partition transform '" + r.transform +
                      "' is not supported for writes (identity, year, month, day, hour)");
    }
    out.push_back(std::move(f));
  }
  return out;
}

// --- Avro schemas (the Iceberg spec's, with field ids) ------------------------------------

namespace {

std::string OptionalField(const std::string& name, const std::string& type, int field_id) {
  return "{\"name\":\"" + name + "\",\"type\":[\"null\"," + type +
         "],\"default\":null,\"field-id\":" + std::to_string(field_id) + "}";
}

std::string Field(const std::string& name, const std::string& type, int field_id) {
  return "{\"name\":\"" + name + "\",\"type\":" + type +
         ",\"field-id\":" + std::to_string(field_id) + "}";
}

std::string IntMap(const std::string& record, int key_id, int value_id, const std::string& value) {
  return "{\"type\":\"array\",\"logicalType\":\"map\",\"items\":{\"type\":\"record\",\"name\":\"" +
         record + "\",\"fields\":[" + Field("key", "\"int\"", key_id) + "," +
         Field("value", value, value_id) + "]}}";
}

std::string ManifestEntrySchema(const std::vector<ResolvedPartitionField>& spec) {
  std::string partition = "{\"type\":\"record\",\"name\":\"r102\",\"fields\":[";
  for (size_t i = 0; i < spec.size(); i++) {
    if (i) partition += ",";
    partition += OptionalField(spec[i].name, AvroTypeOf(spec[i].result_type, spec[i].field_id),
                               spec[i].field_id);
  }
  partition += "]}";
  std::string data_file = "{\"type\":\"record\",\"name\":\"r2\",\"fields\":[";
  data_file += Field("content", "\"int\"", 134) + ",";
  data_file += Field("file_path", "\"string\"", 100) + ",";
  data_file += Field("file_format", "\"string\"", 101) + ",";
  data_file += Field("partition", partition, 102) + ",";
  data_file += Field("record_count", "\"long\"", 103) + ",";
  data_file += Field("file_size_in_bytes", "\"long\"", 104) + ",";
  data_file += OptionalField("value_counts", IntMap("k119_v120", 119, 120, "\"long\""), 109) + ",";
  data_file +=
      OptionalField("null_value_counts", IntMap("k121_v122", 121, 122, "\"long\""), 110) + ",";
  data_file +=
      OptionalField("nan_value_counts", IntMap("k138_v139", 138, 139, "\"long\""), 137) + ",";
  data_file += OptionalField("lower_bounds", IntMap("k126_v127", 126, 127, "\"bytes\""), 125) + ",";
  data_file += OptionalField("upper_bounds", IntMap("k129_v130", 129, 130, "\"bytes\""), 128) + ",";
  data_file += OptionalField("key_metadata", "\"bytes\"", 131) + ",";
  data_file += OptionalField("split_offsets",
                             "{\"type\":\"array\",\"items\":\"long\",\"element-id\":133}", 132) +
               ",";
  data_file += OptionalField("equality_ids",
                             "{\"type\":\"array\",\"items\":\"int\",\"element-id\":136}", 135) +
               ",";
  data_file += OptionalField("sort_order_id", "\"int\"", 140);
  data_file += "]}";
  std::string entry = "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":[";
  entry += Field("status", "\"int\"", 0) + ",";
  entry += OptionalField("snapshot_id", "\"long\"", 1) + ",";
  entry += OptionalField("sequence_number", "\"long\"", 3) + ",";
  entry += OptionalField("file_sequence_number", "\"long\"", 4) + ",";
  entry += Field("data_file", data_file, 2);
  entry += "]}";
  return entry;
}

std::string ManifestListSchema() {
  std::string summary = "{\"type\":\"record\",\"name\":\"r508\",\"fields\":[" +
                        Field("contains_null", "\"boolean\"", 509) + "," +
                        OptionalField("contains_nan", "\"boolean\"", 518) + "," +
                        OptionalField("lower_bound", "\"bytes\"", 510) + "," +
                        OptionalField("upper_bound", "\"bytes\"", 511) + "]}";
  std::string s = "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":[";
  s += Field("manifest_path", "\"string\"", 500) + ",";
  s += Field("manifest_length", "\"long\"", 501) + ",";
  s += Field("partition_spec_id", "\"int\"", 502) + ",";
  s += Field("content", "\"int\"", 517) + ",";
  s += Field("sequence_number", "\"long\"", 515) + ",";
  s += Field("min_sequence_number", "\"long\"", 516) + ",";
  s += Field("added_snapshot_id", "\"long\"", 503) + ",";
  s += Field("added_files_count", "\"int\"", 504) + ",";
  s += Field("existing_files_count", "\"int\"", 505) + ",";
  s += Field("deleted_files_count", "\"int\"", 506) + ",";
  s += Field("added_rows_count", "\"long\"", 512) + ",";
  s += Field("existing_rows_count", "\"long\"", 513) + ",";
  s += Field("deleted_rows_count", "\"long\"", 514) + ",";
  s += OptionalField("partitions",
                     "{\"type\":\"array\",\"items\":" + summary + ",\"element-id\":508}", 507) +
       ",";
  s += OptionalField("key_metadata", "\"bytes\"", 519);
  s += "]}";
  return s;
}

// A column type as Iceberg schema JSON: a primitive's name, or a list, map or struct object whose
// nested fields take fresh ids from *next_id (the fields of one level first, then their
// children's, as Iceberg assigns them). `mapping` receives the name-mapping entries of the nested
// fields ("element", "key", "value" and the struct fields).
std::string TypeJson(const LogicalType& type, int* next_id, std::string* mapping) {
  if (!type.IsNested()) return JsonString(IcebergTypeName(type));
  const auto& kids = type.Children();
  std::vector<int> ids;
  for (size_t i = 0; i < kids.size(); i++) ids.push_back((*next_id)++);
  std::vector<std::string> names;
  if (type.id == TypeId::kArray) names = {"element"};
  if (type.id == TypeId::kMap) names = {"key", "value"};
  if (type.id == TypeId::kRow) {
    for (size_t i = 0; i < kids.size(); i++) {
      const auto& n = type.FieldNames();
      names.push_back(i < n.size() && !n[i].empty() ? n[i] : "field" + std::to_string(i));
    }
  }
  std::vector<std::string> types;
  *mapping += "[";
  for (size_t i = 0; i < kids.size(); i++) {
    std::string sub;
    types.push_back(TypeJson(kids[i], next_id, &sub));
    if (i) *mapping += ",";
    *mapping +=
        "{\"field-id\":" + std::to_string(ids[i]) + ",\"names\":[" + JsonString(names[i]) + "]";
    if (!sub.empty()) *mapping += ",\"fields\":" + sub;
    *mapping += "}";
  }
  *mapping += "]";
  if (type.id == TypeId::kArray) {
    return "{\"type\":\"list\",\"element-id\":" + std::to_string(ids[0]) +
           ",\"element\":" + types[0] + ",\"element-required\":false}";
  }
  if (type.id == TypeId::kMap) {
    return "{\"type\":\"map\",\"key-id\":" + std::to_string(ids[0]) + ",\"key\":" + types[0] +
           ",\"value-id\":" + std::to_string(ids[1]) + ",\"value\":" + types[1] +
           ",\"value-required\":false}";
  }
  std::string s = "{\"type\":\"struct\",\"fields\":[";
  for (size_t i = 0; i < kids.size(); i++) {
    if (i) s += ",";
    s += "{\"id\":" + std::to_string(ids[i]) + ",\"name\":" + JsonString(names[i]) +
         ",\"required\":false,\"type\":" + types[i] + "}";
  }
  return s + "]}";
}

// The schema of a new table: columns get ids 1..n, their nested fields the ids after.
struct NewSchema {
  std::string json, name_mapping;
  int last_column_id = 0;
};

NewSchema MakeSchema(const std::vector<ColumnInfo>& columns) {
  NewSchema out;
  int next_id = static_cast<int>(columns.size()) + 1;
  std::string s = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[";
  std::string m = "[";
  for (size_t i = 0; i < columns.size(); i++) {
    if (i) {
      s += ",";
      m += ",";
    }
    std::string sub;
    std::string type = TypeJson(columns[i].type, &next_id, &sub);
    s += "{\"id\":" + std::to_string(i + 1) + ",\"name\":" + JsonString(columns[i].name) +
         ",\"required\":false,\"type\":" + type + "}";
    m += "{\"field-id\":" + std::to_string(i + 1) + ",\"names\":[" + JsonString(columns[i].name) +
         "]";
    if (!sub.empty()) m += ",\"fields\":" + sub;
    m += "}";
  }
  out.json = s + "]}";
  out.name_mapping = m + "]";
  out.last_column_id = next_id - 1;
  return out;
}

std::string SchemaJson(const std::vector<ColumnInfo>& columns) { return MakeSchema(columns).json; }

std::string SpecFieldsJson(const std::vector<ResolvedPartitionField>& spec) {
  std::string s = "[";
  for (size_t i = 0; i < spec.size(); i++) {
    if (i) s += ",";
    s += "{\"name\":" + JsonString(spec[i].name) +
         ",\"transform\":" + JsonString(spec[i].transform) +
         ",\"source-id\":" + std::to_string(spec[i].source_id) +
         ",\"field-id\":" + std::to_string(spec[i].field_id) + "}";
  }
  return s + "]";
}

std::string NameMappingJson(const std::vector<ColumnInfo>& columns) {
  return MakeSchema(columns).name_mapping;
}

void WriteCounts(avro::AvroEncoder& e, const std::map<int, ColumnStats>& stats,
                 int64_t ColumnStats::*member, bool only_nonzero = false) {
  std::vector<std::pair<int, int64_t>> items;
  for (const auto& [id, st] : stats) {
    if (!only_nonzero || st.*member != 0) items.emplace_back(id, st.*member);
  }
  e.WriteUnionIndex(1);
  e.StartBlock(static_cast<int64_t>(items.size()));
  for (const auto& [id, n] : items) {
    e.WriteInt(id);
    e.WriteLong(n);
  }
  e.EndBlocks();
}

void WriteBounds(avro::AvroEncoder& e, const std::map<int, ColumnStats>& stats, bool upper) {
  std::vector<std::pair<int, std::string>> items;
  for (const auto& [id, st] : stats) {
    const auto& v = upper ? st.upper : st.lower;
    if (v && !v->is_null()) items.emplace_back(id, SerializeBound(*v));
  }
  e.WriteUnionIndex(1);
  e.StartBlock(static_cast<int64_t>(items.size()));
  for (const auto& [id, b] : items) {
    e.WriteInt(id);
    e.WriteBytes(b);
  }
  e.EndBlocks();
}

}  // namespace

std::string EncodeManifest(const std::string& schema_json,
                           const std::vector<ResolvedPartitionField>& spec, int spec_id,
                           int64_t snapshot_id, const std::vector<WrittenDataFile>& files,
                           avro::AvroCodec codec) {
  std::map<std::string, std::string> meta = {
      {"schema", schema_json},
      {"partition-spec", SpecFieldsJson(spec)},
      {"partition-spec-id", std::to_string(spec_id)},
      {"format-version", "2"},
      {"content", "data"},
  };
  avro::AvroFileWriter w(ManifestEntrySchema(spec), meta, codec);
  for (const auto& f : files) {
    auto& e = w.encoder();
    e.WriteInt(1);  // status ADDED
    e.WriteUnionIndex(1);
    e.WriteLong(snapshot_id);
    e.WriteUnionIndex(0);  // sequence_number: inherited from the manifest list
    e.WriteUnionIndex(0);  // file_sequence_number: inherited
    e.WriteInt(0);         // content: data
    e.WriteString(f.path);
    e.WriteString("PARQUET");
    for (size_t i = 0; i < spec.size(); i++) {
      WriteOptionalAvroValue(
          e, i < f.partition.size() ? f.partition[i] : Value::Null(spec[i].result_type));
    }
    e.WriteLong(f.record_count);
    e.WriteLong(f.file_size);
    WriteCounts(e, f.stats, &ColumnStats::value_count);
    WriteCounts(e, f.stats, &ColumnStats::null_count);
    bool has_doubles = false;
    for (const auto& [id, st] : f.stats) has_doubles |= st.nan_count > 0;
    if (has_doubles) {
      WriteCounts(e, f.stats, &ColumnStats::nan_count, true);
    } else {
      e.WriteUnionIndex(0);
    }
    WriteBounds(e, f.stats, false);
    WriteBounds(e, f.stats, true);
    e.WriteUnionIndex(0);  // key_metadata
    e.WriteUnionIndex(0);  // split_offsets
    e.WriteUnionIndex(0);  // equality_ids
    e.WriteUnionIndex(0);  // sort_order_id
    w.EndRecord();
  }
  return w.Finish();
}

std::string EncodeManifestList(int64_t snapshot_id, std::optional<int64_t> parent_id,
                               int64_t sequence_number,
                               const std::vector<ManifestListEntry>& manifests,
                               avro::AvroCodec codec) {
  std::map<std::string, std::string> meta = {
      {"snapshot-id", std::to_string(snapshot_id)},
      {"parent-snapshot-id", parent_id ? std::to_string(*parent_id) : "null"},
      {"sequence-number", std::to_string(sequence_number)},
      {"format-version", "2"},
  };
  avro::AvroFileWriter w(ManifestListSchema(), meta, codec);
  for (const auto& m : manifests) {
    auto& e = w.encoder();
    e.WriteString(m.path);
    e.WriteLong(m.length);
    e.WriteInt(m.spec_id);
    e.WriteInt(m.content);
    e.WriteLong(m.sequence_number);
    e.WriteLong(m.min_sequence_number);
    e.WriteLong(m.added_snapshot_id);
    e.WriteInt(m.added_files);
    e.WriteInt(m.existing_files);
    e.WriteInt(m.deleted_files);
    e.WriteLong(m.added_rows);
    e.WriteLong(m.existing_rows);
    e.WriteLong(m.deleted_rows);
    e.WriteUnionIndex(1);
    e.StartBlock(static_cast<int64_t>(m.partitions.size()));
    for (const auto& p : m.partitions) {
      e.WriteBoolean(p.contains_null);
      if (p.contains_nan) {
        e.WriteUnionIndex(1);
        e.WriteBoolean(*p.contains_nan);
      } else {
        e.WriteUnionIndex(0);  // unknown
      }
      if (p.lower) {
        e.WriteUnionIndex(1);
        e.WriteBytes(*p.lower);
      } else {
        e.WriteUnionIndex(0);
      }
      if (p.upper) {
        e.WriteUnionIndex(1);
        e.WriteBytes(*p.upper);
      } else {
        e.WriteUnionIndex(0);
      }
    }
    e.EndBlocks();
    e.WriteUnionIndex(0);  // key_metadata
    w.EndRecord();
  }
  return w.Finish();
}

std::string NextMetadataFileName(const std::string& base) {
  if (base.empty()) return "v1.metadata.json";
  std::string name = base.substr(base.find_last_of('/') + 1);
  const std::string suffix = ".metadata.json";
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    std::string stem = name.substr(0, name.size() - suffix.size());
    if (stem.size() > 1 && stem[0] == 'v' && std::all_of(stem.begin() + 1, stem.end(), ::isdigit)) {
      return "v" + std::to_string(std::stoll(stem.substr(1)) + 1) + suffix;
    }
    size_t dash = stem.find('-');
    if (dash != std::string::npos && dash > 0 &&
        std::all_of(stem.begin(), stem.begin() + static_cast<long>(dash), ::isdigit)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%05lld", std::stoll(stem.substr(0, dash)) + 1);
      return std::string(buf) + "-" + NewUuid() + suffix;
    }
  }
  return "00001-" + NewUuid() + suffix;
}

// --- the table writer ---------------------------------------------------------------------

namespace {

// Min/max/null counting over one column of a batch, in place (typed loops, no Values per row).
void UpdateStats(const Vector& v, size_t count, ColumnStats& st) {
  UnifiedView view = v.View();
  st.value_count += static_cast<int64_t>(count);
  const LogicalType& t = v.type();
  auto numeric = [&](auto tag, auto make) {
    using T = decltype(tag);
    bool have = false;
    T lo{}, hi{};
    for (size_t i = 0; i < count; i++) {
      if (!view.IsValid(i)) {
        st.null_count++;
        continue;
      }
      T x = view.Get<T>(i);
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(x)) {
          st.nan_count++;
          continue;
        }
      }
      if (!have) {
        lo = hi = x;
        have = true;
      } else {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
    }
    if (have) {
      Value vlo = make(lo), vhi = make(hi);
      if (!st.lower || vlo.Compare(*st.lower) < 0) st.lower = vlo;
      if (!st.upper || vhi.Compare(*st.upper) > 0) st.upper = vhi;
    }
  };
  switch (t.id) {
    case TypeId::kBoolean:
      numeric(uint8_t{}, [](uint8_t x) { return Value::Boolean(x != 0); });
      break;
    case TypeId::kInteger:
      numeric(int32_t{}, [](int32_t x) { return Value::Integer(x); });
      break;
    case TypeId::kDate:
      numeric(int32_t{}, [](int32_t x) { return Value::Date(x); });
      break;
    case TypeId::kBigInt:
      numeric(int64_t{}, [](int64_t x) { return Value::BigInt(x); });
      break;
    case TypeId::kTimestamp:
      numeric(int64_t{}, [](int64_t x) { return Value::Timestamp(x); });
      break;
    case TypeId::kTimestampTz:
      numeric(int64_t{}, [](int64_t x) { return Value::TimestampTz(x); });
      break;
    case TypeId::kDecimal:
      if (t.IsLongDecimal()) {
        numeric(Int128{}, [&t](Int128 x) { return Value::Decimal(x, t.precision, t.scale); });
        break;
      }
      numeric(int64_t{}, [&t](int64_t x) { return Value::Decimal(x, t.precision, t.scale); });
      break;
    case TypeId::kDouble:
      numeric(double{}, [](double x) { return Value::Double(x); });
      break;
    case TypeId::kReal:
      numeric(float{}, [](float x) { return Value::Real(x); });
      break;
    case TypeId::kTime:
      numeric(int64_t{}, [](int64_t x) { return Value::Time(x); });
      break;
    case TypeId::kVarchar: {
      std::string_view lo, hi;
      bool have = false;
      for (size_t i = 0; i < count; i++) {
        if (!view.IsValid(i)) {
          st.null_count++;
          continue;
        }
        std::string_view s = view.Get<std::string_view>(i);
        if (!have) {
          lo = hi = s;
          have = true;
        } else {
          if (s < lo) lo = s;
          if (s > hi) hi = s;
        }
      }
      // Bounds of long strings are left out (Iceberg truncates; absent bounds are always safe).
      if (have && lo.size() <= 64 && hi.size() <= 64) {
        Value vlo = Value::Varchar(std::string(lo)), vhi = Value::Varchar(std::string(hi));
        if (!st.lower || vlo.Compare(*st.lower) < 0) st.lower = vlo;
        if (!st.upper || vhi.Compare(*st.upper) > 0) st.upper = vhi;
      } else if (have) {
        st.bounds_dropped = true;
      }
      if (st.bounds_dropped) {
        st.lower.reset();
        st.upper.reset();
      }
      break;
    }
    default:
      for (size_t i = 0; i < count; i++) {
        if (!view.IsValid(i)) st.null_count++;
      }
  }
}

// What an append needs from the table's current metadata JSON.
struct BaseTable {
  std::string metadata_location;
  std::string json;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  std::optional<int64_t> current_snapshot_id;
  std::string current_manifest_list;
  int64_t total_records = 0, total_files = 0;
  int schema_id = 0;
  std::string schema_json;
  std::vector<std::pair<int, std::string>> fields;  // (field id, name) of the current schema
  std::vector<std::string> field_types;             // their Iceberg type text ("" if nested)
  int spec_id = 0;
  std::vector<ResolvedPartitionField> spec;
  bool has_name_mapping = false;
  std::vector<iceberg::IcebergField> schema_fields;  // the current schema's columns, parsed
};

// Whether two types have the same shape: equal but for ROW field names (an INSERT matches the
// table's nested columns by position, as Trino does).
bool SameShape(const LogicalType& a, const LogicalType& b) {
  if (a.id != b.id) return false;
  if (a.id == TypeId::kDecimal) return a.precision == b.precision && a.scale == b.scale;
  if (!a.IsNested()) return true;
  if (a.Children().size() != b.Children().size()) return false;
  for (size_t i = 0; i < a.Children().size(); i++) {
    if (!SameShape(a.Children()[i], b.Children()[i])) return false;
  }
  return true;
}

// The name-mapping entries of a nested type's fields (element, key, value, struct fields).
std::string NestedMapping(const iceberg::IcebergType& t) {
  std::string m = "[";
  for (size_t i = 0; i < t.fields.size(); i++) {
    const auto& f = t.fields[i];
    if (i) m += ",";
    m += "{\"field-id\":" + std::to_string(f.id) + ",\"names\":[" + JsonString(f.name) + "]";
    if (f.type.IsNested()) m += ",\"fields\":" + NestedMapping(f.type);
    m += "}";
  }
  return m + "]";
}

BaseTable ParseBase(const LoadedTable& loaded, const std::vector<ColumnInfo>& columns,
                    const std::string& table) {
  BaseTable b;
  b.metadata_location = loaded.metadata_location;
  b.json = loaded.metadata_json;
  auto fail = [&](const std::string& what) {
    return Error(ErrorKind::kIo, "iceberg: table " + table + ": metadata " +
                                     loaded.metadata_location + ": " + what);
  };
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(b.json).get(root) != simdjson::SUCCESS || !root.is_object()) {
    throw fail("not valid JSON");
  }
  int64_t version = 1;
  if (root["format-version"].get(version) != simdjson::SUCCESS || version != 2) {
    throw Error(ErrorKind::kUnsupported, "iceberg: INSERT into table " + table +
                                             ": only format v2 tables can be appended to (it is v" +
                                             std::to_string(version) + ")");
  }
  std::string_view sv;
  if (root["location"].get(sv) != simdjson::SUCCESS) throw fail("no location");
  b.location = std::string(sv);
  while (b.location.size() > 1 && b.location.back() == '/') b.location.pop_back();
  int64_t n = 0;
  if (root["last-sequence-number"].get(n) == simdjson::SUCCESS) b.last_sequence_number = n;
  if (root["last-updated-ms"].get(n) == simdjson::SUCCESS) b.last_updated_ms = n;
  if (root["current-snapshot-id"].get(n) == simdjson::SUCCESS && n != -1) {
    b.current_snapshot_id = n;
  }
  if (b.current_snapshot_id) {
    simdjson::dom::array snaps;
    if (root["snapshots"].get(snaps) == simdjson::SUCCESS) {
      for (auto snap : snaps) {
        int64_t id = 0;
        if (snap["snapshot-id"].get(id) != simdjson::SUCCESS || id != *b.current_snapshot_id) {
          continue;
        }
        if (snap["manifest-list"].get(sv) != simdjson::SUCCESS) {
          throw fail("the current snapshot lists no manifest-list");
        }
        b.current_manifest_list = std::string(sv);
        std::string_view t;
        if (snap["summary"]["total-records"].get(t) == simdjson::SUCCESS) {
          b.total_records = std::atoll(std::string(t).c_str());
        }
        if (snap["summary"]["total-data-files"].get(t) == simdjson::SUCCESS) {
          b.total_files = std::atoll(std::string(t).c_str());
        }
      }
    }
    if (b.current_manifest_list.empty()) throw fail("the current snapshot is missing");
  }
  if (root["current-schema-id"].get(n) == simdjson::SUCCESS) b.schema_id = static_cast<int>(n);
  simdjson::dom::array schemas;
  if (root["schemas"].get(schemas) != simdjson::SUCCESS) throw fail("no schemas");
  for (auto sc : schemas) {
    int64_t id = 0;
    if (sc["schema-id"].get(id) != simdjson::SUCCESS || id != b.schema_id) continue;
    b.schema_json = simdjson::to_string(sc);
    simdjson::dom::array fields;
    if (sc["fields"].get(fields) != simdjson::SUCCESS) throw fail("a schema without fields");
    for (auto f : fields) {
      int64_t fid = 0;
      std::string_view name, type;
      if (f["id"].get(fid) != simdjson::SUCCESS || f["name"].get(name) != simdjson::SUCCESS) {
        throw fail("a schema field without id or name");
      }
      b.fields.emplace_back(static_cast<int>(fid), std::string(name));
      b.field_types.push_back(f["type"].get(type) == simdjson::SUCCESS ? std::string(type) : "");
    }
  }
  if (b.schema_json.empty()) throw fail("the current schema is missing");
  try {
    b.schema_fields = iceberg::ParseTableMetadata(b.json, table).CurrentSchema().fields;
  } catch (const Error&) {
    b.schema_fields.clear();
  }
  if (columns.size() != b.fields.size()) {
    throw Error(ErrorKind::kBinder,
                "iceberg: INSERT into " + table + ": " + std::to_string(columns.size()) +
                    " columns, the table has " + std::to_string(b.fields.size()));
  }
  for (size_t i = 0; i < columns.size(); i++) {
    if (b.schema_fields.size() == columns.size() && b.schema_fields[i].type.IsNested() &&
        SameShape(iceberg::EngineType(b.schema_fields[i].type), columns[i].type)) {
      IcebergTypeName(columns[i].type);  // throws for what cannot be written
      continue;
    }
    std::string want = IcebergTypeName(columns[i].type);
    std::string have = b.field_types[i];  // "decimal(9, 2)" (pyiceberg) = "decimal(9,2)"
    have.erase(std::remove(have.begin(), have.end(), ' '), have.end());
    if (want != have) {
      throw Error(ErrorKind::kUnsupported,
                  "iceberg: INSERT into " + table + ": column " + b.fields[i].second + " is " +
                      (b.field_types[i].empty() ? "nested" : b.field_types[i]) +
                      ", which aishell cannot write (it writes " + want + ")");
    }
  }
  if (root["default-spec-id"].get(n) == simdjson::SUCCESS) b.spec_id = static_cast<int>(n);
  simdjson::dom::array specs;
  if (root["partition-specs"].get(specs) == simdjson::SUCCESS) {
    for (auto sp : specs) {
      int64_t id = 0;
      if (sp["spec-id"].get(id) != simdjson::SUCCESS || id != b.spec_id) continue;
      simdjson::dom::array fields;
      if (sp["fields"].get(fields) != simdjson::SUCCESS) continue;
      for (auto f : fields) {
        int64_t source = 0, fid = 0;
        std::string_view name, transform;
        if (f["source-id"].get(source) != simdjson::SUCCESS ||
            f["field-id"].get(fid) != simdjson::SUCCESS ||
            f["name"].get(name) != simdjson::SUCCESS ||
            f["transform"].get(transform) != simdjson::SUCCESS) {
          throw fail("a partition field without source-id, field-id, name or transform");
        }
        if (transform == "void") continue;  // dropped field: always null
        int col = -1;
        for (size_t i = 0; i < b.fields.size(); i++) {
          if (b.fields[i].first == source) col = static_cast<int>(i);
        }
        if (col < 0) throw fail("a partition field's source column is not in the schema");
        auto resolved = ResolvePartitionSpec(
            columns, {{columns[static_cast<size_t>(col)].name, std::string(transform)}});
        resolved[0].source_id = static_cast<int>(source);
        resolved[0].field_id = static_cast<int>(fid);
        resolved[0].name = std::string(name);
        b.spec.push_back(resolved[0]);
      }
    }
  }
  simdjson::dom::object props;
  if (root["properties"].get(props) == simdjson::SUCCESS) {
    std::string_view v;
    b.has_name_mapping = props["schema.name-mapping.default"].get(v) == simdjson::SUCCESS;
  }
  return b;
}

class IcebergTableWriter : public TableWriter {
 public:
  IcebergTableWriter(std::shared_ptr<IcebergCatalog> catalog, TableIdentifier id,
                     std::vector<ColumnInfo> columns, IcebergWriteOptions options)
      : catalog_(std::move(catalog)),
        id_(std::move(id)),
        columns_(std::move(columns)),
        options_(std::move(options)) {
    if (columns_.empty()) {
      throw Error(ErrorKind::kBinder, "iceberg: table " + IdToString(id_) + " needs columns");
    }
    for (const auto& c : columns_) IcebergTypeName(c.type);
    spec_ = ResolvePartitionSpec(columns_, options_.partition_by);
    if (catalog_->LoadTable(id_)) {
      throw Error(ErrorKind::kCatalog, "iceberg: table " + IdToString(id_) + " already exists");
    }
    schema_json_ = SchemaJson(columns_);
    StorageOptions storage = catalog_->storage();
    // A REST catalog stages the create first (as Iceberg's Java client does): the server picks
    // the location and the uuid, and may vend credentials for writing there.
    std::optional<StagedTable> staged;
    if (catalog_->ServerWritesMetadata()) staged = catalog_->StageCreate(id_, schema_json_);
    if (staged && !staged->location.empty()) {
      location_ = staged->location;
      if (!staged->storage.empty()) storage = staged->storage;
    } else {
      location_ = catalog_->DefaultTableLocation(id_);
    }
    if (staged) table_uuid_ = staged->table_uuid;
    while (location_.size() > 1 && location_.back() == '/') location_.pop_back();
    // Never write to an empty or relative location (it would land in the working directory or
    // the filesystem root).
    CheckWritableLocation(location_, IdToString(id_), catalog_->Describe());
    for (size_t i = 0; i < columns_.size(); i++) field_ids_.push_back(static_cast<int>(i + 1));
    fs_ = FileSystemForPath(location_, storage);
    local_ = !IsObjectStorePath(location_);
    write_id_ = NewUuid();
  }

  // INSERT INTO an existing table.
  IcebergTableWriter(std::shared_ptr<IcebergCatalog> catalog, TableIdentifier id,
                     std::vector<ColumnInfo> columns, ManifestListReader reader,
                     IcebergWriteOptions options)
      : catalog_(std::move(catalog)),
        id_(std::move(id)),
        columns_(std::move(columns)),
        options_(std::move(options)),
        reader_(std::move(reader)),
        append_(true) {
    auto loaded = catalog_->LoadTable(id_);
    if (!loaded) {
      throw Error(ErrorKind::kCatalog, "iceberg: table " + IdToString(id_) + " does not exist");
    }
    BaseTable base = ParseBase(*loaded, columns_, IdToString(id_));
    // Nested columns are written with the table's field names (the name mapping's).
    for (size_t i = 0; i < columns_.size(); i++) {
      if (columns_[i].type.IsNested()) {
        columns_[i].type = iceberg::EngineType(base.schema_fields[i].type);
        nested_mapping_[i] = NestedMapping(base.schema_fields[i].type);
      }
    }
    location_ = base.location;
    spec_ = base.spec;
    spec_id_ = base.spec_id;
    schema_json_ = base.schema_json;
    for (const auto& [fid, name] : base.fields) field_ids_.push_back(fid);
    table_storage_ = loaded->storage.empty() ? catalog_->storage() : loaded->storage;
    fs_ = FileSystemForPath(location_, table_storage_);
    local_ = !IsObjectStorePath(location_);
    write_id_ = NewUuid();
  }

  ~IcebergTableWriter() override {
    if (!committed_) {
      try {
        Abort();
      } catch (...) {
      }
    }
  }

  void Append(const Batch& batch) override {
    if (committed_ || aborted_) throw Error(ErrorKind::kInternal, "iceberg: append after commit");
    if (batch.count == 0) return;
    if (spec_.empty()) {
      Route(Key{}, {}, batch);
      return;
    }
    // Partition values per row, grouped by key (one Gather per distinct partition).
    std::vector<std::vector<int64_t>> ints(spec_.size());
    std::vector<std::vector<uint8_t>> nulls(spec_.size());
    std::vector<UnifiedView> views;
    for (size_t p = 0; p < spec_.size(); p++) {
      const auto& f = spec_[p];
      const Vector& v = batch.columns[static_cast<size_t>(f.source_column)];
      UnifiedView view = v.View();
      views.push_back(view);
      auto& out = ints[p];
      auto& nl = nulls[p];
      out.resize(batch.count);
      nl.resize(batch.count);
      TypeId src = v.type().id;
      for (size_t i = 0; i < batch.count; i++) {
        if (!view.IsValid(i)) {
          nl[i] = 1;
          out[i] = 0;
          continue;
        }
        nl[i] = 0;
        if (f.transform == "identity") {
          out[i] = 0;  // keyed below by value
          continue;
        }
        int64_t micros = 0;
        int32_t days = 0;
        if (src == TypeId::kDate) {
          days = view.Get<int32_t>(i);
          micros = static_cast<int64_t>(days) * 86400000000LL;
        } else {
          micros = view.Get<int64_t>(i);
          days = static_cast<int32_t>(FloorDiv(micros, 86400000000LL));
        }
        if (f.transform == "day") {
          out[i] = days;
        } else if (f.transform == "month") {
          out[i] = MonthOfDays(days);
        } else if (f.transform == "year") {
          out[i] = YearOfDays(days);
        } else {
          out[i] = FloorDiv(micros, 3600000000LL);
        }
      }
    }
    std::unordered_map<std::string, std::vector<uint32_t>> groups;
    std::vector<std::string> order;
    std::string key;
    for (size_t i = 0; i < batch.count; i++) {
      key.clear();
      for (size_t p = 0; p < spec_.size(); p++) {
        key.push_back(nulls[p][i] ? 'N' : 'V');
        if (nulls[p][i]) continue;
        if (spec_[p].transform == "identity") {
          // The value's bytes (no Value per row): strings length-prefixed, fixed-size types raw.
          const UnifiedView& view = views[p];
          switch (batch.columns[static_cast<size_t>(spec_[p].source_column)].type().id) {
            case TypeId::kVarchar: {
              std::string_view sv = view.Get<std::string_view>(i);
              uint64_t len = sv.size();
              key.append(reinterpret_cast<const char*>(&len), 8);
              key.append(sv.data(), sv.size());
              break;
            }
            case TypeId::kBoolean:
              key.push_back(static_cast<char>(view.Get<uint8_t>(i)));
              break;
            case TypeId::kInteger:
            case TypeId::kDate:
              key.append(reinterpret_cast<const char*>(&view.Get<int32_t>(i)), 4);
              break;
            case TypeId::kVarbinary: {
              std::string_view sv = view.Get<std::string_view>(i);
              uint64_t len = sv.size();
              key.append(reinterpret_cast<const char*>(&len), 8);
              key.append(sv.data(), sv.size());
              break;
            }
            case TypeId::kDouble:
              key.append(reinterpret_cast<const char*>(&view.Get<double>(i)), 8);
              break;
            case TypeId::kReal:
              key.append(reinterpret_cast<const char*>(&view.Get<float>(i)), 4);
              break;
            case TypeId::kUuid:
              key.append(reinterpret_cast<const char*>(view.Get<Uuid>(i).bytes), 16);
              break;
            case TypeId::kDecimal:
              if (batch.columns[static_cast<size_t>(spec_[p].source_column)]
                      .type()
                      .IsLongDecimal()) {
                key.append(reinterpret_cast<const char*>(&view.Get<Int128>(i)), 16);
                break;
              }
              key.append(reinterpret_cast<const char*>(&view.Get<int64_t>(i)), 8);
              break;
            default:  // BIGINT, TIME, TIMESTAMP(TZ)
              key.append(reinterpret_cast<const char*>(&view.Get<int64_t>(i)), 8);
          }
        } else {
          key.append(reinterpret_cast<const char*>(&ints[p][i]), 8);
        }
      }
      auto it = groups.find(key);
      if (it == groups.end()) {
        order.push_back(key);
        it = groups.emplace(key, std::vector<uint32_t>{}).first;
      }
      it->second.push_back(static_cast<uint32_t>(i));
    }
    for (const auto& k : order) {
      const auto& sel = groups[k];
      uint32_t first = sel[0];
      std::vector<Value> values;
      for (size_t p = 0; p < spec_.size(); p++) {
        const auto& f = spec_[p];
        if (nulls[p][first]) {
          values.push_back(Value::Null(f.result_type));
        } else if (f.transform == "identity") {
          values.push_back(batch.columns[static_cast<size_t>(f.source_column)].GetValue(first));
        } else if (f.transform == "day") {
          values.push_back(Value::Date(static_cast<int32_t>(ints[p][first])));
        } else {
          values.push_back(Value::Integer(static_cast<int32_t>(ints[p][first])));
        }
      }
      if (sel.size() == batch.count) {
        Route(k, values, batch);
      } else {
        Route(k, values, batch.Gather(sel.data(), sel.size()));
      }
    }
  }

  void Commit() override {
    if (committed_) return;
    if (aborted_) throw Error(ErrorKind::kInternal, "iceberg: commit after abort");
    try {
      for (auto& [key, open] : open_) CloseFile(open);
      open_.clear();
      DoCommit();
      committed_ = true;
    } catch (...) {
      Abort();
      throw;
    }
  }

  void Abort() override {
    if (committed_ || aborted_) return;
    aborted_ = true;
    for (auto& [key, open] : open_) {
      open.writer.reset();
      std::error_code ec;
      std::filesystem::remove(open.local_path, ec);
    }
    open_.clear();
    for (const auto& path : written_) {
      try {
        fs_->Delete(path);
      } catch (...) {
      }
    }
    written_.clear();
  }

 private:
  using Key = std::string;
  struct OpenFile {
    std::unique_ptr<ParquetWriter> writer;
    std::string path;        // final path (table location scheme)
    std::string local_path;  // where ParquetWriter writes
    std::vector<Value> partition;
    std::map<int, ColumnStats> stats;
    int64_t rows = 0;
  };

  void Route(const Key& key, const std::vector<Value>& partition, const Batch& batch) {
    auto it = open_.find(key);
    if (it == open_.end()) {
      OpenFile f;
      f.partition = partition;
      std::string dir = location_ + "/data";
      for (size_t p = 0; p < spec_.size(); p++) {
        dir += "/" + spec_[p].name + "=" + PartitionValueText(spec_[p], partition[p]);
      }
      char num[16];
      std::snprintf(num, sizeof num, "%05d", file_counter_++);
      f.path = dir + "/" + write_id_ + "-" + num + ".parquet";
      if (local_) {
        f.local_path = StripFileScheme(f.path);
        std::filesystem::create_directories(std::filesystem::path(f.local_path).parent_path());
      } else {
        f.local_path = (std::filesystem::temp_directory_path() /
                        ("aishell-iceberg-" + write_id_ + "-" + num + ".parquet"))
                           .string();
      }
      written_.push_back(f.path);
      ParquetWriteOptions po;
      po.codec = parquet::Codec::kZstd;
      // Field ids, as Iceberg's writers set them (the name mapping covers readers that need
      // one); not when a column is nested (its inner fields would have none).
      bool nested = false;
      for (const auto& c : columns_) nested |= c.type.IsNested();
      if (!nested) po.field_ids = field_ids_;
      f.writer = std::make_unique<ParquetWriter>(f.local_path, columns_, po);
      it = open_.emplace(key, std::move(f)).first;
    }
    OpenFile& f = it->second;
    f.writer->Append(batch);
    f.rows += static_cast<int64_t>(batch.count);
    for (size_t c = 0; c < columns_.size(); c++) {
      if (columns_[c].type.IsNested()) continue;  // metrics are for primitive fields only
      UpdateStats(batch.columns[c], batch.count, f.stats[field_ids_[c]]);
    }
    if (f.rows >= options_.target_file_rows) {
      CloseFile(f);
      open_.erase(it);
    }
  }

  void CloseFile(OpenFile& f) {
    f.writer->Finish();
    f.writer.reset();
    WrittenDataFile d;
    d.path = f.path;
    d.record_count = f.rows;
    d.partition = f.partition;
    d.stats = std::move(f.stats);
    std::error_code ec;
    d.file_size = static_cast<int64_t>(std::filesystem::file_size(f.local_path, ec));
    if (ec) throw Error(ErrorKind::kIo, "iceberg: cannot stat " + f.local_path);
    if (!local_) {
      std::string bytes;
      {
        std::FILE* in = std::fopen(f.local_path.c_str(), "rb");
        if (!in) throw Error(ErrorKind::kIo, "iceberg: cannot read " + f.local_path);
        char buf[1 << 16];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) bytes.append(buf, n);
        std::fclose(in);
      }
      auto out = fs_->OpenForWrite(f.path);
      out->Append(bytes);
      out->Close();
      std::filesystem::remove(f.local_path, ec);
    }
    files_.push_back(std::move(d));
  }

  void WriteFile(const std::string& path, const std::string& bytes) {
    written_.push_back(path);
    auto out = fs_->OpenForWrite(path);
    out->Append(bytes);
    out->Close();
  }

  std::string MetadataJson(int64_t snapshot_id, int64_t now_ms, const std::string& manifest_list,
                           int64_t total_rows) {
    std::string props = "{";
    std::map<std::string, std::string> p = options_.properties;
    p["schema.name-mapping.default"] = NameMappingJson(columns_);
    p["write.parquet.compression-codec"] = "zstd";
    p["created-by"] = "aishell";
    bool first = true;
    for (const auto& [k, v] : p) {
      if (!first) props += ",";
      first = false;
      props += JsonString(k) + ":" + JsonString(v);
    }
    props += "}";
    int last_partition_id = spec_.empty() ? 999 : spec_.back().field_id;
    std::string sid = std::to_string(snapshot_id);
    std::string j = "{";
    j += "\"format-version\":2";
    j += ",\"table-uuid\":\"" + NewUuid() + "\"";
    j += ",\"location\":" + JsonString(location_);
    j += ",\"last-sequence-number\":1";
    j += ",\"last-updated-ms\":" + std::to_string(now_ms);
    j += ",\"last-column-id\":" + std::to_string(MakeSchema(columns_).last_column_id);
    j += ",\"current-schema-id\":0";
    j += ",\"schemas\":[" + SchemaJson(columns_) + "]";
    j += ",\"default-spec-id\":0";
    j += ",\"partition-specs\":[{\"spec-id\":0,\"fields\":" + SpecFieldsJson(spec_) + "}]";
    j += ",\"last-partition-id\":" + std::to_string(last_partition_id);
    j += ",\"default-sort-order-id\":0";
    j += ",\"sort-orders\":[{\"order-id\":0,\"fields\":[]}]";
    j += ",\"properties\":" + props;
    j += ",\"current-snapshot-id\":" + sid;
    j += ",\"refs\":{\"main\":{\"snapshot-id\":" + sid + ",\"type\":\"branch\"}}";
    j += ",\"snapshots\":[" + SnapshotJson(snapshot_id, now_ms, manifest_list, total_rows) + "]";
    j += ",\"statistics\":[],\"partition-statistics\":[]";
    j += ",\"snapshot-log\":[{\"timestamp-ms\":" + std::to_string(now_ms) +
         ",\"snapshot-id\":" + sid + "}]";
    j += ",\"metadata-log\":[]";
    j += "}";
    return j;
  }

  std::string SnapshotJson(int64_t snapshot_id, int64_t now_ms, const std::string& manifest_list,
                           int64_t total_rows) {
    std::string n = std::to_string(files_.size()), r = std::to_string(total_rows);
    return "{\"sequence-number\":1,\"snapshot-id\":" + std::to_string(snapshot_id) +
           ",\"timestamp-ms\":" + std::to_string(now_ms) +
           ",\"summary\":{\"operation\":\"append\",\"added-data-files\":\"" + n +
           "\",\"added-records\":\"" + r + "\",\"total-data-files\":\"" + n +
           "\",\"total-records\":\"" + r +
           "\",\"total-delete-files\":\"0\",\"total-position-deletes\":\"0\","
           "\"total-equality-deletes\":\"0\"},\"manifest-list\":" +
           JsonString(manifest_list) + ",\"schema-id\":0}";
  }

  // The REST form of the same commit: a CommitTableRequest creating the table (requirement
  // assert-create) with its schema, spec, location, properties and the snapshot.
  std::string RestCreateRequest(int64_t snapshot_id, int64_t now_ms,
                                const std::string& manifest_list, int64_t total_rows) {
    std::string ns = "[";
    for (size_t i = 0; i < id_.ns.size(); i++) ns += (i ? "," : "") + JsonString(id_.ns[i]);
    ns += "]";
    std::string props =
        "{\"schema.name-mapping.default\":" + JsonString(NameMappingJson(columns_)) + "}";
    std::string sid = std::to_string(snapshot_id);
    std::string j =
        "{\"identifier\":{\"namespace\":" + ns + ",\"name\":" + JsonString(id_.name) + "}";
    j += ",\"requirements\":[{\"type\":\"assert-create\"}]";
    j += ",\"updates\":[";
    j += "{\"action\":\"assign-uuid\",\"uuid\":" +
         JsonString(table_uuid_.empty() ? NewUuid() : table_uuid_) + "}";
    j += ",{\"action\":\"upgrade-format-version\",\"format-version\":2}";
    j += ",{\"action\":\"add-schema\",\"schema\":" + SchemaJson(columns_) +
         ",\"last-column-id\":" + std::to_string(MakeSchema(columns_).last_column_id) + "}";
    j += ",{\"action\":\"set-current-schema\",\"schema-id\":-1}";
    j += ",{\"action\":\"add-spec\",\"spec\":{\"spec-id\":0,\"fields\":" + SpecFieldsJson(spec_) +
         "}}";
    j += ",{\"action\":\"set-default-spec\",\"spec-id\":-1}";
    j += ",{\"action\":\"add-sort-order\",\"sort-order\":{\"order-id\":0,\"fields\":[]}}";
    j += ",{\"action\":\"set-default-sort-order\",\"sort-order-id\":-1}";
    j += ",{\"action\":\"set-location\",\"location\":" + JsonString(location_) + "}";
    j += ",{\"action\":\"set-properties\",\"updates\":" + props + "}";
    j += ",{\"action\":\"add-snapshot\",\"snapshot\":" +
         SnapshotJson(snapshot_id, now_ms, manifest_list, total_rows) + "}";
    j += ",{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"type\":\"branch\",\"snapshot-"
         "id\":" +
         sid + "}";
    j += "]}";
    return j;
  }

  // Partition summaries of the new manifest's files.
  std::vector<ManifestListEntry::Summary> PartitionSummaries() const {
    std::vector<ManifestListEntry::Summary> out;
    for (size_t p = 0; p < spec_.size(); p++) {
      ManifestListEntry::Summary s;
      std::optional<Value> lo, hi;
      for (const auto& f : files_) {
        const Value& v = f.partition[p];
        if (v.is_null()) {
          s.contains_null = true;
          continue;
        }
        if (!lo || v.Compare(*lo) < 0) lo = v;
        if (!hi || v.Compare(*hi) > 0) hi = v;
      }
      if (lo) s.lower = SerializeBound(*lo);
      if (hi) s.upper = SerializeBound(*hi);
      out.push_back(std::move(s));
    }
    return out;
  }

  // The base metadata with the new snapshot appended (every other key kept as it was).
  static std::string PatchMetadata(const BaseTable& base, const std::string& snapshot_json,
                                   int64_t snapshot_id, int64_t seq, int64_t now_ms,
                                   const std::string& name_mapping) {
    simdjson::dom::parser parser;
    simdjson::dom::object root = parser.parse(base.json).get_object().value();
    std::string sid = std::to_string(snapshot_id);
    std::string j = "{";
    bool first = true;
    auto add = [&](std::string_view key, const std::string& value) {
      if (!first) j += ",";
      first = false;
      j += JsonString(std::string(key)) + ":" + value;
    };
    bool saw_refs = false, saw_log = false, saw_mlog = false, saw_snaps = false;
    for (auto [key, value] : root) {
      if (key == "last-sequence-number") {
        add(key, std::to_string(seq));
      } else if (key == "last-updated-ms") {
        add(key, std::to_string(now_ms));
      } else if (key == "current-snapshot-id") {
        add(key, sid);
      } else if (key == "snapshots" || key == "snapshot-log" || key == "metadata-log") {
        std::string arr = "[";
        bool any = false;
        simdjson::dom::array a;
        if (value.get(a) == simdjson::SUCCESS) {
          for (auto el : a) {
            arr += (any ? "," : "") + simdjson::to_string(el);
            any = true;
          }
        }
        std::string item =
            key == "snapshots" ? snapshot_json
            : key == "snapshot-log"
                ? "{\"timestamp-ms\":" + std::to_string(now_ms) + ",\"snapshot-id\":" + sid + "}"
                : "{\"timestamp-ms\":" + std::to_string(base.last_updated_ms) +
                      ",\"metadata-file\":" + JsonString(base.metadata_location) + "}";
        arr += (any ? "," : "") + item + "]";
        add(key, arr);
        saw_snaps |= key == "snapshots";
        saw_log |= key == "snapshot-log";
        saw_mlog |= key == "metadata-log";
      } else if (key == "refs") {
        saw_refs = true;
        std::string refs = "{";
        bool any = false;
        simdjson::dom::object o;
        if (value.get(o) == simdjson::SUCCESS) {
          for (auto [rk, rv] : o) {
            if (rk == "main") continue;
            refs += (any ? "," : "") + JsonString(std::string(rk)) + ":" + simdjson::to_string(rv);
            any = true;
          }
        }
        refs += std::string(any ? "," : "") + "\"main\":{\"snapshot-id\":" + sid +
                ",\"type\":\"branch\"}}";
        add(key, refs);
      } else if (key == "properties" && !base.has_name_mapping) {
        std::string props = "{";
        bool any = false;
        simdjson::dom::object o;
        if (value.get(o) == simdjson::SUCCESS) {
          for (auto [pk, pv] : o) {
            props += (any ? "," : "") + JsonString(std::string(pk)) + ":" + simdjson::to_string(pv);
            any = true;
          }
        }
        props += std::string(any ? "," : "") +
                 "\"schema.name-mapping.default\":" + JsonString(name_mapping) + "}";
        add(key, props);
      } else {
        add(key, simdjson::to_string(value));
      }
    }
    if (!saw_snaps) add("snapshots", "[" + snapshot_json + "]");
    if (!saw_refs) add("refs", "{\"main\":{\"snapshot-id\":" + sid + ",\"type\":\"branch\"}}");
    if (!saw_log) {
      add("snapshot-log",
          "[{\"timestamp-ms\":" + std::to_string(now_ms) + ",\"snapshot-id\":" + sid + "}]");
    }
    if (!saw_mlog) {
      add("metadata-log", "[{\"timestamp-ms\":" + std::to_string(base.last_updated_ms) +
                              ",\"metadata-file\":" + JsonString(base.metadata_location) + "}]");
    }
    if (!base.has_name_mapping && !root["properties"].is_object()) {
      add("properties", "{\"schema.name-mapping.default\":" + JsonString(name_mapping) + "}");
    }
    return j + "}";
  }

  void DoAppendCommit() {
    int64_t snapshot_id = NewSnapshotId();
    int64_t added_rows = 0;
    for (const auto& f : files_) added_rows += f.record_count;
    std::string manifest_path;
    int64_t manifest_length = 0;
    if (!files_.empty()) {
      manifest_path = location_ + "/metadata/" + write_id_ + "-m0.avro";
      std::string manifest = EncodeManifest(schema_json_, spec_, spec_id_, snapshot_id, files_,
                                            options_.manifest_codec);
      WriteFile(manifest_path, manifest);
      manifest_length = static_cast<int64_t>(manifest.size());
    }
    // The name mapping for the new files (added when the table has none).
    std::string mapping = "[";
    for (size_t i = 0; i < columns_.size(); i++) {
      mapping += (i ? "," : "") + std::string("{\"field-id\":") + std::to_string(field_ids_[i]) +
                 ",\"names\":[" + JsonString(columns_[i].name) + "]";
      auto nested = nested_mapping_.find(i);
      if (nested != nested_mapping_.end()) mapping += ",\"fields\":" + nested->second;
      mapping += "}";
    }
    mapping += "]";
    std::vector<std::string> stale_lists;
    for (int attempt = 1;; attempt++) {
      auto loaded = catalog_->LoadTable(id_);
      if (!loaded) {
        throw Error(ErrorKind::kCatalog,
                    "iceberg: table " + IdToString(id_) + " was dropped during the INSERT");
      }
      BaseTable base = ParseBase(*loaded, columns_, IdToString(id_));
      if (base.spec_id != spec_id_ || base.schema_json != schema_json_) {
        throw Error(ErrorKind::kConnector, "iceberg: table " + IdToString(id_) +
                                               " changed its schema or partitioning during the "
                                               "INSERT; nothing was committed");
      }
      int64_t seq = base.last_sequence_number + 1;
      std::vector<ManifestListEntry> manifests;
      if (!files_.empty()) {
        ManifestListEntry m;
        m.path = manifest_path;
        m.length = manifest_length;
        m.spec_id = spec_id_;
        m.sequence_number = seq;
        m.min_sequence_number = seq;
        m.added_snapshot_id = snapshot_id;
        m.added_files = static_cast<int>(files_.size());
        m.added_rows = added_rows;
        m.partitions = PartitionSummaries();
        manifests.push_back(std::move(m));
      }
      if (base.current_snapshot_id) {
        if (!reader_) {
          throw Error(ErrorKind::kInternal, "iceberg: INSERT without a manifest list reader");
        }
        // The loaded table's storage settings (vended credentials included), not the catalog's.
        for (auto& m : reader_(base.current_manifest_list,
                               loaded->storage.empty() ? catalog_->storage() : loaded->storage)) {
          manifests.push_back(std::move(m));
        }
      }
      std::string list_path = location_ + "/metadata/snap-" + std::to_string(snapshot_id) + "-" +
                              std::to_string(attempt) + "-" + write_id_ + ".avro";
      WriteFile(list_path, EncodeManifestList(snapshot_id, base.current_snapshot_id, seq, manifests,
                                              options_.manifest_codec));
      int64_t now_ms = std::max(NowMs(), base.last_updated_ms + 1);
      std::string n = std::to_string(files_.size()), r = std::to_string(added_rows);
      std::string snapshot =
          "{\"sequence-number\":" + std::to_string(seq) +
          ",\"snapshot-id\":" + std::to_string(snapshot_id) +
          (base.current_snapshot_id
               ? ",\"parent-snapshot-id\":" + std::to_string(*base.current_snapshot_id)
               : std::string()) +
          ",\"timestamp-ms\":" + std::to_string(now_ms) +
          ",\"summary\":{\"operation\":\"append\",\"added-data-files\":\"" + n +
          "\",\"added-records\":\"" + r + "\",\"total-data-files\":\"" +
          std::to_string(base.total_files + static_cast<int64_t>(files_.size())) +
          "\",\"total-records\":\"" + std::to_string(base.total_records + added_rows) +
          "\"},\"manifest-list\":" + JsonString(list_path) +
          ",\"schema-id\":" + std::to_string(base.schema_id) + "}";
      TableCommit commit;
      commit.id = id_;
      commit.base_metadata_location = base.metadata_location;
      commit.new_metadata_location =
          location_ + "/metadata/" + NextMetadataFileName(base.metadata_location);
      commit.new_metadata_json = PatchMetadata(base, snapshot, snapshot_id, seq, now_ms, mapping);
      std::string ns = "[";
      for (size_t i = 0; i < id_.ns.size(); i++) ns += (i ? "," : "") + JsonString(id_.ns[i]);
      ns += "]";
      commit.rest_request_json =
          "{\"identifier\":{\"namespace\":" + ns + ",\"name\":" + JsonString(id_.name) +
          "},\"requirements\":[{\"type\":\"assert-ref-snapshot-id\",\"ref\":\"main\",\"snapshot-"
          "id\":" +
          (base.current_snapshot_id ? std::to_string(*base.current_snapshot_id) : "null") +
          "}],\"updates\":[" +
          // Files without field ids need the name mapping (pyiceberg refuses them otherwise).
          (base.has_name_mapping ? std::string()
                                 : "{\"action\":\"set-properties\",\"updates\":{"
                                   "\"schema.name-mapping.default\":" +
                                       JsonString(mapping) + "}},") +
          "{\"action\":\"add-snapshot\",\"snapshot\":" + snapshot +
          "},{\"action\":\"set-snapshot-ref\",\"ref-name\":\"main\",\"type\":\"branch\","
          "\"snapshot-id\":" +
          std::to_string(snapshot_id) + "}]}";
      if (catalog_->CommitTable(commit) == CommitResult::kCommitted) {
        for (const auto& p : stale_lists) {
          try {
            fs_->Delete(p);
          } catch (...) {
          }
        }
        return;
      }
      stale_lists.push_back(list_path);
      if (attempt < options_.max_commit_attempts) CommitBackoff(attempt);
      if (attempt >= options_.max_commit_attempts) {
        throw Error(ErrorKind::kConnector, "iceberg: INSERT into " + IdToString(id_) +
                                               " failed after " + std::to_string(attempt) +
                                               " commit attempts: other writers committed first (" +
                                               catalog_->Describe() + ")");
      }
    }
  }

  // Before retrying a lost commit: exponential backoff with jitter (50 ms, 100 ms, ... up to
  // 2 s, each times 0.5-1.5), so concurrent writers stop colliding, as Iceberg's Java client does.
  static void CommitBackoff(int attempt) {
    static thread_local std::mt19937 rng(std::random_device{}());
    double base = std::min(2000.0, 50.0 * std::pow(2.0, attempt - 1));
    double ms = base * std::uniform_real_distribution<double>(0.5, 1.5)(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(ms)));
  }

  void DoCommit() {
    if (append_) {
      DoAppendCommit();
      return;
    }
    int64_t snapshot_id = NewSnapshotId();
    int64_t now_ms = NowMs();
    int64_t total_rows = 0;
    for (const auto& f : files_) total_rows += f.record_count;

    std::vector<ManifestListEntry> manifests;
    if (!files_.empty()) {
      std::string manifest_path = location_ + "/metadata/" + write_id_ + "-m0.avro";
      std::string manifest =
          EncodeManifest(schema_json_, spec_, 0, snapshot_id, files_, options_.manifest_codec);
      WriteFile(manifest_path, manifest);
      ManifestListEntry m;
      m.path = manifest_path;
      m.length = static_cast<int64_t>(manifest.size());
      m.sequence_number = 1;
      m.min_sequence_number = 1;
      m.added_snapshot_id = snapshot_id;
      m.added_files = static_cast<int>(files_.size());
      m.added_rows = total_rows;
      m.partitions = PartitionSummaries();
      manifests.push_back(std::move(m));
    }
    std::string list_path =
        location_ + "/metadata/snap-" + std::to_string(snapshot_id) + "-1-" + write_id_ + ".avro";
    WriteFile(list_path,
              EncodeManifestList(snapshot_id, std::nullopt, 1, manifests, options_.manifest_codec));

    std::string json = MetadataJson(snapshot_id, now_ms, list_path, total_rows);
    std::string rest = RestCreateRequest(snapshot_id, now_ms, list_path, total_rows);
    for (int attempt = 1;; attempt++) {
      if (catalog_->LoadTable(id_)) {
        throw Error(ErrorKind::kCatalog, "iceberg: table " + IdToString(id_) +
                                             " was created by another writer meanwhile");
      }
      TableCommit commit;
      commit.id = id_;
      commit.new_metadata_location = location_ + "/metadata/" + NextMetadataFileName("");
      commit.new_metadata_json = json;
      commit.rest_request_json = rest;
      if (catalog_->CommitTable(commit) == CommitResult::kCommitted) return;
      if (attempt < options_.max_commit_attempts) CommitBackoff(attempt);
      if (attempt >= options_.max_commit_attempts) {
        throw Error(ErrorKind::kConnector, "iceberg: commit of table " + IdToString(id_) +
                                               " failed after " + std::to_string(attempt) +
                                               " attempts: another writer committed first (" +
                                               catalog_->Describe() + ")");
      }
    }
  }

  std::shared_ptr<IcebergCatalog> catalog_;
  TableIdentifier id_;
  std::vector<ColumnInfo> columns_;
  IcebergWriteOptions options_;
  std::vector<ResolvedPartitionField> spec_;
  std::string location_;
  std::string table_uuid_;        // CREATE: the staged table's uuid (REST)
  StorageOptions table_storage_;  // INSERT: the loaded table's storage settings
  std::shared_ptr<FileSystem> fs_;
  bool local_ = true;
  std::string write_id_;
  int file_counter_ = 0;
  std::map<Key, OpenFile> open_;
  std::vector<WrittenDataFile> files_;
  std::vector<std::string> written_;  // every file written (deleted on abort)
  ManifestListReader reader_;
  bool append_ = false;
  int spec_id_ = 0;
  std::string schema_json_;
  std::vector<int> field_ids_;                    // of columns_, in order
  std::map<size_t, std::string> nested_mapping_;  // INSERT: name mapping of nested columns' fields
  bool committed_ = false;
  bool aborted_ = false;
};

}  // namespace

std::unique_ptr<TableWriter> CreateIcebergAppendWriter(std::shared_ptr<IcebergCatalog> catalog,
                                                       TableIdentifier id,
                                                       std::vector<ColumnInfo> columns,
                                                       ManifestListReader read_manifest_list,
                                                       IcebergWriteOptions options) {
  return std::make_unique<IcebergTableWriter>(std::move(catalog), std::move(id), std::move(columns),
                                              std::move(read_manifest_list), std::move(options));
}

std::unique_ptr<TableWriter> CreateIcebergTableWriter(std::shared_ptr<IcebergCatalog> catalog,
                                                      TableIdentifier id,
                                                      std::vector<ColumnInfo> columns,
                                                      IcebergWriteOptions options) {
  return std::make_unique<IcebergTableWriter>(std::move(catalog), std::move(id), std::move(columns),
                                              std::move(options));
}

}  // namespace aishell::iceberg
