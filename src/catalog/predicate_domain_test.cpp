#include "catalog/predicate_domain.h"

#include <gtest/gtest.h>

#include <cmath>

namespace aishell {
namespace {

// Columns: 0 x INTEGER, 1 s VARCHAR, 2 d DOUBLE, 3 b BIGINT, 4 dt DATE, 5 m DECIMAL(5,2).
const std::vector<LogicalType>& Types() {
  static const std::vector<LogicalType> types = {
      LogicalType(TypeId::kInteger), LogicalType(TypeId::kVarchar), LogicalType(TypeId::kDouble),
      LogicalType(TypeId::kBigInt),  LogicalType(TypeId::kDate),    LogicalType::Decimal(5, 2)};
  return types;
}

ExprPtr Col(int i) { return MakeColumnRef(i, Types()[i]); }
ExprPtr Int(int32_t v) { return MakeConstant(Value::Integer(v)); }
ExprPtr Cmp(CompareOp op, ExprPtr l, ExprPtr r) {
  return MakeComparison(op, std::move(l), std::move(r));
}

ExprPtr In(ExprPtr col, std::vector<ExprPtr> items, bool negated = false) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kIn;
  e->type = LogicalType(TypeId::kBoolean);
  e->negated = negated;
  e->children.push_back(std::move(col));
  for (auto& i : items) e->children.push_back(std::move(i));
  return e;
}

ExprPtr IsNull(ExprPtr col, bool is_null = true) {
  auto e = std::make_shared<Expr>();
  e->kind = is_null ? ExprKind::kIsNull : ExprKind::kIsNotNull;
  e->type = LogicalType(TypeId::kBoolean);
  e->children.push_back(std::move(col));
  return e;
}

ExprPtr Like(ExprPtr col, std::string pattern) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLike;
  e->type = LogicalType(TypeId::kBoolean);
  e->children.push_back(std::move(col));
  e->children.push_back(MakeConstant(Value::Varchar(std::move(pattern))));
  return e;
}

DomainExtraction Extract(std::vector<ExprPtr> conjuncts) {
  return ExtractDomain(conjuncts, Types());
}

std::string DomainOf(const ExprPtr& e, int column = 0) {
  return Extract({e}).domain.Get(column).ToString();
}

TEST(PredicateDomainTest, DomainSetOperations) {
  Domain lt5 = *Domain::FromComparison(CompareOp::kLt, Value::Integer(5));
  Domain ge3 = *Domain::FromComparison(CompareOp::kGe, Value::Integer(3));
  EXPECT_EQ(lt5.Intersect(ge3).ToString(), "[3, 5)");
  EXPECT_EQ(lt5.Union(ge3).ToString(), "(, )");
  EXPECT_EQ(lt5.Complement().ToString(), "[5, ) OR NULL");
  Domain pts = Domain::Points({Value::Integer(7), Value::Integer(1), Value::Integer(7)});
  EXPECT_EQ(pts.ToString(), "{1} OR {7}");
  EXPECT_EQ(pts.Complement().ToString(), "(, 1) OR (1, 7) OR (7, ) OR NULL");
  EXPECT_EQ(pts.Complement().Complement(), pts);
  EXPECT_TRUE(pts.PointValues().has_value());
  EXPECT_FALSE(lt5.PointValues().has_value());
  EXPECT_TRUE(Domain::All().IsAll());
  EXPECT_TRUE(lt5.Intersect(*Domain::FromComparison(CompareOp::kGt, Value::Integer(9))).IsNone());
  // Touching ranges merge: (, 5) and [5, 9] is (, 9].
  Domain le9 = *Domain::FromComparison(CompareOp::kLe, Value::Integer(9));
  EXPECT_EQ(lt5.Union(ge3.Intersect(le9)).ToString(), "(, 9]");
}

