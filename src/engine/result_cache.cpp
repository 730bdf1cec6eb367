#include "engine/result_cache.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "common/exception.h"
#include "engine/config_store.h"

namespace aishell {

namespace fs = std::filesystem;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t Fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

bool HasNestedColumn(const QueryResult& result) {
  for (const auto& c : result.columns)
    if (c.type.IsNested()) return true;
  return false;
}

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Written to a temporary beside the target, then renamed: a reader never sees half a file.
void WriteAtomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp" + std::to_string(NowMs());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorKind::kIo, "cannot write the result cache file " + tmp);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) throw Error(ErrorKind::kIo, "cannot write the result cache file " + tmp);
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  fs::rename(tmp, path);
}

}  // namespace

ResultCache::ResultCache(std::string dir) : dir_(std::move(dir)) {}

std::string ResultCache::NormalizeSql(const std::string& sql) {
  std::string out;
  bool space = false;
  size_t i = 0, n = sql.size();
  auto emit_space = [&] {
    if (space && !out.empty()) out += ' ';
    space = false;
  };
  while (i < n) {
    char c = sql[i];
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') i++;
      space = true;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string::npos ? n : end + 2;
      space = true;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      i++;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      emit_space();
      size_t start = i++;
      while (i < n) {
        if (sql[i] == close) {
          if (close != ']' && i + 1 < n && sql[i + 1] == close) {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      out.append(sql, start, i - start);
      continue;
    }
    emit_space();
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    i++;
  }
  while (!out.empty() && (out.back() == ';' || out.back() == ' ')) out.pop_back();
  return out;
}

bool ResultCache::IsVolatile(const std::string& normalized_sql) {
  static const char* const kVolatile[] = {
      "now(",         "random(",      "rand(",     "uuid(",          "current_timestamp",
      "current_time", "current_date", "localtime", "localtimestamp", "shuffle(",
      "table(",  // a source's own table functions (raw_query) read it directly
  };
  for (const char* word : kVolatile)
    if (normalized_sql.find(word) != std::string::npos) return true;
  return false;
}

std::string ResultCache::Key(const std::string& normalized_sql,
                             const std::map<std::string, std::string>& settings) {
  std::string key = normalized_sql;
  for (const auto& [name, value] : settings) key += "\n" + name + "=" + value;
  return key;
}

std::string ResultCache::PathFor(const std::string& key, const char* ext) const {
  return dir_ + "/" + fmt::format("{:016x}", Fnv1a(key)) + ext;
}

std::optional<ResultCache::Meta> ResultCache::ReadMeta(const std::string& path) {
  auto text = ReadWhole(path);
  if (!text) return std::nullopt;
  Meta meta;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("created ", 0) == 0) {
      meta.created_ms = std::atoll(line.c_str() + 8);
    } else if (line.rfind("catalog ", 0) == 0) {
      meta.catalogs.push_back(line.substr(8));
    } else if (line.rfind("marker ", 0) == 0) {
      size_t tab = line.find('\t');
      if (tab != std::string::npos) meta.markers[line.substr(7, tab - 7)] = line.substr(tab + 1);
    } else if (line == "key") {
      std::ostringstream rest;
      rest << in.rdbuf();
      meta.key = rest.str();
      break;
    }
  }
  return meta;
}

std::optional<ResultCache::Hit> ResultCache::Lookup(
    const std::string& key, int64_t ttl_ms, const std::map<std::string, std::string>& markers) {
  std::string meta_path = PathFor(key, ".meta"), data_path = PathFor(key, ".bin");
  auto meta = ReadMeta(meta_path);
  if (!meta || meta->key != key) return std::nullopt;
  int64_t age_ms = NowMs() - meta->created_ms;
  if (age_ms < 0 || age_ms >= ttl_ms || meta->markers != markers) {
    std::error_code ec;
    fs::remove(meta_path, ec);
    fs::remove(data_path, ec);
    return std::nullopt;
  }
  auto data = ReadWhole(data_path);
  if (!data) return std::nullopt;
  Hit hit;
  try {
    hit.result = DecodeQueryResult(*data, data_path);
  } catch (const Error&) {
    std::error_code ec;
    fs::remove(meta_path, ec);
    fs::remove(data_path, ec);
    return std::nullopt;
  }
  hit.result.has_rows = true;
  hit.age_seconds = static_cast<double>(age_ms) / 1000.0;
  std::error_code ec;
  fs::last_write_time(data_path, fs::file_time_type::clock::now(), ec);  // used: for LRU
  return hit;
}

