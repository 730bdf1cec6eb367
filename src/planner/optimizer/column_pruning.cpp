// Rule: projection pushdown (column pruning). Walking down from the root with the set of
// columns each parent uses, every node drops the outputs nobody reads and every scan reads only
// the table columns used above it (LogicalScan::column_ids; NegotiateScans hands them to the
// source via TableScan::SetProjection). Expressions are renumbered accordingly.
//
// PushFieldProjections (run by NegotiateScans after the projections are set) walks the plan
// again, tracking for each column whether it is used whole or only through ROW field accesses
// (r.city, r.addr.zip, also through projections that rename or take a field first); a scanned
// ROW column used only through fields is offered to TableScan::PushFieldProjection.
#include "common/exception.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

void MarkRefs(const Expr& e, std::vector<bool>& used, int offset = 0) {
  std::vector<int> refs;
  CollectColumnRefs(e, &refs);
  for (int r : refs) {
    int i = r - offset;
    if (i >= 0 && static_cast<size_t>(i) < used.size()) used[i] = true;
  }
}

std::vector<ExprPtr> RemapAll(const std::vector<ExprPtr>& exprs, const std::vector<int>& mapping) {
  std::vector<ExprPtr> out;
  out.reserve(exprs.size());
  for (const auto& e : exprs) out.push_back(RemapColumns(e, mapping));
  return out;
}

// Prunes `op` so it outputs (at least) the columns marked in `required`, in their original
// relative order. Returns the mapping old output index -> new output index (-1 = dropped).
std::vector<int> Prune(LogicalOperator& op, const std::vector<bool>& required);

std::vector<int> Identity(size_t n) {
  std::vector<int> m(n);
  for (size_t i = 0; i < n; i++) m[i] = static_cast<int>(i);
  return m;
}

std::vector<int> PruneAll(LogicalOperator& op) {
  Prune(op, std::vector<bool>(op.output.size(), true));
  return Identity(op.output.size());
}

