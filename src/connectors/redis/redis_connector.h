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
#include "connectors/redis/resp_client.h"

namespace aishell {

class RedisPool;

// How the value of each key becomes rows.
// kHashEntries (only by format.<t>=hash_entries): one row per hash field, for hashes whose field
// names are data (cart:{user_id} -> sku: qty).
enum class RedisShape { kHash, kJson, kString, kZset, kList, kSet, kStream, kHashEntries };

const char* RedisShapeName(RedisShape shape);

// A key pattern such as "session:{session_id}": literal text around named placeholders.
struct RedisKeyPattern {
  std::vector<std::string> literals;      // placeholders.size() + 1 pieces
  std::vector<std::string> placeholders;  // names, in order

  // Throws Error(kConnector) naming `where` if the pattern is malformed.
  static RedisKeyPattern Parse(const std::string& pattern, const std::string& where);
  std::string ToString() const;
  // The SCAN MATCH glob: literals escaped, placeholder i replaced by parts[i] (a glob), or "*".
  std::string Glob(const std::vector<std::string>& parts = {}) const;
  // Splits a key into placeholder values; false if the key does not fit. A placeholder value is
  // non-empty and holds no ':'.
  bool Match(std::string_view key, std::vector<std::string_view>* values) const;
  std::string Compose(const std::vector<std::string>& values) const;
};

// Escapes the glob specials (*?[]\) of a literal for SCAN MATCH.
std::string RedisGlobEscape(std::string_view literal);
// A LIKE pattern as a glob (% -> *, _ -> ?), or "" if it cannot be expressed.
std::string RedisLikeToGlob(const std::string& like, char escape);

// Connection settings (struct RedisAddress in resp_client.h) from a redis:// or rediss:// URL.
RedisAddress ParseRedisUrl(const std::string& url, const std::string& where);

struct RedisTableDef {
  std::string name;
  RedisKeyPattern pattern;
  std::string pattern_text;
  bool declared = false;
  bool shape_forced = false;
  RedisShape shape = RedisShape::kHash;
  int64_t ttl_seconds = -1;                         // ttl.<table>, for writes
  std::map<std::string, LogicalType> column_types;  // column.<table>.<col> (lower-case names)
};

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
  std::string Summary() override;

  const RedisAddress& address() const { return address_; }
  std::string Where() const;  // "redis source 'name'"

 private:
  struct Entry {
    RedisTableDef def;
    std::shared_ptr<const TableInfo> info;
  };
  void LoadDefinitions();
  Entry* FindEntry(const std::string& table);
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
