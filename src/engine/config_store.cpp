#include "engine/config_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <simdjson.h>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"

namespace aishell {

namespace {

simdjson::dom::element ParseJsonFile(simdjson::dom::parser& parser, const std::string& path,
                                     const std::string& text) {
  simdjson::dom::element root;
  auto error = parser.parse(text).get(root);
  if (error) {
    throw Error(ErrorKind::kIo, fmt::format("cannot read {}: invalid JSON ({})", path,
                                            simdjson::error_message(error)));
  }
  return root;
}

std::string GetString(simdjson::dom::object obj, const char* key) {
  std::string_view v;
  if (obj[key].get_string().get(v)) return {};
  return std::string(v);
}

// Last-result file format (little-endian):
//   "AISHRES2", u32 column count, per column: u32 name length, name, u8 type id, u8 precision, u8
//   scale; then per batch: u32 row count (0 ends), per column: u8 valid per row, then the values of
//   the valid rows (fixed width as stored in vectors; VARCHAR: u32 length + bytes).
//   "AISHBIG1" + i64 rows: the result was too large to keep.
constexpr char kResultMagic[] = "AISHRES3";  // 3: type ids of the full Trino scalar set
constexpr char kTooLargeMagic[] = "AISHBIG1";

template <class T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

class Reader {
 public:
  Reader(const std::string& data, std::string path) : data_(data), path_(std::move(path)) {}
  template <class T>
  T Get() {
    Need(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string_view Bytes(size_t n) {
    Need(n);
    std::string_view v(data_.data() + pos_, n);
    pos_ += n;
    return v;
  }
  bool AtEnd() const { return pos_ >= data_.size(); }

 private:
  void Need(size_t n) {
    if (pos_ + n > data_.size())
      throw Error(ErrorKind::kIo, "the last result file " + path_ + " is truncated or corrupt");
  }
  const std::string& data_;
  std::string path_;
  size_t pos_ = 0;
};

}  // namespace

void WriteFileAtomic(const std::string& path, const std::string& content, int mode, bool durable) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    throw Error(ErrorKind::kIo, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  ::fchmod(fd, static_cast<mode_t>(mode));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(ErrorKind::kIo, fmt::format("cannot write {}: {}", path, std::strerror(err)));
    }
    off += static_cast<size_t>(n);
  }
  if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw Error(ErrorKind::kIo, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(ErrorKind::kIo, fmt::format("cannot replace {}: {}", path, std::strerror(err)));
  }
}

std::optional<std::string> ReadFileIfExists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || ::access(path.c_str(), F_OK) != 0) return std::nullopt;
    throw Error(ErrorKind::kIo, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::kIo, "cannot read " + path);
  return ss.str();
}

ConfigStore::ConfigStore(std::string home_dir) : home_(std::move(home_dir)) {
  while (home_.size() > 1 && home_.back() == '/') home_.pop_back();
}

std::string ConfigStore::DefaultHome() {
  if (const char* h = std::getenv("AISHELL_HOME"); h && *h) return h;
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.aishell";
  return ".aishell";
}

void ConfigStore::EnsureHome() const {
  struct stat st;
  if (::stat(home_.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      throw Error(ErrorKind::kIo, "aishell home " + home_ + " is not a directory");
    return;
  }
  // Create parents as needed.
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = home_.find('/', pos + 1);
    partial = home_.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      throw Error(ErrorKind::kIo,
                  fmt::format("cannot create aishell home {}: {}", home_, std::strerror(errno)));
    }
  }
}

std::vector<ConnectionConfig> ConfigStore::LoadConnections() const {
  std::string path = PathOf("connections.json");
  auto text = ReadFileIfExists(path);
  std::vector<ConnectionConfig> out;
  if (!text || TrimSpace(*text).empty()) return out;
  simdjson::dom::parser parser;
  auto root = ParseJsonFile(parser, path, *text);
  simdjson::dom::array list;
  if (root.get_array().get(list)) {
    simdjson::dom::object obj;
    if (root.get_object().get(obj) || obj["connections"].get_array().get(list)) {
      throw Error(ErrorKind::kIo, "cannot read " + path + ": expected a list of connections");
    }
  }
  for (auto item : list) {
    simdjson::dom::object obj;
    if (item.get_object().get(obj))
      throw Error(ErrorKind::kIo, "cannot read " + path + ": a connection is not an object");
    ConnectionConfig c;
    c.name = GetString(obj, "name");
    c.type = GetString(obj, "type");
    c.url = GetString(obj, "url");
    simdjson::dom::object props;
    if (!obj["properties"].get_object().get(props)) {
      for (auto [k, v] : props) {
        std::string_view s;
        if (!v.get_string().get(s)) c.properties[std::string(k)] = std::string(s);
      }
    }
    if (c.name.empty())
      throw Error(ErrorKind::kIo, "cannot read " + path + ": a connection has no name");
    out.push_back(std::move(c));
  }
  return out;
}

