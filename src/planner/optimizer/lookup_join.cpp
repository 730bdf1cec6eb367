// Rule: join strategies, run last (the scans are negotiated, the plan shape is final).
//
// Lookup join. An equi-join whose one input is a scan (optionally under a Filter of refused
// conjuncts and a Project) that can fetch rows by the join key columns
// (TableScan::SupportsKeyLookup) and whose other input is small (estimated rows at most
// lookup_join_max_rows, not more than the scan's estimate when that is known, nor than the scan's
// MaxLookupKeys when it has one) becomes a
// LogicalLookupJoin: the executor runs the small side, and fetches the matching rows of the scan
// with LookupKeys, lookup_batch_size distinct keys at a time. Allowed: INNER (either side looked
// up), LEFT with the looked-up side on the right, RIGHT with it on the left, SEMI and (not
// null-aware) ANTI with it on the right: exactly the joins whose result for a driving row depends
// only on the looked-up rows with equal keys.
//
// Dynamic filtering. A hash join (INNER, SEMI or RIGHT: joins that drop probe rows without a match)
// whose probe keys are plain columns of a scan becomes a LogicalDynamicFilterJoin: after the build,
// its distinct keys (at most dynamic_filter_max_keys) are offered to the probe scan.
#include "planner/optimizer/lookup_join.h"

#include <map>

#include "functions/cast.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

bool IntegerType(TypeId id) { return IntegerRank(id) > 0; }

// A scan whose output is still its column_ids (no aggregation pushed into it).
bool PlainScan(const LogicalScan& scan) {
  if (!scan.scan || !scan.table || scan.pushed_limit >= 0) return false;
  if (scan.output.size() != scan.column_ids.size()) return false;
  for (size_t i = 0; i < scan.column_ids.size(); i++) {
    int c = scan.column_ids[i];
    if (c < 0 || static_cast<size_t>(c) >= scan.table->columns.size()) return false;
    if (!(scan.table->columns[c].type == scan.output[i].type)) return false;
  }
  return true;
}

// The input of a join, peeled: [Project] [Filter] Scan.
struct Peeled {
  LogicalPtr* scan_slot = nullptr;  // where the scan hangs (to swap in a LogicalLookupScan)
  std::shared_ptr<LogicalScan> scan;
  ExprPtr filter;
  std::vector<ExprPtr> projection;  // empty: identity
};

bool Peel(LogicalPtr& input, Peeled* out) {
  LogicalPtr* slot = &input;
  if ((*slot)->kind == LogicalOpKind::kProject) {
    const auto& p = static_cast<const LogicalProject&>(**slot);
    for (const auto& e : p.exprs) {
      if (!e || !IsDeterministic(*e)) return false;
    }
    out->projection = p.exprs;
    slot = &(*slot)->children[0];
  }
  if ((*slot)->kind == LogicalOpKind::kFilter) {
    const auto& f = static_cast<const LogicalFilter&>(**slot);
    if (f.predicate && !IsDeterministic(*f.predicate)) return false;
    out->filter = f.predicate;
    slot = &(*slot)->children[0];
  }
  if ((*slot)->kind != LogicalOpKind::kScan) return false;
  out->scan = std::static_pointer_cast<LogicalScan>(*slot);
  if (!PlainScan(*out->scan)) return false;
  out->scan_slot = slot;
  return true;
}

// The scan output position a join key (over the peeled input's output) reads, or -1 when the
// key is not a plain column.
int KeyScanPosition(const Peeled& peeled, const Expr& join_key) {
  const Expr& key = WithoutIntegerWidening(join_key);
  if (key.kind != ExprKind::kColumnRef) return -1;
  int pos = key.column_index;
  if (!peeled.projection.empty()) {
    if (pos < 0 || static_cast<size_t>(pos) >= peeled.projection.size()) return -1;
    const Expr& e = WithoutIntegerWidening(*peeled.projection[pos]);
    if (e.kind != ExprKind::kColumnRef) return -1;
    pos = e.column_index;
  }
  if (pos < 0 || static_cast<size_t>(pos) >= peeled.scan->column_ids.size()) return -1;
  return pos;
}

bool LookupSideAllowed(JoinType type, bool null_aware, int side) {
  switch (type) {
    case JoinType::kInner:
      return true;
    case JoinType::kLeft:
    case JoinType::kSemi:
      return side == 1;
    case JoinType::kAnti:
      return side == 1 && !null_aware;
    case JoinType::kRight:
      return side == 0;
    default:
      return false;
  }
}

