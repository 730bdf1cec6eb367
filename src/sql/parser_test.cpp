#include "sql/parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/types.h"
#include "sql/ast.h"
#include "sql/lexer.h"

namespace aishell {
namespace {

// parse -> ToString -> parse -> ToString must be a fixed point, and Copy() must render the same.
std::string RoundTrip(const std::string& sql) {
  auto first = ParseStatement(sql);
  std::string once = first->ToString();
  auto second = ParseStatement(once);
  std::string twice = second->ToString();
  EXPECT_EQ(once, twice) << "original: " << sql;
  if (first->kind == StatementKind::kSelect) {
    auto copy = first->As<SelectStatement>().query->Copy();
    EXPECT_EQ(copy->ToString(), once);
  }
  return once;
}

const SelectNode& SelectOf(const Statement& s) {
  EXPECT_EQ(s.kind, StatementKind::kSelect);
  const auto& q = *s.As<SelectStatement>().query;
  EXPECT_EQ(q.kind, QueryNodeKind::kSelect);
  return q.As<SelectNode>();
}

Error ExpectSyntaxError(const std::string& sql) {
  try {
    ParseStatements(sql);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kSyntax) << sql << ": " << e.what();
    return e;
  }
  ADD_FAILURE() << "expected a syntax error for: " << sql;
  return Error(ErrorKind::kInternal, "none");
}

// ----- lexer ---------------------------------------------------------------------------------

TEST(SqlLexerTest, TokenKinds) {
  auto tokens = Tokenize(
      "SELECT a1, \"Mixed\"\"Q\", [users-db], `bt`, 'it''s', 42, 1.5, .5, 1e3, 2.5E-2 "
      "-- comment\n /* block */ <= >= <> != || :: => ;");
  std::vector<TokenType> types;
  for (const auto& t : tokens) types.push_back(t.type);
  ASSERT_GE(tokens.size(), 20u);
  EXPECT_EQ(tokens[0].type, TokenType::kWord);
  EXPECT_EQ(tokens[1].text, "a1");
  EXPECT_EQ(tokens[3].type, TokenType::kQuotedIdentifier);
  EXPECT_EQ(tokens[3].text, "Mixed\"Q");
  EXPECT_EQ(tokens[5].text, "users-db");
  EXPECT_EQ(tokens[5].type, TokenType::kQuotedIdentifier);
  EXPECT_EQ(tokens[7].text, "bt");
  EXPECT_EQ(tokens[9].type, TokenType::kString);
  EXPECT_EQ(tokens[9].text, "it's");
  EXPECT_EQ(tokens[11].type, TokenType::kInteger);
  EXPECT_EQ(tokens[13].type, TokenType::kDecimal);
  EXPECT_EQ(tokens[15].type, TokenType::kDecimal);
  EXPECT_EQ(tokens[15].text, ".5");
  EXPECT_EQ(tokens[17].type, TokenType::kDouble);
  EXPECT_EQ(tokens[19].type, TokenType::kDouble);
  EXPECT_EQ(tokens[19].text, "2.5E-2");
  EXPECT_EQ(tokens[20].text, "<=");
  EXPECT_EQ(tokens[21].text, ">=");
  EXPECT_EQ(tokens[22].text, "<>");
  EXPECT_EQ(tokens[23].text, "!=");
  EXPECT_EQ(tokens[24].text, "||");
  EXPECT_EQ(tokens[25].text, "::");
  EXPECT_EQ(tokens[26].text, "=>");
  EXPECT_EQ(tokens[27].text, ";");
  EXPECT_EQ(tokens.back().type, TokenType::kEnd);
  EXPECT_EQ(tokens[0].position, 0);
  EXPECT_EQ(tokens[1].position, 7);
}

TEST(SqlLexerTest, Errors) {
  auto e = ExpectSyntaxError("SELECT 'abc");
  EXPECT_EQ(e.position(), 7);
  EXPECT_NE(std::string(e.what()).find("unterminated string literal"), std::string::npos);
  e = ExpectSyntaxError("SELECT \"abc");
  EXPECT_NE(std::string(e.what()).find("unterminated quoted identifier"), std::string::npos);
  e = ExpectSyntaxError("SELECT 1 /* open");
  EXPECT_NE(std::string(e.what()).find("unterminated comment"), std::string::npos);
  EXPECT_EQ(e.position(), 9);
  e = ExpectSyntaxError("SELECT [abc");
  EXPECT_NE(std::string(e.what()).find("unterminated bracketed identifier"), std::string::npos);
  e = ExpectSyntaxError("SELECT a # b");
  EXPECT_EQ(e.position(), 9);
  ExpectSyntaxError("SELECT \"\" FROM t");
}

// ----- statements and errors -------------------------------------------------------------------

TEST(SqlParserTest, SyntaxErrorMessagesAndPositions) {
  std::string sql = "SELECT a FORM t";
  try {
    ParseStatement(sql);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kSyntax);
    EXPECT_EQ(e.position(), 9);  // FORM reads as an alias of a; the error blames it
    EXPECT_STREQ(e.what(), "syntax error at or near \"FORM\": did you mean FROM?");
    std::string formatted = FormatError(e, sql);
    EXPECT_NE(formatted.find("line 1, column 10"), std::string::npos) << formatted;
  }
  // An alias close to a keyword is blamed only when the error follows it directly.
  try {
    ParseStatement("SELECT x FROM orders ordr WHERE (a = 1");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("ORDER"), std::string::npos) << e.what();
  }
  // A real alias close to a keyword is fine when the statement parses.
  EXPECT_NO_THROW(ParseStatement("SELECT f.a FROM t form JOIN u f ON form.x = f.x"));
  try {
    ParseStatement("SELECT a\nFROM t\nWHERE x = 1 GROPU BY a");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("GROPU"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("did you mean GROUP?"), std::string::npos) << e.what();
    EXPECT_NE(FormatError(e, "SELECT a\nFROM t\nWHERE x = 1 GROPU BY a").find("line 3, column 13"),
              std::string::npos);
  }
  auto e = ExpectSyntaxError("SELECT a, b FORM t WHERE x");
  EXPECT_NE(std::string(e.what()).find("syntax error at or near"), std::string::npos) << e.what();
  e = ExpectSyntaxError("SELECT * FROM");
  EXPECT_NE(std::string(e.what()).find("unexpected end of input"), std::string::npos) << e.what();
  EXPECT_EQ(e.position(), 13);
  e = ExpectSyntaxError("SELEC 1");
  EXPECT_EQ(e.position(), 0);
  EXPECT_NE(std::string(e.what()).find("\"SELEC\""), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("did you mean SELECT?"), std::string::npos) << e.what();
  e = ExpectSyntaxError("SELECT 1 +");
  EXPECT_NE(std::string(e.what()).find("unexpected end of input"), std::string::npos);
  e = ExpectSyntaxError("SELECT (1 + 2");
  EXPECT_NE(std::string(e.what()).find("expected ')'"), std::string::npos) << e.what();
  e = ExpectSyntaxError("SELECT a FROM t WHERE");
  e = ExpectSyntaxError("SELECT a FROM t LEFT t2 ON a = b");
  EXPECT_NE(std::string(e.what()).find("expected JOIN"), std::string::npos) << e.what();
  e = ExpectSyntaxError("SELECT a FROM t JOIN u");
  EXPECT_NE(std::string(e.what()).find("ON or USING"), std::string::npos) << e.what();
  e = ExpectSyntaxError("SELECT CAST(a AS) FROM t");
  e = ExpectSyntaxError("SELECT a FROM t LIMIT x");
  e = ExpectSyntaxError("SELECT a FROM t GROUP a");
  EXPECT_NE(std::string(e.what()).find("expected BY"), std::string::npos) << e.what();
  e = ExpectSyntaxError("SELECT 1 2");
  e = ExpectSyntaxError("SELECT 1; SELECT 2 3");
  EXPECT_EQ(e.position(), 19);
  ExpectSyntaxError("SELECT count(DISTINCT) FROM t");
  ExpectSyntaxError("SELECT a FROM t WHERE a IS 5");
  ExpectSyntaxError("SELECT a FROM (SELECT 1");
  ExpectSyntaxError("SELECT CASE END");
  ExpectSyntaxError("SELECT t.* + 1 FROM t");
  ExpectSyntaxError("SELECT a.b.c.d.e FROM t");
  ExpectSyntaxError("WITH a AS (SELECT 1), a AS (SELECT 2) SELECT * FROM a");
  ExpectSyntaxError("VALUES (1, 2), (3)");
  ExpectSyntaxError("SELECT * FROM read_csv(header => true, 'x')");
  ExpectSyntaxError("SELECT * FROM read_csv('x', header => true, header => false)");
}

