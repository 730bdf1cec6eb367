// Key patterns and globs (no server needed).
#include "connectors/redis/redis_key_pattern.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "connectors/redis/redis_test_util.h"

namespace aishell {
namespace {

using redis_testing::ExpectError;

TEST(RedisPatternTest, ParseMatchComposeGlob) {
  auto p = RedisKeyPattern::Parse("session:{session_id}", "t");
  ASSERT_EQ(p.placeholders, std::vector<std::string>{"session_id"});
  std::vector<std::string_view> parts;
  ASSERT_TRUE(p.Match("session:abc", &parts));
  EXPECT_EQ(parts[0], "abc");
  EXPECT_FALSE(p.Match("session:", &parts));
  EXPECT_FALSE(p.Match("session:a:b", &parts));  // placeholders hold no ':'
  EXPECT_FALSE(p.Match("sess:abc", &parts));
  EXPECT_EQ(p.Glob(), "session:*");
  EXPECT_EQ(p.Compose({"x1"}), "session:x1");

  auto q = RedisKeyPattern::Parse("cart:{user_id}:item:{sku}", "t");
  ASSERT_TRUE(q.Match("cart:7:item:A-1", &parts));
  EXPECT_EQ(parts[0], "7");
  EXPECT_EQ(parts[1], "A-1");
  EXPECT_FALSE(q.Match("cart:7:itemA-1", &parts));
  EXPECT_EQ(q.Glob({"7", ""}), "cart:7:item:*");
  EXPECT_EQ(q.ToString(), "cart:{user_id}:item:{sku}");

  auto r = RedisKeyPattern::Parse("u:{id}:profile", "t");
  ASSERT_TRUE(r.Match("u:42:profile", &parts));
  EXPECT_EQ(parts[0], "42");
  EXPECT_FALSE(r.Match("u:42:profilex", &parts));

  ExpectError([] { RedisKeyPattern::Parse("a:{id", "redis source 'r'"); }, ErrorKind::kConnector,
              "unclosed");
  ExpectError([] { RedisKeyPattern::Parse("a:{x}{y}", "redis source 'r'"); }, ErrorKind::kConnector,
              "literal text");
  ExpectError([] { RedisKeyPattern::Parse("a:{_key}", "redis source 'r'"); }, ErrorKind::kConnector,
              "reserved");
  EXPECT_EQ(RedisGlobEscape("a*b?[c]"), "a\\*b\\?\\[c\\]");
  EXPECT_EQ(RedisLikeToGlob("ab%_x*", 0), "ab*?x\\*");
  EXPECT_EQ(RedisLikeToGlob("a!%b", '!'), "a%b");
}

}  // namespace
}  // namespace aishell
