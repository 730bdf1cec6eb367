// Small aggregate functions for executor tests that must not depend on the function registry:
// count(*), count(x), sum(BIGINT), min(VARCHAR).
#pragma once

#include <memory>

#include "functions/function.h"

namespace aishell {

std::shared_ptr<const AggregateFunction> TestCountStar();
std::shared_ptr<const AggregateFunction> TestCount(LogicalType arg);
std::shared_ptr<const AggregateFunction> TestSumBigInt();
// min over VARCHAR: its state owns a std::string (exercises destroy).
std::shared_ptr<const AggregateFunction> TestMinVarchar();

}  // namespace aishell
