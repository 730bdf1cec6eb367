#include "exec/memory_tracker.h"

#include <cstdio>

#include "common/exception.h"

namespace aishell {

std::string FormatBytes(int64_t bytes) {
  char buf[64];
  const double b = static_cast<double>(bytes);
  if (bytes >= (1LL << 30))
    std::snprintf(buf, sizeof(buf), "%.1f GiB", b / (1LL << 30));
  else if (bytes >= (1LL << 20))
    std::snprintf(buf, sizeof(buf), "%.1f MiB", b / (1LL << 20));
  else if (bytes >= (1LL << 10))
    std::snprintf(buf, sizeof(buf), "%.1f KiB", b / (1LL << 10));
  else
    std::snprintf(buf, sizeof(buf), "%lld bytes", static_cast<long long>(bytes));
  return buf;
}

void MemoryTracker::Consume(int64_t bytes, const char* what) {
  int64_t now = used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (bytes > 0 && limit_ > 0 && now - spillable_.load(std::memory_order_relaxed) > limit_) {
    used_.fetch_sub(bytes, std::memory_order_relaxed);
    throw Error(ErrorKind::kOutOfMemory,
                "query exceeded the memory limit of " + FormatBytes(limit_) +
                    " (federation.max_memory) while " + what + " (usage would reach " +
                    FormatBytes(now) + "); raise it with SET SESSION max_memory" + hint_);
  }
  UpdatePeak(now);
}

bool MemoryTracker::TryConsume(int64_t bytes) {
  int64_t now = used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (bytes > 0 && limit_ > 0 && now > limit_) {
    used_.fetch_sub(bytes, std::memory_order_relaxed);
    return false;
  }
  UpdatePeak(now);
  return true;
}

void MemoryTracker::ForceConsume(int64_t bytes) {
  UpdatePeak(used_.fetch_add(bytes, std::memory_order_relaxed) + bytes);
}

void MemoryTracker::UpdatePeak(int64_t now) {
  int64_t p = peak_.load(std::memory_order_relaxed);
  while (now > p && !peak_.compare_exchange_weak(p, now, std::memory_order_relaxed)) {
  }
}

void MemoryTracker::Release(int64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

void MemoryReservation::Resize(int64_t bytes) {
  if (!tracker_ || bytes == bytes_) {
    if (!tracker_) bytes_ = bytes;
    return;
  }
  if (spillable_) {
    if (bytes > bytes_)
      tracker_->ForceConsume(bytes - bytes_);
    else
      tracker_->Release(bytes_ - bytes);
    tracker_->AddSpillable(bytes - bytes_);
  } else if (bytes > bytes_) {
    tracker_->Consume(bytes - bytes_, what_);
  } else {
    tracker_->Release(bytes_ - bytes);
  }
  bytes_ = bytes;
}

void MemoryReservation::MarkSpillable() {
  if (spillable_ || !tracker_) return;
  spillable_ = true;
  tracker_->AddSpillable(bytes_);
}

bool MemoryReservation::TryResize(int64_t bytes) {
  MarkSpillable();
  if (!tracker_ || bytes <= bytes_) {
    Resize(bytes);
    return true;
  }
  if (!tracker_->TryConsume(bytes - bytes_)) return false;
  tracker_->AddSpillable(bytes - bytes_);
  bytes_ = bytes;
  return true;
}

void MemoryReservation::ForceResize(int64_t bytes) {
  MarkSpillable();
  Resize(bytes);
}

}  // namespace aishell
