// File formats behind read_csv()/read_json() and the file catalog: a map from file extension to
// a reader (and optionally a writer). Parquet and others plug in with RegisterFileFormat().
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "common/value.h"

namespace aishell {

// Named options of a table function or of a file catalog table (keys lower-case).
using FileOptions = std::map<std::string, Value>;

// One or more files of one format bound to a schema (the result of sniffing).
class FileTable {
 public:
  virtual ~FileTable() = default;
  virtual std::shared_ptr<const TableInfo> info() const = 0;
  virtual std::unique_ptr<TableScan> CreateScan() = 0;
};

class FileFormat {
 public:
  virtual ~FileFormat() = default;
  virtual std::string Name() const = 0;  // "csv", "json"
  // `function_name` prefixes error messages ("read_csv"); `files` is non-empty.
  virtual std::shared_ptr<FileTable> Open(const std::string& function_name,
                                          const std::vector<std::string>& files,
                                          const FileOptions& options, const std::string& schema,
                                          const std::string& table_name) = 0;

  // Writing (file catalog CREATE TABLE AS / INSERT).
  virtual bool CanWrite() const { return false; }
  // Text that starts a new file (a CSV header); may be empty.
  virtual std::string FileHeader(const std::vector<ColumnInfo>& columns) const { return {}; }
  // Appends the rows of `batch` (columns in `columns` order) as text.
  virtual void AppendRows(const Batch& batch, const std::vector<ColumnInfo>& columns,
                          std::string* out) const;
};

// For AppendRows: throws Error(kInternal, "<writer>: batch has N columns, table has M") unless
// `batch` has one column per entry of `columns`.
void CheckBatchColumns(const Batch& batch, const std::vector<ColumnInfo>& columns,
                       const std::string& writer);
// For AppendRows: appends the text of row `r` of `v` if `type` is one that every text format
// writes the same way (BOOLEAN as true/false, INTEGER, BIGINT, DECIMAL) and returns true; returns
// false (appending nothing) for the other types.
bool AppendPlainScalar(const UnifiedView& v, size_t r, const LogicalType& type, std::string* out);

// `extension` without the dot, lower-case ("csv", "tsv", "jsonl").
void RegisterFileFormat(const std::string& extension, std::shared_ptr<FileFormat> format,
                        FileOptions default_options = {});

struct FileFormatEntry {
  std::shared_ptr<FileFormat> format;
  FileOptions default_options;
};
// The format for a path by its extension, or nullptr.
const FileFormatEntry* FindFileFormatForPath(const std::string& path);
std::vector<std::string> FileFormatExtensions();
// Registers the built-in formats (csv, tsv, json, jsonl, ndjson) once.
void RegisterBuiltinFileFormats();

// Expands a path or glob(3) pattern to a sorted file list.
// Throws Error(kIo, "<function>: no file matches '<pattern>'").
std::vector<std::string> ExpandFileGlob(const std::string& pattern,
                                        const std::string& function_name);

// Option helpers: throw Error(kBinder) naming the function and option on a wrong type.
bool OptionBool(const FileOptions& options, const std::string& key, bool fallback,
                const std::string& fn);
std::string OptionString(const FileOptions& options, const std::string& key,
                         const std::string& fallback, const std::string& fn);
int64_t OptionInt(const FileOptions& options, const std::string& key, int64_t fallback,
                  const std::string& fn);
// Throws Error(kBinder) for a key not in `known`.
void CheckKnownOptions(const FileOptions& options, const std::vector<std::string>& known,
                       const std::string& fn);

// File size and modification time (for caches); size -1 if missing.
struct FileStamp {
  int64_t size = -1;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
FileStamp StatFile(const std::string& path);

}  // namespace aishell
