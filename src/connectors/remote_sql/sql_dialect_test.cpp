// The shared SQL translator without a server: quoting, what is refused, the dialect hooks.
#include "connectors/remote_sql/sql_dialect.h"

#include <gtest/gtest.h>

#include "expr/expression.h"

namespace aishell {
namespace {

// Inline literals, strings only for VARCHAR columns, integers for integer columns.
class InlineDialect : public SqlDialect {
 public:
  bool Literal(const Value& v, const LogicalType& column_type, std::string* sql,
               std::vector<Value>*) const override {
    if (v.is_null()) return false;
    if (column_type.id == TypeId::kVarchar)
      return v.type().id == TypeId::kVarchar && QuoteSqlString(v.GetString(), sql);
    if (v.type().id == TypeId::kInteger || v.type().id == TypeId::kBigInt) {
      *sql += std::to_string(v.GetInt64());
      return true;
    }
    return false;
  }
  bool Comparable(const ColumnInfo& c, bool ordering) const override {
    return !(ordering && c.type.id == TypeId::kDouble);
  }
  std::string OrderingSuffix(const LogicalType& t) const override {
    return t.id == TypeId::kVarchar ? " COLLATE \"C\"" : "";
  }
  std::string DefaultLikeEscape() const override { return " ESCAPE ''"; }
  bool ParenthesizePredicates() const override { return true; }
};

// Every literal a parameter.
class ParamDialect : public InlineDialect {
 public:
  bool Literal(const Value& v, const LogicalType&, std::string* sql,
               std::vector<Value>* params) const override {
    *sql += "?";
    params->push_back(v);
    return true;
  }
  bool ParenthesizePredicates() const override { return false; }
};

std::vector<ColumnInfo> Columns() {
  return {{"we\"ird name", TypeId::kVarchar, true, {}},
          {"n", TypeId::kInteger, true, {}},
          {"d", TypeId::kDouble, true, {}},
          {"列 ü", TypeId::kVarchar, true, {}}};
}

ExprPtr Col(int i) {
  static const auto cols = Columns();
  return MakeColumnRef(i, cols[i].type, cols[i].name);
}

TEST(SqlDialectTest, QuotesIdentifiersAndStrings) {
  EXPECT_EQ(QuoteSqlIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteSqlIdentifier(std::string("n\0ul", 4)), "\"nul\"");
  EXPECT_EQ(QuoteSqlIdentifier("列 ü"), "\"列 ü\"");
  std::string s;
  ASSERT_TRUE(QuoteSqlString("it's \\ back", &s));
  EXPECT_EQ(s, "'it''s \\ back'");
  s.clear();
  ASSERT_TRUE(QuotePgString("it's \\ back", &s));
  EXPECT_EQ(s, "E'it''s \\\\ back'");
  s.clear();
  ASSERT_TRUE(QuotePgString("🎉 \u202E'", &s));
  EXPECT_EQ(s, "'🎉 \u202E'''");
  EXPECT_FALSE(QuoteSqlString(std::string("a\0b", 3), &s));
  EXPECT_FALSE(QuotePgString(std::string("a\0b", 3), &s));
}

TEST(SqlDialectTest, TranslatesWithTheDialect) {
  auto cols = Columns();
  InlineDialect inline_dialect;
  SqlTranslator t(inline_dialect, cols, [&](int i) { return QuoteSqlIdentifier(cols[i].name); });
  std::string sql;
  std::vector<Value> params;
  auto eq = MakeComparison(CompareOp::kEq, Col(0), MakeConstant(Value::Varchar("'; DROP --")));
  ASSERT_TRUE(t.Translate(*eq, &sql, &params));
  EXPECT_EQ(sql, "(\"we\"\"ird name\" = '''; DROP --')");
  sql.clear();
  auto range = MakeComparison(CompareOp::kLt, Col(3), MakeConstant(Value::Varchar("ü")));
  ASSERT_TRUE(t.Translate(*range, &sql, &params));
  EXPECT_EQ(sql, "(\"列 ü\" COLLATE \"C\" < 'ü')");
  sql.clear();
  // Widening casts of integer columns compare the column itself.
  auto wide = MakeComparison(CompareOp::kGe, MakeCast(Col(1), LogicalType(TypeId::kBigInt)),
                             MakeConstant(Value::BigInt(5)));
  ASSERT_TRUE(t.Translate(*wide, &sql, &params));
  EXPECT_EQ(sql, "(\"n\" >= 5)");
  sql.clear();
  // Refused: double ranges (dialect), NULL in IN, a function, a non-widening cast.
  EXPECT_FALSE(t.Translate(*MakeComparison(CompareOp::kGt, Col(2), MakeConstant(Value::Double(1))),
                           &sql, &params));
  auto in = std::make_shared<Expr>();
  in->kind = ExprKind::kIn;
  in->type = LogicalType(TypeId::kBoolean);
  in->children = {Col(1), MakeConstant(Value::Integer(1)),
                  MakeConstant(Value::Null(LogicalType(TypeId::kInteger)))};
  EXPECT_FALSE(t.Translate(*in, &sql, &params));
  EXPECT_FALSE(
      t.Translate(*MakeComparison(CompareOp::kEq, MakeCast(Col(1), LogicalType(TypeId::kVarchar)),
                                  MakeConstant(Value::Varchar("1"))),
                  &sql, &params));
  // A refused part refuses the whole OR; nothing is appended.
  auto bad_or =
      MakeOr({eq, MakeComparison(CompareOp::kGt, Col(2), MakeConstant(Value::Double(1)))});
  EXPECT_FALSE(t.Translate(*bad_or, &sql, &params));
  EXPECT_EQ(sql, "");
  // LIKE gets the dialect's default escape; NOT wraps.
  auto like = std::make_shared<Expr>();
  like->kind = ExprKind::kLike;
  like->type = LogicalType(TypeId::kBoolean);
  like->children = {Col(0), MakeConstant(Value::Varchar("a\\%'"))};
  ASSERT_TRUE(t.Translate(*MakeNot(like), &sql, &params));
  EXPECT_EQ(sql, "(NOT (\"we\"\"ird name\" LIKE 'a\\%''' ESCAPE ''))");
  EXPECT_TRUE(ContainsLike(*MakeNot(like)));
  EXPECT_TRUE(params.empty());

  ParamDialect param_dialect;
  SqlTranslator p(param_dialect, cols,
                  [&](int i) { return "t0." + QuoteSqlIdentifier(cols[i].name); });
  sql.clear();
  ASSERT_TRUE(p.Translate(*MakeAnd({eq, wide}), &sql, &params));
  EXPECT_EQ(sql, "(t0.\"we\"\"ird name\" = ? AND t0.\"n\" >= ?)");
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].GetString(), "'; DROP --");
}

}  // namespace
}  // namespace aishell
