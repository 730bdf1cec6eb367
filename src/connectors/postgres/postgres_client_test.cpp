// The libpq client's helpers: quoting, messages on one line, passwords scrubbed from messages.
#include "connectors/postgres/postgres_client.h"

#include <gtest/gtest.h>

#include <string>

#include "common/secrets.h"
#include "connectors/remote_sql/sql_dialect.h"

namespace aishell {
namespace {

TEST(PostgresHelpersTest, QuotesIdentifiersAndStrings) {
  EXPECT_EQ(QuotePgIdentifier("Full Name"), "\"Full Name\"");
  EXPECT_EQ(QuotePgIdentifier("a\"b"), "\"a\"\"b\"");
  std::string out;
  ASSERT_TRUE(QuotePgString("it's", &out));
  EXPECT_EQ(out, "'it''s'");
  out.clear();
  ASSERT_TRUE(QuotePgString("back\\slash'", &out));
  EXPECT_EQ(out, "E'back\\\\slash'''");
  out.clear();
  EXPECT_FALSE(QuotePgString(std::string("nul\0byte", 8), &out));
}

TEST(PostgresHelpersTest, MessagesOnOneLine) {
  EXPECT_EQ(PgMessageOneLine("connection to server at \"127.0.0.1\", port 1 failed: Connection "
                             "refused\n\tIs the server running on that host and accepting TCP/IP "
                             "connections?\n"),
            "connection to server at \"127.0.0.1\", port 1 failed: Connection refused; Is the "
            "server running on that host and accepting TCP/IP connections?");
  EXPECT_EQ(PgMessageOneLine("could not translate host name:\n  Name or service not known\n\n"),
            "could not translate host name: Name or service not known");
  EXPECT_EQ(PgMessageOneLine("plain"), "plain");
}

TEST(PostgresHelpersTest, ScrubsPasswords) {
  std::string url = "postgres://bob:s3cr3t@db.example:5432/app";
  std::string msg = ScrubPassword(
      "could not connect using postgres://bob:s3cr3t@db.example:5432/app (s3cr3t)", url);
  EXPECT_EQ(msg.find("s3cr3t"), std::string::npos) << msg;
  EXPECT_NE(msg.find("bob"), std::string::npos);
  std::string url2 = "postgresql://db/app?user=bob&password=hunter22&sslmode=disable";
  EXPECT_EQ(ScrubPassword("password=hunter22 failed", url2).find("hunter22"), std::string::npos);
}

}  // namespace
}  // namespace aishell
