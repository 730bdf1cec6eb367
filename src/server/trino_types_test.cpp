#include "server/trino_types.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

TEST(TrinoTypesTest, NamesAndSignatures) {
  auto row = LogicalType::Row({"id", "tags"}, {LogicalType(TypeId::kBigInt),
                                               LogicalType::Array(LogicalType(TypeId::kVarchar))});
  EXPECT_EQ(TrinoProtocolTypeName(LogicalType::Array(row)),
            "array(row(id bigint, tags array(varchar)))");
  EXPECT_EQ(TrinoProtocolTypeName(LogicalType::Decimal(12, 2)), "decimal(12,2)");
  EXPECT_EQ(TrinoProtocolTypeName(LogicalType(TypeId::kTimestampTz)),
            "timestamp(6) with time zone");
  EXPECT_EQ(TrinoTypeSignatureJson(LogicalType::Decimal(12, 2)),
            R"({"rawType":"decimal","arguments":[{"kind":"LONG","value":12},)"
            R"({"kind":"LONG","value":2}]})");
  EXPECT_EQ(TrinoTypeSignatureJson(LogicalType::Row({"a"}, {LogicalType(TypeId::kInteger)})),
            R"({"rawType":"row","arguments":[{"kind":"NAMED_TYPE","value":{"fieldName":)"
            R"({"name":"a"},"typeSignature":{"rawType":"integer","arguments":[]}}}]})");
}

TEST(TrinoTypesTest, ValuesInTrinoJson) {
  auto text = [](const Value& v) {
    Vector one = Vector::Constant(v, 1);
    std::string out;
    AppendTrinoValue(one, 0, &out);
    return out;
  };
  EXPECT_EQ(text(Value::Decimal(1234, 10, 2)), "\"12.34\"");
  EXPECT_EQ(text(Value::Varbinary(std::string("\x00\x01\x02", 3))), "\"AAEC\"");
  EXPECT_EQ(text(Value::Timestamp(1000000)), "\"1970-01-01 00:00:01.000000\"");
  EXPECT_EQ(text(Value::TimestampTz(1500000)), "\"1970-01-01 00:00:01.500000 UTC\"");
  EXPECT_EQ(text(Value::Double(std::numeric_limits<double>::infinity())), "\"Infinity\"");
  EXPECT_EQ(text(Value::Null(LogicalType(TypeId::kInteger))), "null");
  auto row_type =
      LogicalType::Row({"n", "s"}, {LogicalType(TypeId::kInteger), LogicalType(TypeId::kVarchar)});
  EXPECT_EQ(text(Value::Row(row_type, {Value::Integer(1), Value::Varchar("x")})), "[1,\"x\"]");
  auto map_type = LogicalType::Map(LogicalType(TypeId::kInteger), LogicalType(TypeId::kVarchar));
  EXPECT_EQ(text(Value::Map(map_type, {Value::Integer(7)}, {Value::Varchar("v")})),
            "{\"7\":\"v\"}");
}

}  // namespace
}  // namespace aishell
