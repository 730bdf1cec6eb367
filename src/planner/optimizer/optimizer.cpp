#include "planner/optimizer/optimizer.h"

namespace aishell {

LogicalPtr Optimize(LogicalPtr plan, const PlannerOptions& options) {
  plan = FoldConstants(std::move(plan));
  plan = PushDownFilters(std::move(plan));
  plan = ExtractJoinKeys(std::move(plan));
  plan = PushDownLimits(std::move(plan));
  plan = PruneColumns(std::move(plan));
  EstimateCardinality(*plan);
  plan = ChooseJoinSides(std::move(plan));
  plan = NegotiateScans(std::move(plan), options);
  plan = PushDownRemoteJoins(std::move(plan), options);
  plan = PushDownAggregations(std::move(plan), options);
  plan = MergeProjections(std::move(plan));
  plan = RemoveIdentityProjections(std::move(plan));
  EstimateCardinality(*plan);
  return plan;
}

}  // namespace aishell
