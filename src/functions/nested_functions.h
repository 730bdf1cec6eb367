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

// agg(x ORDER BY k1 [DESC] [NULLS FIRST|LAST], ...) [FILTER (WHERE c)]: the keys are extra
// arguments after `inner`'s own, then (when `filtered`) the BOOLEAN condition; the wrapper
// collects the rows where the condition is true and feeds them to `inner` in key order (ties in
// input order). With no keys it only filters (for aggregates that keep NULLs, as array_agg).
// `distinct`: after sorting, a row whose arguments equal an earlier row's is dropped.
// Defined with the other aggregates (aggregate_functions.cpp).
std::shared_ptr<AggregateFunction> MakeOrderedAggregate(
    std::shared_ptr<const AggregateFunction> inner, const std::vector<LogicalType>& key_types,
    const std::vector<bool>& descending, const std::vector<bool>& nulls_first, bool filtered,
    bool distinct);

}  // namespace aishell
