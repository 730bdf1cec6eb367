// The Redis connector (its own RESP client, resp_client.h): `aishell connect
// redis://[user:password@]host:port/db`. Keys become rows of tables: declared with --property
// table.<name>=<key pattern with {placeholders}>, or inferred from a SCAN sample when none are
// declared. See src/connectors/redis/README.md.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/redis/redis_key_pattern.h"
#include "connectors/redis/redis_types.h"
#include "connectors/redis/redis_url.h"
#include "connectors/redis/resp_client.h"

namespace aishell {

class RedisPool;

class RedisConnector : public Connector {
 public:
  // Connects (AUTH, SELECT) to check the settings: Error(kConnector) naming the source otherwise.
  explicit RedisConnector(const ConnectionConfig& config);
  ~RedisConnector() override;

  std::string TypeName() const override { return "redis"; }
  std::string DefaultSchema() const override { return "default"; }
  std::vector<std::string> ListSchemas() override;
  std::vector<std::string> ListTables(const std::string& schema) override;
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override;
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override;

  bool SupportsWrites() const override { return true; }
  std::unique_ptr<TableWriter> InsertInto(std::shared_ptr<const TableInfo> table) override;
  // A write replaces each key (DEL + HSET/SET), so an upsert keyed by the key pattern's
  // placeholders is an INSERT (source_wins); target_wins and error are refused with the reason.
  bool SupportsUpsert() const override { return true; }
  std::unique_ptr<TableWriter> UpsertInto(std::shared_ptr<const TableInfo> table,
                                          const std::vector<int>& key_columns,
                                          UpsertConflict conflict) override;
  std::string Summary() override;
  // Key patterns with their key counts (SCAN MATCH; estimated past a cap), DBSIZE, and TTL facts
  // from a sample of each pattern's keys.
  SourceOverview Overview(size_t max_objects) override;

  const RedisAddress& address() const { return address_; }
  std::string Where() const;  // "redis source 'name'"

 private:
  struct Entry {
    RedisTableDef def;
    std::shared_ptr<const TableInfo> info;
  };
  // The tables: declared (table.<name>, with their format./ttl./column. options) or, when none
  // is declared, inferred from a SCAN sample (column. overrides applied by name). Once.
  void LoadDefinitions();
  std::map<std::string, RedisTableDef> DeclaredTables() const;
  void ApplyTableOptions(std::map<std::string, RedisTableDef>& defs) const;
  void ApplyInferredColumnTypes(std::map<std::string, RedisTableDef>& defs) const;
  Entry* FindEntry(const std::string& table);
  // The entry of a table given to CreateScan / InsertInto; Error(kCatalog) if there is none.
  Entry& EntryOf(const TableInfo& table);
  // The table's TableInfo, sampled on first use (redis_table_inference.h).
  std::shared_ptr<const TableInfo> Describe(Entry& entry);

  std::string name_;
  RedisAddress address_;
  std::map<std::string, std::string> properties_;
  int sample_size_ = 200;
  int lookup_batch_size_ = 1000;
  int scan_count_ = 1000;
  std::mutex mutex_;
  bool loaded_ = false;
  std::vector<Entry> entries_;
  std::shared_ptr<RedisPool> pool_;  // idle connections for data sources
};

void RegisterRedisConnector();

}  // namespace aishell
