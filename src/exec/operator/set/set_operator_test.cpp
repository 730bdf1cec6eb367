#include <gtest/gtest.h>

#include "exec/testing/memory_table.h"
#include "exec/testing/plan_builder.h"

namespace aishell {
namespace {

using namespace aishell::testing;  // NOLINT

const LogicalType kBig = TypeId::kBigInt;
Value B(int64_t v) { return Value::BigInt(v); }
Value N() { return Value::Null(); }

std::shared_ptr<MemoryTable> L() {
  return MakeMemoryTable("l", {{"x", kBig}}, {{B(1)}, {B(1)}, {B(2)}, {B(3)}, {N()}, {N()}}, 2);
}
std::shared_ptr<MemoryTable> R() {
  return MakeMemoryTable("r", {{"x", kBig}}, {{B(1)}, {B(3)}, {B(3)}, {B(4)}, {N()}}, 2);
}

std::vector<std::string> RunSet(SetOpKind k, bool all, int threads) {
  return Sorted(RunPlan(SetOp(k, all, MakeMemoryScan(L()), MakeMemoryScan(R())), threads));
}

class SetOperatorTest : public ::testing::TestWithParam<int> {};

TEST_P(SetOperatorTest, Union) {
  EXPECT_EQ(RunSet(SetOpKind::kUnion, true, GetParam()).size(), 11u);
  EXPECT_EQ(RunSet(SetOpKind::kUnion, false, GetParam()),
            (std::vector<std::string>{"1", "2", "3", "4", "NULL"}));
}

TEST_P(SetOperatorTest, Intersect) {
  EXPECT_EQ(RunSet(SetOpKind::kIntersect, false, GetParam()),
            (std::vector<std::string>{"1", "3", "NULL"}));
  EXPECT_EQ(RunSet(SetOpKind::kIntersect, true, GetParam()),
            (std::vector<std::string>{"1", "3", "NULL"}));
}

TEST_P(SetOperatorTest, Except) {
  EXPECT_EQ(RunSet(SetOpKind::kExcept, false, GetParam()), (std::vector<std::string>{"2"}));
  EXPECT_EQ(RunSet(SetOpKind::kExcept, true, GetParam()),
            (std::vector<std::string>{"1", "2", "NULL"}));
}

INSTANTIATE_TEST_SUITE_P(Threads, SetOperatorTest, ::testing::Values(1, 2));

}  // namespace
}  // namespace aishell
