#include "expr/expression_executor.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "functions/testing/function_test_util.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

// Local builders, short names for the expr/ constructors.
ExprPtr Col(int i, LogicalType t) { return MakeColumnRef(i, t); }
ExprPtr Const(Value v) { return MakeConstant(std::move(v)); }
ExprPtr Node(ExprKind kind, LogicalType t, std::vector<ExprPtr> children) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->type = t;
  e->children = std::move(children);
  return e;
}
ExprPtr Cmp(CompareOp op, ExprPtr a, ExprPtr b) {
  auto e = Node(ExprKind::kComparison, TypeId::kBoolean, {std::move(a), std::move(b)});
  e->op = op;
  return e;
}
ExprPtr Fn(const std::string& name, std::vector<ExprPtr> args) {
  std::vector<LogicalType> types, coerced;
  for (const auto& a : args) types.push_back(a->type);
  auto fn = FunctionRegistry::Get().BindScalar(name, types, &coerced);
  for (size_t i = 0; i < args.size(); i++) {
    if (args[i]->type != coerced[i]) {
      auto c = Node(ExprKind::kCast, coerced[i], {args[i]});
      args[i] = c;
    }
  }
  auto e = Node(ExprKind::kFunction, fn->return_type, std::move(args));
  e->function = fn;
  e->name = name;
  return e;
}
ExprPtr Like(ExprPtr x, const char* pattern, bool negated = false, bool ci = false,
             const char* escape = nullptr) {
  std::vector<ExprPtr> ch = {std::move(x), Const(Str(pattern))};
  if (escape) ch.push_back(Const(Str(escape)));
  auto e = Node(ExprKind::kLike, TypeId::kBoolean, std::move(ch));
  e->negated = negated;
  e->case_insensitive = ci;
  return e;
}

Batch MakeBatch(std::vector<Vector> cols) {
  Batch b;
  b.count = cols.empty() ? 0 : cols[0].size();
  b.columns = std::move(cols);
  return b;
}

std::vector<Value> Rows(const Vector& v) {
  std::vector<Value> out;
  for (size_t i = 0; i < v.size(); i++) out.push_back(v.GetValue(i));
  return out;
}

const Value kT = Value::Boolean(true);
const Value kF = Value::Boolean(false);
const Value kNullB = Value::Null(TypeId::kBoolean);

TEST(ExpressionExecutorTest, ColumnConstantFunction) {
  Batch b = MakeBatch({MakeVector(TypeId::kInteger, {Int(1), Int(2), Value()})});
  auto e = Fn("add", {Col(0, TypeId::kInteger), Const(Int(10))});
  Vector r = ExpressionExecutor::Evaluate(*e, b);
  EXPECT_EQ(Rows(r), (std::vector<Value>{Int(11), Int(12), Value::Null(TypeId::kInteger)}));
  // A constant expression over a batch stays constant.
  Vector c = ExpressionExecutor::Evaluate(*Fn("add", {Const(Int(1)), Const(Int(2))}), b);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.GetValue(2), Int(3));
}

TEST(ExpressionExecutorTest, ComparisonsAllTypes) {
  Batch b = MakeBatch(
      {MakeVector(TypeId::kVarchar, {Str("apple"), Str("pear"), Value()}),
       MakeVector(TypeId::kDouble, {Dbl(1.5), Dbl(-2), Dbl(3)}),
       MakeVector(LogicalType::Decimal(5, 2), {Dec(100, 5, 2), Dec(250, 5, 2), Dec(-1, 5, 2)})});
  auto s = Cmp(CompareOp::kLt, Col(0, TypeId::kVarchar), Const(Str("banana")));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*s, b)), (std::vector<Value>{kT, kF, kNullB}));
  auto d = Cmp(CompareOp::kGe, Col(1, TypeId::kDouble), Const(Dbl(1.5)));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*d, b)), (std::vector<Value>{kT, kF, kT}));
  auto dec = Cmp(CompareOp::kGt, Const(Dec(200, 5, 2)), Col(2, LogicalType::Decimal(5, 2)));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*dec, b)), (std::vector<Value>{kT, kF, kT}));
  // Mixed types are unified defensively: integer column vs bigint constant.
  Batch ib = MakeBatch({MakeVector(TypeId::kInteger, {Int(1), Int(5)})});
  auto mixed = Cmp(CompareOp::kEq, Col(0, TypeId::kInteger), Const(Big(5)));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*mixed, ib)), (std::vector<Value>{kF, kT}));
}

