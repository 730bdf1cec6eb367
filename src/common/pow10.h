// Powers of ten for decimals held as unscaled int64: the one table every decimal path uses
// (Pow10() in common/value.h, the PostgreSQL numeric decoder).
#pragma once

#include <array>
#include <cstdint>

namespace aishell {

// The largest exponent whose power of ten an int64 holds (10^18; 10^19 overflows).
inline constexpr int kMaxPow10Exponent = 18;

// kPow10[e] == 10^e for e in [0, kMaxPow10Exponent]. Unchecked: index it only with a valid
// exponent (Pow10() in common/value.h checks and throws).
inline constexpr std::array<int64_t, kMaxPow10Exponent + 1> kPow10 = [] {
  std::array<int64_t, kMaxPow10Exponent + 1> table{};
  table[0] = 1;
  for (int e = 1; e <= kMaxPow10Exponent; e++) table[e] = table[e - 1] * 10;
  return table;
}();

}  // namespace aishell
