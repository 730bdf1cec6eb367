#include <gtest/gtest.h>

#include <cmath>

#include "common/date_time.h"
#include "functions/testing/function_test_util.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

Value D(const char* s) { return Value::Date(*ParseDate(s)); }
Value Ts(const char* s) { return Value::Timestamp(*ParseTimestamp(s)); }

ErrorKind KindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::kInternal;
}

std::string MessageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// ---- registry / binding ----

TEST(FunctionRegistryTest, UnknownFunctionIsNull) {
  std::vector<LogicalType> coerced;
  EXPECT_EQ(FunctionRegistry::Get().BindScalar("no_such_fn", {TypeId::kInteger}, &coerced),
            nullptr);
  EXPECT_EQ(
      FunctionRegistry::Get().BindAggregate("no_such_agg", {TypeId::kInteger}, false, &coerced),
      nullptr);
}

TEST(FunctionRegistryTest, CaseInsensitiveAndCoercion) {
  std::vector<LogicalType> coerced;
  auto fn =
      FunctionRegistry::Get().BindScalar("ADD", {TypeId::kInteger, TypeId::kBigInt}, &coerced);
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(fn->return_type, LogicalType(TypeId::kBigInt));
  ASSERT_EQ(coerced.size(), 2u);
  EXPECT_EQ(coerced[0], LogicalType(TypeId::kBigInt));
  EXPECT_EQ(coerced[1], LogicalType(TypeId::kBigInt));

  fn = FunctionRegistry::Get().BindScalar("add", {TypeId::kInteger, LogicalType::Decimal(10, 2)},
                                          &coerced);
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(coerced[0], LogicalType::Decimal(10, 0));
  EXPECT_EQ(fn->return_type, LogicalType::Decimal(13, 2));

  fn = FunctionRegistry::Get().BindScalar("multiply", {TypeId::kBigInt, TypeId::kDouble}, &coerced);
  EXPECT_EQ(fn->return_type, LogicalType(TypeId::kDouble));
  EXPECT_EQ(coerced[0], LogicalType(TypeId::kDouble));
}