TEST(ExpressionExecutorTest, IsDistinctFrom) {
  Batch b = MakeBatch({MakeVector(TypeId::kInteger, {Int(1), Value(), Value(), Int(2)}),
                       MakeVector(TypeId::kInteger, {Int(1), Value(), Int(3), Int(3)})});
  auto dist = Cmp(CompareOp::kIsDistinctFrom, Col(0, TypeId::kInteger), Col(1, TypeId::kInteger));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*dist, b)), (std::vector<Value>{kF, kF, kT, kT}));
  auto nd = Cmp(CompareOp::kIsNotDistinctFrom, Col(0, TypeId::kInteger), Col(1, TypeId::kInteger));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*nd, b)), (std::vector<Value>{kT, kT, kF, kF}));
  auto eq = Cmp(CompareOp::kEq, Col(0, TypeId::kInteger), Col(1, TypeId::kInteger));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*eq, b)),
            (std::vector<Value>{kT, kNullB, kNullB, kF}));
}

TEST(ExpressionExecutorTest, ThreeValuedLogic) {
  Batch b =
      MakeBatch({MakeVector(TypeId::kBoolean, {kT, kT, kT, kF, kF, kF, kNullB, kNullB, kNullB}),
                 MakeVector(TypeId::kBoolean, {kT, kF, kNullB, kT, kF, kNullB, kT, kF, kNullB})});
  auto a = Col(0, TypeId::kBoolean), c = Col(1, TypeId::kBoolean);
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*Node(ExprKind::kAnd, TypeId::kBoolean, {a, c}), b)),
            (std::vector<Value>{kT, kF, kNullB, kF, kF, kF, kNullB, kF, kNullB}));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*Node(ExprKind::kOr, TypeId::kBoolean, {a, c}), b)),
            (std::vector<Value>{kT, kT, kT, kT, kF, kNullB, kT, kNullB, kNullB}));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*Node(ExprKind::kNot, TypeId::kBoolean, {a}), b)),
            (std::vector<Value>{kF, kF, kF, kT, kT, kT, kNullB, kNullB, kNullB}));
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*Node(ExprKind::kIsNull, TypeId::kBoolean, {c}), b)),
            (std::vector<Value>{kF, kF, kT, kF, kF, kT, kF, kF, kT}));
  EXPECT_EQ(
      Rows(ExpressionExecutor::Evaluate(*Node(ExprKind::kIsNotNull, TypeId::kBoolean, {c}), b)),
      (std::vector<Value>{kT, kT, kF, kT, kT, kF, kT, kT, kF}));
}

TEST(ExpressionExecutorTest, CaseIsLazy) {
  // CASE WHEN x <> 0 THEN 100 / x ELSE -1 END never divides by zero.
  Batch b = MakeBatch({MakeVector(TypeId::kInteger, {Int(4), Int(0), Value(), Int(-5)})});
  auto x = Col(0, TypeId::kInteger);
  auto e = Node(
      ExprKind::kCase, TypeId::kInteger,
      {Cmp(CompareOp::kNe, x, Const(Int(0))), Fn("divide", {Const(Int(100)), x}), Const(Int(-1))});
  e->has_else = true;
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*e, b)),
            (std::vector<Value>{Int(25), Int(-1), Int(-1), Int(-20)}));
  // Without ELSE: NULL on rows not taken.
  auto no_else = Node(ExprKind::kCase, TypeId::kInteger,
                      {Cmp(CompareOp::kNe, x, Const(Int(0))), Fn("divide", {Const(Int(100)), x})});
  auto r = Rows(ExpressionExecutor::Evaluate(*no_else, b));
  EXPECT_EQ(r[0], Int(25));
  EXPECT_TRUE(r[1].is_null());
  EXPECT_TRUE(r[2].is_null());
  // Evaluating the division alone raises.
  EXPECT_THROW(ExpressionExecutor::Evaluate(*Fn("divide", {Const(Int(100)), x}), b), Error);
}

