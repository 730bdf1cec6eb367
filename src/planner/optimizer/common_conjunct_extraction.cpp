// Rule: common conjunct extraction. A conjunct that appears in every branch of an OR is factored
// out of it:  (a AND b) OR (a AND c)  =>  a AND (b OR c),  and  a OR (a AND c)  =>  a.
// This is the distributive law, which holds in SQL's three-valued logic too. It runs before
// filter pushdown on filter predicates and join conditions, so that a join equality written in
// each branch of an OR (TPC-H Q19: (p_partkey = l_partkey AND ...) OR (p_partkey = l_partkey AND
// ...)) becomes an equi-join key instead of a condition over a cross product, and a single-table
// conjunct common to every branch becomes a filter the scan can take. Only deterministic
// conjuncts are factored (two calls of random() are two different values). Conjuncts are the same
// when they print the same with columns named by position.
#include <algorithm>
#include <string>

#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

void SplitDisjunction(const ExprPtr& expr, std::vector<ExprPtr>& out) {
  if (expr->kind == ExprKind::kOr) {
    for (const auto& c : expr->children) SplitDisjunction(c, out);
  } else {
    out.push_back(expr);
  }
}

int MaxColumnRef(const Expr& expr) {
  std::vector<int> refs;
  CollectColumnRefs(expr, &refs);
  int max = -1;
  for (int r : refs) max = std::max(max, r);
  return max;
}

// The text that identifies a conjunct: a comparison reads the same both ways round
// (a = b is b = a, a < b is b > a).
std::string Key(const Expr& conjunct, const std::vector<std::string>& names) {
  std::string text = conjunct.ToString(&names);
  if (conjunct.kind != ExprKind::kComparison) return text;
  auto flipped =
      MakeComparison(FlipCompareOp(conjunct.op), conjunct.children[1], conjunct.children[0]);
  return std::min(text, flipped->ToString(&names));
}

// The OR with the conjuncts common to all its branches factored out, or null when none is.
ExprPtr FactorOr(const ExprPtr& expr) {
  std::vector<ExprPtr> branches;
  SplitDisjunction(expr, branches);
  if (branches.size() < 2) return nullptr;
  // Column names by position, so that equal texts mean equal expressions.
  int width = MaxColumnRef(*expr) + 1;
  std::vector<std::string> names(static_cast<size_t>(width));
  for (int i = 0; i < width; i++) names[i] = "#" + std::to_string(i);
  std::vector<std::vector<ExprPtr>> conjuncts;
  std::vector<std::vector<std::string>> texts;
  for (const auto& b : branches) {
    conjuncts.push_back(SplitConjunction(b));
    texts.emplace_back();
    for (const auto& c : conjuncts.back()) texts.back().push_back(Key(*c, names));
  }
  auto in_branch = [&](size_t branch, const std::string& text) {
    return std::find(texts[branch].begin(), texts[branch].end(), text) != texts[branch].end();
  };
  // The common conjuncts, in the order of the first branch, each once.
  std::vector<ExprPtr> common;
  std::vector<std::string> common_texts;
  for (size_t i = 0; i < conjuncts[0].size(); i++) {
    const std::string& text = texts[0][i];
    if (!IsDeterministic(*conjuncts[0][i])) continue;
    if (std::find(common_texts.begin(), common_texts.end(), text) != common_texts.end()) continue;
    bool everywhere = true;
    for (size_t b = 1; b < branches.size() && everywhere; b++) everywhere = in_branch(b, text);
    if (!everywhere) continue;
    common.push_back(conjuncts[0][i]);
    common_texts.push_back(text);
  }
  if (common.empty()) return nullptr;
  // What remains of each branch; a branch left empty is TRUE, and so is the whole OR.
  std::vector<ExprPtr> rest;
  bool always = false;
  for (size_t b = 0; b < branches.size() && !always; b++) {
    std::vector<ExprPtr> kept;
    for (size_t i = 0; i < conjuncts[b].size(); i++) {
      if (std::find(common_texts.begin(), common_texts.end(), texts[b][i]) == common_texts.end())
        kept.push_back(conjuncts[b][i]);
    }
    if (kept.empty()) always = true;
    rest.push_back(MakeAnd(std::move(kept)));
  }
  if (!always) common.push_back(MakeOr(std::move(rest)));
  return MakeAnd(std::move(common));
}

ExprPtr Factor(const ExprPtr& expr) {
  if (!expr || expr->type.id != TypeId::kBoolean) return expr;
  if (expr->kind == ExprKind::kAnd || expr->kind == ExprKind::kOr || expr->kind == ExprKind::kNot) {
    std::vector<ExprPtr> children;
    for (const auto& c : expr->children) children.push_back(Factor(c));
    if (expr->kind == ExprKind::kAnd) return MakeAnd(std::move(children));
    if (expr->kind == ExprKind::kNot) return MakeNot(children[0]);
    ExprPtr e = MakeOr(std::move(children));
    if (e->kind != ExprKind::kOr) return e;
    ExprPtr factored = FactorOr(e);
    return factored ? factored : e;
  }
  return expr;
}

void Visit(const LogicalPtr& op) {
  for (auto& c : op->children) Visit(c);
  if (op->kind == LogicalOpKind::kFilter) {
    auto& f = static_cast<LogicalFilter&>(*op);
    f.predicate = Factor(f.predicate);
  } else if (op->kind == LogicalOpKind::kJoin) {
    auto& j = static_cast<LogicalJoin&>(*op);
    if (j.condition) j.condition = Factor(j.condition);
  }
}

}  // namespace

ExprPtr ExtractCommonConjunctsExpr(const ExprPtr& expr) { return Factor(expr); }

LogicalPtr ExtractCommonConjuncts(LogicalPtr plan) {
  Visit(plan);
  return plan;
}

}  // namespace aishell