std::vector<int> Prune(LogicalOperator& op, const std::vector<bool>& required) {
  size_t n = op.output.size();
  switch (op.kind) {
    case LogicalOpKind::kScan: {
      auto& scan = static_cast<LogicalScan&>(op);
      std::vector<int> mapping(n, -1);
      std::vector<int> ids;
      std::vector<OutputColumn> output;
      for (size_t i = 0; i < n; i++) {
        if (required[i]) {
          mapping[i] = static_cast<int>(ids.size());
          ids.push_back(scan.column_ids[i]);
          output.push_back(scan.output[i]);
        }
      }
      if (ids.empty() && n > 0) {
        // Nothing is read (count(*)): keep one column so every source yields row counts.
        mapping[0] = 0;
        ids.push_back(scan.column_ids[0]);
        output.push_back(scan.output[0]);
      }
      scan.column_ids = std::move(ids);
      scan.output = std::move(output);
      return mapping;
    }
    case LogicalOpKind::kFilter: {
      auto& f = static_cast<LogicalFilter&>(op);
      std::vector<bool> child_req = required;
      MarkRefs(*f.predicate, child_req);
      auto m = Prune(*op.children[0], child_req);
      f.predicate = RemapColumns(f.predicate, m);
      op.output = op.children[0]->output;
      return m;
    }
    case LogicalOpKind::kProject: {
      auto& p = static_cast<LogicalProject&>(op);
      std::vector<int> mapping(n, -1);
      std::vector<ExprPtr> exprs;
      std::vector<OutputColumn> output;
      for (size_t i = 0; i < n; i++) {
        if (required[i]) {
          mapping[i] = static_cast<int>(exprs.size());
          exprs.push_back(p.exprs[i]);
          output.push_back(p.output[i]);
        }
      }
      std::vector<bool> child_req(op.children[0]->output.size(), false);
      for (const auto& e : exprs) MarkRefs(*e, child_req);
      auto m = Prune(*op.children[0], child_req);
      p.exprs = RemapAll(exprs, m);
      p.output = std::move(output);
      return mapping;
    }
    case LogicalOpKind::kAggregate: {
      auto& a = static_cast<LogicalAggregate&>(op);
      size_t groups = a.groups.size();
      std::vector<int> mapping(n, -1);
      std::vector<ExprPtr> aggs;
      std::vector<OutputColumn> output(a.output.begin(), a.output.begin() + groups);
      for (size_t i = 0; i < groups; i++) mapping[i] = static_cast<int>(i);
      for (size_t i = 0; i < a.aggregates.size(); i++) {
        if (required[groups + i]) {
          mapping[groups + i] = static_cast<int>(groups + aggs.size());
          aggs.push_back(a.aggregates[i]);
          output.push_back(a.output[groups + i]);
        }
      }
      std::vector<bool> child_req(op.children[0]->output.size(), false);
      for (const auto& g : a.groups) MarkRefs(*g, child_req);
      for (const auto& g : aggs) MarkRefs(*g, child_req);
      auto m = Prune(*op.children[0], child_req);
      a.groups = RemapAll(a.groups, m);
      a.aggregates = RemapAll(aggs, m);
      a.output = std::move(output);
      return mapping;
    }
    case LogicalOpKind::kJoin: {
      auto& j = static_cast<LogicalJoin&>(op);
      size_t left_size = op.children[0]->output.size();
      size_t right_size = op.children[1]->output.size();
      bool left_only = j.join_type == JoinType::kSemi || j.join_type == JoinType::kAnti;
      std::vector<bool> left_req(left_size, false), right_req(right_size, false);
      for (size_t i = 0; i < n; i++) {
        if (!required[i]) continue;
        if (i < left_size)
          left_req[i] = true;
        else
          right_req[i - left_size] = true;
      }
      for (const auto& k : j.left_keys) MarkRefs(*k, left_req);
      for (const auto& k : j.right_keys) MarkRefs(*k, right_req);
      if (j.condition) {
        MarkRefs(*j.condition, left_req);
        MarkRefs(*j.condition, right_req, static_cast<int>(left_size));
      }
      auto lm = Prune(*op.children[0], left_req);
      auto rm = Prune(*op.children[1], right_req);
      int new_left = static_cast<int>(op.children[0]->output.size());
      std::vector<int> combined(left_size + right_size, -1);
      for (size_t i = 0; i < left_size; i++) combined[i] = lm[i];
      for (size_t i = 0; i < right_size; i++)
        combined[left_size + i] = rm[i] < 0 ? -1 : rm[i] + new_left;
      j.left_keys = RemapAll(j.left_keys, lm);
      j.right_keys = RemapAll(j.right_keys, rm);
      if (j.condition) j.condition = RemapColumns(j.condition, combined);
      j.output = op.children[0]->output;
      if (!left_only) {
        j.output.insert(j.output.end(), op.children[1]->output.begin(),
                        op.children[1]->output.end());
      }
      std::vector<int> mapping(n, -1);
      for (size_t i = 0; i < n; i++) mapping[i] = combined[i];
      return mapping;
    }
    case LogicalOpKind::kUnnest: {
      // The input's columns, then the elements (and ordinality): the input keeps what is used
      // above and what the arrays read; the element columns all stay.
      auto& u = static_cast<LogicalUnnest&>(op);
      size_t child_n = op.children[0]->output.size();
      std::vector<bool> child_req(required.begin(), required.begin() + child_n);
      for (const auto& a : u.arrays) MarkRefs(*a, child_req);
      auto m = Prune(*op.children[0], child_req);
      u.arrays = RemapAll(u.arrays, m);
      int new_child_n = static_cast<int>(op.children[0]->output.size());
      std::vector<int> mapping(n, -1);
      std::vector<OutputColumn> output = op.children[0]->output;
      for (size_t i = 0; i < child_n; i++) mapping[i] = m[i];
      for (size_t i = child_n; i < n; i++) {
        mapping[i] = new_child_n + static_cast<int>(i - child_n);
        output.push_back(u.output[i]);
      }
      u.output = std::move(output);
      return mapping;
    }
    case LogicalOpKind::kSort: {
      auto& s = static_cast<LogicalSort&>(op);
      std::vector<bool> child_req = required;
      for (const auto& k : s.keys) MarkRefs(*k.expr, child_req);
      auto m = Prune(*op.children[0], child_req);
      for (auto& k : s.keys) k.expr = RemapColumns(k.expr, m);
      op.output = op.children[0]->output;
      return m;
    }
    case LogicalOpKind::kLimit: {
      auto m = Prune(*op.children[0], required);
      op.output = op.children[0]->output;
      return m;
    }
    case LogicalOpKind::kWindow: {
      auto& w = static_cast<LogicalWindow&>(op);
      size_t input_size = op.children[0]->output.size();
      std::vector<bool> child_req(required.begin(), required.begin() + input_size);
      std::vector<ExprPtr> kept;
      std::vector<int> window_mapping;
      for (size_t i = 0; i < w.window_exprs.size(); i++) {
        if (required[input_size + i]) {
          window_mapping.push_back(static_cast<int>(i));
          kept.push_back(w.window_exprs[i]);
          MarkRefs(*w.window_exprs[i], child_req);
        } else {
          window_mapping.push_back(-1);
        }
      }
      if (kept.empty()) {
        // No window column is used: the node disappears... but keep the node shape simple by
        // keeping one (cheap compared to a wrong plan).
        kept.push_back(w.window_exprs[0]);
        window_mapping[0] = 0;
        MarkRefs(*w.window_exprs[0], child_req);
      }
      auto m = Prune(*op.children[0], child_req);
      size_t new_input = op.children[0]->output.size();
      std::vector<int> mapping(n, -1);
      for (size_t i = 0; i < input_size; i++) mapping[i] = m[i];
      std::vector<OutputColumn> output = op.children[0]->output;
      int k = 0;
      for (size_t i = 0; i < w.window_exprs.size(); i++) {
        if (window_mapping[i] < 0) continue;
        mapping[input_size + i] = static_cast<int>(new_input) + k++;
        output.push_back(w.output[input_size + i]);
      }
      w.window_exprs = RemapAll(kept, m);
      w.output = std::move(output);
      return mapping;
    }
    case LogicalOpKind::kSetOperation: {
      auto& set = static_cast<LogicalSetOperation&>(op);
      if (set.set_op == SetOpKind::kUnion && set.all) {
        // UNION ALL is column-wise: both inputs drop the same unused columns.
        std::vector<bool> req = required;
        bool any = false;
        for (bool r : req) any = any || r;
        if (!any && !req.empty()) req[0] = true;
        std::vector<int> mapping(n, -1);
        std::vector<OutputColumn> output;
        for (size_t i = 0; i < n; i++) {
          if (!req[i]) continue;
          mapping[i] = static_cast<int>(output.size());
          output.push_back(op.output[i]);
        }
        for (auto& c : op.children) {
          auto m = Prune(*c, req);
          // Inputs may keep extra columns (e.g. scans keep one): project them to the new shape.
          if (c->output.size() != output.size()) {
            auto p = std::make_shared<LogicalProject>();
            for (size_t i = 0; i < n; i++) {
              if (!req[i]) continue;
              p->exprs.push_back(MakeColumnRef(m[i], c->output[m[i]].type, c->output[m[i]].name));
              p->output.push_back(c->output[m[i]]);
            }
            p->children = {c};
            p->estimated_rows = c->estimated_rows;
            c = p;
          } else {
            bool in_order = true;
            for (size_t i = 0; i < n; i++) in_order = in_order && (!req[i] || m[i] == mapping[i]);
            if (!in_order)
              throw Error(ErrorKind::kInternal,
                          "UNION ALL input columns out of order after pruning");
          }
        }
        op.output = std::move(output);
        return mapping;
      }
      for (auto& c : op.children) PruneAll(*c);
      return Identity(n);
    }
    default: {
      // Values, inserts: keep every column; prune below.
      for (auto& c : op.children) PruneAll(*c);
      return Identity(n);
    }
  }
}

}  // namespace