TEST(SqlParserTest, StatementSplitting) {
  auto statements = ParseStatements("SELECT 1; ; SELECT 'a;b' AS x;\n-- trailing comment\n");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0]->text, "SELECT 1");
  EXPECT_EQ(statements[0]->position, 0);
  EXPECT_EQ(statements[1]->text, "SELECT 'a;b' AS x");
  EXPECT_EQ(statements[1]->position, 12);
  EXPECT_TRUE(ParseStatements("  ;; -- nothing\n").empty());
  EXPECT_THROW(ParseStatement(""), Error);
  EXPECT_THROW(ParseStatement("SELECT 1; SELECT 2"), Error);
  EXPECT_NO_THROW(ParseStatement("SELECT 1;"));

  auto parts = SplitStatements("SELECT ';' ; /* ; */ SELECT \"a;\" ;; SELECT 3");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "SELECT ';'");
  EXPECT_EQ(parts[1], "SELECT \"a;\"");
  EXPECT_EQ(parts[2], "SELECT 3");
  EXPECT_TRUE(IsCompleteStatement("SELECT 1;"));
  EXPECT_TRUE(IsCompleteStatement("SELECT 1; -- done\n"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1"));
  EXPECT_FALSE(IsCompleteStatement("SELECT ';"));
  EXPECT_FALSE(IsCompleteStatement("SELECT 1 /* ; */"));
  EXPECT_FALSE(SqlKeywords().empty());
}

TEST(SqlParserTest, SelectBasics) {
  auto s = ParseStatement(
      "select DISTINCT a, B as bee, \"Cee\" cee, t.* , * from My_Table t where a > 1");
  const auto& sel = SelectOf(*s);
  EXPECT_TRUE(sel.distinct);
  ASSERT_EQ(sel.select_list.size(), 5u);
  EXPECT_EQ(sel.select_list[0].expr->kind, ExpressionKind::kColumnRef);
  EXPECT_EQ(sel.select_list[1].expr->As<ColumnRefExpression>().column_name(), "b");
  EXPECT_EQ(sel.select_list[1].alias, "bee");
  EXPECT_EQ(sel.select_list[2].expr->As<ColumnRefExpression>().column_name(), "Cee");
  EXPECT_TRUE(sel.select_list[2].expr->As<ColumnRefExpression>().name.quoted[0]);
  EXPECT_EQ(sel.select_list[2].alias, "cee");
  ASSERT_EQ(sel.select_list[3].expr->kind, ExpressionKind::kStar);
  EXPECT_EQ(sel.select_list[3].expr->As<StarExpression>().qualifier.Joined(), "t");
  EXPECT_TRUE(sel.select_list[4].expr->As<StarExpression>().qualifier.empty());
  ASSERT_EQ(sel.from->kind, TableRefKind::kBaseTable);
  EXPECT_EQ(sel.from->As<BaseTableRef>().name.Joined(), "my_table");
  EXPECT_EQ(sel.from->alias, "t");
  ASSERT_TRUE(sel.where);
  EXPECT_EQ(sel.where->As<BinaryExpression>().op, BinaryOp::kGreater);
  EXPECT_EQ(s->position, 0);
  EXPECT_EQ(sel.where->position, 70);
  EXPECT_EQ(
      RoundTrip("select DISTINCT a, B as bee, \"Cee\" cee, t.* , * from My_Table t where a > 1"),
      "SELECT DISTINCT a, b AS bee, \"Cee\" AS cee, t.*, * FROM my_table AS t WHERE a > 1");
}

// Found by test/fuzz/sql_fuzzer.cpp: the base of a subscript or of a ROW field access printed
// without its parentheses, so the SQL text of "(1).x" was "1.x" (a decimal, then x) and that of
// "(a + b)[1]" was "a + b[1]".
TEST(SqlParserTest, PostfixOperatorsKeepTheParenthesesOfTheirBase) {
  EXPECT_EQ(RoundTrip("SELECT (1).x"), "SELECT (1).x");
  EXPECT_EQ(RoundTrip("SELECT (a + b)[1], (a || b).f, a[1].f, CAST(r AS ROW(f INTEGER)).f"),
            "SELECT (a + b)[1], (a || b).f, a[1].f, CAST(r AS row(f integer)).f");
  EXPECT_EQ(RoundTrip("SELECT ('abc')[1], x.y[2]"), "SELECT ('abc')[1], x.y[2]");
}

// Found by test/fuzz/sql_fuzzer.cpp: a comma join on the left of an explicit JOIN printed without
// parentheses, which reads back as a JOIN of the comma join's right side only.
TEST(SqlParserTest, CommaJoinOnTheLeftOfAJoinKeepsItsParentheses) {
  EXPECT_EQ(RoundTrip("SELECT * FROM (k,t)  JOIN u ON k.a = u.a"),
            "SELECT * FROM (k, t) JOIN u ON k.a = u.a");
  EXPECT_EQ(RoundTrip("SELECT * FROM k, t JOIN u ON t.a = u.a"),
            "SELECT * FROM k, (t JOIN u ON t.a = u.a)");
}

TEST(SqlParserTest, SelectWithoutFrom) {
  auto s = ParseStatement("SELECT 1 + 2 * 3, 'x' || 'y'");
  const auto& sel = SelectOf(*s);
  EXPECT_FALSE(sel.from);
  const auto& add = sel.select_list[0].expr->As<BinaryExpression>();
  EXPECT_EQ(add.op, BinaryOp::kAdd);
  EXPECT_EQ(add.right->As<BinaryExpression>().op, BinaryOp::kMultiply);
  EXPECT_EQ(sel.select_list[1].expr->As<BinaryExpression>().op, BinaryOp::kConcat);
}

TEST(SqlParserTest, Customer360Query) {
  const std::string sql = R"(-- Customer 360 query spanning 3 data sources
SELECT 
    t.transaction_id,
    c.customer_name,
    c.email,
    c.region,
    p.product_name,
    p.category,
    t.quantity,
    t.transaction_date,
    t.quantity * p.unit_price AS calculated_amount
FROM iceberg.demo.transactions t
LEFT JOIN postgresql.public.customers c
    ON t.customer_id = c.customer_id
LEFT JOIN iceberg.demo.products p
    ON t.product_id = p.product_id
ORDER BY t.transaction_date DESC
LIMIT 100;)";
  auto s = ParseStatement(sql);
  const auto& sel = SelectOf(*s);
  ASSERT_EQ(sel.select_list.size(), 9u);
  EXPECT_EQ(sel.select_list[8].alias, "calculated_amount");
  EXPECT_EQ(sel.select_list[8].expr->As<BinaryExpression>().op, BinaryOp::kMultiply);
  ASSERT_EQ(sel.from->kind, TableRefKind::kJoin);
  const auto& outer = sel.from->As<JoinRef>();
  EXPECT_EQ(outer.type, AstJoinType::kLeft);
  EXPECT_EQ(outer.right->As<BaseTableRef>().name.Joined(), "iceberg.demo.products");
  EXPECT_EQ(outer.right->alias, "p");
  const auto& inner = outer.left->As<JoinRef>();
  EXPECT_EQ(inner.type, AstJoinType::kLeft);
  EXPECT_EQ(inner.left->As<BaseTableRef>().name.parts.size(), 3u);
  EXPECT_EQ(inner.left->alias, "t");
  EXPECT_EQ(inner.right->As<BaseTableRef>().name.Joined(), "postgresql.public.customers");
  EXPECT_EQ(inner.condition->ToString(), "t.customer_id = c.customer_id");
  ASSERT_EQ(sel.order_by.size(), 1u);
  EXPECT_FALSE(sel.order_by[0].ascending);
  EXPECT_EQ(sel.order_by[0].expr->ToString(), "t.transaction_date");
  EXPECT_EQ(sel.limit, 100);
  EXPECT_EQ(s->text.back(), '0');  // the statement text stops before ';'
  RoundTrip(sql);
}

TEST(SqlParserTest, RegionalQuery) {
  const std::string sql = R"(-- Regional performance analytics
SELECT 
    c.region,
    COUNT(*) as total_transactions,
    SUM(t.quantity * p.unit_price) as total_revenue,
    AVG(t.quantity * p.unit_price) as avg_transaction,
    COUNT(DISTINCT c.customer_id) as unique_customers
FROM iceberg.demo.transactions t
JOIN postgresql.public.customers c ON t.customer_id = c.customer_id
JOIN iceberg.demo.products p ON t.product_id = p.product_id
WHERE t.transaction_date >= CURRENT_DATE - INTERVAL '30' DAY
GROUP BY c.region
ORDER BY total_revenue DESC;)";
  auto s = ParseStatement(sql);
  const auto& sel = SelectOf(*s);
  const auto& count = sel.select_list[1].expr->As<FunctionCallExpression>();
  EXPECT_EQ(count.function_name(), "count");
  EXPECT_TRUE(count.is_star);
  const auto& distinct = sel.select_list[4].expr->As<FunctionCallExpression>();
  EXPECT_TRUE(distinct.distinct);
  EXPECT_EQ(sel.from->As<JoinRef>().type, AstJoinType::kInner);
  const auto& where = sel.where->As<BinaryExpression>();
  EXPECT_EQ(where.op, BinaryOp::kGreaterEqual);
  const auto& minus = where.right->As<BinaryExpression>();
  EXPECT_EQ(minus.op, BinaryOp::kSubtract);
  const auto& cd = minus.left->As<FunctionCallExpression>();
  EXPECT_EQ(cd.function_name(), "current_date");
  EXPECT_TRUE(cd.special_form);
  const auto& interval = minus.right->As<LiteralExpression>();
  EXPECT_EQ(interval.literal_kind, LiteralKind::kInterval);
  EXPECT_EQ(interval.text, "30");
  EXPECT_EQ(interval.interval_start, IntervalField::kDay);
  Value v = LiteralToValue(interval);
  EXPECT_EQ(v.type().id, TypeId::kInterval);
  EXPECT_EQ(v.GetInterval().days, 30);
  ASSERT_EQ(sel.group_by.size(), 1u);
  EXPECT_EQ(sel.group_by[0]->ToString(), "c.region");
  EXPECT_EQ(sel.order_by[0].expr->ToString(), "total_revenue");
  EXPECT_NE(RoundTrip(sql).find("CURRENT_DATE - INTERVAL '30' DAY"), std::string::npos);
}

TEST(SqlParserTest, Seed002BracketedView) {
  const std::string query = R"(SELECT
  u.id,
  u.email,
  u.name,
  COUNT(o.id) as total_orders,
  SUM(o.total) as lifetime_value,
  MAX(o.created_at) as last_order_date,
  es.page_views_30d
FROM
  [users-db].users u
  LEFT JOIN [orders-db].orders o ON u.id = o.user_id
  LEFT JOIN [analytics-db].user_analytics es ON u.id = es.user_id
GROUP BY u.id, es.page_views_30d)";
  auto s = ParseStatement("CREATE VIEW customer_summary AS " + query);
  ASSERT_EQ(s->kind, StatementKind::kCreateView);
  const auto& cv = s->As<CreateViewStatement>();
  EXPECT_EQ(cv.name.Joined(), "customer_summary");
  EXPECT_EQ(cv.sql, query);
  const auto& sel = cv.query->As<SelectNode>();
  const auto& users = sel.from->As<JoinRef>().left->As<JoinRef>().left->As<BaseTableRef>();
  ASSERT_EQ(users.name.parts.size(), 2u);
  EXPECT_EQ(users.name.parts[0], "users-db");
  EXPECT_TRUE(users.name.quoted[0]);
  EXPECT_EQ(users.name.parts[1], "users");
  EXPECT_EQ(users.alias, "u");
  EXPECT_EQ(sel.group_by.size(), 2u);
  EXPECT_NE(
      RoundTrip("CREATE VIEW customer_summary AS " + query).find("FROM \"users-db\".users AS u"),
      std::string::npos);
  // The view's text parses on its own (the planner re-parses stored views).
  EXPECT_EQ(ParseQuery(cv.sql)->ToString(), cv.query->ToString());

  const std::string tiers = R"(SELECT
    CASE
      WHEN total_orders > 50 THEN 'VIP'
      WHEN total_orders > 20 THEN 'Gold'
      WHEN total_orders > 5 THEN 'Silver'
      ELSE 'Bronze'
    END as tier,
    COUNT(*) as customer_count,
    AVG(lifetime_value) as avg_ltv
  FROM customer_summary
  GROUP BY tier)";
  auto t = ParseStatement(tiers);
  const auto& c = SelectOf(*t).select_list[0].expr->As<CaseExpression>();
  EXPECT_FALSE(c.operand);
  EXPECT_EQ(c.whens.size(), 3u);
  ASSERT_TRUE(c.else_expr);
  RoundTrip(tiers);
}

