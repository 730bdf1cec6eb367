#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "common/exception.h"
#include "functions/testing/function_test_util.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

// Owns aggregate states for a test; runs destroy at the end.
class States {
 public:
  States(std::shared_ptr<const AggregateFunction> fn, size_t n) : fn_(std::move(fn)), mem_(n) {
    for (auto& m : mem_) {
      m.resize((fn_->state_size + 7) / 8 + 1);
      fn_->init(reinterpret_cast<uint8_t*>(m.data()));
    }
  }
  ~States() {
    for (auto& m : mem_) {
      if (fn_->destroy) fn_->destroy(reinterpret_cast<uint8_t*>(m.data()));
    }
  }
  uint8_t* operator[](size_t i) { return reinterpret_cast<uint8_t*>(mem_[i].data()); }

 private:
  std::shared_ptr<const AggregateFunction> fn_;
  std::vector<std::vector<uint64_t>> mem_;
};

std::shared_ptr<const AggregateFunction> Bind(const std::string& name,
                                              std::vector<LogicalType> types,
                                              bool distinct = false) {
  std::vector<LogicalType> coerced;
  auto fn = FunctionRegistry::Get().BindAggregate(name, types, distinct, &coerced);
  EXPECT_NE(fn, nullptr) << name;
  return fn;
}

// Aggregates all rows into one state (split into two partial states merged with combine).
Value AggregateAll(const std::string& name, const LogicalType& type,
                   const std::vector<Value>& values, bool distinct = false) {
  auto fn = Bind(name, {type}, distinct);
  States st(fn, 2);
  std::vector<Value> coerced_values;
  for (const auto& x : values)
    coerced_values.push_back(x.is_null() ? x : CastValue(x, fn->arg_types[0], false));
  Vector input = MakeVector(fn->arg_types[0], coerced_values);
  size_t half = values.size() / 2;
  std::vector<uint8_t*> ptrs;
  for (size_t i = 0; i < values.size(); i++) ptrs.push_back(i < half ? st[0] : st[1]);
  fn->update({input}, ptrs.data(), values.size());
  fn->combine(st[1], st[0]);
  Vector out(fn->return_type, 1);
  out.Resize(1);
  uint8_t* p = st[0];
  fn->finalize(&p, 1, out);
  return out.GetValue(0);
}

TEST(AggregateTest, CountFamily) {
  auto star = Bind("count_star", {});
  States st(star, 1);
  std::vector<uint8_t*> ptrs(5, st[0]);
  star->update({}, ptrs.data(), 5);
  Vector out(star->return_type, 1);
  out.Resize(1);
  uint8_t* p = st[0];
  star->finalize(&p, 1, out);
  EXPECT_EQ(out.GetValue(0), Big(5));

  EXPECT_EQ(AggregateAll("count", TypeId::kInteger, {Int(1), Value(), Int(3)}), Big(2));
  EXPECT_EQ(AggregateAll("count", TypeId::kInteger, {}), Big(0));
  EXPECT_EQ(
      AggregateAll("count_if", TypeId::kBoolean,
                   {Value::Boolean(true), Value::Boolean(false), Value(), Value::Boolean(true)}),
      Big(2));
  EXPECT_EQ(AggregateAll("count", TypeId::kVarchar, {Str("a"), Str("b"), Str("a"), Value()}, true),
            Big(2));
  EXPECT_EQ(AggregateAll("approx_distinct", TypeId::kBigInt, {Big(1), Big(1), Big(2), Big(3)}),
            Big(3));
}

TEST(AggregateTest, Sum) {
  EXPECT_EQ(AggregateAll("sum", TypeId::kInteger, {Int(1), Int(2), Value(), Int(4)}), Big(7));
  EXPECT_TRUE(AggregateAll("sum", TypeId::kInteger, {}).is_null());
  EXPECT_TRUE(AggregateAll("sum", TypeId::kBigInt, {Value(), Value()}).is_null());
  Value d = AggregateAll("sum", LogicalType::Decimal(10, 2), {Dec(150, 10, 2), Dec(275, 10, 2)});
  EXPECT_EQ(d.type(), LogicalType::Decimal(38, 2));  // Trino: sum(decimal(p, s)) is (38, s)
  EXPECT_EQ(d.ToString(), "4.25");
  // 18-digit inputs sum past 18 digits exactly.
  Value big = AggregateAll("sum", LogicalType::Decimal(18, 0),
                           {Dec(999999999999999999, 18, 0), Dec(1, 18, 0)});
  EXPECT_EQ(big.ToString(), "1000000000000000000");
  EXPECT_DOUBLE_EQ(AggregateAll("sum", TypeId::kDouble, {Dbl(0.5), Dbl(0.25)}).GetDouble(), 0.75);
  EXPECT_THROW(AggregateAll("sum", TypeId::kBigInt, {Big(INT64_MAX), Big(1)}), Error);
  Int128 max38 = Pow10Wide(38) - 1;
  EXPECT_THROW(AggregateAll("sum", LogicalType::Decimal(38, 0),
                            {Value::Decimal(max38, 38, 0), Value::Decimal(1, 38, 0)}),
               Error);
  EXPECT_EQ(AggregateAll("sum", TypeId::kInteger, {Int(5), Int(5), Int(2)}, true), Big(7));
}

