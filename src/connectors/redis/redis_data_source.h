// The Redis data source: streams the rows of one scan or one batch of key lookups. Keys come from
// SCAN (or are given), values from pipelined commands (HGETALL, MGET, ZRANGE, ...), and every key
// becomes one row (hash, JSON, string) or one row per element (zset, list, set, stream, hash
// entries).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "catalog/connector.h"
#include "connectors/redis/redis_key_selection.h"
#include "connectors/redis/redis_key_set.h"
#include "connectors/redis/redis_pool.h"
#include "connectors/redis/redis_types.h"
#include "connectors/redis/resp_client.h"

namespace aishell {

// Everything a data source needs, copied from the scan.
struct RedisScanSpec {
  std::string where;
  std::shared_ptr<RedisPool> pool;
  std::shared_ptr<const TableInfo> table;
  RedisTableDef def;
  std::vector<int> projection;
  RedisKeySelection selection;  // the pushed filters
  int64_t limit = -1;
  int scan_count = 1000;
  int batch_keys = 1000;
};

// Streams rows for a key plan: SCAN (or the given keys), pipelined value fetches, rows per key.
// Replies are decoded in place: every string is a view into the connection's read buffer, which
// is reused from chunk to chunk (no allocation per reply or per key).
class RedisDataSource : public DataSource {
 public:
  // `skipped` counts the keys that expired or hold another type than the table's.
  RedisDataSource(std::shared_ptr<const RedisScanSpec> spec, RedisKeyPlan plan,
                  ScanCounters* counters, std::atomic<int64_t>* skipped);
  ~RedisDataSource() override;

  bool Next(Batch& out) override;

 private:
  struct KeyRow {
    std::string_view key;  // into seen_ (SCAN) or plan_.keys (lookups): stable
    RespView value;        // the value reply, or the MGET element (valid until the next chunk)
    int64_t ttl = -1;
  };

  bool FetchChunk();
  bool CollectKeys(std::vector<KeyRow>* rows);
  void AddKey(std::vector<KeyRow>* rows, std::string_view k);
  void SendChunk(const std::vector<KeyRow>& rows);
  void ReceiveChunk();
  static bool Usable(const RespView& r);
  void Emit(Batch& batch, size_t* rows);
  void EmitKeyRow(Batch& batch, size_t* rows, const KeyRow& row);
  bool HashFields(const RespView& r);
  bool JsonFields(const KeyRow& row);
  void EmitElementRows(Batch& batch, size_t* rows, const KeyRow& row);
  void Skip();
  void EmitRow(Batch& batch, size_t* rows, const KeyRow& row);
  void Store(Vector& v, size_t r, const ColumnInfo& col, std::string_view text,
             std::string_view key);

  std::shared_ptr<const RedisScanSpec> spec_;
  RedisKeyPlan plan_;
  ScanCounters* counters_;
  std::atomic<int64_t>* skipped_;
  std::unique_ptr<RespConnection> conn_;
  std::vector<LogicalType> types_;
  int key_column_ = -1, ttl_column_ = -1;
  bool want_ttl_ = false;
  std::string count_text_;
  std::unordered_map<std::string_view, int> value_index_;  // views into the table's column names
  std::vector<int> field_cache_;  // hash field position -> column, from the previous key
  std::vector<std::optional<std::string_view>> fields_;
  std::vector<std::string_view> parts_;  // placeholder values of the current key
  std::vector<std::string_view> args_;   // MGET arguments
  std::vector<std::pair<std::string, std::optional<std::string>>> members_;
  simdjson::dom::parser parser_;

  std::vector<KeyRow> chunk_;
  size_t pos_ = 0;
  size_t elem_ = 0;
  RespView elem_view_;  // element elem_ of a multi-row value
  size_t next_key_ = 0;
  std::string cursor_ = "0";
  RespView next_scan_;  // the reply to a SCAN sent ahead at the head of a pipeline
  bool have_next_scan_ = false;
  bool scan_finished_ = false;
  std::vector<KeyRow> next_rows_;  // the keys whose pipeline was sent last
  int inflight_ = 0;               // pipelines sent whose replies are not all read
  bool next_has_scan_ = false;     // the pipeline sent last starts with a SCAN
  RedisKeySet seen_;
  int64_t emitted_ = 0;
  bool done_ = false;
};

}  // namespace aishell
