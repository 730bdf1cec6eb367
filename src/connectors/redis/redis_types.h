// The definitions the parts of the Redis connector share: how a key's value becomes rows
// (RedisShape), a table's definition (RedisTableDef), and small text helpers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/types.h"
#include "connectors/redis/redis_key_pattern.h"

namespace aishell {

// How the value of each key becomes rows.
// kHashEntries (only by format.<t>=hash_entries): one row per hash field, for hashes whose field
// names are data (cart:{user_id} -> sku: qty).
enum class RedisShape { kHash, kJson, kString, kZset, kList, kSet, kStream, kHashEntries };

const char* RedisShapeName(RedisShape shape);
// The shape named by a format.<t> property (case-insensitive); false if it names none.
bool ParseRedisShape(const std::string& text, RedisShape* out);

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

// A key or value for an error message: its first 60 bytes, "..." when cut.
std::string RedisShown(std::string_view s);

}  // namespace aishell
