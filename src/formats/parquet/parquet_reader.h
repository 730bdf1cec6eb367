// Parquet reading: read_parquet('path or glob') and *.parquet tables of the file catalog.
// Flat columns of every physical type and the common logical types; nested columns (LIST,
// STRUCT, MAP) are listed but reading them fails with "unsupported: nested column".
#pragma once

#include <string>
#include <vector>

#include "formats/file_format.h"

namespace aishell {

class ParquetFormat : public FileFormat {
 public:
  std::string Name() const override { return "parquet"; }
  std::shared_ptr<FileTable> Open(const std::string& function_name,
                                  const std::vector<std::string>& files, const FileOptions& options,
                                  const std::string& schema,
                                  const std::string& table_name) override;
};

}  // namespace aishell
