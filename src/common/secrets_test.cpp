#include "common/secrets.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

TEST(RedactTest, RedactsUrls) {
  EXPECT_EQ(RedactUrl("postgres://user:secret@host:5432/db"), "postgres://user:***@host:5432/db");
  EXPECT_EQ(RedactUrl("postgres://user@host/db"), "postgres://user@host/db");
  EXPECT_EQ(RedactUrl("redis://:pw@host:6379/0"), "redis://:***@host:6379/0");
  // An unencoded '@' in the password: the authority ends at the last one.
  EXPECT_EQ(RedactUrl("postgres://u:p@ss@host/db"), "postgres://u:***@host/db");
  EXPECT_EQ(RedactUrl("postgresql://host/db?user=u&password=hunter2&sslmode=disable"),
            "postgresql://host/db?user=u&password=***&sslmode=disable");
  EXPECT_EQ(RedactUrl("s3://bucket/x?secret-access-key=abc"),
            "s3://bucket/x?secret-access-key=***");
  EXPECT_EQ(RedactUrl("/plain/path.db"), "/plain/path.db");
  EXPECT_EQ(RedactUrl("host=h user=u password=pw dbname=d"), "host=h user=u password=*** dbname=d");
  EXPECT_EQ(RedactUrl("host=h password='a b' dbname=d"), "host=h password=*** dbname=d");
}

TEST(RedactTest, RedactsEveryUrlInAText) {
  EXPECT_EQ(RedactText("copy from postgres://a:one@h1/db to redis://b:two@h2/0 failed"),
            "copy from postgres://a:***@h1/db to redis://b:***@h2/0 failed");
  EXPECT_EQ(RedactText("invalid connection option in \"host=h password=pw\""),
            "invalid connection option in \"host=h password=***\"");
  EXPECT_EQ(RedactText("password authentication failed for user \"bob\""),
            "password authentication failed for user \"bob\"");
  // An authority ends at a space or a quote in a text.
  EXPECT_EQ(RedactText("redis://h:6379 failed; mail to bob@example.com/x"),
            "redis://h:6379 failed; mail to bob@example.com/x");
  EXPECT_EQ(RedactText("\"postgres://u:pw@h\" refused"), "\"postgres://u:***@h\" refused");
}

TEST(RedactTest, FindsThePassword) {
  EXPECT_EQ(PasswordOf("postgres://bob:s3cr3t@db.example:5432/app"), "s3cr3t");
  EXPECT_EQ(PasswordOf("postgres://bob@db.example/app?password=hunter22&x=1"), "hunter22");
  EXPECT_EQ(PasswordOf("host=h password='it''s' user=u"), "it");
  EXPECT_EQ(PasswordOf("host=h password='a\\'b' user=u"), "a'b");
  EXPECT_EQ(PasswordOf("postgres://bob@db/app"), "");
  // A URL mistyped without "://" still gives its password away to be masked.
  EXPECT_EQ(PasswordOf("/tmp/mongodb:/db?user:Sekr3tPw@host"), "Sekr3tPw");
  EXPECT_EQ(PasswordOf("bob:pw123@db.example"), "pw123");
  EXPECT_EQ(PasswordOf("/data/a:b/c@d.csv"), "");
  EXPECT_EQ(PasswordOf("/data/x@y.csv"), "");
  EXPECT_EQ(RedactUrl("/tmp/mongodb:/db?user:Sekr3tPw@host"), "/tmp/mongodb:/db?user:***@host");
  EXPECT_EQ(PasswordOf("/path/file.db"), "");
}

TEST(RedactTest, ScrubsThePasswordOfAUrlFromAMessage) {
  std::string url = "postgres://bob:s3cr3t@db.example:5432/app";
  std::string msg = ScrubPassword("could not connect using " + url + " (s3cr3t)", url);
  EXPECT_EQ(msg, "could not connect using postgres://bob:***@db.example:5432/app (***)");
  // A libpq-style echo of the raw token, and its percent-decoded form.
  std::string encoded = "postgres://bob:p%40ss%zz@db/app";
  EXPECT_EQ(ScrubPassword("invalid percent-encoded token: \"p%40ss%zz\"", encoded),
            "invalid percent-encoded token: \"***\"");
  EXPECT_EQ(ScrubPassword("user bob, password p@ss%zz", encoded), "user bob, password ***");
  // password= parameters.
  std::string url2 = "postgresql://db/app?user=bob&password=hunter22&sslmode=disable";
  EXPECT_EQ(ScrubPassword("password=hunter22 failed", url2), "password=*** failed");
  // A short password is left when the caller asks for a minimum length.
  EXPECT_EQ(ScrubPassword("a bad day", "redis://:a@h/0", 3), "a bad day");
  EXPECT_EQ(ScrubPassword("a bad day", "redis://:a@h/0"), "*** b***d d***y");
  EXPECT_EQ(ScrubPassword("no password here", ""), "no password here");
  // Other secrets the text shows go too.
  EXPECT_EQ(ScrubPassword("bad option in \"host=h password=other\"", url),
            "bad option in \"host=h password=***\"");
}

}  // namespace
}  // namespace aishell