TEST(ExpressionExecutorTest, CaseMultipleBranchesStrings) {
  Batch b = MakeBatch({MakeVector(TypeId::kInteger, {Int(1), Int(2), Int(3), Int(4)})});
  auto x = Col(0, TypeId::kInteger);
  auto e = Node(ExprKind::kCase, TypeId::kVarchar,
                {Cmp(CompareOp::kEq, x, Const(Int(1))), Const(Str("one")),
                 Cmp(CompareOp::kLe, x, Const(Int(3))),
                 Fn("concat", {Const(Str("small-")), Node(ExprKind::kCast, TypeId::kVarchar, {x})}),
                 Const(Str("big"))});
  e->has_else = true;
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*e, b)),
            (std::vector<Value>{Str("one"), Str("small-2"), Str("small-3"), Str("big")}));
}

TEST(ExpressionExecutorTest, AndShortCircuitsDivision) {
  Batch b = MakeBatch({MakeVector(TypeId::kInteger, {Int(0), Int(5), Int(50)})});
  auto x = Col(0, TypeId::kInteger);
  auto pred = Node(ExprKind::kAnd, TypeId::kBoolean,
                   {Cmp(CompareOp::kNe, x, Const(Int(0))),
                    Cmp(CompareOp::kGt, Fn("divide", {Const(Int(100)), x}), Const(Int(10)))});
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*pred, b)), (std::vector<Value>{kF, kT, kF}));
  uint32_t sel[3];
  ASSERT_EQ(ExpressionExecutor::Select(*pred, b, sel), 1u);
  EXPECT_EQ(sel[0], 1u);
}

TEST(ExpressionExecutorTest, InListWithNulls) {
  Batch b = MakeBatch({MakeVector(TypeId::kInteger, {Int(1), Int(2), Value()})});
  auto x = Col(0, TypeId::kInteger);
  auto in = Node(ExprKind::kIn, TypeId::kBoolean, {x, Const(Int(1)), Const(Int(3))});
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*in, b)), (std::vector<Value>{kT, kF, kNullB}));
  auto in_null = Node(ExprKind::kIn, TypeId::kBoolean,
                      {x, Const(Int(1)), Const(Value::Null(TypeId::kInteger))});
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*in_null, b)),
            (std::vector<Value>{kT, kNullB, kNullB}));
  auto not_in = Node(ExprKind::kIn, TypeId::kBoolean, {x, Const(Int(1)), Const(Int(3))});
  not_in->negated = true;
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*not_in, b)), (std::vector<Value>{kF, kT, kNullB}));
  auto not_in_null = Node(ExprKind::kIn, TypeId::kBoolean,
                          {x, Const(Int(3)), Const(Value::Null(TypeId::kInteger))});
  not_in_null->negated = true;
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*not_in_null, b)),
            (std::vector<Value>{kNullB, kNullB, kNullB}));
  // Non-constant list.
  Batch b2 = MakeBatch({MakeVector(TypeId::kVarchar, {Str("a"), Str("b"), Str("c")}),
                        MakeVector(TypeId::kVarchar, {Str("x"), Str("b"), Value()})});
  auto in2 = Node(ExprKind::kIn, TypeId::kBoolean,
                  {Col(0, TypeId::kVarchar), Col(1, TypeId::kVarchar), Const(Str("a"))});
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*in2, b2)), (std::vector<Value>{kT, kT, kNullB}));
  // Strings via the constant hash set.
  auto in3 = Node(ExprKind::kIn, TypeId::kBoolean,
                  {Col(0, TypeId::kVarchar), Const(Str("c")), Const(Str("zz"))});
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*in3, b2)), (std::vector<Value>{kF, kF, kT}));
}

