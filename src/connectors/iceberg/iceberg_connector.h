// The Iceberg connector (`aishell connect <catalog url> --type iceberg`): namespaces are
// schemas, tables are Iceberg tables read through their metadata (snapshots, manifests, Parquet
// data files, v2 deletes), with partition / column-statistics / row-group pruning, time travel
// and the metadata tables t$snapshots, t$history, t$files, t$manifests, t$partitions.
// iceberg_scan('<table location or metadata.json>') reads a table without a catalog.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/iceberg/iceberg_catalog.h"
#include "connectors/iceberg/iceberg_metadata.h"

namespace aishell::iceberg {

// One table at one snapshot, as a scan reads it.
struct IcebergTableState {
  std::string display_name;  // "iceberg table demo.transactions"
  std::string metadata_location;
  TableMetadata metadata;
  StorageOptions storage;
  std::optional<int64_t> snapshot_id;       // nullopt: the table has no snapshot (empty)
  IcebergSchema schema;                     // the schema the scan exposes
  std::map<int, IcebergType> all_types;     // every field id of every schema
  std::map<std::string, int> name_mapping;  // lower-case name -> field id (files without ids)
  // iceberg_scan(..., allow_moved_paths => true): paths under `moved_from` (the metadata's
  // location) are read under `moved_to` (where the table is now).
  std::string moved_from, moved_to;
  std::string Resolve(const std::string& path) const;
  std::shared_ptr<TableInfo> info;
};

// Builds the state of a table from its metadata. `snapshot_id` / `as_of_ms` select a snapshot
// (time travel); both unset: the current one.
std::shared_ptr<IcebergTableState> MakeTableState(
    const std::string& display_name, const std::string& schema_name, const std::string& table_name,
    const std::string& metadata_location, const std::string& metadata_json,
    const StorageOptions& storage, std::optional<int64_t> snapshot_id,
    std::optional<int64_t> as_of_ms);

std::unique_ptr<TableScan> CreateIcebergScan(std::shared_ptr<const IcebergTableState> state);

// Metadata tables: kind is one of snapshots, history, files, manifests, partitions.
std::shared_ptr<TableInfo> MetadataTableInfo(const IcebergTableState& state,
                                             const std::string& kind,
                                             const std::string& table_name);
std::unique_ptr<TableScan> CreateMetadataTableScan(std::shared_ptr<const IcebergTableState> state,
                                                   const std::string& kind,
                                                   std::shared_ptr<const TableInfo> info);

// The current metadata file in a table's metadata/ directory (version-hint.text, else the
// highest version), or "" if there is none.
std::string FindCurrentMetadataFile(FileSystem& fs, const std::string& metadata_dir);

class IcebergConnector : public Connector {
 public:
  explicit IcebergConnector(const ConnectionConfig& config);

  std::string TypeName() const override { return "iceberg"; }
  std::string DefaultSchema() const override;
  std::vector<std::string> ListSchemas() override;
  std::vector<std::string> ListTables(const std::string& schema) override;
  // The current snapshot id of a table GetTable returned ("none" before the first snapshot).
  std::string ChangeMarker(const TableInfo& table) override;
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override;
  std::shared_ptr<const TableInfo> GetTableVersion(const std::string& schema,
                                                   const std::string& table, bool is_timestamp,
                                                   const Value& version) override;
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override;
  std::string Summary() override;

  // CREATE TABLE AS (unpartitioned, the namespace created if missing) and INSERT INTO through
  // the Iceberg writer (iceberg_writer.h). The next GetTable sees the new snapshot.
  bool SupportsWrites() const override { return true; }
  std::unique_ptr<TableWriter> CreateTable(const std::string& schema, const std::string& table,
                                           const std::vector<ColumnInfo>& columns) override;
  std::unique_ptr<TableWriter> InsertInto(std::shared_ptr<const TableInfo> table) override;
  // aishell sync into an existing table (iceberg_upsert.cpp): append-only. At Commit the table's
  // rows are read once; an incoming row whose key is new is appended (one INSERT snapshot), one
  // equal to the table's row is skipped (a rerun after a crash adds nothing), one whose key the
  // table holds with other values is dropped (target_wins), fails the write naming the key
  // (error), or, for source_wins, fails with the reason: replacing it needs a copy-on-write
  // rewrite of its data files, which this writer does not do.
  bool SupportsUpsert() const override { return true; }
  std::unique_ptr<TableWriter> UpsertInto(std::shared_ptr<const TableInfo> table,
                                          const std::vector<int>& key_columns,
                                          UpsertConflict conflict) override;
  // Trino's WITH (partitioning = ARRAY['day(ts)', 'region'], format = 'PARQUET').
  void CheckTableProperties(const std::vector<ColumnInfo>& columns,
                            const std::vector<TableProperty>& properties) override;
  std::unique_ptr<TableWriter> CreateTableWithProperties(
      const std::string& schema, const std::string& table, const std::vector<ColumnInfo>& columns,
      const std::vector<TableProperty>& properties) override;

  IcebergCatalog& catalog();

 private:
  std::shared_ptr<const TableInfo> Load(const std::string& schema, const std::string& table,
                                        std::optional<int64_t> snapshot_id,
                                        std::optional<int64_t> as_of_ms,
                                        const std::string& ref = "");

  ConnectionConfig config_;
  std::mutex mutex_;
  std::shared_ptr<IcebergCatalog> catalog_;
  struct Entry {
    std::weak_ptr<const TableInfo> info;
    std::shared_ptr<IcebergTableState> state;
    std::string metadata_kind;  // "" for the table itself, else the metadata table kind
  };
  std::map<const TableInfo*, Entry> tables_;
};

void RegisterIcebergConnector();

}  // namespace aishell::iceberg
