// Physical operators: vectorized, pull-based, Batch in / Batch out. An operator that reports
// IsParallel() may be pulled by several threads at once, each with its own OperatorState (scans
// hand out splits, filters/projections/join probes are per-thread); blocking work (join builds,
// aggregation, sorting) runs in Prepare(), which consumes the children with all workers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/vector.h"
#include "exec/memory_tracker.h"
#include "exec/query_executor.h"
#include "exec/spill_file.h"
#include "expr/expression.h"
#include "planner/plan_steps.h"

namespace aishell {

struct ExecContext {
  ExecContext(const ExecutionOptions& opts)
      : options(opts),
        memory(opts.max_memory),
        spill(SpillOptions{opts.spill, opts.spill_path, opts.spill_max_bytes}),
        threads(opts.threads < 1 ? 1 : opts.threads) {
    // Only reservations of operators that cannot spill throw (MemoryTracker::Consume).
    memory.SetHint(opts.spill ? "; this step does not spill to disk (federation.spill covers GROUP "
                                "BY, ORDER BY and equi-joins)"
                              : ", or turn on spilling to disk with SET SESSION spill = true "
                                "(federation.spill)");
  }
  ExecutionOptions options;
  MemoryTracker memory;
  SpillManager spill;
  int threads;
  // Throws Error(kInterrupted) when the query was cancelled.
  void CheckInterrupted() const;
  // Warnings for the result, e.g. a source that failed under on_source_failure = continue.
  // Thread-safe; a repeated warning is kept once.
  void AddWarning(const std::string& warning);
  std::vector<std::string> Warnings() const;

 private:
  mutable std::mutex warnings_mutex_;
  std::vector<std::string> warnings_;
};

struct OperatorState {
  virtual ~OperatorState() = default;
};

class PhysicalOperator {
 public:
  PhysicalOperator(std::string name, std::vector<LogicalType> types)
      : name_(std::move(name)), types_(std::move(types)) {}
  virtual ~PhysicalOperator() = default;

  // Prepares the children (PrepareChildren), then runs this operator's blocking work (Build,
  // timed). Called once, on one thread.
  void Prepare(ExecContext& ctx);
  // Whether several threads may call Next concurrently, each with its own state.
  virtual bool IsParallel() const { return false; }
  // Whether every output batch comes from one input batch of child 0, its rows in their input
  // order, on the thread that pulled that input (filters, projections): an Exchange above a chain
  // of these over a table scan can hand batches on in scan order.
  virtual bool KeepsRowOrder() const { return false; }
  virtual std::unique_ptr<OperatorState> CreateState() { return std::make_unique<OperatorState>(); }
  // The next batch (count > 0), or false at the end. Checks for cancellation; counts rows/time.
  bool Next(OperatorState& state, Batch& out);

  // One line for EXPLAIN ANALYZE (without children and counters).
  virtual std::string Describe() const { return name_; }

  const std::string& name() const { return name_; }
  const std::vector<LogicalType>& types() const { return types_; }
  int64_t rows_produced() const { return rows_out_.load(std::memory_order_relaxed); }
  int64_t nanos() const { return nanos_.load(std::memory_order_relaxed); }
  int64_t batches_produced() const { return batches_out_.load(std::memory_order_relaxed); }
  // What this operator did for EXPLAIN ANALYZE's steps, after the run: rows, time and batches
  // produced; an operator that reads a source adds bytes and round trips (and may say that the
  // rows of its step are those it fetched).
  virtual void FillStats(StepActual& stats) const;
  // An operator that reads a source (a table scan, a lookup join's key fetches) fills `progress`
  // and returns true; safe to call from another thread while the query runs.
  virtual bool ReportProgress(SourceProgress& progress) const { return false; }
  void AddNanos(int64_t n) { nanos_.fetch_add(n, std::memory_order_relaxed); }

  std::vector<std::unique_ptr<PhysicalOperator>> children;

 protected:
  virtual bool GetNext(OperatorState& state, Batch& out) = 0;
  // Blocking work run once after the children are prepared: join builds, aggregation, sorting.
  virtual void Build(ExecContext& ctx) {}
  // Prepares every child; an operator that may absorb its input's failure overrides it.
  virtual void PrepareChildren(ExecContext& ctx) {
    for (auto& c : children) c->Prepare(ctx);
  }

  ExecContext* ctx_ = nullptr;
  std::string name_;
  std::vector<LogicalType> types_;

 private:
  std::atomic<int64_t> rows_out_{0};
  std::atomic<int64_t> nanos_{0};
  std::atomic<int64_t> batches_out_{0};
};

using PhysicalPtr = std::unique_ptr<PhysicalOperator>;

// Pulls every batch of `child` and hands it to `consume(worker, batch)`, with one worker per
// thread when the child is parallel (worker 0 runs on the calling thread). The first error of
// any worker stops the others and is rethrown here. Returns the number of workers used.
int RunParallel(ExecContext& ctx, PhysicalOperator& child,
                const std::function<void(int)>& init_worker,
                const std::function<void(int worker, Batch& batch)>& consume);
// Workers RunParallel would use for `child`.
int WorkerCount(ExecContext& ctx, const PhysicalOperator& child);

// Expression helpers with fast paths for column references and constants.
Vector EvaluateExpr(const Expr& expr, const Batch& input);
// Rows where `predicate` is TRUE; `sel` is resized to hold them. Returns the count.
size_t SelectRows(const Expr& predicate, const Batch& input, std::vector<uint32_t>& sel);
// Appends rows [offset, offset+count) of `src` to the flat vector `dst`, with correct validity
// for the new rows. (Vector::Append alone leaves rows that land in a grown validity bitmap
// marked NULL, since Buffer::Reserve zero-fills.)
void AppendRows(Vector& dst, const Vector& src, size_t offset, size_t count);
// A vector of `count` NULLs of `type`.
Vector NullVector(const LogicalType& type, size_t count);

}  // namespace aishell
