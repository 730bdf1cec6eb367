#include <gtest/gtest.h>

#include <random>

#include "exec/testing/memory_table.h"
#include "exec/testing/plan_builder.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

const LogicalType kBig = TypeId::kBigInt;
const LogicalType kStr = TypeId::kVarchar;
Value B(int64_t v) { return Value::BigInt(v); }
Value S(const char* s) { return Value::Varchar(s); }
Value N() { return Value::Null(); }

std::shared_ptr<MemoryTable> T() {
  return MakeMemoryTable("t", {{"a", kBig}, {"b", kStr}},
                         {{B(3), S("x")},
                          {N(), S("n1")},
                          {B(1), S("y")},
                          {B(2), S("z")},
                          {B(1), S("a")},
                          {N(), S("n0")}},
                         2);
}

SortKey Key(ExprPtr e, bool asc = true, bool nulls_first = false) {
  SortKey k;
  k.expr = std::move(e);
  k.ascending = asc;
  k.nulls_first = nulls_first;
  return k;
}

class SortTest : public ::testing::TestWithParam<int> {};

TEST_P(SortTest, AscendingNullsLastByDefault) {
  auto plan = Sort(MakeMemoryScan(T()), {Key(Col(0, kBig)), Key(Col(1, kStr))});
  EXPECT_EQ(Strings(RunPlan(plan, GetParam())),
            (std::vector<std::string>{"1|a", "1|y", "2|z", "3|x", "NULL|n0", "NULL|n1"}));
}

TEST_P(SortTest, DescendingNullsFirst) {
  auto plan = Sort(MakeMemoryScan(T()), {Key(Col(0, kBig), false, true), Key(Col(1, kStr), false)});
  EXPECT_EQ(Strings(RunPlan(plan, GetParam())),
            (std::vector<std::string>{"NULL|n1", "NULL|n0", "3|x", "2|z", "1|y", "1|a"}));
  // DESC keeps NULLs last unless asked otherwise (Trino).
  auto plan2 = Sort(MakeMemoryScan(T()), {Key(Col(0, kBig), false), Key(Col(1, kStr))});
  EXPECT_EQ(Strings(RunPlan(plan2, GetParam())),
            (std::vector<std::string>{"3|x", "2|z", "1|a", "1|y", "NULL|n0", "NULL|n1"}));
}

TEST_P(SortTest, TopNAndOffset) {
  auto plan = Limit(Sort(MakeMemoryScan(T()), {Key(Col(0, kBig)), Key(Col(1, kStr))}), 2, 1);
  std::string explain;
  EXPECT_EQ(Strings(RunPlan(plan, GetParam(), 8LL << 30, &explain)),
            (std::vector<std::string>{"1|y", "2|z"}));
  EXPECT_NE(explain.find("TopN 3"), std::string::npos) << explain;
}

TEST_P(SortTest, TopNOnLargeInputMatchesFullSort) {
  std::mt19937_64 rng(42);
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 20000; i++)
    rows.push_back({B(static_cast<int64_t>(rng() % 5000)), Value::Varchar(std::to_string(i))});
  auto t = MakeMemoryTable("big", {{"a", kBig}, {"b", kStr}}, rows, 700);
  auto keys = std::vector<SortKey>{Key(Col(0, kBig), false), Key(Col(1, kStr))};
  auto full = Strings(RunPlan(Sort(MakeMemoryScan(t), keys), GetParam()));
  auto top = Strings(RunPlan(Limit(Sort(MakeMemoryScan(t), keys), 50), GetParam()));
  ASSERT_EQ(full.size(), 20000u);
  ASSERT_EQ(top.size(), 50u);
  EXPECT_EQ(top, std::vector<std::string>(full.begin(), full.begin() + 50));
}

TEST_P(SortTest, LimitAndOffsetWithoutSort) {
  auto rows = RunPlan(Limit(MakeMemoryScan(T()), 4, 1), GetParam());
  EXPECT_EQ(rows.size(), 4u);
  EXPECT_EQ(RunPlan(Limit(MakeMemoryScan(T()), -1, 4), GetParam()).size(), 2u);
  EXPECT_TRUE(RunPlan(Limit(MakeMemoryScan(T()), 0), GetParam()).empty());
  EXPECT_TRUE(RunPlan(Limit(MakeMemoryScan(T()), 5, 10), GetParam()).empty());
}

