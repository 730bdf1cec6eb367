// What the server's keys say about tables: the tables inferred from a SCAN sample when none are
// declared (keys grouped by pattern), and each table's shape, columns, types and row count from a
// sample of its keys.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "catalog/connector.h"
#include "connectors/redis/redis_types.h"
#include "connectors/redis/resp_client.h"

namespace aishell {

// Up to 10,000 keys SCANned and grouped by pattern: a `:`-separated segment that is a number, a
// UUID / hex id, or any later segment holding a digit becomes {id} ({id2}, ...). The tables by
// name (the literal segments joined with `_`, made unique).
std::map<std::string, RedisTableDef> InferRedisTables(RespConnection& conn,
                                                      const std::string& where);

// Samples up to `sample_size` keys of the table (SCAN ... COUNT `scan_count`): the shape from
// their TYPE (the majority; def.shape is set unless def.shape_forced), the value columns and
// their types from the values, the placeholder columns' types from the keys; then `_key` and
// `_ttl`. Column overrides (def.column_types) win. The row count is the number of matching keys
// when the SCAN finished, else DBSIZE.
std::shared_ptr<TableInfo> DescribeRedisTable(RespConnection& conn, RedisTableDef& def,
                                              int sample_size, int scan_count,
                                              const std::string& where);

}  // namespace aishell