TEST(AggregateTest, Avg) {
  EXPECT_DOUBLE_EQ(
      AggregateAll("avg", TypeId::kInteger, {Int(1), Int(2), Value(), Int(4)}).GetDouble(),
      7.0 / 3);
  EXPECT_TRUE(AggregateAll("avg", TypeId::kDouble, {}).is_null());
  Value d = AggregateAll("avg", LogicalType::Decimal(10, 2),
                         {Dec(100, 10, 2), Dec(200, 10, 2), Dec(200, 10, 2)});
  EXPECT_EQ(d.ToString(), "1.67");  // 5.00 / 3 rounded half up
  EXPECT_DOUBLE_EQ(
      AggregateAll("avg", TypeId::kBigInt, {Big(INT64_MAX), Big(INT64_MAX)}).GetDouble(),
      static_cast<double>(INT64_MAX));  // no overflow
  EXPECT_DOUBLE_EQ(AggregateAll("avg", TypeId::kDouble, {Dbl(1), Dbl(1), Dbl(4)}, true).GetDouble(),
                   2.5);
}

TEST(AggregateTest, MinMaxArbitrary) {
  EXPECT_EQ(AggregateAll("min", TypeId::kInteger, {Int(5), Value(), Int(-2), Int(9)}), Int(-2));
  EXPECT_EQ(AggregateAll("max", TypeId::kInteger, {Int(5), Value(), Int(-2), Int(9)}), Int(9));
  EXPECT_TRUE(AggregateAll("max", TypeId::kInteger, {}).is_null());
  EXPECT_EQ(AggregateAll("min", TypeId::kVarchar, {Str("pear"), Str("apple"), Value(), Str("zoo")}),
            Str("apple"));
  EXPECT_EQ(
      AggregateAll("max", TypeId::kVarchar, {Str("pear"), Str("apple"), Str("zoo"), Str("b")}),
      Str("zoo"));
  EXPECT_EQ(
      AggregateAll("max", LogicalType::Decimal(5, 2), {Dec(-1, 5, 2), Dec(300, 5, 2)}).ToString(),
      "3.00");
  EXPECT_EQ(AggregateAll("min", TypeId::kDate, {Value::Date(10), Value::Date(3)}), Value::Date(3));
  Value any = AggregateAll("arbitrary", TypeId::kVarchar, {Value(), Str("x"), Str("y")});
  EXPECT_TRUE(any == Str("x") || any == Str("y"));
  EXPECT_EQ(AggregateAll("max", TypeId::kInteger, {Int(1), Int(3), Int(3)}, true), Int(3));
}

TEST(AggregateTest, MinMaxStringStateOutlivesInput) {
  auto fn = Bind("max", {TypeId::kVarchar});
  States st(fn, 1);
  {
    Vector input =
        MakeVector(TypeId::kVarchar, {Str("a long string that is not inlined"), Str("b")});
    std::vector<uint8_t*> ptrs(2, st[0]);
    fn->update({input}, ptrs.data(), 2);
  }  // input freed
  Vector out(fn->return_type, 1);
  out.Resize(1);
  uint8_t* p = st[0];
  fn->finalize(&p, 1, out);
  EXPECT_EQ(out.GetValue(0), Str("b"));
}

TEST(AggregateTest, BoolAndOr) {
  EXPECT_EQ(AggregateAll("bool_and", TypeId::kBoolean,
                         {Value::Boolean(true), Value(), Value::Boolean(true)}),
            Value::Boolean(true));
  EXPECT_EQ(
      AggregateAll("bool_and", TypeId::kBoolean, {Value::Boolean(true), Value::Boolean(false)}),
      Value::Boolean(false));
  EXPECT_EQ(
      AggregateAll("bool_or", TypeId::kBoolean, {Value::Boolean(false), Value::Boolean(true)}),
      Value::Boolean(true));
  EXPECT_TRUE(AggregateAll("bool_or", TypeId::kBoolean, {}).is_null());
}