// Counts how many scan nodes share each TableScan (a shared one is never given a dynamic filter).
void CountScans(const LogicalOperator& op, std::map<const TableScan*, int>* counts) {
  if (op.kind == LogicalOpKind::kScan) {
    const auto& s = static_cast<const LogicalScan&>(op);
    if (s.scan) (*counts)[s.scan.get()]++;
  }
  for (const auto& c : op.children) {
    if (c) CountScans(*c, counts);
  }
}

void CopyJoin(const LogicalJoin& from, LogicalJoin* to) {
  to->children = from.children;
  to->output = from.output;
  to->estimated_rows = from.estimated_rows;
  to->join_type = from.join_type;
  to->left_keys = from.left_keys;
  to->right_keys = from.right_keys;
  to->condition = from.condition;
  to->null_aware = from.null_aware;
}

LogicalPtr TryLookupJoin(const std::shared_ptr<LogicalJoin>& join, const PlannerOptions& options) {
  int best_side = -1;
  double best_rows = -1;
  Peeled best;
  std::vector<int> best_columns;
  for (int side : {1, 0}) {
    if (!LookupSideAllowed(join->join_type, join->null_aware, side)) continue;
    LogicalPtr& input = join->children[side];
    const LogicalPtr& other = join->children[1 - side];
    double driving_rows = other->estimated_rows;
    if (driving_rows < 0 || driving_rows > options.lookup_join_max_rows) continue;
    double lookup_rows = input->estimated_rows;
    if (lookup_rows >= 0 && lookup_rows < driving_rows) continue;  // scanning is cheaper
    Peeled peeled;
    if (!Peel(input, &peeled)) continue;
    const auto& keys = side == 1 ? join->right_keys : join->left_keys;
    const auto& driving_keys = side == 1 ? join->left_keys : join->right_keys;
    std::vector<int> columns;
    bool ok = true;
    for (size_t k = 0; k < keys.size() && ok; k++) {
      int pos = KeyScanPosition(peeled, *keys[k]);
      ok = pos >= 0;
      if (!ok) break;
      int column = peeled.scan->column_ids[pos];
      const LogicalType& column_type = peeled.scan->table->columns[column].type;
      // The key must be the column itself (or its integer widening), and the driving keys must
      // convert to it.
      bool widened = keys[k]->type != column_type;
      ok = (!widened || (IntegerType(keys[k]->type.id) && IntegerType(column_type.id))) &&
           CanCast(driving_keys[k]->type, column_type) &&
           (driving_keys[k]->type == column_type ||
            (IntegerType(driving_keys[k]->type.id) && IntegerType(column_type.id)));
      columns.push_back(column);
    }
    if (!ok || columns.empty()) continue;
    if (!peeled.scan->scan->SupportsKeyLookup(columns)) continue;
    double max_keys = peeled.scan->scan->MaxLookupKeys(columns);
    if (max_keys >= 0 && driving_rows > max_keys) continue;
    if (best_side < 0 || driving_rows < best_rows) {
      best_side = side;
      best_rows = driving_rows;
      best = peeled;
      best_columns = columns;
    }
  }
  if (best_side < 0) return nullptr;

  auto lookup_scan = std::make_shared<LogicalLookupScan>();
  static_cast<LogicalScan&>(*lookup_scan) = *best.scan;
  lookup_scan->key_columns = best_columns;
  lookup_scan->batch_size = options.lookup_batch_size;
  *best.scan_slot = lookup_scan;

  auto lookup = std::make_shared<LogicalLookupJoin>();
  CopyJoin(*join, lookup.get());
  lookup->lookup_side = best_side;
  lookup->scan = lookup_scan;
  lookup->scan_filter = best.filter;
  lookup->projection = best.projection;
  lookup->key_columns = best_columns;
  lookup->batch_size = options.lookup_batch_size;
  return lookup;
}

