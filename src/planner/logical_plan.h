// The logical plan: a tree of relational operators produced by the binder and rewritten by the
// optimizer rules in planner/optimizer/. Column references in a node's expressions are
// positions in its input: a join's input is left columns followed by right columns.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "common/query_types.h"
#include "expr/expression.h"

namespace aishell {

enum class LogicalOpKind : uint8_t {
  kScan,
  kFilter,
  kProject,
  kAggregate,
  kJoin,
  kSort,
  kLimit,
  kWindow,
  kSetOperation,
  kValues,
  kInsert,
  kUnnest,
};

struct LogicalOperator;
using LogicalPtr = std::shared_ptr<LogicalOperator>;

struct LogicalOperator {
  explicit LogicalOperator(LogicalOpKind k) : kind(k) {}
  virtual ~LogicalOperator() = default;

  LogicalOpKind kind;
  std::vector<LogicalPtr> children;
  std::vector<OutputColumn> output;  // this node's output columns, in order
  double estimated_rows = -1;        // -1: unknown

  std::vector<LogicalType> OutputTypes() const;
  std::vector<std::string> OutputNames() const;
  // One line describing this node for EXPLAIN (without children).
  virtual std::string Describe() const = 0;
};

// Reads a table. `column_ids` index table->columns; the output is those columns in that order.
// `pushed_filters` were accepted by the source (column refs index table->columns); filters the
// source refused are kept in a LogicalFilter above the scan.
struct LogicalScan : LogicalOperator {
  LogicalScan() : LogicalOperator(LogicalOpKind::kScan) {}
  std::string catalog_name;
  std::string alias;
  std::shared_ptr<const TableInfo> table;
  std::shared_ptr<TableScan> scan;  // the negotiation object; holds what was pushed down
  std::vector<int> column_ids;
  std::vector<ExprPtr> pushed_filters;
  int64_t pushed_limit = -1;
  // A fresh negotiation object for the same table (a copy of the scan: subquery unnesting reads
  // the outer query's plan again for the values of its correlated columns).
  std::function<std::shared_ptr<TableScan>()> make_scan;
  // Said in EXPLAIN after the scan, e.g. that a local cache is read in the table's place.
  std::string note;
  std::string Describe() const override;
};

struct LogicalFilter : LogicalOperator {
  LogicalFilter() : LogicalOperator(LogicalOpKind::kFilter) {}
  ExprPtr predicate;
  std::string Describe() const override;
};

struct LogicalProject : LogicalOperator {
  LogicalProject() : LogicalOperator(LogicalOpKind::kProject) {}
  std::vector<ExprPtr> exprs;  // output[i] = exprs[i]
  std::string Describe() const override;
};

// Output: the group keys, then the aggregates. No groups => exactly one output row.
struct LogicalAggregate : LogicalOperator {
  LogicalAggregate() : LogicalOperator(LogicalOpKind::kAggregate) {}
  std::vector<ExprPtr> groups;
  std::vector<ExprPtr> aggregates;  // each of kind kAggregate
  // GROUPING SETS with a global set (): the group key rows emitted, one each, when the input
  // is empty (as a global aggregate returns one row); filters are not pushed below such a node.
  std::vector<std::vector<Value>> empty_input_groups;
  std::string Describe() const override;
};

enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross, kSemi, kAnti };
const char* JoinTypeName(JoinType type);

// Output: left columns then right columns (semi and anti joins: left columns only).
// left_keys[i] (over the left input) = right_keys[i] (over the right input) are the equi-join
// keys; `condition` is the residual predicate over the concatenated input (may be null).
// For kAnti with null_aware (NOT IN), a NULL key on either side makes the row not qualify.
struct LogicalJoin : LogicalOperator {
  LogicalJoin() : LogicalOperator(LogicalOpKind::kJoin) {}
  JoinType join_type = JoinType::kInner;
  std::vector<ExprPtr> left_keys;
  std::vector<ExprPtr> right_keys;
  ExprPtr condition;
  bool null_aware = false;
  // Made by subquery unnesting: a product the query asks for (a non-equality correlation), which
  // the cartesian guard does not refuse.
  bool unnested = false;
  std::string Describe() const override;
};

struct LogicalSort : LogicalOperator {
  LogicalSort() : LogicalOperator(LogicalOpKind::kSort) {}
  std::vector<SortKey> keys;
  std::string Describe() const override;
};

struct LogicalLimit : LogicalOperator {
  LogicalLimit() : LogicalOperator(LogicalOpKind::kLimit) {}
  int64_t limit = -1;  // -1: no limit (OFFSET only)
  int64_t offset = 0;
  std::string Describe() const override;
};

// Output: the input columns, then one column per window expression (kind kWindow).
struct LogicalWindow : LogicalOperator {
  LogicalWindow() : LogicalOperator(LogicalOpKind::kWindow) {}
  std::vector<ExprPtr> window_exprs;
  std::string Describe() const override;
};

// UNNEST: each input row repeated once per element of its arrays (zipped: as many rows as the
// longest, the others padded with NULL). Output: the input's columns, then per array its element
// column (an ARRAY of ROW: one column per field; a MAP: key and value), then the ordinality.
struct LogicalUnnest : LogicalOperator {
  LogicalUnnest() : LogicalOperator(LogicalOpKind::kUnnest) {}
  std::vector<ExprPtr> arrays;  // ARRAY or MAP expressions over the input
  bool ordinality = false;      // WITH ORDINALITY: a BIGINT column counting from 1
  bool outer = false;           // LEFT JOIN UNNEST ... ON true: a NULL row for empty arrays
  std::string Describe() const override;
};

enum class SetOpKind : uint8_t { kUnion, kIntersect, kExcept };

// children[0] <op> children[1]; both inputs have the output's types (the binder casts).
struct LogicalSetOperation : LogicalOperator {
  LogicalSetOperation() : LogicalOperator(LogicalOpKind::kSetOperation) {}
  SetOpKind set_op = SetOpKind::kUnion;
  bool all = false;
  std::string Describe() const override;
};

// Literal rows; each expression is constant. SELECT without FROM reads one row of no columns.
struct LogicalValues : LogicalOperator {
  LogicalValues() : LogicalOperator(LogicalOpKind::kValues) {}
  std::vector<std::vector<ExprPtr>> rows;
  std::string Describe() const override;
};

// INSERT INTO / CREATE TABLE AS: writes children[0] (already cast to the table's column types)
// through the connector. Output: one BIGINT column "rows".
struct LogicalInsert : LogicalOperator {
  LogicalInsert() : LogicalOperator(LogicalOpKind::kInsert) {}
  std::string catalog_name;
  std::shared_ptr<Connector> connector;
  std::string schema;
  std::string table;
  bool create_table = false;
  std::vector<ColumnInfo> columns;        // of the target table
  std::vector<TableProperty> properties;  // CREATE TABLE ... WITH (...)
  std::string Describe() const override;
};

// Renders a plan as an indented tree, with estimated rows (and, for EXPLAIN ANALYZE, actuals).
std::string PlanToString(const LogicalOperator& root);

}  // namespace aishell
