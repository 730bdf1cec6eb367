// Rule: cost-based join order. A tree of inner and cross joins (the FROM list `FROM a, b, c
// WHERE ...` or JOIN ... ON, conditions from ON and WHERE alike) is taken as a join graph: its
// inputs (anything that is not an inner join: a scan, an outer/semi/anti join, an aggregate, ...;
// those are barriers, reordered only inside) and its conditions; an equality (= or IS NOT
// DISTINCT FROM) over two or more inputs is an edge. The order is chosen by dynamic programming
// over connected subsets (DPsize restricted to connected pairs, bushy trees) for up to
// kMaxDpInputs inputs and greedily beyond (GOO: join the connected pair with the smallest
// result). The cost of a tree is the sum of its intermediate result sizes (C_out) plus, for a join
// of inputs from different sources, the rows moved (both inputs). Sizes: each input's estimate
// (EstimateCardinality) times the selectivity of the conditions inside a subset: 1/max(NDV) for
// an equality whose columns have distinct counts (ColumnStatsOf), else 1/min(rows) of the two
// inputs (a lookup), else the fixed heuristics. A cross product appears only between the
// connected components of the graph (smallest first). The written order is kept when it costs no
// more, and when the tree has a non-deterministic condition. It runs after filter pushdown
// (which has put every WHERE conjunct into the lowest join that sees its columns) and before join
// key extraction; each condition goes to the lowest join of the new tree that sees its columns,
// and a projection on top restores the written column order. federation.join_reordering = false
// keeps the written order, except that an input no condition connects to the inputs before it
// waits until one does (TPC-H Q2, Q8 and Q9 list `part, supplier, ...` with no condition
// between the two).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>

#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

LogicalPtr Visit(LogicalPtr op, bool cost_based);

constexpr size_t kMaxDpInputs = 12;
constexpr size_t kMaxInputs = 64;  // bitmask width; beyond it the written order is kept

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

using Mask = uint64_t;

// The catalog every scan under `op` reads, "" for none (values, local files without a
// catalog), "*" for several.
std::string SourceOf(const LogicalOperator& op) {
  if (op.kind == LogicalOpKind::kScan) return static_cast<const LogicalScan&>(op).catalog_name;
  std::string out;
  for (const auto& c : op.children) {
    std::string s = SourceOf(*c);
    if (s.empty()) continue;
    if (out.empty())
      out = s;
    else if (out != s)
      return "*";
  }
  return out;
}

struct Condition {
  ExprPtr expr;       // over the region's output
  Mask inputs = 0;    // the inputs it reads
  bool edge = false;  // an equality over two or more inputs
  double selectivity = 1;
};

constexpr int kNoSource = -1, kSeveralSources = -2;

struct Plan {
  bool valid = false;
  double rows = 0;
  double cost = 0;
  int source = kNoSource;  // an id of SourceOf's text, kNoSource or kSeveralSources
  int leaf = -1;           // an input, or a join of `left` and `right`
  Mask left = 0, right = 0;
};

int Popcount(Mask m) { return __builtin_popcountll(m); }

class Enumerator {
 public:
  Enumerator(std::vector<double> rows, const std::vector<std::string>& sources,
             std::vector<Condition> conditions)
      : rows_(std::move(rows)), conditions_(std::move(conditions)) {
    for (const auto& c : conditions_) {
      if (Popcount(c.inputs) < 2) continue;
      auto it = group_selectivity_.find(c.inputs);
      if (it == group_selectivity_.end())
        group_selectivity_[c.inputs] = c.selectivity;
      else
        it->second = std::min(it->second, c.selectivity);
    }
    std::vector<std::string> names;
    for (const auto& s : sources) {
      if (s.empty()) {
        sources_.push_back(kNoSource);
      } else if (s == "*") {
        sources_.push_back(kSeveralSources);
      } else {
        auto it = std::find(names.begin(), names.end(), s);
        sources_.push_back(static_cast<int>(it - names.begin()));
        if (it == names.end()) names.push_back(s);
      }
    }
  }

