// Rule: eager aggregation below a cross-source join (Yan and Larson's "eager group-by"). An
// Aggregate over an inner equi-join whose calls (sum, count, count(*), min, max; no DISTINCT)
// read only one input S, where S is a scan of a source that the other input does not read, is
// split in two: a partial Aggregate directly over S, grouped by S's join keys and S's GROUP BY
// columns, and a final Aggregate above the join that combines the partial results (sum of sums,
// sum of counts, min of mins, max of maxes). Every S row of a partial group meets the same rows
// of the other input, so the combined values are the original ones. The partial Aggregate sits
// on the scan, so PushDownAggregations offers it to the source (seed 002's `$group` by user_id
// in MongoDB before the join with PostgreSQL users), and fewer rows cross the network and the
// join.
//
// Not applied: a global aggregate (no GROUP BY: count over no rows must stay 0), a join with a
// residual condition, a call over both inputs, an S whose source also serves the other input
// (PushDownRemoteJoins sends such joins whole), an S that a lookup join would read by key (the
// other input is small and S supports key lookups: fetching only the matching rows wins, unless
// the statistics say those keys are half or more of S's distinct keys), and an S whose key is
// known to be (nearly) unique. PlannerOptions::eager_aggregation turns it off.
#include <algorithm>
#include <set>

#include "functions/function.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// An input that is a scan, through filters and projections.
struct ScanChain {
  const LogicalScan* scan = nullptr;
  std::vector<const LogicalProject*> projections;  // top-down
};

bool FindScanChain(const LogicalOperator& op, ScanChain* chain) {
  const LogicalOperator* node = &op;
  while (true) {
    if (node->kind == LogicalOpKind::kScan) {
      chain->scan = static_cast<const LogicalScan*>(node);
      return chain->scan->scan && chain->scan->table;
    }
    if (node->kind == LogicalOpKind::kProject)
      chain->projections.push_back(static_cast<const LogicalProject*>(node));
    else if (node->kind != LogicalOpKind::kFilter)
      return false;
    if (node->children.empty() || !node->children[0]) return false;
    node = node->children[0].get();
  }
}

// The table column behind output column `index` of the chain's top, or -1.
int ChainTableColumn(const ScanChain& chain, int index) {
  for (const auto* p : chain.projections) {
    if (index < 0 || index >= static_cast<int>(p->exprs.size())) return -1;
    const Expr& e = *p->exprs[index];
    if (e.kind != ExprKind::kColumnRef) return -1;
    index = e.column_index;
  }
  if (index < 0 || index >= static_cast<int>(chain.scan->column_ids.size())) return -1;
  return chain.scan->column_ids[index];
}

void CollectCatalogs(const LogicalOperator& op, std::set<std::string>* out) {
  if (op.kind == LogicalOpKind::kScan)
    out->insert(static_cast<const LogicalScan&>(op).catalog_name);
  for (const auto& c : op.children)
    if (c) CollectCatalogs(*c, out);
}

// -1: no column refs; 0 / 1: only that join input's; 2: both.
int Side(const Expr& e, int left_width) {
  std::vector<int> refs;
  CollectColumnRefs(e, &refs);
  int side = -1;
  for (int r : refs) {
    int s = r < left_width ? 0 : 1;
    if (side >= 0 && side != s) return 2;
    side = s;
  }
  return side;
}

ExprPtr BindCall(const std::string& name, ExprPtr arg, int position) {
  std::vector<LogicalType> types;
  if (arg) types.push_back(arg->type);
  std::vector<LogicalType> coerced;
  auto bound = FunctionRegistry::Get().BindAggregate(name, types, false, &coerced);
  if (!bound) return nullptr;
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kAggregate;
  e->type = bound->return_type;
  e->name = name;
  e->aggregate = bound;
  if (arg) {
    if (!coerced.empty() && !(coerced[0] == arg->type)) arg = MakeCast(arg, coerced[0]);
    e->children.push_back(std::move(arg));
  }
  e->position = position;
  return e;
}

