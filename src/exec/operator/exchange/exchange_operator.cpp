// Runs a parallel pipeline on every worker thread and queues its batches for one consumer, as
// they come or (scan order) in the order of the table scan the pipeline reads.
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "common/exception.h"
#include "exec/operator/operators.h"

namespace aishell {

namespace {

// The table scan at the bottom of a chain of KeepsRowOrder() operators, or nullptr.
const PhysicalOperator* ScanUnderOrderKeepingChain(const PhysicalOperator& op) {
  const PhysicalOperator* p = &op;
  while (p->KeepsRowOrder() && !p->children.empty() && p->children[0]) p = p->children[0].get();
  return IsTableScanOperator(*p) ? p : nullptr;
}

class ExchangeOperator : public PhysicalOperator {
 public:
  ExchangeOperator(PhysicalPtr child, bool scan_order)
      : PhysicalOperator("Exchange", child->types()) {
    if (scan_order) scan_ = ScanUnderOrderKeepingChain(*child);
    children.push_back(std::move(child));
  }
  ~ExchangeOperator() override { Stop(); }

  std::string Describe() const override {
    return "Exchange (" + std::to_string(workers_) + " workers" + (scan_ ? ", scan order" : "") +
           ")";
  }

 protected:
  bool GetNext(OperatorState&, Batch& out) override {
    if (!started_) Start();
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      if (error_) {
        auto e = error_;
        lock.unlock();
        Stop();
        std::rethrow_exception(e);
      }
      if (scan_) {
        // The first batch in scan order, once no earlier split can still add a batch before it.
        AdvanceLowestOpenSplit();
        if (!ordered_.empty() &&
            (std::get<0>(ordered_.begin()->first) <= lowest_open_ || running_ == 0)) {
          out = std::move(ordered_.begin()->second);
          ordered_.erase(ordered_.begin());
          not_full_.notify_all();
          return true;
        }
        if (running_ == 0 && ordered_.empty()) return false;
      } else {
        if (!queue_.empty()) {
          out = std::move(queue_.front());
          queue_.pop_front();
          not_full_.notify_one();
          return true;
        }
        if (running_ == 0) return false;
      }
      not_empty_.wait(lock);
    }
  }

 private:
  using OrderKey = std::tuple<size_t, uint64_t, uint64_t>;  // split, batch, part of a batch

  void Start() {
    started_ = true;
    workers_ = ctx_ ? ctx_->threads : 1;
    running_ = workers_;
    for (int w = 0; w < workers_; w++) {
      threads_.emplace_back([this] { Work(); });
    }
  }

  void Work() {
    try {
      auto state = children[0]->CreateState();
      OrderKey last{0, 0, 0};
      bool any = false;
      while (!stop_.load(std::memory_order_relaxed)) {
        Batch batch;
        if (!children[0]->Next(*state, batch)) break;
        std::unique_lock<std::mutex> lock(mutex_);
        if (scan_) {
          const ScanBatchOrigin origin = ThisThreadScanBatchOrigin();
          // Filters and projections run on the thread that pulled their input, with no other
          // scan in between (subqueries are joins by now).
          if (origin.scan != scan_)
            throw Error(ErrorKind::kInternal, "an ordered exchange lost its scan's batch order");
          OrderKey key{origin.split, origin.sequence, 0};
          if (any && std::get<0>(key) == std::get<0>(last) && std::get<1>(key) == std::get<1>(last))
            std::get<2>(key) = std::get<2>(last) + 1;
          last = key;
          any = true;
          not_full_.wait(lock, [&] { return stop_.load() || MayBuffer(origin.split); });
          if (stop_.load()) break;
          ordered_.emplace(key, std::move(batch));
          not_empty_.notify_one();
          not_full_.notify_all();  // the lowest open split may have moved on
        } else {
          not_full_.wait(lock, [&] { return queue_.size() < kCapacity || stop_.load(); });
          if (stop_.load()) break;
          queue_.push_back(std::move(batch));
          not_empty_.notify_one();
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
      stop_ = true;
      not_full_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    running_--;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  // Under mutex_. Splits are read to their end one by one, each by one thread, in index order.
  // When the lowest open split moves on (a thread finished it inside the child's Next, without
  // the lock), the consumer may have batches ready and another thread may now hold the lowest
  // split: both are woken.
  void AdvanceLowestOpenSplit() {
    size_t before = lowest_open_;
    while (TableScanSplitDone(*scan_, lowest_open_)) lowest_open_++;
    if (lowest_open_ != before) {
      not_empty_.notify_all();
      not_full_.notify_all();
    }
  }

  // Under mutex_: whether a batch of `split` may be buffered now. The lowest open split's batches
  // are the next to go out, so its thread waits only while kOrderedCapacity batches are ready for
  // the consumer; the other threads wait while the buffer holds kOrderedCapacity batches in all.
  // Never both: the consumer waits only when nothing is ready, and then the lowest split's thread
  // may go on.
  bool MayBuffer(size_t split) {
    AdvanceLowestOpenSplit();
    if (split > lowest_open_) return ordered_.size() < kOrderedCapacity;
    size_t ready = 0;
    for (auto it = ordered_.begin(); it != ordered_.end() && std::get<0>(it->first) <= lowest_open_;
         ++it)
      ready++;
    return ready < kOrderedCapacity;
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      not_full_.notify_all();
    }
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

  static constexpr size_t kCapacity = 8;
  static constexpr size_t kOrderedCapacity = 32;
  const PhysicalOperator* scan_ = nullptr;  // set in scan-order mode
  bool started_ = false;
  int workers_ = 0;
  int running_ = 0;
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Batch> queue_;
  std::map<OrderKey, Batch> ordered_;  // scan order: batches by (split, batch, part)
  size_t lowest_open_ = 0;             // scan order: the lowest split not yet read to its end
  std::vector<std::thread> threads_;
};

}  // namespace

PhysicalPtr MakeExchangeOperator(PhysicalPtr child, bool scan_order) {
  return std::make_unique<ExchangeOperator>(std::move(child), scan_order);
}

bool ExchangeCanKeepScanOrder(const PhysicalOperator& child) {
  return ScanUnderOrderKeepingChain(child) != nullptr;
}

}  // namespace aishell
