#include "connectors/file/file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/exception.h"

namespace aishell {

namespace {

class FileTableWriter : public TableWriter {
 public:
  FileTableWriter(std::string source, std::string final_path, std::shared_ptr<FileFormat> format,
                  std::vector<ColumnInfo> columns, std::string copy_from,
                  std::function<void()> on_commit)
      : source_(std::move(source)),
        final_path_(std::move(final_path)),
        format_(std::move(format)),
        columns_(std::move(columns)),
        on_commit_(std::move(on_commit)) {
    static std::atomic<int> counter{0};
    auto slash = final_path_.find_last_of('/');
    std::string dir = slash == std::string::npos ? "." : final_path_.substr(0, slash);
    std::string base = slash == std::string::npos ? final_path_ : final_path_.substr(slash + 1);
    temp_path_ =
        dir + "/." + base + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    file_ = std::fopen(temp_path_.c_str(), "wbx");
    if (!file_) {
      throw Error(ErrorKind::kIo, "file source '" + source_ + "': cannot create " + temp_path_ +
                                      ": " + std::strerror(errno));
    }
    try {
      if (!copy_from.empty()) {
        std::FILE* in = std::fopen(copy_from.c_str(), "rb");
        if (!in)
          throw Error(ErrorKind::kIo, "file source '" + source_ + "': cannot read " + copy_from +
                                          ": " + std::strerror(errno));
        char buf[1 << 16];
        size_t n;
        char last = '\n';
        while ((n = std::fread(buf, 1, sizeof(buf), in)) > 0) {
          Write(buf, n);
          last = buf[n - 1];
        }
        std::fclose(in);
        if (last != '\n') Write("\n", 1);
      } else {
        std::string header = format_->FileHeader(columns_);
        Write(header.data(), header.size());
      }
    } catch (...) {
      Abort();
      throw;
    }
  }

  ~FileTableWriter() override {
    if (file_ || (!committed_ && !aborted_)) {
      try {
        Abort();
      } catch (...) {
      }
    }
  }

  void Append(const Batch& batch) override {
    if (!file_) throw Error(ErrorKind::kInternal, "file writer used after Commit/Abort");
    buffer_.clear();
    format_->AppendRows(batch, columns_, &buffer_);
    Write(buffer_.data(), buffer_.size());
  }

  void Commit() override {
    if (!file_) throw Error(ErrorKind::kInternal, "file writer used after Commit/Abort");
    bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok || std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      int err = errno;
      ::unlink(temp_path_.c_str());
      aborted_ = true;
      throw Error(ErrorKind::kIo, "file source '" + source_ + "': cannot write " + final_path_ +
                                      ": " + std::strerror(err));
    }
    committed_ = true;
    if (on_commit_) on_commit_();
  }

  void Abort() override {
    if (file_) {
      std::fclose(file_);
      file_ = nullptr;
    }
    if (!committed_ && !aborted_) ::unlink(temp_path_.c_str());
    aborted_ = true;
  }

 private:
  void Write(const char* data, size_t n) {
    if (n && std::fwrite(data, 1, n, file_) != n) {
      throw Error(ErrorKind::kIo, "file source '" + source_ + "': cannot write " + temp_path_ +
                                      ": " + std::strerror(errno));
    }
  }

  std::string source_;
  std::string final_path_;
  std::string temp_path_;
  std::shared_ptr<FileFormat> format_;
  std::vector<ColumnInfo> columns_;
  std::function<void()> on_commit_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  bool committed_ = false;
  bool aborted_ = false;
};

}  // namespace

std::unique_ptr<TableWriter> CreateFileWriter(std::string source, std::string final_path,
                                              std::shared_ptr<FileFormat> format,
                                              std::vector<ColumnInfo> columns,
                                              std::string copy_from,
                                              std::function<void()> on_commit) {
  return std::make_unique<FileTableWriter>(std::move(source), std::move(final_path),
                                           std::move(format), std::move(columns),
                                           std::move(copy_from), std::move(on_commit));
}

}  // namespace aishell
