#include "common/pow10.h"

#include <gtest/gtest.h>

#include <limits>

#include "common/exception.h"
#include "common/value.h"

namespace aishell {
namespace {

static_assert(kPow10[0] == 1);
static_assert(kPow10[3] == 1000);
static_assert(kPow10[kMaxPow10Exponent] == 1000000000000000000LL);

TEST(Pow10Test, TableHoldsEveryInt64PowerOfTen) {
  int64_t p = 1;
  for (int e = 0; e <= kMaxPow10Exponent; e++) {
    EXPECT_EQ(kPow10[e], p) << "10^" << e;
    if (e < kMaxPow10Exponent) p *= 10;
  }
  // The next power does not fit: 18 really is the largest exponent.
  EXPECT_GT(kPow10[kMaxPow10Exponent], std::numeric_limits<int64_t>::max() / 10);
}

TEST(Pow10Test, CheckedPow10UsesTheTableAndRejectsOutOfRange) {
  for (int e = 0; e <= kMaxPow10Exponent; e++) EXPECT_EQ(Pow10(e), kPow10[e]);
  EXPECT_THROW(Pow10(-1), Error);
  EXPECT_THROW(Pow10(kMaxPow10Exponent + 1), Error);
}

}  // namespace
}  // namespace aishell