LogicalPtr TryDynamicFilter(const std::shared_ptr<LogicalJoin>& join,
                            const std::map<const TableScan*, int>& scan_counts,
                            const PlannerOptions& options) {
  if (join->join_type != JoinType::kInner && join->join_type != JoinType::kSemi &&
      join->join_type != JoinType::kRight)
    return nullptr;
  if (join->left_keys.empty()) return nullptr;
  Peeled probe;
  if (!Peel(join->children[0], &probe)) return nullptr;
  auto count = scan_counts.find(probe.scan->scan.get());
  if (count == scan_counts.end() || count->second != 1) return nullptr;
  std::vector<DynamicFilterTarget> targets;
  for (size_t k = 0; k < join->left_keys.size(); k++) {
    int pos = KeyScanPosition(probe, *join->left_keys[k]);
    if (pos < 0) continue;
    const Expr& build_key = *join->right_keys[k];
    if (!IsDeterministic(build_key)) continue;
    int column = probe.scan->column_ids[pos];
    const LogicalType& column_type = probe.scan->table->columns[column].type;
    const LogicalType& key_type = join->left_keys[k]->type;  // the column or its widening
    if (!(key_type == column_type) && !(IntegerType(key_type.id) && IntegerType(column_type.id)))
      continue;
    TypeId b = build_key.type.id;
    if (!(build_key.type == column_type) && !(IntegerType(b) && IntegerType(column_type.id)))
      continue;
    if (b == TypeId::kDouble) continue;  // -0.0 / NaN: equality is subtle
    DynamicFilterTarget target;
    target.scan = probe.scan->scan;
    target.table_column = column;
    target.key_index = k;
    target.column_type = column_type;
    target.name = (probe.scan->catalog_name.empty() ? "" : probe.scan->catalog_name + ".") +
                  probe.scan->table->name + "." + probe.scan->table->columns[column].name;
    targets.push_back(std::move(target));
  }
  if (targets.empty()) return nullptr;
  auto filtered = std::make_shared<LogicalDynamicFilterJoin>();
  CopyJoin(*join, filtered.get());
  filtered->dynamic_filters = std::move(targets);
  filtered->max_keys = options.dynamic_filter_max_keys;
  return filtered;
}

LogicalPtr Visit(LogicalPtr op, const std::map<const TableScan*, int>& scan_counts,
                 const PlannerOptions& options) {
  for (auto& c : op->children) {
    if (c) c = Visit(c, scan_counts, options);
  }
  if (op->kind != LogicalOpKind::kJoin || op->children.size() != 2) return op;
  auto join = std::static_pointer_cast<LogicalJoin>(op);
  if (join->left_keys.empty() || join->left_keys.size() != join->right_keys.size()) return op;
  if (options.lookup_join && options.lookup_batch_size > 0) {
    if (LogicalPtr lookup = TryLookupJoin(join, options)) return lookup;
  }
  if (options.dynamic_filtering && options.dynamic_filter_max_keys > 0) {
    if (LogicalPtr filtered = TryDynamicFilter(join, scan_counts, options)) return filtered;
  }
  return op;
}

std::string ColumnList(const TableInfo& table, const std::vector<int>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); i++) {
    if (i) out += ", ";
    if (ids[i] >= 0 && static_cast<size_t>(ids[i]) < table.columns.size())
      out += table.columns[ids[i]].name;
  }
  return out;
}

}  // namespace

std::string LogicalLookupJoin::Describe() const {
  std::string d = LogicalJoin::Describe();
  if (d.rfind("Join ", 0) == 0) d = "Lookup" + d;
  d += "  (" + std::string(lookup_side == 1 ? "right" : "left") + " side fetched by key, " +
       std::to_string(batch_size) + " keys per batch)";
  return d;
}

std::string LogicalLookupScan::Describe() const {
  std::string d = "KeyLookup ";
  if (table) {
    d += catalog_name.empty() ? "" : catalog_name + ".";
    if (!table->schema.empty()) d += table->schema + ".";
    d += table->name;
    if (!alias.empty() && alias != table->name) d += " " + alias;
    d += "  columns=[" + ColumnList(*table, column_ids) + "]";
    d += "  by (" + ColumnList(*table, key_columns) + ")";
    if (!pushed_filters.empty()) {
      std::vector<std::string> names;
      for (const auto& c : table->columns) names.push_back(c.name);
      d += "  filters=[";
      for (size_t i = 0; i < pushed_filters.size(); i++)
        d += (i ? ", " : "") + pushed_filters[i]->ToString(&names);
      d += "]";
    }
  }
  if (scan) {
    std::string per_batch = scan->DescribeLookup(key_columns, static_cast<size_t>(batch_size));
    d += "  per batch: " + (per_batch.empty() ? std::string("LookupKeys") : per_batch);
  }
  return d;
}

std::string LogicalDynamicFilterJoin::Describe() const {
  std::string d = LogicalJoin::Describe();
  d += "  dynamic filter: build keys -> ";
  for (size_t i = 0; i < dynamic_filters.size(); i++)
    d += (i ? ", " : "") + dynamic_filters[i].name;
  d += " (up to " + std::to_string(max_keys) + " keys)";
  return d;
}

LogicalPtr PlanJoinStrategies(LogicalPtr plan, const PlannerOptions& options) {
  if (!options.lookup_join && !options.dynamic_filtering) return plan;
  std::map<const TableScan*, int> scan_counts;
  CountScans(*plan, &scan_counts);
  return Visit(std::move(plan), scan_counts, options);
}

}  // namespace aishell
