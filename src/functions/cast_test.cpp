#include "functions/cast.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/date_time.h"
#include "common/exception.h"
#include "functions/testing/function_test_util.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

const LogicalType kInt(TypeId::kInteger);
const LogicalType kBig(TypeId::kBigInt);
const LogicalType kDbl(TypeId::kDouble);
const LogicalType kStr(TypeId::kVarchar);
const LogicalType kBool(TypeId::kBoolean);

std::string CastMessage(const Value& v, const LogicalType& t) {
  try {
    CastValue(v, t, false);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConversion);
    return e.what();
  }
  return "";
}

TEST(CastTest, NumericToNumeric) {
  EXPECT_EQ(CastValue(Int(5), kBig, false), Big(5));
  EXPECT_EQ(CastValue(Big(5), kInt, false), Int(5));
  EXPECT_NE(CastMessage(Big(3000000000LL), kInt).find("out of range"), std::string::npos);
  EXPECT_EQ(CastValue(Dbl(2.5), kInt, false), Int(3));  // rounds half away from zero
  EXPECT_EQ(CastValue(Dbl(-2.5), kBig, false), Big(-3));
  EXPECT_FALSE(CastMessage(Dbl(NAN), kInt).empty());
  EXPECT_FALSE(CastMessage(Dbl(1e30), kBig).empty());
  EXPECT_EQ(CastValue(Int(7), LogicalType::Decimal(5, 2), false).ToString(), "7.00");
  EXPECT_FALSE(CastMessage(Int(1000), LogicalType::Decimal(5, 2)).empty());
  EXPECT_EQ(CastValue(Dec(12345, 6, 3), LogicalType::Decimal(5, 1), false).ToString(), "12.3");
  EXPECT_EQ(CastValue(Dec(12355, 6, 3), LogicalType::Decimal(5, 2), false).ToString(),
            "12.36");  // half up
  EXPECT_EQ(CastValue(Dec(-12355, 6, 3), LogicalType::Decimal(5, 2), false).ToString(), "-12.36");
  EXPECT_EQ(CastValue(Dec(-12500, 6, 3), kInt, false), Int(-13));
  EXPECT_DOUBLE_EQ(CastValue(Dec(125, 5, 2), kDbl, false).GetDouble(), 1.25);
  EXPECT_EQ(CastValue(Dbl(1.005), LogicalType::Decimal(10, 1), false).ToString(), "1.0");
  EXPECT_EQ(CastValue(Value::Boolean(true), kInt, false), Int(1));
  EXPECT_EQ(CastValue(Int(0), kBool, false), Value::Boolean(false));
  EXPECT_EQ(CastValue(Dbl(0.5), kBool, false), Value::Boolean(true));
}

TEST(CastTest, StringToTypes) {
  EXPECT_EQ(CastValue(Str(" 42 "), kInt, false), Int(42));
  EXPECT_EQ(CastValue(Str("-9000000000"), kBig, false), Big(-9000000000LL));
  EXPECT_DOUBLE_EQ(CastValue(Str("1.5e3"), kDbl, false).GetDouble(), 1500.0);
  EXPECT_TRUE(std::isnan(CastValue(Str("NaN"), kDbl, false).GetDouble()));
  EXPECT_EQ(CastValue(Str("12.345"), LogicalType::Decimal(10, 2), false).ToString(), "12.35");
  EXPECT_EQ(CastValue(Str("-0.5"), LogicalType::Decimal(3, 1), false).ToString(), "-0.5");
  EXPECT_EQ(CastValue(Str("TRUE"), kBool, false), Value::Boolean(true));
  EXPECT_EQ(CastValue(Str("f"), kBool, false), Value::Boolean(false));
  EXPECT_EQ(CastValue(Str("2024-02-29"), LogicalType(TypeId::kDate), false),
            Value::Date(*ParseDate("2024-02-29")));
  EXPECT_EQ(
      CastValue(Str("2024-02-29 10:11:12"), LogicalType(TypeId::kTimestamp), false).ToString(),
      "2024-02-29 10:11:12");
  EXPECT_EQ(CastMessage(Str("abc"), kInt), "cannot cast 'abc' to INTEGER");
  EXPECT_EQ(CastMessage(Str("1.5"), kInt), "cannot cast '1.5' to INTEGER");
  EXPECT_EQ(CastMessage(Str("99999999999"), kInt), "cannot cast '99999999999' to INTEGER");
  EXPECT_FALSE(CastMessage(Str("2024-02-30"), LogicalType(TypeId::kDate)).empty());
  EXPECT_FALSE(CastMessage(Str("maybe"), kBool).empty());
  EXPECT_FALSE(CastMessage(Str("123.4"), LogicalType::Decimal(3, 1)).empty());
  EXPECT_FALSE(CastMessage(Str(""), kDbl).empty());
}

