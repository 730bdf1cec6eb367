// The binder: turns the parser's AST (sql/ast.h) into a logical plan, resolving names against
// the catalogs and typing every expression. Internal to the planner; the entry point is
// PlanStatement (planner.h).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sql/ast.h"

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "planner/logical_plan.h"
#include "planner/planner.h"

namespace aishell {

// One column visible to name resolution.
struct ScopeColumn {
  std::string table;    // the alias or table name (lower case); empty for USING columns
  std::string schema;   // lower case, may be empty
  std::string catalog;  // lower case, may be empty
  std::string name;     // as the source spells it
  LogicalType type;
  bool hidden_from_star = false;  // USING duplicates, ORDER BY helpers
  bool hidden_column = false;     // a source's hidden column (ColumnInfo::hidden): not in * nor t.*
  bool qualified_only = false;    // reachable only as t.col (USING duplicates)
};

struct Scope {
  std::vector<ScopeColumn> columns;  // column i = input column i
};

// Aggregation state while binding the select list, HAVING and ORDER BY of a grouped query.
struct AggregateContext {
  const Scope* input = nullptr;  // the FROM scope
  // The plan under the Aggregate and its scope (`input`, extended by the subqueries): subqueries
  // in aggregate arguments join into it. Null: not allowed.
  LogicalPtr* input_plan = nullptr;
  Scope* input_plan_scope = nullptr;
  std::vector<ExprPtr> groups;           // bound over the FROM scope
  std::vector<std::string> group_texts;  // parsed ToString() of each group expression
  std::vector<ExprPtr> aggregates;       // bound kAggregate exprs over the FROM scope
  std::vector<std::string> aggregate_texts;
  std::vector<std::string> aggregate_names;
  // GROUPING SETS / ROLLUP / CUBE: each set lists indices into `groups`; the last group is then
  // the grouping set's number (grouping_set_column), which grouping() reads.
  std::vector<std::vector<size_t>> grouping_sets;
  int grouping_set_column = -1;
};

// Window functions found while binding; refer to them with placeholder column refs
// (kWindowRefBase + i) that are renumbered once the window node's input width is known.
inline constexpr int kWindowRefBase = 1 << 24;
struct WindowContext {
  std::vector<ExprPtr> exprs;
  std::vector<std::string> texts;
};

// Uncorrelated scalar subqueries of an aggregated query (in its select list, HAVING or ORDER BY)
// are joined to the Aggregate's output once it is built; until then they are placeholder column
// refs (kSubqueryRefBase + i, below kWindowRefBase), renumbered by ResolveSubqueryRefs.
inline constexpr int kSubqueryRefBase = 1 << 23;

struct BindContext {
  const Scope* scope = nullptr;
  AggregateContext* aggregate = nullptr;  // non-null: bind in post-aggregation mode
  WindowContext* window = nullptr;        // non-null: window functions allowed
  LogicalPtr* plan = nullptr;             // non-null: scalar subqueries join into this plan
  Scope* plan_scope = nullptr;            // the scope of *plan (extended by scalar subqueries)
  // Non-null (and `plan` null): an aggregated query's scalar subqueries are collected here.
  std::vector<LogicalPtr>* deferred_subqueries = nullptr;
  const char* clause = "expression";  // for messages: "WHERE", "GROUP BY", ...
  // ORDER BY: select-list aliases usable as one-part names inside expressions (bound already).
  const std::vector<std::string>* alias_names = nullptr;
  const std::vector<ExprPtr>* alias_exprs = nullptr;
};

struct BoundRelation {
  LogicalPtr plan;
  Scope scope;
};

class Binder {
 public:
  Binder(CatalogRegistry& catalogs, const PlannerOptions& options)
      : catalogs_(catalogs), options_(options) {}

  // Any query node (SELECT, set operation, VALUES) with its WITH/ORDER BY/LIMIT.
  LogicalPtr BindQuery(const QueryNode& query);
  PlannedQuery PlanStatement(const Statement& statement);
  TableTarget ResolveTarget(const QualifiedName& name, bool must_exist);

  ExprPtr BindExpr(const ParsedExpression& expr, BindContext& ctx);
  BoundRelation BindTableRef(const TableRef& ref);

  const std::vector<std::string>& sources() const { return sources_; }

 private:
  struct CteEntry {
    const CommonTableExpression* cte;
    size_t depth;   // CTE scopes visible to its body
    size_t frames;  // outer frames (subquery unnesting) visible to its body
  };

  // `left = right` between an integer column and a VARCHAR column of two different tables
  // (a join key across sources): TRY_CAST of the VARCHAR side to the integer type, with a
  // notice. Null when the comparison is not such a pair (the usual rules apply).
  ExprPtr BindCrossTableKeyEquality(const ExprPtr& left, const ExprPtr& right,
                                    const BindContext& ctx);
  // BindExpr without the view-position rewrite (BindExpr applies it to what this returns).
  ExprPtr BindExprNode(const ParsedExpression& expr, BindContext& ctx);