TEST(FunctionRegistryTest, NoFittingSignatureListsCandidates) {
  std::vector<LogicalType> coerced;
  std::string msg =
      MessageOf([&] { FunctionRegistry::Get().BindScalar("round", {TypeId::kVarchar}, &coerced); });
  EXPECT_NE(msg.find("function round(varchar) does not exist"), std::string::npos) << msg;
  EXPECT_NE(msg.find("round(double)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("round(decimal, integer)"), std::string::npos) << msg;
  EXPECT_EQ(
      KindOf([&] { FunctionRegistry::Get().BindScalar("lower", {TypeId::kInteger}, &coerced); }),
      ErrorKind::kBinder);
}

TEST(FunctionRegistryTest, NamesAndKinds) {
  const auto& reg = FunctionRegistry::Get();
  EXPECT_TRUE(reg.IsScalar("substr"));
  EXPECT_TRUE(reg.IsAggregate("sum"));
  EXPECT_FALSE(reg.IsScalar("sum"));
  auto names = reg.Names();
  EXPECT_NE(std::find(names.begin(), names.end(), "regexp_extract"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "stddev_pop"), names.end());
}

// ---- arithmetic ----

TEST(ArithmeticTest, IntegerOps) {
  EXPECT_EQ(Call("add", {Int(2), Int(3)}), Int(5));
  EXPECT_EQ(Call("subtract", {Big(2), Big(10)}), Big(-8));
  EXPECT_EQ(Call("multiply", {Int(-4), Int(5)}), Int(-20));
  EXPECT_EQ(Call("divide", {Int(7), Int(2)}), Int(3));
  EXPECT_EQ(Call("divide", {Int(-7), Int(2)}), Int(-3));  // truncates toward zero
  EXPECT_EQ(Call("modulus", {Int(-7), Int(3)}), Int(-1));
  EXPECT_EQ(Call("negate", {Big(5)}), Big(-5));
}

TEST(ArithmeticTest, OverflowAndDivisionByZero) {
  EXPECT_EQ(KindOf([] { Call("add", {Int(2147483647), Int(1)}); }), ErrorKind::kExecution);
  EXPECT_EQ(KindOf([] { Call("multiply", {Big(INT64_MAX), Big(2)}); }), ErrorKind::kExecution);
  EXPECT_EQ(KindOf([] { Call("divide", {Int(1), Int(0)}); }), ErrorKind::kExecution);
  EXPECT_EQ(KindOf([] { Call("modulus", {Big(1), Big(0)}); }), ErrorKind::kExecution);
  EXPECT_EQ(KindOf([] { Call("divide", {Big(INT64_MIN), Big(-1)}); }), ErrorKind::kExecution);
  EXPECT_EQ(KindOf([] { Call("negate", {Int(INT32_MIN)}); }), ErrorKind::kExecution);
  EXPECT_NE(MessageOf([] {
              Call("divide", {Int(1), Int(0)});
            }).find("division by zero"),
            std::string::npos);
}

TEST(ArithmeticTest, DoubleDivisionByZeroIsIeee) {
  EXPECT_TRUE(std::isinf(Call("divide", {Dbl(1), Dbl(0)}).GetDouble()));
  EXPECT_TRUE(std::isnan(Call("divide", {Dbl(0), Dbl(0)}).GetDouble()));
  EXPECT_DOUBLE_EQ(Call("add", {Dbl(0.5), Dbl(0.25)}).GetDouble(), 0.75);
}

TEST(ArithmeticTest, NullPropagation) {
  Vector a = MakeVector(TypeId::kInteger, {Int(1), Value(), Int(3)});
  Vector b = MakeVector(TypeId::kInteger, {Int(10), Int(20), Value()});
  Vector r = CallFunction("add", {a, b});
  EXPECT_EQ(r.GetValue(0), Int(11));
  EXPECT_TRUE(r.GetValue(1).is_null());
  EXPECT_TRUE(r.GetValue(2).is_null());
  // A null row with a zero divisor must not raise.
  Vector z = MakeVector(TypeId::kInteger, {Int(0), Int(2)});
  Vector x = MakeVector(TypeId::kInteger, {Value(), Int(8)});
  Vector q = CallFunction("divide", {x, z});
  EXPECT_TRUE(q.GetValue(0).is_null());
  EXPECT_EQ(q.GetValue(1), Int(4));
}

TEST(ArithmeticTest, ConstantAndDictionaryInputs) {
  Vector a = MakeDictionary(TypeId::kBigInt, {Big(1), Big(2), Value(), Big(4)});
  Vector c = Vector::Constant(Big(100), 4);
  Vector r = CallFunction("multiply", {a, c});
  EXPECT_EQ(r.GetValue(0), Big(100));
  EXPECT_EQ(r.GetValue(1), Big(200));
  EXPECT_TRUE(r.GetValue(2).is_null());
  EXPECT_EQ(r.GetValue(3), Big(400));
}

TEST(ArithmeticTest, DecimalRules) {
  // 1.25 + 2.5 = 3.75 as DECIMAL(4,2): 1 + max scale 2 + max integral digits 1
  Value sum = Call("add", {Dec(125, 3, 2), Dec(25, 2, 1)});
  EXPECT_EQ(sum.type(), LogicalType::Decimal(4, 2));
  EXPECT_EQ(sum.ToString(), "3.75");
  Value prod = Call("multiply", {Dec(125, 3, 2), Dec(25, 2, 1)});
  EXPECT_EQ(prod.type(), LogicalType::Decimal(5, 3));
  EXPECT_EQ(prod.ToString(), "3.125");
  Value quo = Call("divide", {Dec(100, 3, 2), Dec(30, 2, 1)});  // 1.00 / 3.0
  EXPECT_EQ(quo.type().scale, 2);
  EXPECT_EQ(quo.ToString(), "0.33");
  Value quo2 = Call("divide", {Dec(200, 3, 2), Dec(30, 2, 1)});  // 2.00 / 3.0 = 0.666.. -> 0.67
  EXPECT_EQ(quo2.ToString(), "0.67");
  EXPECT_EQ(Call("negate", {Dec(-150, 4, 2)}).ToString(), "1.50");
  EXPECT_EQ(Call("modulus", {Dec(750, 3, 2), Dec(2, 1, 0)}).ToString(), "1.50");
  EXPECT_EQ(KindOf([] { Call("divide", {Dec(1, 3, 2), Dec(0, 3, 2)}); }), ErrorKind::kExecution);
  // 18 x 18 digits: DECIMAL(36, 0), exact.
  Value wide = Call("multiply", {Dec(999999999999999999, 18, 0), Dec(10, 18, 0)});
  EXPECT_EQ(wide.type(), LogicalType::Decimal(36, 0));
  EXPECT_EQ(wide.ToString(), "9999999999999999990");
  EXPECT_EQ(KindOf([] {
              Int128 max38 = Pow10Wide(38) - 1;
              Call("multiply", {Value::Decimal(max38, 38, 0), Value::Decimal(10, 38, 0)});
            }),
            ErrorKind::kExecution);
}

TEST(ArithmeticTest, DateAndTimestampIntervals) {
  Value d = Call("add", {D("2024-01-31"), Value::IntervalValue(Interval{1, 0, 0})});
  EXPECT_EQ(d, D("2024-02-29"));
  EXPECT_EQ(Call("subtract", {D("2024-03-01"), Value::IntervalValue(Interval{0, 1, 0})}),
            D("2024-02-29"));
  Value t = Call("add", {Ts("2024-01-01 23:00:00"),
                         Value::IntervalValue(Interval{0, 0, 2 * 3600 * kMicrosPerSecond})});
  EXPECT_EQ(t, Ts("2024-01-02 01:00:00"));
  Value diff = Call("subtract", {Ts("2024-01-02 01:00:00"), Ts("2024-01-01 00:00:00")});
  EXPECT_EQ(diff.GetInterval().days, 1);
  EXPECT_EQ(diff.GetInterval().micros, 3600 * kMicrosPerSecond);
}

TEST(ArithmeticTest, Concat) {
  EXPECT_EQ(Call("concat", {Str("ab"), Str("cd")}), Str("abcd"));
  EXPECT_EQ(Call("concat", {Str("a"), Str(""), Str("c")}), Str("ac"));
  EXPECT_TRUE(Call("concat", {Str("a"), Value::Null(TypeId::kVarchar)}).is_null());
}

// ---- strings ----

TEST(StringFunctionsTest, CaseLengthReverse) {
  EXPECT_EQ(Call("lower", {Str("HeLLo")}), Str("hello"));
  EXPECT_EQ(Call("upper", {Str("HeLLo")}), Str("HELLO"));
  EXPECT_EQ(Call("length", {Str("héllo")}), Big(5));  // code points, not bytes
  EXPECT_EQ(Call("reverse", {Str("abc")}), Str("cba"));
  EXPECT_EQ(Call("reverse", {Str("aé")}), Str("éa"));
}

TEST(StringFunctionsTest, Substr) {
  EXPECT_EQ(Call("substr", {Str("hello"), Big(2)}), Str("ello"));
  EXPECT_EQ(Call("substr", {Str("hello"), Big(2), Big(3)}), Str("ell"));
  EXPECT_EQ(Call("substring", {Str("hello"), Int(-3), Int(2)}), Str("ll"));
  EXPECT_EQ(Call("substr", {Str("hello"), Big(0)}), Str(""));
  EXPECT_EQ(Call("substr", {Str("hello"), Big(10)}), Str(""));
  EXPECT_EQ(Call("substr", {Str("héllo"), Big(2), Big(2)}), Str("él"));
  EXPECT_EQ(Call("left", {Str("hello"), Big(2)}), Str("he"));
  EXPECT_EQ(Call("right", {Str("hello"), Big(3)}), Str("llo"));
}

TEST(StringFunctionsTest, TrimReplacePosition) {
  EXPECT_EQ(Call("trim", {Str("  a b  ")}), Str("a b"));
  EXPECT_EQ(Call("ltrim", {Str("  a ")}), Str("a "));
  EXPECT_EQ(Call("rtrim", {Str("  a ")}), Str("  a"));
  EXPECT_EQ(Call("trim", {Str("xxaxx"), Str("x")}), Str("a"));
  EXPECT_EQ(Call("replace", {Str("banana"), Str("an"), Str("AN")}), Str("bANANa"));
  EXPECT_EQ(Call("replace", {Str("banana"), Str("a")}), Str("bnn"));
  EXPECT_EQ(Call("strpos", {Str("banana"), Str("na")}), Big(3));
  EXPECT_EQ(Call("strpos", {Str("banana"), Str("x")}), Big(0));
  EXPECT_EQ(Call("position", {Str("na"), Str("banana")}), Big(3));
  EXPECT_EQ(Call("starts_with", {Str("banana"), Str("ban")}), Value::Boolean(true));
  EXPECT_EQ(Call("starts_with", {Str("banana"), Str("an")}), Value::Boolean(false));
}

TEST(StringFunctionsTest, SplitPadConcatWs) {
  EXPECT_EQ(Call("split_part", {Str("a,b,c"), Str(","), Big(2)}), Str("b"));
  EXPECT_EQ(Call("split_part", {Str("a,b,c"), Str(","), Big(3)}), Str("c"));
  EXPECT_TRUE(Call("split_part", {Str("a,b,c"), Str(","), Big(4)}).is_null());
  EXPECT_EQ(KindOf([] {
              Call("split_part", {Str("a"), Str(","), Big(0)});
            }),
            ErrorKind::kExecution);
  EXPECT_EQ(Call("lpad", {Str("7"), Big(3), Str("0")}), Str("007"));
  EXPECT_EQ(Call("rpad", {Str("ab"), Big(5), Str("xy")}), Str("abxyx"));
  EXPECT_EQ(Call("lpad", {Str("hello"), Big(2), Str("0")}), Str("he"));
  EXPECT_EQ(Call("concat_ws", {Str("-"), Str("a"), Value::Null(TypeId::kVarchar), Str("c")}),
            Str("a-c"));
  EXPECT_TRUE(Call("concat_ws", {Value::Null(TypeId::kVarchar), Str("a")}).is_null());
}

TEST(StringFunctionsTest, Regexp) {
  EXPECT_EQ(Call("regexp_like", {Str("abc123"), Str("\\d+")}), Value::Boolean(true));
  EXPECT_EQ(Call("regexp_like", {Str("abc"), Str("^\\d")}), Value::Boolean(false));
  EXPECT_EQ(Call("regexp_extract", {Str("order-42-x"), Str("\\d+")}), Str("42"));
  EXPECT_EQ(Call("regexp_extract", {Str("k=v"), Str("(\\w)=(\\w)"), Big(2)}), Str("v"));
  EXPECT_TRUE(Call("regexp_extract", {Str("abc"), Str("\\d+")}).is_null());
  EXPECT_EQ(Call("regexp_replace", {Str("a1b22c"), Str("\\d+"), Str("#")}), Str("a#b#c"));
  EXPECT_EQ(Call("regexp_replace", {Str("john smith"), Str("(\\w+) (\\w+)"), Str("$2 $1")}),
            Str("smith john"));
  EXPECT_EQ(Call("regexp_replace", {Str("a1b2"), Str("\\d")}), Str("ab"));
  EXPECT_EQ(KindOf([] { Call("regexp_like", {Str("a"), Str("(")}); }), ErrorKind::kExecution);
}

// ---- math ----

TEST(MathFunctionsTest, AbsRoundCeilFloor) {
  EXPECT_EQ(Call("abs", {Int(-3)}), Int(3));
  EXPECT_EQ(Call("abs", {Dec(-125, 5, 2)}).ToString(), "1.25");
  EXPECT_EQ(KindOf([] { Call("abs", {Big(INT64_MIN)}); }), ErrorKind::kExecution);
  EXPECT_DOUBLE_EQ(Call("round", {Dbl(2.5)}).GetDouble(), 3.0);
  EXPECT_DOUBLE_EQ(Call("round", {Dbl(-2.5)}).GetDouble(), -3.0);
  EXPECT_DOUBLE_EQ(Call("round", {Dbl(3.14159), Int(2)}).GetDouble(), 3.14);
  EXPECT_EQ(Call("round", {Dec(12345, 6, 3)}).ToString(), "12");  // 12.345
  EXPECT_EQ(Call("round", {Dec(12355, 6, 3), Int(2)}).ToString(), "12.360");
  EXPECT_EQ(Call("round", {Dec(-12500, 6, 3)}).ToString(), "-13");  // half away from zero
  EXPECT_EQ(Call("round", {Int(7)}), Int(7));
  EXPECT_DOUBLE_EQ(Call("ceil", {Dbl(1.2)}).GetDouble(), 2.0);
  EXPECT_DOUBLE_EQ(Call("floor", {Dbl(-1.2)}).GetDouble(), -2.0);
  EXPECT_EQ(Call("ceiling", {Dec(-125, 5, 2)}).ToString(), "-1");
  EXPECT_EQ(Call("floor", {Dec(-125, 5, 2)}).ToString(), "-2");
  EXPECT_DOUBLE_EQ(Call("truncate", {Dbl(-1.7)}).GetDouble(), -1.0);
}

TEST(MathFunctionsTest, Transcendental) {
  EXPECT_DOUBLE_EQ(Call("sqrt", {Dbl(16)}).GetDouble(), 4.0);
  EXPECT_DOUBLE_EQ(Call("sqrt", {Int(9)}).GetDouble(), 3.0);  // integer coerces to double
  EXPECT_TRUE(std::isnan(Call("sqrt", {Dbl(-1)}).GetDouble()));
  EXPECT_DOUBLE_EQ(Call("power", {Int(2), Int(10)}).GetDouble(), 1024.0);
  EXPECT_DOUBLE_EQ(Call("pow", {Dbl(4), Dbl(0.5)}).GetDouble(), 2.0);
  EXPECT_DOUBLE_EQ(Call("exp", {Dbl(0)}).GetDouble(), 1.0);
  EXPECT_DOUBLE_EQ(Call("ln", {Dbl(1)}).GetDouble(), 0.0);
  EXPECT_DOUBLE_EQ(Call("log10", {Dbl(1000)}).GetDouble(), 3.0);
  EXPECT_DOUBLE_EQ(Call("log2", {Dbl(8)}).GetDouble(), 3.0);
  EXPECT_EQ(Call("mod", {Int(10), Int(3)}), Int(1));
  EXPECT_EQ(Call("sign", {Int(-5)}), Int(-1));
  EXPECT_DOUBLE_EQ(Call("sign", {Dbl(2.5)}).GetDouble(), 1.0);
}

TEST(MathFunctionsTest, GreatestLeastRandom) {
  EXPECT_EQ(Call("greatest", {Int(3), Int(7), Int(5)}), Int(7));
  EXPECT_EQ(Call("least", {Int(3), Big(-7), Int(5)}), Big(-7));
  EXPECT_EQ(Call("greatest", {Str("apple"), Str("pear")}), Str("pear"));
  EXPECT_TRUE(Call("greatest", {Int(3), Value::Null(TypeId::kInteger)}).is_null());
  std::vector<LogicalType> coerced;
  auto fn = FunctionRegistry::Get().BindScalar("random", {}, &coerced);
  ASSERT_NE(fn, nullptr);
  EXPECT_FALSE(fn->deterministic);
  Vector r(fn->return_type, 100);
  r.Resize(100);
  fn->kernel({}, 100, r);
  bool varied = false;
  for (size_t i = 0; i < 100; i++) {
    double d = r.GetValue(i).GetDouble();
    EXPECT_GE(d, 0.0);
    EXPECT_LT(d, 1.0);
    if (i && d != r.GetValue(0).GetDouble()) varied = true;
  }
  EXPECT_TRUE(varied);
}

// ---- date / time ----

TEST(DateFunctionsTest, DateTrunc) {
  Value t = Ts("2024-05-17 13:45:12.345");
  EXPECT_EQ(Call("date_trunc", {Str("day"), t}), Ts("2024-05-17 00:00:00"));
  EXPECT_EQ(Call("date_trunc", {Str("hour"), t}), Ts("2024-05-17 13:00:00"));
  EXPECT_EQ(Call("date_trunc", {Str("minute"), t}), Ts("2024-05-17 13:45:00"));
  EXPECT_EQ(Call("date_trunc", {Str("second"), t}), Ts("2024-05-17 13:45:12"));
  EXPECT_EQ(Call("date_trunc", {Str("week"), t}), Ts("2024-05-13 00:00:00"));  // Monday
  EXPECT_EQ(Call("date_trunc", {Str("month"), t}), Ts("2024-05-01 00:00:00"));
  EXPECT_EQ(Call("date_trunc", {Str("quarter"), t}), Ts("2024-04-01 00:00:00"));
  EXPECT_EQ(Call("date_trunc", {Str("YEAR"), D("2024-05-17")}), D("2024-01-01"));
  EXPECT_EQ(Call("date_trunc", {Str("day"), Ts("1969-12-31 23:00:00")}), Ts("1969-12-31 00:00:00"));
  EXPECT_EQ(KindOf([&] { Call("date_trunc", {Str("fortnight"), t}); }), ErrorKind::kExecution);
}

TEST(DateFunctionsTest, ExtractAndFieldFunctions) {
  Value t = Ts("2024-12-30 08:09:10");
  EXPECT_EQ(Call("year", {t}), Big(2024));
  EXPECT_EQ(Call("month", {t}), Big(12));
  EXPECT_EQ(Call("day", {t}), Big(30));
  EXPECT_EQ(Call("hour", {t}), Big(8));
  EXPECT_EQ(Call("minute", {t}), Big(9));
  EXPECT_EQ(Call("second", {t}), Big(10));
  EXPECT_EQ(Call("quarter", {t}), Big(4));
  EXPECT_EQ(Call("day_of_week", {t}), Big(1));  // Monday
  EXPECT_EQ(Call("week", {t}), Big(1));         // ISO week 1 of 2025
  EXPECT_EQ(Call("day_of_year", {D("2024-12-31")}), Big(366));
  EXPECT_EQ(Call("extract", {Str("year"), D("2023-07-04")}), Big(2023));
  EXPECT_EQ(Call("date_part", {Str("dow"), D("2023-07-09")}), Big(7));  // Sunday
}

TEST(DateFunctionsTest, DateAddDiff) {
  EXPECT_EQ(Call("date_add", {Str("day"), Big(3), D("2024-02-27")}), D("2024-03-01"));
  EXPECT_EQ(Call("date_add", {Str("month"), Big(1), D("2024-01-31")}), D("2024-02-29"));
  EXPECT_EQ(Call("date_add", {Str("hour"), Big(-2), Ts("2024-01-01 01:00:00")}),
            Ts("2023-12-31 23:00:00"));
  EXPECT_EQ(Call("date_diff", {Str("day"), D("2024-01-01"), D("2024-03-01")}), Big(60));
  EXPECT_EQ(Call("date_diff", {Str("month"), D("2024-01-31"), D("2024-02-29")}), Big(0));
  EXPECT_EQ(Call("date_diff", {Str("month"), D("2024-01-15"), D("2024-03-15")}), Big(2));
  EXPECT_EQ(Call("date_diff", {Str("year"), D("2020-06-01"), D("2024-05-31")}), Big(3));
  EXPECT_EQ(Call("date_diff", {Str("hour"), Ts("2024-01-01 00:00:00"), Ts("2024-01-01 05:30:00")}),
            Big(5));
}

TEST(DateFunctionsTest, CurrentTimeIsFixedPerBinding) {
  std::vector<LogicalType> coerced;
  auto fn = FunctionRegistry::Get().BindScalar("current_timestamp", {}, &coerced);
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(fn->return_type, LogicalType(TypeId::kTimestampTz));
  Vector a(fn->return_type, 2), b(fn->return_type, 2);
  a.Resize(2);
  b.Resize(2);
  fn->kernel({}, 2, a);
  fn->kernel({}, 2, b);
  EXPECT_EQ(a.GetValue(0), b.GetValue(1));
  EXPECT_GT(a.GetValue(0).GetInt64(), *ParseTimestamp("2020-01-01 00:00:00"));
  Value today = Call("current_date", {});
  EXPECT_EQ(today.type(), LogicalType(TypeId::kDate));
}

TEST(DateFunctionsTest, FormatAndUnixtime) {
  EXPECT_EQ(Call("date_format", {Ts("2024-03-05 14:07:09"), Str("%Y/%m/%d %H:%i:%s")}),
            Str("2024/03/05 14:07:09"));
  EXPECT_DOUBLE_EQ(Call("to_unixtime", {Ts("1970-01-02 00:00:00")}).GetDouble(), 86400.0);
  EXPECT_EQ(Call("from_unixtime", {Dbl(86400)}), Value::TimestampTz(kMicrosPerDay));
}

TEST(ScalarEdgeCasesTest, ExtremeArgumentsDoNotCrash) {
  EXPECT_EQ(Call("substr", {Str("hello"), Big(2), Big(INT64_MAX)}), Str("ello"));
  EXPECT_EQ(Call("substr", {Str("hello"), Big(INT64_MIN), Big(2)}), Str(""));
  EXPECT_EQ(KindOf([] {
              Call("lpad", {Str("a"), Big(int64_t{1} << 40), Str("x")});
            }),
            ErrorKind::kExecution);
  EXPECT_EQ(KindOf([] { Call("lpad", {Str("a"), Big(-1), Str("x")}); }), ErrorKind::kExecution);
  EXPECT_EQ(KindOf([] {
              Call("divide", {Dec(999999999999999999, 18, 0), Dec(1, 18, 18)});
            }),
            ErrorKind::kExecution);
  EXPECT_EQ(KindOf([] {
              Call("date_add", {Str("day"), Big(INT64_MAX / 2), Ts("2024-01-01 00:00:00")});
            }),
            ErrorKind::kExecution);
  EXPECT_DOUBLE_EQ(Call("round", {Dbl(1.5), Int(400)}).GetDouble(), 1.5);
  EXPECT_DOUBLE_EQ(Call("round", {Dbl(123.0), Int(-1)}).GetDouble(), 120.0);
}

}  // namespace
}  // namespace aishell