void ConfigStore::SaveConnections(const std::vector<ConnectionConfig>& connections) const {
  EnsureHome();
  std::string out = "[";
  for (size_t i = 0; i < connections.size(); i++) {
    const auto& c = connections[i];
    out += i ? ",\n  " : "\n  ";
    out += "{\"name\": " + JsonString(c.name) + ", \"type\": " + JsonString(c.type) +
           ", \"url\": " + JsonString(c.url) + ", \"properties\": {";
    bool first = true;
    for (const auto& [k, v] : c.properties) {
      if (!first) out += ", ";
      first = false;
      out += JsonString(k) + ": " + JsonString(v);
    }
    out += "}}";
  }
  out += connections.empty() ? "]\n" : "\n]\n";
  WriteFileAtomic(PathOf("connections.json"), out, 0600);
}

bool ConfigStore::PutConnection(const ConnectionConfig& connection) const {
  auto list = LoadConnections();
  for (auto& c : list) {
    if (AsciiLower(c.name) == AsciiLower(connection.name)) {
      c = connection;
      SaveConnections(list);
      return true;
    }
  }
  list.push_back(connection);
  SaveConnections(list);
  return false;
}

bool ConfigStore::RemoveConnection(const std::string& name) const {
  auto list = LoadConnections();
  for (size_t i = 0; i < list.size(); i++) {
    if (AsciiLower(list[i].name) == AsciiLower(name)) {
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
      SaveConnections(list);
      return true;
    }
  }
  return false;
}

std::map<std::string, std::string> ConfigStore::LoadSettings() const {
  std::string path = PathOf("settings.json");
  auto text = ReadFileIfExists(path);
  std::map<std::string, std::string> out;
  if (!text || TrimSpace(*text).empty()) return out;
  simdjson::dom::parser parser;
  auto root = ParseJsonFile(parser, path, *text);
  simdjson::dom::object obj;
  if (root.get_object().get(obj))
    throw Error(ErrorKind::kIo, "cannot read " + path + ": expected an object");
  for (auto [k, v] : obj) {
    std::string_view s;
    if (!v.get_string().get(s))
      out[std::string(k)] = std::string(s);
    else
      out[std::string(k)] = simdjson::to_string(v);
  }
  return out;
}

void ConfigStore::SetSetting(const std::string& key, const std::string& value) const {
  auto settings = LoadSettings();
  settings[key] = value;
  EnsureHome();
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : settings) {
    out += first ? "\n  " : ",\n  ";
    first = false;
    out += JsonString(k) + ": " + JsonString(v);
  }
  out += "\n}\n";
  WriteFileAtomic(PathOf("settings.json"), out, 0600);
}

std::optional<std::string> ConfigStore::GetSetting(const std::string& key) const {
  auto settings = LoadSettings();
  auto it = settings.find(key);
  if (it == settings.end()) return std::nullopt;
  return it->second;
}

bool ConfigStore::UnsetSetting(const std::string& key) const {
  auto settings = LoadSettings();
  if (!settings.erase(key)) return false;
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : settings) {
    out += first ? "\n  " : ",\n  ";
    first = false;
    out += JsonString(k) + ": " + JsonString(v);
  }
  out += first ? "}\n" : "\n}\n";
  WriteFileAtomic(PathOf("settings.json"), out, 0600);
  return true;
}

void ConfigStore::ApplySettings(const std::map<std::string, std::string>& settings,
                                EngineOptions& options) {
  // The registry's session settings (with or without the federation. prefix); other keys are
  // for other readers (display.max_rows) or unknown (kept from older versions) and are skipped.
  const auto& registry = SettingsRegistry::Global();
  for (const auto& [key, value] : settings) {
    const SettingDef* def = registry.Find(key);
    if (!def || !def->apply) continue;
    SettingsRegistry::Validate(*def, key, value);
    def->apply(options, value);
  }
}

