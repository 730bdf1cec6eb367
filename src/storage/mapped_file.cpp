#include "storage/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/exception.h"
#include "storage/file_system.h"

namespace aishell {

MappedFile::MappedFile(const std::string& path, const std::string& context) : path_(path) {
  if (IsObjectStorePath(path)) {
    // An object in S3-compatible storage: fetched whole into memory (credentials and endpoint
    // from the AWS_* environment variables; see storage/file_system.h).
    try {
      owned_ = FileSystemForPath(path)->OpenForRead(path)->ReadAll();
    } catch (const Error& e) {
      throw Error(ErrorKind::kIo, context + ": " + e.what());
    }
    data_ = owned_.data();
    size_ = owned_.size();
    return;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ErrorKind::kIo, context + ": cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw Error(ErrorKind::kIo, context + ": cannot stat " + path + ": " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorKind::kIo, context + ": " + path + " is a directory, not a file");
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw Error(ErrorKind::kIo, context + ": cannot read " + path + ": " + std::strerror(err));
    }
    ::madvise(p, size_, MADV_SEQUENTIAL);
    data_ = static_cast<const char*>(p);
    mapped_ = true;
  } else {
    data_ = "";
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (mapped_) ::munmap(const_cast<char*>(data_), size_);
}

}  // namespace aishell
