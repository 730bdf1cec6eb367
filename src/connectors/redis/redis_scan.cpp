#include "connectors/redis/redis_scan.h"

#include <algorithm>

#include "common/exception.h"

namespace aishell {

RedisScan::RedisScan(RedisScanSpec spec) : spec_(std::move(spec)) {
  for (size_t i = 0; i < spec_.table->columns.size(); i++)
    spec_.projection.push_back(static_cast<int>(i));
  spec_.selection = RedisKeySelection(spec_.table, spec_.def.pattern);
}

void RedisScan::SetProjection(const std::vector<int>& column_ids) {
  for (int c : column_ids) {
    if (c < 0 || c >= static_cast<int>(spec_.table->columns.size())) {
      throw Error(ErrorKind::kInternal,
                  spec_.where + ": projection column " + std::to_string(c) + " out of range");
    }
  }
  spec_.projection = column_ids;
}

bool RedisScan::PushFilter(const Expr& e) {
  if (spec_.limit >= 0) return false;
  return spec_.selection.PushFilter(e);
}

bool RedisScan::PushLimit(int64_t limit) {
  if (limit < 0) return false;
  if (spec_.limit < 0 || limit < spec_.limit) spec_.limit = limit;
  return true;
}

std::string RedisScan::Describe() const {
  RedisKeyPlan plan = spec_.selection.Plan();
  std::string value_cmd = ValueCommand();
  std::string s;
  if (plan.lookup) {
    if (plan.keys.empty()) return "no keys can match (no Redis command)";
    std::string keys;
    for (size_t i = 0; i < plan.keys.size() && i < 10; i++) keys += " " + plan.keys[i];
    if (plan.keys.size() > 10) keys += " ...";
    if (value_cmd == "MGET") {
      s = "MGET" + keys;
    } else {
      s = "pipelined " + value_cmd + " for" + keys;
    }
    s += " (" + std::to_string(plan.keys.size()) + " key(s), no SCAN)";
  } else {
    s = "SCAN 0 MATCH " + plan.glob + " COUNT " + std::to_string(spec_.scan_count) +
        ", then pipelined " + value_cmd + " per " + std::to_string(spec_.batch_keys) + " keys";
  }
  if (ReadsTtl()) s += " + TTL";
  if (spec_.limit >= 0) s += "; stops after " + std::to_string(spec_.limit) + " row(s)";
  int64_t skipped = skipped_.load();
  if (skipped > 0) {
    s += "; skipped " + std::to_string(skipped) +
         " key(s) that expired or hold another type than " + RedisShapeName(spec_.def.shape);
  }
  return s;
}

double RedisScan::EstimatedRows() const {
  RedisKeyPlan plan = spec_.selection.Plan();
  double rows = plan.lookup ? static_cast<double>(plan.keys.size())
                            : spec_.table->stats.row_count.value_or(-1);
  if (spec_.limit >= 0 && (rows < 0 || rows > spec_.limit)) rows = static_cast<double>(spec_.limit);
  return rows;
}

std::vector<std::shared_ptr<Split>> RedisScan::CreateSplits(int) {
  return {std::make_shared<Split>()};
}

std::unique_ptr<DataSource> RedisScan::CreateDataSource(std::shared_ptr<Split>) {
  return std::make_unique<RedisDataSource>(std::make_shared<RedisScanSpec>(spec_),
                                           spec_.selection.Plan(), &counters_, &skipped_);
}

bool RedisScan::SupportsKeyLookup(const std::vector<int>& key_columns) const {
  if (key_columns.empty() || spec_.limit >= 0) return false;
  return spec_.selection.SupportsKeyLookup(key_columns);
}

std::unique_ptr<DataSource> RedisScan::LookupKeys(const std::vector<int>& key_columns,
                                                  const Batch& keys) {
  if (!SupportsKeyLookup(key_columns)) return TableScan::LookupKeys(key_columns, keys);
  if (keys.ColumnCount() != key_columns.size()) {
    throw Error(ErrorKind::kInternal,
                spec_.where + ": lookup keys have " + std::to_string(keys.ColumnCount()) +
                    " columns, expected " + std::to_string(key_columns.size()));
  }
  return std::make_unique<RedisDataSource>(std::make_shared<RedisScanSpec>(spec_),
                                           spec_.selection.LookupPlan(key_columns, keys),
                                           &counters_, &skipped_);
}

size_t RedisScan::MaxKeysPerRequest(const std::vector<int>&) const {
  return static_cast<size_t>(std::max(1, spec_.batch_keys));
}

std::string RedisScan::DescribeLookup(const std::vector<int>& key_columns,
                                      size_t batch_size) const {
  if (!SupportsKeyLookup(key_columns)) return {};
  int key_col = static_cast<int>(spec_.table->columns.size()) - 2;
  std::string keys = key_columns.size() == 1 && key_columns[0] == key_col
                         ? std::string("<_key>")
                         : spec_.def.pattern.ToString();
  std::string value_cmd = ValueCommand();
  std::string s = value_cmd == "MGET" ? "MGET " + keys + " ..."
                                      : "pipelined " + value_cmd + " " + keys + " per key";
  if (ReadsTtl()) s += " + TTL";
  s += " (up to " + std::to_string(batch_size) + " keys, " + std::to_string(spec_.batch_keys) +
       " per pipeline, no SCAN)";
  return s;
}

bool RedisScan::PushDynamicFilter(int column, const Batch& values) {
  if (spec_.limit >= 0) return false;
  return spec_.selection.PushDynamicFilter(column, values);
}

std::string RedisScan::ValueCommand() const {
  switch (spec_.def.shape) {
    case RedisShape::kHash:
    case RedisShape::kHashEntries:
      return "HGETALL";
    case RedisShape::kZset:
      return "ZRANGE 0 -1 WITHSCORES";
    case RedisShape::kList:
      return "LRANGE 0 -1";
    case RedisShape::kSet:
      return "SMEMBERS";
    case RedisShape::kStream:
      return "XRANGE - +";
    default:
      return "MGET";
  }
}

bool RedisScan::ReadsTtl() const {
  int ttl_col = static_cast<int>(spec_.table->columns.size()) - 1;
  return std::find(spec_.projection.begin(), spec_.projection.end(), ttl_col) !=
         spec_.projection.end();
}

}  // namespace aishell