  double Rows(Mask s) const {
    double r = 1;
    for (size_t i = 0; i < rows_.size(); i++)
      if (s & (Mask{1} << i)) r *= std::max(1.0, rows_[i]);
    // Conditions over the same inputs are rarely independent (a composite key such as
    // l_partkey = ps_partkey AND l_suppkey = ps_suppkey): the most selective one of each group.
    for (const auto& [inputs, sel] : group_selectivity_)
      if ((inputs & ~s) == 0) r *= sel;
    return std::max(1.0, r);
  }
  bool Connected(Mask a, Mask b) const {
    for (const auto& c : conditions_) {
      if (c.edge && (c.inputs & a) && (c.inputs & b) && (c.inputs & ~(a | b)) == 0) return true;
    }
    return false;
  }
  Plan Join(const Plan& l, Mask lm, const Plan& r, Mask rm, double rows = -1) const {
    Plan p;
    p.valid = true;
    p.left = lm;
    p.right = rm;
    p.rows = rows >= 0 ? rows : Rows(lm | rm);
    p.cost = l.cost + r.cost + p.rows;
    // Rows moved: both inputs, when they come from different sources.
    bool moved = l.source != r.source || l.source == kSeveralSources;
    if (moved && l.source != kNoSource && r.source != kNoSource) p.cost += l.rows + r.rows;
    p.source = l.source == r.source ? l.source : kSeveralSources;
    return p;
  }
  Plan Leaf(int i) const {
    Plan p;
    p.valid = true;
    p.leaf = i;
    p.rows = std::max(1.0, rows_[i]);
    p.source = sources_[i];
    return p;
  }

  // Best plans by subset; the trees to build start at the returned roots (one per connected
  // component, to be joined by cross products).
  std::map<Mask, Plan> plans;
  std::vector<Mask> Solve() {
    size_t n = rows_.size();
    for (size_t i = 0; i < n; i++) plans[Mask{1} << i] = Leaf(static_cast<int>(i));
    std::vector<Mask> components;
    if (n <= kMaxDpInputs) {
      Mask full = (Mask{1} << n) - 1;
      std::vector<Plan> dense(full + 1);
      for (size_t i = 0; i < n; i++) dense[Mask{1} << i] = Leaf(static_cast<int>(i));
      for (Mask s = 1; s <= full; s++) {
        if (Popcount(s) < 2) continue;
        Plan best;
        double rows = -1;
        // Every split into two non-empty halves, each half once (the lower bit on the left).
        Mask low = s & (~s + 1);
        for (Mask a = (s - 1) & s; a > 0; a = (a - 1) & s) {
          if (!(a & low)) continue;
          Mask b = s & ~a;
          if (!dense[a].valid || !dense[b].valid || !Connected(a, b)) continue;
          if (rows < 0) rows = Rows(s);
          Plan p = Join(dense[a], a, dense[b], b, rows);
          if (!best.valid || p.cost < best.cost) best = p;
        }
        if (best.valid) {
          dense[s] = best;
          plans[s] = best;
        }
      }
      // Connected components: the largest planned subsets, greedily from the lowest input.
      Mask left = full;
      while (left) {
        Mask low = left & (~left + 1);
        Mask comp = low;
        for (const auto& [m, p] : plans) {
          if ((m & low) && (m & ~left) == 0 && Popcount(m) > Popcount(comp)) comp = m;
        }
        components.push_back(comp);
        left &= ~comp;
      }
    } else {
      for (size_t i = 0; i < n; i++) components.push_back(Mask{1} << i);
      while (true) {
        int bi = -1, bj = -1;
        Plan best;
        for (size_t i = 0; i < components.size(); i++) {
          for (size_t j = i + 1; j < components.size(); j++) {
            if (!Connected(components[i], components[j])) continue;
            Plan p = Join(plans[components[i]], components[i], plans[components[j]], components[j]);
            if (!best.valid || p.rows < best.rows || (p.rows == best.rows && p.cost < best.cost)) {
              best = p;
              bi = static_cast<int>(i);
              bj = static_cast<int>(j);
            }
          }
        }
        if (!best.valid) break;
        Mask m = components[bi] | components[bj];
        plans[m] = best;
        components[bi] = m;
        components.erase(components.begin() + bj);
      }
    }
    std::sort(components.begin(), components.end(),
              [&](Mask a, Mask b) { return plans[a].rows < plans[b].rows; });
    return components;
  }

  // federation.join_reordering = false: the written order, except that the next input is the
  // first one an equality connects to those joined so far (a cross product only where none is).
  Mask WrittenConnected() {
    size_t n = rows_.size();
    for (size_t i = 0; i < n; i++) plans[Mask{1} << i] = Leaf(static_cast<int>(i));
    Plan tree = Leaf(0);
    Mask m = 1;
    while (Popcount(m) < static_cast<int>(n)) {
      int pick = -1;
      for (size_t i = 0; i < n && pick < 0; i++) {
        if (!(m & (Mask{1} << i)) && Connected(m, Mask{1} << i)) pick = static_cast<int>(i);
      }
      for (size_t i = 0; i < n && pick < 0; i++) {
        if (!(m & (Mask{1} << i))) pick = static_cast<int>(i);
      }
      Mask b = Mask{1} << pick;
      tree = Join(tree, m, Leaf(pick), b);
      m |= b;
      plans[m] = tree;
    }
    return m;
  }

