// Rule: remote join pushdown, run right after scan negotiation (each scan holds its accepted
// filters and final projection). A Join (inner, left or right) whose two inputs are scans of the
// SAME catalog is offered to the left scan's TableScan::PushJoin with the right scan and the join
// conditions (equi keys and residual condition) over the combined table columns (left table's,
// then right table's). If the source accepts, the Join becomes one Scan of the joined relation:
//
//   Join(Project?(Filter?(Scan a)), Project?(Filter?(Scan b)))
//     -> Project?(Filter?(Scan a JOIN b))
//
// An input may sit under projections of plain column refs (join side selection adds those) and
// under a Filter of conjuncts the source refused; such a Filter moves above the joined scan, which
// is only correct on the side a join does not pad with NULLs (both sides of an inner join, the left
// of a LEFT join, the right of a RIGHT join); otherwise the join stays in the engine. A Filter
// directly above a pushed join moves below the Project so that it can be offered to the new scan.
// Joins nest: a joined scan may be offered again. Scans of different catalogs are never offered.
// When something was pushed the scans are negotiated again (filters, projection, limits). With
// PlannerOptions::pushdown=false nothing is offered.
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// A join input: a scan, the scan output position of each input column, and refused conjuncts.
struct Side {
  LogicalScan* scan = nullptr;
  LogicalPtr scan_node;
  std::vector<int> to_scan;  // input column -> scan output position
  ExprPtr refused;           // over the scan's output; may be null
};

bool ReadSide(const LogicalPtr& op, Side* side) {
  LogicalPtr cur = op;
  std::vector<int> map(op->output.size());
  for (size_t i = 0; i < map.size(); i++) map[i] = static_cast<int>(i);
  while (cur->kind == LogicalOpKind::kProject) {
    const auto& exprs = static_cast<LogicalProject&>(*cur).exprs;
    for (int& m : map) {
      const Expr& e = *exprs[m];
      if (e.kind != ExprKind::kColumnRef) return false;
      m = e.column_index;
    }
    cur = cur->children[0];
  }
  if (cur->kind == LogicalOpKind::kFilter) {
    side->refused = static_cast<LogicalFilter&>(*cur).predicate;
    cur = cur->children[0];
  }
  if (cur->kind != LogicalOpKind::kScan) return false;
  auto* scan = static_cast<LogicalScan*>(cur.get());
  if (!scan->scan || !scan->table || scan->pushed_limit >= 0 || scan->catalog_name.empty())
    return false;
  for (int m : map) {
    if (m < 0 || m >= static_cast<int>(scan->column_ids.size())) return false;
  }
  side->scan = scan;
  side->scan_node = cur;
  side->to_scan = std::move(map);
  return true;
}

std::string ColumnPrefix(const LogicalScan& scan) {
  if (!scan.alias.empty()) return scan.alias + ".";
  if (scan.table && scan.table->name.find(" JOIN ") == std::string::npos)
    return scan.table->name + ".";
  return {};
}

struct Rewriter {
  bool changed = false;
  std::vector<const LogicalOperator*> created_projects;

  bool IsCreated(const LogicalOperator* op) const {
    for (const auto* p : created_projects) {
      if (p == op) return true;
    }
    return false;
  }

  LogicalPtr Visit(LogicalPtr op) {
    for (auto& c : op->children) c = Visit(c);
    if (op->kind == LogicalOpKind::kJoin) return TryJoin(op);
    // Filter over a pushed join's Project: move it below the Project, next to the scan.
    if (op->kind == LogicalOpKind::kFilter && IsCreated(op->children[0].get())) {
      auto& filter = static_cast<LogicalFilter&>(*op);
      LogicalPtr project = op->children[0];
      const auto& exprs = static_cast<LogicalProject&>(*project).exprs;
      ExprPtr predicate = SubstituteColumns(filter.predicate, exprs);
      LogicalPtr below = project->children[0];
      std::vector<ExprPtr> conjuncts = SplitConjunction(predicate);
      if (below->kind == LogicalOpKind::kFilter) {
        for (auto& c : SplitConjunction(static_cast<LogicalFilter&>(*below).predicate))
          conjuncts.push_back(c);
        below = below->children[0];
      }
      LogicalPtr new_filter = MakeFilterNode(below, std::move(conjuncts));
      new_filter->estimated_rows = op->estimated_rows;
      project->children[0] = new_filter;
      project->estimated_rows = op->estimated_rows;
      return project;
    }
    return op;
  }

