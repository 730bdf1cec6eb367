// The SQLite connector (Debian libsqlite3): `aishell connect sqlite:///abs/path.db --name app`.
// Schema "main" (or properties["schema"]); tables and views from sqlite_master; filters, limit and
// order are pushed into the SQL sent to SQLite with every literal bound as a parameter.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/sqlite/sqlite_client.h"  // QuoteSqliteIdentifier
#include "connectors/sqlite/sqlite_types.h"   // SqliteDeclaredType

struct sqlite3;

namespace aishell {

class SqliteConnector : public Connector {
 public:
  // Opens the database file without creating it: Error(kConnector) if it is missing.
  explicit SqliteConnector(const ConnectionConfig& config);
  ~SqliteConnector() override;

  std::string TypeName() const override { return "sqlite"; }
  std::string DefaultSchema() const override { return schema_; }
  std::vector<std::string> ListSchemas() override;
  std::vector<std::string> ListTables(const std::string& schema) override;
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override;
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override;

  bool SupportsWrites() const override { return true; }
  std::unique_ptr<TableWriter> CreateTable(const std::string& schema, const std::string& table,
                                           const std::vector<ColumnInfo>& columns) override;
  std::unique_ptr<TableWriter> InsertInto(std::shared_ptr<const TableInfo> table) override;
  bool SupportsUpsert() const override { return true; }
  std::unique_ptr<TableWriter> UpsertInto(std::shared_ptr<const TableInfo> table,
                                          const std::vector<int>& key_columns,
                                          UpsertConflict conflict) override;
  void DropTable(std::shared_ptr<const TableInfo> table) override;
  std::string Summary() override;

  const std::string& path() const { return path_; }

 private:
  bool IsOurSchema(const std::string& schema) const;
  std::string Where() const;  // "sqlite source 'name'"

  std::string name_;
  std::string path_;
  std::string schema_ = "main";
  bool read_only_ = false;
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::map<std::string, std::pair<std::string, double>>
      row_counts_;  // table -> (file stamp, count(*))
};

void RegisterSqliteConnector();

}  // namespace aishell