TEST(ExpressionExecutorTest, LikePatterns) {
  Batch b =
      MakeBatch({MakeVector(TypeId::kVarchar, {Str("hello world"), Str("Hello"), Str("50% off"),
                                               Str("a_b"), Str(""), Value()})});
  auto x = Col(0, TypeId::kVarchar);
  auto eval = [&](ExprPtr e) { return Rows(ExpressionExecutor::Evaluate(*e, b)); };
  EXPECT_EQ(eval(Like(x, "hello%")), (std::vector<Value>{kT, kF, kF, kF, kF, kNullB}));
  EXPECT_EQ(eval(Like(x, "%world")), (std::vector<Value>{kT, kF, kF, kF, kF, kNullB}));
  EXPECT_EQ(eval(Like(x, "%o%")), (std::vector<Value>{kT, kT, kT, kF, kF, kNullB}));
  EXPECT_EQ(eval(Like(x, "Hello")), (std::vector<Value>{kF, kT, kF, kF, kF, kNullB}));
  EXPECT_EQ(eval(Like(x, "h_llo%")), (std::vector<Value>{kT, kF, kF, kF, kF, kNullB}));
  EXPECT_EQ(eval(Like(x, "%")), (std::vector<Value>{kT, kT, kT, kT, kT, kNullB}));
  EXPECT_EQ(eval(Like(x, "")), (std::vector<Value>{kF, kF, kF, kF, kT, kNullB}));
  EXPECT_EQ(eval(Like(x, "hello%", false, true)),
            (std::vector<Value>{kT, kT, kF, kF, kF, kNullB}));  // ILIKE
  EXPECT_EQ(eval(Like(x, "%hello%", true)),
            (std::vector<Value>{kF, kT, kT, kT, kT, kNullB}));  // NOT LIKE
  EXPECT_EQ(eval(Like(x, "%\\%%", false, false, "\\")),
            (std::vector<Value>{kF, kF, kT, kF, kF, kNullB}));
  EXPECT_EQ(eval(Like(x, "a#_b", false, false, "#")),
            (std::vector<Value>{kF, kF, kF, kT, kF, kNullB}));
  EXPECT_EQ(eval(Like(x, "a.b")),
            (std::vector<Value>{kF, kF, kF, kF, kF, kNullB}));  // '.' is literal
  EXPECT_EQ(eval(Like(x, "(%")),
            (std::vector<Value>{kF, kF, kF, kF, kF, kNullB}));  // regex chars are literal
  EXPECT_THROW(eval(Like(x, "abc#", false, false, "#")), Error);
  // Non-constant pattern.
  Batch b2 = MakeBatch({MakeVector(TypeId::kVarchar, {Str("abc"), Str("abc")}),
                        MakeVector(TypeId::kVarchar, {Str("a%"), Str("b%")})});
  auto e =
      Node(ExprKind::kLike, TypeId::kBoolean, {Col(0, TypeId::kVarchar), Col(1, TypeId::kVarchar)});
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*e, b2)), (std::vector<Value>{kT, kF}));
}

TEST(ExpressionExecutorTest, CoalesceIsLazy) {
  Batch b = MakeBatch({MakeVector(TypeId::kInteger, {Int(1), Value(), Value()}),
                       MakeVector(TypeId::kInteger, {Int(0), Int(2), Value()})});
  auto e = Node(ExprKind::kCoalesce, TypeId::kInteger,
                {Col(0, TypeId::kInteger), Fn("divide", {Const(Int(10)), Col(1, TypeId::kInteger)}),
                 Const(Int(-1))});
  // Row 0 has a zero divisor but is already decided by the first argument.
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*e, b)),
            (std::vector<Value>{Int(1), Int(5), Int(-1)}));
}

TEST(ExpressionExecutorTest, CastAndTryCast) {
  Batch b = MakeBatch({MakeVector(TypeId::kVarchar, {Str("1"), Str("x"), Value()})});
  auto cast = Node(ExprKind::kCast, TypeId::kInteger, {Col(0, TypeId::kVarchar)});
  try {
    ExpressionExecutor::Evaluate(*cast, b);
    FAIL() << "expected a conversion error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConversion);
    EXPECT_EQ(std::string(e.what()), "cannot cast 'x' to INTEGER");
  }
  cast->try_cast = true;
  EXPECT_EQ(
      Rows(ExpressionExecutor::Evaluate(*cast, b)),
      (std::vector<Value>{Int(1), Value::Null(TypeId::kInteger), Value::Null(TypeId::kInteger)}));
}

