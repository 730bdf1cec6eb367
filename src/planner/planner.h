// The planner's entry point: binds a parsed statement against the catalogs, builds the logical
// plan, and runs the optimizer rules (planner/optimizer/), negotiating pushdown with sources.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "catalog/catalog_registry.h"
#include "planner/logical_plan.h"

namespace aishell {

struct Statement;      // sql/ast.h
struct QualifiedName;  // sql/ast.h

struct PlannerOptions {
  bool pushdown = true;  // offer filters, limits, order and aggregation to sources
  // Lookup joins (planner/optimizer/lookup_join.cpp): a join side that is a scan supporting key
  // lookups is fetched by the other side's keys, in batches, when the other side is small.
  bool lookup_join = true;
  double lookup_join_max_rows = 100000;  // estimated rows of the driving side, at most
  int64_t lookup_batch_size = 10000;     // distinct keys per LookupKeys call
  // Dynamic filtering: a hash join offers its build keys to the probe scan (up to max_keys).
  bool dynamic_filtering = true;
  int64_t dynamic_filter_max_keys = 10000;
  // Cartesian guard (planner/optimizer/cartesian_guard.cpp): a join without an equality
  // condition whose estimated output exceeds this many rows is refused (0: never refused), or,
  // with auto_fix_cartesian, given the equality condition suggested from column names.
  int64_t max_cartesian_rows = 1000000;
  bool auto_fix_cartesian = false;
  // federation.on_source_failure = continue: a table whose source is down while the query is
  // planned is bound from the catalogs' schema cache and reads as a failing scan, which the
  // executor turns into empty input where the query allows it (ExecutionOptions).
  bool continue_on_source_failure = false;
  // Eager aggregation (planner/optimizer/eager_aggregation.cpp): an aggregate over a cross-source
  // join pre-aggregates the input it reads, by the join keys, in that input's source.
  bool eager_aggregation = true;
  // Cost-based join order (planner/optimizer/join_reordering.cpp); false: the written order.
  bool join_reordering = true;
  // federation.type_mappings: a source column read as another type in every query (the scan's
  // output is cast), keyed by lower-case "catalog.schema.table.column" or "catalog.table.column"
  // (any schema). ParseTypeMappings reads the setting.
  std::map<std::string, LogicalType> type_mappings;
};

// "users-db.public.users.id: varchar, orders-db.orders.user_id: bigint" (entries separated by
// commas or new lines; "string" and "text" mean varchar). Throws Error(kConversion) naming the
// entry.
std::map<std::string, LogicalType> ParseTypeMappings(const std::string& text);

struct PlannedQuery {
  LogicalPtr plan;
  std::vector<std::string> sources;  // data sources used, e.g. "users-db (postgres)", "read_csv"
  // What the planner changed on its own and the user should know (printed with an info sign):
  // a join key cast across sources, a cartesian product given a join condition (--auto-fix).
  std::vector<std::string> notices;
};

// Plans a query statement: SELECT (any query), INSERT INTO, CREATE TABLE AS.
// Throws Error(kBinder/kCatalog, message, sql position) for unknown names, with suggestions.
PlannedQuery PlanStatement(const Statement& statement, CatalogRegistry& catalogs,
                           const PlannerOptions& options);

// The table a DDL statement names (DROP TABLE), resolved with the session's default catalog and
// schema as queries resolve it. `info` is null when it does not exist and `must_exist` is false;
// otherwise an unknown name throws Error(kCatalog, message with suggestions, SQL position).
struct TableTarget {
  std::string catalog;
  std::shared_ptr<Connector> connector;
  std::shared_ptr<const TableInfo> info;
};
TableTarget ResolveTableTarget(const QualifiedName& name, CatalogRegistry& catalogs,
                               bool must_exist);

}  // namespace aishell
