// Per-query memory accounting: hash tables, sort buffers and collected batches report their
// bytes here; going over the limit fails the query with kOutOfMemory (the process never dies).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace aishell {

class MemoryTracker {
 public:
  explicit MemoryTracker(int64_t limit) : limit_(limit) {}

  // Adds `bytes`; throws Error(kOutOfMemory) naming `what` when the total exceeds the limit
  // (the bytes are released again before throwing). Bytes held by operators that can spill
  // (reservations that used TryResize or ForceResize) do not count here: those operators give
  // way by spilling, so an operator that cannot spill still has the whole limit, and the query
  // holds at most about twice max_memory.
  void Consume(int64_t bytes, const char* what);
  void Release(int64_t bytes);
  // Adds `bytes` when the total stays within the limit and returns true; otherwise adds nothing
  // and returns false (an operator that can spill to disk then does so).
  bool TryConsume(int64_t bytes);
  // Adds `bytes` without checking the limit (a spilling operator's bounded overshoot).
  void ForceConsume(int64_t bytes);
  // Appended to the out-of-memory message, e.g. how to turn spilling on.
  void SetHint(std::string hint) { hint_ = std::move(hint); }
  // Bytes held by spilling operators' reservations (see Consume).
  void AddSpillable(int64_t delta) { spillable_.fetch_add(delta, std::memory_order_relaxed); }

  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }

 private:
  void UpdatePeak(int64_t now);

  int64_t limit_;
  std::string hint_;
  std::atomic<int64_t> used_{0};
  std::atomic<int64_t> peak_{0};
  std::atomic<int64_t> spillable_{0};
};

// "1.0 GiB", "512.0 MiB", "12 bytes".
std::string FormatBytes(int64_t bytes);

// Holds a share of the tracker and gives it back on destruction.
class MemoryReservation {
 public:
  MemoryReservation() = default;
  MemoryReservation(MemoryTracker* tracker, const char* what) : tracker_(tracker), what_(what) {}
  ~MemoryReservation() { Reset(); }
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;
  MemoryReservation(MemoryReservation&& o) noexcept { *this = std::move(o); }
  MemoryReservation& operator=(MemoryReservation&& o) noexcept {
    if (this != &o) {
      Reset();
      tracker_ = o.tracker_;
      what_ = o.what_;
      bytes_ = o.bytes_;
      spillable_ = o.spillable_;
      o.bytes_ = 0;
    }
    return *this;
  }

  // Sets the reserved amount to `bytes` (grows or shrinks).
  void Resize(int64_t bytes);
  void Grow(int64_t delta) { Resize(bytes_ + delta); }
  void Reset() { Resize(0); }
  // Resize within the limit: false (and nothing changed) when growing would exceed it. Marks
  // the reservation as one of an operator that can spill (see MemoryTracker::Consume).
  bool TryResize(int64_t bytes);
  // Resize without checking the limit.
  void ForceResize(int64_t bytes);
  int64_t bytes() const { return bytes_; }

 private:
  MemoryTracker* tracker_ = nullptr;
  const char* what_ = "";
  void MarkSpillable();

  int64_t bytes_ = 0;
  bool spillable_ = false;
};

}  // namespace aishell
