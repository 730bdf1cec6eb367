#include "connectors/file/file_connector.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/strings.h"
#include "connectors/file/file_writer.h"

namespace aishell {

namespace {

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.empty() || n[0] == '.') continue;
    names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string Stem(const std::string& file) {
  auto dot = file.find_last_of('.');
  return dot == std::string::npos ? file : file.substr(0, dot);
}

bool ValidName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

// Writes a new file through a temp file renamed into place on Commit.
}  // namespace

FileConnector::FileConnector(const ConnectionConfig& config) : name_(config.name) {
  std::string path = config.url;
  if (path.rfind("file://", 0) == 0) path = path.substr(7);
  auto it = config.properties.find("path");
  if (path.empty() && it != config.properties.end()) path = it->second;
  if (path.empty())
    throw Error(ErrorKind::kConnector,
                "file source '" + name_ + "': no folder given (use file:///path/to/folder)");
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (!IsDir(path)) {
    throw Error(ErrorKind::kConnector,
                "file source '" + name_ + "': " + path + " is not a folder" +
                    (::access(path.c_str(), F_OK) == 0 ? "" : " (it does not exist)"));
  }
  root_ = path;
  auto wf = config.properties.find("write_format");
  if (wf != config.properties.end()) {
    write_format_ = AsciiLower(wf->second);
    if (write_format_ != "csv" && write_format_ != "json" && write_format_ != "jsonl" &&
        write_format_ != "tsv") {
      throw Error(ErrorKind::kConnector,
                  "file source '" + name_ + "': write_format must be csv, tsv, json or jsonl");
    }
  }
  RegisterBuiltinFileFormats();
}

std::string FileConnector::SchemaDir(const std::string& schema) {
  if (schema.empty() || AsciiLower(schema) == "default") return root_;
  if (!ValidName(schema)) return "";
  std::string exact = root_ + "/" + schema;
  if (IsDir(exact)) return exact;
  for (const auto& n : ListDir(root_)) {
    if (AsciiLower(n) == AsciiLower(schema) && IsDir(root_ + "/" + n)) return root_ + "/" + n;
  }
  return "";
}

std::vector<std::string> FileConnector::ListSchemas() {
  std::vector<std::string> out{"default"};
  for (const auto& n : ListDir(root_)) {
    if (AsciiLower(n) != "default" && IsDir(root_ + "/" + n)) out.push_back(n);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> FileConnector::TableFiles(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& n : ListDir(dir)) {
    if (!FindFileFormatForPath(n)) continue;
    std::string path = dir + "/" + n;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::string stem = Stem(n);
    bool dup = false;
    for (const auto& [f, t] : out) {
      if (AsciiLower(t) == AsciiLower(stem)) dup = true;
    }
    if (!dup) out.emplace_back(n, stem);
  }
  return out;
}

std::vector<std::string> FileConnector::ListTables(const std::string& schema) {
  std::string dir = SchemaDir(schema);
  if (dir.empty())
    throw Error(ErrorKind::kCatalog, "file source '" + name_ + "': no schema '" + schema + "'");
  std::vector<std::string> out;
  for (const auto& [file, table] : TableFiles(dir)) out.push_back(table);
  return out;
}

std::string FileConnector::FindTableFile(const std::string& dir, const std::string& table) {
  auto files = TableFiles(dir);
  for (const auto& [file, t] : files) {
    if (t == table) return dir + "/" + file;
  }
  for (const auto& [file, t] : files) {
    if (AsciiLower(t) == AsciiLower(table)) return dir + "/" + file;
  }
  return "";
}

std::shared_ptr<FileTable> FileConnector::OpenCached(const std::string& path,
                                                     const std::string& schema,
                                                     const std::string& table) {
  FileStamp stamp = StatFile(path);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(path);
    if (it != cache_.end() && it->second.stamp == stamp) return it->second.table;
  }
  const FileFormatEntry* entry = FindFileFormatForPath(path);
  if (!entry) throw Error(ErrorKind::kIo, "file source '" + name_ + "': no reader for " + path);
  auto ft = entry->format->Open(name_ + "." + schema + "." + table, {path}, entry->default_options,
                                schema, table);
  std::lock_guard<std::mutex> lock(mutex_);
  cache_[path] = CacheEntry{stamp, ft};
  return ft;
}

void FileConnector::Invalidate(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  cache_.erase(path);
}