TEST(SqlParserTest, Identifiers) {
  auto s = ParseStatement("SELECT \"Order\", `Group`, [my col], x.\"Y\" FROM \"Cat\".[sch-1].tbl");
  const auto& sel = SelectOf(*s);
  EXPECT_EQ(sel.select_list[0].expr->As<ColumnRefExpression>().column_name(), "Order");
  EXPECT_EQ(sel.select_list[1].expr->As<ColumnRefExpression>().column_name(), "Group");
  EXPECT_EQ(sel.select_list[2].expr->As<ColumnRefExpression>().column_name(), "my col");
  EXPECT_EQ(sel.select_list[3].expr->As<ColumnRefExpression>().name.Joined(), "x.Y");
  EXPECT_EQ(sel.from->As<BaseTableRef>().name.Joined(), "Cat.sch-1.tbl");
  EXPECT_EQ(RoundTrip("SELECT \"Order\", \"select\" FROM \"a\"\"b\""),
            "SELECT \"Order\", \"select\" FROM \"a\"\"b\"");
  // '-' is not part of an unquoted name; the error says how to quote it.
  auto e = ExpectSyntaxError("SELECT * FROM users-db.users");
  EXPECT_EQ(e.position(), 19);
  EXPECT_NE(std::string(e.what()).find("\"users-db\" or [users-db]"), std::string::npos)
      << e.what();
  // In an expression, a-b is a subtraction.
  EXPECT_EQ(ParseExpression("a-b")->As<BinaryExpression>().op, BinaryOp::kSubtract);
  // A name may not start with a digit.
  e = ExpectSyntaxError("SELECT * FROM t WHERE 2024_sales > 1");
  EXPECT_NE(std::string(e.what()).find("must not start with a digit"), std::string::npos)
      << e.what();
  ExpectSyntaxError("SELECT 1abc");
  // Hexadecimal integers.
  EXPECT_EQ(ParseExpression("0x1F")->As<LiteralExpression>().integer_value, 31);
  ExpectSyntaxError("SELECT 0xFFFFFFFFFFFFFFFFFF");
  // a[1] is a subscript, not a bracketed alias; ARRAY[...] builds an array.
  auto sub_stmt = ParseStatement("SELECT arr[1][2] FROM t");
  const auto& sub = SelectOf(*sub_stmt).select_list[0].expr;
  EXPECT_EQ(sub->As<FunctionCallExpression>().function_name(), "subscript");
  EXPECT_EQ(sub->ToString(), "arr[1][2]");
  EXPECT_EQ(ParseExpression("ARRAY [1, 2]")->ToString(), "ARRAY[1, 2]");
  EXPECT_EQ(SelectOf(*ParseStatement("SELECT a [b] FROM t")).select_list[0].alias, "b");
  EXPECT_EQ(ParseExpression("CURRENT_USER")->As<FunctionCallExpression>().function_name(),
            "current_user");
  // Reserved words need quotes.
  ExpectSyntaxError("SELECT select FROM t");
  auto reserved = ExpectSyntaxError("SELECT * FROM order");
  EXPECT_NE(std::string(reserved.what()).find("reserved word"), std::string::npos)
      << reserved.what();
  EXPECT_EQ(reserved.position(), 14);
  EXPECT_NO_THROW(ParseStatement("SELECT * FROM \"order\""));
  EXPECT_NO_THROW(ParseStatement("SELECT date, year, value, count, interval FROM t"));
}

TEST(SqlParserTest, Literals) {
  auto e = ParseExpression("42");
  ASSERT_EQ(e->kind, ExpressionKind::kLiteral);
  EXPECT_EQ(e->As<LiteralExpression>().literal_kind, LiteralKind::kInteger);
  EXPECT_EQ(e->As<LiteralExpression>().integer_value, 42);
  EXPECT_EQ(LiteralToValue(e->As<LiteralExpression>()).type().id, TypeId::kInteger);
  e = ParseExpression("3000000000");
  EXPECT_EQ(LiteralToValue(e->As<LiteralExpression>()).type().id, TypeId::kBigInt);
  e = ParseExpression("-9223372036854775808");
  EXPECT_EQ(e->As<LiteralExpression>().literal_kind, LiteralKind::kInteger);
  EXPECT_EQ(e->As<LiteralExpression>().integer_value, INT64_MIN);
  e = ParseExpression("99999999999999999999");
  EXPECT_EQ(e->As<LiteralExpression>().literal_kind, LiteralKind::kDecimal);
  e = ParseExpression("1.50");
  EXPECT_EQ(e->As<LiteralExpression>().literal_kind, LiteralKind::kDecimal);
  EXPECT_EQ(e->As<LiteralExpression>().text, "1.50");
  Value v = LiteralToValue(e->As<LiteralExpression>());
  EXPECT_EQ(v.type(), LogicalType::Decimal(3, 2));
  EXPECT_EQ(v.GetInt64(), 150);
  e = ParseExpression("-0.5");
  v = LiteralToValue(e->As<LiteralExpression>());
  EXPECT_EQ(v.type(), LogicalType::Decimal(1, 1));
  EXPECT_EQ(v.GetInt64(), -5);
  e = ParseExpression("1e3");
  EXPECT_EQ(e->As<LiteralExpression>().literal_kind, LiteralKind::kDouble);
  EXPECT_DOUBLE_EQ(LiteralToValue(e->As<LiteralExpression>()).GetDouble(), 1000.0);
  e = ParseExpression("'it''s'");
  EXPECT_EQ(e->As<LiteralExpression>().text, "it's");
  EXPECT_EQ(e->ToString(), "'it''s'");
  EXPECT_EQ(LiteralToValue(e->As<LiteralExpression>()).GetString(), "it's");
  e = ParseExpression("TRUE");
  EXPECT_TRUE(LiteralToValue(e->As<LiteralExpression>()).GetBool());
  e = ParseExpression("null");
  EXPECT_TRUE(LiteralToValue(e->As<LiteralExpression>()).is_null());
  e = ParseExpression("DATE '2024-01-01'");
  EXPECT_EQ(e->As<LiteralExpression>().literal_kind, LiteralKind::kTyped);
  EXPECT_EQ(e->As<LiteralExpression>().type_name, "DATE");
  v = LiteralToValue(e->As<LiteralExpression>());
  EXPECT_EQ(v.type().id, TypeId::kDate);
  EXPECT_EQ(v.ToString(), "2024-01-01");
  e = ParseExpression("timestamp '2024-01-01 10:30:00'");
  v = LiteralToValue(e->As<LiteralExpression>());
  EXPECT_EQ(v.type().id, TypeId::kTimestamp);
  e = ParseExpression("TIMESTAMP '2024-01-01 10:30:00 UTC'");
  v = LiteralToValue(e->As<LiteralExpression>());
  EXPECT_EQ(v.type().id, TypeId::kTimestampTz);
  e = ParseExpression("DATE '2024-13-01'");
  try {
    LiteralToValue(e->As<LiteralExpression>());
    FAIL();
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::kConversion);
    EXPECT_EQ(err.position(), 0);
  }
  e = ParseExpression("DECIMAL '12.345'");
  EXPECT_EQ(LiteralToValue(e->As<LiteralExpression>()).type(), LogicalType::Decimal(5, 3));
  e = ParseExpression("TIME '10:00:00.5'");
  EXPECT_EQ(LiteralToValue(e->As<LiteralExpression>()).ToString(), "10:00:00.5");
  e = ParseExpression("TIME '25:00:00'");
  EXPECT_THROW(LiteralToValue(e->As<LiteralExpression>()), Error);
  e = ParseExpression("DECIMAL '12345678901234567890.5'");  // 21 digits: a 128-bit DECIMAL
  EXPECT_EQ(LiteralToValue(e->As<LiteralExpression>()).type(), LogicalType::Decimal(21, 1));
  e = ParseExpression("JSON '{\"a\": [1, 2]}'");
  EXPECT_EQ(LiteralToValue(e->As<LiteralExpression>()).ToString(), "{\"a\":[1,2]}");
  e = ParseExpression("JSON '{\"a\": '");
  EXPECT_THROW(LiteralToValue(e->As<LiteralExpression>()), Error);
}

Interval IntervalOf(const std::string& text) {
  auto e = ParseExpression(text);
  EXPECT_EQ(e->kind, ExpressionKind::kLiteral) << text;
  EXPECT_EQ(e->As<LiteralExpression>().literal_kind, LiteralKind::kInterval) << text;
  return LiteralToValue(e->As<LiteralExpression>()).GetInterval();
}

TEST(SqlParserTest, Intervals) {
  EXPECT_EQ(IntervalOf("INTERVAL '30' DAY"), (Interval{0, 30, 0}));
  EXPECT_EQ(IntervalOf("INTERVAL '2' HOUR"), (Interval{0, 0, 2 * 3600 * kMicrosPerSecond}));
  EXPECT_EQ(IntervalOf("INTERVAL '1-2' YEAR TO MONTH"), (Interval{14, 0, 0}));
  EXPECT_EQ(IntervalOf("INTERVAL '30 days'"), (Interval{0, 30, 0}));
  EXPECT_EQ(IntervalOf("INTERVAL '1 year 2 months'"), (Interval{14, 0, 0}));
  EXPECT_EQ(IntervalOf("INTERVAL '-3' MONTH"), (Interval{-3, 0, 0}));
  EXPECT_EQ(IntervalOf("INTERVAL -'3' MONTH"), (Interval{-3, 0, 0}));
  EXPECT_EQ(IntervalOf("INTERVAL '2 10:30:01.5' DAY TO SECOND"),
            (Interval{0, 2, (10 * 3600 + 30 * 60 + 1) * kMicrosPerSecond + 500000}));
  EXPECT_EQ(IntervalOf("INTERVAL '1.25' SECOND"), (Interval{0, 0, 1250000}));
  EXPECT_EQ(IntervalOf("INTERVAL '2' WEEK"), (Interval{0, 14, 0}));
  EXPECT_EQ(IntervalOf("interval '5' minutes"), (Interval{0, 0, 300 * kMicrosPerSecond}));
  auto bad = [](const std::string& sql) {
    auto e = ParseExpression(sql);
    EXPECT_THROW(LiteralToValue(e->As<LiteralExpression>()), Error) << sql;
  };
  bad("INTERVAL 'abc' DAY");
  bad("INTERVAL '30'");
  bad("INTERVAL '1.5' DAY");
  bad("INTERVAL '1-13' YEAR TO MONTH");
  bad("INTERVAL '99999999999999999' DAY");
  bad("INTERVAL '3 fortnights'");
  EXPECT_EQ(ParseExpression("INTERVAL '1-2' YEAR TO MONTH")->ToString(),
            "INTERVAL '1-2' YEAR TO MONTH");
  // INTERVAL as a column name.
  EXPECT_EQ(ParseExpression("interval + 1")->kind, ExpressionKind::kBinary);
}

