// The planner's entry point: binds a parsed statement against the catalogs, builds the logical
// plan, and runs the optimizer rules (planner/optimizer/), negotiating pushdown with sources.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog_registry.h"
#include "planner/logical_plan.h"

namespace aishell {

struct Statement;  // sql/ast.h

struct PlannerOptions {
  bool pushdown = true;  // offer filters, limits, order and aggregation to sources
};

struct PlannedQuery {
  LogicalPtr plan;
  std::vector<std::string> sources;  // data sources used, e.g. "users-db (postgres)", "read_csv"
};

// Plans a query statement: SELECT (any query), INSERT INTO, CREATE TABLE AS.
// Throws Error(kBinder/kCatalog, message, sql position) for unknown names, with suggestions.
PlannedQuery PlanStatement(const Statement& statement, CatalogRegistry& catalogs,
                           const PlannerOptions& options);

}  // namespace aishell
