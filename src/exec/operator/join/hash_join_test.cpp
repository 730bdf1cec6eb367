#include <gtest/gtest.h>

#include "common/exception.h"
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

std::shared_ptr<MemoryTable> Left() {
  return MakeMemoryTable(
      "l", {{"id", kBig}, {"name", kStr}},
      {{B(1), S("a")}, {B(2), S("b")}, {B(2), S("b2")}, {B(3), S("c")}, {N(), S("n")}}, 2);
}
std::shared_ptr<MemoryTable> Right(bool with_null = true) {
  std::vector<std::vector<Value>> rows = {
      {B(2), B(20)}, {B(2), B(21)}, {B(3), B(30)}, {B(4), B(40)}};
  if (with_null) rows.push_back({N(), B(99)});
  return MakeMemoryTable("r", {{"id", kBig}, {"v", kBig}}, rows, 2);
}

std::vector<std::string> RunJoin(JoinType type, int threads, ExprPtr cond = nullptr,
                                 bool null_aware = false, bool right_null = true) {
  auto plan = Join(type, MakeMemoryScan(Left()), MakeMemoryScan(Right(right_null)), {Col(0, kBig)},
                   {Col(0, kBig)}, std::move(cond), null_aware);
  return Sorted(RunPlan(plan, threads));
}

class HashJoinTest : public ::testing::TestWithParam<int> {};

