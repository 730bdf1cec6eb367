// Rough executor benchmarks on in-memory tables (disabled by default; run a Release build with
// --gtest_also_run_disabled_tests --gtest_filter='*ExecutorBenchmark*').
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "exec/testing/memory_table.h"
#include "exec/testing/plan_builder.h"
#include "exec/testing/test_aggregates.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

const LogicalType kBig = TypeId::kBigInt;

// n rows: (id BIGINT = i, k BIGINT = i % groups, v BIGINT = i * 7 % 1000)
std::shared_ptr<MemoryTable> MakeTable(const std::string& name, int64_t n, int64_t groups) {
  auto t = MakeMemoryTable(name, {{"id", kBig}, {"k", kBig}, {"v", kBig}}, {});
  for (int64_t start = 0; start < n; start += static_cast<int64_t>(kBatchSize)) {
    size_t m = static_cast<size_t>(std::min<int64_t>(kBatchSize, n - start));
    Batch b({kBig, kBig, kBig}, m);
    b.SetCount(m);
    for (size_t i = 0; i < m; i++) {
      int64_t x = start + static_cast<int64_t>(i);
      b.columns[0].Data<int64_t>()[i] = x;
      b.columns[1].Data<int64_t>()[i] = x % groups;
      b.columns[2].Data<int64_t>()[i] = x * 7 % 1000;
    }
    t->batches.push_back(std::move(b));
  }
  return t;
}

double Time(LogicalPtr plan, size_t* rows, int threads = 2) {
  auto start = std::chrono::steady_clock::now();
  ExecutionOptions options;
  options.threads = threads;
  QueryExecutor exec(std::move(plan), options);
  Batch b;
  *rows = 0;
  while (exec.Next(b)) *rows += b.count;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(ExecutorBenchmark, DISABLED_Core) {
  auto big = MakeTable("big", 10'000'000, 1000);
  auto dim = MakeTable("dim", 1'000'000, 1000);
  size_t rows;
  double t = Time(Aggregate(MakeMemoryScan(big), {Col(1, kBig)},
                            {Agg(TestSumBigInt(), {Col(2, kBig)}), Agg(TestCountStar(), {})}),
                  &rows);
  std::printf("group-by 10M rows, 1000 groups: %.3f s (%zu rows)\n", t, rows);
  t = Time(Aggregate(MakeMemoryScan(big), {Col(0, kBig)}, {Agg(TestCountStar(), {})}), &rows);
  std::printf("group-by 10M rows, 10M groups: %.3f s (%zu rows)\n", t, rows);
  t = Time(Aggregate(Join(JoinType::kInner, MakeMemoryScan(big), MakeMemoryScan(dim),
                          {Col(1, kBig)}, {Col(0, kBig)}),
                     {}, {Agg(TestCountStar(), {})}),
           &rows);
  std::printf("hash join 10M x 1M: %.3f s\n", t);
  t = Time(Limit(Sort(MakeMemoryScan(big),
                      {SortKey{Col(2, kBig), false, false}, SortKey{Col(0, kBig), true, false}}),
                 10),
           &rows);
  std::printf("top-10 of 10M: %.3f s\n", t);
  t = Time(Sort(MakeMemoryScan(dim),
                {SortKey{Col(2, kBig), false, false}, SortKey{Col(0, kBig), true, false}}),
           &rows);
  std::printf("sort 1M: %.3f s\n", t);
  t = Time(Aggregate(Filter(MakeMemoryScan(big),
                            Cmp(CompareOp::kLt, Col(2, kBig), Lit(Value::BigInt(10)))),
                     {}, {Agg(TestCountStar(), {})}),
           &rows);
  std::printf("filtered scan 10M: %.3f s\n", t);
}

}  // namespace
}  // namespace aishell

namespace aishell {
namespace {
TEST(ExecutorBenchmark, DISABLED_HighCardinalityGroupBy) {
  auto big = MakeTable("big", 4'000'000, 1000);
  size_t rows;
  double t =
      Time(Aggregate(MakeMemoryScan(big), {Col(0, kBig)}, {Agg(TestCountStar(), {})}), &rows, 1);
  std::printf("group-by 4M rows, 4M groups, 1 thread: %.3f s (%zu rows)\n", t, rows);
  t = Time(Sort(MakeMemoryScan(big),
                {SortKey{Col(2, kBig), false, false}, SortKey{Col(0, kBig), true, false}}),
           &rows, 1);
  std::printf("sort 4M: %.3f s\n", t);
}
}  // namespace
}  // namespace aishell

namespace aishell {
namespace {
TEST(ExecutorBenchmark, DISABLED_LowCardinalityGroupByAndJoin) {
  auto big = MakeTable("big", 10'000'000, 1000);
  auto dim = MakeTable("dim", 1'000'000, 1000);
  size_t rows;
  double t =
      Time(Aggregate(MakeMemoryScan(big), {Col(1, kBig)}, {Agg(TestSumBigInt(), {Col(2, kBig)})}),
           &rows, 1);
  std::printf("group-by 10M rows, 1000 groups, 1 thread: %.3f s\n", t);
  t = Time(Aggregate(Join(JoinType::kInner, MakeMemoryScan(big), MakeMemoryScan(dim),
                          {Col(1, kBig)}, {Col(0, kBig)}),
                     {}, {Agg(TestCountStar(), {})}),
           &rows, 1);
  std::printf("hash join 10M x 1M, 1 thread: %.3f s\n", t);
}
}  // namespace
}  // namespace aishell
