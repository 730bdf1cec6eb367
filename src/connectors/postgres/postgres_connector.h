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
#include "connectors/remote_sql/sql_dialect.h"  // QuotePgString

typedef struct pg_conn PGconn;

namespace aishell {

class PgConnectionCache;

// "a\"b" -> "\"a\"\"b\"".
std::string QuotePgIdentifier(const std::string& name);
// A libpq message on one line: lines trimmed and joined with "; " (libpq puts hints such as "Is
// the server running on that host...?" on a second, tab-indented line).
std::string PgMessageOneLine(const std::string& message);
// Removes the password of `url` from a libpq message (libpq may echo connection strings).
std::string ScrubPassword(const std::string& message, const std::string& url);

// How a PostgreSQL column type maps to an engine type, and the SQL that reads it.
struct PgTypeMapping {
  LogicalType type;
  std::string cast;     // appended to the column in the remote SELECT, e.g. "::text"; may be empty
  std::string comment;  // set when the type is read as text or approximated
};
PgTypeMapping MapPgType(uint32_t type_oid, int32_t typmod, const std::string& type_name);

// Table metadata a scan needs beyond TableInfo.
struct PgTableMeta {
  std::string remote_schema;
  std::string remote_name;
  std::vector<std::string> casts;  // per column: appended to the quoted column name when read
  char relkind = 'r';
  double relpages = 0;
};

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
  std::string Summary() override;

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

}  // namespace aishell
