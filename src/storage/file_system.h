// Storage: one interface for reading and writing files wherever they live, so that formats
// (Parquet, Avro, JSON metadata) and table formats (Iceberg) never care whether a path is a
// local file or an object in S3-compatible storage.
//
//   FileSystemForPath(path, options) picks the implementation by scheme:
//     /abs/path, relative/path, file:///abs/path  -> LocalFileSystem (local_file_system.cpp)
//     s3://bucket/key, s3a://..., s3n://...       -> S3FileSystem   (s3_file_system.cpp)
//
// Errors are aishell::Error(kIo, ...) naming the path (never a secret) and what went wrong.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace aishell {

// Storage settings, with pyiceberg's property names:
//   s3.endpoint, s3.access-key-id, s3.secret-access-key, s3.session-token, s3.region,
//   s3.path-style-access (true/false).
// Missing S3 credentials fall back to AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN / AWS_REGION (or AWS_DEFAULT_REGION) / AWS_ENDPOINT_URL.
using StorageOptions = std::map<std::string, std::string>;

struct FileInfo {
  std::string path;  // as given to / returned by the file system (same scheme)
  int64_t size = -1;
  int64_t mtime_ns = 0;
  bool is_directory = false;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  virtual const std::string& path() const = 0;
  virtual int64_t Size() = 0;
  // Reads exactly `length` bytes at `offset` into `out`; throws Error(kIo) naming the path on a
  // short read or failure. Thread-safe: several threads may read one file at once.
  virtual void ReadAt(int64_t offset, int64_t length, uint8_t* out) = 0;
  // The whole content if the file is memory-mapped (local files), else nullptr. Readers use it
  // as a zero-copy fast path.
  virtual const uint8_t* MappedData() { return nullptr; }
  // Convenience: the whole file (or a range) as a string.
  std::string ReadAll();
  std::string ReadRange(int64_t offset, int64_t length);
};

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual void Append(const void* data, size_t size) = 0;
  void Append(const std::string& data) { Append(data.data(), data.size()); }
  // Makes the file visible with everything appended. Without Close, the file does not appear
  // (local: written to a temporary name and renamed; S3: uploaded on Close).
  virtual void Close() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual std::string Scheme() const = 0;  // "file", "s3"
  virtual std::shared_ptr<RandomAccessFile> OpenForRead(const std::string& path) = 0;
  // Creates or replaces `path` (visible at Close). Parent directories are created as needed.
  virtual std::unique_ptr<WritableFile> OpenForWrite(const std::string& path) = 0;
  // Writes `data` to `path` only if `path` does not exist yet; returns false if it existed.
  // Atomic with respect to other writers (local: link(2); S3: conditional PUT If-None-Match).
  // This is the commit primitive of the filesystem (Hadoop-style) Iceberg catalog.
  virtual bool WriteIfAbsent(const std::string& path, const std::string& data) = 0;
  // size -1 when the file does not exist.
  virtual FileInfo Stat(const std::string& path) = 0;
  bool Exists(const std::string& path) { return Stat(path).size >= 0; }
  // Files (and, non-recursively, directories) under the directory or prefix `path`, sorted.
  virtual std::vector<FileInfo> List(const std::string& path, bool recursive) = 0;
  // Deletes a file; no error if it does not exist.
  virtual void Delete(const std::string& path) = 0;
};

// The file system for a path (by scheme). Throws Error(kIo) for an unknown scheme.
std::shared_ptr<FileSystem> FileSystemForPath(const std::string& path,
                                              const StorageOptions& options = {});
// True for s3://, s3a://, s3n:// paths.
bool IsObjectStorePath(const std::string& path);
// Joins a directory (or prefix) and a relative name with exactly one '/'.
std::string JoinPath(const std::string& dir, const std::string& name);
// "file:///a/b" -> "/a/b"; other paths unchanged.
std::string StripFileScheme(const std::string& path);

// Implemented in s3_file_system.cpp (storage owner). Until then it throws kUnsupported.
std::shared_ptr<FileSystem> CreateS3FileSystem(const StorageOptions& options);

}  // namespace aishell
