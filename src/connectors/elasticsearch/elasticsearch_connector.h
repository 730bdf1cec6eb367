// The Elasticsearch connector (HTTP through libcurl, responses parsed with simdjson):
// `aishell connect elasticsearch://[user:password@]host:port[/index-pattern] --name <name>`, or
// elasticsearchs:// (or ?tls=true) for HTTPS with --property tls.ca-file=...; --property
// api_key=... sends `Authorization: ApiKey`. Each index, alias and data stream is a table of schema
// `default` (the URL's pattern limits which are listed), typed from its mapping
// (elasticsearch_schema.h). See src/connectors/elasticsearch/README.md.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/elasticsearch/elasticsearch_client.h"
#include "connectors/elasticsearch/elasticsearch_scan.h"
#include "connectors/elasticsearch/elasticsearch_schema.h"

namespace aishell {

class EsConnector : public Connector {
 public:
  // Connects (GET /, or GET /_nodes/_local where / is refused) to check the URL and the
  // credentials: Error(kConnector) naming the source otherwise.
  explicit EsConnector(const ConnectionConfig& config);

  std::string TypeName() const override { return "elasticsearch"; }
  std::vector<std::string> ListSchemas() override { return {"default"}; }
  std::vector<std::string> ListTables(const std::string& schema) override;
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override;
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override;

  bool SupportsWrites() const override { return true; }
  std::unique_ptr<TableWriter> CreateTable(const std::string& schema, const std::string& table,
                                           const std::vector<ColumnInfo>& columns) override;
  std::unique_ptr<TableWriter> InsertInto(std::shared_ptr<const TableInfo> table) override;
  // The key column's value becomes the document id: a row replaces its document (source_wins)
  // or is skipped when one is there (target_wins). conflict error is refused.
  bool SupportsUpsert() const override { return true; }
  std::unique_ptr<TableWriter> UpsertInto(std::shared_ptr<const TableInfo> table,
                                          const std::vector<int>& key_columns,
                                          UpsertConflict conflict) override;
  std::string Summary() override;
  SourceOverview Overview(size_t max_objects) override;
  // raw_query(schema, index, query): Trino's pass-through search (one row, `result`);
  // query_string(index, query[, schema]): the index's rows matching a query_string query, with
  // `_score` a visible column.
  SourceTableFunction CallTableFunction(const std::string& name, const std::vector<Value>& args,
                                        const std::map<std::string, Value>& named_args) override;

  std::string Where() const { return "elasticsearch source '" + name_ + "'"; }
  const EsServerInfo& server() const { return server_; }

 private:
  std::string Resolve(const std::string& table);  // the server's name, or ""
  std::shared_ptr<EsTable> Load(const std::string& index);
  std::shared_ptr<const EsTable> TableOf(const TableInfo& info);
  int PropertyNumber(const char* key, int fallback, int max) const;
  EsScanSpec SpecFor(std::shared_ptr<const EsTable> table) const;

  std::string name_;
  std::map<std::string, std::string> properties_;
  std::string pattern_ = "*";
  std::shared_ptr<EsClient> client_;
  EsServerInfo server_;
  int batch_size_ = 10000;
  int page_size_ = 10000;
  int sample_size_ = 100;
  int64_t slice_min_documents_ = 50000;
  bool force_scroll_ = false;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<EsTable>> tables_;
};

void RegisterElasticsearchConnector();

}  // namespace aishell
