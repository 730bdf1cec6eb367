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

// (p, o, v)
std::shared_ptr<MemoryTable> T() {
  return MakeMemoryTable("t", {{"p", kStr}, {"o", kBig}, {"v", kBig}},
                         {{S("a"), B(1), B(10)},
                          {S("a"), B(2), B(20)},
                          {S("a"), B(2), B(30)},
                          {S("a"), B(3), B(40)},
                          {S("b"), B(1), B(5)},
                          {S("b"), B(5), B(6)}},
                         4);
}

WindowSpec Spec(WindowFunctionKind fn, bool ordered = true) {
  WindowSpec s;
  s.function = fn;
  s.partition_by = {Col(0, kStr)};
  if (ordered) {
    SortKey k;
    k.expr = Col(1, kBig);
    s.order_by = {k};
  }
  return s;
}

// Rows sorted by (p, o, v) for stable comparison; the window column is last.
std::vector<std::string> RunWindow(ExprPtr w, int threads) {
  return Sorted(RunPlan(Window(MakeMemoryScan(T()), {std::move(w)}), threads));
}

class WindowTest : public ::testing::TestWithParam<int> {};

TEST_P(WindowTest, RankingFunctions) {
  auto rank = RunWindow(Win(Spec(WindowFunctionKind::kRank), kBig), GetParam());
  EXPECT_EQ(rank, (std::vector<std::string>{"a|1|10|1", "a|2|20|2", "a|2|30|2", "a|3|40|4",
                                            "b|1|5|1", "b|5|6|2"}));
  auto dense = RunWindow(Win(Spec(WindowFunctionKind::kDenseRank), kBig), GetParam());
  EXPECT_EQ(dense, (std::vector<std::string>{"a|1|10|1", "a|2|20|2", "a|2|30|2", "a|3|40|3",
                                             "b|1|5|1", "b|5|6|2"}));
  auto rn = RunPlan(Window(MakeMemoryScan(T()), {Win(Spec(WindowFunctionKind::kRowNumber), kBig)}),
                    GetParam());
  std::vector<int64_t> a_numbers;
  for (const auto& r : rn) {
    if (r[0].GetString() == "a") a_numbers.push_back(r[3].GetInt64());
  }
  std::sort(a_numbers.begin(), a_numbers.end());
  EXPECT_EQ(a_numbers, (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_P(WindowTest, RunningSumWithPeers) {
  // Default frame with ORDER BY: RANGE UNBOUNDED PRECEDING .. CURRENT ROW, peers included.
  auto sum = RunWindow(
      Win(Spec(WindowFunctionKind::kAggregate), kBig, {Col(2, kBig)}, TestSumBigInt()), GetParam());
  EXPECT_EQ(sum, (std::vector<std::string>{"a|1|10|10", "a|2|20|60", "a|2|30|60", "a|3|40|100",
                                           "b|1|5|5", "b|5|6|11"}));
  // Without ORDER BY: the whole partition.
  auto total = RunWindow(
      Win(Spec(WindowFunctionKind::kAggregate, false), kBig, {Col(2, kBig)}, TestSumBigInt()),
      GetParam());
  EXPECT_EQ(total, (std::vector<std::string>{"a|1|10|100", "a|2|20|100", "a|2|30|100", "a|3|40|100",
                                             "b|1|5|11", "b|5|6|11"}));
}

TEST_P(WindowTest, RowsFrameWithOffsets) {
  WindowSpec s = Spec(WindowFunctionKind::kAggregate);
  s.order_by.push_back(SortKey{Col(2, kBig), true, false});
  s.has_frame = true;
  s.rows_frame = true;
  s.frame_start = {FrameBoundKind::kPreceding, 1};
  s.frame_end = {FrameBoundKind::kFollowing, 1};
  auto sum = RunWindow(Win(s, kBig, {Col(2, kBig)}, TestSumBigInt()), GetParam());
  EXPECT_EQ(sum, (std::vector<std::string>{"a|1|10|30", "a|2|20|60", "a|2|30|90", "a|3|40|70",
                                           "b|1|5|11", "b|5|6|11"}));
}

TEST_P(WindowTest, LagLeadFirstLastNtile) {
  WindowSpec s = Spec(WindowFunctionKind::kLag);
  s.order_by.push_back(SortKey{Col(2, kBig), true, false});
  auto lag = RunWindow(Win(s, kBig, {Col(2, kBig)}), GetParam());
  EXPECT_EQ(lag, (std::vector<std::string>{"a|1|10|NULL", "a|2|20|10", "a|2|30|20", "a|3|40|30",
                                           "b|1|5|NULL", "b|5|6|5"}));
  s.function = WindowFunctionKind::kLead;
  auto lead = RunWindow(Win(s, kBig, {Col(2, kBig), Lit(B(2)), Lit(B(-1))}), GetParam());
  EXPECT_EQ(lead, (std::vector<std::string>{"a|1|10|30", "a|2|20|40", "a|2|30|-1", "a|3|40|-1",
                                            "b|1|5|-1", "b|5|6|-1"}));
  s.function = WindowFunctionKind::kFirstValue;
  auto first = RunWindow(Win(s, kBig, {Col(2, kBig)}), GetParam());
  EXPECT_EQ(first, (std::vector<std::string>{"a|1|10|10", "a|2|20|10", "a|2|30|10", "a|3|40|10",
                                             "b|1|5|5", "b|5|6|5"}));
  WindowSpec l = Spec(WindowFunctionKind::kLastValue);  // peers: last row of the peer group
  auto last = RunWindow(Win(l, kBig, {Col(1, kBig)}), GetParam());
  EXPECT_EQ(last, (std::vector<std::string>{"a|1|10|1", "a|2|20|2", "a|2|30|2", "a|3|40|3",
                                            "b|1|5|1", "b|5|6|5"}));
  WindowSpec nt = Spec(WindowFunctionKind::kNtile);
  nt.order_by.push_back(SortKey{Col(2, kBig), true, false});
  auto ntile = RunWindow(Win(nt, kBig, {Lit(B(3))}), GetParam());
  EXPECT_EQ(ntile, (std::vector<std::string>{"a|1|10|1", "a|2|20|1", "a|2|30|2", "a|3|40|3",
                                             "b|1|5|1", "b|5|6|2"}));
}

INSTANTIATE_TEST_SUITE_P(Threads, WindowTest, ::testing::Values(1, 2));

}  // namespace
}  // namespace aishell