  LogicalPtr BindQueryBody(const QueryNode& query);
  LogicalPtr BindSelect(const SelectNode& select);
  LogicalPtr BindSetOperation(const SetOperationNode& node);
  LogicalPtr BindValues(const ValuesNode& node);
  LogicalPtr ApplyOrderLimit(LogicalPtr plan, const QueryNode& query);

  BoundRelation BindBaseTable(const BaseTableRef& ref);
  BoundRelation BindJoin(const JoinRef& ref);
  BoundRelation BindTableFunction(const TableFunctionRef& ref);
  // UNNEST(...) over `left` (a lateral reference: its arguments see left's columns).
  BoundRelation BindUnnest(BoundRelation left, const TableFunctionRef& ref, bool outer);
  BoundRelation BindNamedQuery(const QueryNode& query, const std::string& alias,
                               const std::vector<std::string>& column_names, int position);
  BoundRelation ScanTable(const std::string& catalog, std::shared_ptr<Connector> connector,
                          std::shared_ptr<const TableInfo> table, const std::string& alias);
  BoundRelation ScanTableWith(const std::string& catalog, const std::string& connector_type,
                              std::shared_ptr<const TableInfo> table, const std::string& alias,
                              std::shared_ptr<TableScan> table_scan,
                              std::function<std::shared_ptr<TableScan>()> make_scan);
  // Resolves catalog.schema.table with defaults; throws with suggestions.
  struct ResolvedTable {
    std::string catalog;
    std::shared_ptr<Connector> connector;
    std::string schema;
    std::string table;
    std::shared_ptr<const TableInfo> info;  // null if it does not exist (and !must_exist)
  };
  ResolvedTable ResolveTable(const QualifiedName& name, bool must_exist);
  // Under on_source_failure = continue: a table whose source failed with `error` while it was
  // resolved, bound from the catalogs' schema cache with a scan that raises the error when read
  // (catalog/schema_cache.h). Null when the mode is off or nothing is remembered.
  std::optional<BoundRelation> BindUnavailableTable(const QualifiedName& name, const Error& error);

  // WHERE with IN/EXISTS subqueries turned into semi/anti joins.
  void BindWhere(const ParsedExpression& where, LogicalPtr& plan, Scope& scope);
  bool BindSubqueryPredicate(const ParsedExpression& conjunct, bool negated, LogicalPtr& plan,
                             Scope& scope);

  ExprPtr BindColumnRef(const ColumnRefExpression& ref, const Scope& scope);
  ExprPtr BindFunction(const FunctionCallExpression& fn, BindContext& ctx);
  ExprPtr BindAggregateCall(const FunctionCallExpression& fn, BindContext& ctx);
  ExprPtr BindWindowCall(const FunctionCallExpression& fn, BindContext& ctx);
  // grouping(a, b, ...) of a grouped query (bind_grouping.cpp).
  ExprPtr BindGroupingCall(const FunctionCallExpression& fn, BindContext& ctx);
  // OVER w / OVER (w ...) resolved against the WINDOW clause (bind_window.cpp).
  std::unique_ptr<WindowDefinition> ResolveWindow(const WindowDefinition& over, int position);
  // A frame (ROWS, RANGE, GROUPS) into `spec`, whose order keys are bound (bind_window.cpp).
  void BindWindowFrame(const WindowFrame& frame, WindowSpec& spec);
  ExprPtr BindScalarSubquery(const SubqueryExpression& sub, BindContext& ctx);
  // x IN (subquery) / EXISTS (subquery) as values (three-valued), e.g. in a select list.
  ExprPtr BindInSubqueryValue(const InSubqueryExpression& in, BindContext& ctx);
  ExprPtr BindExistsValue(const ExistsExpression& exists, BindContext& ctx);
  ExprPtr BindCorrelatedScalarSubquery(const SelectNode& select, BindContext& ctx, int position);
  // Appends `subplan` to *ctx.plan with a LEFT join on `condition` (over outer + subplan
  // columns; may be null) and returns a ref to subplan column `value_column`.
  ExprPtr JoinScalarSubquery(LogicalPtr subplan, ExprPtr condition, int value_column,
                             BindContext& ctx);
  ExprPtr BindCase(const CaseExpression& expr, BindContext& ctx);

