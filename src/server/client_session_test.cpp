#include "server/client_session.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "common/url.h"

namespace aishell {
namespace {

TEST(ClientSessionTest, HeaderPairsAreUrlDecoded) {
  auto pairs = ParseHeaderPairs("a=1, b=x%20y%2Cz,c=", "X-Trino-Session");
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[1].first, "b");
  EXPECT_EQ(pairs[1].second, "x y,z");
  EXPECT_EQ(pairs[2].second, "");
  EXPECT_THROW(ParseHeaderPairs("novalue", "X-Trino-Session"), Error);
  EXPECT_EQ(UrlDecode(PercentEncode("SELECT * FROM t WHERE a = 'x,y'")),
            "SELECT * FROM t WHERE a = 'x,y'");
}

TEST(ClientSessionTest, ParametersAreSubstitutedOutsideQuotesAndComments) {
  EXPECT_EQ(SubstituteParameters("SELECT '?', \"?\", ? -- ?\n, ?", {"1", "'a'"}),
            "SELECT '?', \"?\", (1) -- ?\n, ('a')");
  try {
    SubstituteParameters("SELECT ?", {"1", "2"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected 1 but found 2"), std::string::npos);
  }
  EXPECT_EQ(SplitTopLevel("1, 'a,b', f(x, y)"),
            (std::vector<std::string>{"1", "'a,b'", "f(x, y)"}));
}

TEST(ClientSessionTest, PrepareExecuteAndTransactions) {
  ClientSession session;
  auto prepare = AnalyzeStatement("PREPARE my_q FROM SELECT * FROM t WHERE id = ?;", session);
  EXPECT_EQ(prepare.action, StatementAction::kPrepare);
  EXPECT_EQ(prepare.name, "my_q");
  EXPECT_EQ(prepare.prepared_sql, "SELECT * FROM t WHERE id = ?");
  session.prepared["my_q"] = prepare.prepared_sql;
  auto execute = AnalyzeStatement("EXECUTE my_q USING 42", session);
  EXPECT_EQ(execute.action, StatementAction::kRun);
  EXPECT_EQ(execute.sql, "SELECT * FROM t WHERE id = (42)");
  auto immediate = AnalyzeStatement("EXECUTE IMMEDIATE 'SELECT ''x'' || ?' USING 'y'", session);
  EXPECT_EQ(immediate.sql, "SELECT 'x' || ('y')");
  EXPECT_THROW(AnalyzeStatement("EXECUTE other USING 1", session), Error);
  EXPECT_EQ(AnalyzeStatement("DEALLOCATE PREPARE my_q", session).action,
            StatementAction::kDeallocate);
  EXPECT_EQ(AnalyzeStatement("START TRANSACTION READ ONLY", session).action,
            StatementAction::kStartTransaction);
  EXPECT_EQ(AnalyzeStatement("commit", session).action, StatementAction::kCommit);
  EXPECT_EQ(AnalyzeStatement("SELECT 1", session).action, StatementAction::kRun);
}

}  // namespace
}  // namespace aishell