bool ResultCache::Store(const std::string& key, const QueryResult& result,
                        const std::vector<std::string>& catalogs,
                        const std::map<std::string, std::string>& markers, int64_t max_bytes) {
  if (!result.has_rows || HasNestedColumn(result) || max_bytes <= 0) return false;
  auto encoded = EncodeQueryResult(result, max_bytes / 4);
  if (!encoded) return false;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw Error(ErrorKind::kIo, "cannot create the result cache folder " + dir_);
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
  std::string meta = "created " + std::to_string(NowMs()) + "\n";
  for (const auto& c : catalogs) meta += "catalog " + c + "\n";
  for (const auto& [table, marker] : markers) meta += "marker " + table + "\t" + marker + "\n";
  meta += "key\n" + key;
  WriteAtomic(PathFor(key, ".bin"), *encoded);
  WriteAtomic(PathFor(key, ".meta"), meta);
  Evict(max_bytes);
  return true;
}

void ResultCache::Evict(int64_t max_bytes) {
  struct File {
    fs::path path;
    fs::file_time_type used;
    int64_t size;
  };
  std::vector<File> files;
  int64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".bin") continue;
    File f{entry.path(), entry.last_write_time(ec), static_cast<int64_t>(entry.file_size(ec))};
    total += f.size;
    files.push_back(std::move(f));
  }
  if (total <= max_bytes) return;
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return a.used < b.used; });
  for (const auto& f : files) {
    if (total <= max_bytes) break;
    fs::path meta = f.path;
    meta.replace_extension(".meta");
    fs::remove(f.path, ec);
    fs::remove(meta, ec);
    total -= f.size;
  }
}

int ResultCache::InvalidateCatalog(const std::string& catalog) {
  int removed = 0;
  std::error_code ec;
  std::vector<fs::path> metas;
  for (const auto& entry : fs::directory_iterator(dir_, ec))
    if (entry.path().extension() == ".meta") metas.push_back(entry.path());
  std::string lower = catalog;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const auto& path : metas) {
    auto meta = ReadMeta(path.string());
    if (!meta) continue;
    bool reads = false;
    for (auto c : meta->catalogs) {
      for (auto& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      reads = reads || c == lower;
    }
    if (!reads) continue;
    fs::path data = path;
    data.replace_extension(".bin");
    fs::remove(path, ec);
    fs::remove(data, ec);
    removed++;
  }
  return removed;
}

int ResultCache::Clear() {
  int removed = 0;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) files.push_back(entry.path());
  for (const auto& path : files) {
    if (path.extension() == ".meta") removed++;
    fs::remove(path, ec);
  }
  return removed;
}

ResultCacheStatus ResultCache::Status() const {
  ResultCacheStatus status;
  std::error_code ec;
  int64_t now = NowMs();
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().extension() == ".bin") {
      status.bytes += static_cast<int64_t>(entry.file_size(ec));
      continue;
    }
    if (entry.path().extension() != ".meta") continue;
    auto meta = ReadMeta(entry.path().string());
    if (!meta) continue;
    status.entries++;
    double age = static_cast<double>(now - meta->created_ms) / 1000.0;
    if (!status.oldest_age_seconds || age > *status.oldest_age_seconds)
      status.oldest_age_seconds = age;
    if (!status.newest_age_seconds || age < *status.newest_age_seconds)
      status.newest_age_seconds = age;
  }
  return status;
}

}  // namespace aishell
