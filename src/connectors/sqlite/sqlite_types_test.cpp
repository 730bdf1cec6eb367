#include "connectors/sqlite/sqlite_types.h"

#include <gtest/gtest.h>

#include <string>

#include "connectors/sqlite/sqlite_client.h"

namespace aishell {
namespace {

TEST(SqliteConnectorTest, DeclaredTypeMapping) {
  EXPECT_EQ(SqliteDeclaredType("INTEGER", nullptr), LogicalType(TypeId::kBigInt));
  EXPECT_EQ(SqliteDeclaredType("bigint", nullptr), LogicalType(TypeId::kBigInt));
  EXPECT_EQ(SqliteDeclaredType("REAL", nullptr), LogicalType(TypeId::kDouble));
  EXPECT_EQ(SqliteDeclaredType("double precision", nullptr), LogicalType(TypeId::kDouble));
  EXPECT_EQ(SqliteDeclaredType("varchar(20)", nullptr), LogicalType(TypeId::kVarchar));
  EXPECT_EQ(SqliteDeclaredType("DECIMAL(12, 2)", nullptr), LogicalType::Decimal(12, 2));
  EXPECT_EQ(SqliteDeclaredType("numeric(5)", nullptr), LogicalType::Decimal(5, 0));
  EXPECT_EQ(SqliteDeclaredType("DATE", nullptr), LogicalType(TypeId::kDate));
  EXPECT_EQ(SqliteDeclaredType("DATETIME", nullptr), LogicalType(TypeId::kTimestamp));
  EXPECT_EQ(SqliteDeclaredType("timestamp", nullptr), LogicalType(TypeId::kTimestamp));
  EXPECT_EQ(SqliteDeclaredType("BOOLEAN", nullptr), LogicalType(TypeId::kBoolean));
  std::string comment;
  EXPECT_EQ(SqliteDeclaredType("BLOB", &comment), LogicalType(TypeId::kVarchar));
  EXPECT_FALSE(comment.empty());
  EXPECT_EQ(QuoteSqliteIdentifier("a\"b"), "\"a\"\"b\"");
}

}  // namespace
}  // namespace aishell