TEST(ExpressionExecutorTest, SelectFastPathsAndNulls) {
  Batch b =
      MakeBatch({MakeVector(TypeId::kBigInt, {Big(5), Big(1), Value(), Big(7), Big(3)}),
                 MakeVector(TypeId::kVarchar, {Str("a"), Str("b"), Str("c"), Str("a"), Str("a")})});
  uint32_t sel[5];
  auto gt = Cmp(CompareOp::kGt, Col(0, TypeId::kBigInt), Const(Big(2)));
  ASSERT_EQ(ExpressionExecutor::Select(*gt, b, sel), 3u);
  EXPECT_EQ(sel[0], 0u);
  EXPECT_EQ(sel[1], 3u);
  EXPECT_EQ(sel[2], 4u);
  auto flipped = Cmp(CompareOp::kGt, Const(Big(4)), Col(0, TypeId::kBigInt));  // 4 > x
  ASSERT_EQ(ExpressionExecutor::Select(*flipped, b, sel), 2u);
  EXPECT_EQ(sel[0], 1u);
  EXPECT_EQ(sel[1], 4u);
  auto both = Node(ExprKind::kAnd, TypeId::kBoolean,
                   {gt, Cmp(CompareOp::kEq, Col(1, TypeId::kVarchar), Const(Str("a")))});
  ASSERT_EQ(ExpressionExecutor::Select(*both, b, sel), 3u);
  auto either = Node(ExprKind::kOr, TypeId::kBoolean,
                     {Cmp(CompareOp::kEq, Col(0, TypeId::kBigInt), Const(Big(1))),
                      Cmp(CompareOp::kEq, Col(1, TypeId::kVarchar), Const(Str("c")))});
  ASSERT_EQ(ExpressionExecutor::Select(*either, b, sel), 2u);
  EXPECT_EQ(sel[0], 1u);
  EXPECT_EQ(sel[1], 2u);
  auto with_null =
      Cmp(CompareOp::kEq, Col(0, TypeId::kBigInt), Const(Value::Null(TypeId::kBigInt)));
  EXPECT_EQ(ExpressionExecutor::Select(*with_null, b, sel), 0u);
  auto nested = Node(ExprKind::kAnd, TypeId::kBoolean,
                     {either, Node(ExprKind::kAnd, TypeId::kBoolean,
                                   {Cmp(CompareOp::kGe, Col(0, TypeId::kBigInt), Const(Big(1)))})});
  ASSERT_EQ(ExpressionExecutor::Select(*nested, b, sel), 1u);
  EXPECT_EQ(sel[0], 1u);
}

TEST(ExpressionExecutorTest, DictionaryAndConstantColumns) {
  Batch b = MakeBatch({MakeDictionary(TypeId::kVarchar, {Str("x"), Str("yy"), Value()}),
                       Vector::Constant(Int(2), 3)});
  auto len = Fn("length", {Col(0, TypeId::kVarchar)});
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*len, b)),
            (std::vector<Value>{Big(1), Big(2), Value::Null(TypeId::kBigInt)}));
  uint32_t sel[3];
  auto eq = Cmp(CompareOp::kEq, Fn("length", {Col(0, TypeId::kVarchar)}),
                Node(ExprKind::kCast, TypeId::kBigInt, {Col(1, TypeId::kInteger)}));
  ASSERT_EQ(ExpressionExecutor::Select(*eq, b, sel), 1u);
  EXPECT_EQ(sel[0], 1u);
}

