// read_csv('path or glob', header => true, delim => ',', ...) and read_json('path or glob').
#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/strings.h"
#include "connectors/file/file_connector.h"
#include "formats/csv/csv_reader.h"
#include "formats/json/json_reader.h"
#include "formats/parquet/parquet_reader.h"

namespace aishell {

namespace {

std::string TableNameOf(const std::string& path) {
  auto slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  auto dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

TableFunction MakeFileFunction(const std::string& fn, std::shared_ptr<FileFormat> format) {
  return [fn, format](const std::vector<Value>& args,
                      const std::map<std::string, Value>& named_args) {
    if (args.size() != 1) {
      throw Error(ErrorKind::kBinder,
                  fn +
                      " takes one positional argument, the file path or glob, and named options "
                      "(e.g. " +
                      fn + "('data/*.csv', header => true)); got " + std::to_string(args.size()));
    }
    if (args[0].is_null() || args[0].type().id != TypeId::kVarchar) {
      throw Error(ErrorKind::kBinder,
                  fn + ": the file path must be a string, got " + args[0].ToSqlLiteral());
    }
    FileOptions options;
    for (const auto& [k, v] : named_args) options[AsciiLower(k)] = v;
    const std::string& pattern = args[0].GetString();
    std::vector<std::string> files = ExpandFileGlob(pattern, fn);
    auto table = format->Open(fn, files, options, "", TableNameOf(files[0]));
    BoundTableFunction bound;
    bound.source_name = fn;
    bound.table = table->info();
    bound.scan = table->CreateScan();
    return bound;
  };
}

}  // namespace

void RegisterFileTableFunctions() {
  auto csv = std::make_shared<CsvFormat>();
  auto json = std::make_shared<JsonFormat>();
  TableFunctionRegistry::Register("read_csv", MakeFileFunction("read_csv", csv));
  TableFunctionRegistry::Register("read_csv_auto", MakeFileFunction("read_csv", csv));
  TableFunctionRegistry::Register("read_json", MakeFileFunction("read_json", json));
  TableFunctionRegistry::Register("read_json_auto", MakeFileFunction("read_json", json));
  TableFunctionRegistry::Register("read_ndjson", MakeFileFunction("read_json", json));
  TableFunctionRegistry::Register(
      "read_parquet", MakeFileFunction("read_parquet", std::make_shared<ParquetFormat>()));
}

}  // namespace aishell
