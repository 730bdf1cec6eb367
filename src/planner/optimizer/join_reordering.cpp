// Rule: join reordering to avoid cross products. A tree of inner and cross joins (the FROM list
// `FROM a, b, c WHERE ...` or JOIN ... ON) is taken as a set of inputs and of conditions. When
// the written order joins two inputs that no condition connects while a later input connects
// to what is joined so far, the inputs are reordered greedily: keep the written order, but take
// next the first input that an equality condition connects to the inputs already joined (a
// cross product only when none does). TPC-H Q2, Q8 and Q9 list `part, supplier, ...` with no
// condition between the two. A tree whose written order needs no cross product, or has a
// non-deterministic condition, is left as written. It runs after filter pushdown (which has put
// every WHERE conjunct into the lowest join that sees its columns) and before join key
// extraction; each condition goes to the lowest join of the new tree that sees its columns, and a
// projection on top restores the written column order.
#include <algorithm>

#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

LogicalPtr Visit(LogicalPtr op);

bool IsInnerJoin(const LogicalOperator& op) {
  if (op.kind != LogicalOpKind::kJoin) return false;
  const auto& j = static_cast<const LogicalJoin&>(op);
  return (j.join_type == JoinType::kInner || j.join_type == JoinType::kCross) &&
         j.left_keys.empty() && !j.null_aware;
}

struct JoinRegion {
  std::vector<LogicalPtr*> inputs;  // the slots of the inputs, in written order
  std::vector<int> offsets;         // first column of each input in the region's output
  std::vector<ExprPtr> conditions;  // over the region's output
};

void Collect(LogicalPtr& op, int offset, JoinRegion& region) {
  if (!IsInnerJoin(*op)) {
    region.inputs.push_back(&op);
    region.offsets.push_back(offset);
    return;
  }
  auto& j = static_cast<LogicalJoin&>(*op);
  int left_width = static_cast<int>(j.children[0]->output.size());
  Collect(j.children[0], offset, region);
  Collect(j.children[1], offset + left_width, region);
  for (const auto& c : SplitConjunction(j.condition)) {
    region.conditions.push_back(offset == 0 ? c : ShiftColumns(c, offset));
  }
}

LogicalPtr Reorder(LogicalPtr root) {
  JoinRegion region;
  Collect(root, 0, region);
  for (auto* slot : region.inputs) *slot = Visit(*slot);
  size_t n = region.inputs.size();
  for (const auto& c : region.conditions) {
    if (!IsDeterministic(*c)) return root;
  }
  // The inputs each condition reads.
  int width = static_cast<int>(root->output.size());
  std::vector<int> input_of(width);
  for (size_t i = 0; i < n; i++) {
    int end = i + 1 < n ? region.offsets[i + 1] : width;
    for (int col = region.offsets[i]; col < end; col++) input_of[col] = static_cast<int>(i);
  }
  auto inputs_of = [&](const Expr& e) {
    std::vector<int> refs, out;
    CollectColumnRefs(e, &refs);
    for (int r : refs) {
      if (std::find(out.begin(), out.end(), input_of[r]) == out.end()) out.push_back(input_of[r]);
    }
    return out;
  };
  std::vector<std::vector<int>> edges;  // the inputs of each equality over two or more inputs
  for (const auto& c : region.conditions) {
    // IS NOT DISTINCT FROM becomes hash join keys too (join key extraction).
    if (c->kind != ExprKind::kComparison ||
        (c->op != CompareOp::kEq && c->op != CompareOp::kIsNotDistinctFrom))
      continue;
    auto ins = inputs_of(*c);
    if (ins.size() >= 2) edges.push_back(ins);
  }
  std::vector<bool> joined(n, false);
  std::vector<int> order = {0};
  joined[0] = true;
  while (order.size() < n) {
    int pick = -1;
    for (size_t i = 0; i < n && pick < 0; i++) {
      if (joined[i]) continue;
      for (const auto& e : edges) {
        bool has_i = false, others_joined = true;
        for (int k : e) {
          if (k == static_cast<int>(i))
            has_i = true;
          else
            others_joined = others_joined && joined[k];
        }
        if (has_i && others_joined) {
          pick = static_cast<int>(i);
          break;
        }
      }
    }
    if (pick < 0)
      pick = static_cast<int>(std::find(joined.begin(), joined.end(), false) - joined.begin());
    joined[pick] = true;
    order.push_back(pick);
  }
  bool written = true;
  for (size_t k = 0; k < n; k++) written = written && order[k] == static_cast<int>(k);
  if (written) return root;

  // The new column of each written column.
  std::vector<int> mapping(width);
  int next = 0;
  for (int i : order) {
    int end = i + 1 < static_cast<int>(n) ? region.offsets[i + 1] : width;
    for (int col = region.offsets[i]; col < end; col++) mapping[col] = next++;
  }
  std::vector<ExprPtr> pending;
  for (const auto& c : region.conditions) pending.push_back(RemapColumns(c, mapping));
  LogicalPtr tree = *region.inputs[order[0]];
  for (size_t k = 1; k < n; k++) {
    LogicalPtr right = *region.inputs[order[k]];
    auto join = std::make_shared<LogicalJoin>();
    join->output = tree->output;
    join->output.insert(join->output.end(), right->output.begin(), right->output.end());
    int seen = static_cast<int>(join->output.size());
    std::vector<ExprPtr> here, later;
    for (auto& c : pending) (RefsWithin(*c, 0, seen) ? here : later).push_back(c);
    pending = std::move(later);
    join->join_type = here.empty() ? JoinType::kCross : JoinType::kInner;
    join->condition = here.empty() ? nullptr : MakeAnd(std::move(here));
    join->children = {tree, right};
    tree = join;
  }
  auto project = std::make_shared<LogicalProject>();
  project->output = root->output;
  for (int col = 0; col < width; col++)
    project->exprs.push_back(
        MakeColumnRef(mapping[col], root->output[col].type, root->output[col].name));
  project->children = {tree};
  return project;
}

LogicalPtr Visit(LogicalPtr op) {
  if (IsInnerJoin(*op)) return Reorder(op);
  for (auto& c : op->children) c = Visit(c);
  return op;
}

}  // namespace

LogicalPtr ReorderJoins(LogicalPtr plan) { return Visit(std::move(plan)); }

}  // namespace aishell