TEST(SqlParserTest, OperatorPrecedence) {
  auto e = ParseExpression("a OR b AND NOT c = 1");
  ASSERT_EQ(e->As<BinaryExpression>().op, BinaryOp::kOr);
  const auto& and_expr = e->As<BinaryExpression>().right->As<BinaryExpression>();
  EXPECT_EQ(and_expr.op, BinaryOp::kAnd);
  const auto& not_expr = and_expr.right->As<UnaryExpression>();
  EXPECT_EQ(not_expr.op, UnaryOp::kNot);
  EXPECT_EQ(not_expr.child->As<BinaryExpression>().op, BinaryOp::kEqual);

  e = ParseExpression("1 - 2 - 3");
  EXPECT_EQ(e->As<BinaryExpression>().left->kind, ExpressionKind::kBinary);
  EXPECT_EQ(e->ToString(), "1 - 2 - 3");
  e = ParseExpression("1 - (2 - 3)");
  EXPECT_EQ(e->ToString(), "1 - (2 - 3)");
  e = ParseExpression("(a + b) * c % d");
  EXPECT_EQ(e->ToString(), "(a + b) * c % d");
  e = ParseExpression("-a * -(b + 1)");
  EXPECT_EQ(e->ToString(), "-a * -(b + 1)");
  e = ParseExpression("- -a");
  EXPECT_EQ(e->ToString(), "-(-a)");
  e = ParseExpression("a - -1");
  EXPECT_EQ(e->ToString(), "a - -1");
  e = ParseExpression("'a' || b || 1 + 2");
  EXPECT_EQ(e->As<BinaryExpression>().op, BinaryOp::kConcat);
  EXPECT_EQ(e->As<BinaryExpression>().right->As<BinaryExpression>().op, BinaryOp::kAdd);
  e = ParseExpression("(a OR b) AND c");
  EXPECT_EQ(e->ToString(), "(a OR b) AND c");
  e = ParseExpression("a <> b AND c != d AND e <= f AND g >= h AND i < j");
  EXPECT_EQ(e->ToString(), "a <> b AND c <> d AND e <= f AND g >= h AND i < j");
  e = ParseExpression("a IS DISTINCT FROM b OR a IS NOT DISTINCT FROM c");
  EXPECT_EQ(e->As<BinaryExpression>().left->As<BinaryExpression>().op, BinaryOp::kIsDistinctFrom);
  EXPECT_EQ(e->As<BinaryExpression>().right->As<BinaryExpression>().op,
            BinaryOp::kIsNotDistinctFrom);
  EXPECT_EQ(e->ToString(), "a IS DISTINCT FROM b OR a IS NOT DISTINCT FROM c");
  e = ParseExpression("NOT a AND b");
  EXPECT_EQ(e->As<BinaryExpression>().op, BinaryOp::kAnd);
}

TEST(SqlParserTest, Predicates) {
  auto e = ParseExpression("x NOT BETWEEN 1 AND 2 + 3 AND y");
  ASSERT_EQ(e->As<BinaryExpression>().op, BinaryOp::kAnd);
  const auto& between = e->As<BinaryExpression>().left->As<BetweenExpression>();
  EXPECT_TRUE(between.negated);
  EXPECT_EQ(between.high->ToString(), "2 + 3");
  e = ParseExpression("x IN (1, 2, 3)");
  EXPECT_EQ(e->As<InListExpression>().list.size(), 3u);
  EXPECT_FALSE(e->As<InListExpression>().negated);
  e = ParseExpression("x NOT IN ('a')");
  EXPECT_TRUE(e->As<InListExpression>().negated);
  e = ParseExpression("x IN (SELECT id FROM t WHERE y > 0)");
  ASSERT_EQ(e->kind, ExpressionKind::kInSubquery);
  EXPECT_EQ(e->As<InSubqueryExpression>().query->kind, QueryNodeKind::kSelect);
  e = ParseExpression("x NOT IN (SELECT id FROM t)");
  EXPECT_TRUE(e->As<InSubqueryExpression>().negated);
  e = ParseExpression("NOT EXISTS (SELECT 1 FROM t WHERE t.a = u.a)");
  ASSERT_EQ(e->kind, ExpressionKind::kExists);
  EXPECT_TRUE(e->As<ExistsExpression>().negated);
  e = ParseExpression("EXISTS (SELECT 1)");
  EXPECT_FALSE(e->As<ExistsExpression>().negated);
  e = ParseExpression("(SELECT max(a) FROM t) + 1");
  EXPECT_EQ(e->As<BinaryExpression>().left->kind, ExpressionKind::kSubquery);
  e = ParseExpression("name NOT LIKE 'a%' ESCAPE '\\'");
  const auto& like = e->As<LikeExpression>();
  EXPECT_TRUE(like.negated);
  EXPECT_FALSE(like.case_insensitive);
  ASSERT_TRUE(like.escape);
  e = ParseExpression("name ILIKE '%X%'");
  EXPECT_TRUE(e->As<LikeExpression>().case_insensitive);
  e = ParseExpression("a IS NULL AND b IS NOT NULL");
  EXPECT_FALSE(e->As<BinaryExpression>().left->As<IsNullExpression>().negated);
  EXPECT_TRUE(e->As<BinaryExpression>().right->As<IsNullExpression>().negated);
  for (const char* sql :
       {"x NOT BETWEEN 1 AND 2 + 3 AND y", "x NOT IN (SELECT id FROM t)",
        "NOT EXISTS (SELECT 1 FROM t WHERE t.a = u.a)", "name NOT LIKE 'a%' ESCAPE '\\'",
        "(a = b) = (c IS NULL)", "NOT (a AND b)", "(NOT EXISTS (SELECT 1)) = TRUE", "a + b IS NULL",
        "(a BETWEEN 1 AND 2) BETWEEN FALSE AND TRUE"}) {
    std::string once = ParseExpression(sql)->ToString();
    EXPECT_EQ(ParseExpression(once)->ToString(), once) << sql;
  }
  EXPECT_EQ(ParseExpression("(NOT EXISTS (SELECT 1)) = TRUE")->kind, ExpressionKind::kBinary);
  EXPECT_EQ(ParseExpression(ParseExpression("(NOT EXISTS (SELECT 1)) = TRUE")->ToString())->kind,
            ExpressionKind::kBinary);
}

TEST(SqlParserTest, QuantifiedComparisons) {
  auto e = ParseExpression("x = ANY (SELECT a FROM t)");
  ASSERT_EQ(e->kind, ExpressionKind::kInSubquery);
  EXPECT_FALSE(e->As<InSubqueryExpression>().negated);
  e = ParseExpression("x = SOME (SELECT a FROM t)");
  ASSERT_EQ(e->kind, ExpressionKind::kInSubquery);
  e = ParseExpression("x <> ALL (SELECT a FROM t)");
  ASSERT_EQ(e->kind, ExpressionKind::kInSubquery);
  EXPECT_TRUE(e->As<InSubqueryExpression>().negated);
  e = ParseExpression("x > ALL (SELECT a FROM t WHERE b = 1)");
  ASSERT_EQ(e->kind, ExpressionKind::kCase);
  const auto& c = e->As<CaseExpression>();
  ASSERT_EQ(c.whens.size(), 4u);
  EXPECT_EQ(c.whens[0].then->ToString(), "TRUE");  // empty subquery: ALL is true
  EXPECT_EQ(c.whens[2].when->ToString(),
            "NOT x > (SELECT max(\"$quantified\".\"$value\") FROM (SELECT a FROM t WHERE b = 1) AS "
            "\"$quantified\"(\"$value\"))");
  EXPECT_EQ(c.whens[2].then->ToString(), "FALSE");
  EXPECT_EQ(c.else_expr->ToString(), "TRUE");
  e = ParseExpression("x <= ANY (SELECT a FROM t)");
  ASSERT_EQ(e->kind, ExpressionKind::kCase);
  EXPECT_EQ(e->As<CaseExpression>().whens[0].then->ToString(), "FALSE");  // empty: ANY is false
  EXPECT_NE(e->As<CaseExpression>().whens[2].when->ToString().find("x <= (SELECT max("),
            std::string::npos);
  e = ParseExpression("x < ANY (SELECT a FROM t)");
  EXPECT_NE(e->ToString().find("x < (SELECT max("), std::string::npos);
  e = ParseExpression("x >= ALL (SELECT a FROM t)");
  EXPECT_NE(e->ToString().find("NOT x >= (SELECT max("), std::string::npos);
  e = ParseExpression("x = ALL (SELECT a FROM t)");
  EXPECT_NE(e->ToString().find("x <> (SELECT min("), std::string::npos);
  for (const char* sql :
       {"x > ALL (SELECT a FROM t)", "x <> ANY (SELECT a FROM t)", "x = ALL (VALUES 1, 2)"}) {
    std::string once = ParseExpression(sql)->ToString();
    EXPECT_EQ(ParseExpression(once)->ToString(), once);
  }
  EXPECT_THROW(ParseExpression("x > ALL (1, 2)"), Error);
  // "all" and "any" stay usable as column names.
  EXPECT_EQ(ParseExpression("x > any")->kind, ExpressionKind::kBinary);
}