namespace {

// How a column is used above: whole, or only through the listed field paths (none: unused).
struct FieldUse {
  bool whole = false;
  std::vector<std::vector<int>> paths;

  void AddPath(const std::vector<int>& path) {
    if (whole) return;
    for (const auto& p : paths) {
      if (p == path) return;
    }
    paths.push_back(path);
  }
  void Merge(const FieldUse& o) {
    whole = whole || o.whole;
    if (whole) {
      paths.clear();
      return;
    }
    for (const auto& p : o.paths) AddPath(p);
  }
};

using FieldUses = std::vector<FieldUse>;

// If `e` is a chain of ROW field accesses ending in a column ref, that column and the path.
bool FieldChain(const Expr& e, int* column, std::vector<int>* path) {
  const Expr* cur = &e;
  std::vector<int> rev;
  while (cur->kind == ExprKind::kFunction && cur->function && cur->function->field_index >= 0 &&
         cur->children.size() == 1 && cur->children[0]) {
    rev.push_back(cur->function->field_index);
    cur = cur->children[0].get();
  }
  if (rev.empty() || cur->kind != ExprKind::kColumnRef) return false;
  *column = cur->column_index;
  path->assign(rev.rbegin(), rev.rend());
  return true;
}

FieldUse* UseOf(FieldUses& uses, int column, int offset) {
  int i = column - offset;
  if (i < 0 || static_cast<size_t>(i) >= uses.size()) return nullptr;
  return &uses[static_cast<size_t>(i)];
}

// Adds the uses of the columns `e` reads (columns offset by `offset`) to `uses`.
void CollectFieldUses(const Expr& e, FieldUses& uses, int offset = 0) {
  int column = -1;
  std::vector<int> path;
  if (FieldChain(e, &column, &path)) {
    if (auto* u = UseOf(uses, column, offset)) u->AddPath(path);
    return;
  }
  if (e.kind == ExprKind::kColumnRef) {
    if (auto* u = UseOf(uses, e.column_index, offset)) u->Merge(FieldUse{true, {}});
    return;
  }
  for (const auto& c : e.children) {
    if (c) CollectFieldUses(*c, uses, offset);
  }
  if (e.window) {
    for (const auto& p : e.window->partition_by) CollectFieldUses(*p, uses, offset);
    for (const auto& k : e.window->order_by) CollectFieldUses(*k.expr, uses, offset);
  }
}

FieldUses AllWhole(size_t n) { return FieldUses(n, FieldUse{true, {}}); }

void PushFieldUses(const LogicalPtr& op, const FieldUses& uses) {
  switch (op->kind) {
    case LogicalOpKind::kScan: {
      auto& scan = static_cast<LogicalScan&>(*op);
      if (!scan.scan || !scan.table) return;
      FieldUses table_uses(scan.table->columns.size());
      for (size_t i = 0; i < uses.size() && i < scan.column_ids.size(); i++)
        table_uses[static_cast<size_t>(scan.column_ids[i])].Merge(uses[i]);
      for (const auto& f : scan.pushed_filters) CollectFieldUses(*f, table_uses);
      for (size_t i = 0; i < scan.column_ids.size() && i < scan.output.size(); i++) {
        int c = scan.column_ids[i];
        const FieldUse& u = table_uses[static_cast<size_t>(c)];
        if (u.whole || u.paths.empty() || scan.output[i].type.id != TypeId::kRow ||
            !(scan.output[i].type == scan.table->columns[static_cast<size_t>(c)].type))
          continue;
        scan.scan->PushFieldProjection(c, u.paths);
      }
      return;
    }
    case LogicalOpKind::kFilter: {
      FieldUses child = uses;
      child.resize(op->children[0]->output.size());
      CollectFieldUses(*static_cast<LogicalFilter&>(*op).predicate, child);
      PushFieldUses(op->children[0], child);
      return;
    }
    case LogicalOpKind::kSort:
    case LogicalOpKind::kLimit: {
      FieldUses child = uses;
      child.resize(op->children[0]->output.size());
      if (op->kind == LogicalOpKind::kSort) {
        for (const auto& k : static_cast<LogicalSort&>(*op).keys) CollectFieldUses(*k.expr, child);
      }
      PushFieldUses(op->children[0], child);
      return;
    }
    case LogicalOpKind::kProject: {
      auto& p = static_cast<LogicalProject&>(*op);
      FieldUses child(op->children[0]->output.size());
      for (size_t i = 0; i < p.exprs.size(); i++) {
        const Expr& e = *p.exprs[i];
        FieldUse above = i < uses.size() ? uses[i] : FieldUse{true, {}};
        int column = -1;
        std::vector<int> path;
        if (e.kind == ExprKind::kColumnRef) {
          if (auto* u = UseOf(child, e.column_index, 0)) u->Merge(above);
        } else if (FieldChain(e, &column, &path)) {
          auto* u = UseOf(child, column, 0);
          if (!u) continue;
          if (above.whole || above.paths.empty()) {
            u->AddPath(path);
          } else {
            for (const auto& q : above.paths) {
              std::vector<int> full = path;
              full.insert(full.end(), q.begin(), q.end());
              u->AddPath(full);
            }
          }
        } else {
          CollectFieldUses(e, child);
        }
      }
      PushFieldUses(op->children[0], child);
      return;
    }
    case LogicalOpKind::kAggregate: {
      auto& a = static_cast<LogicalAggregate&>(*op);
      FieldUses child(op->children[0]->output.size());
      for (const auto& g : a.groups) CollectFieldUses(*g, child);
      for (const auto& g : a.aggregates) CollectFieldUses(*g, child);
      PushFieldUses(op->children[0], child);
      return;
    }
    case LogicalOpKind::kJoin: {
      auto& j = static_cast<LogicalJoin&>(*op);
      size_t left_size = op->children[0]->output.size();
      FieldUses left(left_size), right(op->children[1]->output.size());
      for (size_t i = 0; i < uses.size(); i++) {
        if (i < left_size)
          left[i].Merge(uses[i]);
        else if (i - left_size < right.size())
          right[i - left_size].Merge(uses[i]);
      }
      for (const auto& k : j.left_keys) CollectFieldUses(*k, left);
      for (const auto& k : j.right_keys) CollectFieldUses(*k, right);
      if (j.condition) {
        CollectFieldUses(*j.condition, left);
        CollectFieldUses(*j.condition, right, static_cast<int>(left_size));
      }
      PushFieldUses(op->children[0], left);
      PushFieldUses(op->children[1], right);
      return;
    }
    default:
      for (const auto& c : op->children) PushFieldUses(c, AllWhole(c->output.size()));
      return;
  }
}

}  // namespace

void PushFieldProjections(const LogicalPtr& plan) {
  PushFieldUses(plan, AllWhole(plan->output.size()));
}

LogicalPtr PruneColumns(LogicalPtr plan) {
  auto m = PruneAll(*plan);
  (void)m;
  return plan;
}

}  // namespace aishell