TEST(ExpressionExecutorTest, EvaluateConstant) {
  EXPECT_EQ(ExpressionExecutor::EvaluateConstant(*Fn("multiply", {Const(Int(6)), Const(Int(7))})),
            Int(42));
  EXPECT_EQ(ExpressionExecutor::EvaluateConstant(*Fn("upper", {Const(Str("abc"))})), Str("ABC"));
  auto null_cast = Node(ExprKind::kCast, TypeId::kInteger, {Const(Value::Null())});
  Value v = ExpressionExecutor::EvaluateConstant(*null_cast);
  EXPECT_TRUE(v.is_null());
  EXPECT_EQ(v.type(), LogicalType(TypeId::kInteger));
  EXPECT_THROW(ExpressionExecutor::EvaluateConstant(*Fn("divide", {Const(Int(1)), Const(Int(0))})),
               Error);
}

TEST(ExpressionExecutorTest, CaseOverLargeBatch) {
  std::vector<Value> xs;
  for (int i = 0; i < 3000; i++) xs.push_back(i % 7 == 0 ? Value() : Int(i % 5));
  Batch b = MakeBatch({MakeVector(TypeId::kInteger, xs)});
  auto x = Col(0, TypeId::kInteger);
  auto e = Node(ExprKind::kCase, TypeId::kInteger,
                {Cmp(CompareOp::kNe, x, Const(Int(0))), Fn("divide", {Const(Int(60)), x})});
  Vector r = ExpressionExecutor::Evaluate(*e, b);
  for (int i = 0; i < 3000; i++) {
    Value got = r.GetValue(i);
    if (i % 7 == 0 || i % 5 == 0)
      EXPECT_TRUE(got.is_null()) << i;
    else
      EXPECT_EQ(got, Int(60 / (i % 5))) << i;
  }
}

TEST(ExpressionExecutorTest, StringResultsOutliveTheirInputs) {
  Vector result;
  {
    Batch b = MakeBatch(
        {MakeDictionary(TypeId::kVarchar, {Str("first value"), Value(), Str("third value")}),
         MakeVector(TypeId::kVarchar, {Str("x"), Str("fallback"), Str("y")})});
    auto e = Node(ExprKind::kCoalesce, TypeId::kVarchar,
                  {Fn("substr", {Col(0, TypeId::kVarchar), Const(Big(1)), Const(Big(5))}),
                   Col(1, TypeId::kVarchar)});
    result = ExpressionExecutor::Evaluate(*e, b);
  }  // the batch and its string heaps are gone
  EXPECT_EQ(Rows(result), (std::vector<Value>{Str("first"), Str("fallback"), Str("third")}));
}

TEST(ExpressionExecutorTest, InListOtherTypes) {
  Batch b = MakeBatch({MakeVector(TypeId::kDouble, {Dbl(1.5), Dbl(2)}),
                       MakeVector(TypeId::kDate, {Value::Date(10), Value::Date(11)})});
  auto in_d = Node(ExprKind::kIn, TypeId::kBoolean,
                   {Col(0, TypeId::kDouble), Const(Dbl(2)), Const(Dbl(3))});
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*in_d, b)), (std::vector<Value>{kF, kT}));
  auto in_date =
      Node(ExprKind::kIn, TypeId::kBoolean, {Col(1, TypeId::kDate), Const(Value::Date(10))});
  EXPECT_EQ(Rows(ExpressionExecutor::Evaluate(*in_date, b)), (std::vector<Value>{kT, kF}));
  uint32_t sel[2];
  ASSERT_EQ(ExpressionExecutor::Select(*in_date, b, sel), 1u);
  EXPECT_EQ(sel[0], 0u);
}

TEST(ExpressionExecutorTest, EmptyBatch) {
  Batch b = MakeBatch({MakeVector(TypeId::kInteger, {})});
  auto e = Fn("add", {Col(0, TypeId::kInteger), Const(Int(1))});
  EXPECT_EQ(ExpressionExecutor::Evaluate(*e, b).size(), 0u);
  uint32_t sel[1];
  EXPECT_EQ(ExpressionExecutor::Select(
                *Cmp(CompareOp::kEq, Col(0, TypeId::kInteger), Const(Int(1))), b, sel),
            0u);
}

}  // namespace
}  // namespace aishell