  // Subquery unnesting (subquery_unnesting.h, bind_subquery.cpp).
  // Binds a subquery with `scope` as its innermost outer frame; *correlated: whether it refers
  // to that scope (its outer references then have depth *depth).
  LogicalPtr BindSubqueryPlan(const QueryNode& query, const Scope& scope, bool* correlated,
                              int* depth);
  // The column refs of `expr` (over the frame at `depth`) as outer references.
  ExprPtr ToOuterRefs(const ExprPtr& expr, int depth);
  // The name, not found in the current scope, looked up in the outer frames; null if not there.
  ExprPtr BindOuterColumnRef(const ColumnRefExpression& ref);
  // `sub` with its outer references of `depth` (to columns of `outer`) unnested; its output is
  // sub's columns then one per correlated outer column (*outer_columns, indexes into outer).
  LogicalPtr Decorrelate(const LogicalPtr& sub, int depth, const LogicalPtr& outer,
                         std::vector<int>* outer_columns);
  // A correlated subquery LEFT-joined to *ctx.plan on its correlated columns; returns a ref to
  // its column `value_column`. single_row: more than one row per outer row is an error.
  ExprPtr JoinCorrelatedSubquery(LogicalPtr sub, int depth, int value_column, bool single_row,
                                 BindContext& ctx);
  // `plan` (an Aggregate's output) with each deferred scalar subquery (one column) LEFT-joined
  // to it in turn: one row, or, correlated with group columns, one row per group.
  LogicalPtr JoinDeferredSubqueries(LogicalPtr plan, const std::vector<LogicalPtr>& subqueries);
  // An inner join whose ON has subqueries: the conjuncts without them join, those with them are
  // bound as WHERE conjuncts over that join.
  BoundRelation BindJoinWithSubqueries(BoundRelation rel, std::shared_ptr<LogicalJoin> join,
                                       const ParsedExpression& condition);
  // left [CROSS|INNER|LEFT] JOIN LATERAL (query) [ON ...]: the subquery unnested against left.
  BoundRelation BindLateralJoin(BoundRelation left, const JoinRef& ref);
  // Aggregated queries: a correlated subquery's outer references (to FROM columns) become refs
  // to the group columns of the Aggregate's output (others are an error).
  void MapOuterRefsToGroups(const LogicalOperator& sub, int depth, BindContext& ctx, int position);
  // Adds a one-column subquery to ctx.deferred_subqueries (correlated at `depth` with the
  // Aggregate's output, or a single row); returns its placeholder ref.
  ExprPtr DeferSubquery(LogicalPtr sub, int depth, BindContext& ctx);
  // Runs a fast path with `scope` as the frame at fast_path_depth_; false if it threw kBinder or
  // kUnsupported (then the general unnesting applies).
  bool TryFastPath(const Scope& scope, const std::function<void()>& fast_path);

  void AddSource(const std::string& source);

  CatalogRegistry& catalogs_;
  PlannerOptions options_;
  // federation.type_mappings: casts the mapped columns of a table just read (a projection above
  // its scan), so every query sees them with the mapped type.
  void ApplyTypeMappings(const std::string& catalog, const TableInfo& table, BoundRelation& rel);
  std::vector<std::string> sources_;
  std::vector<std::string> notices_;                         // PlannedQuery::notices
  std::vector<CteEntry> ctes_;                               // innermost last
  const std::vector<NamedWindow>* named_windows_ = nullptr;  // the WINDOW clause being bound
  int view_depth_ = 0;
  // Inside a view: the position of the view's outermost reference in the query, which run-time
  // errors of the view's expressions point at (their own positions are in the view's text).
  int view_position_ = -1;
  // Subquery unnesting: the scopes of the enclosing queries (innermost last), and the outer
  // references handed out (id -> the frame and its column).
  struct CorrelatedColumn {
    int depth;
    int column;
  };
  std::vector<const Scope*> frames_;
  std::vector<CorrelatedColumn> correlated_;
  // While a fast path binds a subquery with the outer columns in its own scope, the frame of
  // that scope is also pushed (for the name lookup order) at this depth; an outer reference to
  // it aborts the fast path (kUnsupported), before it changes the plan.
  int fast_path_depth_ = -1;
  // Deferred scalar subqueries of an aggregated query correlated with its group columns: their
  // depth (their outer references index the Aggregate's output).
  std::map<const LogicalOperator*, int> deferred_depth_;
};

// GROUPING SETS, ROLLUP and CUBE (bind_grouping.cpp): the grouping sets of `select` (indices
// into its group_by), in Trino's order; throws past kMaxGroupingSets.
inline constexpr size_t kMaxGroupingSets = 4096;
std::vector<std::vector<size_t>> ExpandGroupingSets(const SelectNode& select);
// The input of a grouping-sets aggregation: `input` repeated once per set, with the group keys
// outside the set NULL, and the set's number last; fills aggregate.groups (and
// empty_input_groups) from `agg`.
LogicalPtr BuildGroupingSetsInput(LogicalPtr input, const AggregateContext& agg,
                                  LogicalAggregate& aggregate);

// Expression helpers shared by the binder files.
ExprPtr CastTo(ExprPtr expr, const LogicalType& type, int position = -1);
// Placeholder refs kSubqueryRefBase + i -> base + i.
ExprPtr ResolveSubqueryRefs(const ExprPtr& expr, int base);
ExprPtr BindComparisonExpr(CompareOp op, ExprPtr left, ExprPtr right, int position);
ExprPtr BindScalarCall(const std::string& name, std::vector<ExprPtr> args, int position);
ExprPtr EnsureBoolean(ExprPtr expr, const char* clause, int position);
std::string LowerName(const std::string& s);
// Whether a parsed expression calls an aggregate function (outside subqueries and windows).
bool ContainsAggregate(const ParsedExpression& e);
void SplitParsedConjunction(const ParsedExpression& e, std::vector<const ParsedExpression*>& out);
// The scope of a correlated subquery: the outer columns (reachable only qualified when an inner
// column has the same name: inner names win), then the inner columns.
Scope CorrelatedScope(const Scope& outer, const Scope& inner);

}  // namespace aishell
