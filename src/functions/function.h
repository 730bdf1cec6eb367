// Function signatures bound by the binder and run by the executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/types.h"
#include "common/vector.h"

namespace aishell {

// A scalar function bound to concrete argument types.
// The kernel computes `count` rows of the result from the argument vectors (any vector form)
// into `result`, a flat vector of `return_type` sized `count`. Errors throw aishell::Error.
struct ScalarFunction {
  using Kernel = std::function<void(const std::vector<Vector>& args, size_t count, Vector& result)>;

  std::string name;
  std::vector<LogicalType> arg_types;
  LogicalType return_type;
  Kernel kernel;
  // Returns NULL whenever any argument is NULL (lets the executor skip null rows).
  bool null_propagating = true;
  // Same inputs give the same output (constant folding may evaluate it at plan time).
  bool deterministic = true;
  // "$field" (ROW field access, `r.city`): the index of the field it reads; -1 for the others.
  int field_index = -1;
};

// An aggregate function bound to concrete argument types. States are fixed-size blocks owned
// by the operator; `destroy` releases anything a state points to (may be null).
struct AggregateFunction {
  std::string name;
  std::vector<LogicalType> arg_types;
  LogicalType return_type;
  size_t state_size = 8;
  size_t state_align = 8;

  std::function<void(uint8_t* state)> init;
  // For each row i < count: fold row i of `args` into states[i] (states may repeat).
  std::function<void(const std::vector<Vector>& args, uint8_t** states, size_t count)> update;
  // Optional: folds rows [0, count) of `args` into the one `state` (aggregation without
  // GROUP BY). When absent, `update` runs with `count` copies of the state pointer.
  std::function<void(const std::vector<Vector>& args, uint8_t* state, size_t count)> update_single;
  // Folds `source` into `target` (partial aggregation across threads).
  std::function<void(const uint8_t* source, uint8_t* target)> combine;
  // Writes the final value of states[i] into row i of `result` (flat, sized count).
  std::function<void(uint8_t** states, size_t count, Vector& result)> finalize;
  std::function<void(uint8_t* state)> destroy;
};

// Looks up and binds functions by name and argument types. Implemented in functions/.
class FunctionRegistry {
 public:
  static const FunctionRegistry& Get();

  // Binds a scalar function, applying Trino's implicit coercions to the arguments.
  // Returns nullptr if there is no such function; throws Error(kBinder) naming the candidates
  // when the function exists but no signature fits. On success, `coerced_arg_types` holds
  // the types the arguments must be cast to.
  virtual std::shared_ptr<const ScalarFunction> BindScalar(
      const std::string& name, const std::vector<LogicalType>& arg_types,
      std::vector<LogicalType>* coerced_arg_types) const = 0;

  virtual std::shared_ptr<const AggregateFunction> BindAggregate(
      const std::string& name, const std::vector<LogicalType>& arg_types, bool distinct,
      std::vector<LogicalType>* coerced_arg_types) const = 0;

  virtual bool IsAggregate(const std::string& name) const = 0;
  virtual bool IsScalar(const std::string& name) const = 0;
  // Names of every function, for "did you mean" suggestions.
  virtual std::vector<std::string> Names() const = 0;

  virtual ~FunctionRegistry() = default;
};

}  // namespace aishell
