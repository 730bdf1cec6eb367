#include "connectors/postgres/postgres_types.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

TEST(PostgresHelpersTest, MapsTypes) {
  EXPECT_EQ(MapPgType(23, -1, "integer").type, LogicalType(TypeId::kInteger));
  EXPECT_EQ(MapPgType(20, -1, "bigint").type, LogicalType(TypeId::kBigInt));
  // numeric(12,2): typmod = (12 << 16 | 2) + 4
  EXPECT_EQ(MapPgType(1700, ((12 << 16) | 2) + 4, "numeric(12,2)").type,
            LogicalType::Decimal(12, 2));
  auto free_numeric = MapPgType(1700, -1, "numeric");
  EXPECT_EQ(free_numeric.type, LogicalType(TypeId::kDouble));
  EXPECT_FALSE(free_numeric.comment.empty());
  EXPECT_EQ(MapPgType(2950, -1, "uuid").type, LogicalType(TypeId::kUuid));
  EXPECT_EQ(MapPgType(17, -1, "bytea").type, LogicalType(TypeId::kVarbinary));
  EXPECT_EQ(MapPgType(3802, -1, "jsonb").type, LogicalType(TypeId::kJson));
  EXPECT_EQ(MapPgType(1083, -1, "time").type, LogicalType(TypeId::kTime));
  EXPECT_EQ(MapPgType(21, -1, "int2").type, LogicalType(TypeId::kSmallInt));
  EXPECT_EQ(MapPgType(700, -1, "float4").type, LogicalType(TypeId::kReal));
  EXPECT_EQ(MapPgType(1700, ((30 << 16) | 4) + 4, "numeric(30,4)").type,
            LogicalType::Decimal(30, 4));
  auto inet = MapPgType(869, -1, "inet");  // no engine type: read as text, said in the comment
  EXPECT_EQ(inet.type, LogicalType(TypeId::kVarchar));
  EXPECT_EQ(inet.cast, "::text");
  EXPECT_NE(inet.comment.find("inet"), std::string::npos);
  EXPECT_EQ(MapPgType(1184, -1, "timestamptz").type, LogicalType(TypeId::kTimestampTz));
}

}  // namespace
}  // namespace aishell
