// Evaluates bound expressions over batches, vectorized.
#pragma once

#include <cstdint>
#include <vector>

#include "common/vector.h"
#include "expr/expression.h"

namespace aishell {

class ExpressionExecutor {
 public:
  // Evaluates `expr` (no kAggregate/kWindow nodes) over `input`; the result has input.count
  // rows, in any vector form (a constant expression may return a constant vector).
  static Vector Evaluate(const Expr& expr, const Batch& input);

  // Evaluates a BOOLEAN predicate and writes the indices of rows where it is TRUE (not FALSE,
  // not NULL) into `sel` (room for input.count entries). Returns how many.
  static size_t Select(const Expr& predicate, const Batch& input, uint32_t* sel);

  // Evaluates a constant expression (IsConstant) to a value: for constant folding.
  static Value EvaluateConstant(const Expr& expr);
};

}  // namespace aishell
