// Writes of the file catalog (CREATE TABLE AS, INSERT): rows go to a temporary file beside the
// table's file, renamed into place on Commit, so a failed write leaves the table as it was.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "formats/file_format.h"

namespace aishell {

// A writer of `final_path` in `format`. `copy_from` (an existing file, or empty) is copied first:
// INSERT appends to the table's rows. `on_commit` runs after the rename (the catalog forgets its
// cached description). `source` names the catalog in errors.
std::unique_ptr<TableWriter> CreateFileWriter(std::string source, std::string final_path,
                                              std::shared_ptr<FileFormat> format,
                                              std::vector<ColumnInfo> columns,
                                              std::string copy_from,
                                              std::function<void()> on_commit);

}  // namespace aishell
