// The MongoDB table scan: negotiates projection ($project), filters (find's filter / $match,
// mongodb_filter.h), LIMIT, ORDER BY + LIMIT ($sort), aggregation ($group) and batched key
// lookups ($in), describes exactly what the server is asked (as JSON, for EXPLAIN), and creates
// the data sources (mongodb_data_source.h).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/mongodb/mongodb_client.h"
#include "connectors/mongodb/mongodb_decoder.h"
#include "connectors/mongodb/mongodb_schema.h"

namespace aishell {

// One aggregate pushed into $group, computed from one or more single-accumulator pipelines whose
// results the data source merges per group (FerretDB answers 0 for every accumulator after the
// first of a $group, and has only $sum and $count; one accumulator per pipeline is exact on both).
struct MongoAggregateCall {
  enum class Kind : uint8_t { kCountStar, kCount, kCountDistinct, kSum, kAvg, kMin, kMax };
  Kind kind = Kind::kCountStar;
  int column = -1;  // table column
  LogicalType result_type;
};

// A GROUP BY key: a column, or a field of a ROW column (`address.city`), as a field path.
struct MongoGroupKey {
  std::string path;  // "address.city"
  LogicalType type;
};

struct MongoAggregation {
  std::vector<MongoGroupKey> groups;
  std::vector<MongoAggregateCall> calls;
};

// The single-accumulator pipelines an aggregation needs, deduplicated, as codes: "n" count(*),
// "n<c>" count of column c's values, "s<c>" sum, "d<c>" distinct values, "<<c>" min, "><c>" max.
std::vector<std::string> MongoAggregateParts(const MongoAggregation& aggregation);

// Everything a data source needs: shared, immutable once execution starts.
struct MongoScanSpec {
  std::shared_ptr<MongoPool> pool;
  std::shared_ptr<const MongoTable> table;
  MongoServerInfo server;
  std::string where;
  std::vector<int> projection;                   // table columns, output order
  std::vector<std::shared_ptr<bson_t>> filters;  // conjuncts, each a query document
  std::vector<std::string> filter_texts;         // the SQL of each, for EXPLAIN
  int64_t limit = -1;
  std::vector<std::pair<std::string, int>> sort;  // path, 1 or -1
  std::shared_ptr<MongoAggregation> aggregation;
  MismatchPolicy mismatch = MismatchPolicy::kError;
  int batch_size = 10000;  // keys per $in round
  // Documents per cursor batch (find's batchSize, also in each getMore); 0: the server's default.
  int cursor_batch_size = 0;
  // An aggregation that needs more single-accumulator pipelines than this stays in the engine:
  // each pipeline reads the collection again (on FerretDB, in Go, as slowly as a scan).
  int max_pipelines = 8;
  std::atomic<int64_t>* mismatches = nullptr;
  // Parallel reading by _id ranges: `splits` ranges when set (scan.splits), else one per thread
  // for a collection of at least `split_min_documents` on MongoDB (never on FerretDB, which reads
  // the whole collection for every range).
  int splits = 0;
  // The most keys worth an $in (lookup joins, dynamic filters); -1: any number. FerretDB reads
  // the whole collection for every $in query and compares each document with every key.
  int64_t max_lookup_keys = -1;
  int64_t split_min_documents = 100000;

  // The find filter: the conjuncts under $and (or the one), plus `extra` (may be null).
  BsonPtr Filter(const bson_t* extra = nullptr) const;
  // find's options: projection, sort, limit, batchSize.
  BsonPtr FindOptions() const;
  // {path: {$type: [...]}}: the values of a numeric column that are numbers (what $sum adds).
  BsonPtr NumbersOf(int column) const;
  // The opposite: values that are neither numbers nor null (they do not fit a numeric column).
  BsonPtr NonNumbersOf(int column) const;
  // The pipelines of the aggregation, in the order the data source runs them.
  std::vector<BsonPtr> Pipelines() const;
};

class MongoScan : public TableScan {
 public:
  explicit MongoScan(MongoScanSpec spec);

  void SetProjection(const std::vector<int>& column_ids) override;
  bool PushFilter(const Expr& conjunct) override;
  bool PushLimit(int64_t limit) override;
  bool PushOrder(const std::vector<SortKey>& keys, int64_t limit) override;
  bool PushAggregation(const AggregationRequest& request) override;
  // Groups that are fields of ROW columns (GROUP BY address.city); other expressions are refused.
  bool AcceptsGroupExpressions() const override { return true; }
  std::string Describe() const override;
  double EstimatedRows() const override;
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override;
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override;

  bool SupportsKeyLookup(const std::vector<int>& key_columns) const override;
  double MaxLookupKeys(const std::vector<int>& key_columns) const override;
  std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                         const Batch& keys) override;
  std::string DescribeLookup(const std::vector<int>& key_columns, size_t batch_size) const override;
  size_t MaxKeysPerRequest(const std::vector<int>& key_columns) const override;
  bool PushDynamicFilter(int column, const Batch& values) override;

 private:
  // {path: {$in: [values]}} for the non-null values of `keys` column 0, or nullptr if one has
  // no exact BSON form that could match.
  BsonPtr InFilter(int column, const Vector& values, size_t count) const;
  bool Pushable(int column) const;  // a scalar field of one BSON type class
  // The same for a column or a field of a ROW column (`address.city`); `path` gets its path.
  bool PushableField(const Expr& e, std::string* path) const;
  // How many _id ranges a plain find would be read in with `threads` threads, and why not more.
  int PlannedSplits(int threads, std::string* why_one) const;
  // Up to n - 1 ascending ObjectIds that cut the collection into parts of about equal size, or
  // none when some _id is not an ObjectId (a range of one BSON type would miss the others).
  std::vector<bson_oid_t> SplitPoints(int n) const;

  MongoScanSpec spec_;
  std::atomic<int64_t> mismatches_{0};
};

}  // namespace aishell