std::optional<std::string> EncodeQueryResult(const QueryResult& result, int64_t max_bytes) {
  // A cheap lower bound first: one validity byte per value plus fixed-width payloads.
  int64_t estimate = 0;
  for (const auto& c : result.columns) {
    size_t width = c.type.IsStringLike() || c.type.id == TypeId::kNull ? 4 : c.type.PhysicalSize();
    estimate += static_cast<int64_t>(1 + width) * result.row_count;
  }
  if (estimate > max_bytes) return std::nullopt;
  std::string out(kResultMagic, 8);
  Put<uint32_t>(out, static_cast<uint32_t>(result.columns.size()));
  for (const auto& c : result.columns) {
    Put<uint32_t>(out, static_cast<uint32_t>(c.name.size()));
    out += c.name;
    Put<uint8_t>(out, static_cast<uint8_t>(c.type.id));
    Put<uint8_t>(out, c.type.precision);
    Put<uint8_t>(out, c.type.scale);
  }
  bool too_large = false;
  for (const auto& b : result.batches) {
    if (b.count == 0) continue;
    Put<uint32_t>(out, static_cast<uint32_t>(b.count));
    for (size_t c = 0; c < result.columns.size() && c < b.columns.size(); c++) {
      const Vector& v = b.columns[c];
      UnifiedView view = v.View();
      const LogicalType& type = result.columns[c].type;
      size_t width = type.IsStringLike() || type.id == TypeId::kNull ? 0 : type.PhysicalSize();
      // Validity bytes for every row, then the values of the valid rows.
      size_t base = out.size();
      out.resize(base + b.count);
      bool all_valid = true;
      for (size_t r = 0; r < b.count; r++) {
        bool valid = type.id != TypeId::kNull && view.IsValid(r);
        out[base + r] = valid ? 1 : 0;
        all_valid = all_valid && valid;
      }
      if (type.id == TypeId::kNull) continue;
      if (type.IsStringLike()) {
        for (size_t r = 0; r < b.count; r++) {
          if (!out[base + r]) continue;
          auto s = view.Get<std::string_view>(r);
          Put<uint32_t>(out, static_cast<uint32_t>(s.size()));
          out.append(s.data(), s.size());
        }
      } else if (all_valid && !view.sel && !view.is_constant) {
        out.append(reinterpret_cast<const char*>(view.data), b.count * width);
      } else {
        for (size_t r = 0; r < b.count; r++) {
          if (out[base + r])
            out.append(reinterpret_cast<const char*>(view.data + view.Index(r) * width), width);
        }
      }
    }
    if (static_cast<int64_t>(out.size()) > max_bytes) {
      too_large = true;
      break;
    }
  }
  if (too_large) return std::nullopt;
  Put<uint32_t>(out, 0);
  return out;
}

bool ConfigStore::SaveLastResult(const QueryResult& result, int64_t max_bytes) const {
  EnsureHome();
  auto encoded = EncodeQueryResult(result, max_bytes);
  if (!encoded) {
    std::string marker(kTooLargeMagic, 8);
    Put<int64_t>(marker, result.row_count);
    WriteFileAtomic(PathOf("last_result.bin"), marker, 0600, false);
    return false;
  }
  // Not synced: losing the last result in a crash is harmless, and queries should not wait.
  WriteFileAtomic(PathOf("last_result.bin"), *encoded, 0600, false);
  return true;
}

QueryResult DecodeQueryResult(const std::string& data, const std::string& path) {
  Reader in(data, path);
  std::string magic(in.Bytes(8));
  if (magic != kResultMagic)
    throw Error(ErrorKind::kIo, "the last result file " + path + " is not an aishell result");
  QueryResult result;
  uint32_t ncols = in.Get<uint32_t>();
  std::vector<LogicalType> types;
  for (uint32_t i = 0; i < ncols; i++) {
    uint32_t len = in.Get<uint32_t>();
    OutputColumn col;
    col.name = std::string(in.Bytes(len));
    auto id = in.Get<uint8_t>();
    auto p = in.Get<uint8_t>();
    auto s = in.Get<uint8_t>();
    if (id > static_cast<uint8_t>(TypeId::kInterval))
      throw Error(ErrorKind::kIo, "the last result file " + path + " is corrupt");
    col.type = LogicalType(static_cast<TypeId>(id), p, s);
    types.push_back(col.type);
    result.columns.push_back(std::move(col));
  }
  while (true) {
    uint32_t count = in.Get<uint32_t>();
    if (count == 0) break;
    Batch batch(types, count);
    batch.SetCount(count);
    for (uint32_t c = 0; c < ncols; c++) {
      Vector& v = batch.columns[c];
      const LogicalType& type = types[c];
      size_t width = type.IsStringLike() || type.id == TypeId::kNull ? 0 : type.PhysicalSize();
      auto validity = in.Bytes(count);
      if (type.id == TypeId::kNull) {
        for (uint32_t r = 0; r < count; r++) v.SetNull(r);
        continue;
      }
      for (uint32_t r = 0; r < count; r++) {
        if (!validity[r]) {
          v.SetNull(r);
          continue;
        }
        if (type.IsStringLike()) {
          uint32_t len = in.Get<uint32_t>();
          v.SetString(r, in.Bytes(len));
        } else {
          auto bytes = in.Bytes(width);
          std::memcpy(v.RawData() + r * width, bytes.data(), width);
        }
      }
    }
    result.row_count += count;
    result.batches.push_back(std::move(batch));
  }
  return result;
}

QueryResult ConfigStore::LoadLastResult() const {
  std::string path = PathOf("last_result.bin");
  auto data = ReadFileIfExists(path);
  if (!data)
    throw Error(ErrorKind::kIo, "there is no last result to export yet; run `aishell query` first");
  if (data->size() >= 16 && data->compare(0, 8, std::string(kTooLargeMagic, 8)) == 0) {
    Reader in(*data, path);
    in.Bytes(8);
    int64_t rows = in.Get<int64_t>();
    throw Error(
        ErrorKind::kIo,
        fmt::format("the last result ({} rows) was larger than {} and was not kept; re-run the "
                    "query with --format csv|json --output FILE",
                    rows, FormatByteSize(kMaxLastResultBytes)));
  }
  return DecodeQueryResult(*data, path);
}

}  // namespace aishell