TEST(SqlParserTest, FunctionsAndSpecialForms) {
  auto e = ParseExpression("COALESCE(a, 0) + NULLIF(b, 1) + IF(c, 1, 2)");
  EXPECT_EQ(e->ToString(), "coalesce(a, 0) + nullif(b, 1) + if(c, 1, 2)");
  e = ParseExpression("CAST(x AS decimal(10, 2))");
  ASSERT_EQ(e->kind, ExpressionKind::kCast);
  EXPECT_EQ(e->As<CastExpression>().type_name, "decimal(10,2)");
  EXPECT_FALSE(e->As<CastExpression>().try_cast);
  EXPECT_TRUE(ParseTypeName(e->As<CastExpression>().type_name).has_value());
  e = ParseExpression("TRY_CAST(x AS VARCHAR(20))");
  EXPECT_TRUE(e->As<CastExpression>().try_cast);
  EXPECT_EQ(e->As<CastExpression>().type_name, "varchar(20)");
  e = ParseExpression("CAST(x AS timestamp(3) with time zone)");
  EXPECT_EQ(e->As<CastExpression>().type_name, "timestamp(3) with time zone");
  EXPECT_EQ(ParseTypeName(e->As<CastExpression>().type_name)->id, TypeId::kTimestampTz);
  e = ParseExpression("CAST(x AS double precision)");
  EXPECT_EQ(e->As<CastExpression>().type_name, "double precision");
  EXPECT_EQ(ParseTypeName(e->As<CastExpression>().type_name)->id, TypeId::kDouble);
  e = ParseExpression("x::bigint + 1");
  EXPECT_EQ(e->As<BinaryExpression>().left->As<CastExpression>().type_name, "bigint");
  EXPECT_EQ(e->ToString(), "CAST(x AS bigint) + 1");
  e = ParseExpression("EXTRACT(YEAR FROM d)");
  ASSERT_EQ(e->kind, ExpressionKind::kExtract);
  EXPECT_EQ(e->As<ExtractExpression>().field, "year");
  EXPECT_EQ(e->ToString(), "EXTRACT(YEAR FROM d)");
  for (const char* f : {"CURRENT_DATE", "CURRENT_TIMESTAMP", "LOCALTIMESTAMP"}) {
    e = ParseExpression(f);
    ASSERT_EQ(e->kind, ExpressionKind::kFunction) << f;
    EXPECT_TRUE(e->As<FunctionCallExpression>().special_form);
    EXPECT_TRUE(e->As<FunctionCallExpression>().args.empty());
    EXPECT_EQ(e->ToString(), f);
  }
  e = ParseExpression("now()");
  EXPECT_EQ(e->As<FunctionCallExpression>().function_name(), "now");
  EXPECT_FALSE(e->As<FunctionCallExpression>().special_form);
  e = ParseExpression("position('b' IN 'abc')");
  EXPECT_EQ(e->ToString(), "strpos('abc', 'b')");
  e = ParseExpression("substring(s FROM 2 FOR 3)");
  EXPECT_EQ(e->ToString(), "substr(s, 2, 3)");
  e = ParseExpression("trim(BOTH 'x' FROM s)");
  EXPECT_EQ(e->ToString(), "trim(s, 'x')");
  e = ParseExpression("trim(s)");
  EXPECT_EQ(e->ToString(), "trim(s)");
  e = ParseExpression("count(*) FILTER (WHERE x > 1)");
  ASSERT_TRUE(e->As<FunctionCallExpression>().filter);
  EXPECT_EQ(e->ToString(), "count(*) FILTER (WHERE x > 1)");
  e = ParseExpression("array_agg(x ORDER BY y DESC)");
  EXPECT_EQ(e->As<FunctionCallExpression>().order_by.size(), 1u);
  e = ParseExpression("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END");
  ASSERT_TRUE(e->As<CaseExpression>().operand);
  EXPECT_FALSE(e->As<CaseExpression>().else_expr);
  EXPECT_EQ(e->ToString(), "CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END");
  e = ParseExpression("ts AT TIME ZONE 'UTC'");
  EXPECT_EQ(e->ToString(), "at_timezone(ts, 'UTC')");
  e = ParseExpression("my_catalog.my_func(1)");
  EXPECT_EQ(e->As<FunctionCallExpression>().name.parts.size(), 2u);
}

TEST(SqlParserTest, WindowFunctions) {
  auto e = ParseExpression(
      "sum(x) OVER (PARTITION BY a, b ORDER BY c DESC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND "
      "CURRENT ROW)");
  const auto& call = e->As<FunctionCallExpression>();
  ASSERT_TRUE(call.over);
  EXPECT_EQ(call.over->partition_by.size(), 2u);
  ASSERT_EQ(call.over->order_by.size(), 1u);
  EXPECT_FALSE(call.over->order_by[0].ascending);
  EXPECT_EQ(call.over->order_by[0].nulls_first, true);
  ASSERT_TRUE(call.over->frame);
  EXPECT_EQ(call.over->frame->type, WindowFrameType::kRows);
  EXPECT_EQ(call.over->frame->start.kind, WindowFrameBoundKind::kPreceding);
  EXPECT_EQ(call.over->frame->start.offset->ToString(), "2");
  EXPECT_EQ(call.over->frame->end.kind, WindowFrameBoundKind::kCurrentRow);
  e = ParseExpression("row_number() OVER ()");
  EXPECT_TRUE(e->As<FunctionCallExpression>().over);
  EXPECT_EQ(e->ToString(), "row_number() OVER ()");
  e = ParseExpression(
      "avg(x) OVER (ORDER BY d RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)");
  EXPECT_EQ(e->As<FunctionCallExpression>().over->frame->end.kind,
            WindowFrameBoundKind::kUnboundedFollowing);
  e = ParseExpression("sum(x) OVER (ORDER BY d ROWS 3 PRECEDING)");
  EXPECT_EQ(e->ToString(), "sum(x) OVER (ORDER BY d ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)");
  e = ParseExpression(
      "lag(x, 1) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING)");
  std::string once = e->ToString();
  EXPECT_EQ(ParseExpression(once)->ToString(), once);
  EXPECT_EQ(e->Copy()->ToString(), once);
  EXPECT_THROW(ParseExpression("sum(x) OVER (ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW)"),
               Error);
  // OVER w and OVER (w ...) name a window of the WINDOW clause (resolved by the binder).
  e = ParseExpression("sum(x) OVER w");
  EXPECT_EQ(e->As<FunctionCallExpression>().over->existing_name, "w");
  EXPECT_TRUE(e->As<FunctionCallExpression>().over->name_only);
  EXPECT_EQ(e->ToString(), "sum(x) OVER w");
  e = ParseExpression("sum(x) OVER (w ORDER BY y GROUPS BETWEEN 1 PRECEDING AND 2 FOLLOWING)");
  EXPECT_EQ(e->As<FunctionCallExpression>().over->existing_name, "w");
  EXPECT_EQ(e->ToString(), "sum(x) OVER (w ORDER BY y GROUPS BETWEEN 1 PRECEDING AND 2 FOLLOWING)");
  e = ParseExpression(
      "sum(x) OVER (ORDER BY d RANGE BETWEEN INTERVAL '1' DAY PRECEDING AND CURRENT ROW)");
  EXPECT_EQ(e->As<FunctionCallExpression>().over->frame->type, WindowFrameType::kRange);
}

TEST(SqlParserTest, WindowClause) {
  std::string sql =
      "SELECT sum(x) OVER w, rank() OVER (w2 ORDER BY y) FROM t WINDOW w AS (PARTITION BY a "
      "ORDER BY b), w2 AS (w) ORDER BY 1";
  auto s = ParseStatement(sql);
  const auto& sel = SelectOf(*s);
  ASSERT_EQ(sel.windows.size(), 2u);
  EXPECT_EQ(sel.windows[0].name, "w");
  EXPECT_EQ(sel.windows[1].definition->existing_name, "w");
  EXPECT_EQ(sel.order_by.size(), 1u);
  EXPECT_EQ(RoundTrip(sql),
            "SELECT sum(x) OVER w, rank() OVER (w2 ORDER BY y) FROM t WINDOW w AS (PARTITION BY "
            "a ORDER BY b), w2 AS (w) ORDER BY 1");
  ExpectSyntaxError("SELECT 1 FROM t WINDOW w AS (ORDER BY a), w AS (ORDER BY b)");
  ExpectSyntaxError("SELECT 1 FROM t WINDOW w (ORDER BY a)");
}

TEST(SqlParserTest, GroupingSets) {
  auto s = ParseStatement("SELECT a, b FROM t GROUP BY GROUPING SETS ((a, b), (a), ())");
  const auto& sel = SelectOf(*s);
  ASSERT_EQ(sel.group_by.size(), 2u);  // each distinct expression once
  ASSERT_EQ(sel.grouping_elements.size(), 1u);
  EXPECT_EQ(sel.grouping_elements[0].kind, GroupingElementKind::kGroupingSets);
  ASSERT_EQ(sel.grouping_elements[0].lists.size(), 3u);
  EXPECT_EQ(sel.grouping_elements[0].lists[0], (std::vector<size_t>{0, 1}));
  EXPECT_EQ(sel.grouping_elements[0].lists[1], (std::vector<size_t>{0}));
  EXPECT_TRUE(sel.grouping_elements[0].lists[2].empty());
  EXPECT_EQ(RoundTrip("SELECT a FROM t GROUP BY GROUPING SETS ((a, b), (a), ())"),
            "SELECT a FROM t GROUP BY GROUPING SETS ((a, b), (a), ())");
  EXPECT_EQ(RoundTrip("SELECT a FROM t GROUP BY a, ROLLUP (b, (c, d)), CUBE (e)"),
            "SELECT a FROM t GROUP BY a, ROLLUP (b, (c, d)), CUBE (e)");
  EXPECT_EQ(RoundTrip("SELECT a FROM t GROUP BY DISTINCT ROLLUP (a, b), (a + 1) * 2"),
            "SELECT a FROM t GROUP BY DISTINCT ROLLUP (a, b), (a + 1) * 2");
  // A parenthesized list of a plain GROUP BY groups by each expression.
  auto p = ParseStatement("SELECT a FROM t GROUP BY (a, b), c");
  EXPECT_EQ(SelectOf(*p).group_by.size(), 3u);
  EXPECT_TRUE(SelectOf(*p).grouping_elements.empty());
  // grouping() is a function although GROUPING is a reserved word.
  EXPECT_EQ(ParseExpression("grouping(a, b)")->ToString(), "grouping(a, b)");
  ExpectSyntaxError("SELECT a FROM t GROUP BY ROLLUP (a");
  ExpectSyntaxError("SELECT a FROM t GROUP BY GROUPING SETS ()");
}

