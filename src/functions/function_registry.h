// The concrete function registry: overload lists per name, bound on demand.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "functions/function.h"

namespace aishell {

// A parameter type in an overload signature.
//  - a concrete type (INTEGER, VARCHAR, ...): the argument is coerced to it;
//  - kAnyDecimal: any DECIMAL (integer arguments become DECIMAL(3|5|10|19, 0));
//  - kAnyType: a type variable T; every kAnyType parameter is bound to the common super type;
//  - kAnyValueType: a second type variable V, bound the same way but apart from T;
//  - kAnyArray, kAnyMap, kAnyRow: any ARRAY / MAP / ROW, passed as it is (the bind function
//    computes the result type from the element types).
inline const LogicalType kAnyDecimal = LogicalType(TypeId::kDecimal, 0, 0);
inline const LogicalType kAnyType = LogicalType(TypeId::kNull);
// A second type variable V, bound independently of T (map_agg(K, V)).
inline const LogicalType kAnyValueType = LogicalType(TypeId::kNull, 1, 0);
inline const LogicalType kAnyArray = LogicalType(TypeId::kArray);
inline const LogicalType kAnyMap = LogicalType(TypeId::kMap);
inline const LogicalType kAnyRow = LogicalType(TypeId::kRow);

struct ScalarOverload {
  std::vector<LogicalType> params;
  bool variadic = false;  // the last parameter repeats (zero or more extra times)
  // Builds the bound function for the coerced argument types.
  std::function<std::shared_ptr<ScalarFunction>(const std::vector<LogicalType>& args)> bind;
};

struct AggregateOverload {
  std::vector<LogicalType> params;
  std::function<std::shared_ptr<AggregateFunction>(const std::vector<LogicalType>& args)> bind;
};

class FunctionRegistryImpl : public FunctionRegistry {
 public:
  FunctionRegistryImpl();

  std::shared_ptr<const ScalarFunction> BindScalar(
      const std::string& name, const std::vector<LogicalType>& arg_types,
      std::vector<LogicalType>* coerced_arg_types) const override;
  std::shared_ptr<const AggregateFunction> BindAggregate(
      const std::string& name, const std::vector<LogicalType>& arg_types, bool distinct,
      std::vector<LogicalType>* coerced_arg_types) const override;
  bool IsAggregate(const std::string& name) const override;
  bool IsScalar(const std::string& name) const override;
  std::vector<std::string> Names() const override;

  void AddScalar(const std::string& name, ScalarOverload overload);
  void AddAggregate(const std::string& name, AggregateOverload overload);

 private:
  std::map<std::string, std::vector<ScalarOverload>> scalars_;
  std::map<std::string, std::vector<AggregateOverload>> aggregates_;
};

// Registration of each function family (one .cpp each).
void RegisterArithmeticFunctions(FunctionRegistryImpl& registry);
void RegisterStringFunctions(FunctionRegistryImpl& registry);
void RegisterMathFunctions(FunctionRegistryImpl& registry);
void RegisterDateFunctions(FunctionRegistryImpl& registry);
void RegisterAggregateFunctions(FunctionRegistryImpl& registry);
void RegisterJsonFunctions(FunctionRegistryImpl& registry);
void RegisterNestedFunctions(FunctionRegistryImpl& registry);

// Helper: a bound scalar function.
std::shared_ptr<ScalarFunction> MakeScalar(const std::string& name, std::vector<LogicalType> args,
                                           LogicalType ret, ScalarFunction::Kernel kernel,
                                           bool null_propagating = true, bool deterministic = true);

// Wraps a distinct-capable aggregate: the state keeps a set of distinct argument values and
// runs `inner` over them at finalize time.
std::shared_ptr<AggregateFunction> MakeDistinctAggregate(std::shared_ptr<AggregateFunction> inner);

}  // namespace aishell
