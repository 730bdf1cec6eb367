#include "formats/file_format.h"

#include <fmt/format.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <mutex>

#include "common/exception.h"
#include "common/strings.h"
#include "storage/file_system.h"

namespace aishell {

namespace {
std::mutex& FormatMutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, FileFormatEntry>& Formats() {
  static std::map<std::string, FileFormatEntry> formats;
  return formats;
}
// Throws Error(kIo, "<function>: no file matches '<pattern>'").
[[noreturn]] void ThrowNoFileMatches(const std::string& pattern, const std::string& function_name) {
  throw Error(ErrorKind::kIo, function_name + ": no file matches '" + pattern + "'");
}
// Throws Error(kIo) for a directory given where a file or glob belongs, suggesting a glob.
[[noreturn]] void ThrowIsDirectory(const std::string& pattern, const std::string& function_name,
                                   const std::string& example_glob) {
  throw Error(ErrorKind::kIo, function_name + ": '" + pattern +
                                  "' is a directory; use a glob such as '" + pattern + "/" +
                                  example_glob + "'");
}
}  // namespace

void FileFormat::AppendRows(const Batch&, const std::vector<ColumnInfo>&, std::string*) const {
  throw Error(ErrorKind::kUnsupported, "writing " + Name() + " files is not supported");
}

void CheckBatchColumns(const Batch& batch, const std::vector<ColumnInfo>& columns,
                       const std::string& writer) {
  if (batch.ColumnCount() != columns.size()) {
    throw Error(ErrorKind::kInternal, writer + ": batch has " +
                                          std::to_string(batch.ColumnCount()) +
                                          " columns, table has " + std::to_string(columns.size()));
  }
}

bool AppendPlainScalar(const UnifiedView& v, size_t r, const LogicalType& type, std::string* out) {
  switch (type.id) {
    case TypeId::kBoolean:
      out->append(v.Get<uint8_t>(r) ? "true" : "false");
      return true;
    case TypeId::kTinyInt:
      fmt::format_to(std::back_inserter(*out), "{}", v.Get<int8_t>(r));
      return true;
    case TypeId::kSmallInt:
      fmt::format_to(std::back_inserter(*out), "{}", v.Get<int16_t>(r));
      return true;
    case TypeId::kInteger:
      fmt::format_to(std::back_inserter(*out), "{}", v.Get<int32_t>(r));
      return true;
    case TypeId::kBigInt:
      fmt::format_to(std::back_inserter(*out), "{}", v.Get<int64_t>(r));
      return true;
    case TypeId::kDecimal:
      if (type.IsLongDecimal())
        out->append(FormatDecimal(v.Get<Int128>(r), type.scale));
      else
        out->append(FormatDecimal(v.Get<int64_t>(r), type.scale));
      return true;
    default:
      return false;
  }
}

void RegisterFileFormat(const std::string& extension, std::shared_ptr<FileFormat> format,
                        FileOptions default_options) {
  std::lock_guard<std::mutex> lock(FormatMutex());
  Formats()[AsciiLower(extension)] = FileFormatEntry{std::move(format), std::move(default_options)};
}

const FileFormatEntry* FindFileFormatForPath(const std::string& path) {
  RegisterBuiltinFileFormats();
  auto slash = path.find_last_of('/');
  auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return nullptr;
  std::string ext = AsciiLower(path.substr(dot + 1));
  std::lock_guard<std::mutex> lock(FormatMutex());
  auto it = Formats().find(ext);
  return it == Formats().end() ? nullptr : &it->second;
}

std::vector<std::string> FileFormatExtensions() {
  RegisterBuiltinFileFormats();
  std::lock_guard<std::mutex> lock(FormatMutex());
  std::vector<std::string> out;
  for (const auto& [ext, entry] : Formats()) out.push_back(ext);
  return out;
}

namespace {

// s3://bucket/dir/*.parquet: lists the objects under the part of the pattern before its first
// wildcard and matches their paths with fnmatch(3) ('*' does not cross '/', "**" does).
std::vector<std::string> ExpandObjectStoreGlob(const std::string& pattern,
                                               const std::string& function_name) {
  auto fs = FileSystemForPath(pattern);
  std::vector<std::string> files;
  size_t magic = pattern.find_first_of("*?[");
  try {
    if (magic == std::string::npos) {
      FileInfo info = fs->Stat(pattern);
      if (info.is_directory) ThrowIsDirectory(pattern, function_name, "*.parquet");
      if (info.size < 0) ThrowNoFileMatches(pattern, function_name);
      files.push_back(pattern);
      return files;
    }
    size_t dir_end = pattern.rfind('/', magic);
    std::string dir = pattern.substr(0, dir_end);
    bool deep =
        pattern.find('/', magic) != std::string::npos || pattern.find("**") != std::string::npos;
    bool any_depth = pattern.find("**") != std::string::npos;
    for (const auto& info : fs->List(dir, deep)) {
      if (info.is_directory) continue;
      int flags = any_depth ? 0 : FNM_PATHNAME;
      if (::fnmatch(pattern.c_str(), info.path.c_str(), flags) == 0) files.push_back(info.path);
    }
  } catch (const Error& e) {
    if (std::string(e.what()).rfind(function_name + ":", 0) == 0) throw;
    throw Error(ErrorKind::kIo, function_name + ": " + e.what());
  }
  if (files.empty()) ThrowNoFileMatches(pattern, function_name);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<std::string> ExpandFileGlob(const std::string& pattern,
                                        const std::string& function_name) {
  if (pattern.empty()) throw Error(ErrorKind::kBinder, function_name + ": the file path is empty");
  if (IsObjectStorePath(pattern)) return ExpandObjectStoreGlob(pattern, function_name);
  std::string expanded = pattern;
  if (expanded.rfind("file://", 0) == 0) expanded = expanded.substr(7);
  if (expanded.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    if (home && *home) expanded = std::string(home) + expanded.substr(1);
  }
  std::vector<std::string> files;
  bool has_magic = expanded.find_first_of("*?[") != std::string::npos;
  if (!has_magic) {
    struct stat st;
    if (::stat(expanded.c_str(), &st) != 0) ThrowNoFileMatches(pattern, function_name);
    if (S_ISDIR(st.st_mode)) ThrowIsDirectory(pattern, function_name, "*.csv");
    files.push_back(expanded);
    return files;
  }
  glob_t g{};
  int rc = ::glob(expanded.c_str(), GLOB_NOSORT, nullptr, &g);
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      struct stat st;
      if (::stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode)) files.emplace_back(g.gl_pathv[i]);
    }
  }
  ::globfree(&g);
  if (files.empty()) ThrowNoFileMatches(pattern, function_name);
  std::sort(files.begin(), files.end());
  return files;
}

