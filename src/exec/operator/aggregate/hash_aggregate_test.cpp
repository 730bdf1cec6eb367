#include <gtest/gtest.h>

#include "common/exception.h"
#include "exec/testing/memory_table.h"
#include "exec/testing/plan_builder.h"
#include "exec/testing/test_aggregates.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

const LogicalType kBig = TypeId::kBigInt;
const LogicalType kStr = TypeId::kVarchar;
Value B(int64_t v) { return Value::BigInt(v); }
Value S(const char* s) { return Value::Varchar(s); }
Value N() { return Value::Null(); }

std::shared_ptr<MemoryTable> Sales() {
  return MakeMemoryTable("sales", {{"region", kStr}, {"amount", kBig}},
                         {{S("east"), B(10)},
                          {S("west"), B(5)},
                          {S("east"), B(7)},
                          {N(), B(1)},
                          {N(), B(2)},
                          {S("west"), N()},
                          {S("north"), N()}},
                         3);
}

class HashAggregateTest : public ::testing::TestWithParam<int> {};

TEST_P(HashAggregateTest, GroupsIncludingNull) {
  auto plan = Aggregate(MakeMemoryScan(Sales()), {Col(0, kStr)},
                        {Agg(TestCountStar(), {}), Agg(TestSumBigInt(), {Col(1, kBig)}),
                         Agg(TestCount(kBig), {Col(1, kBig)})});
  EXPECT_EQ(
      Sorted(RunPlan(plan, GetParam())),
      (std::vector<std::string>{"NULL|2|3|2", "east|2|17|2", "north|1|NULL|0", "west|2|5|1"}));
}

TEST_P(HashAggregateTest, NoGroupsGivesOneRowEvenWhenEmpty) {
  auto empty = MakeMemoryTable("e", {{"x", kBig}}, {});
  auto plan = Aggregate(MakeMemoryScan(empty), {},
                        {Agg(TestCountStar(), {}), Agg(TestSumBigInt(), {Col(0, kBig)})});
  EXPECT_EQ(Strings(RunPlan(plan, GetParam())), (std::vector<std::string>{"0|NULL"}));
  auto plan2 = Aggregate(MakeMemoryScan(Sales()), {},
                         {Agg(TestCountStar(), {}), Agg(TestSumBigInt(), {Col(1, kBig)})});
  EXPECT_EQ(Strings(RunPlan(plan2, GetParam())), (std::vector<std::string>{"7|25"}));
}

TEST_P(HashAggregateTest, EmptyInputWithGroupsGivesNoRows) {
  auto empty = MakeMemoryTable("e", {{"x", kBig}}, {});
  auto plan = Aggregate(MakeMemoryScan(empty), {Col(0, kBig)}, {Agg(TestCountStar(), {})});
  EXPECT_TRUE(RunPlan(plan, GetParam()).empty());
}

TEST_P(HashAggregateTest, DistinctAggregate) {
  auto t = MakeMemoryTable(
      "t", {{"g", kBig}, {"x", kBig}},
      {{B(1), B(5)}, {B(1), B(5)}, {B(1), B(6)}, {B(2), B(5)}, {B(2), N()}, {B(2), B(5)}}, 2);
  auto plan =
      Aggregate(MakeMemoryScan(t), {Col(0, kBig)},
                {Agg(TestCount(kBig), {Col(1, kBig)}, true),
                 Agg(TestSumBigInt(), {Col(1, kBig)}, true), Agg(TestSumBigInt(), {Col(1, kBig)})});
  EXPECT_EQ(Sorted(RunPlan(plan, GetParam())), (std::vector<std::string>{"1|2|11|16", "2|1|5|10"}));
}

TEST_P(HashAggregateTest, StateDestroyAndStringResults) {
  auto plan =
      Aggregate(MakeMemoryScan(Sales()), {Col(1, kBig)}, {Agg(TestMinVarchar(), {Col(0, kStr)})});
  EXPECT_EQ(
      Sorted(RunPlan(plan, GetParam())),
      (std::vector<std::string>{"10|east", "1|NULL", "2|NULL", "5|west", "7|east", "NULL|north"}));
}

