// Functions over ARRAY, MAP and ROW that the binder builds directly (their signatures depend on
// more than the argument types); the rest are registered by name (RegisterNestedFunctions).
#pragma once

#include <memory>
#include <vector>

#include "functions/function.h"

namespace aishell {

// ROW(a, b, ...): a row of anonymous fields of the arguments' types.
std::shared_ptr<ScalarFunction> MakeRowConstructor(const std::vector<LogicalType>& types);

// r.field / r[i]: field `field` (0-based) of a ROW.
std::shared_ptr<ScalarFunction> MakeFieldAccess(const LogicalType& row_type, size_t field);

}  // namespace aishell
