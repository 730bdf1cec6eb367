// JSON Lines reading (one object per line) with simdjson: columns are the union of the keys in
// a sample, types are inferred; nested objects and arrays read as JSON text (VARCHAR).
#pragma once

#include <string>
#include <vector>

#include "formats/file_format.h"

namespace aishell {

class JsonFormat : public FileFormat {
 public:
  std::string Name() const override { return "json"; }
  // Options: columns ('a BIGINT, b VARCHAR' or names), types ('name TYPE, ...'), sample_size.
  std::shared_ptr<FileTable> Open(const std::string& function_name,
                                  const std::vector<std::string>& files, const FileOptions& options,
                                  const std::string& schema,
                                  const std::string& table_name) override;
  bool CanWrite() const override { return true; }
  void AppendRows(const Batch& batch, const std::vector<ColumnInfo>& columns,
                  std::string* out) const override;
};

}  // namespace aishell
