#include <gtest/gtest.h>

#include <thread>

#include "common/exception.h"
#include "exec/query_executor.h"
#include "exec/testing/memory_table.h"
#include "exec/testing/plan_builder.h"
#include "exec/testing/test_aggregates.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

const LogicalType kBig = TypeId::kBigInt;
const LogicalType kStr = TypeId::kVarchar;
Value B(int64_t v) { return Value::BigInt(v); }

std::shared_ptr<MemoryTable> Numbers(int64_t n, size_t per_batch = 1000) {
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < n; i++)
    rows.push_back({B(i), Value::Varchar("s" + std::to_string(i % 10))});
  return MakeMemoryTable("numbers", {{"n", kBig}, {"s", kStr}}, rows, per_batch);
}

TEST(QueryExecutorTest, ValuesAndSelectWithoutFrom) {
  auto v = Values({{"a", kBig}, {"b", kStr}},
                  {{B(1), Value::Varchar("x")}, {Value::Null(), Value::Varchar("y")}});
  EXPECT_EQ(Strings(RunPlan(v)), (std::vector<std::string>{"1|x", "NULL|y"}));
  auto one = std::make_shared<LogicalValues>();
  one->rows.push_back({});
  auto rows = RunPlan(one);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].empty());
}

TEST(QueryExecutorTest, FilterProjectParallelEqualsSerial) {
  auto t = Numbers(50000);
  auto plan = [&] {
    return Project(Filter(MakeMemoryScan(t), Cmp(CompareOp::kLt, Col(0, kBig), Lit(B(12345)))),
                   {Col(1, kStr), Col(0, kBig), Lit(B(7))});
  };
  auto serial = Sorted(RunPlan(plan(), 1));
  auto parallel = Sorted(RunPlan(plan(), 2));
  EXPECT_EQ(serial.size(), 12345u);
  EXPECT_EQ(serial, parallel);
}

// Scan order: the rows of a parallel scan -> filter -> project come out as one thread reads the
// table, also when a filter empties whole splits and under LIMIT/OFFSET, with 2 to 4 workers, and
// nothing hangs; without preserve_insertion_order the same rows come in any order.
TEST(QueryExecutorTest, ParallelScanKeepsTheTablesOrder) {
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < 20000; i++)  // runs of 700 kept rows, then 1400 dropped ones
    rows.push_back({B(i), Value::Varchar((i / 700) % 3 == 0 ? "keep" : "drop")});
  auto t = MakeMemoryTable("numbers", {{"n", kBig}, {"s", kStr}}, rows, 50);
  auto plan = [&] {
    return Project(
        Filter(MakeMemoryScan(t), Cmp(CompareOp::kEq, Col(1, kStr), Lit(Value::Varchar("keep")))),
        {Col(0, kBig)});
  };
  std::vector<std::string> expected;
  for (int64_t i = 0; i < 20000; i++)
    if ((i / 700) % 3 == 0) expected.push_back(std::to_string(i));
  for (int threads : {2, 3, 4}) {
    for (int round = 0; round < 10; round++) {
      EXPECT_EQ(Strings(RunPlan(plan(), threads)), expected) << threads << " threads";
      auto limited = Strings(RunPlan(Limit(plan(), 5, 698), threads));
      EXPECT_EQ(limited, (std::vector<std::string>{"698", "699", "2100", "2101", "2102"}));
    }
  }
  // Whether the Exchange keeps scan order is the planner's choice: EXPLAIN ANALYZE says so.
  ExecutionOptions options;
  options.threads = 2;
  QueryExecutor ordered(plan(), options);
  Batch b;
  while (ordered.Next(b)) {
  }
  EXPECT_NE(ordered.ExplainAnalyze().find("Exchange (2 workers, scan order)"), std::string::npos);
  options.preserve_insertion_order = false;
  QueryExecutor any(plan(), options);
  size_t n = 0;
  while (any.Next(b)) n += b.count;
  EXPECT_EQ(n, expected.size());
  EXPECT_EQ(any.ExplainAnalyze().find("scan order"), std::string::npos);
}

TEST(QueryExecutorTest, ErrorInWorkerPropagatesAndStopsThreads) {
  for (int threads : {1, 2, 4}) {
    auto t = Numbers(20000, 100);
    t->fail_at_batch = 3;
    auto plan = Aggregate(MakeMemoryScan(t), {Col(1, kStr)}, {Agg(TestCountStar(), {})});
    try {
      RunPlan(plan, threads);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConnector);
      EXPECT_NE(std::string(e.what()).find("injected read failure"), std::string::npos);
    }
    // Through an exchange (streaming root) too.
    auto plan2 = Filter(MakeMemoryScan(t), Cmp(CompareOp::kGe, Col(0, kBig), Lit(B(0))));
    EXPECT_THROW(RunPlan(plan2, threads), Error);
  }
}

TEST(QueryExecutorTest, CancellationInterrupts) {
  auto t = Numbers(100000, 500);
  std::atomic<bool> cancelled{false};
  ExecutionOptions options;
  options.threads = 2;
  options.cancelled = &cancelled;
  QueryExecutor exec(MakeMemoryScan(t), options);
  Batch b;
  ASSERT_TRUE(exec.Next(b));
  cancelled = true;
  try {
    while (exec.Next(b)) {
    }
    FAIL() << "expected an interruption";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInterrupted);
  }
}