INSTANTIATE_TEST_SUITE_P(Threads, HashAggregateTest, ::testing::Values(1, 2));

TEST(HashAggregateParallelTest, ParallelEqualsSerial) {
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < 40000; i++) {
    rows.push_back({Value::Varchar("k" + std::to_string(i % 1234)), i % 7 == 0 ? N() : B(i)});
  }
  auto t = MakeMemoryTable("t", {{"k", kStr}, {"v", kBig}}, rows, 1000);
  auto plan = [&] {
    return Aggregate(MakeMemoryScan(t), {Col(0, kStr)},
                     {Agg(TestCountStar(), {}), Agg(TestSumBigInt(), {Col(1, kBig)}),
                      Agg(TestMinVarchar(), {Col(0, kStr)})});
  };
  auto serial = Sorted(RunPlan(plan(), 1));
  auto parallel = Sorted(RunPlan(plan(), 2));
  EXPECT_EQ(serial.size(), 1234u);
  EXPECT_EQ(serial, parallel);
  int64_t total = 0;
  for (const auto& r : RunPlan(plan(), 2)) total += r[1].GetInt64();
  EXPECT_EQ(total, 40000);
}

TEST(HashAggregateParallelTest, PartitionedMergeOfManyGroupsEqualsSerial) {
  // 80000 groups (string and nullable integer keys) in every worker's table: the tables are
  // merged by hash partition, in parallel.
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < 200000; i++) {
    int64_t k = i % 80000;
    rows.push_back({Value::Varchar("k" + std::to_string(k)), k % 11 == 0 ? N() : B(k % 2),
                    i % 13 == 0 ? N() : B(i)});
  }
  auto t = MakeMemoryTable("t", {{"k", kStr}, {"g", kBig}, {"v", kBig}}, rows, 2048);
  auto plan = [&] {
    return Aggregate(MakeMemoryScan(t), {Col(0, kStr), Col(1, kBig)},
                     {Agg(TestCountStar(), {}), Agg(TestSumBigInt(), {Col(2, kBig)}),
                      Agg(TestMinVarchar(), {Col(0, kStr)})});
  };
  auto serial = Sorted(RunPlan(plan(), 1));
  auto parallel = Sorted(RunPlan(plan(), 2));
  EXPECT_EQ(serial.size(), 80000u);
  EXPECT_EQ(serial, parallel);
  int64_t total = 0;
  for (const auto& r : RunPlan(plan(), 2)) total += r[2].GetInt64();
  EXPECT_EQ(total, 200000);
}

TEST(HashAggregateMemoryTest, ManyGroupsOverLimit) {
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < 100000; i++) rows.push_back({B(i)});
  auto t = MakeMemoryTable("t", {{"k", kBig}}, rows);
  auto plan = Aggregate(MakeMemoryScan(t), {Col(0, kBig)}, {Agg(TestCountStar(), {})});
  try {
    RunPlan(plan, 2, 512 * 1024, nullptr, /*spill=*/false);
    FAIL() << "expected an out-of-memory error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kOutOfMemory);
    EXPECT_NE(std::string(e.what()).find("aggregation"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("federation.max_memory"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("federation.spill"), std::string::npos) << e.what();
  }
  // With spilling on (the default) the same query spills and gives every group once.
  for (int threads : {1, 2}) {
    std::string explain;
    auto rows = RunPlan(plan, threads, 512 * 1024, &explain);
    ASSERT_EQ(rows.size(), 100000u);
    std::vector<int64_t> keys;
    for (const auto& r : rows) {
      keys.push_back(r[0].GetInt64());
      EXPECT_EQ(r[1].GetInt64(), 1);
    }
    std::sort(keys.begin(), keys.end());
    for (int64_t i = 0; i < 100000; i++) ASSERT_EQ(keys[static_cast<size_t>(i)], i);
    EXPECT_NE(explain.find("spilled="), std::string::npos) << explain;
  }
}

}  // namespace
}  // namespace aishell
