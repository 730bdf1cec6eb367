// Functions that take lambdas: transform(a, x -> ...), filter(a, x -> ...),
// reduce(a, init, (s, x) -> ..., s -> ...), any_match / all_match / none_match(a, x -> ...).
#pragma once

#include "planner/binder.h"

namespace aishell {

// Whether `fn` has a lambda argument.
bool HasLambdaArgument(const FunctionCallExpression& fn);

// Binds a call with lambda arguments. A lambda body sees its parameters and the columns of the
// enclosing scope (captured: passed to the function as extra arguments); in an aggregated query's
// select list, the GROUP BY key columns.
ExprPtr BindLambdaCall(Binder& binder, const FunctionCallExpression& fn, BindContext& ctx);

}  // namespace aishell
