// Helpers for the function and expression tests (header-only; used by *_test.cpp files).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/exception.h"
#include "common/vector.h"
#include "functions/cast.h"
#include "functions/function.h"

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

// Binds `name` to the argument types, casts the arguments like the binder would and runs the
// kernel.
inline Vector CallFunction(const std::string& name, std::vector<Vector> args) {
  std::vector<LogicalType> types;
  for (const auto& a : args) types.push_back(a.type());
  std::vector<LogicalType> coerced;
  auto fn = FunctionRegistry::Get().BindScalar(name, types, &coerced);
  if (!fn) throw Error(ErrorKind::kBinder, "no function " + name);
  size_t n = args.empty() ? 1 : args[0].size();
  for (size_t i = 0; i < args.size(); i++) args[i] = CastVector(args[i], coerced[i], false);
  Vector out(fn->return_type, std::max<size_t>(n, 1));
  out.Resize(n);
  fn->kernel(args, n, out);
  return out;
}

// One-row convenience: f(values...) as a Value.
inline Value Call(const std::string& name, const std::vector<Value>& values) {
  std::vector<Vector> args;
  for (const auto& v : values) args.push_back(MakeVector(v.type(), {v}));
  return CallFunction(name, std::move(args)).GetValue(0);
}

inline Value Dec(int64_t unscaled, int p, int s) { return Value::Decimal(unscaled, p, s); }
inline Value Str(const char* s) { return Value::Varchar(s); }
inline Value Int(int32_t v) { return Value::Integer(v); }
inline Value Big(int64_t v) { return Value::BigInt(v); }
inline Value Dbl(double v) { return Value::Double(v); }

}  // namespace aishell::testing
