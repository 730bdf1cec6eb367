#include "shell/sql_script.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

TEST(SqlScriptTest, FirstKeywordSkipsCommentsAndParentheses) {
  EXPECT_EQ(FirstKeyword("  select 1"), "SELECT");
  EXPECT_EQ(FirstKeyword("-- note\n/* block */ (WITH x AS (SELECT 1) SELECT * FROM x)"), "WITH");
  EXPECT_EQ(FirstKeyword(""), "");
  EXPECT_EQ(FirstKeyword("'text'"), "");
}

TEST(SqlScriptTest, RecognizesNaturalLanguage) {
  EXPECT_TRUE(LooksLikeNaturalLanguage("Give me a complete profile for user john@example.com"));
  EXPECT_TRUE(LooksLikeNaturalLanguage("Show me users from PostgreSQL who made purchases"));
  EXPECT_TRUE(LooksLikeNaturalLanguage("show total revenue by region"));
  EXPECT_TRUE(LooksLikeNaturalLanguage("Explain why sales dropped"));
  EXPECT_TRUE(LooksLikeNaturalLanguage("describe the sales trend"));
  EXPECT_TRUE(LooksLikeNaturalLanguage("Create a report of orders"));
}

TEST(SqlScriptTest, AcceptsSql) {
  EXPECT_FALSE(LooksLikeNaturalLanguage("SELECT * FROM customer_summary WHERE total_orders > 10"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("show tables from users-db.public like 'u%'"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("SHOW CATALOGS"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("EXPLAIN ANALYZE SELECT 1"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("explain select 1"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("DESCRIBE users-db.public.users"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("describe \"My Table\""));
  EXPECT_FALSE(LooksLikeNaturalLanguage("USE files"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("CREATE OR REPLACE VIEW v AS SELECT 1"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("(SELECT 1) UNION (SELECT 2)"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("with t as (select 1) select * from t"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("SET SESSION pushdown = false"));
  EXPECT_FALSE(LooksLikeNaturalLanguage("'unterminated"));
}

TEST(SqlScriptTest, KeywordTyposAreSqlNotNaturalLanguage) {
  EXPECT_EQ(NearStatementKeyword("SELEC"), "SELECT");
  EXPECT_EQ(NearStatementKeyword("slect"), "SELECT");
  EXPECT_EQ(NearStatementKeyword("SELETC"), "SELECT");
  EXPECT_EQ(NearStatementKeyword("descibe"), "DESCRIBE");
  EXPECT_EQ(NearStatementKeyword("give"), "");
  EXPECT_EQ(NearStatementKeyword("select"), "");
  EXPECT_FALSE(LooksLikeNaturalLanguage("SELEC 1"));
  EXPECT_TRUE(LooksLikeNaturalLanguage("List all customers in Paris"));
}

TEST(SqlScriptTest, StatementKeywords) {
  EXPECT_TRUE(IsSqlStatementKeyword("select"));
  EXPECT_TRUE(IsSqlStatementKeyword("Describe"));
  EXPECT_FALSE(IsSqlStatementKeyword("give"));
  EXPECT_FALSE(IsSqlStatementKeyword(""));
}

}  // namespace
}  // namespace aishell
