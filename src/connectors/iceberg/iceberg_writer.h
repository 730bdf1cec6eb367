// Iceberg writes: CREATE TABLE AS into a new table (format v2), partitioned (identity, year,
// month, day, hour) or not.
//
// A write produces, under the table location:
//   data/[<partition path>/]<uuid>-<n>.parquet   Parquet data files (formats/parquet writer)
//   metadata/<uuid>-m0.avro                      a manifest (Avro, the spec's v2 manifest schema:
//                                                partition struct with field ids, column stats)
//   metadata/snap-<snapshot id>-1-<uuid>.avro    the manifest list
//   metadata/v1.metadata.json                    the table metadata with the new snapshot
// and commits it through IcebergCatalog::CommitTable (filesystem: WriteIfAbsent of the new
// metadata file; SQL: compare-and-swap of the pointer; REST: TableCommit::rest_request_json, a
// CommitTableRequest with assert-create and the schema/spec/snapshot updates). On kConflict the
// commit is retried
// (bounded); when it still fails, or on Abort, every file written is deleted: nothing is
// half-committed.
//
// The data files carry Parquet field ids on their top-level columns (none when a column is
// nested), and the table also gets `schema.name-mapping.default` mapping every field id to its
// column name (on create, and on the first INSERT into a table without one, REST included
// through set-properties), as Iceberg specifies for files without ids.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/iceberg/iceberg_catalog.h"
#include "formats/avro/avro_writer.h"

namespace aishell::iceberg {

// One partition field of a new table: `transform` of column `column`.
// transform: identity, year, month, day, hour.
struct PartitionRequest {
  std::string column;
  std::string transform = "identity";
};

struct IcebergWriteOptions {
  std::vector<PartitionRequest> partition_by;
  std::map<std::string, std::string> properties;  // table properties to add
  int max_commit_attempts = 5;  // the first and 4 retries (Iceberg's commit.retry.num-retries)
  int64_t target_file_rows = 4 * 1024 * 1024;  // a data file is closed after this many rows
  avro::AvroCodec manifest_codec = avro::AvroCodec::kDeflate;
};

// The Iceberg type name of an engine type ("long", "decimal(9,2)", ...). Throws
// Error(kUnsupported) for types Iceberg tables written here cannot hold (INTERVAL).
std::string IcebergTypeName(const LogicalType& type);

// Iceberg's single-value binary serialization of a non-null value (manifest bounds): little-
// endian ints/longs/floats/doubles, days/micros for dates/timestamps, UTF-8 for strings, the
// minimal big-endian two's complement unscaled value for decimals.
std::string SerializeBound(const Value& value);

// Statistics of one column of one data file.
struct ColumnStats {
  int64_t value_count = 0;
  int64_t null_count = 0;
  int64_t nan_count = 0;
  std::optional<Value> lower, upper;
  bool bounds_dropped = false;  // a value too long for bounds was seen: none are written
};

// A data file written by this writer, as its manifest entry describes it.
struct WrittenDataFile {
  std::string path;
  int64_t record_count = 0;
  int64_t file_size = 0;
  std::vector<Value> partition;      // one per partition field (NULL allowed)
  std::map<int, ColumnStats> stats;  // by field id
};

// The partition spec of a new table, resolved against its columns.
struct ResolvedPartitionField {
  int source_column = -1;  // index into the columns
  int source_id = -1;      // field id (column index + 1)
  int field_id = 1000;
  std::string name;       // "<column>" for identity, "<column>_<transform>" otherwise
  std::string transform;  // identity, year, month, day, hour
  LogicalType result_type;
};
std::vector<ResolvedPartitionField> ResolvePartitionSpec(const std::vector<ColumnInfo>& columns,
                                                         const std::vector<PartitionRequest>& req);

// The manifest (Avro bytes) listing `files` as ADDED by `snapshot_id` (format v2).
// `schema_json` is the table schema (Iceberg JSON) stored in its header.
std::string EncodeManifest(const std::string& schema_json,
                           const std::vector<ResolvedPartitionField>& spec, int spec_id,
                           int64_t snapshot_id, const std::vector<WrittenDataFile>& files,
                           avro::AvroCodec codec);

// One entry of a manifest list.
struct ManifestListEntry {
  std::string path;
  int64_t length = 0;
  int spec_id = 0;
  int content = 0;  // 0 data, 1 deletes
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int added_files = 0, existing_files = 0, deleted_files = 0;
  int64_t added_rows = 0, existing_rows = 0, deleted_rows = 0;
  // Per partition field: contains_null, contains_nan (unknown when unset), lower, upper (binary
  // serialization). Entries copied from a parent snapshot keep what its writer recorded.
  struct Summary {
    bool contains_null = false;
    std::optional<bool> contains_nan;
    std::optional<std::string> lower, upper;
  };
  std::vector<Summary> partitions;
};
std::string EncodeManifestList(int64_t snapshot_id, std::optional<int64_t> parent_id,
                               int64_t sequence_number,
                               const std::vector<ManifestListEntry>& manifests,
                               avro::AvroCodec codec);

// CREATE TABLE AS: a TableWriter that writes a new table `id` of `catalog` with `columns`.
// Throws Error(kCatalog) if the table exists, Error(kUnsupported) for a column type or
// transform that cannot be written, Error(kBinder) for a partition column that is not a
// column. Commit() makes the table visible at once; Abort() (or destruction without Commit)
// deletes the files written.
std::unique_ptr<TableWriter> CreateIcebergTableWriter(std::shared_ptr<IcebergCatalog> catalog,
                                                      TableIdentifier id,
                                                      std::vector<ColumnInfo> columns,
                                                      IcebergWriteOptions options = {});

// Reads a table's manifest list (the read path's decoder), for appends that keep the parent
// snapshot's manifests.
using ManifestListReader = std::function<std::vector<ManifestListEntry>(
    const std::string& manifest_list_path, const StorageOptions& storage)>;

// INSERT INTO: a TableWriter appending a snapshot to the existing table `id` (format v2, a
// partition spec of identity/year/month/day/hour fields). `columns` are the table's current
// schema columns in order, with the engine types the read path maps them to; a column whose
// Iceberg type the writer cannot produce exactly (float, time, uuid, binary, nested) is an
// Error(kUnsupported) naming it. On a lost commit the writer reloads the table, re-reads its
// manifest list and retries (bounded).
std::unique_ptr<TableWriter> CreateIcebergAppendWriter(std::shared_ptr<IcebergCatalog> catalog,
                                                       TableIdentifier id,
                                                       std::vector<ColumnInfo> columns,
                                                       ManifestListReader read_manifest_list,
                                                       IcebergWriteOptions options = {});

// The name of the metadata file that follows `base` ("" for a new table): v1.metadata.json,
// vN+1 after vN, and NNNNN-<uuid> (the Java/pyiceberg naming) after such a file.
std::string NextMetadataFileName(const std::string& base_metadata_location);

}  // namespace aishell::iceberg