bool OptionBool(const FileOptions& options, const std::string& key, bool fallback,
                const std::string& fn) {
  auto it = options.find(key);
  if (it == options.end() || it->second.is_null()) return fallback;
  const Value& v = it->second;
  if (v.type().id == TypeId::kBoolean) return v.GetBool();
  if (v.type().IsIntegral()) return v.GetInt64() != 0;
  if (v.type().id == TypeId::kVarchar) {
    std::string s = AsciiLower(v.GetString());
    if (s == "true" || s == "1" || s == "yes") return true;
    if (s == "false" || s == "0" || s == "no") return false;
  }
  throw Error(ErrorKind::kBinder,
              fn + ": option '" + key + "' must be a boolean, got " + v.ToSqlLiteral());
}

std::string OptionString(const FileOptions& options, const std::string& key,
                         const std::string& fallback, const std::string& fn) {
  auto it = options.find(key);
  if (it == options.end() || it->second.is_null()) return fallback;
  if (it->second.type().id != TypeId::kVarchar) {
    throw Error(ErrorKind::kBinder,
                fn + ": option '" + key + "' must be a string, got " + it->second.ToSqlLiteral());
  }
  return it->second.GetString();
}

int64_t OptionInt(const FileOptions& options, const std::string& key, int64_t fallback,
                  const std::string& fn) {
  auto it = options.find(key);
  if (it == options.end() || it->second.is_null()) return fallback;
  if (!it->second.type().IsIntegral()) {
    throw Error(ErrorKind::kBinder,
                fn + ": option '" + key + "' must be an integer, got " + it->second.ToSqlLiteral());
  }
  return it->second.GetInt64();
}

void CheckKnownOptions(const FileOptions& options, const std::vector<std::string>& known,
                       const std::string& fn) {
  for (const auto& [key, value] : options) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw Error(ErrorKind::kBinder,
                fn + ": unknown option '" + key + "' (known options: " + list + ")");
  }
}

FileStamp StatFile(const std::string& path) {
  struct stat st;
  FileStamp stamp;
  if (IsObjectStorePath(path)) {
    try {
      FileInfo info = FileSystemForPath(path)->Stat(path);
      if (info.size >= 0) {
        stamp.size = info.size;
        stamp.mtime_ns = info.mtime_ns;
      }
    } catch (const Error&) {
    }
    return stamp;
  }
  if (::stat(path.c_str(), &st) != 0) return stamp;
  stamp.size = st.st_size;
  stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return stamp;
}

}  // namespace aishell