  // The cost of the written left-deep order, or infinity where it builds a cross product that
  // the graph does not need (two inputs of one component joined before they are connected).
  double WrittenCost() {
    size_t n = rows_.size();
    Plan tree = Leaf(0);
    Mask m = 1;
    for (size_t i = 1; i < n; i++) {
      Mask b = Mask{1} << i;
      if (!Connected(m, b)) return std::numeric_limits<double>::infinity();
      tree = Join(tree, m, Leaf(static_cast<int>(i)), b);
      m |= b;
    }
    return tree.cost;
  }

 private:
  std::vector<double> rows_;
  std::vector<int> sources_;
  std::vector<Condition> conditions_;
  std::map<Mask, double> group_selectivity_;  // by the inputs of conditions over two or more
};

LogicalPtr Reorder(LogicalPtr root, bool cost_based) {
  JoinRegion region;
  Collect(root, 0, region);
  for (auto* slot : region.inputs) *slot = Visit(*slot, cost_based);
  size_t n = region.inputs.size();
  if (n < 3 || n > kMaxInputs) return root;  // two inputs: ChooseJoinSides orders them
  for (const auto& c : region.conditions) {
    if (!IsDeterministic(*c)) return root;
  }
  // The input of each column of the region's output.
  int width = static_cast<int>(root->output.size());
  std::vector<int> input_of(width);
  for (size_t i = 0; i < n; i++) {
    int end = i + 1 < n ? region.offsets[i + 1] : width;
    for (int col = region.offsets[i]; col < end; col++) input_of[col] = static_cast<int>(i);
  }
  std::vector<double> rows;
  std::vector<std::string> sources;
  for (auto* slot : region.inputs) {
    EstimateCardinality(**slot);
    rows.push_back((*slot)->estimated_rows);
    sources.push_back(SourceOf(**slot));
  }
  std::vector<Condition> conditions;
  for (const auto& c : region.conditions) {
    Condition cond;
    cond.expr = c;
    std::vector<int> refs;
    CollectColumnRefs(*c, &refs);
    for (int r : refs) cond.inputs |= Mask{1} << input_of[r];
    bool equality = c->kind == ExprKind::kComparison &&
                    (c->op == CompareOp::kEq || c->op == CompareOp::kIsNotDistinctFrom);
    cond.edge = equality && Popcount(cond.inputs) >= 2;
    if (cond.edge && c->children.size() == 2 && c->children[0]->kind != ExprKind::kConstant) {
      // Two sides over one input each: 1/max(NDV) where known, else a lookup (1/min rows).
      std::vector<int> lrefs, rrefs;
      CollectColumnRefs(*c->children[0], &lrefs);
      CollectColumnRefs(*c->children[1], &rrefs);
      auto single = [&](const std::vector<int>& refs) {
        int in = -1;
        for (int r : refs) {
          if (in >= 0 && input_of[r] != in) return -1;
          in = input_of[r];
        }
        return in;
      };
      int li = single(lrefs), ri = single(rrefs);
      double sel = -1;
      if (li >= 0 && ri >= 0 && li != ri) {
        auto lkey = ShiftColumns(c->children[0], -region.offsets[li]);
        auto rkey = ShiftColumns(c->children[1], -region.offsets[ri]);
        sel = EstimateJoinKeySelectivity(**region.inputs[li], *lkey, **region.inputs[ri], *rkey);
        if (sel < 0) sel = 1 / std::max(1.0, std::min(rows[li], rows[ri]));
      }
      cond.selectivity = sel >= 0 ? sel : 0.1;
    } else if (Popcount(cond.inputs) >= 2) {
      cond.selectivity = c->kind == ExprKind::kComparison ? 0.33 : 0.5;
    }
    conditions.push_back(std::move(cond));
  }

  Enumerator e(rows, sources, conditions);
  std::vector<Mask> roots;
  if (cost_based) {
    roots = e.Solve();
    double best_cost = 0;
    for (Mask m : roots) best_cost += e.plans[m].cost;
    if (roots.size() == 1 && e.WrittenCost() <= best_cost * (1 + 1e-9)) return root;
  } else {
    roots = {e.WrittenConnected()};
  }

  // The order of the inputs in the new tree (its leaves left to right), and each subset's first
  // column in it.
  std::vector<int> order;
  std::function<void(Mask)> leaves = [&](Mask m) {
    const Plan& p = e.plans[m];
    if (p.leaf >= 0) {
      order.push_back(p.leaf);
      return;
    }
    leaves(p.left);
    leaves(p.right);
  };
  for (Mask m : roots) leaves(m);
  bool written = true;
  for (size_t k = 0; k < n; k++) written = written && order[k] == static_cast<int>(k);
  if (written && !cost_based) return root;
  std::vector<int> mapping(width);
  std::vector<int> new_offset(n);
  int next = 0;
  for (int i : order) {
    new_offset[i] = next;
    int end = i + 1 < static_cast<int>(n) ? region.offsets[i + 1] : width;
    for (int col = region.offsets[i]; col < end; col++) mapping[col] = next++;
  }
  auto first_column = [&](Mask m) {
    int first = width;
    for (size_t i = 0; i < n; i++)
      if (m & (Mask{1} << i)) first = std::min(first, new_offset[i]);
    return first;
  };
  // Conditions go to the lowest join whose inputs cover theirs.
  std::function<LogicalPtr(Mask, std::vector<const Condition*>)> build =
      [&](Mask m, std::vector<const Condition*> conds) -> LogicalPtr {
    const Plan& p = e.plans[m];
    if (p.leaf >= 0) return *region.inputs[p.leaf];
    std::vector<const Condition*> lc, rc, here;
    for (const auto* c : conds) {
      bool in_left = (c->inputs & ~p.left) == 0 && Popcount(p.left) >= 2;
      bool in_right = (c->inputs & ~p.right) == 0 && Popcount(p.right) >= 2;
      (in_left ? lc : in_right ? rc : here).push_back(c);
    }
    LogicalPtr l = build(p.left, lc), r = build(p.right, rc);
    auto join = std::make_shared<LogicalJoin>();
    join->output = l->output;
    join->output.insert(join->output.end(), r->output.begin(), r->output.end());
    int shift = first_column(m);
    std::vector<ExprPtr> exprs;
    for (const auto* c : here)
      exprs.push_back(ShiftColumns(RemapColumns(c->expr, mapping), -shift));
    join->join_type = exprs.empty() ? JoinType::kCross : JoinType::kInner;
    join->condition = exprs.empty() ? nullptr : MakeAnd(std::move(exprs));
    join->children = {l, r};
    return join;
  };
  std::vector<const Condition*> all;
  for (const auto& c : conditions) all.push_back(&c);
  LogicalPtr tree;
  Mask covered = 0;
  for (Mask m : roots) {
    std::vector<const Condition*> mine, rest;
    for (const auto* c : all)
      ((c->inputs & ~m) == 0 && Popcount(m) >= 2 ? mine : rest).push_back(c);
    all = std::move(rest);
    LogicalPtr sub = build(m, mine);
    covered |= m;
    if (!tree) {
      tree = sub;
      continue;
    }
    auto join = std::make_shared<LogicalJoin>();
    join->output = tree->output;
    join->output.insert(join->output.end(), sub->output.begin(), sub->output.end());
    std::vector<ExprPtr> exprs;
    std::vector<const Condition*> keep;
    for (const auto* c : all) {
      if ((c->inputs & ~covered) == 0)
        exprs.push_back(RemapColumns(c->expr, mapping));
      else
        keep.push_back(c);
    }
    all = std::move(keep);
    join->join_type = exprs.empty() ? JoinType::kCross : JoinType::kInner;
    join->condition = exprs.empty() ? nullptr : MakeAnd(std::move(exprs));
    join->children = {tree, sub};
    tree = join;
  }
  if (written) return tree;
  auto project = std::make_shared<LogicalProject>();
  project->output = root->output;
  for (int col = 0; col < width; col++)
    project->exprs.push_back(
        MakeColumnRef(mapping[col], root->output[col].type, root->output[col].name));
  project->children = {tree};
  return project;
}

LogicalPtr Visit(LogicalPtr op, bool cost_based) {
  if (IsInnerJoin(*op)) return Reorder(op, cost_based);
  for (auto& c : op->children) c = Visit(c, cost_based);
  return op;
}

}  // namespace

LogicalPtr ReorderJoins(LogicalPtr plan, const PlannerOptions& options) {
  return Visit(std::move(plan), options.join_reordering);
}

}  // namespace aishell
