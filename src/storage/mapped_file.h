// A read-only memory map of a whole file (empty files map to an empty range). Objects in S3
// (s3://, s3a://, s3n://) are read whole into memory instead.
#pragma once

#include <cstddef>
#include <string>

namespace aishell {

class MappedFile {
 public:
  // Throws Error(kIo, "<context>: cannot open <path>: <reason>").
  MappedFile(const std::string& path, const std::string& context);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const char* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::string owned_;  // the content of an object-store file
};

}  // namespace aishell
