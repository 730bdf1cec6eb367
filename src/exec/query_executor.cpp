#include "exec/query_executor.h"

#include <cstdio>
#include <map>
#include <mutex>

#include "common/exception.h"
#include "exec/operator/operators.h"
#include "exec/physical_planner.h"

namespace aishell {

struct QueryExecutor::Impl {
  explicit Impl(ExecutionOptions options) : ctx(options) {}
  ExecContext ctx;
  LogicalPtr plan;
  std::vector<const PhysicalOperator*> scans;
  std::map<const LogicalOperator*, const PhysicalOperator*> nodes;
  PhysicalPtr root;
  std::unique_ptr<OperatorState> state;
  bool prepared = false;
  bool finished = false;
};

QueryExecutor::QueryExecutor(LogicalPtr plan, ExecutionOptions options)
    : impl_(std::make_unique<Impl>(options)) {
  if (!plan) throw Error(ErrorKind::kInternal, "no plan to execute");
  impl_->plan = std::move(plan);
  PhysicalPlanner planner(impl_->ctx.threads, impl_->ctx.options.preserve_insertion_order,
                          impl_->ctx.options.continue_on_source_failure);
  impl_->root = planner.Plan(*impl_->plan);
  impl_->scans = planner.scans();
  impl_->nodes = planner.nodes();
}

QueryExecutor::~QueryExecutor() = default;

bool QueryExecutor::Next(Batch& out) {
  Impl& d = *impl_;
  if (d.finished) return false;
  if (!d.prepared) {
    d.ctx.CheckInterrupted();
    d.prepared = true;
    d.root->Prepare(d.ctx);
    d.state = d.root->CreateState();
  }
  while (true) {
    Batch b;
    if (!d.root->Next(*d.state, b)) {
      d.finished = true;
      return false;
    }
    if (b.count == 0) continue;
    out = std::move(b);
    return true;
  }
}

namespace {
void Render(const PhysicalOperator& op, int depth, std::string& out) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "  (rows=%lld, time=%.3f ms)",
                static_cast<long long>(op.rows_produced()), static_cast<double>(op.nanos()) / 1e6);
  out += std::string(static_cast<size_t>(depth) * 2, ' ') + op.Describe() + buf + "\n";
  for (const auto& c : op.children) Render(*c, depth + 1, out);
}
}  // namespace

std::string QueryExecutor::ExplainAnalyze() const {
  std::string out;
  Render(*impl_->root, 0, out);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "peak memory: %s, threads: %d\n",
                FormatBytes(PeakMemory()).c_str(), impl_->ctx.threads);
  out += buf;
  if (SpilledBytes() > 0) out += "spilled to disk: " + FormatBytes(SpilledBytes()) + "\n";
  return out;
}

std::vector<SourceProgress> QueryExecutor::Progress() const {
  std::vector<SourceProgress> result;
  for (const auto* s : impl_->scans) result.push_back(TableScanProgress(*s));
  return result;
}

std::optional<StepActual> QueryExecutor::ActualsOf(const LogicalOperator& node) const {
  auto it = impl_->nodes.find(&node);
  if (it == impl_->nodes.end() || !it->second) return std::nullopt;
  StepActual stats;
  it->second->FillStats(stats);
  return stats;
}

int64_t QueryExecutor::PeakMemory() const { return impl_->ctx.memory.peak(); }

int64_t QueryExecutor::SpilledBytes() const { return impl_->ctx.spill.bytes_written(); }

std::vector<std::string> QueryExecutor::Warnings() const { return impl_->ctx.Warnings(); }

}  // namespace aishell
