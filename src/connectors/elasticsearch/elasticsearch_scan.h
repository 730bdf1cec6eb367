// The Elasticsearch table scan: negotiates projection (`_source` includes), filters (the query
// DSL of elasticsearch_query.h in a bool query's filter context), LIMIT (`size`), ORDER BY + LIMIT
// (`sort` + `size`), GROUP BY with count/sum/avg/min/max (a `composite` aggregation paged by
// `after_key`, or plain metric aggregations without GROUP BY), batched key lookups and dynamic
// filters (`terms` of up to federation.batch_size keys, capped at index.max_terms_count), and
// describes the exact request body for EXPLAIN. Full reads use point-in-time + search_after on
// _shard_doc, sliced across splits (scroll where the server has no point in time), after one probe
// page that ends the read of a small result without opening anything.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/elasticsearch/elasticsearch_client.h"
#include "connectors/elasticsearch/elasticsearch_schema.h"

namespace aishell {

struct EsServerInfo {
  std::string product = "Elasticsearch";  // or OpenSearch
  std::string version;
  bool has_pit = false;  // Elasticsearch's /<index>/_pit with _shard_doc
};

struct EsAggregateCall {
  enum class Kind : uint8_t { kCountStar, kCount, kSum, kAvg, kMin, kMax, kCountDistinct };
  Kind kind = Kind::kCountStar;
  const EsField* field = nullptr;
  LogicalType result_type;
};

struct EsAggregation {
  std::vector<const EsField*> groups;
  // Each group's composite source body: {"terms":{"field":..}} or, for date_trunc(unit, ts),
  // {"date_histogram":{"field":..,"calendar_interval":..}} (both with missing_bucket).
  std::vector<std::string> group_sources;
  std::vector<LogicalType> group_types;
  std::vector<EsAggregateCall> calls;
  // count(DISTINCT distinct_field): the composite pages one bucket per (groups..., value), and
  // the data source counts the buckets of each group (exact, unlike `cardinality`). Only with
  // count(*) beside it.
  const EsField* distinct_field = nullptr;
  std::string distinct_path;
};

// Everything a data source needs: shared, immutable once execution starts.
struct EsScanSpec {
  std::shared_ptr<EsClient> client;
  std::shared_ptr<const EsTable> table;
  EsServerInfo server;
  std::string where;
  std::vector<int> projection;            // table columns, output order
  std::vector<std::string> filters;       // query clauses (JSON), in filter context
  std::vector<std::string> must;          // full-text clauses, in scoring (must) context
  std::vector<std::string> filter_texts;  // the SQL of each, for EXPLAIN
  int64_t limit = -1;
  std::vector<std::string> sort;  // sort clauses (JSON)
  std::shared_ptr<EsAggregation> aggregation;
  int page_size = 10000;      // hits per search_after page
  int composite_size = 1000;  // buckets per composite page
  int batch_size = 10000;     // keys per terms lookup
  int64_t slice_min_documents = 50000;
  bool force_scroll = false;
  bool match_score = false;  // a full-text clause needs _score

  // The query: the filters and `extra` (a clause, may be empty) under bool.filter.
  std::string Query(const std::string& extra = {}) const;
  // "_source": includes (or false).
  std::string SourceJson() const;
  // The body of a plain search (no point in time) of `size` hits.
  std::string SearchBody(const std::string& extra, int64_t size) const;
  // The aggregation body (composite `after` may be empty).
  std::string AggregationBody(const std::string& after) const;
};

class EsScan : public TableScan {
 public:
  explicit EsScan(EsScanSpec spec);

  void SetProjection(const std::vector<int>& column_ids) override;
  bool PushFilter(const Expr& conjunct) override;
  bool PushLimit(int64_t limit) override;
  bool PushOrder(const std::vector<SortKey>& keys, int64_t limit) override;
  bool PushAggregation(const AggregationRequest& request) override;
  bool AcceptsGroupExpressions() const override { return true; }
  std::string Describe() const override;
  double EstimatedRows() const override;
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override;
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override;

  bool SupportsKeyLookup(const std::vector<int>& key_columns) const override;
  std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                         const Batch& keys) override;
  std::string DescribeLookup(const std::vector<int>& key_columns, size_t batch_size) const override;
  size_t MaxKeysPerRequest(const std::vector<int>& key_columns) const override;
  bool PushDynamicFilter(int column, const Batch& values) override;

 private:
  int LookupBatch() const;

  EsScanSpec spec_;
  int slices_ = 1;
};

// TABLE(es.system.raw_query(schema => 'default', index => 'i', query => '{...}')), Trino's
// pass-through search: the body goes as written to POST /<index>/_search, and the whole answer is
// one row of one column, `result` (VARCHAR: the JSON text, for json_extract and friends).
class EsRawQueryScan : public TableScan {
 public:
  // `path` is the index already encoded for a URL path; `index` names it in messages.
  EsRawQueryScan(std::shared_ptr<EsClient> client, std::string index, std::string path,
                 std::string body, std::string where)
      : client_(std::move(client)),
        index_(std::move(index)),
        path_(std::move(path)),
        body_(std::move(body)),
        where_(std::move(where)) {}

  void SetProjection(const std::vector<int>& column_ids) override { projection_ = column_ids; }
  std::string Describe() const override;
  double EstimatedRows() const override { return 1; }
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override;
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override;

 private:
  std::shared_ptr<EsClient> client_;
  std::string index_;
  std::string path_;
  std::string body_;
  std::string where_;
  std::vector<int> projection_ = {0};
};

}  // namespace aishell