TEST(PredicateDomainTest, DomainOverlapsStatistics) {
  Domain d = Domain::Points({Value::Integer(5), Value::Integer(50)});
  EXPECT_TRUE(d.Overlaps(Value::Integer(1), Value::Integer(5)));
  EXPECT_FALSE(d.Overlaps(Value::Integer(6), Value::Integer(49)));
  EXPECT_TRUE(d.Overlaps(std::nullopt, Value::Integer(5)));
  EXPECT_FALSE(d.Overlaps(Value::Integer(51), std::nullopt));
  // A bound of a wider type after schema evolution compares; an unrelated type may match.
  EXPECT_FALSE(d.Overlaps(Value::BigInt(6), Value::BigInt(49)));
  EXPECT_TRUE(d.Overlaps(Value::Varchar("a"), Value::Varchar("b")));
  Domain gt = *Domain::FromComparison(CompareOp::kGt, Value::Integer(10));
  EXPECT_FALSE(gt.Overlaps(Value::Integer(1), Value::Integer(10)));
  EXPECT_TRUE(gt.Overlaps(Value::Integer(1), Value::Integer(11)));
  EXPECT_FALSE(gt.MayMatch(Value::Integer(1), Value::Integer(10), true));
  EXPECT_TRUE(Domain::OnlyNull().MayMatch(Value::Integer(1), Value::Integer(10), true));
  EXPECT_FALSE(Domain::OnlyNull().MayMatch(Value::Integer(1), Value::Integer(10), false));
}

TEST(PredicateDomainTest, ComparisonsBothWaysAreExact) {
  auto r = Extract({Cmp(CompareOp::kLt, Col(0), Int(5)), Cmp(CompareOp::kLe, Int(1), Col(0))});
  EXPECT_EQ(r.domain.Get(0).ToString(), "[1, 5)");
  EXPECT_EQ(r.exact, (std::vector<bool>{true, true}));
  EXPECT_TRUE(r.remainder.empty());
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kNe, Col(0), Int(5))), "(, 5) OR (5, )");
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kIsDistinctFrom, Col(0), Int(5))), "(, 5) OR (5, ) OR NULL");
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kIsNotDistinctFrom, Col(0),
                         MakeConstant(Value::Null(LogicalType(TypeId::kInteger))))),
            "NULL");
  // A NULL constant: the comparison is never TRUE.
  auto n = Extract(
      {Cmp(CompareOp::kEq, Col(0), MakeConstant(Value::Null(LogicalType(TypeId::kInteger))))});
  EXPECT_TRUE(n.domain.IsNone());
  EXPECT_TRUE(n.exact[0]);
  // Contradictions make the tuple domain none.
  EXPECT_TRUE(Extract({Cmp(CompareOp::kLt, Col(0), Int(5)), Cmp(CompareOp::kGt, Col(0), Int(7))})
                  .domain.IsNone());
}

TEST(PredicateDomainTest, BetweenIsTwoComparisons) {
  // The binder turns x BETWEEN 2 AND 4 into x >= 2 AND x <= 4 (NOT BETWEEN: NOT of that).
  auto between =
      MakeAnd({Cmp(CompareOp::kGe, Col(0), Int(2)), Cmp(CompareOp::kLe, Col(0), Int(4))});
  EXPECT_EQ(DomainOf(between), "[2, 4]");
  auto r = Extract({MakeNot(between)});
  EXPECT_EQ(r.domain.Get(0).ToString(), "(, 2) OR (4, )");
  EXPECT_TRUE(r.exact[0]);
}

TEST(PredicateDomainTest, NullTests) {
  EXPECT_EQ(DomainOf(IsNull(Col(0))), "NULL");
  EXPECT_EQ(DomainOf(IsNull(Col(0), false)), "(, )");
  EXPECT_EQ(DomainOf(MakeNot(IsNull(Col(0)))), "(, )");
  EXPECT_TRUE(Extract({IsNull(Col(0)), Cmp(CompareOp::kEq, Col(0), Int(1))}).domain.IsNone());
}

