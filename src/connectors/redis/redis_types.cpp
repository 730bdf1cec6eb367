#include "connectors/redis/redis_types.h"
#include "common/strings.h"

#include <cctype>

namespace aishell {

const char* RedisShapeName(RedisShape shape) {
  switch (shape) {
    case RedisShape::kHash:
      return "hash";
    case RedisShape::kJson:
      return "json";
    case RedisShape::kString:
      return "string";
    case RedisShape::kZset:
      return "zset";
    case RedisShape::kList:
      return "list";
    case RedisShape::kSet:
      return "set";
    case RedisShape::kStream:
      return "stream";
    case RedisShape::kHashEntries:
      return "hash_entries";
  }
  return "?";
}

bool ParseRedisShape(const std::string& text, RedisShape* out) {
  std::string t = AsciiLower(text);
  if (t == "hash")
    *out = RedisShape::kHash;
  else if (t == "json")
    *out = RedisShape::kJson;
  else if (t == "string")
    *out = RedisShape::kString;
  else if (t == "zset")
    *out = RedisShape::kZset;
  else if (t == "list")
    *out = RedisShape::kList;
  else if (t == "set")
    *out = RedisShape::kSet;
  else if (t == "stream")
    *out = RedisShape::kStream;
  else if (t == "hash_entries")
    *out = RedisShape::kHashEntries;
  else
    return false;
  return true;
}

std::string RedisShown(std::string_view s) {
  std::string out(s.substr(0, 60));
  if (s.size() > 60) out += "...";
  return out;
}

}  // namespace aishell
