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
  auto uuid = MapPgType(2950, -1, "uuid");
  EXPECT_EQ(uuid.type, LogicalType(TypeId::kVarchar));
  EXPECT_EQ(uuid.cast, "::text");
  EXPECT_NE(uuid.comment.find("uuid"), std::string::npos);
  EXPECT_EQ(MapPgType(1184, -1, "timestamptz").type, LogicalType(TypeId::kTimestampTz));
}

}  // namespace
}  // namespace aishell
