// Rule: filter pushdown. WHERE conjuncts move as close to the scans as their columns allow:
// through projections (by substituting the projected expressions), sorts, aggregates (only
// conjuncts over group keys) and joins. Outer joins are respected: a conjunct is never pushed
// into the null-supplying side; a conjunct that rejects NULLs of the null-supplying side turns
// the outer join into an inner (or one-sided) join first. ON conjuncts of an inner join that
// reference one side move into that side; ON conjuncts over only the null-supplying side of an
// outer join move into that side. Filters end up directly above scans, where NegotiateScans
// offers them to the source. Conjuncts over the partition keys of every window function move
// below the window.
#include <algorithm>

#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

LogicalPtr Push(LogicalPtr op, std::vector<ExprPtr> conjuncts);

// Pushes nothing into `op` itself but continues below it.
LogicalPtr Recurse(LogicalPtr op) {
  for (auto& c : op->children) c = Push(c, {});
  return op;
}

bool ContainsNonDeterministic(const std::vector<ExprPtr>& exprs) {
  for (const auto& e : exprs) {
    if (!IsDeterministic(*e)) return true;
  }
  return false;
}

// Transitive predicates: with ON l.a = r.b, a single-column conjunct on l.a also holds for
// r.b in every joined row, so it can filter the other input too (only towards inputs whose
// unmatched rows are dropped: both for inner joins, right for LEFT/SEMI/ANTI, left for RIGHT).
// This lets each source of a federated join receive the filter.
void DeriveAcrossEquiJoin(const LogicalJoin& join, std::vector<ExprPtr>& left,
                          std::vector<ExprPtr>& right) {
  // NOT IN (null-aware anti join) depends on the NULLs of its right input: leave it alone.
  if (!join.condition || join.null_aware) return;
  int left_size = static_cast<int>(join.children[0]->output.size());
  JoinType t = join.join_type;
  bool to_right =
      t == JoinType::kInner || t == JoinType::kLeft || t == JoinType::kSemi || t == JoinType::kAnti;
  bool to_left = t == JoinType::kInner || t == JoinType::kRight;
  std::vector<std::pair<int, int>> pairs;  // (left column, right column in right input space)
  for (const auto& c : SplitConjunction(join.condition)) {
    if (c->kind != ExprKind::kComparison || c->op != CompareOp::kEq) continue;
    const auto& a = c->children[0];
    const auto& b = c->children[1];
    if (a->kind != ExprKind::kColumnRef || b->kind != ExprKind::kColumnRef || a->type != b->type)
      continue;
    if (a->column_index < left_size && b->column_index >= left_size)
      pairs.push_back({a->column_index, b->column_index - left_size});
    if (b->column_index < left_size && a->column_index >= left_size)
      pairs.push_back({b->column_index, a->column_index - left_size});
  }
  if (pairs.empty()) return;
  auto single_column = [](const ExprPtr& e) {
    std::vector<int> refs;
    CollectColumnRefs(*e, &refs);
    if (refs.empty()) return -1;
    for (int r : refs) {
      if (r != refs[0]) return -1;
    }
    return IsDeterministic(*e) ? refs[0] : -1;
  };
  auto derive = [&](const std::vector<ExprPtr>& from, std::vector<ExprPtr>& to, bool from_left) {
    std::vector<std::string> existing;
    for (const auto& e : to) existing.push_back(e->ToString());
    std::vector<ExprPtr> added;
    for (const auto& c : from) {
      int col = single_column(c);
      if (col < 0) continue;
      for (const auto& [l, r] : pairs) {
        int src = from_left ? l : r;
        int dst = from_left ? r : l;
        if (src != col) continue;
        std::vector<int> mapping(static_cast<size_t>(col) + 1, -1);
        mapping[col] = dst;
        ExprPtr d = RemapColumns(c, mapping);
        std::string text = d->ToString();
        if (std::find(existing.begin(), existing.end(), text) != existing.end()) continue;
        existing.push_back(text);
        added.push_back(d);
      }
    }
    to.insert(to.end(), added.begin(), added.end());
  };
  std::vector<ExprPtr> left_before = left;
  if (to_right) derive(left_before, right, true);
  if (to_left) derive(right, left, false);
}

