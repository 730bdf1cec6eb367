#include "exec/physical_planner.h"

#include <algorithm>
#include <cstdint>

#include "common/exception.h"
#include "exec/operator/join/lookup_join.h"
#include "exec/operator/operators.h"

namespace aishell {

PhysicalPtr PhysicalPlanner::Plan(const LogicalOperator& root) {
  return Serialize(PlanNode(root), true);
}

PhysicalPtr PhysicalPlanner::Serialize(PhysicalPtr op, bool in_order) {
  if (threads_ > 1 && op->IsParallel()) {
    bool scan_order = in_order && keep_scan_order_ && ExchangeCanKeepScanOrder(*op);
    return MakeExchangeOperator(std::move(op), scan_order);
  }
  return op;
}

namespace {

void CollectScans(const LogicalOperator& op, std::vector<std::string>& out) {
  if (op.kind == LogicalOpKind::kScan) {
    const auto& scan = static_cast<const LogicalScan&>(op);
    std::string name = scan.catalog_name;
    if (scan.table) {
      if (!name.empty()) name += ".";
      if (!scan.table->schema.empty()) name += scan.table->schema + ".";
      name += scan.table->name;
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  for (const auto& c : op.children)
    if (c) CollectScans(*c, out);
}

std::string JoinList(const std::vector<std::string>& items, size_t max_items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max_items; i++) out += (i ? ", " : "") + items[i];
  if (items.size() > max_items) out += " and " + std::to_string(items.size() - max_items) + " more";
  return out;
}

}  // namespace

PhysicalPtr PhysicalPlanner::Optional(PhysicalPtr input, const LogicalOperator& logical,
                                      const char* role) {
  if (!continue_on_source_failure_) return input;
  std::vector<std::string> tables;
  CollectScans(logical, tables);
  if (tables.empty()) return input;
  std::string sources = JoinList(tables, 4);
  std::string missing;
  if (std::string(role).find("UNION") != std::string::npos) {
    missing = sources + ": its rows in the " + role + " (rows read before the failure are kept)";
  } else {
    std::vector<std::string> columns;
    for (const auto& c : logical.output) columns.push_back(c.name);
    missing =
        sources + ": " +
        (columns.empty() ? std::string("its rows")
                         : "column" + std::string(columns.size() > 1 ? "s " : " ") +
                               JoinList(columns, 8) + " are NULL where its rows were not read");
  }
  return MakeSourceFailureGuard(std::move(input), sources, missing);
}

PhysicalPtr PhysicalPlanner::PlanNode(const LogicalOperator& op) {
  PhysicalPtr p = PlanNodeImpl(op);
  if (p) nodes_[&op] = p.get();
  return p;
}

PhysicalPtr PhysicalPlanner::PlanNodeImpl(const LogicalOperator& op) {
  auto child = [&](size_t i) -> PhysicalPtr {
    if (op.children.size() <= i || !op.children[i]) {
      throw Error(ErrorKind::kInternal,
                  "plan node '" + op.Describe() + "' is missing input " + std::to_string(i));
    }
    return PlanNode(*op.children[i]);
  };
  switch (op.kind) {
    case LogicalOpKind::kScan: {
      auto p = MakeTableScanOperator(static_cast<const LogicalScan&>(op));
      scans_.push_back(p.get());
      return p;
    }
    case LogicalOpKind::kFilter: {
      const auto& f = static_cast<const LogicalFilter&>(op);
      if (!f.predicate) return child(0);
      return MakeFilterOperator(child(0), f.predicate);
    }
    case LogicalOpKind::kProject: {
      const auto& p = static_cast<const LogicalProject&>(op);
      return MakeProjectionOperator(child(0), p.exprs, p.OutputTypes());
    }
    case LogicalOpKind::kAggregate:
      return MakeHashAggregateOperator(child(0), static_cast<const LogicalAggregate&>(op));
    case LogicalOpKind::kJoin: {
      const auto& j = static_cast<const LogicalJoin&>(op);
      if (const auto* lookup = dynamic_cast<const LogicalLookupJoin*>(&j)) {
        // Only the driving input runs as operators; the other side is fetched by key.
        auto p =
            MakeLookupJoinOperator(Serialize(child(lookup->lookup_side == 1 ? 0 : 1)), *lookup);
        scans_.push_back(p.get());  // its key fetches report progress as a step
        return p;
      }
      // RIGHT and FULL joins probe in parallel too (the last probe emits the unmatched rows).
      PhysicalPtr left = child(0);
      PhysicalPtr right = child(1);
      const char* role = "outer join";
      if (j.join_type == JoinType::kLeft || j.join_type == JoinType::kFull)
        right = Optional(std::move(right), *op.children[1], role);
      if (j.join_type == JoinType::kRight || j.join_type == JoinType::kFull)
        left = Optional(std::move(left), *op.children[0], role);
      return MakeHashJoinOperator(std::move(left), std::move(right), j);
    }
    case LogicalOpKind::kSort: {
      const auto& s = static_cast<const LogicalSort&>(op);
      return MakeSortOperator(child(0), s.keys, -1);
    }
    case LogicalOpKind::kLimit: {
      const auto& l = static_cast<const LogicalLimit&>(op);
      if (l.limit >= 0 && !op.children.empty() && op.children[0] &&
          op.children[0]->kind == LogicalOpKind::kSort) {
        const auto& s = static_cast<const LogicalSort&>(*op.children[0]);
        PhysicalPtr input = PlanNode(*s.children.at(0));
        int64_t keep = l.limit > INT64_MAX - l.offset ? -1 : l.limit + l.offset;
        PhysicalPtr top = MakeSortOperator(std::move(input), s.keys, keep);
        if (l.offset == 0) return top;
        return MakeLimitOperator(std::move(top), l.limit, l.offset);
      }
      return MakeLimitOperator(Serialize(child(0), true), l.limit, l.offset);
    }
    case LogicalOpKind::kWindow:
      return MakeWindowOperator(child(0), static_cast<const LogicalWindow&>(op));
    case LogicalOpKind::kUnnest: {
      const auto& u = static_cast<const LogicalUnnest&>(op);
      return MakeUnnestOperator(child(0), u.arrays, u.ordinality, u.outer, u.OutputTypes());
    }
    case LogicalOpKind::kSetOperation: {
      const auto& s = static_cast<const LogicalSetOperation&>(op);
      PhysicalPtr left = child(0);
      PhysicalPtr right = child(1);
      if (s.set_op == SetOpKind::kUnion) {  // a branch that is lost only loses its rows
        const char* role = s.all ? "UNION ALL" : "UNION";
        left = Optional(std::move(left), *op.children[0], role);
        right = Optional(std::move(right), *op.children[1], role);
      }
      if (!(s.set_op == SetOpKind::kUnion && s.all)) {
        left = Serialize(std::move(left));
        right = Serialize(std::move(right));
      } else if (left->IsParallel() != right->IsParallel()) {
        left = Serialize(std::move(left));
        right = Serialize(std::move(right));
      }
      return MakeSetOperator(std::move(left), std::move(right), s);
    }
    case LogicalOpKind::kValues:
      return MakeValuesOperator(static_cast<const LogicalValues&>(op));
    case LogicalOpKind::kInsert:
      return MakeInsertOperator(child(0), static_cast<const LogicalInsert&>(op));
  }
  throw Error(ErrorKind::kInternal, "unknown logical operator");
}

}  // namespace aishell
