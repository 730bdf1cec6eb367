// The built-in file formats, by extension.
#include "formats/csv/csv_reader.h"
#include "formats/file_format.h"
#include "formats/json/json_reader.h"
#include "formats/parquet/parquet_reader.h"

namespace aishell {

void RegisterBuiltinFileFormats() {
  static bool done = [] {
    auto csv = std::make_shared<CsvFormat>(',');
    auto tsv = std::make_shared<CsvFormat>('\t');
    auto json = std::make_shared<JsonFormat>();
    RegisterFileFormat("csv", csv);
    RegisterFileFormat("tsv", tsv, FileOptions{{"delim", Value::Varchar("\t")}});
    RegisterFileFormat("json", json);
    RegisterFileFormat("jsonl", json);
    RegisterFileFormat("ndjson", json);
    RegisterFileFormat("parquet", std::make_shared<ParquetFormat>());
    return true;
  }();
  (void)done;
}

}  // namespace aishell
