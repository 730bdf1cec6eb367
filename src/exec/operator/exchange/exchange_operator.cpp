// Runs a parallel pipeline on every worker thread and queues its batches for one consumer.
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "exec/operator/operators.h"

namespace aishell {

namespace {

class ExchangeOperator : public PhysicalOperator {
 public:
  explicit ExchangeOperator(PhysicalPtr child) : PhysicalOperator("Exchange", child->types()) {
    children.push_back(std::move(child));
  }
  ~ExchangeOperator() override { Stop(); }

  std::string Describe() const override {
    return "Exchange (" + std::to_string(workers_) + " workers)";
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
      if (!queue_.empty()) {
        out = std::move(queue_.front());
        queue_.pop_front();
        not_full_.notify_one();
        return true;
      }
      if (running_ == 0) return false;
      not_empty_.wait(lock);
    }
  }

 private:
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
      while (!stop_.load(std::memory_order_relaxed)) {
        Batch batch;
        if (!children[0]->Next(*state, batch)) break;
        std::unique_lock<std::mutex> lock(mutex_);
        not_full_.wait(lock, [&] { return queue_.size() < kCapacity || stop_.load(); });
        if (stop_.load()) break;
        queue_.push_back(std::move(batch));
        not_empty_.notify_one();
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
  bool started_ = false;
  int workers_ = 0;
  int running_ = 0;
  std::atomic<bool> stop_{false};
  std::exception_ptr error_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Batch> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace

PhysicalPtr MakeExchangeOperator(PhysicalPtr child) {
  return std::make_unique<ExchangeOperator>(std::move(child));
}

}  // namespace aishell
