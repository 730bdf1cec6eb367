// The catalogs a session can see: connected sources (created lazily from their configs),
// views, and table functions such as read_csv().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "catalog/schema_cache.h"

namespace aishell {

// Creates connectors by type ("file", "sqlite", ...). Connectors register themselves at startup
// via RegisterBuiltinConnectors() (connectors/register_connectors.cpp).
class ConnectorFactory {
 public:
  using Create = std::function<std::shared_ptr<Connector>(const ConnectionConfig&)>;
  static void Register(const std::string& type, const std::vector<std::string>& url_schemes,
                       Create create);
  // The connector type a URL implies ("postgres://..." -> "postgres"), or "" if none.
  static std::string TypeForUrl(const std::string& url);
  static std::shared_ptr<Connector> Make(const ConnectionConfig& config);
  static std::vector<std::string> Types();
};

struct BoundTableFunction {
  std::string source_name;  // for progress and "data sources" lines, e.g. "read_csv"
  std::shared_ptr<const TableInfo> table;
  std::shared_ptr<TableScan> scan;
};

// A table function: positional and named arguments (constants) -> a table and its scan.
using TableFunction = std::function<BoundTableFunction(
    const std::vector<Value>& args, const std::map<std::string, Value>& named_args)>;

class TableFunctionRegistry {
 public:
  static void Register(const std::string& name, TableFunction function);
  static const TableFunction* Find(const std::string& name);  // case-insensitive
  static std::vector<std::string> Names();
};

struct ViewDefinition {
  std::string name;  // as written in CREATE VIEW (may be qualified)
  std::string sql;   // the SELECT text
};

// A local Parquet copy of a source's table (aishell sync --cache): queries read it in the table's
// place until it expires.
struct CachedTableEntry {
  std::string catalog;
  std::string schema;
  std::string table;
  std::string path;         // the Parquet file
  int64_t created_at = 0;   // unix seconds
  int64_t ttl_seconds = 0;  // expires at created_at + ttl_seconds
};

class CatalogRegistry {
 public:
  // Registers a source; the connector is created on first use.
  void AddCatalog(const ConnectionConfig& config);
  // Registers an already created connector.
  void AddCatalog(const std::string& name, std::shared_ptr<Connector> connector);
  void RemoveCatalog(const std::string& name);
  bool HasCatalog(const std::string& name) const;  // case-insensitive
  // Creates the connector if needed; throws Error(kCatalog) with a suggestion if unknown.
  std::shared_ptr<Connector> GetCatalog(const std::string& name);
  const ConnectionConfig* GetConfig(const std::string& name) const;
  std::vector<std::string> CatalogNames() const;

  std::string default_catalog;  // may be empty
  std::string default_schema;   // may be empty: the connector's DefaultSchema()
  // Last-known table descriptions (federation.on_source_failure = continue); may be null.
  std::shared_ptr<SchemaCache> schema_cache;

  void PutView(const ViewDefinition& view);  // replaces
  bool DropView(const std::string& name);
  const ViewDefinition* FindView(const std::string& name) const;  // case-insensitive
  std::vector<ViewDefinition> Views() const;

  void PutCachedTable(const CachedTableEntry& entry);  // replaces
  void RemoveCachedTable(const std::string& catalog, const std::string& schema,
                         const std::string& table);
  // The copy of catalog.schema.table that has not expired at `now` (unix seconds), if any.
  std::optional<CachedTableEntry> FindCachedTable(const std::string& catalog,
                                                  const std::string& schema,
                                                  const std::string& table, int64_t now) const;

 private:
  mutable std::mutex mutex_;
  struct Entry {
    ConnectionConfig config;
    std::shared_ptr<Connector> connector;
  };
  std::map<std::string, Entry> catalogs_;                  // key: lower-case name
  std::map<std::string, ViewDefinition> views_;            // key: lower-case name
  std::map<std::string, CachedTableEntry> cached_tables_;  // key: lower-case catalog.schema.table
};

// Registers every built-in connector type and table function once (idempotent).
void RegisterBuiltinConnectors();

// The nearest of `candidates` to `name` by edit distance, or "" if none is close.
std::string SuggestName(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace aishell
