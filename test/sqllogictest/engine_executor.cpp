// Runs sqllogictest statements on an aishell Engine and renders values as DuckDB prints them.
#include <cstdlib>
#include <exception>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "engine/engine.h"
#include "sqllogictest.h"

namespace aishell {
namespace slt {
namespace {

class EngineExecutor : public SqlExecutor {
 public:
  explicit EngineExecutor(const std::string& home_dir) {
    EngineOptions options;
    options.home_dir = home_dir;
    options.threads = 2;
    engine_ = std::make_unique<Engine>(options);
    // Servers started by scripts/services/*.sh become catalogs for `require <service>` files.
    RegisterBuiltinConnectors();
    for (const auto& service : kServiceCatalogs) {
      const char* url = std::getenv(service.env);
      if (!url || !*url) continue;
      ConnectionConfig config{service.catalog, service.type, url, {}};
      if (service.database) {
        size_t slash = config.url.rfind('/');
        if (slash != std::string::npos && slash > config.url.find("://") + 2)
          config.url = config.url.substr(0, slash) + "/" + service.database;
      }
      if (service.properties) {
        std::string props = service.properties;
        size_t pos = 0;
        while (pos < props.size()) {
          size_t end = props.find('\n', pos);
          if (end == std::string::npos) end = props.size();
          std::string line = props.substr(pos, end - pos);
          size_t eq = line.find('=');
          if (eq != std::string::npos) config.properties[line.substr(0, eq)] = line.substr(eq + 1);
          pos = end + 1;
        }
      }
      try {
        engine_->catalogs().AddCatalog(config);
      } catch (const std::exception&) {
        // The files that need it fail on their own with the connector's message.
      }
    }
  }

  bool Execute(const std::string& sql, ResultSet& result, std::string& error) override {
    result = ResultSet();
    try {
      QueryResult query_result = engine_->Execute(sql);
      if (!query_result.has_rows) return true;
      for (const auto& column : query_result.columns) {
        result.column_is_double.push_back(column.type.id == TypeId::kDouble);
      }
      size_t width = query_result.columns.size();
      for (const auto& batch : query_result.batches) {
        if (batch.ColumnCount() != width) {
          error = "internal: a result batch has " + std::to_string(batch.ColumnCount()) +
                  " columns but the result declares " + std::to_string(width);
          return false;
        }
        for (size_t row = 0; row < batch.count; row++) {
          std::vector<std::string> values;
          values.reserve(width);
          for (size_t c = 0; c < width; c++) {
            Value v = batch.columns[c].GetValue(row);
            std::string text = v.ToString();
            if (!v.is_null() && text.empty()) text = "(empty)";
            values.push_back(std::move(text));
          }
          result.rows.push_back(std::move(values));
        }
      }
      return true;
    } catch (const Error& e) {
      std::string formatted;
      try {
        formatted = FormatError(e, sql);
      } catch (...) {
      }
      error = e.kind() == ErrorKind::kInternal ? std::string(kInternalErrorPrefix) : "";
      error += std::string(ErrorKindName(e.kind())) + ": " + e.what();
      if (!formatted.empty() && formatted != e.what()) error += "\n" + formatted;
      return false;
    } catch (const std::exception& e) {
      error = std::string(kInternalErrorPrefix) + "unexpected C++ exception: " + e.what();
      return false;
    } catch (...) {
      error = std::string(kInternalErrorPrefix) + "unexpected non-standard exception";
      return false;
    }
  }

 private:
  std::unique_ptr<Engine> engine_;
};

}  // namespace

std::unique_ptr<SqlExecutor> MakeEngineExecutor(const std::string& home_dir) {
  return std::make_unique<EngineExecutor>(home_dir);
}

}  // namespace slt
}  // namespace aishell
