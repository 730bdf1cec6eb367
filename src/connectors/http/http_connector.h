// An HTTP/JSON API as a source: each declared endpoint is a table.
//   aishell connect https://ml.example.com/api --type http --name ml \
//     --property table.recommendations='GET /users/{user_id}/recommendations' \
//     --property sample.recommendations.user_id=1 [--property path.recommendations=$.items] \
//     [--property header.Authorization=env:ML_TOKEN] [--property timeout=10] [--property retries=3]
//     [--property concurrency=4]
// Path parameters are columns that must be given: `user_id = 7` in WHERE, or a lookup join that
// supplies them (batched, `concurrency` requests at a time). The response (a JSON array of
// objects, or the array at `path.<table>`) becomes rows; the columns and their types are inferred
// from one response to the sample parameters. 429 and 5xx answers are retried (`retries`, with
// backoff); every request has a timeout. Header values (tokens) are never printed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"

namespace aishell {

struct HttpEndpoint {
  std::string table;
  std::string method;                   // GET
  std::string path;                     // /users/{user_id}/recommendations
  std::vector<std::string> parameters;  // user_id
  std::string json_path;                // "" or "$.items"
};

struct HttpSettings {
  std::string base_url;
  std::map<std::string, std::string> headers;  // name -> value or env:VAR
  double timeout_seconds = 10;
  int retries = 3;
  int concurrency = 4;
};

class HttpConnector : public Connector {
 public:
  explicit HttpConnector(const ConnectionConfig& config);
  std::string TypeName() const override { return "http"; }
  std::vector<std::string> ListSchemas() override { return {"default"}; }
  std::vector<std::string> ListTables(const std::string& schema) override;
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override;
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override;
  std::string Summary() override;

 private:
  std::string name_;
  HttpSettings settings_;
  std::map<std::string, HttpEndpoint> endpoints_;  // lower-case table name
  std::map<std::string, std::map<std::string, std::string>> samples_;
  std::map<std::string, std::shared_ptr<const TableInfo>> tables_;
};

void RegisterHttpConnector();

}  // namespace aishell