TEST(PredicateDomainTest, InAndNotInLists) {
  EXPECT_EQ(DomainOf(In(Col(0), {Int(3), Int(1), Int(3)})), "{1} OR {3}");
  // A NULL item never makes IN true, and makes NOT IN never true.
  EXPECT_EQ(
      DomainOf(In(Col(0), {Int(3), MakeConstant(Value::Null(LogicalType(TypeId::kInteger)))})),
      "{3}");
  EXPECT_EQ(DomainOf(In(Col(0), {Int(1), Int(3)}, true)), "(, 1) OR (1, 3) OR (3, )");
  EXPECT_TRUE(
      Extract(
          {In(Col(0), {Int(1), MakeConstant(Value::Null(LogicalType(TypeId::kInteger)))}, true)})
          .domain.IsNone());
  EXPECT_EQ(DomainOf(MakeNot(In(Col(0), {Int(1)}))), "(, 1) OR (1, )");
  // A non-constant item: not captured.
  auto r = Extract({In(Col(0), {Int(1), Col(3)})});
  EXPECT_TRUE(r.domain.IsAll());
  EXPECT_FALSE(r.exact[0]);
  EXPECT_EQ(r.remainder.size(), 1u);
}

TEST(PredicateDomainTest, OrOverOneColumnIsAUnion) {
  auto r = Extract({MakeOr(
      {Cmp(CompareOp::kLt, Col(0), Int(0)), Cmp(CompareOp::kEq, Col(0), Int(5)), IsNull(Col(0))})});
  EXPECT_EQ(r.domain.Get(0).ToString(), "(, 0) OR {5} OR NULL");
  EXPECT_TRUE(r.exact[0]);
}

TEST(PredicateDomainTest, OrOverTwoColumnsIsARemainder) {
  auto r = Extract({MakeOr({Cmp(CompareOp::kLt, Col(0), Int(0)),
                            Cmp(CompareOp::kEq, Col(3), MakeConstant(Value::BigInt(5)))})});
  EXPECT_TRUE(r.domain.IsAll());
  EXPECT_FALSE(r.exact[0]);
  ASSERT_EQ(r.remainder.size(), 1u);
  // (x = 1 AND b = 2) OR x = 3: a superset on x.
  auto s = Extract({MakeOr({MakeAnd({Cmp(CompareOp::kEq, Col(0), Int(1)),
                                     Cmp(CompareOp::kEq, Col(3), MakeConstant(Value::BigInt(2)))}),
                            Cmp(CompareOp::kEq, Col(0), Int(3))})});
  EXPECT_EQ(s.domain.ToString(), "#0 IN {1} OR {3}");
  EXPECT_FALSE(s.exact[0]);
}

TEST(PredicateDomainTest, NotOfComparisons) {
  EXPECT_EQ(DomainOf(MakeNot(Cmp(CompareOp::kLt, Col(0), Int(5)))), "[5, )");
  EXPECT_EQ(DomainOf(MakeNot(Cmp(CompareOp::kEq, Col(0), Int(5)))), "(, 5) OR (5, )");
  // NOT (x < 5 OR x > 9) is x >= 5 AND x <= 9.
  EXPECT_EQ(DomainOf(MakeNot(MakeOr(
                {Cmp(CompareOp::kLt, Col(0), Int(5)), Cmp(CompareOp::kGt, Col(0), Int(9))}))),
            "[5, 9]");
}

