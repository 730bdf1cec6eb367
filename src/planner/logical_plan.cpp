#include "planner/logical_plan.h"

#include <cmath>
#include <cstdio>

namespace aishell {

std::vector<LogicalType> LogicalOperator::OutputTypes() const {
  std::vector<LogicalType> out;
  out.reserve(output.size());
  for (const auto& c : output) out.push_back(c.type);
  return out;
}

std::vector<std::string> LogicalOperator::OutputNames() const {
  std::vector<std::string> out;
  out.reserve(output.size());
  for (const auto& c : output) out.push_back(c.name);
  return out;
}

const char* JoinTypeName(JoinType type) {
  switch (type) {
    case JoinType::kInner:
      return "INNER";
    case JoinType::kLeft:
      return "LEFT";
    case JoinType::kRight:
      return "RIGHT";
    case JoinType::kFull:
      return "FULL";
    case JoinType::kCross:
      return "CROSS";
    case JoinType::kSemi:
      return "SEMI";
    case JoinType::kAnti:
      return "ANTI";
  }
  return "?";
}

namespace {

// Names of the columns a node's expressions refer to: its input (left + right for joins).
std::vector<std::string> InputNames(const LogicalOperator& op) {
  std::vector<std::string> names;
  for (const auto& c : op.children) {
    if (!c) continue;
    auto n = c->OutputNames();
    names.insert(names.end(), n.begin(), n.end());
  }
  return names;
}

std::string ExprList(const std::vector<ExprPtr>& exprs, const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < exprs.size(); i++) {
    if (i) out += ", ";
    out += exprs[i] ? exprs[i]->ToString(&names) : "NULL";
  }
  return out;
}

std::string SortKeyList(const std::vector<SortKey>& keys, const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < keys.size(); i++) {
    if (i) out += ", ";
    out += keys[i].expr->ToString(&names);
    if (!keys[i].ascending) out += " DESC";
    // Trino's default is NULLS LAST for both directions: only show the exception.
    if (keys[i].nulls_first) out += " NULLS FIRST";
  }
  return out;
}

std::string TableColumnNames(const TableInfo& table, const std::vector<int>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); i++) {
    if (i) out += ", ";
    if (ids[i] >= 0 && static_cast<size_t>(ids[i]) < table.columns.size()) {
      out += table.columns[ids[i]].name;
    } else {
      out += "#" + std::to_string(ids[i]);
    }
  }
  return out;
}

// Whether every column ref of `e` carries a qualified display name ("t.col").
bool HasQualifiedNames(const Expr& e) {
  if (e.kind == ExprKind::kColumnRef) return e.name.find('.') != std::string::npos;
  for (const auto& c : e.children) {
    if (c && !HasQualifiedNames(*c)) return false;
  }
  return true;
}

std::string FormatRows(double rows) {
  if (rows < 0) return "?";
  char buf[64];
  if (rows >= 1e15) {
    std::snprintf(buf, sizeof(buf), "%.3g", rows);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f", std::round(rows));
  }
  return buf;
}

void Render(const LogicalOperator& op, int depth, std::string* out) {
  out->append(static_cast<size_t>(depth) * 2, ' ');
  // Limit over Sort runs as one top-N operator: show it as one line.
  if (op.kind == LogicalOpKind::kLimit && static_cast<const LogicalLimit&>(op).limit >= 0 &&
      op.children.size() == 1 && op.children[0]->kind == LogicalOpKind::kSort) {
    const auto& limit = static_cast<const LogicalLimit&>(op);
    const auto& sort = static_cast<const LogicalSort&>(*op.children[0]);
    auto names = InputNames(sort);
    out->append("TopN " + std::to_string(limit.limit) + " [" + SortKeyList(sort.keys, names) + "]");
    if (limit.offset > 0) out->append(" OFFSET " + std::to_string(limit.offset));
    if (op.estimated_rows >= 0) out->append("  (est. " + FormatRows(op.estimated_rows) + " rows)");
    out->push_back('\n');
    for (const auto& c : sort.children) {
      if (c) Render(*c, depth + 1, out);
    }
    return;
  }
  out->append(op.Describe());
  if (op.estimated_rows >= 0) {
    out->append("  (est. " + FormatRows(op.estimated_rows) + " rows)");
  }
  out->push_back('\n');
  for (const auto& c : op.children) {
    if (c) Render(*c, depth + 1, out);
  }
}

}  // namespace