LogicalPtr PushIntoJoin(const std::shared_ptr<LogicalJoin>& join, std::vector<ExprPtr> conjuncts) {
  int left_size = static_cast<int>(join->children[0]->output.size());
  int right_size = static_cast<int>(join->children[1]->output.size());
  int total = left_size + right_size;

  // Outer-join simplification: WHERE conjuncts that reject the padded NULLs.
  if (join->join_type == JoinType::kLeft || join->join_type == JoinType::kRight ||
      join->join_type == JoinType::kFull) {
    std::vector<bool> left_null(total, false), right_null(total, false);
    for (int i = 0; i < left_size; i++) left_null[i] = true;
    for (int i = left_size; i < total; i++) right_null[i] = true;
    bool rejects_left = false, rejects_right = false;
    for (const auto& c : conjuncts) {
      if (IsNullRejecting(*c, left_null)) rejects_left = true;
      if (IsNullRejecting(*c, right_null)) rejects_right = true;
    }
    JoinType t = join->join_type;
    if (t == JoinType::kLeft && rejects_right) t = JoinType::kInner;
    if (t == JoinType::kRight && rejects_left) t = JoinType::kInner;
    if (t == JoinType::kFull) {
      if (rejects_left && rejects_right) t = JoinType::kInner;
      // Rejecting NULL right columns removes the left-only rows (padded on the right): what
      // remains is a RIGHT JOIN; symmetrically for the left side.
      else if (rejects_right)
        t = JoinType::kRight;
      else if (rejects_left)
        t = JoinType::kLeft;
    }
    join->join_type = t;
  }

  bool push_left_ok = join->join_type == JoinType::kInner || join->join_type == JoinType::kCross ||
                      join->join_type == JoinType::kLeft || join->join_type == JoinType::kSemi ||
                      join->join_type == JoinType::kAnti;
  bool push_right_ok = join->join_type == JoinType::kInner || join->join_type == JoinType::kCross ||
                       join->join_type == JoinType::kRight;
  bool inner_like = join->join_type == JoinType::kInner || join->join_type == JoinType::kCross;

  std::vector<ExprPtr> left_pushed, right_pushed, remaining;
  int visible = (join->join_type == JoinType::kSemi || join->join_type == JoinType::kAnti)
                    ? left_size
                    : total;
  for (auto& c : conjuncts) {
    bool deterministic = IsDeterministic(*c);
    if (deterministic && push_left_ok && RefsWithin(*c, 0, left_size)) {
      left_pushed.push_back(c);
    } else if (deterministic && push_right_ok && RefsWithin(*c, left_size, visible)) {
      right_pushed.push_back(ShiftColumns(c, -left_size));
    } else if (deterministic && inner_like && RefsWithin(*c, 0, total)) {
      join->condition = join->condition ? MakeAnd({join->condition, c}) : c;
      join->join_type = JoinType::kInner;
    } else {
      remaining.push_back(c);
    }
  }

  // The join's own ON conjuncts.
  if (join->condition) {
    std::vector<ExprPtr> kept;
    for (auto& c : SplitConjunction(join->condition)) {
      bool deterministic = IsDeterministic(*c);
      bool only_left = RefsWithin(*c, 0, left_size) && HasColumnRefs(*c);
      bool only_right = RefsWithin(*c, left_size, total) && HasColumnRefs(*c);
      JoinType t = join->join_type;
      // ON conjuncts can go into the side whose rows are filtered by the ON clause (the
      // non-preserved side): both for inner, right for LEFT/SEMI/ANTI, left for RIGHT. A semi
      // join keeps a left row only if the ON clause holds, so left-only conjuncts go left too.
      // Not into the right of a null-aware anti join: "3 NOT IN (SELECT x ...)" is NULL when x has
      // a NULL, and a filter 3 = x below the join would drop that NULL.
      bool left_ok = t == JoinType::kInner || t == JoinType::kRight || t == JoinType::kSemi;
      bool right_ok = t == JoinType::kInner || t == JoinType::kLeft || t == JoinType::kSemi ||
                      (t == JoinType::kAnti && !join->null_aware);
      if (deterministic && only_left && left_ok) {
        left_pushed.push_back(c);
      } else if (deterministic && only_right && right_ok) {
        right_pushed.push_back(ShiftColumns(c, -left_size));
      } else {
        kept.push_back(c);
      }
    }
    join->condition = kept.empty() ? nullptr : MakeAnd(kept);
  }

  DeriveAcrossEquiJoin(*join, left_pushed, right_pushed);
  join->children[0] = Push(join->children[0], std::move(left_pushed));
  join->children[1] = Push(join->children[1], std::move(right_pushed));
  return MakeFilterNode(join, std::move(remaining));
}

