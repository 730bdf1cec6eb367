// The file catalog: a folder of CSV / JSON Lines files (`aishell connect file:///data --name
// local`). Schema "default" holds the folder's files, each sub-folder is a schema of its own files;
// a table is named after its file stem. Writes create <table>.csv through a temp file and an atomic
// rename.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "formats/file_format.h"

namespace aishell {

class FileConnector : public Connector {
 public:
  // The folder comes from config.url (file:///abs, file://rel, or a plain path) or
  // properties["path"]. Throws Error(kConnector) if it is not a folder.
  explicit FileConnector(const ConnectionConfig& config);

  std::string TypeName() const override { return "file"; }
  std::string DefaultSchema() const override { return "default"; }
  std::vector<std::string> ListSchemas() override;
  std::vector<std::string> ListTables(const std::string& schema) override;
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override;
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override;

  bool SupportsWrites() const override { return true; }
  std::unique_ptr<TableWriter> CreateTable(const std::string& schema, const std::string& table,
                                           const std::vector<ColumnInfo>& columns) override;
  std::unique_ptr<TableWriter> InsertInto(std::shared_ptr<const TableInfo> table) override;
  // Rewrites the table's file at Commit: its rows, with those whose key comes again replaced
  // (source_wins) or kept (target_wins), then the new ones; a temporary file renamed into place.
  bool SupportsUpsert() const override { return true; }
  std::unique_ptr<TableWriter> UpsertInto(std::shared_ptr<const TableInfo> table,
                                          const std::vector<int>& key_columns,
                                          UpsertConflict conflict) override;
  std::string Summary() override;

  const std::string& root() const { return root_; }

 private:
  // The folder of a schema, or "" if there is none.
  std::string SchemaDir(const std::string& schema);
  // (file name, table name) pairs of a folder's readable files.
  std::vector<std::pair<std::string, std::string>> TableFiles(const std::string& dir);
  std::string FindTableFile(const std::string& dir, const std::string& table);
  std::shared_ptr<FileTable> OpenCached(const std::string& path, const std::string& schema,
                                        const std::string& table);
  void Invalidate(const std::string& path);

  std::string name_;
  std::string root_;
  std::string write_format_ = "csv";
  std::mutex mutex_;
  struct CacheEntry {
    FileStamp stamp;
    std::shared_ptr<FileTable> table;
  };
  std::map<std::string, CacheEntry> cache_;  // key: path
};

// Registers the "file" connector type (scheme file://).
void RegisterFileConnector();
// Registers read_csv, read_json (and the read_csv_auto, read_json_auto, read_ndjson aliases).
void RegisterFileTableFunctions();

}  // namespace aishell
