// INSERT INTO a declared Redis table (hashes or JSON strings): rows are buffered and written at
// Commit in pipelined MULTI/EXEC batches (DEL + HSET or SET, then EXPIRE).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/redis/redis_types.h"
#include "connectors/redis/resp_client.h"

namespace aishell {

// Buffers rows; Commit writes them in MULTI/EXEC batches (DEL + HSET or SET, then EXPIRE).
class RedisTableWriter : public TableWriter {
 public:
  RedisTableWriter(std::string where, RedisAddress address, std::shared_ptr<const TableInfo> table,
                   RedisTableDef def)
      : where_(std::move(where)),
        address_(std::move(address)),
        table_(std::move(table)),
        def_(std::move(def)) {}

  void Append(const Batch& batch) override;
  void Commit() override;
  void Abort() override;

 private:
  using Command = std::vector<std::string>;
  // "redis source 'x': insert into 't' row N: " for errors about the current row.
  std::string RowError() const;
  // The key of row r: its _key (which must fit the pattern) or composed from its placeholders.
  std::string RowKey(const Batch& batch, size_t r) const;
  // SET key <the value columns as a JSON object>.
  Command JsonSet(const Batch& batch, size_t r, const std::string& key) const;
  // HSET key <field value>... (NULL fields left out; all NULL is an error).
  Command HashSet(const Batch& batch, size_t r, const std::string& key) const;
  // The first error among the replies of one MULTI ... EXEC pipeline, or "".
  static std::string BatchError(const std::vector<RespView>& replies);

  std::string where_;
  RedisAddress address_;
  std::shared_ptr<const TableInfo> table_;
  RedisTableDef def_;
  std::vector<std::vector<Command>> rows_;
  int64_t row_number_ = 0;
  bool done_ = false;
};

}  // namespace aishell