LogicalPtr Push(LogicalPtr op, std::vector<ExprPtr> conjuncts) {
  switch (op->kind) {
    case LogicalOpKind::kFilter: {
      auto& f = static_cast<LogicalFilter&>(*op);
      auto own = SplitConjunction(f.predicate);
      // Filter conjuncts above a non-deterministic filter must stay above it.
      if (ContainsNonDeterministic(own)) {
        op->children[0] = Push(op->children[0], {});
        return MakeFilterNode(op, std::move(conjuncts));
      }
      conjuncts.insert(conjuncts.end(), own.begin(), own.end());
      return Push(op->children[0], std::move(conjuncts));
    }
    case LogicalOpKind::kProject: {
      auto& p = static_cast<LogicalProject&>(*op);
      std::vector<ExprPtr> below, above;
      bool project_deterministic = !ContainsNonDeterministic(p.exprs);
      for (auto& c : conjuncts) {
        if (project_deterministic && IsDeterministic(*c)) {
          below.push_back(SubstituteColumns(c, p.exprs));
        } else {
          above.push_back(c);
        }
      }
      op->children[0] = Push(op->children[0], std::move(below));
      return MakeFilterNode(op, std::move(above));
    }
    case LogicalOpKind::kSort: {
      op->children[0] = Push(op->children[0], std::move(conjuncts));
      return op;
    }
    case LogicalOpKind::kAggregate: {
      auto& a = static_cast<LogicalAggregate&>(*op);
      std::vector<ExprPtr> below, above;
      int groups = static_cast<int>(a.groups.size());
      for (auto& c : conjuncts) {
        // Only over group keys, and not for a global aggregate (which returns a row even
        // when its input is empty).
        if (groups > 0 && a.empty_input_groups.empty() && IsDeterministic(*c) &&
            RefsWithin(*c, 0, groups) && !ContainsNonDeterministic(a.groups)) {
          below.push_back(SubstituteColumns(c, a.groups));
        } else {
          above.push_back(c);
        }
      }
      op->children[0] = Push(op->children[0], std::move(below));
      return MakeFilterNode(op, std::move(above));
    }
    case LogicalOpKind::kJoin:
      return PushIntoJoin(std::static_pointer_cast<LogicalJoin>(op), std::move(conjuncts));
    case LogicalOpKind::kSetOperation: {
      auto& s = static_cast<LogicalSetOperation&>(*op);
      // Filters commute with UNION [ALL], INTERSECT and EXCEPT (applied to both inputs).
      if (!conjuncts.empty() && !ContainsNonDeterministic(conjuncts) &&
          s.set_op != SetOpKind::kExcept) {
        for (auto& c : op->children) {
          std::vector<ExprPtr> copies;
          for (auto& e : conjuncts) copies.push_back(e->Copy());
          c = Push(c, std::move(copies));
        }
        return op;
      }
      if (!conjuncts.empty() && !ContainsNonDeterministic(conjuncts) &&
          s.set_op == SetOpKind::kExcept) {
        // (A EXCEPT B) WHERE p == (A WHERE p) EXCEPT (B WHERE p)
        for (auto& c : op->children) {
          std::vector<ExprPtr> copies;
          for (auto& e : conjuncts) copies.push_back(e->Copy());
          c = Push(c, std::move(copies));
        }
        return op;
      }
      Recurse(op);
      return MakeFilterNode(op, std::move(conjuncts));
    }
    case LogicalOpKind::kWindow: {
      // Conjuncts over columns that partition every window function filter whole partitions:
      // they can run before the window.
      auto& w = static_cast<LogicalWindow&>(*op);
      int input_width = static_cast<int>(op->children[0]->output.size());
      std::vector<bool> partition_key(input_width, true);
      for (const auto& e : w.window_exprs) {
        std::vector<bool> here(input_width, false);
        if (e->window) {
          for (const auto& p : e->window->partition_by) {
            if (p->kind == ExprKind::kColumnRef && p->column_index < input_width)
              here[p->column_index] = true;
          }
        }
        for (int i = 0; i < input_width; i++) partition_key[i] = partition_key[i] && here[i];
      }
      std::vector<ExprPtr> below, above;
      for (auto& c : conjuncts) {
        std::vector<int> refs;
        CollectColumnRefs(*c, &refs);
        bool ok = IsDeterministic(*c) && !refs.empty();
        for (int r : refs) ok = ok && r < input_width && partition_key[r];
        (ok ? below : above).push_back(c);
      }
      op->children[0] = Push(op->children[0], std::move(below));
      return MakeFilterNode(op, std::move(above));
    }
    case LogicalOpKind::kScan:
    case LogicalOpKind::kValues:
      return MakeFilterNode(op, std::move(conjuncts));
    default:
      // Limit, Window, Insert: filters cannot cross them.
      Recurse(op);
      return MakeFilterNode(op, std::move(conjuncts));
  }
}

}  // namespace

LogicalPtr PushDownFilters(LogicalPtr plan) { return Push(std::move(plan), {}); }

}  // namespace aishell
