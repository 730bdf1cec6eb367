#include "exec/physical_operator.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include "common/exception.h"
#include "expr/expression_executor.h"

namespace aishell {

void ExecContext::CheckInterrupted() const {
  if (options.cancelled && options.cancelled->load(std::memory_order_relaxed)) {
    throw Error(ErrorKind::kInterrupted, "query was cancelled");
  }
}

void ExecContext::AddWarning(const std::string& warning) {
  std::lock_guard<std::mutex> lock(warnings_mutex_);
  for (const auto& w : warnings_)
    if (w == warning) return;
  warnings_.push_back(warning);
}

std::vector<std::string> ExecContext::Warnings() const {
  std::lock_guard<std::mutex> lock(warnings_mutex_);
  return warnings_;
}

void PhysicalOperator::Prepare(ExecContext& ctx) {
  ctx_ = &ctx;
  PrepareChildren(ctx);
  ctx.CheckInterrupted();
  auto start = std::chrono::steady_clock::now();
  Build(ctx);
  nanos_.fetch_add(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count(),
      std::memory_order_relaxed);
}

bool PhysicalOperator::Next(OperatorState& state, Batch& out) {
  if (ctx_) ctx_->CheckInterrupted();
  auto start = std::chrono::steady_clock::now();
  bool ok = GetNext(state, out);
  auto end = std::chrono::steady_clock::now();
  nanos_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count(),
                   std::memory_order_relaxed);
  if (ok) {
    rows_out_.fetch_add(static_cast<int64_t>(out.count), std::memory_order_relaxed);
    batches_out_.fetch_add(1, std::memory_order_relaxed);
  }
  return ok;
}

void PhysicalOperator::FillStats(StepActual& stats) const {
  stats.rows = rows_produced();
  // Time is counted with the inputs pulled (and built) inside: the step's own is the rest.
  int64_t own = nanos();
  for (const auto& c : children)
    if (c) own -= c->nanos();
  stats.seconds = static_cast<double>(std::max<int64_t>(own, 0)) / 1e9;
  stats.batches = batches_produced();
}

int WorkerCount(ExecContext& ctx, const PhysicalOperator& child) {
  return child.IsParallel() ? ctx.threads : 1;
}

int RunParallel(ExecContext& ctx, PhysicalOperator& child,
                const std::function<void(int)>& init_worker,
                const std::function<void(int worker, Batch& batch)>& consume) {
  int workers = WorkerCount(ctx, child);
  if (init_worker) {
    for (int w = 0; w < workers; w++) init_worker(w);
  }
  if (workers == 1) {
    auto state = child.CreateState();
    Batch batch;
    while (child.Next(*state, batch)) {
      consume(0, batch);
      batch = Batch();
    }
    return 1;
  }
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](int w) {
    try {
      auto state = child.CreateState();
      Batch batch;
      while (!failed.load(std::memory_order_relaxed) && child.Next(*state, batch)) {
        consume(w, batch);
        batch = Batch();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  try {
    for (int w = 1; w < workers; w++) threads.emplace_back(work, w);
  } catch (...) {
    failed = true;
    for (auto& t : threads) t.join();
    throw Error(ErrorKind::kExecution, "cannot start worker threads");
  }
  work(0);
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  return workers;
}

void AppendRows(Vector& dst, const Vector& src, size_t offset, size_t count) {
  size_t start = dst.size();
  dst.Append(src, offset, count);
  if (!dst.MayHaveNulls() || count == 0) return;
  UnifiedView view = src.View();
  uint64_t* bits = dst.MutableValidity();
  for (size_t i = 0; i < count; i++) {
    size_t k = start + i;
    if (view.IsValid(offset + i))
      bits[k >> 6] |= uint64_t{1} << (k & 63);
    else
      bits[k >> 6] &= ~(uint64_t{1} << (k & 63));
  }
}

Vector NullVector(const LogicalType& type, size_t count) {
  return Vector::Constant(Value::Null(type), count);
}

Vector EvaluateExpr(const Expr& expr, const Batch& input) {
  if (expr.kind == ExprKind::kColumnRef && expr.column_index >= 0 &&
      static_cast<size_t>(expr.column_index) < input.columns.size() &&
      input.columns[expr.column_index].type() == expr.type) {
    return input.columns[expr.column_index];
  }
  if (expr.kind == ExprKind::kConstant) {
    if (expr.value.is_null()) return NullVector(expr.type, input.count);
    if (expr.value.type() == expr.type) return Vector::Constant(expr.value, input.count);
  }
  return ExpressionExecutor::Evaluate(expr, input);
}

size_t SelectRows(const Expr& predicate, const Batch& input, std::vector<uint32_t>& sel) {
  if (sel.size() < input.count) sel.resize(input.count);
  if (predicate.kind == ExprKind::kConstant) {
    if (predicate.value.is_null() || !predicate.value.GetBool()) return 0;
    for (size_t i = 0; i < input.count; i++) sel[i] = static_cast<uint32_t>(i);
    return input.count;
  }
  return ExpressionExecutor::Select(predicate, input, sel.data());
}

}  // namespace aishell
