// Iceberg table metadata (the metadata JSON, formats v1, v2 and v3), manifest lists and
// manifests (Avro), as plain structs. See the Iceberg table spec.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/types.h"
#include "common/value.h"

namespace aishell::iceberg {

enum class IcebergTypeId : uint8_t {
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kTimestampNs,
  kTimestampTzNs,
  kString,
  kUuid,
  kFixed,
  kBinary,
  kStruct,
  kList,
  kMap,
  kOther,  // variant, geometry, unknown, ...: read as text when the file allows it
};

struct IcebergField;

struct IcebergType {
  IcebergTypeId id = IcebergTypeId::kString;
  int precision = 0, scale = 0;  // decimal
  int length = 0;                // fixed
  std::string text;              // the spec's spelling ("decimal(9,2)", "struct<...>")
  // struct: its fields; list: the element (id = element-id, named "element"); map: key and
  // value (key-id, value-id).
  std::vector<IcebergField> fields;
  bool IsNested() const {
    return id == IcebergTypeId::kStruct || id == IcebergTypeId::kList || id == IcebergTypeId::kMap;
  }
};

struct IcebergField {
  int id = -1;
  std::string name;
  bool required = false;
  IcebergType type;
  std::string doc;
  std::optional<Value> initial_default;  // v3: the value of rows written before the column
};

struct IcebergSchema {
  int schema_id = 0;
  std::vector<IcebergField> fields;  // top-level columns
  std::vector<int> identifier_field_ids;
  const IcebergField* FindById(int id) const;
  const IcebergField* FindByName(const std::string& name) const;  // case-insensitive
  // Every field id in the schema (nested ones too) -> its type, for column statistics.
  std::map<int, IcebergType> all_types;
};

enum class TransformKind : uint8_t {
  kIdentity,
  kBucket,
  kTruncate,
  kYear,
  kMonth,
  kDay,
  kHour,
  kVoid,
  kUnknown
};

struct Transform {
  TransformKind kind = TransformKind::kIdentity;
  int param = 0;     // bucket count, truncate width
  std::string text;  // "bucket[16]"
};
Transform ParseTransform(const std::string& text);

struct PartitionField {
  int source_id = -1;
  int field_id = -1;
  std::string name;
  Transform transform;
};

struct PartitionSpec {
  int spec_id = 0;
  std::vector<PartitionField> fields;
};

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;           // empty for v1 tables that list manifests inline
  std::vector<std::string> manifests;  // v1 only
  std::map<std::string, std::string> summary;
  std::optional<int> schema_id;
  std::string operation() const;
};

struct SnapshotRef {
  int64_t snapshot_id = 0;
  std::string type;  // branch, tag
};

struct TableMetadata {
  int format_version = 1;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int last_column_id = 0;
  int current_schema_id = 0;
  std::vector<IcebergSchema> schemas;
  int default_spec_id = 0;
  std::vector<PartitionSpec> specs;
  int default_sort_order_id = 0;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;
  std::vector<Snapshot> snapshots;
  std::vector<std::pair<int64_t, int64_t>> snapshot_log;  // (timestamp_ms, snapshot_id)
  std::map<std::string, SnapshotRef> refs;

  const IcebergSchema& CurrentSchema() const;
  const IcebergSchema* SchemaById(int id) const;
  const PartitionSpec* SpecById(int id) const;
  const Snapshot* SnapshotById(int64_t id) const;
  const Snapshot* CurrentSnapshot() const;  // nullptr for an empty table
  // The snapshot current at `timestamp_ms` (from the snapshot log), or nullptr.
  const Snapshot* SnapshotAsOf(int64_t timestamp_ms) const;
};

// Parses metadata JSON. Throws Error(kIo, "<context>: ...") naming what is wrong.
TableMetadata ParseTableMetadata(const std::string& json, const std::string& context);

// The engine type a column of this Iceberg type reads as (list, map and struct as ARRAY, MAP
// and ROW).
LogicalType EngineType(const IcebergType& type);
// The type of a partition field's values (a transform's result type).
IcebergType TransformResultType(const Transform& transform, const IcebergType& source);

// Decodes Iceberg's single-value binary serialization (manifest bounds) as an engine value of
// EngineType(type); nullopt when the type has no usable order (nested, binary, uuid, ...).
std::optional<Value> DecodeBound(const IcebergType& type, const std::string& bytes);

// --- manifests ---

struct FieldSummary {
  bool contains_null = true;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound, upper_bound;  // binary single-value serialization
};

struct ManifestFile {
  std::string path;
  int64_t length = 0;
  int spec_id = 0;
  int content = 0;  // 0 data, 1 deletes
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int64_t added_files = 0, existing_files = 0, deleted_files = 0;
  int64_t added_rows = 0, existing_rows = 0, deleted_rows = 0;
  std::vector<FieldSummary> partitions;
};

enum class FileContent : uint8_t { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };

struct DataFile {
  FileContent content = FileContent::kData;
  std::string path;
  std::string format;  // PARQUET, AVRO, ORC
  int spec_id = 0;
  std::vector<Value> partition;  // one per spec field, as engine values (NULL when absent)
  int64_t record_count = 0;
  int64_t file_size = 0;
  std::map<int, int64_t> value_counts, null_value_counts, nan_value_counts;
  std::map<int, std::string> lower_bounds, upper_bounds;
  std::vector<int> equality_ids;
  std::vector<int64_t> split_offsets;
  std::optional<std::string> referenced_data_file;  // v3 / position deletes of one file
};

struct ManifestEntry {
  int status = 1;  // 0 existing, 1 added, 2 deleted
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;       // data sequence number (inherited when null)
  int64_t file_sequence_number = 0;  // inherited when null
  DataFile file;
};

// Decodes a manifest list (Avro bytes). Errors name `path`.
std::vector<ManifestFile> ReadManifestList(const std::string& bytes, const std::string& path);

// Decodes a manifest; `manifest` supplies inherited snapshot id and sequence numbers; `spec`
// and `schema` type the partition values (nullptr: partition values are left empty).
std::vector<ManifestEntry> ReadManifest(const std::string& bytes, const std::string& path,
                                        const ManifestFile& manifest, const PartitionSpec* spec,
                                        const IcebergSchema* schema);

}  // namespace aishell::iceberg
