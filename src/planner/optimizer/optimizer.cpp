#include "planner/optimizer/optimizer.h"

#include "planner/optimizer/lookup_join.h"

namespace aishell {

LogicalPtr Optimize(LogicalPtr plan, const PlannerOptions& options,
                    std::vector<std::string>* notices) {
  plan = FoldConstants(std::move(plan));
  plan = ExtractCommonConjuncts(std::move(plan));
  plan = PushDownFilters(std::move(plan));
  plan = ReorderJoins(std::move(plan), options);
  plan = ExtractJoinKeys(std::move(plan));
  EstimateCardinality(*plan);
  plan = GuardCartesianProducts(std::move(plan), options, notices);  // before pruning: auto-fix
  plan = PushDownLimits(std::move(plan));
  plan = PruneColumns(std::move(plan));
  EstimateCardinality(*plan);
  plan = AggregateBelowJoins(std::move(plan), options);
  EstimateCardinality(*plan);
  plan = ChooseJoinSides(std::move(plan));
  plan = NegotiateScans(std::move(plan), options);
  plan = PushDownRemoteJoins(std::move(plan), options);
  plan = PushDownAggregations(std::move(plan), options);
  plan = MergeProjections(std::move(plan));
  plan = RemoveIdentityProjections(std::move(plan));
  EstimateCardinality(*plan);
  plan = PlanJoinStrategies(std::move(plan), options);  // lookup joins, dynamic filters
  return plan;
}

}  // namespace aishell