std::shared_ptr<const TableInfo> FileConnector::GetTable(const std::string& schema,
                                                         const std::string& table) {
  std::string dir = SchemaDir(schema);
  if (dir.empty() || !ValidName(table)) return nullptr;
  std::string path = FindTableFile(dir, table);
  if (path.empty()) return nullptr;
  std::string schema_name = dir == root_ ? "default" : dir.substr(root_.size() + 1);
  return OpenCached(path, schema_name, Stem(path.substr(path.find_last_of('/') + 1)))->info();
}

std::unique_ptr<TableScan> FileConnector::CreateScan(std::shared_ptr<const TableInfo> table) {
  if (!table)
    throw Error(ErrorKind::kInternal, "file source '" + name_ + "': CreateScan without a table");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(table->location);
    if (it != cache_.end() && it->second.table->info() == table)
      return it->second.table->CreateScan();
  }
  // The file changed or the info came from elsewhere: reopen, and insist the columns still match.
  auto ft = OpenCached(table->location, table->schema, table->name);
  const auto& now = ft->info()->columns;
  bool same = now.size() == table->columns.size();
  for (size_t i = 0; same && i < now.size(); i++) {
    same = now[i].name == table->columns[i].name && now[i].type == table->columns[i].type;
  }
  if (!same) {
    throw Error(ErrorKind::kIo,
                "file source '" + name_ + "': " + table->location +
                    " changed its columns since the query was planned; run the query again");
  }
  return ft->CreateScan();
}

std::unique_ptr<TableWriter> FileConnector::CreateTable(const std::string& schema,
                                                        const std::string& table,
                                                        const std::vector<ColumnInfo>& columns) {
  std::string dir = SchemaDir(schema);
  if (dir.empty()) {
    if (!ValidName(schema))
      throw Error(ErrorKind::kCatalog,
                  "file source '" + name_ + "': invalid schema name '" + schema + "'");
    // A new schema is a new sub-folder.
    dir = root_ + "/" + schema;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      throw Error(ErrorKind::kIo, "file source '" + name_ + "': cannot create folder " + dir +
                                      ": " + std::strerror(errno));
    }
  }
  if (!ValidName(table))
    throw Error(ErrorKind::kCatalog,
                "file source '" + name_ + "': invalid table name '" + table + "'");
  if (!FindTableFile(dir, table).empty()) {
    throw Error(ErrorKind::kCatalog,
                "file source '" + name_ + "': table '" + table + "' already exists in " + dir);
  }
  if (columns.empty())
    throw Error(ErrorKind::kCatalog,
                "file source '" + name_ + "': a table needs at least one column");
  std::string ext = write_format_ == "json" ? "jsonl" : write_format_;
  std::string path = dir + "/" + table + "." + ext;
  const FileFormatEntry* entry = FindFileFormatForPath(path);
  if (!entry || !entry->format->CanWrite()) {
    throw Error(ErrorKind::kUnsupported,
                "file source '" + name_ + "': cannot write ." + ext + " files");
  }
  return CreateFileWriter(name_, path, entry->format, columns, "",
                          [this, path] { Invalidate(path); });
}

std::unique_ptr<TableWriter> FileConnector::InsertInto(std::shared_ptr<const TableInfo> table) {
  if (!table)
    throw Error(ErrorKind::kInternal, "file source '" + name_ + "': InsertInto without a table");
  const FileFormatEntry* entry = FindFileFormatForPath(table->location);
  if (!entry || !entry->format->CanWrite()) {
    throw Error(ErrorKind::kUnsupported,
                "file source '" + name_ + "': cannot write to " + table->location);
  }
  std::string path = table->location;
  return CreateFileWriter(name_, path, entry->format, table->columns, path,
                          [this, path] { Invalidate(path); });
}

namespace {

// Buffers the new rows; Commit reads the table, merges by key and writes the file again.
class FileUpsertWriter : public TableWriter {
 public:
  FileUpsertWriter(std::string where, std::shared_ptr<const TableInfo> table,
                   std::unique_ptr<TableScan> scan, std::vector<int> key_columns,
                   UpsertConflict conflict, std::function<std::unique_ptr<TableWriter>()> rewrite)
      : where_(std::move(where)),
        table_(std::move(table)),
        scan_(std::move(scan)),
        key_columns_(std::move(key_columns)),
        conflict_(conflict),
        rewrite_(std::move(rewrite)) {}

