#include "common/url.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "common/testing/expect_error.h"

namespace aishell {
namespace {

using testing::ExpectError;

TEST(Url, SplitsEveryPart) {
  UrlParts u =
      ParseUrl("HTTP://al%69ce:s%40cret@db.example:9200/analytics/x?ref=main&t=a%20b&flag", "src");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_TRUE(u.has_userinfo);
  EXPECT_TRUE(u.has_password);
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.password, "s@cret");
  EXPECT_EQ(u.host, "db.example");
  ASSERT_TRUE(u.port.has_value());
  EXPECT_EQ(*u.port, 9200);
  EXPECT_EQ(u.path, "analytics/x");
  ASSERT_EQ(u.query.size(), 3u);
  EXPECT_EQ(u.query[0], (std::pair<std::string, std::string>{"ref", "main"}));
  EXPECT_EQ(u.query[1], (std::pair<std::string, std::string>{"t", "a b"}));
  EXPECT_EQ(u.query[2], (std::pair<std::string, std::string>{"flag", ""}));
}

TEST(Url, IPv6HostsUserinfoWithoutPasswordAndNoAuthority) {
  UrlParts v6 = ParseUrl("redis://[::1]:7000/2", "src");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(*v6.port, 7000);
  EXPECT_EQ(v6.path, "2");
  UrlParts token = ParseUrl("redis://only-a-secret@h", "src");
  EXPECT_TRUE(token.has_userinfo);
  EXPECT_FALSE(token.has_password);
  EXPECT_EQ(token.user, "only-a-secret");
  UrlParts bare = ParseUrl("file:///data/lake", "src");
  EXPECT_EQ(bare.host, "");
  EXPECT_FALSE(bare.port.has_value());
  EXPECT_EQ(bare.path, "data/lake");
}

TEST(Url, ErrorsNameTheSourceAndHideThePassword) {
  ExpectError([] { ParseUrl("es://u:Secret-77@h:99999/i", "elasticsearch source 'a'"); },
              ErrorKind::kConnector, "elasticsearch source 'a': port '99999'");
  try {
    ParseUrl("es://u:Secret-77@h:0x/i", "src");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("Secret-77"), std::string::npos) << e.what();
  }
  ExpectError([] { ParseUrl("redis://[::1:7000/2", "src"); }, ErrorKind::kConnector,
              "unclosed '['");
  ExpectError([] { ParseUrl("redis://[::1]x/2", "src"); }, ErrorKind::kConnector,
              "unexpected text after the host");
  ExpectError([] { ParseUrl("localhost:9200", "src"); }, ErrorKind::kConnector, "not a URL");
}

TEST(Url, PercentDecodeKeepsStrayPercentSigns) {
  EXPECT_EQ(PercentDecode("a%2Fb%zz%4"), "a/b%zz%4");
}

TEST(Url, PercentEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a b/c%\x1f\xc3\xa9"), "a%20b%2Fc%25%1F%C3%A9");
  EXPECT_EQ(PercentDecode(PercentEncode("p@ss:w/rd?&=")), "p@ss:w/rd?&=");
}

}  // namespace
}  // namespace aishell
