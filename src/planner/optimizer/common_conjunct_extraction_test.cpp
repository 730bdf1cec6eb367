// Common conjunct extraction: what is factored out of an OR, and what is left alone.
#include <gtest/gtest.h>

#include "functions/function_registry.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {
namespace {

const LogicalType kInt(TypeId::kInteger);

ExprPtr Col(int i) { return MakeColumnRef(i, kInt, "c" + std::to_string(i)); }
ExprPtr Int(int32_t v) { return MakeConstant(Value::Integer(v)); }
ExprPtr Eq(int a, int b) { return MakeComparison(CompareOp::kEq, Col(a), Col(b)); }
ExprPtr Gt(int a, int32_t v) { return MakeComparison(CompareOp::kGt, Col(a), Int(v)); }

std::string Factored(const ExprPtr& e) { return ExtractCommonConjunctsExpr(e)->ToString(); }

TEST(CommonConjunctExtractionTest, FactorsTheConjunctOfEveryBranch) {
  // (c0 = c1 AND c2 > 1) OR (c0 = c1 AND c2 > 5) OR (c3 > 7 AND c0 = c1)
  auto e = MakeOr({MakeAnd({Eq(0, 1), Gt(2, 1)}), MakeAnd({Eq(0, 1), Gt(2, 5)}),
                   MakeAnd({Gt(3, 7), Eq(0, 1)})});
  EXPECT_EQ(Factored(e), "c0 = c1 AND (c2 > 1 OR c2 > 5 OR c3 > 7)");
}

TEST(CommonConjunctExtractionTest, FactorsSeveralConjunctsAndNestedOrs) {
  // (a AND b AND x) OR (b AND a AND y), inside an AND, and an OR nested in a branch.
  auto inner = MakeOr({MakeAnd({Gt(4, 1), Gt(5, 1)}), MakeAnd({Gt(4, 1), Gt(5, 2)})});
  auto e = MakeAnd({Gt(9, 0), MakeOr({MakeAnd({Eq(0, 1), Gt(2, 3), Gt(3, 1)}),
                                      MakeAnd({Gt(2, 3), Eq(0, 1), inner})})});
  EXPECT_EQ(Factored(e),
            "c9 > 0 AND c0 = c1 AND c2 > 3 AND (c3 > 1 OR (c4 > 1 AND (c5 > 1 OR "
            "c5 > 2)))");
}

TEST(CommonConjunctExtractionTest, ABranchThatIsOnlyTheCommonPartMakesTheOrTrue) {
  // c0 = c1 OR (c0 = c1 AND c2 > 1)  =>  c0 = c1 (absorption)
  EXPECT_EQ(Factored(MakeOr({Eq(0, 1), MakeAnd({Eq(0, 1), Gt(2, 1)})})), "c0 = c1");
  EXPECT_EQ(Factored(MakeOr({Gt(2, 1), Gt(2, 1)})), "c2 > 1");
}

TEST(CommonConjunctExtractionTest, LeavesOrsWithoutCommonConjunctsAlone) {
  auto e = MakeOr({MakeAnd({Eq(0, 1), Gt(2, 1)}), MakeAnd({Eq(0, 2), Gt(2, 5)})});
  EXPECT_EQ(Factored(e), e->ToString());
  // Same name, different column: not the same conjunct.
  auto a = MakeComparison(CompareOp::kGt, MakeColumnRef(0, kInt, "x"), Int(1));
  auto b = MakeComparison(CompareOp::kGt, MakeColumnRef(1, kInt, "x"), Int(1));
  auto f = MakeOr({MakeAnd({a, Gt(2, 1)}), MakeAnd({b, Gt(2, 5)})});
  EXPECT_EQ(Factored(f), f->ToString());
}

TEST(CommonConjunctExtractionTest, NeverFactorsANonDeterministicConjunct) {
  std::vector<LogicalType> coerced;
  auto fn = FunctionRegistry::Get().BindScalar("random", {}, &coerced);
  ASSERT_NE(fn, nullptr);
  auto r = [&] {
    auto call = MakeFunction(fn, {});
    return MakeComparison(CompareOp::kLt, call, MakeConstant(Value::Double(0.5)));
  };
  auto e = MakeOr({MakeAnd({r(), Gt(2, 1)}), MakeAnd({r(), Gt(2, 5)})});
  EXPECT_EQ(Factored(e), e->ToString());
}

TEST(CommonConjunctExtractionTest, RewritesFilterPredicatesAndJoinConditions) {
  auto values = std::make_shared<LogicalValues>();
  auto join = std::make_shared<LogicalJoin>();
  join->join_type = JoinType::kInner;
  join->condition = MakeOr({MakeAnd({Eq(0, 1), Gt(0, 1)}), MakeAnd({Eq(0, 1), Gt(1, 2)})});
  join->children = {values, values};
  auto filter = std::make_shared<LogicalFilter>();
  filter->predicate = MakeOr({MakeAnd({Gt(0, 1), Gt(1, 1)}), MakeAnd({Gt(0, 1), Gt(1, 2)})});
  filter->children = {join};
  LogicalPtr plan = ExtractCommonConjuncts(filter);
  EXPECT_EQ(static_cast<LogicalFilter&>(*plan).predicate->ToString(),
            "c0 > 1 AND (c1 > 1 OR c1 > 2)");
  EXPECT_EQ(join->condition->ToString(), "c0 = c1 AND (c0 > 1 OR c1 > 2)");
}

}  // namespace
}  // namespace aishell
