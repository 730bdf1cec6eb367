// The Avro object container reader (src/formats/avro/avro_reader.h) and the Iceberg manifest
// decoders on top of it (ReadManifestList, ReadManifest, DecodeBound): the input is one Avro file.
// It is read record by record, then as a manifest list, then as a manifest of a table whose schema
// has every primitive type and whose partition spec has every transform, with every column bound
// decoded. Malformed files must throw Error(kIo) naming the file, never crash or hang.
#include <memory>
#include <string>

#include "connectors/iceberg/iceberg_metadata.h"
#include "formats/avro/avro_reader.h"
#include "fuzz_util.h"

namespace {

using namespace aishell::iceberg;

// Every primitive type, and a partition spec with every transform.
const char* const kMetadata = R"json({"format-version": 2,
 "table-uuid": "a3a12b53-c9a9-4a71-8ea8-a322da24fa7f", "location": "file:///t",
 "last-sequence-number": 2, "last-updated-ms": 1, "last-column-id": 17, "current-schema-id": 0,
 "schemas": [{"type": "struct", "schema-id": 0, "fields": [
  {"id": 1, "name": "id", "type": "long", "required": true},
  {"id": 2, "name": "b", "type": "boolean", "required": false},
  {"id": 3, "name": "i", "type": "int", "required": false},
  {"id": 4, "name": "l", "type": "long", "required": false},
  {"id": 5, "name": "f", "type": "float", "required": false},
  {"id": 6, "name": "d", "type": "double", "required": false},
  {"id": 7, "name": "dec", "type": "decimal(9, 2)", "required": false},
  {"id": 8, "name": "dec38", "type": "decimal(38, 10)", "required": false},
  {"id": 9, "name": "dt", "type": "date", "required": false},
  {"id": 10, "name": "tm", "type": "time", "required": false},
  {"id": 11, "name": "ts", "type": "timestamp", "required": false},
  {"id": 12, "name": "tstz", "type": "timestamptz", "required": false},
  {"id": 13, "name": "s", "type": "string", "required": false},
  {"id": 14, "name": "u", "type": "uuid", "required": false},
  {"id": 15, "name": "fx", "type": "fixed[4]", "required": false},
  {"id": 16, "name": "bin", "type": "binary", "required": false},
  {"id": 17, "name": "tsns", "type": "timestamp_ns", "required": false}]
}],
 "default-spec-id": 0, "last-partition-id": 1008,
 "partition-specs": [{"spec-id": 0, "fields": [
  {"source-id": 3, "field-id": 1000, "name": "i", "transform": "identity"},
  {"source-id": 13, "field-id": 1001, "name": "s_bucket", "transform": "bucket[16]"},
  {"source-id": 13, "field-id": 1002, "name": "s_trunc", "transform": "truncate[4]"},
  {"source-id": 11, "field-id": 1003, "name": "ts_day", "transform": "day"},
  {"source-id": 9, "field-id": 1004, "name": "dt_month", "transform": "month"},
  {"source-id": 12, "field-id": 1005, "name": "tstz_year", "transform": "year"},
  {"source-id": 11, "field-id": 1006, "name": "ts_hour", "transform": "hour"},
  {"source-id": 7, "field-id": 1007, "name": "dec_trunc", "transform": "truncate[10]"},
  {"source-id": 4, "field-id": 1008, "name": "l_void", "transform": "void"}]}],
 "default-sort-order-id": 0, "properties": {}, "snapshots": []})json";

const TableMetadata& Table() {
  static const TableMetadata kTable = ParseTableMetadata(kMetadata, "fuzz table");
  return kTable;
}

void DecodeBounds(const std::map<int, std::string>& bounds, const IcebergSchema& schema) {
  for (const auto& [id, bytes] : bounds) {
    auto type = schema.all_types.find(id);
    if (type == schema.all_types.end()) continue;
    try {
      auto v = DecodeBound(type->second, bytes);
      if (v) (void)v->ToString();
    } catch (const aishell::Error& e) {
      aishell::fuzz::CheckError(e);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(aishell::fuzz::AsText(data, size));
  const std::string path = "fuzz/metadata/snap-1-m0.avro";
  try {
    aishell::avro::AvroFileReader reader(bytes, path);
    aishell::avro::AvroValue record;
    size_t text = 0;
    while (reader.Next(&record)) {
      if (text < (1u << 16)) text += record.ToString().size();
      (void)record.Find("data_file");
      (void)record.AsInt(-1);
    }
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
  try {
    for (const auto& m : ReadManifestList(bytes, path)) (void)m.path.size();
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
  try {
    const TableMetadata& table = Table();
    ManifestFile manifest;
    manifest.path = path;
    manifest.sequence_number = 2;
    manifest.added_snapshot_id = 7;
    const IcebergSchema& schema = table.CurrentSchema();
    for (const auto& entry : ReadManifest(bytes, path, manifest, table.SpecById(0), &schema)) {
      DecodeBounds(entry.file.lower_bounds, schema);
      DecodeBounds(entry.file.upper_bounds, schema);
      for (const auto& v : entry.file.partition) (void)v.ToString();
    }
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
  return 0;
}
