#include "common/type_names.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

TEST(TrinoTypeNameTest, ScalarTypesAreLowerCase) {
  EXPECT_EQ(TrinoTypeName(LogicalType(TypeId::kInteger)), "integer");
  EXPECT_EQ(TrinoTypeName(LogicalType::Decimal(10, 2)), "decimal(10,2)");
}

TEST(TrinoTypeNameTest, NestedTypesKeepFieldNamesAsDeclared) {
  LogicalType item = LogicalType::Row(
      {"productId", "quantity"}, {LogicalType(TypeId::kVarchar), LogicalType(TypeId::kInteger)});
  EXPECT_EQ(TrinoTypeName(LogicalType::Array(item)),
            "array(row(productId varchar, quantity integer))");
  EXPECT_EQ(TrinoTypeName(LogicalType::Map(LogicalType(TypeId::kVarchar), item)),
            "map(varchar, row(productId varchar, quantity integer))");
  // Anonymous fields print their types only; names needing quotes are printed bare, as Trino's
  // RowType.getDisplayName does.
  EXPECT_EQ(TrinoTypeName(LogicalType::Row(
                {"", "Order Id"}, {LogicalType(TypeId::kBigInt), LogicalType(TypeId::kDouble)})),
            "row(bigint, Order Id double)");
}

}  // namespace
}  // namespace aishell
