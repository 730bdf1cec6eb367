// Redis URLs and connection properties (no server needed).
#include "connectors/redis/redis_url.h"

#include <gtest/gtest.h>

#include "catalog/connector.h"
#include "common/exception.h"
#include "connectors/redis/redis_connector.h"
#include "connectors/redis/redis_test_util.h"

namespace aishell {
namespace {

using redis_testing::ExpectError;

TEST(RedisPatternTest, UrlParsing) {
  auto a = ParseRedisUrl("redis://alice:s%40cret@db.example:6390/3", "r");
  EXPECT_EQ(a.user, "alice");
  EXPECT_EQ(a.password, "s@cret");
  EXPECT_EQ(a.host, "db.example");
  EXPECT_EQ(a.port, 6390);
  EXPECT_EQ(a.db, 3);
  EXPECT_FALSE(a.tls);
  auto v6 = ParseRedisUrl("redis://[::1]:7000/2", "r");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 7000);
  EXPECT_EQ(v6.db, 2);
  auto b = ParseRedisUrl("rediss://:pw@h", "r");
  EXPECT_TRUE(b.tls);
  EXPECT_EQ(b.password, "pw");
  EXPECT_EQ(b.port, 6379);
  EXPECT_EQ(b.db, 0);
  try {
    ParseRedisUrl("redis://:topsecret@h:99999/0", "redis source 'r'");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("redis source 'r'"), std::string::npos);
  }
  ConnectionConfig config{"tls", "redis", "rediss://:pw@127.0.0.1:1/0", {}};
  ExpectError([&] { RedisConnector c(config); }, ErrorKind::kConnector,
              "redis source 'tls': cannot connect to 127.0.0.1:1");
  ConnectionConfig plain{"p", "redis", "redis://:pw@127.0.0.1:1/0", {{"tls.verify", "false"}}};
  ExpectError([&] { RedisConnector c(plain); }, ErrorKind::kConnector, "use a rediss:// URL");
}

}  // namespace
}  // namespace aishell
