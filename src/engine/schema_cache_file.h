// The schema cache (catalog/schema_cache.h) kept in $AISHELL_HOME/schema_cache.json: the columns
// of every table a query read, per connection, so that a query can be planned while a source is
// down (federation.on_source_failure = continue). Written atomically, only when a description
// changed; a missing or unreadable file is an empty cache.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "catalog/schema_cache.h"

namespace aishell {

class FileSchemaCache : public SchemaCache {
 public:
  explicit FileSchemaCache(std::string path) : path_(std::move(path)) {}

  void Remember(const std::string& catalog, const std::string& connector_type,
                const std::string& default_schema, const TableInfo& table) override;
  std::shared_ptr<const TableInfo> Recall(const std::string& catalog, const std::string& schema,
                                          const std::string& table) const override;
  std::string ConnectorType(const std::string& catalog) const override;

 private:
  struct CatalogEntry {
    std::string type;
    std::string default_schema;
    std::map<std::string, std::shared_ptr<const TableInfo>> tables;  // key: "schema.table", lower
  };
  void LoadLocked() const;
  void SaveLocked() const;

  std::string path_;
  mutable std::mutex mutex_;
  mutable bool loaded_ = false;
  mutable std::map<std::string, CatalogEntry> catalogs_;  // key: lower-case catalog name
};

}  // namespace aishell