TEST(PredicateDomainTest, CastsOfColumnsGiveExactBoundsOfTheColumnType) {
  LogicalType dbl(TypeId::kDouble);
  auto as_double = MakeCast(Col(0), dbl);
  auto c = [](double v) { return MakeConstant(Value::Double(v)); };
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kLt, as_double, c(2.5))), "(, 2]");
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kLe, as_double, c(2.5))), "(, 2]");
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kGt, as_double, c(2.5))), "(2, )");
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kGe, as_double, c(2.5))), "(2, )");
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kLt, as_double, c(2.0))), "(, 2)");
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kGe, as_double, c(-2.5))), "(-3, )");
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kEq, as_double, c(2.0))), "{2}");
  EXPECT_TRUE(Extract({Cmp(CompareOp::kEq, as_double, c(2.5))}).domain.IsNone());
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kNe, as_double, c(2.5))), "(, )");
  // Beyond the column type's range.
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kLt, as_double, c(1e12))), "(, )");
  EXPECT_TRUE(Extract({Cmp(CompareOp::kGt, as_double, c(1e12))}).domain.IsNone());
  // INTEGER -> DECIMAL(11,1): x >= 2.5 is x > 2.
  auto as_dec = MakeCast(Col(0), LogicalType::Decimal(11, 1));
  auto r = Extract({Cmp(CompareOp::kGe, as_dec, MakeConstant(Value::Decimal(25, 11, 1)))});
  EXPECT_EQ(r.domain.Get(0).ToString(), "(2, )");
  EXPECT_TRUE(r.exact[0]);
  // INTEGER -> BIGINT.
  EXPECT_EQ(DomainOf(In(MakeCast(Col(0), LogicalType(TypeId::kBigInt)),
                        {MakeConstant(Value::BigInt(4)), MakeConstant(Value::BigInt(1LL << 40))})),
            "{4}");
  // DATE -> TIMESTAMP: dt < TIMESTAMP '1970-01-02 12:00' is dt <= DATE '1970-01-02'.
  auto as_ts = MakeCast(Col(4), LogicalType(TypeId::kTimestamp));
  EXPECT_EQ(Extract({Cmp(CompareOp::kLt, as_ts, MakeConstant(Value::Timestamp(36LL * 3600000000)))})
                .domain.Get(4),
            *Domain::FromComparison(CompareOp::kLe, Value::Date(1)));
  // BIGINT -> DOUBLE only below 2^53; DOUBLE -> INTEGER (not order-preserving) never.
  auto big = MakeCast(Col(3), dbl);
  EXPECT_EQ(DomainOf(Cmp(CompareOp::kLt, big, c(7.5)), 3), "(, 7]");
  EXPECT_FALSE(Extract({Cmp(CompareOp::kLt, big, c(1e17))}).exact[0]);
  auto narrowing = MakeCast(Col(2), LogicalType(TypeId::kInteger));
  EXPECT_FALSE(Extract({Cmp(CompareOp::kLt, narrowing, Int(3))}).exact[0]);
  // A VARCHAR cast is not order-preserving.
  EXPECT_FALSE(Extract({Cmp(CompareOp::kEq, MakeCast(Col(0), LogicalType(TypeId::kVarchar)),
                            MakeConstant(Value::Varchar("1")))})
                   .exact[0]);
}

TEST(PredicateDomainTest, DoubleColumnsAreASupersetOnly) {
  auto r = Extract({Cmp(CompareOp::kGt, Col(2), MakeConstant(Value::Double(1.5)))});
  EXPECT_EQ(r.domain.Get(2).ToString(), "(1.5, )");
  EXPECT_FALSE(r.exact[0]);  // NaN comparisons are left to the engine
  EXPECT_TRUE(Extract({Cmp(CompareOp::kGt, Col(2), MakeConstant(Value::Double(std::nan(""))))})
                  .domain.IsAll());
}

TEST(PredicateDomainTest, LikePrefixIsASupersetRange) {
  auto r = Extract({Like(Col(1), "ab%c")});
  EXPECT_EQ(r.domain.Get(1).ToString(), "['ab', 'ac')");
  EXPECT_FALSE(r.exact[0]);
  EXPECT_EQ(r.remainder.size(), 1u);
  EXPECT_EQ(DomainOf(Like(Col(1), "abc"), 1), "{'abc'}");
  EXPECT_TRUE(Extract({Like(Col(1), "%abc")}).domain.IsAll());
  EXPECT_TRUE(Extract({Like(Col(1), "a\\%")}).domain.Get(1).Contains(Value::Varchar("a%")));
}

TEST(PredicateDomainTest, RemainderKeepsWhatIsNotCaptured) {
  auto f = MakeAnd({Cmp(CompareOp::kEq, Col(0), Int(1)), Cmp(CompareOp::kEq, Col(0), Col(3)),
                    Like(Col(1), "x%")});
  auto r = ExtractDomain(f, Types());
  EXPECT_EQ(r.exact, (std::vector<bool>{true, false, false}));
  ASSERT_EQ(r.remainder.size(), 2u);
  EXPECT_EQ(r.remainder[0]->kind, ExprKind::kComparison);
  EXPECT_EQ(r.remainder[1]->kind, ExprKind::kLike);
  EXPECT_EQ(r.domain.Get(0).ToString(), "{1}");
  EXPECT_EQ(r.domain.Get(1).ToString(), "['x', 'y')");
}

}  // namespace
}  // namespace aishell