std::string LogicalScan::Describe() const {
  std::string out = "Scan ";
  if (table) {
    out += catalog_name.empty() ? "" : catalog_name + ".";
    if (!table->schema.empty()) out += table->schema + ".";
    out += table->name;
    if (!alias.empty() && alias != table->name) out += " " + alias;
    out += "  columns=[" + TableColumnNames(*table, column_ids) + "]";
  } else {
    out += catalog_name;
  }
  if (!pushed_filters.empty() && table) {
    std::vector<std::string> names;
    for (const auto& c : table->columns) names.push_back(c.name);
    out += "  filters=[" + ExprList(pushed_filters, names) + "]";
  }
  if (pushed_limit >= 0) out += "  limit=" + std::to_string(pushed_limit);
  if (!note.empty()) out += "  " + note;
  if (scan) {
    std::string pushed = scan->Describe();
    if (!pushed.empty()) out += "  pushed: " + pushed;
  }
  return out;
}

std::string LogicalFilter::Describe() const {
  auto names = InputNames(*this);
  return "Filter " + (predicate ? predicate->ToString(&names) : std::string("TRUE"));
}

std::string LogicalProject::Describe() const {
  auto names = InputNames(*this);
  std::string out = "Project [";
  for (size_t i = 0; i < exprs.size(); i++) {
    if (i) out += ", ";
    std::string e = exprs[i]->ToString(&names);
    out += e;
    if (i < output.size() && !output[i].name.empty() && output[i].name != e)
      out += " AS " + output[i].name;
  }
  return out + "]";
}

std::string LogicalAggregate::Describe() const {
  auto names = InputNames(*this);
  std::string out = "Aggregate";
  if (!groups.empty()) out += " GROUP BY [" + ExprList(groups, names) + "]";
  out += " [" + ExprList(aggregates, names) + "]";
  return out;
}

std::string LogicalJoin::Describe() const {
  auto names = InputNames(*this);
  std::string out = std::string("Join ") + JoinTypeName(join_type);
  if (null_aware) out += " (null-aware)";
  std::vector<std::string> left_names =
      children.empty() ? std::vector<std::string>{} : children[0]->OutputNames();
  std::vector<std::string> right_names =
      children.size() < 2 ? std::vector<std::string>{} : children[1]->OutputNames();
  // Keys read best with the binder's qualified names (t.customer_id = c.customer_id).
  auto render = [](const ExprPtr& e, const std::vector<std::string>& input) {
    std::vector<int> refs;
    CollectColumnRefs(*e, &refs);
    return e->ToString(HasQualifiedNames(*e) ? nullptr : &input);
  };
  std::string cond;
  for (size_t i = 0; i < left_keys.size() && i < right_keys.size(); i++) {
    if (i) cond += " AND ";
    cond += render(left_keys[i], left_names) + " = " + render(right_keys[i], right_names);
  }
  if (condition) {
    if (!cond.empty()) cond += " AND ";
    cond += render(condition, names);
  }
  if (!cond.empty()) out += " ON " + cond;
  return out;
}

std::string LogicalSort::Describe() const {
  auto names = InputNames(*this);
  return "Sort [" + SortKeyList(keys, names) + "]";
}

std::string LogicalLimit::Describe() const {
  std::string out = "Limit";
  if (limit >= 0) out += " " + std::to_string(limit);
  if (offset > 0) out += " OFFSET " + std::to_string(offset);
  return out;
}

std::string LogicalWindow::Describe() const {
  auto names = InputNames(*this);
  return "Window [" + ExprList(window_exprs, names) + "]";
}

std::string LogicalUnnest::Describe() const {
  auto names = InputNames(*this);
  std::string d =
      std::string(outer ? "Unnest (outer)" : "Unnest") + " [" + ExprList(arrays, names) + "]";
  if (ordinality) d += " with ordinality";
  return d;
}

std::string LogicalSetOperation::Describe() const {
  const char* name = set_op == SetOpKind::kUnion       ? "Union"
                     : set_op == SetOpKind::kIntersect ? "Intersect"
                                                       : "Except";
  return std::string(name) + (all ? " ALL" : "");
}

std::string LogicalValues::Describe() const {
  std::string out = "Values " + std::to_string(rows.size()) + (rows.size() == 1 ? " row" : " rows");
  if (!output.empty()) {
    out += " [";
    for (size_t i = 0; i < output.size(); i++) {
      if (i) out += ", ";
      out += output[i].name;
    }
    out += "]";
  }
  return out;
}

std::string LogicalInsert::Describe() const {
  std::string out = create_table ? "CreateTableAs " : "Insert ";
  out += catalog_name.empty() ? "" : catalog_name + ".";
  if (!schema.empty()) out += schema + ".";
  out += table + " [";
  for (size_t i = 0; i < columns.size(); i++) {
    if (i) out += ", ";
    out += columns[i].name + " " + columns[i].type.ToString();
  }
  return out + "]";
}

std::string PlanToString(const LogicalOperator& root) {
  std::string out;
  Render(root, 0, &out);
  return out;
}

}  // namespace aishell