TEST_P(SortTest, LongStringsDoublesAndManyKeys) {
  const LogicalType kDbl = TypeId::kDouble;
  auto t = MakeMemoryTable("t", {{"s", kStr}, {"d", kDbl}, {"a", kBig}},
                           {{S("prefix-long-b"), Value::Double(-1.5), B(1)},
                            {S("prefix-long-a"), Value::Double(2.0), B(2)},
                            {S("prefix-long-a"), Value::Double(-3.0), B(3)},
                            {S("pre"), Value::Double(0.0), B(4)},
                            {N(), Value::Double(-0.0), B(5)},
                            {S("prefix-long-b"), N(), B(6)}},
                           2);
  auto plan = Sort(MakeMemoryScan(t), {Key(Col(0, kStr)), Key(Col(1, kDbl), false)});
  EXPECT_EQ(
      Strings(RunPlan(plan, GetParam())),
      (std::vector<std::string>{"pre|0.0|4", "prefix-long-a|2.0|2", "prefix-long-a|-3.0|3",
                                "prefix-long-b|-1.5|1", "prefix-long-b|NULL|6", "NULL|-0.0|5"}));
  auto by_double =
      Sort(MakeMemoryScan(t), {Key(Col(1, kDbl), true, true), Key(Col(2, kBig), false)});
  std::vector<std::string> ids;
  for (const auto& r : RunPlan(by_double, GetParam())) ids.push_back(r[2].ToString());
  EXPECT_EQ(ids, (std::vector<std::string>{"6", "3", "1", "5", "4", "2"}));
}

INSTANTIATE_TEST_SUITE_P(Threads, SortTest, ::testing::Values(1, 2));

TEST(LimitTest, StopsPullingEarly) {
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < 100000; i++) rows.push_back({B(i)});
  auto t = MakeMemoryTable("big", {{"a", kBig}}, rows, 1000);
  ExecutionOptions options;
  options.threads = 1;
  QueryExecutor exec(Limit(MakeMemoryScan(t), 10), options);
  Batch b;
  size_t n = 0;
  while (exec.Next(b)) n += b.count;
  EXPECT_EQ(n, 10u);
  auto progress = exec.Progress();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_LE(progress[0].rows_read, 2000);  // one or two batches, not the whole table
  EXPECT_EQ(progress[0].table, "default.big");
}

}  // namespace
}  // namespace aishell

namespace aishell {
namespace {
TEST(SortParallelTest, LargeSortIsOrderedAndMatchesSerial) {
  std::mt19937_64 rng(7);
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 150000; i++) {
    rows.push_back(
        {i % 101 == 0 ? Value::Null() : Value::BigInt(static_cast<int64_t>(rng() % 100000) - 50000),
         Value::Varchar("v" + std::to_string(rng() % 1000))});
  }
  auto t = MakeMemoryTable("t", {{"a", TypeId::kBigInt}, {"b", TypeId::kVarchar}}, rows, 2048);
  std::vector<SortKey> keys = {SortKey{testing::Col(0, TypeId::kBigInt), false, true},
                               SortKey{testing::Col(1, TypeId::kVarchar), true, false}};
  auto serial = testing::RunPlan(testing::Sort(MakeMemoryScan(t), keys), 1);
  auto parallel = testing::RunPlan(testing::Sort(MakeMemoryScan(t), keys), 2);
  ASSERT_EQ(serial.size(), 150000u);
  EXPECT_EQ(testing::Strings(serial), testing::Strings(parallel));
  for (size_t i = 1; i < parallel.size(); i++) {
    const Value& a = parallel[i - 1][0];
    const Value& b = parallel[i][0];
    if (a.is_null()) continue;  // NULLS FIRST
    ASSERT_FALSE(b.is_null()) << i;
    ASSERT_GE(a.GetInt64(), b.GetInt64()) << i;
    if (a.GetInt64() == b.GetInt64())
      ASSERT_LE(parallel[i - 1][1].GetString(), parallel[i][1].GetString()) << i;
  }
  // Under a small memory limit the sort spills sorted runs and merges them: the same rows in the
  // same order; with spilling off it fails naming both settings.
  for (int threads : {1, 2}) {
    std::string explain;
    auto spilled =
        testing::RunPlan(testing::Sort(MakeMemoryScan(t), keys), threads, 1 << 20, &explain);
    EXPECT_EQ(testing::Strings(spilled), testing::Strings(serial));
    EXPECT_NE(explain.find("runs="), std::string::npos) << explain;
  }
  try {
    testing::RunPlan(testing::Sort(MakeMemoryScan(t), keys), 2, 1 << 20, nullptr, false);
    FAIL() << "expected an out-of-memory error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("federation.spill"), std::string::npos) << e.what();
  }
}
}  // namespace
}  // namespace aishell