TEST(CastTest, ToVarchar) {
  EXPECT_EQ(CastValue(Int(-12), kStr, false), Str("-12"));
  EXPECT_EQ(CastValue(Dec(-5, 3, 2), kStr, false), Str("-0.05"));
  EXPECT_EQ(CastValue(Value::Boolean(true), kStr, false), Str("true"));
  EXPECT_EQ(CastValue(Value::Date(*ParseDate("2024-01-02")), kStr, false), Str("2024-01-02"));
  EXPECT_EQ(CastValue(Dbl(2.5), kStr, false), Str(Value::Double(2.5).ToString().c_str()));
}

TEST(CastTest, Temporal) {
  Value d = Value::Date(*ParseDate("2024-03-10"));
  Value ts = CastValue(d, LogicalType(TypeId::kTimestamp), false);
  EXPECT_EQ(ts.ToString(), "2024-03-10 00:00:00");
  Value t2 = Value::Timestamp(*ParseTimestamp("1969-12-31 23:59:59"));
  EXPECT_EQ(CastValue(t2, LogicalType(TypeId::kDate), false), Value::Date(-1));
  Value tz = CastValue(t2, LogicalType(TypeId::kTimestampTz), false);
  EXPECT_EQ(tz.GetInt64(), t2.GetInt64());
  EXPECT_EQ(CastValue(tz, LogicalType(TypeId::kTimestamp), false).GetInt64(), t2.GetInt64());
  EXPECT_EQ(CastValue(Str("2024-01-01T10:00:00+02:00"), LogicalType(TypeId::kTimestampTz), false)
                .GetInt64(),
            *ParseTimestamp("2024-01-01 08:00:00"));
}

TEST(CastTest, TryCastGivesNull) {
  EXPECT_TRUE(CastValue(Str("abc"), kInt, true).is_null());
  EXPECT_TRUE(CastValue(Big(1LL << 40), kInt, true).is_null());
  EXPECT_EQ(CastValue(Str("7"), kInt, true), Int(7));
  Vector v = MakeVector(kStr, {Str("1"), Str("x"), Value(), Str(" 3")});
  Vector r = CastVector(v, kBig, true);
  EXPECT_EQ(r.GetValue(0), Big(1));
  EXPECT_TRUE(r.GetValue(1).is_null());
  EXPECT_TRUE(r.GetValue(2).is_null());
  EXPECT_EQ(r.GetValue(3), Big(3));
  EXPECT_THROW(CastVector(v, kBig, false), Error);
}

TEST(CastTest, VectorFormsAndNulls) {
  Vector dict = MakeDictionary(kInt, {Int(1), Value(), Int(3)});
  Vector r = CastVector(dict, kDbl, false);
  EXPECT_DOUBLE_EQ(r.GetValue(0).GetDouble(), 1.0);
  EXPECT_TRUE(r.GetValue(1).is_null());
  EXPECT_DOUBLE_EQ(r.GetValue(2).GetDouble(), 3.0);
  Vector c = CastVector(Vector::Constant(Str("5"), 3), kInt, false);
  EXPECT_EQ(c.GetValue(2), Int(5));
  Vector n = CastVector(Vector::Constant(Value::Null(), 2), kStr, false);
  EXPECT_TRUE(n.GetValue(1).is_null());
  EXPECT_EQ(n.type(), kStr);
  EXPECT_TRUE(CastValue(Value::Null(kInt), kStr, false).is_null());
}

TEST(CastTest, DecimalHelpers) {
  int64_t out = 0;
  EXPECT_TRUE(ParseDecimal("1e2", 5, 1, &out));
  EXPECT_EQ(out, 1000);
  EXPECT_FALSE(ParseDecimal("1.2.3", 5, 1, &out));
  EXPECT_FALSE(ParseDecimal("-", 5, 1, &out));
  EXPECT_FALSE(ParseDecimal("123456789012345678901234567890e30", 18, 2, &out));
  EXPECT_TRUE(ParseDecimal("1e-39", 18, 2, &out));
  EXPECT_EQ(out, 0);
  EXPECT_TRUE(RescaleDecimal(12345, 3, 1, &out));
  EXPECT_EQ(out, 123);
  EXPECT_FALSE(RescaleDecimal(INT64_MAX / 2, 0, 5, &out));
  EXPECT_TRUE(DecimalFits(99999, 5));
  EXPECT_FALSE(DecimalFits(100000, 5));
  EXPECT_TRUE(CanCast(kStr, LogicalType(TypeId::kDate)));
  EXPECT_FALSE(CanCast(LogicalType(TypeId::kDate), kInt));
}

}  // namespace
}  // namespace aishell
