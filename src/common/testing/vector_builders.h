// Test helpers: vectors and values written inline (header-only; used by *_test.cpp files of any
// layer from common/ up).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/value.h"
#include "common/vector.h"

namespace aishell::testing {

// A flat vector holding `values` (NULL values become NULL rows).
inline Vector MakeVector(const LogicalType& type, const std::vector<Value>& values) {
  Vector v(type, std::max<size_t>(values.size(), 1));
  v.Resize(values.size());
  for (size_t i = 0; i < values.size(); i++)
    v.SetValue(i, values[i].is_null() ? Value::Null(type) : values[i]);
  return v;
}

// The same rows as a dictionary vector over a shuffled dictionary.
inline Vector MakeDictionary(const LogicalType& type, const std::vector<Value>& values) {
  size_t n = values.size();
  std::vector<Value> dict_values(values.rbegin(), values.rend());
  auto dict = std::make_shared<Vector>(MakeVector(type, dict_values));
  auto indices = std::make_shared<Buffer>(std::max<size_t>(n, 1) * sizeof(uint32_t));
  auto* idx = reinterpret_cast<uint32_t*>(indices->data());
  for (size_t i = 0; i < n; i++) idx[i] = static_cast<uint32_t>(n - 1 - i);
  return Vector::Dictionary(dict, indices, n);
}

inline Value Dec(int64_t unscaled, int p, int s) { return Value::Decimal(unscaled, p, s); }
inline Value Str(const char* s) { return Value::Varchar(s); }
inline Value Int(int32_t v) { return Value::Integer(v); }
inline Value Big(int64_t v) { return Value::BigInt(v); }
inline Value Dbl(double v) { return Value::Double(v); }

}  // namespace aishell::testing