LogicalPtr TryEager(const LogicalPtr& op, const PlannerOptions& options) {
  auto& agg = static_cast<LogicalAggregate&>(*op);
  if (agg.groups.empty() || agg.aggregates.empty()) return nullptr;
  std::vector<ExprPtr> groups = agg.groups;
  std::vector<ExprPtr> calls = agg.aggregates;
  LogicalPtr below = op->children[0];
  while (below->kind == LogicalOpKind::kProject) {
    const auto& exprs = static_cast<LogicalProject&>(*below).exprs;
    for (auto& g : groups) g = SubstituteColumns(g, exprs);
    for (auto& c : calls) c = SubstituteColumns(c, exprs);
    below = below->children[0];
  }
  if (below->kind != LogicalOpKind::kJoin) return nullptr;
  auto& join = static_cast<LogicalJoin&>(*below);
  if (join.join_type != JoinType::kInner || join.left_keys.empty() || join.condition ||
      join.null_aware)
    return nullptr;
  const int left_width = static_cast<int>(join.children[0]->output.size());

  // The calls: decomposable, over one input.
  int s = -1;
  for (const auto& c : calls) {
    if (c->kind != ExprKind::kAggregate || c->distinct || !c->aggregate) return nullptr;
    const std::string& name = c->name;
    bool star = name == "count_star";
    if (!(star || name == "sum" || name == "count" || name == "min" || name == "max"))
      return nullptr;
    if (c->children.size() != (star ? 0u : 1u)) return nullptr;  // ordered/filtered wrappers
    if (star) continue;
    if (!IsDeterministic(*c->children[0])) return nullptr;
    int side = Side(*c->children[0], left_width);
    if (side == 2 || (side >= 0 && s >= 0 && side != s)) return nullptr;
    if (side >= 0) s = side;
  }
  if (s < 0) return nullptr;  // only count(*): no input is aggregated more than the other
  const int offset = s == 0 ? 0 : left_width;
  const int width = static_cast<int>(join.children[s]->output.size());

  // S: a scan of a source the other input does not read.
  ScanChain chain;
  if (!FindScanChain(*join.children[s], &chain)) return nullptr;
  std::set<std::string> other_catalogs;
  CollectCatalogs(*join.children[1 - s], &other_catalogs);
  if (other_catalogs.count(chain.scan->catalog_name)) return nullptr;

  // S's join keys, each without an integer widening: the partial aggregate groups by the
  // column itself (a source takes plain column groups) and the join widens its output.
  const auto& join_keys = s == 0 ? join.left_keys : join.right_keys;
  std::vector<ExprPtr> keys;
  std::vector<int> key_columns;
  for (const auto& k : join_keys) {
    if (!IsDeterministic(*k)) return nullptr;
    keys.push_back(WithoutIntegerWidening(*k).Copy());
    const Expr& key = *keys.back();
    key_columns.push_back(
        key.kind == ExprKind::kColumnRef ? ChainTableColumn(chain, key.column_index) : -1);
  }
  bool plain_keys = std::find(key_columns.begin(), key_columns.end(), -1) == key_columns.end();
  // A lookup join reads only the rows of the other input's keys: better than any aggregate,
  // unless those keys are known to cover most of S's distinct keys (then it reads all of S).
  double other_rows = join.children[1 - s]->estimated_rows;
  double key_distinct = -1;
  if (plain_keys && key_columns.size() == 1) {
    const auto& stats = chain.scan->table->stats;
    size_t c = static_cast<size_t>(key_columns[0]);
    if (c < stats.columns.size() && stats.columns[c].distinct_count)
      key_distinct = *stats.columns[c].distinct_count;
  }
  bool lookup_reads_most = key_distinct > 0 && other_rows >= 0.5 * key_distinct;
  if (options.lookup_join && plain_keys && other_rows >= 0 &&
      other_rows <= options.lookup_join_max_rows && !lookup_reads_most &&
      chain.scan->scan->SupportsKeyLookup(key_columns))
    return nullptr;
  // A key known to be nearly unique leaves nothing to combine.
  if (plain_keys && key_columns.size() == 1) {
    const auto& stats = chain.scan->table->stats;
    size_t c = static_cast<size_t>(key_columns[0]);
    if (stats.row_count && c < stats.columns.size() && stats.columns[c].distinct_count &&
        *stats.columns[c].distinct_count * 2 > *stats.row_count)
      return nullptr;
  }

  // Groups: S's join keys, then the GROUP BY expressions over S; the others stay above.
  auto partial = std::make_shared<LogicalAggregate>();
  for (const auto& k : keys) partial->groups.push_back(k->Copy());
  std::vector<int> group_slot(groups.size(), -1);  // partial group index for S groups
  for (size_t i = 0; i < groups.size(); i++) {
    int side = Side(*groups[i], left_width);
    if (side == 2) return nullptr;
    if (side != s) continue;
    if (!IsDeterministic(*groups[i])) return nullptr;
    group_slot[i] = static_cast<int>(partial->groups.size());
    partial->groups.push_back(ShiftColumns(groups[i], -offset));
  }
  for (const auto& c : calls) {
    std::string name = c->name == "count_star" ? "count_star" : c->name;
    ExprPtr arg = c->children.empty() ? nullptr : ShiftColumns(c->children[0], -offset);
    ExprPtr call = BindCall(name, arg, c->position);
    if (!call) return nullptr;
    partial->aggregates.push_back(call);
  }
  const int partial_groups = static_cast<int>(partial->groups.size());
  for (size_t i = 0; i < partial->groups.size(); i++)
    partial->output.push_back({"k" + std::to_string(i), partial->groups[i]->type});
  for (size_t i = 0; i < partial->aggregates.size(); i++)
    partial->output.push_back({"p" + std::to_string(i), partial->aggregates[i]->type});
  partial->children.push_back(join.children[s]);

  // The join over the partial results.
  auto new_join = std::make_shared<LogicalJoin>();
  new_join->join_type = JoinType::kInner;
  new_join->children = join.children;
  new_join->children[s] = partial;
  new_join->left_keys = join.left_keys;
  new_join->right_keys = join.right_keys;
  auto& s_keys = s == 0 ? new_join->left_keys : new_join->right_keys;
  for (size_t i = 0; i < s_keys.size(); i++) {
    s_keys[i] =
        MakeColumnRef(static_cast<int>(i), partial->groups[i]->type, "k" + std::to_string(i));
    if (!(join_keys[i]->type == partial->groups[i]->type))
      s_keys[i] = MakeCast(s_keys[i], join_keys[i]->type);
  }
  for (const auto& c : new_join->children[0]->output) new_join->output.push_back(c);
  for (const auto& c : new_join->children[1]->output) new_join->output.push_back(c);
  const int new_offset = s == 0 ? 0 : left_width;  // S's first column
  const int other_shift = s == 0 ? static_cast<int>(partial->output.size()) - width : 0;

  // The final aggregate: the original groups, and each call combined.
  auto final_agg = std::make_shared<LogicalAggregate>();
  for (size_t i = 0; i < groups.size(); i++) {
    if (group_slot[i] >= 0) {
      final_agg->groups.push_back(
          MakeColumnRef(new_offset + group_slot[i], groups[i]->type, op->output[i].name));
    } else {
      final_agg->groups.push_back(ShiftColumns(groups[i], other_shift));
    }
  }
  for (size_t j = 0; j < calls.size(); j++) {
    const auto& p = partial->aggregates[j];
    ExprPtr ref = MakeColumnRef(new_offset + partial_groups + static_cast<int>(j), p->type,
                                "p" + std::to_string(j));
    std::string name = calls[j]->name;
    std::string combine = (name == "count" || name == "count_star" || name == "sum") ? "sum" : name;
    ExprPtr call = BindCall(combine, ref, calls[j]->position);
    if (!call) return nullptr;
    final_agg->aggregates.push_back(call);
  }
  for (size_t i = 0; i < final_agg->groups.size(); i++)
    final_agg->output.push_back({op->output[i].name, final_agg->groups[i]->type});
  for (size_t j = 0; j < final_agg->aggregates.size(); j++)
    final_agg->output.push_back(
        {op->output[groups.size() + j].name, final_agg->aggregates[j]->type});
  final_agg->children.push_back(new_join);

  // The original output types (sum of a count is BIGINT as count is; a wider sum is cast back).
  auto project = std::make_shared<LogicalProject>();
  for (size_t i = 0; i < op->output.size(); i++) {
    ExprPtr ref = MakeColumnRef(static_cast<int>(i), final_agg->output[i].type, op->output[i].name);
    if (!(final_agg->output[i].type == op->output[i].type)) ref = MakeCast(ref, op->output[i].type);
    project->exprs.push_back(ref);
    project->output.push_back(op->output[i]);
  }
  project->children.push_back(final_agg);
  project->estimated_rows = op->estimated_rows;
  return project;
}

LogicalPtr Visit(LogicalPtr op, const PlannerOptions& options) {
  for (auto& c : op->children)
    if (c) c = Visit(c, options);
  if (op->kind == LogicalOpKind::kAggregate) {
    if (LogicalPtr rewritten = TryEager(op, options)) return rewritten;
  }
  return op;
}

}  // namespace

LogicalPtr AggregateBelowJoins(LogicalPtr plan, const PlannerOptions& options) {
  if (!options.eager_aggregation) return plan;
  return Visit(std::move(plan), options);
}

}  // namespace aishell
