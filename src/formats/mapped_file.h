// A read-only memory map of a whole file (empty files map to an empty range).
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
};

}  // namespace aishell
