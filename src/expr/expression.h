// Bound expressions: typed, resolved expression trees produced by the binder, rewritten by the
// optimizer, offered to connectors as filters, and evaluated by the executor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/types.h"
#include "common/value.h"
#include "functions/function.h"

namespace aishell {

enum class ExprKind : uint8_t {
  kColumnRef,   // column_index: position in the input of the operator holding the expression
  kConstant,    // value
  kCast,        // children[0] cast to `type`; try_cast => NULL instead of an error
  kFunction,    // scalar function call: `function`, children are the (coerced) arguments
  kComparison,  // children[0] <op> children[1], both of one type
  kAnd,         // n-ary, three-valued
  kOr,          // n-ary, three-valued
  kNot,
  kIsNull,  // children[0] IS NULL
  kIsNotNull,
  kCase,       // children: when1, then1, when2, then2, ..., [else] (has_else)
  kIn,         // children[0] IN (children[1..]); negated => NOT IN; three-valued
  kLike,       // children[0] LIKE children[1] [ESCAPE children[2]]; case_insensitive; negated
  kCoalesce,   // first non-null child
  kAggregate,  // only inside an Aggregate node: `aggregate`, children = args; distinct
  kWindow,     // only inside a Window node: see WindowSpec
};

enum class CompareOp : uint8_t {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIsDistinctFrom,
  kIsNotDistinctFrom
};

const char* CompareOpSymbol(CompareOp op);
CompareOp FlipCompareOp(CompareOp op);    // a < b  <=>  b > a
CompareOp NegateCompareOp(CompareOp op);  // NOT (a < b) <=> a >= b (for non-null inputs)

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

enum class WindowFunctionKind : uint8_t {
  kRowNumber,
  kRank,
  kDenseRank,
  kAggregate,
  kLag,
  kLead,
  kFirstValue,
  kLastValue,
  kNtile
};

enum class FrameBoundKind : uint8_t {
  kUnboundedPreceding,
  kPreceding,
  kCurrentRow,
  kFollowing,
  kUnboundedFollowing
};

struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kUnboundedPreceding;
  int64_t offset = 0;  // kPreceding/kFollowing of ROWS (rows) and GROUPS (peer groups) frames
  // kPreceding/kFollowing of a RANGE frame: the bound's value for a row (key - offset or
  // key + offset), an expression over one column, the row's order key; null otherwise.
  ExprPtr range_value;
  std::string offset_text;  // a RANGE offset as written, for EXPLAIN
};

struct SortKey {
  ExprPtr expr;
  bool ascending = true;
  bool nulls_first = false;  // Trino's default: NULLS LAST for both directions
};

struct WindowSpec {
  WindowFunctionKind function = WindowFunctionKind::kRowNumber;
  std::vector<ExprPtr> partition_by;
  std::vector<SortKey> order_by;
  bool rows_frame = false;    // ROWS (true) or RANGE / GROUPS (false)
  bool groups_frame = false;  // GROUPS
  bool has_frame = false;     // an explicit frame was written
  // RANGE with an offset bound: the order key cast to the type the bounds' values compare in,
  // over one column (the order key).
  ExprPtr range_key;
  FrameBound frame_start;  // default RANGE UNBOUNDED PRECEDING .. CURRENT ROW when ordered
  FrameBound frame_end{FrameBoundKind::kCurrentRow, 0};
};

struct Expr {
  ExprKind kind = ExprKind::kConstant;
  LogicalType type;
  std::vector<ExprPtr> children;

  int column_index = -1;          // kColumnRef
  std::string name;               // kColumnRef: display name; kFunction/kAggregate: function name
  Value value;                    // kConstant
  CompareOp op = CompareOp::kEq;  // kComparison
  bool try_cast = false;          // kCast
  bool negated = false;           // kIn, kLike
  bool case_insensitive = false;  // kLike (ILIKE)
  bool has_else = false;          // kCase
  bool distinct = false;          // kAggregate
  std::shared_ptr<const ScalarFunction> function;      // kFunction
  std::shared_ptr<const AggregateFunction> aggregate;  // kAggregate, and kWindow over an aggregate
  std::shared_ptr<WindowSpec> window;                  // kWindow (children = function args)
  // kCast, kFunction, kAggregate: the byte offset of the call in the SQL text (-1: none), which
  // errors raised at run time by this node point at.
  int position = -1;
  // kFunction of a higher-order function with one lambda (transform, filter, any_match, all_match,
  // none_match): the lambda's body, bound over [captures (children[1..]), parameters]. The kernel
  // holds its own copy; this one lets a source translate the call (Elasticsearch `nested`
  // queries). Rewrites of the outer columns never reach into it.
  ExprPtr lambda_body;

  // Human-readable SQL-like rendering, used by EXPLAIN; `input_names` names column refs.
  std::string ToString(const std::vector<std::string>* input_names = nullptr) const;
  ExprPtr Copy() const;  // deep copy
};

// Constructors.
ExprPtr MakeColumnRef(int index, LogicalType type, std::string name = {});
ExprPtr MakeConstant(Value value);
ExprPtr MakeCast(ExprPtr child, LogicalType type, bool try_cast = false);
ExprPtr MakeComparison(CompareOp op, ExprPtr left, ExprPtr right);
ExprPtr MakeAnd(std::vector<ExprPtr> children);  // flattens; one child => the child
ExprPtr MakeOr(std::vector<ExprPtr> children);
ExprPtr MakeNot(ExprPtr child);
ExprPtr MakeFunction(std::shared_ptr<const ScalarFunction> fn, std::vector<ExprPtr> args);

// Helpers for rewrites.
void CollectColumnRefs(const Expr& expr, std::vector<int>* indices);  // appends, may repeat
bool IsConstant(const Expr& expr);  // no column refs, aggregates or windows
bool IsDeterministic(const Expr& expr);
// Splits a conjunction into its conjuncts (a AND b AND c -> [a, b, c]).
std::vector<ExprPtr> SplitConjunction(const ExprPtr& expr);
// Rewrites every column ref through `mapping` (old index -> new index; -1 is an error).
ExprPtr RemapColumns(const ExprPtr& expr, const std::vector<int>& mapping);
// Replaces column ref i with replacements[i] (used to push filters through projections).
ExprPtr SubstituteColumns(const ExprPtr& expr, const std::vector<ExprPtr>& replacements);

}  // namespace aishell