TEST_P(HashJoinTest, Inner) {
  std::vector<std::string> expected = {"2|b2|2|20", "2|b2|2|21", "2|b|2|20", "2|b|2|21",
                                       "3|c|3|30"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(RunJoin(JoinType::kInner, GetParam()), expected);
}

TEST_P(HashJoinTest, LeftKeepsUnmatchedAndNullKeys) {
  std::vector<std::string> expected = {"1|a|NULL|NULL", "2|b2|2|20", "2|b2|2|21",       "2|b|2|20",
                                       "2|b|2|21",      "3|c|3|30",  "NULL|n|NULL|NULL"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(RunJoin(JoinType::kLeft, GetParam()), expected);
}

TEST_P(HashJoinTest, RightKeepsUnmatchedBuildRows) {
  std::vector<std::string> expected = {"2|b2|2|20",        "2|b2|2|21", "2|b|2|20",
                                       "2|b|2|21",         "3|c|3|30",  "NULL|NULL|4|40",
                                       "NULL|NULL|NULL|99"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(RunJoin(JoinType::kRight, GetParam()), expected);
}

TEST_P(HashJoinTest, Full) {
  std::vector<std::string> expected = {"1|a|NULL|NULL",    "2|b2|2|20",      "2|b2|2|21",
                                       "2|b|2|20",         "2|b|2|21",       "3|c|3|30",
                                       "NULL|n|NULL|NULL", "NULL|NULL|4|40", "NULL|NULL|NULL|99"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(RunJoin(JoinType::kFull, GetParam()), expected);
}

TEST_P(HashJoinTest, SemiAndAnti) {
  EXPECT_EQ(RunJoin(JoinType::kSemi, GetParam()), (std::vector<std::string>{"2|b", "2|b2", "3|c"}));
  EXPECT_EQ(RunJoin(JoinType::kAnti, GetParam()), (std::vector<std::string>{"1|a", "NULL|n"}));
}

TEST_P(HashJoinTest, NullAwareAnti) {
  // x NOT IN (2, 2, 3, 4, NULL) is never TRUE.
  EXPECT_TRUE(RunJoin(JoinType::kAnti, GetParam(), nullptr, true, true).empty());
  // x NOT IN (2, 2, 3, 4): 1 qualifies, NULL does not.
  EXPECT_EQ(RunJoin(JoinType::kAnti, GetParam(), nullptr, true, false),
            (std::vector<std::string>{"1|a"}));
}

TEST_P(HashJoinTest, ResidualCondition) {
  auto cond = [] { return Cmp(CompareOp::kGt, Col(3, kBig), Lit(B(20))); };
  EXPECT_EQ(RunJoin(JoinType::kInner, GetParam(), cond()),
            (std::vector<std::string>{"2|b2|2|21", "2|b|2|21", "3|c|3|30"}));
  // A pair failing the residual is not a match: 3 has no passing pair in a LEFT join.
  auto ne30 = Cmp(CompareOp::kNe, Col(3, kBig), Lit(B(30)));
  std::vector<std::string> expected = {"1|a|NULL|NULL",   "2|b2|2|20", "2|b2|2|21",
                                       "2|b|2|20",        "2|b|2|21",  "3|c|NULL|NULL",
                                       "NULL|n|NULL|NULL"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(RunJoin(JoinType::kLeft, GetParam(), ne30), expected);
  // Semi/anti with a residual over both sides.
  auto ne30b = Cmp(CompareOp::kNe, Col(3, kBig), Lit(B(30)));
  EXPECT_EQ(RunJoin(JoinType::kSemi, GetParam(), ne30b), (std::vector<std::string>{"2|b", "2|b2"}));
  auto ne30c = Cmp(CompareOp::kNe, Col(3, kBig), Lit(B(30)));
  EXPECT_EQ(RunJoin(JoinType::kAnti, GetParam(), ne30c),
            (std::vector<std::string>{"1|a", "3|c", "NULL|n"}));
  // FULL join: build rows whose pairs all fail the residual come out unmatched.
  auto ne30d = Cmp(CompareOp::kNe, Col(3, kBig), Lit(B(30)));
  auto full = RunJoin(JoinType::kFull, GetParam(), ne30d);
  EXPECT_NE(std::find(full.begin(), full.end(), "NULL|NULL|3|30"), full.end());
  EXPECT_NE(std::find(full.begin(), full.end(), "3|c|NULL|NULL"), full.end());
}

TEST_P(HashJoinTest, CrossAndNonEquiJoin) {
  auto cross = Join(JoinType::kCross, MakeMemoryScan(Left()), MakeMemoryScan(Right()), {}, {});
  EXPECT_EQ(RunPlan(cross, GetParam()).size(), 25u);
  // l.id < r.id without equi keys: nested loop.
  auto lt = Join(JoinType::kInner, MakeMemoryScan(Left()), MakeMemoryScan(Right()), {}, {},
                 Cmp(CompareOp::kLt, Col(0, kBig), Col(2, kBig)));
  // 1<2,2,3,4 (4) + 2<3,4 twice (4) + 3<4 (1) = 9
  EXPECT_EQ(RunPlan(lt, GetParam()).size(), 9u);
}

TEST_P(HashJoinTest, MultiColumnKeysOfMixedTypes) {
  auto a = MakeMemoryTable("a", {{"k1", TypeId::kInteger}, {"k2", kStr}},
                           {{Value::Integer(1), S("x")},
                            {Value::Integer(1), S("y")},
                            {Value::Integer(2), S("x")},
                            {Value::Integer(2), N()}});
  auto b = MakeMemoryTable(
      "b", {{"k1", kBig}, {"k2", kStr}, {"v", kBig}},
      {{B(1), S("x"), B(10)}, {B(2), S("x"), B(20)}, {B(2), N(), B(30)}, {B(1), S("z"), B(40)}});
  auto plan = Join(JoinType::kInner, MakeMemoryScan(a), MakeMemoryScan(b),
                   {Col(0, TypeId::kInteger), Col(1, kStr)}, {Col(0, kBig), Col(1, kStr)});
  EXPECT_EQ(Sorted(RunPlan(plan, GetParam())),
            (std::vector<std::string>{"1|x|1|x|10", "2|x|2|x|20"}));
}

TEST_P(HashJoinTest, EmptyBuildSide) {
  auto empty = MakeMemoryTable("e", {{"id", kBig}, {"v", kBig}}, {});
  auto inner = Join(JoinType::kInner, MakeMemoryScan(Left()), MakeMemoryScan(empty), {Col(0, kBig)},
                    {Col(0, kBig)});
  EXPECT_TRUE(RunPlan(inner, GetParam()).empty());
  auto left = Join(JoinType::kLeft, MakeMemoryScan(Left()), MakeMemoryScan(empty), {Col(0, kBig)},
                   {Col(0, kBig)});
  EXPECT_EQ(RunPlan(left, GetParam()).size(), 5u);
  auto anti = Join(JoinType::kAnti, MakeMemoryScan(Left()), MakeMemoryScan(empty), {Col(0, kBig)},
                   {Col(0, kBig)}, nullptr, true);
  EXPECT_EQ(RunPlan(anti, GetParam()).size(), 5u);  // NOT IN (empty) is TRUE even for NULL
}

INSTANTIATE_TEST_SUITE_P(Threads, HashJoinTest, ::testing::Values(1, 2));

TEST(HashJoinParallelTest, ParallelEqualsSerialOnLargerInput) {
  std::vector<std::vector<Value>> lrows, rrows;
  for (int64_t i = 0; i < 30000; i++) lrows.push_back({B(i % 997), B(i)});
  for (int64_t i = 0; i < 2000; i++)
    rrows.push_back({B(i % 1500), Value::Varchar("r" + std::to_string(i))});
  auto l = MakeMemoryTable("l", {{"k", kBig}, {"v", kBig}}, lrows, 1000);
  auto r = MakeMemoryTable("r", {{"k", kBig}, {"s", kStr}}, rrows, 300);
  auto plan = [&] {
    return Join(JoinType::kInner, MakeMemoryScan(l), MakeMemoryScan(r), {Col(0, kBig)},
                {Col(0, kBig)});
  };
  auto serial = Sorted(RunPlan(plan(), 1));
  auto parallel = Sorted(RunPlan(plan(), 2));
  // keys 0..996 appear 2000/1500 -> keys 0..499 twice in r, 500..996 once (997..1499 never probe)
  size_t expected = 0;
  for (int64_t i = 0; i < 30000; i++) expected += (i % 997) < 500 ? 2 : 1;
  EXPECT_EQ(serial.size(), expected);
  EXPECT_EQ(serial, parallel);
}

// RIGHT and FULL joins probe on every worker; the unmatched build rows come out once, after
// every probe has marked its matches.
TEST(HashJoinParallelTest, RightAndFullProbeInParallelAndEmitUnmatchedOnce) {
  std::vector<std::vector<Value>> lrows, rrows;
  for (int64_t i = 0; i < 20000; i++) lrows.push_back({B(i % 1200), B(i)});
  for (int64_t i = 0; i < 3000; i++)
    rrows.push_back({B(i), Value::Varchar("r" + std::to_string(i))});
  auto l = MakeMemoryTable("l", {{"k", kBig}, {"v", kBig}}, lrows, 500);
  auto r = MakeMemoryTable("r", {{"k", kBig}, {"s", kStr}}, rrows, 300);
  for (JoinType type : {JoinType::kRight, JoinType::kFull}) {
    auto plan = [&] {
      return Join(type, MakeMemoryScan(l), MakeMemoryScan(r), {Col(0, kBig)}, {Col(0, kBig)});
    };
    auto serial = Sorted(RunPlan(plan(), 1));
    // Every left row matches one build row (keys 0..1199); build rows 1200..2999 match none.
    EXPECT_EQ(serial.size(), 20000u + 1800u);
    for (int run = 0; run < 5; run++) EXPECT_EQ(Sorted(RunPlan(plan(), 2)), serial);
  }
}

TEST(HashJoinMemoryTest, BuildOverLimitFailsCleanly) {
  std::vector<std::vector<Value>> rows;
  for (int64_t i = 0; i < 50000; i++)
    rows.push_back({B(i), Value::Varchar("payload-" + std::to_string(i))});
  auto t = MakeMemoryTable("big", {{"k", kBig}, {"s", kStr}}, rows);
  auto plan =
      Join(JoinType::kInner, MakeMemoryScan(t), MakeMemoryScan(t), {Col(0, kBig)}, {Col(0, kBig)});
  try {
    RunPlan(plan, 2, 256 * 1024, nullptr, /*spill=*/false);
    FAIL() << "expected an out-of-memory error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kOutOfMemory);
    EXPECT_NE(std::string(e.what()).find("max_memory"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("hash table of a join"), std::string::npos) << e.what();
  }
  // The same query fits a generous limit.
  auto expected = Sorted(RunPlan(plan, 2, 1LL << 30));
  EXPECT_EQ(expected.size(), 50000u);
  // With spilling on (the default) it runs as a grace hash join under the small limit.
  for (int threads : {1, 2}) {
    std::string explain;
    EXPECT_EQ(Sorted(RunPlan(plan, threads, 256 * 1024, &explain)), expected);
    EXPECT_NE(explain.find("spilled="), std::string::npos) << explain;
  }
}

TEST(HashJoinErrorTest, FailingSourcePropagates) {
  for (int threads : {1, 2}) {
    auto l = Left();
    auto r = Right();
    l->fail_at_batch = 1;
    auto plan = Join(JoinType::kInner, MakeMemoryScan(l), MakeMemoryScan(r), {Col(0, kBig)},
                     {Col(0, kBig)});
    try {
      RunPlan(plan, threads);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConnector);
      EXPECT_NE(std::string(e.what()).find("'l'"), std::string::npos) << e.what();
    }
    r->fail_at_batch = 0;
    l->fail_at_batch = -1;
    auto plan2 = Join(JoinType::kInner, MakeMemoryScan(l), MakeMemoryScan(r), {Col(0, kBig)},
                      {Col(0, kBig)});
    EXPECT_THROW(RunPlan(plan2, threads), Error);
  }
}

}  // namespace
}  // namespace aishell
