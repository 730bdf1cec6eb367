// The PostgreSQL connector (Debian libpq): `aishell connect postgres://user:pw@host:5432/db --name
// pg`. The catalog is the database; schemas from pg_namespace; tables, views and materialized views
// from pg_class. Reads stream through `COPY (SELECT ...) TO STDOUT (FORMAT binary)` decoded
// straight into vectors; filters, limits and ORDER BY + LIMIT are pushed into that SELECT with
// every literal and identifier escaped. Writes go through COPY FROM STDIN in one transaction.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "common/secrets.h"                       // ScrubPassword
#include "connectors/postgres/postgres_client.h"  // QuotePgIdentifier, PgMessageOneLine
#include "connectors/postgres/postgres_types.h"   // MapPgType, PgTableMeta
#include "connectors/remote_sql/sql_dialect.h"    // QuotePgString

typedef struct pg_conn PGconn;

namespace aishell {

class PgConnectionCache;

class PostgresConnector : public Connector {
 public:
  // Connects once to check the URL and credentials: Error(kConnector) naming the source otherwise.
  explicit PostgresConnector(const ConnectionConfig& config);
  ~PostgresConnector() override;

  std::string TypeName() const override { return "postgres"; }
  std::string DefaultSchema() const override { return "public"; }
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
  SourceOverview Overview(size_t max_objects) override;
  std::optional<bool> HasIndex(const TableInfo& table,
                               const std::vector<std::string>& columns) override;
  std::string CreateIndexStatement(const TableInfo& table,
                                   const std::vector<std::string>& columns) const override;

  std::string Where() const;  // "postgres source 'name'"
  const std::string& url() const { return url_; }

 private:
  std::shared_ptr<const PgTableMeta> Meta(const TableInfo& table);

  std::string name_;
  std::string url_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const PgTableMeta>> metas_;
  PGconn* conn_ = nullptr;
  // Idle connections kept between this source's scans (see connection_cache.h).
  std::shared_ptr<PgConnectionCache> cache_;
};

void RegisterPostgresConnector();
// aishell search's PostgreSQL text search (postgres_full_text.cpp, catalog/full_text.h).
void RegisterPostgresFullText();

}  // namespace aishell
