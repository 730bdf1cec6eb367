// Rule: join side choice. The executor builds its hash table on the RIGHT input, so for an
// inner join the smaller estimated input goes right. A LEFT join whose preserved (left) side is
// much smaller becomes a RIGHT join with swapped inputs (and vice versa). A Project on top
// restores the original column order, so the parent sees no difference.
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// Build side candidates must be clearly smaller before we flip an outer join.
constexpr double kOuterFlipRatio = 2.0;

LogicalPtr Swap(const std::shared_ptr<LogicalJoin>& join) {
  int left_size = static_cast<int>(join->children[0]->output.size());
  int right_size = static_cast<int>(join->children[1]->output.size());
  int total = left_size + right_size;
  std::vector<int> mapping(total);
  for (int i = 0; i < left_size; i++) mapping[i] = right_size + i;
  for (int i = 0; i < right_size; i++) mapping[left_size + i] = i;
  if (join->condition) join->condition = RemapColumns(join->condition, mapping);
  std::swap(join->left_keys, join->right_keys);
  std::swap(join->children[0], join->children[1]);
  if (join->join_type == JoinType::kLeft)
    join->join_type = JoinType::kRight;
  else if (join->join_type == JoinType::kRight)
    join->join_type = JoinType::kLeft;
  std::vector<OutputColumn> old_output = join->output;
  join->output = join->children[0]->output;
  join->output.insert(join->output.end(), join->children[1]->output.begin(),
                      join->children[1]->output.end());

  auto project = std::make_shared<LogicalProject>();
  for (int i = 0; i < total; i++) {
    project->exprs.push_back(MakeColumnRef(mapping[i], old_output[i].type, old_output[i].name));
  }
  project->output = std::move(old_output);
  project->estimated_rows = join->estimated_rows;
  project->children.push_back(join);
  return project;
}

LogicalPtr Visit(LogicalPtr op) {
  for (auto& c : op->children) c = Visit(c);
  if (op->kind != LogicalOpKind::kJoin) return op;
  auto join = std::static_pointer_cast<LogicalJoin>(op);
  double l = join->children[0]->estimated_rows, r = join->children[1]->estimated_rows;
  if (l < 0 || r < 0) return op;
  switch (join->join_type) {
    case JoinType::kInner:
    case JoinType::kCross:
      if (r > l) return Swap(join);
      break;
    case JoinType::kLeft:
      if (r > l * kOuterFlipRatio && !join->left_keys.empty()) return Swap(join);
      break;
    case JoinType::kRight:
      if (l > r * kOuterFlipRatio && !join->left_keys.empty()) return Swap(join);
      break;
    default:
      break;
  }
  return op;
}

}  // namespace

LogicalPtr ChooseJoinSides(LogicalPtr plan) { return Visit(std::move(plan)); }

}  // namespace aishell