TEST(QueryExecutorTest, ExplainAnalyzeShowsOperatorsRowsAndScans) {
  auto t = Numbers(3000);
  auto plan = Aggregate(Filter(MakeMemoryScan(t), Cmp(CompareOp::kLt, Col(0, kBig), Lit(B(100)))),
                        {Col(1, kStr)}, {Agg(TestCountStar(), {})});
  ExecutionOptions options;
  QueryExecutor exec(plan, options);
  Batch b;
  size_t rows = 0;
  while (exec.Next(b)) rows += b.count;
  EXPECT_EQ(rows, 10u);
  std::string text = exec.ExplainAnalyze();
  EXPECT_NE(text.find("HashAggregate"), std::string::npos) << text;
  EXPECT_NE(text.find("Filter"), std::string::npos) << text;
  EXPECT_NE(text.find("memory table numbers"), std::string::npos) << text;
  EXPECT_NE(text.find("rows=3000"), std::string::npos) << text;
  EXPECT_NE(text.find("rows=100,"), std::string::npos) << text;
  EXPECT_GT(exec.PeakMemory(), 0);
  auto progress = exec.Progress();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].rows_read, 3000);
  EXPECT_EQ(progress[0].source, "memory");
}

TEST(QueryExecutorTest, InsertCommitsOrAborts) {
  auto connector = std::make_shared<MemoryConnector>();
  auto t = Numbers(5000);
  auto insert = [&](bool create) {
    auto ins = std::make_shared<LogicalInsert>();
    ins->catalog_name = "mem";
    ins->connector = connector;
    ins->schema = "default";
    ins->table = "copy";
    ins->create_table = create;
    ins->columns = t->info->columns;
    ins->output = {{"rows", kBig}};
    ins->children.push_back(MakeMemoryScan(t));
    return ins;
  };
  EXPECT_EQ(Strings(RunPlan(insert(true))), (std::vector<std::string>{"5000"}));
  EXPECT_EQ(connector->FindTable("copy")->RowCount(), 5000);
  EXPECT_EQ(Strings(RunPlan(insert(false))), (std::vector<std::string>{"5000"}));
  EXPECT_EQ(connector->FindTable("copy")->RowCount(), 10000);
  connector->fail_writes_after = 2;
  EXPECT_THROW(RunPlan(insert(false)), Error);
  EXPECT_EQ(connector->FindTable("copy")->RowCount(),
            10000);  // nothing of the failed insert is visible
  // Creating an existing table fails with a catalog error.
  connector->fail_writes_after = -1;
  try {
    RunPlan(insert(true));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCatalog);
  }
}

TEST(QueryExecutorTest, ThreeWayJoinAggregateParallelEqualsSerial) {
  // customers(id, region) x orders(id, customer, amount) x payments(order, paid)
  std::vector<std::vector<Value>> c, o, p;
  for (int64_t i = 0; i < 500; i++)
    c.push_back({B(i), Value::Varchar("r" + std::to_string(i % 7))});
  for (int64_t i = 0; i < 5000; i++) o.push_back({B(i), B(i % 600), B(i % 97)});
  for (int64_t i = 0; i < 8000; i++) p.push_back({B(i % 5000), B(i % 13)});
  auto customers = MakeMemoryTable("customers", {{"id", kBig}, {"region", kStr}}, c, 100);
  auto orders =
      MakeMemoryTable("orders", {{"id", kBig}, {"customer", kBig}, {"amount", kBig}}, o, 700);
  auto payments = MakeMemoryTable("payments", {{"order_id", kBig}, {"paid", kBig}}, p, 900);
  auto plan = [&] {
    // (orders JOIN customers ON customer = id) JOIN payments ON orders.id = order_id, group by
    // region
    auto oc = Join(JoinType::kInner, MakeMemoryScan(orders), MakeMemoryScan(customers),
                   {Col(1, kBig)}, {Col(0, kBig)});
    auto ocp = Join(JoinType::kLeft, oc, MakeMemoryScan(payments), {Col(0, kBig)}, {Col(0, kBig)});
    return Sort(Aggregate(ocp, {Col(4, kStr)},
                          {Agg(TestCountStar(), {}), Agg(TestSumBigInt(), {Col(6, kBig)})}),
                {SortKey{Col(0, kStr), true, false}});
  };
  auto serial = Strings(RunPlan(plan(), 1));
  auto parallel = Strings(RunPlan(plan(), 2));
  EXPECT_EQ(serial.size(), 7u);
  EXPECT_EQ(serial, parallel);
}

}  // namespace
}  // namespace aishell

namespace aishell {
namespace {
TEST(QueryExecutorTest, EarlyStopAndAbandonedQueriesDoNotHang) {
  auto t = Numbers(200000, 500);
  for (int threads : {2, 4}) {
    EXPECT_EQ(RunPlan(Limit(MakeMemoryScan(t), 10), threads).size(), 10u);
    EXPECT_EQ(
        RunPlan(
            Limit(Filter(MakeMemoryScan(t), Cmp(CompareOp::kGe, Col(0, kBig), Lit(B(1000)))), 3, 5),
            threads)
            .size(),
        3u);
    // Read one batch, then drop the executor while workers are still producing.
    ExecutionOptions options;
    options.threads = threads;
    auto exec = std::make_unique<QueryExecutor>(MakeMemoryScan(t), options);
    Batch b;
    ASSERT_TRUE(exec->Next(b));
    exec.reset();
  }
}
}  // namespace
}  // namespace aishell