  LogicalPtr TryJoin(const LogicalPtr& op) {
    auto& join = static_cast<LogicalJoin&>(*op);
    PushedJoinType type;
    switch (join.join_type) {
      case JoinType::kInner:
        type = PushedJoinType::kInner;
        break;
      case JoinType::kLeft:
        type = PushedJoinType::kLeft;
        break;
      case JoinType::kRight:
        type = PushedJoinType::kRight;
        break;
      default:
        return op;
    }
    if (join.null_aware || join.left_keys.size() != join.right_keys.size()) return op;
    Side l, r;
    if (!ReadSide(op->children[0], &l) || !ReadSide(op->children[1], &r)) return op;
    if (l.scan == r.scan || l.scan->catalog_name != r.scan->catalog_name) return op;
    // Refused filters may only move above the join on a side whose rows it never pads.
    if (l.refused && type == PushedJoinType::kRight) return op;
    if (r.refused && type == PushedJoinType::kLeft) return op;

    const int left_table_cols = static_cast<int>(l.scan->table->columns.size());
    std::vector<int> to_table;  // join input column -> combined table column
    for (int m : l.to_scan) to_table.push_back(l.scan->column_ids[m]);
    for (int m : r.to_scan) to_table.push_back(left_table_cols + r.scan->column_ids[m]);
    const int left_inputs = static_cast<int>(l.to_scan.size());
    std::vector<int> left_map(to_table.begin(), to_table.begin() + left_inputs);
    std::vector<int> right_map(to_table.begin() + left_inputs, to_table.end());

    std::vector<ExprPtr> conditions;
    for (size_t i = 0; i < join.left_keys.size(); i++) {
      if (!IsDeterministic(*join.left_keys[i]) || !IsDeterministic(*join.right_keys[i])) return op;
      conditions.push_back(MakeComparison(CompareOp::kEq, RemapColumns(join.left_keys[i], left_map),
                                          RemapColumns(join.right_keys[i], right_map)));
    }
    if (join.condition) {
      for (const auto& c : SplitConjunction(join.condition)) {
        if (!IsDeterministic(*c)) return op;
        conditions.push_back(RemapColumns(c, to_table));
      }
    }
    if (conditions.empty()) return op;

    std::unique_ptr<TableScan> pushed = l.scan->scan->PushJoin(*r.scan->scan, type, conditions);
    if (!pushed) return op;
    changed = true;

    auto table = std::make_shared<TableInfo>();
    table->schema = l.scan->table->schema;
    table->name = l.scan->table->name + " JOIN " + r.scan->table->name;
    table->location = table->name;
    std::string lp = ColumnPrefix(*l.scan), rp = ColumnPrefix(*r.scan);
    for (const auto& c : l.scan->table->columns) {
      table->columns.push_back(c);
      table->columns.back().name = lp + c.name;
    }
    for (const auto& c : r.scan->table->columns) {
      table->columns.push_back(c);
      table->columns.back().name = rp + c.name;
    }
    if (op->estimated_rows >= 0) table->stats.row_count = op->estimated_rows;

    auto scan = std::make_shared<LogicalScan>();
    scan->catalog_name = l.scan->catalog_name;
    scan->table = table;
    scan->column_ids = l.scan->column_ids;
    for (int c : r.scan->column_ids) scan->column_ids.push_back(left_table_cols + c);
    scan->output = l.scan->output;
    scan->output.insert(scan->output.end(), r.scan->output.begin(), r.scan->output.end());
    scan->estimated_rows = op->estimated_rows;
    scan->scan = std::shared_ptr<TableScan>(std::move(pushed));
    scan->scan->SetProjection(scan->column_ids);

    const int left_scan_outputs = static_cast<int>(l.scan->column_ids.size());
    std::vector<ExprPtr> refused;
    if (l.refused) {
      for (auto& c : SplitConjunction(l.refused)) refused.push_back(c);
    }
    if (r.refused) {
      for (auto& c : SplitConjunction(r.refused))
        refused.push_back(ShiftColumns(c, left_scan_outputs));
    }
    LogicalPtr result = MakeFilterNode(scan, std::move(refused));
    result->estimated_rows = op->estimated_rows;

    // The join's output order over the scan's output.
    std::vector<int> out;
    for (int m : l.to_scan) out.push_back(m);
    for (int m : r.to_scan) out.push_back(left_scan_outputs + m);
    bool identity = out.size() == scan->output.size();
    for (size_t i = 0; i < out.size() && identity; i++) identity = out[i] == static_cast<int>(i);
    if (identity && op->output.size() == out.size()) return result;
    auto project = std::make_shared<LogicalProject>();
    for (size_t i = 0; i < op->output.size(); i++)
      project->exprs.push_back(MakeColumnRef(out[i], op->output[i].type, op->output[i].name));
    project->output = op->output;
    project->estimated_rows = op->estimated_rows;
    project->children.push_back(result);
    created_projects.push_back(project.get());
    return project;
  }
};

}  // namespace

LogicalPtr PushDownRemoteJoins(LogicalPtr plan, const PlannerOptions& options) {
  if (!options.pushdown) return plan;
  Rewriter rewriter;
  plan = rewriter.Visit(std::move(plan));
  if (!rewriter.changed) return plan;
  return NegotiateScans(std::move(plan), options);
}

}  // namespace aishell
