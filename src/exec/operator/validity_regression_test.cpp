// Operators that accumulate rows (sort, window, join build, aggregate groups) must keep the
// validity of every row when their buffers grow past the first batch.
#include <gtest/gtest.h>

#include "exec/testing/memory_table.h"
#include "exec/testing/plan_builder.h"
#include "exec/testing/test_aggregates.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

const LogicalType kBig = TypeId::kBigInt;
const LogicalType kStr = TypeId::kVarchar;

// 10000 rows: (n, v) with v NULL when n % 7 == 0, s NULL when n % 5 == 0.
std::shared_ptr<MemoryTable> Table() {
  std::vector<std::vector<Value>> rows;
  for (int64_t n = 0; n < 10000; n++) {
    rows.push_back({Value::BigInt(n), n % 7 == 0 ? Value::Null() : Value::BigInt(n * 3),
                    n % 5 == 0 ? Value::Null() : Value::Varchar("s" + std::to_string(n % 13))});
  }
  return MakeMemoryTable("t", {{"n", kBig}, {"v", kBig}, {"s", kStr}}, rows, 1000);
}

size_t CountNulls(const std::vector<Row>& rows, size_t column) {
  size_t k = 0;
  for (const auto& r : rows) k += r[column].is_null() ? 1 : 0;
  return k;
}

constexpr size_t kNullV = 1429;  // multiples of 7 in [0, 10000)
constexpr size_t kNullS = 2000;  // multiples of 5

TEST(ValidityRegressionTest, SortKeepsNullsAndValues) {
  for (int threads : {1, 2}) {
    auto rows =
        RunPlan(Sort(MakeMemoryScan(Table()), {SortKey{Col(0, kBig), true, false}}), threads);
    ASSERT_EQ(rows.size(), 10000u);
    EXPECT_EQ(CountNulls(rows, 1), kNullV);
    EXPECT_EQ(CountNulls(rows, 2), kNullS);
    for (size_t i = 0; i < rows.size(); i++) {
      ASSERT_EQ(rows[i][0].GetInt64(), static_cast<int64_t>(i));
      ASSERT_EQ(rows[i][1].is_null(), i % 7 == 0) << i;
      if (i % 7) ASSERT_EQ(rows[i][1].GetInt64(), static_cast<int64_t>(i * 3));
    }
  }
}

TEST(ValidityRegressionTest, WindowKeepsPartitionKeysAndValues) {
  WindowSpec spec;
  spec.function = WindowFunctionKind::kRowNumber;
  spec.partition_by = {Col(2, kStr)};
  spec.order_by = {SortKey{Col(0, kBig), true, false}};
  auto rows = RunPlan(Window(MakeMemoryScan(Table()), {Win(spec, kBig)}), 2);
  ASSERT_EQ(rows.size(), 10000u);
  EXPECT_EQ(CountNulls(rows, 1), kNullV);
  EXPECT_EQ(CountNulls(rows, 2), kNullS);
  int64_t max_null_rn = 0;
  for (const auto& r : rows) {
    if (r[2].is_null()) max_null_rn = std::max(max_null_rn, r[3].GetInt64());
  }
  EXPECT_EQ(max_null_rn, static_cast<int64_t>(kNullS));
}

TEST(ValidityRegressionTest, JoinBuildKeepsPayloadNulls) {
  auto t = Table();
  auto plan = Join(JoinType::kInner, MakeMemoryScan(t, {0}), MakeMemoryScan(t), {Col(0, kBig)},
                   {Col(0, kBig)});
  auto rows = RunPlan(plan, 2);
  ASSERT_EQ(rows.size(), 10000u);
  EXPECT_EQ(CountNulls(rows, 2), kNullV);
  EXPECT_EQ(CountNulls(rows, 3), kNullS);
}

TEST(ValidityRegressionTest, AggregateKeepsNullGroupAmongManyGroups) {
  // Groups: v (1429 NULLs form one group) -> 10000 - 1429 + 1 groups.
  auto plan = Aggregate(MakeMemoryScan(Table()), {Col(1, kBig)}, {Agg(TestCountStar(), {})});
  auto rows = RunPlan(plan, 2);
  ASSERT_EQ(rows.size(), 10000u - kNullV + 1);
  size_t null_groups = 0;
  for (const auto& r : rows) {
    if (r[0].is_null()) {
      null_groups++;
      EXPECT_EQ(r[1].GetInt64(), static_cast<int64_t>(kNullV));
    } else {
      EXPECT_EQ(r[1].GetInt64(), 1);
    }
  }
  EXPECT_EQ(null_groups, 1u);
}

}  // namespace
}  // namespace aishell
