#include "exec/spill_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/exception.h"
#include "exec/memory_tracker.h"

namespace aishell {

namespace {

constexpr uint32_t kBatchMagic = 0x53504C42;  // "SPLB"
constexpr const char* kDirPrefix = "aishell-spill-";

void Put(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
template <class T>
void PutValue(std::string& out, T v) {
  Put(out, &v, sizeof(v));
}

struct Reader {
  const uint8_t* data;
  size_t size;
  size_t& pos;
  void Need(size_t n) const {
    if (n > size - pos) throw Error(ErrorKind::kIo, "spill file is truncated or corrupt");
  }
  template <class T>
  T Get() {
    Need(sizeof(T));
    T v;
    std::memcpy(&v, data + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  const uint8_t* Bytes(size_t n) {
    Need(n);
    const uint8_t* p = data + pos;
    pos += n;
    return p;
  }
};

void SerializeVector(const Vector& input, std::string& out) {
  const Vector* v = &input;
  Vector flat;
  if (input.kind() != VectorKind::kFlat) {
    flat = input;
    flat.Flatten();
    v = &flat;
  }
  uint64_t n = v->size();
  PutValue(out, n);
  const uint64_t* validity = v->validity();
  uint8_t has_validity = validity && n ? 1 : 0;
  PutValue(out, has_validity);
  if (has_validity) Put(out, validity, (n + 63) / 64 * 8);
  const LogicalType& type = v->type();
  switch (type.Physical()) {
    case PhysicalKind::kNone:
      return;
    case PhysicalKind::kString: {
      const auto* s = v->Data<std::string_view>();
      for (uint64_t i = 0; i < n; i++) {
        uint32_t len = v->IsValid(i) ? static_cast<uint32_t>(s[i].size()) : 0;
        PutValue(out, len);
        if (len) Put(out, s[i].data(), len);
      }
      return;
    }
    default:
      break;
  }
  size_t width = type.PhysicalSize();
  if (n) Put(out, v->RawData(), n * width);
  if (type.IsNested()) {
    uint32_t children = static_cast<uint32_t>(type.Children().size());
    if (type.id == TypeId::kRow) children = static_cast<uint32_t>(type.Children().size());
    PutValue(out, children);
    for (uint32_t c = 0; c < children; c++) {
      if (c < v->ChildCount()) {
        uint8_t present = 1;
        PutValue(out, present);
        SerializeVector(v->child(c), out);
      } else {
        uint8_t present = 0;
        PutValue(out, present);
      }
    }
  }
}

Vector DeserializeVector(const LogicalType& type, Reader& r) {
  uint64_t n = r.Get<uint64_t>();
  if (n > (uint64_t{1} << 32)) throw Error(ErrorKind::kIo, "spill file is corrupt (row count)");
  Vector v(type, std::max<size_t>(n, 1));
  v.Resize(n);
  uint8_t has_validity = r.Get<uint8_t>();
  if (has_validity) {
    size_t words = (n + 63) / 64;
    const uint8_t* bits = r.Bytes(words * 8);
    std::memcpy(v.MutableValidity(), bits, words * 8);
  }
  switch (type.Physical()) {
    case PhysicalKind::kNone:
      return v;
    case PhysicalKind::kString: {
      for (uint64_t i = 0; i < n; i++) {
        uint32_t len = r.Get<uint32_t>();
        const uint8_t* p = r.Bytes(len);
        if (v.IsValid(i))
          v.SetString(i, std::string_view(reinterpret_cast<const char*>(p), len));
        else
          v.Data<std::string_view>()[i] = std::string_view();
      }
      return v;
    }
    default:
      break;
  }
  size_t width = type.PhysicalSize();
  if (n) std::memcpy(v.RawData(), r.Bytes(n * width), n * width);
  if (type.IsNested()) {
    uint32_t children = r.Get<uint32_t>();
    if (children != type.Children().size())
      throw Error(ErrorKind::kIo, "spill file is corrupt (nested children)");
    for (uint32_t c = 0; c < children; c++) {
      uint8_t present = r.Get<uint8_t>();
      if (present) v.Child(c) = DeserializeVector(type.Children()[c], r);
    }
  }
  return v;
}

std::string TempRoot() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

}  // namespace

void SerializeBatch(const Batch& batch, std::string& out) {
  PutValue(out, kBatchMagic);
  PutValue(out, static_cast<uint64_t>(batch.count));
  PutValue(out, static_cast<uint32_t>(batch.columns.size()));
  for (const auto& c : batch.columns) SerializeVector(c, out);
}

Batch DeserializeBatch(const std::vector<LogicalType>& types, const uint8_t* data, size_t size,
                       size_t& pos) {
  Reader r{data, size, pos};
  if (r.Get<uint32_t>() != kBatchMagic) throw Error(ErrorKind::kIo, "spill file is corrupt");
  uint64_t count = r.Get<uint64_t>();
  uint32_t columns = r.Get<uint32_t>();
  if (columns != types.size()) throw Error(ErrorKind::kIo, "spill file is corrupt (column count)");
  Batch b;
  b.count = count;
  for (uint32_t c = 0; c < columns; c++) {
    b.columns.push_back(DeserializeVector(types[c], r));
    if (b.columns.back().size() != count)
      throw Error(ErrorKind::kIo, "spill file is corrupt (column length)");
  }
  return b;
}

SpillFile::~SpillFile() {
  if (file_) std::fclose(file_);
}

void SpillFile::Write(const Batch& batch) {
  if (reading_) throw Error(ErrorKind::kInternal, "spill file written after reading started");
  buffer_.clear();
  buffer_.resize(sizeof(uint64_t));
  SerializeBatch(batch, buffer_);
  uint64_t len = buffer_.size() - sizeof(uint64_t);
  std::memcpy(buffer_.data(), &len, sizeof(len));
  manager_->AddBytes(static_cast<int64_t>(buffer_.size()));
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    throw Error(ErrorKind::kIo, "cannot write spill file in " + manager_->directory() + ": " +
                                    std::strerror(errno) + " (federation.spill_path)");
  }
  bytes_ += static_cast<int64_t>(buffer_.size());
  batches_++;
  rows_ += static_cast<int64_t>(batch.count);
}

void SpillFile::Rewind() {
  reading_ = true;
  std::fflush(file_);
  std::fseek(file_, 0, SEEK_SET);
}

bool SpillFile::Read(const std::vector<LogicalType>& types, Batch& out) {
  if (!reading_) Rewind();
  uint64_t len = 0;
  size_t got = std::fread(&len, 1, sizeof(len), file_);
  if (got == 0) return false;
  if (got != sizeof(len) || len > (uint64_t{1} << 40))
    throw Error(ErrorKind::kIo, "spill file is truncated in " + manager_->directory());
  buffer_.resize(len);
  if (std::fread(buffer_.data(), 1, len, file_) != len)
    throw Error(ErrorKind::kIo, "spill file is truncated in " + manager_->directory());
  size_t pos = 0;
  out = DeserializeBatch(types, reinterpret_cast<const uint8_t*>(buffer_.data()), len, pos);
  return true;
}

SpillManager::~SpillManager() {
  if (directory_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(directory_, ec);
}

std::string SpillManager::directory() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return directory_;
}

void SpillManager::AddBytes(int64_t bytes) {
  int64_t now = bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (options_.max_bytes > 0 && now > options_.max_bytes) {
    throw Error(ErrorKind::kOutOfMemory,
                "query spilled more than " + FormatBytes(options_.max_bytes) +
                    " to disk (federation.spill_max_size); raise it with SET SESSION "
                    "spill_max_size or raise federation.max_memory");
  }
}

std::unique_ptr<SpillFile> SpillManager::CreateFile() {
  if (!options_.enabled)
    throw Error(ErrorKind::kInternal, "spilling is off (federation.spill = false)");
  std::string path;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (directory_.empty()) {
      std::string parent = options_.path.empty() ? TempRoot() : options_.path;
      SweepStaleSpillDirectories(parent);
      static std::atomic<uint64_t> counter{0};
      std::string dir = parent + "/" + kDirPrefix + std::to_string(::getpid()) + "-" +
                        std::to_string(counter.fetch_add(1));
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      if (ec) {
        throw Error(ErrorKind::kIo, "cannot create the spill directory " + dir + ": " +
                                        ec.message() + " (federation.spill_path)");
      }
      directory_ = dir;
    }
    path = directory_ + "/spill-" + std::to_string(files_++);
  }
  // An unnamed file where the file system offers them (never visible, nothing to leave behind);
  // otherwise a named one, unlinked at once.
  int fd = -1;
#ifdef O_TMPFILE
  fd = ::open(directory().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd >= 0) {
    std::FILE* f = ::fdopen(fd, "w+b");
    if (!f) {
      ::close(fd);
      throw Error(ErrorKind::kIo, "cannot open a spill file in " + directory());
    }
    return std::make_unique<SpillFile>(this, f);
  }
  fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Error(ErrorKind::kIo, "cannot create spill file " + path + ": " + std::strerror(errno) +
                                    " (federation.spill_path)");
  }
  ::unlink(path.c_str());  // the bytes live as long as the descriptor, even if we are killed
  std::FILE* f = ::fdopen(fd, "w+b");
  if (!f) {
    ::close(fd);
    throw Error(ErrorKind::kIo, "cannot open spill file " + path);
  }
  return std::make_unique<SpillFile>(this, f);
}

void SweepStaleSpillDirectories(const std::string& parent) {
  std::error_code ec;
  std::filesystem::directory_iterator it(parent, ec);
  if (ec) return;
  const std::string prefix = kDirPrefix;
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = name.substr(prefix.size());
    size_t dash = rest.find('-');
    if (dash == std::string::npos || dash == 0) continue;
    char* end = nullptr;
    long pid = std::strtol(rest.c_str(), &end, 10);
    if (end != rest.c_str() + dash || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) continue;  // still running
    std::error_code rm;
    std::filesystem::remove_all(entry.path(), rm);
  }
}

}  // namespace aishell