  void Append(const Batch& batch) override {
    Batch copy = batch;
    copy.Flatten();
    new_rows_.push_back(std::move(copy));
  }

  void Commit() override {
    std::set<std::string> new_keys;
    for (const auto& b : new_rows_)
      for (size_t r = 0; r < b.count; r++) new_keys.insert(Key(b, r));
    std::vector<int> all;
    for (size_t i = 0; i < table_->columns.size(); i++) all.push_back(static_cast<int>(i));
    scan_->SetProjection(all);
    std::vector<Batch> kept;
    std::set<std::string> old_keys;
    for (auto& split : scan_->CreateSplits(1)) {
      auto source = scan_->CreateDataSource(split);
      Batch b;
      while (source->Next(b)) {
        std::vector<uint32_t> sel;
        for (size_t r = 0; r < b.count; r++) {
          std::string key = Key(b, r);
          bool again = new_keys.count(key) > 0;
          if (again && conflict_ == UpsertConflict::kError) {
            throw Error(ErrorKind::kExecution, where_ + ": " + table_->location +
                                                   " already has a row with key " + key +
                                                   " (conflict: error); nothing was written");
          }
          if (again && conflict_ == UpsertConflict::kTargetWins) old_keys.insert(key);
          if (!again || conflict_ == UpsertConflict::kTargetWins)
            sel.push_back(static_cast<uint32_t>(r));
        }
        if (!sel.empty()) kept.push_back(b.Gather(sel.data(), sel.size()));
      }
    }
    auto writer = rewrite_();
    for (const auto& b : kept) writer->Append(b);
    for (const auto& b : new_rows_) {
      std::vector<uint32_t> sel;
      for (size_t r = 0; r < b.count; r++)
        if (!old_keys.count(Key(b, r))) sel.push_back(static_cast<uint32_t>(r));
      if (!sel.empty()) writer->Append(b.Gather(sel.data(), sel.size()));
    }
    writer->Commit();
  }

  void Abort() override { new_rows_.clear(); }

 private:
  std::string Key(const Batch& b, size_t r) const {
    std::string key;
    for (int k : key_columns_) {
      Value v = b.columns[k].GetValue(r);
      key += (key.empty() ? "" : ", ") + table_->columns[k].name + "=" +
             (v.is_null() ? std::string("NULL") : v.ToString());
    }
    return key;
  }

  std::string where_;
  std::shared_ptr<const TableInfo> table_;
  std::unique_ptr<TableScan> scan_;
  std::vector<int> key_columns_;
  UpsertConflict conflict_;
  std::function<std::unique_ptr<TableWriter>()> rewrite_;
  std::vector<Batch> new_rows_;
};

}  // namespace

std::unique_ptr<TableWriter> FileConnector::UpsertInto(std::shared_ptr<const TableInfo> table,
                                                       const std::vector<int>& key_columns,
                                                       UpsertConflict conflict) {
  if (!table)
    throw Error(ErrorKind::kInternal, "file source '" + name_ + "': UpsertInto without a table");
  const FileFormatEntry* entry = FindFileFormatForPath(table->location);
  if (!entry || !entry->format->CanWrite()) {
    throw Error(ErrorKind::kUnsupported,
                "file source '" + name_ + "': cannot write to " + table->location);
  }
  std::string path = table->location;
  auto format = entry->format;
  auto columns = table->columns;
  return std::make_unique<FileUpsertWriter>("file source '" + name_ + "'", table, CreateScan(table),
                                            key_columns, conflict, [this, path, format, columns] {
                                              return CreateFileWriter(
                                                  name_, path, format, columns, "",
                                                  [this, path] { Invalidate(path); });
                                            });
}

std::string FileConnector::Summary() {
  size_t tables = 0;
  auto schemas = ListSchemas();
  for (const auto& s : schemas) tables += TableFiles(SchemaDir(s)).size();
  return "folder " + root_ + ": " + std::to_string(schemas.size()) + " schema(s), " +
         std::to_string(tables) + " table(s)";
}

void RegisterFileConnector() {
  ConnectorFactory::Register("file", {"file"},
                             [](const ConnectionConfig& config) -> std::shared_ptr<Connector> {
                               return std::make_shared<FileConnector>(config);
                             });
}

}  // namespace aishell
