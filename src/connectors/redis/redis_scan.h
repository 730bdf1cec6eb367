// The Redis table scan: takes the projection, the filters (key selection, redis_key_selection.h),
// LIMIT, key lookups and dynamic filters, describes the Redis commands it will send, and creates
// the data sources (redis_data_source.h).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/redis/redis_data_source.h"

namespace aishell {

class RedisScan : public TableScan {
 public:
  explicit RedisScan(RedisScanSpec spec);

  void SetProjection(const std::vector<int>& column_ids) override;
  // Exact: = and IN on placeholder columns and _key. Narrowing only (refused): LIKE on a
  // placeholder.
  bool PushFilter(const Expr& e) override;
  bool PushLimit(int64_t limit) override;
  std::string Describe() const override;
  double EstimatedRows() const override;
  std::vector<std::shared_ptr<Split>> CreateSplits(int) override;
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split>) override;

  bool SupportsKeyLookup(const std::vector<int>& key_columns) const override;
  // Batched lookups: the keys composed from each row of `keys`, fetched in pipelines of
  // lookup_batch_size keys (no SCAN). Rows with a NULL never match.
  std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                         const Batch& keys) override;
  // One LookupKeys call: the keys composed from the batch, value commands pipelined.
  std::string DescribeLookup(const std::vector<int>& key_columns, size_t batch_size) const override;
  size_t MaxKeysPerRequest(const std::vector<int>& key_columns) const override;
  // A join's build keys on _key or a placeholder column: the same exact filter as `IN (...)`,
  // so a SCAN becomes direct key reads when every placeholder is constrained.
  bool PushDynamicFilter(int column, const Batch& values) override;

  int64_t skipped_keys() const { return skipped_.load(); }

 private:
  // The value command as EXPLAIN shows it ("HGETALL", "ZRANGE 0 -1 WITHSCORES", ..., "MGET").
  std::string ValueCommand() const;
  // True when _ttl is projected (a TTL per key).
  bool ReadsTtl() const;

  RedisScanSpec spec_;
  std::atomic<int64_t> skipped_{0};
};

}  // namespace aishell
