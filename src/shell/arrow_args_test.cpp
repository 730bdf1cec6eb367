#include "shell/arrow_args.h"

#include <gtest/gtest.h>

#include "shell/cli.h"

namespace aishell {
namespace {

TEST(ArrowArgsTest, EveryWayOfWritingTheArrow) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"users-db.users", "->", "orders-db.users_cache"},
                                             {"users-db.users", "to", "orders-db.users_cache"},
                                             {"users-db.users", "TO", "orders-db.users_cache"},
                                             {"users-db.users->orders-db.users_cache"}}) {
    SourceAndTarget st = ParseSourceAndTarget(args, std::nullopt, "sync");
    EXPECT_EQ(st.source, "users-db.users");
    EXPECT_EQ(st.target, "orders-db.users_cache");
    EXPECT_TRUE(st.rest.empty());
  }
  SourceAndTarget st = ParseSourceAndTarget({"users-db.users"}, "local-cache", "sync");
  EXPECT_EQ(st.target, "local-cache");
  st = ParseSourceAndTarget({"a", "->", "b", "extra"}, std::nullopt, "sync");
  EXPECT_EQ(st.rest, std::vector<std::string>{"extra"});
}

TEST(ArrowArgsTest, MistakesAreExplained) {
  auto message = [](const std::vector<std::string>& args, std::optional<std::string> to) {
    try {
      ParseSourceAndTarget(args, to, "sync");
    } catch (const UsageError& e) {
      EXPECT_EQ(e.command, "sync");
      return e.message;
    }
    return std::string("no error");
  };
  // bash: `aishell sync a -> b` runs `aishell sync a -` with stdout into the file b.
  EXPECT_NE(message({"a", "-"}, std::nullopt).find("read by the shell"), std::string::npos);
  EXPECT_NE(message({"a", "-"}, std::nullopt).find("'->'"), std::string::npos);
  EXPECT_NE(message({"a"}, std::nullopt).find("needs a target"), std::string::npos);
  EXPECT_NE(message({"a", "->"}, std::nullopt).find("needs a target after '->'"),
            std::string::npos);
  EXPECT_NE(message({}, std::nullopt).find("needs a source"), std::string::npos);
  EXPECT_NE(message({"a", "->", "b"}, "c").find("given twice"), std::string::npos);
}

TEST(ArrowArgsTest, SyncTakesNothingAfterTheTarget) {
  SourceAndTarget st = ParseSourceAndTargetOnly({"a.t", "to", "b.t"}, std::nullopt, "sync");
  EXPECT_EQ(st.target, "b.t");
  try {
    ParseSourceAndTargetOnly({"a.t", "->", "b.t", "c.t"}, std::nullopt, "sync");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.message,
              "sync takes one source and one target; unexpected 'c.t' after the target "
              "'b.t'");
  }
}

}  // namespace
}  // namespace aishell