TEST(SqlParserTest, Joins) {
  auto s = ParseStatement(
      "SELECT * FROM a INNER JOIN b USING (id, k) RIGHT OUTER JOIN c ON b.x = c.x FULL JOIN d ON "
      "true "
      "CROSS JOIN e, f NATURAL JOIN g");
  const auto& sel = SelectOf(*s);
  const auto& comma = sel.from->As<JoinRef>();
  EXPECT_TRUE(comma.implicit);
  EXPECT_EQ(comma.type, AstJoinType::kCross);
  const auto& natural = comma.right->As<JoinRef>();
  EXPECT_TRUE(natural.natural);
  const auto& cross = comma.left->As<JoinRef>();
  EXPECT_EQ(cross.type, AstJoinType::kCross);
  const auto& full = cross.left->As<JoinRef>();
  EXPECT_EQ(full.type, AstJoinType::kFull);
  const auto& right = full.left->As<JoinRef>();
  EXPECT_EQ(right.type, AstJoinType::kRight);
  const auto& inner = right.left->As<JoinRef>();
  EXPECT_EQ(inner.type, AstJoinType::kInner);
  EXPECT_EQ(inner.using_columns, (std::vector<std::string>{"id", "k"}));
  RoundTrip(
      "SELECT * FROM a INNER JOIN b USING (id, k) RIGHT OUTER JOIN c ON b.x = c.x FULL JOIN d ON "
      "true "
      "CROSS JOIN e, f NATURAL JOIN g");
  RoundTrip("SELECT * FROM a JOIN (b JOIN c ON b.id = c.id) ON a.id = b.id");
  RoundTrip("SELECT * FROM (a JOIN b ON a.id = b.id) AS ab");
  RoundTrip("SELECT * FROM a, b, c WHERE a.x = b.x AND b.y = c.y");
  // A parenthesized relation that starts with a subquery.
  s = ParseStatement("SELECT * FROM ((SELECT 1 AS id) AS x JOIN b ON x.id = b.id)");
  EXPECT_EQ(SelectOf(*s).from->kind, TableRefKind::kJoin);
  EXPECT_EQ(SelectOf(*s).from->As<JoinRef>().left->kind, TableRefKind::kSubquery);
  RoundTrip("SELECT * FROM a, ((VALUES (1)) NATURAL JOIN d)");
  s = ParseStatement("SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS u");
  EXPECT_EQ(SelectOf(*s).from->As<SubqueryRef>().query->kind, QueryNodeKind::kSetOperation);
  EXPECT_EQ(ParseExpression("((SELECT 1) + 1)")->kind, ExpressionKind::kBinary);
  EXPECT_EQ(ParseExpression("x IN ((SELECT 1), 2)")->kind, ExpressionKind::kInList);
  EXPECT_EQ(ParseExpression("x IN ((SELECT 1))")->kind, ExpressionKind::kInSubquery);
  s = ParseStatement("SELECT * FROM (a JOIN b ON a.id = b.id) JOIN c ON c.id = a.id");
  EXPECT_EQ(SelectOf(*s).from->As<JoinRef>().left->kind, TableRefKind::kJoin);
}

TEST(SqlParserTest, TableReferences) {
  auto s = ParseStatement(
      "SELECT * FROM read_csv('/tmp/x.csv', header => true, delim => ',') AS f(a, b) JOIN "
      "(SELECT 1 AS k) sq ON sq.k = f.a JOIN (VALUES (1, 'a'), (2, 'b')) AS v(id, name) ON v.id = "
      "f.a");
  const auto& sel = SelectOf(*s);
  const auto& j2 = sel.from->As<JoinRef>();
  const auto& values = j2.right->As<SubqueryRef>();
  EXPECT_EQ(values.alias, "v");
  EXPECT_EQ(values.column_aliases, (std::vector<std::string>{"id", "name"}));
  ASSERT_EQ(values.query->kind, QueryNodeKind::kValues);
  EXPECT_EQ(values.query->As<ValuesNode>().rows.size(), 2u);
  const auto& j1 = j2.left->As<JoinRef>();
  EXPECT_EQ(j1.right->kind, TableRefKind::kSubquery);
  EXPECT_EQ(j1.right->alias, "sq");
  const auto& fn = j1.left->As<TableFunctionRef>();
  EXPECT_EQ(fn.name.Joined(), "read_csv");
  ASSERT_EQ(fn.args.size(), 3u);
  EXPECT_TRUE(fn.args[0].name.empty());
  EXPECT_EQ(fn.args[0].value->As<LiteralExpression>().text, "/tmp/x.csv");
  EXPECT_EQ(fn.args[1].name, "header");
  EXPECT_EQ(fn.args[2].name, "delim");
  EXPECT_EQ(fn.alias, "f");
  EXPECT_EQ(fn.column_aliases.size(), 2u);
  RoundTrip(
      "SELECT * FROM read_csv('/tmp/x.csv', header => true, delim => ',') AS f(a, b) JOIN "
      "(SELECT 1 AS k) sq ON sq.k = f.a JOIN (VALUES (1, 'a'), (2, 'b')) AS v(id, name) ON v.id = "
      "f.a");
  s = ParseStatement("SELECT * FROM TABLE(read_json('x.jsonl'))");
  EXPECT_EQ(SelectOf(*s).from->kind, TableRefKind::kTableFunction);

  s = ParseStatement("SELECT * FROM iceberg.demo.t FOR VERSION AS OF 123 t2");
  const auto& v = SelectOf(*s).from->As<BaseTableRef>();
  EXPECT_EQ(v.version_kind, TableVersionKind::kVersion);
  EXPECT_EQ(v.version->ToString(), "123");
  EXPECT_EQ(v.alias, "t2");
  s = ParseStatement(
      "SELECT * FROM iceberg.demo.t FOR TIMESTAMP AS OF TIMESTAMP '2024-01-01 00:00:00'");
  EXPECT_EQ(SelectOf(*s).from->As<BaseTableRef>().version_kind, TableVersionKind::kTimestamp);
  RoundTrip(
      "SELECT * FROM iceberg.demo.t FOR TIMESTAMP AS OF TIMESTAMP '2024-01-01 00:00:00' AS x");
}

TEST(SqlParserTest, SetOperationsAndPrecedence) {
  auto s = ParseStatement("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4");
  const auto& top = s->As<SelectStatement>().query->As<SetOperationNode>();
  EXPECT_EQ(top.op, SetOperationType::kExcept);
  const auto& uni = top.left->As<SetOperationNode>();
  EXPECT_EQ(uni.op, SetOperationType::kUnion);
  EXPECT_FALSE(uni.all);
  EXPECT_EQ(uni.right->As<SetOperationNode>().op, SetOperationType::kIntersect);
  RoundTrip("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4");

  s = ParseStatement("SELECT a FROM t UNION ALL SELECT b FROM u ORDER BY 1 DESC LIMIT 5");
  const auto& q = s->As<SelectStatement>().query->As<SetOperationNode>();
  EXPECT_TRUE(q.all);
  EXPECT_EQ(q.limit, 5);
  ASSERT_EQ(q.order_by.size(), 1u);
  EXPECT_EQ(q.order_by[0].expr->As<LiteralExpression>().integer_value, 1);
  EXPECT_TRUE(q.left->order_by.empty());
  EXPECT_FALSE(q.right->limit.has_value());

  s = ParseStatement(
      "(SELECT a FROM t ORDER BY a LIMIT 1) UNION DISTINCT (SELECT b FROM u LIMIT 2)");
  const auto& p = s->As<SelectStatement>().query->As<SetOperationNode>();
  EXPECT_EQ(p.left->limit, 1);
  EXPECT_EQ(p.right->limit, 2);
  EXPECT_FALSE(p.limit.has_value());
  RoundTrip("(SELECT a FROM t ORDER BY a LIMIT 1) UNION DISTINCT (SELECT b FROM u LIMIT 2)");
  RoundTrip("SELECT 1 EXCEPT (SELECT 2 UNION SELECT 3)");
  RoundTrip("(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3");

  // A parenthesized query with a LIMIT, limited again: wrapped as SELECT * FROM (...).
  s = ParseStatement("(SELECT a FROM t LIMIT 10) LIMIT 3");
  const auto& wrapped = s->As<SelectStatement>().query->As<SelectNode>();
  EXPECT_EQ(wrapped.limit, 3);
  EXPECT_EQ(wrapped.from->As<SubqueryRef>().query->limit, 10);

  // A parenthesized query alone keeps its own clauses (found by sql_grammar_fuzzer: the outer
  // level cleared them, so the query ran without its LIMIT).
  s = ParseStatement("(SELECT a FROM t ORDER BY a LIMIT 1 OFFSET 2)");
  const auto& alone = s->As<SelectStatement>().query->As<SelectNode>();
  EXPECT_EQ(alone.limit, 1);
  EXPECT_EQ(alone.offset, 2);
  EXPECT_EQ(alone.order_by.size(), 1u);
  s = ParseStatement("((WITH c AS (SELECT 1 AS x) SELECT x FROM c LIMIT 4))");
  EXPECT_EQ(s->As<SelectStatement>().query->limit, 4);
  EXPECT_EQ(s->As<SelectStatement>().query->ctes.size(), 1u);
  EXPECT_EQ(RoundTrip("SELECT (SELECT a FROM t ORDER BY 1 LIMIT 3).x"),
            "SELECT ((SELECT a FROM t ORDER BY 1 LIMIT 3)).x");
}

TEST(SqlParserTest, OrderLimitOffsetFetch) {
  auto s = ParseStatement(
      "SELECT a, b FROM t ORDER BY a ASC NULLS LAST, 2 DESC OFFSET 10 ROWS LIMIT 20");
  const auto& sel = SelectOf(*s);
  ASSERT_EQ(sel.order_by.size(), 2u);
  EXPECT_TRUE(sel.order_by[0].ascending);
  EXPECT_EQ(sel.order_by[0].nulls_first, false);
  EXPECT_FALSE(sel.order_by[1].nulls_first.has_value());
  EXPECT_EQ(sel.offset, 10);
  EXPECT_EQ(sel.limit, 20);
  s = ParseStatement("SELECT a FROM t FETCH FIRST 5 ROWS ONLY");
  EXPECT_EQ(SelectOf(*s).limit, 5);
  s = ParseStatement("SELECT a FROM t FETCH NEXT ROW ONLY");
  EXPECT_EQ(SelectOf(*s).limit, 1);
  s = ParseStatement("SELECT a FROM t LIMIT 7 OFFSET 3");
  EXPECT_EQ(SelectOf(*s).limit, 7);
  EXPECT_EQ(SelectOf(*s).offset, 3);
  s = ParseStatement("SELECT a FROM t LIMIT ALL");
  EXPECT_FALSE(SelectOf(*s).limit.has_value());
  EXPECT_EQ(RoundTrip("SELECT a FROM t ORDER BY a LIMIT 7 OFFSET 3"),
            "SELECT a FROM t ORDER BY a OFFSET 3 LIMIT 7");
  ExpectSyntaxError("SELECT a FROM t LIMIT 99999999999999999999");
  ExpectSyntaxError("SELECT a FROM t LIMIT -1");
}

