// The lookup join operator and dynamic-filter helper (see planner/optimizer/lookup_join.h).
#pragma once

#include <string>
#include <vector>

#include "exec/physical_operator.h"
#include "planner/optimizer/lookup_join.h"

namespace aishell {

// Runs `driving` (the join input that is not looked up; serial), and for every
// join.batch_size distinct non-NULL keys fetches the matching rows of join.scan with
// TableScan::LookupKeys (keys cast to the looked-up columns' types; a key that does not convert
// cannot match and is not asked for), applies join.scan_filter and join.projection to them, and
// joins that round's driving rows with them by a hash join with the original join's keys,
// condition and type. Every driving row is in exactly one round, and a round fetches every row
// whose key equals one of its keys, so the union of the rounds is the join.
PhysicalPtr MakeLookupJoinOperator(PhysicalPtr driving, const LogicalLookupJoin& join);

// Offers the distinct keys of a finished hash join build to its probe scans. `build` holds the
// build rows, `key_rows` one build row per distinct key, `build_keys` the build key expressions
// (over `build`). Returns a summary for EXPLAIN ANALYZE ("" if nothing was offered).
std::string OfferDynamicFilters(const std::vector<DynamicFilterTarget>& targets, int64_t max_keys,
                                const Batch& build, const std::vector<uint32_t>& key_rows,
                                const std::vector<ExprPtr>& build_keys);

}  // namespace aishell
