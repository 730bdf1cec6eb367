// Spilling to disk: one serializer for Batch (every vector form and type, nested ones included)
// and the per-query spill directory. A spill file is unlinked right after it is created, so its
// bytes vanish when it is closed, even when the process is killed; the directory itself
// (federation.spill_path, default $TMPDIR/aishell-spill-<pid>-<n>) is removed when the query
// ends, fails or is cancelled, and directories of dead processes are swept at the next spill.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/vector.h"

namespace aishell {

// Appends the serialized form of `batch` (any vector kinds) to `out`.
void SerializeBatch(const Batch& batch, std::string& out);
// Reads a batch written by SerializeBatch from bytes [pos, size) of `data`, advancing `pos`;
// `types` are the columns' types. Throws Error(kIo) on truncated or malformed bytes.
Batch DeserializeBatch(const std::vector<LogicalType>& types, const uint8_t* data, size_t size,
                       size_t& pos);

class SpillManager;

// One temporary file of batches: written first, then read back in order (any number of times).
class SpillFile {
 public:
  SpillFile(SpillManager* manager, std::FILE* file) : manager_(manager), file_(file) {}
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  void Write(const Batch& batch);
  // Starts reading from the first batch.
  void Rewind();
  // The next batch, or false at the end.
  bool Read(const std::vector<LogicalType>& types, Batch& out);
  int64_t bytes() const { return bytes_; }
  int64_t batches() const { return batches_; }
  int64_t rows() const { return rows_; }

 private:
  SpillManager* manager_;
  std::FILE* file_;
  std::string buffer_;
  int64_t bytes_ = 0;
  int64_t batches_ = 0;
  int64_t rows_ = 0;
  bool reading_ = false;
};

struct SpillOptions {
  bool enabled = true;
  std::string path;       // directory for the spill directories; "" = $TMPDIR (or /tmp)
  int64_t max_bytes = 0;  // cap on the bytes one query spills; 0 = none
};

// The spill files of one query. Thread-safe.
class SpillManager {
 public:
  explicit SpillManager(SpillOptions options) : options_(std::move(options)) {}
  ~SpillManager();
  SpillManager(const SpillManager&) = delete;
  SpillManager& operator=(const SpillManager&) = delete;

  bool enabled() const { return options_.enabled; }
  // A new, empty spill file; creates the query's directory on first use. Throws Error(kIo)
  // naming the path when it cannot be created.
  std::unique_ptr<SpillFile> CreateFile();
  // Counts bytes written; throws Error(kOutOfMemory) naming federation.spill_max_size when the
  // query's spill exceeds it.
  void AddBytes(int64_t bytes);
  int64_t bytes_written() const { return bytes_.load(std::memory_order_relaxed); }
  // The query's spill directory ("" before the first spill).
  std::string directory() const;

 private:
  SpillOptions options_;
  mutable std::mutex mutex_;
  std::string directory_;
  std::atomic<int64_t> bytes_{0};
  uint64_t files_ = 0;
};

// Removes spill directories under `parent` left by processes that no longer run.
void SweepStaleSpillDirectories(const std::string& parent);

}  // namespace aishell
