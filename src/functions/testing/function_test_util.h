// Helpers for the function and expression tests (header-only; used by *_test.cpp files).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/exception.h"
#include "common/testing/vector_builders.h"
#include "common/vector.h"
#include "functions/cast.h"
#include "functions/function.h"

namespace aishell::testing {

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

}  // namespace aishell::testing
