#include "catalog/emit_batch.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

TEST(EmitBatchTest, SetsCountCountsRowsAndMovesTheBatchOut) {
  ScanCounters counters;
  counters.rows_read = 5;
  Batch batch({LogicalType(TypeId::kBigInt)}, kBatchSize);
  int64_t* data = batch.columns[0].Data<int64_t>();
  for (int64_t i = 0; i < 3; i++) data[i] = 10 * i;
  Batch out;
  EXPECT_TRUE(EmitBatch(batch, 3, counters, out));
  EXPECT_EQ(out.count, 3u);
  ASSERT_EQ(out.ColumnCount(), 1u);
  EXPECT_EQ(out.columns[0].size(), 3u);
  EXPECT_EQ(out.columns[0].Data<int64_t>()[2], 20);
  EXPECT_EQ(counters.rows_read.load(), 8);
}

TEST(EmitBatchTest, NoRowsIsTheEndAndLeavesOutAlone) {
  ScanCounters counters;
  Batch batch({LogicalType(TypeId::kBigInt)}, kBatchSize);
  Batch out({LogicalType(TypeId::kVarchar), LogicalType(TypeId::kVarchar)}, 4);
  out.SetCount(2);
  EXPECT_FALSE(EmitBatch(batch, 0, counters, out));
  EXPECT_EQ(out.count, 2u);
  EXPECT_EQ(out.ColumnCount(), 2u);
  EXPECT_EQ(batch.ColumnCount(), 1u);
  EXPECT_EQ(counters.rows_read.load(), 0);
}

}  // namespace
}  // namespace aishell
