#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/exception.h"
#include "storage/file_system.h"
#include "storage/mapped_file.h"

namespace aishell {

namespace {

std::string Errno() { return std::strerror(errno); }

class LocalReadFile : public RandomAccessFile {
 public:
  explicit LocalReadFile(const std::string& path) : path_(path), map_(path, "storage") {}
  const std::string& path() const override { return path_; }
  int64_t Size() override { return static_cast<int64_t>(map_.size()); }
  void ReadAt(int64_t offset, int64_t length, uint8_t* out) override {
    if (offset < 0 || length < 0 || offset + length > Size()) {
      throw Error(ErrorKind::kIo, "cannot read " + std::to_string(length) + " bytes at offset " +
                                      std::to_string(offset) + " of " + path_ + " (" +
                                      std::to_string(Size()) + " bytes)");
    }
    if (length > 0) std::memcpy(out, map_.data() + offset, static_cast<size_t>(length));
  }
  const uint8_t* MappedData() override { return reinterpret_cast<const uint8_t*>(map_.data()); }

 private:
  std::string path_;
  MappedFile map_;
};

std::string TempName(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) + "-" +
         std::to_string(counter++);
}

void MakeParents(const std::string& path) {
  std::filesystem::path p(path);
  if (!p.has_parent_path()) return;
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  if (ec) {
    throw Error(ErrorKind::kIo,
                "cannot create directory " + p.parent_path().string() + ": " + ec.message());
  }
}

class LocalWriteFile : public WritableFile {
 public:
  explicit LocalWriteFile(std::string path) : path_(std::move(path)), temp_(TempName(path_)) {
    MakeParents(path_);
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(ErrorKind::kIo, "cannot create " + path_ + ": " + Errno());
  }
  ~LocalWriteFile() override {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(temp_.c_str());
    }
  }
  using WritableFile::Append;
  void Append(const void* data, size_t size) override {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      ssize_t n = ::write(fd_, p, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Error(ErrorKind::kIo, "cannot write " + path_ + ": " + Errno());
      }
      p += n;
      size -= static_cast<size_t>(n);
    }
  }
  void Close() override {
    if (fd_ < 0) return;
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      ::unlink(temp_.c_str());
      throw Error(ErrorKind::kIo, "cannot write " + path_ + ": " + Errno());
    }
    fd_ = -1;
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      std::string err = Errno();
      ::unlink(temp_.c_str());
      throw Error(ErrorKind::kIo, "cannot write " + path_ + ": " + err);
    }
  }

 private:
  std::string path_, temp_;
  int fd_ = -1;
};

class LocalFileSystem : public FileSystem {
 public:
  std::string Scheme() const override { return "file"; }
  std::shared_ptr<RandomAccessFile> OpenForRead(const std::string& path) override {
    return std::make_shared<LocalReadFile>(StripFileScheme(path));
  }
  std::unique_ptr<WritableFile> OpenForWrite(const std::string& path) override {
    return std::make_unique<LocalWriteFile>(StripFileScheme(path));
  }
  bool WriteIfAbsent(const std::string& path, const std::string& data) override {
    std::string target = StripFileScheme(path);
    std::string temp = TempName(target);
    {
      LocalWriteFile file(temp);
      file.Append(data);
      file.Close();
    }
    // link(2) fails with EEXIST if the target exists: an atomic create-if-absent.
    int rc = ::link(temp.c_str(), target.c_str());
    int err = errno;
    ::unlink(temp.c_str());
    if (rc == 0) return true;
    if (err == EEXIST) return false;
    throw Error(ErrorKind::kIo, "cannot create " + target + ": " + std::strerror(err));
  }
  FileInfo Stat(const std::string& path) override {
    FileInfo info;
    info.path = path;
    struct stat st;
    if (::stat(StripFileScheme(path).c_str(), &st) != 0) return info;
    info.size = S_ISDIR(st.st_mode) ? 0 : static_cast<int64_t>(st.st_size);
    info.is_directory = S_ISDIR(st.st_mode);
    info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    return info;
  }
  std::vector<FileInfo> List(const std::string& path, bool recursive) override {
    std::vector<FileInfo> out;
    std::string dir = StripFileScheme(path);
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return out;
    auto add = [&](const std::filesystem::directory_entry& e) {
      FileInfo info = Stat(e.path().string());
      info.path = e.path().string();
      if (!info.is_directory || !recursive) out.push_back(info);
    };
    if (recursive) {
      for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        add(*it);
    } else {
      for (auto it = std::filesystem::directory_iterator(dir, ec);
           !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        add(*it);
    }
    if (ec) throw Error(ErrorKind::kIo, "cannot list " + dir + ": " + ec.message());
    std::sort(out.begin(), out.end(),
              [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return out;
  }
  void Delete(const std::string& path) override {
    std::string p = StripFileScheme(path);
    if (::unlink(p.c_str()) != 0 && errno != ENOENT)
      throw Error(ErrorKind::kIo, "cannot delete " + p + ": " + Errno());
  }
};

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::string RandomAccessFile::ReadAll() { return ReadRange(0, Size()); }

std::string RandomAccessFile::ReadRange(int64_t offset, int64_t length) {
  std::string out(static_cast<size_t>(length), '\0');
  if (length > 0) ReadAt(offset, length, reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

bool IsObjectStorePath(const std::string& path) {
  return StartsWith(path, "s3://") || StartsWith(path, "s3a://") || StartsWith(path, "s3n://");
}

std::string StripFileScheme(const std::string& path) {
  if (StartsWith(path, "file://")) return path.substr(7);
  if (StartsWith(path, "file:/")) return path.substr(5);
  return path;
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (name.empty()) return dir;
  bool a = dir.back() == '/', b = name.front() == '/';
  if (a && b) return dir + name.substr(1);
  if (a || b) return dir + name;
  return dir + "/" + name;
}

std::shared_ptr<FileSystem> FileSystemForPath(const std::string& path,
                                              const StorageOptions& options) {
  if (IsObjectStorePath(path)) return CreateS3FileSystem(options);
  auto colon = path.find("://");
  if (colon != std::string::npos && !StartsWith(path, "file://")) {
    throw Error(ErrorKind::kIo,
                "unsupported storage scheme '" + path.substr(0, colon) +
                    "://' (supported: local paths, file://, s3://, s3a://, s3n://)");
  }
  static auto local = std::make_shared<LocalFileSystem>();
  return local;
}

}  // namespace aishell