TEST(AggregateTest, VarianceFamily) {
  std::vector<Value> xs = {Dbl(2), Dbl(4), Dbl(4), Dbl(4), Dbl(5), Dbl(5), Dbl(7), Dbl(9)};
  EXPECT_NEAR(AggregateAll("stddev_pop", TypeId::kDouble, xs).GetDouble(), 2.0, 1e-12);
  EXPECT_NEAR(AggregateAll("var_pop", TypeId::kDouble, xs).GetDouble(), 4.0, 1e-12);
  EXPECT_NEAR(AggregateAll("variance", TypeId::kDouble, xs).GetDouble(), 32.0 / 7, 1e-12);
  EXPECT_NEAR(AggregateAll("stddev", TypeId::kInteger, {Int(1), Int(3)}).GetDouble(),
              std::sqrt(2.0), 1e-12);
  EXPECT_TRUE(AggregateAll("stddev_samp", TypeId::kDouble, {Dbl(1)}).is_null());
  EXPECT_NEAR(AggregateAll("var_pop", TypeId::kDouble, {Dbl(1)}).GetDouble(), 0.0, 1e-12);
}

TEST(AggregateTest, GroupedUpdateWithRepeatedStates) {
  auto fn = Bind("sum", {TypeId::kBigInt});
  States st(fn, 3);
  Vector input = MakeDictionary(TypeId::kBigInt, {Big(1), Big(2), Big(3), Big(4), Value(), Big(6)});
  std::vector<uint8_t*> ptrs = {st[0], st[1], st[0], st[2], st[2], st[1]};
  fn->update({input}, ptrs.data(), 6);
  Vector out(fn->return_type, 3);
  out.Resize(3);
  std::vector<uint8_t*> all = {st[0], st[1], st[2]};
  fn->finalize(all.data(), 3, out);
  EXPECT_EQ(out.GetValue(0), Big(4));
  EXPECT_EQ(out.GetValue(1), Big(8));
  EXPECT_EQ(out.GetValue(2), Big(4));
}

TEST(AggregateTest, DistinctCombineMergesSets) {
  auto fn = Bind("count", {TypeId::kInteger}, true);
  States st(fn, 2);
  Vector a = MakeVector(TypeId::kInteger, {Int(1), Int(2), Int(2)});
  Vector b = MakeVector(TypeId::kInteger, {Int(2), Int(3), Value()});
  std::vector<uint8_t*> p0(3, st[0]), p1(3, st[1]);
  fn->update({a}, p0.data(), 3);
  fn->update({b}, p1.data(), 3);
  fn->combine(st[1], st[0]);
  Vector out(fn->return_type, 1);
  out.Resize(1);
  uint8_t* p = st[0];
  fn->finalize(&p, 1, out);
  EXPECT_EQ(out.GetValue(0), Big(3));
}

TEST(AggregateTest, BindErrors) {
  std::vector<LogicalType> coerced;
  EXPECT_THROW(FunctionRegistry::Get().BindAggregate("sum", {TypeId::kVarchar}, false, &coerced),
               Error);
  auto fn = FunctionRegistry::Get().BindAggregate("SUM", {TypeId::kInteger}, false, &coerced);
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(fn->return_type, LogicalType(TypeId::kBigInt));
}

TEST(AggregateTest, DistinctOverFixedWidthTypes) {
  EXPECT_DOUBLE_EQ(
      AggregateAll("sum", TypeId::kDouble, {Dbl(1.5), Dbl(1.5), Dbl(-0.0), Dbl(0.0), Dbl(2)}, true)
          .GetDouble(),
      3.5);
  EXPECT_EQ(AggregateAll("count", TypeId::kDate,
                         {Value::Date(1), Value::Date(1), Value::Date(-5), Value()}, true),
            Big(2));
  EXPECT_EQ(AggregateAll("avg", LogicalType::Decimal(6, 2),
                         {Dec(100, 6, 2), Dec(100, 6, 2), Dec(-300, 6, 2)}, true)
                .ToString(),
            "-1.00");
  EXPECT_EQ(AggregateAll("sum", TypeId::kInteger, {Int(-1), Int(-1), Int(-2)}, true), Big(-3));
  EXPECT_EQ(AggregateAll("count", TypeId::kBoolean,
                         {Value::Boolean(true), Value::Boolean(false), Value::Boolean(true)}, true),
            Big(2));
}

}  // namespace
}  // namespace aishell