TEST(SqlParserTest, GroupByHaving) {
  auto s = ParseStatement(
      "SELECT region, count(*) FROM t GROUP BY 1 HAVING count(*) > 10 AND sum(x) < 5");
  const auto& sel = SelectOf(*s);
  ASSERT_EQ(sel.group_by.size(), 1u);
  EXPECT_EQ(sel.group_by[0]->As<LiteralExpression>().integer_value, 1);
  ASSERT_TRUE(sel.having);
  EXPECT_EQ(sel.having->As<BinaryExpression>().op, BinaryOp::kAnd);
  RoundTrip("SELECT region, count(*) FROM t GROUP BY 1 HAVING count(*) > 10 AND sum(x) < 5");
}

TEST(SqlParserTest, WithClause) {
  auto s = ParseStatement(
      "WITH a (x, y) AS (SELECT 1, 2), b AS (SELECT x FROM a) SELECT * FROM a JOIN b ON a.x = b.x");
  const auto& q = *s->As<SelectStatement>().query;
  ASSERT_EQ(q.ctes.size(), 2u);
  EXPECT_EQ(q.ctes[0].name, "a");
  EXPECT_EQ(q.ctes[0].column_names, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(q.ctes[1].name, "b");
  RoundTrip(
      "WITH a (x, y) AS (SELECT 1, 2), b AS (SELECT x FROM a) SELECT * FROM a JOIN b ON a.x = b.x");
  RoundTrip("WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r UNION ALL SELECT 2 ORDER BY 1");
  RoundTrip("SELECT * FROM (WITH q AS (SELECT 1 AS one) SELECT one FROM q) AS z");
}

TEST(SqlParserTest, ValuesQuery) {
  auto s = ParseStatement("VALUES (1, 'a'), (2, 'b')");
  const auto& v = s->As<SelectStatement>().query->As<ValuesNode>();
  ASSERT_EQ(v.rows.size(), 2u);
  EXPECT_EQ(v.rows[1][1]->ToString(), "'b'");
  s = ParseStatement("VALUES 1, 2, 3");
  EXPECT_EQ(s->As<SelectStatement>().query->As<ValuesNode>().rows.size(), 3u);
  RoundTrip("VALUES 1, 2, 3");
  RoundTrip("VALUES (1, 'a'), (2, 'b') ORDER BY 1 LIMIT 1");
}

TEST(SqlParserTest, OtherStatements) {
  auto s = ParseStatement("EXPLAIN ANALYZE SELECT 1");
  ASSERT_EQ(s->kind, StatementKind::kExplain);
  EXPECT_TRUE(s->As<ExplainStatement>().analyze);
  EXPECT_EQ(s->As<ExplainStatement>().statement->kind, StatementKind::kSelect);
  EXPECT_EQ(s->As<ExplainStatement>().statement->text, "SELECT 1");
  EXPECT_EQ(s->As<ExplainStatement>().statement->position, 16);
  s = ParseStatement("EXPLAIN (TYPE LOGICAL) SELECT 1");
  EXPECT_FALSE(s->As<ExplainStatement>().analyze);
  s = ParseStatement("SHOW CATALOGS");
  EXPECT_EQ(s->kind, StatementKind::kShowCatalogs);
  s = ParseStatement("SHOW SCHEMAS FROM [users-db] LIKE 'pub%'");
  ASSERT_EQ(s->kind, StatementKind::kShowSchemas);
  EXPECT_EQ(s->As<ShowSchemasStatement>().catalog, "users-db");
  EXPECT_EQ(s->As<ShowSchemasStatement>().like_pattern, "pub%");
  s = ParseStatement("SHOW TABLES");
  EXPECT_TRUE(s->As<ShowTablesStatement>().schema.empty());
  s = ParseStatement("show tables in iceberg.demo like 't%'");
  ASSERT_EQ(s->kind, StatementKind::kShowTables);
  EXPECT_EQ(s->As<ShowTablesStatement>().schema.Joined(), "iceberg.demo");
  EXPECT_EQ(s->As<ShowTablesStatement>().like_pattern, "t%");
  s = ParseStatement("DESCRIBE iceberg.demo.transactions");
  ASSERT_EQ(s->kind, StatementKind::kDescribe);
  EXPECT_EQ(s->As<ShowColumnsStatement>().table.Joined(), "iceberg.demo.transactions");
  s = ParseStatement("SHOW COLUMNS FROM t");
  EXPECT_EQ(s->kind, StatementKind::kShowColumns);
  s = ParseStatement("CREATE OR REPLACE VIEW v AS SELECT a FROM t  ;");
  ASSERT_EQ(s->kind, StatementKind::kCreateView);
  EXPECT_TRUE(s->As<CreateViewStatement>().or_replace);
  EXPECT_EQ(s->As<CreateViewStatement>().sql, "SELECT a FROM t");
  s = ParseStatement("DROP VIEW IF EXISTS v");
  ASSERT_EQ(s->kind, StatementKind::kDropView);
  EXPECT_TRUE(s->As<DropViewStatement>().if_exists);
  s = ParseStatement("DROP VIEW v");
  EXPECT_FALSE(s->As<DropViewStatement>().if_exists);
  s = ParseStatement("CREATE TABLE IF NOT EXISTS memory.t AS SELECT 1 AS x");
  ASSERT_EQ(s->kind, StatementKind::kCreateTableAs);
  EXPECT_TRUE(s->As<CreateTableAsStatement>().if_not_exists);
  EXPECT_EQ(s->As<CreateTableAsStatement>().name.Joined(), "memory.t");
  EXPECT_EQ(s->As<CreateTableAsStatement>().sql, "SELECT 1 AS x");
  s = ParseStatement(
      "CREATE TABLE i.ns.t WITH (partitioning = ARRAY['day(d)', 'region'], format = 'PARQUET') "
      "AS SELECT 1 AS x");
  {
    const auto& props = s->As<CreateTableAsStatement>().properties;
    ASSERT_EQ(props.size(), 2u);
    EXPECT_EQ(props[0].name, "partitioning");
    EXPECT_EQ(props[0].position, 26);
    EXPECT_TRUE(props[0].is_array);
    EXPECT_EQ(props[0].values, (std::vector<std::string>{"day(d)", "region"}));
    EXPECT_EQ(props[0].value_positions, (std::vector<int>{47, 57}));
    EXPECT_EQ(props[1].name, "format");
    EXPECT_FALSE(props[1].is_array);
    EXPECT_EQ(props[1].values, (std::vector<std::string>{"PARQUET"}));
    EXPECT_EQ(s->As<CreateTableAsStatement>().sql, "SELECT 1 AS x");
  }
  EXPECT_EQ(ExpectSyntaxError("CREATE TABLE t WITH (a = 1, a = 2) AS SELECT 1").position(), 28);
  EXPECT_EQ(ExpectSyntaxError("CREATE TABLE t WITH (a = b) AS SELECT 1").position(), 25);
  try {
    ParseStatement("CREATE TABLE t (a int, b varchar)");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
  s = ParseStatement("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')");
  ASSERT_EQ(s->kind, StatementKind::kInsert);
  EXPECT_EQ(s->As<InsertStatement>().columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s->As<InsertStatement>().query->kind, QueryNodeKind::kValues);
  s = ParseStatement("INSERT INTO t SELECT * FROM u");
  EXPECT_TRUE(s->As<InsertStatement>().columns.empty());
  EXPECT_EQ(s->As<InsertStatement>().query->kind, QueryNodeKind::kSelect);
  s = ParseStatement("SET SESSION pushdown = false");
  ASSERT_EQ(s->kind, StatementKind::kSetSession);
  EXPECT_EQ(s->As<SetSessionStatement>().name, "pushdown");
  EXPECT_EQ(s->As<SetSessionStatement>().value, "false");
  s = ParseStatement("SET max_memory = '1GB'");
  EXPECT_EQ(s->As<SetSessionStatement>().name, "max_memory");
  EXPECT_EQ(s->As<SetSessionStatement>().value, "1GB");
  s = ParseStatement("SET SESSION max_memory = 1GB");
  EXPECT_EQ(s->As<SetSessionStatement>().value, "1GB");
  EXPECT_FALSE(s->As<SetSessionStatement>().value_expr);
  s = ParseStatement("set session iceberg.threads = 4;");
  EXPECT_EQ(s->As<SetSessionStatement>().name, "iceberg.threads");
  EXPECT_EQ(s->As<SetSessionStatement>().value, "4");
  ASSERT_TRUE(s->As<SetSessionStatement>().value_expr);
  s = ParseStatement("RESET SESSION pushdown");
  EXPECT_EQ(s->kind, StatementKind::kResetSession);
  s = ParseStatement("USE iceberg.demo");
  ASSERT_EQ(s->kind, StatementKind::kUse);
  EXPECT_EQ(s->As<UseStatement>().catalog, "iceberg");
  EXPECT_EQ(s->As<UseStatement>().schema, "demo");
  s = ParseStatement("USE [users-db]");
  EXPECT_EQ(s->As<UseStatement>().catalog, "users-db");
  EXPECT_TRUE(s->As<UseStatement>().schema.empty());
  ExpectSyntaxError("SET SESSION x =");
  ExpectSyntaxError("USE a.b.c");
  ExpectSyntaxError("DROP SCHEMA x");
  ExpectSyntaxError("SHOW STUFF");
  for (const char* sql :
       {"EXPLAIN ANALYZE SELECT 1", "SHOW CATALOGS", "SHOW SCHEMAS FROM [users-db] LIKE 'pub%'",
        "show tables in iceberg.demo like 't%'", "DESCRIBE iceberg.demo.transactions",
        "SHOW COLUMNS FROM t", "CREATE OR REPLACE VIEW v AS SELECT a FROM t",
        "DROP VIEW IF EXISTS v", "CREATE TABLE IF NOT EXISTS memory.t AS SELECT 1 AS x",
        "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')", "SET SESSION pushdown = false",
        "SET max_memory = 1GB", "RESET SESSION pushdown", "USE iceberg.demo",
        "SHOW FUNCTIONS LIKE 'date%'", "SHOW SESSION", "DROP TABLE IF EXISTS x"}) {
    RoundTrip(sql);
  }
}

TEST(SqlParserTest, CopyIsDeep) {
  auto q = ParseQuery(
      "SELECT a + 1 AS b, CASE WHEN x THEN y END FROM t WHERE z IN (SELECT 1) ORDER BY 1");
  auto copy = q->Copy();
  EXPECT_EQ(copy->ToString(), q->ToString());
  auto& sel = copy->As<SelectNode>();
  sel.select_list[0].alias = "changed";
  EXPECT_NE(copy->ToString(), q->ToString());
  EXPECT_EQ(q->As<SelectNode>().select_list[0].alias, "b");
}

TEST(SqlParserTest, RoundTripCorpus) {
  const char* queries[] = {
      "SELECT a FROM t WHERE a BETWEEN 1 AND 10 AND b NOT LIKE '%x' OR c IS NULL",
      "SELECT count(DISTINCT a), sum(b) FILTER (WHERE b > 0) FROM t GROUP BY c HAVING count(*) > 1",
      "SELECT CAST(a AS decimal(12,2)), TRY_CAST(b AS integer) FROM t",
      "SELECT * FROM t WHERE d >= DATE '2024-01-01' AND ts < TIMESTAMP '2024-01-01 00:00:00'",
      "SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END AS sign FROM t",
      "SELECT a, rank() OVER (PARTITION BY b ORDER BY c DESC) FROM t",
      "SELECT -a, +b, NOT c, a % 2 FROM t",
      "SELECT * FROM t WHERE NOT (a = 1 OR b = 2)",
      "SELECT \"Weird Name\", \"select\" FROM \"My Table\"",
      "SELECT 1.5, 1e10, -2.5E-3, 'x''y'",
      "SELECT a FROM t ORDER BY a DESC NULLS FIRST, b NULLS LAST LIMIT 10",
      "SELECT * FROM a LEFT JOIN b ON a.id = b.id AND b.x IS NOT NULL",
      "SELECT x FROM t WHERE x IN (SELECT y FROM u WHERE u.z = t.z) AND EXISTS (SELECT 1 FROM v)",
      "SELECT (SELECT max(a) FROM u) AS m FROM t",
      "SELECT a || ' ' || b FROM t",
      "SELECT EXTRACT(MONTH FROM d), date_trunc('month', d) FROM t",
      "SELECT CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_DATE, now()",
      "SELECT a FROM t WHERE a IS DISTINCT FROM b",
      "SELECT INTERVAL '2' HOUR + INTERVAL '1-2' YEAR TO MONTH + INTERVAL '30 days'",
      "SELECT * FROM read_csv('data/x.csv', header => true)",
      "SELECT a FROM t UNION SELECT b FROM u EXCEPT SELECT c FROM v",
      "SELECT x FROM (VALUES (1), (2)) AS v(x)",
      "SELECT 1 AS \"limit\", 2 AS \"Order\"",
      "SELECT sum(x) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING) FROM t",
      "SELECT a - -1, a - (-1), - - 1 FROM t",
      "SELECT * FROM t WHERE (a, b) IS NULL",
  };
  for (const char* sql : queries) {
    try {
      RoundTrip(sql);
    } catch (const Error& e) {
      // Only the last query (a row constructor) is expected to be rejected.
      EXPECT_NE(std::string(sql).find("(a, b)"), std::string::npos) << sql << ": " << e.what();
    }
  }
}

TEST(SqlParserTest, DeepNestingIsAnError) {
  std::string deep(5000, '(');
  deep = "SELECT " + deep + "1" + std::string(5000, ')');
  auto e = ExpectSyntaxError(deep);
  EXPECT_NE(std::string(e.what()).find("nested too deeply"), std::string::npos) << e.what();
  std::string neg = "SELECT " + std::string(100000, '-') + "1";  // "--" starts a comment: use "- "
  std::string minus;
  for (int i = 0; i < 5000; i++) minus += "- ";
  EXPECT_THROW(ParseStatement("SELECT " + minus + "1"), Error);
  std::string nots;
  for (int i = 0; i < 5000; i++) nots += "NOT ";
  EXPECT_THROW(ParseStatement("SELECT " + nots + "TRUE"), Error);
  std::string chain = "SELECT 1";
  for (int i = 0; i < 5000; i++) chain += " + 1";
  EXPECT_THROW(ParseStatement(chain), Error);
  std::string subqueries = "SELECT * FROM t";
  for (int i = 0; i < 2000; i++) subqueries = "SELECT * FROM (" + subqueries + ") AS x";
  EXPECT_THROW(ParseStatement(subqueries), Error);
  std::string unions = "SELECT 1";
  for (int i = 0; i < 5000; i++) unions += " UNION SELECT 1";
  EXPECT_THROW(ParseStatement(unions), Error);
  // Moderate nesting is fine.
  std::string ok(200, '(');
  ok = "SELECT " + ok + "1" + std::string(200, ')');
  EXPECT_NO_THROW(ParseStatement(ok));
  std::string ok_chain = "SELECT 1";
  for (int i = 0; i < 300; i++) ok_chain += " + 1";
  EXPECT_NO_THROW(RoundTrip(ok_chain));
}

// Truncations, mutations and random bytes: the parser either parses or throws aishell::Error.
TEST(SqlParserTest, FuzzNeverCrashes) {
  const std::vector<std::string> seeds = {
      "SELECT t.transaction_id, c.customer_name, t.quantity * p.unit_price AS calculated_amount "
      "FROM "
      "iceberg.demo.transactions t LEFT JOIN postgresql.public.customers c ON t.customer_id = "
      "c.customer_id "
      "ORDER BY t.transaction_date DESC LIMIT 100",
      "SELECT c.region, COUNT(*) as n, COUNT(DISTINCT c.customer_id) FROM a t JOIN b c ON t.x = "
      "c.x WHERE "
      "t.transaction_date >= CURRENT_DATE - INTERVAL '30' DAY GROUP BY c.region ORDER BY n DESC;",
      "WITH q (a) AS (VALUES (1), (2)) SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END, CAST(a AS "
      "decimal(10,2)) "
      "FROM q UNION ALL SELECT 1, 2 INTERSECT SELECT 3, 4",
      "CREATE OR REPLACE VIEW v AS SELECT * FROM [users-db].users u WHERE u.name LIKE 'a%' ESCAPE "
      "'!' AND u.id "
      "NOT IN (SELECT id FROM read_csv('x.csv', header => true)) AND NOT EXISTS (SELECT 1)",
      "SELECT sum(x) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), "
      "EXTRACT(year FROM d), x::bigint, TRY_CAST(y AS timestamp(3) with time zone) FROM t FOR "
      "VERSION AS OF 3",
      "SHOW TABLES FROM a.b LIKE 'x'; SET SESSION pushdown = false; USE x.y; DESCRIBE t; EXPLAIN "
      "ANALYZE "
      "SELECT 1; INSERT INTO t (a) VALUES (1); DROP VIEW IF EXISTS v",
  };
  const std::string alphabet = "SELECT FROM()',.;*-+/|:=<>[]\"`abc 01e\n";
  std::mt19937 rng(12345);
  int parsed = 0, errors = 0;
  auto attempt = [&](const std::string& sql) {
    try {
      auto statements = ParseStatements(sql);
      for (const auto& s : statements) {
        std::string text = s->ToString();
        // What parsed must render into SQL that parses again.
        EXPECT_NO_THROW(ParseStatement(text)) << "input: " << sql << "\nrendered: " << text;
      }
      parsed++;
    } catch (const Error& e) {
      errors++;
      EXPECT_GE(e.position(), -1);
      EXPECT_LE(e.position(), static_cast<int>(sql.size()));
    }
  };
  for (const auto& seed : seeds) {
    for (size_t n = 0; n <= seed.size(); n++) attempt(seed.substr(0, n));
    for (int i = 0; i < 400; i++) {
      std::string m = seed;
      int edits = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < edits; k++) {
        size_t p = rng() % (m.size() + 1);
        switch (rng() % 3) {
          case 0:
            if (p < m.size()) m.erase(p, 1 + rng() % 4);
            break;
          case 1:
            m.insert(p, 1, alphabet[rng() % alphabet.size()]);
            break;
          case 2:
            if (p < m.size()) m[p] = alphabet[rng() % alphabet.size()];
            break;
        }
      }
      attempt(m);
    }
  }
  for (int i = 0; i < 2000; i++) {
    std::string bytes(rng() % 64, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng() % 256);
    attempt(bytes);
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(errors, 0);
}

TEST(SqlParserTest, LambdaArguments) {
  auto e = ParseExpression("transform(a, x -> x + 1)");
  const auto& call = e->As<FunctionCallExpression>();
  ASSERT_EQ(call.args.size(), 2u);
  ASSERT_EQ(call.args[1]->kind, ExpressionKind::kLambda);
  const auto& l = call.args[1]->As<LambdaExpression>();
  EXPECT_EQ(l.params, std::vector<std::string>{"x"});
  EXPECT_EQ(l.body->ToString(), "x + 1");
  EXPECT_EQ(e->ToString(), "transform(a, x -> x + 1)");
  auto r = ParseExpression("reduce(a, 0, (S, \"X\") -> S + \"X\", s -> s)");
  const auto& two = r->As<FunctionCallExpression>().args[2]->As<LambdaExpression>();
  EXPECT_EQ(two.params, (std::vector<std::string>{"s", "X"}));
  // A parenthesized name is not a lambda without the arrow.
  EXPECT_EQ(ParseExpression("f((a), b)")->As<FunctionCallExpression>().args[0]->kind,
            ExpressionKind::kColumnRef);
  RoundTrip("SELECT filter(a, x -> x > 0), reduce(a, 0, (s, x) -> s + x, s -> s * 2) FROM t");
}

TEST(SqlParserTest, FieldOfAnyExpression) {
  EXPECT_EQ(ParseExpression("CAST(r AS ROW(x INTEGER)).x")->ToString(),
            "CAST(r AS row(x integer)).x");
  EXPECT_EQ(ParseExpression("a[1].b.c")->ToString(), "a[1].b.c");
  EXPECT_EQ(ParseExpression("(a + b).x")->ToString(), "(a + b).x");
  EXPECT_EQ(ParseExpression("t.r.x")->kind, ExpressionKind::kColumnRef);
  RoundTrip("SELECT (f(x)).y, a[1].z FROM t");
}

TEST(SqlParserTest, Lateral) {
  std::string text = RoundTrip(
      "SELECT t.a, x.n FROM t, LATERAL (SELECT count(*) AS n FROM s WHERE s.k = t.a) x "
      "LEFT JOIN LATERAL (SELECT 1 AS one) AS y(o) ON true");
  EXPECT_NE(text.find("LATERAL (SELECT count(*)"), std::string::npos) << text;
  EXPECT_NE(text.find("LATERAL (SELECT 1"), std::string::npos) << text;
  ExpectSyntaxError("SELECT * FROM t, LATERAL (1 + 2) x");
}

}  // namespace
}  // namespace aishell
