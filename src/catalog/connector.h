// The connector contract: the small abstract classes every source implements.
//
//   Connector   lists schemas and tables, gives statistics, creates scans and writers.
//   TableScan   is offered projections, filters, limit, order and aggregation, accepts or refuses
//               each, describes what was pushed down (for EXPLAIN), and splits the work.
//   DataSource  streams batches for one split.
//   TableWriter writes batches, all-or-nothing.
//
// Expressions offered to a scan are bound expressions whose column refs index
// TableInfo::columns (not the projection).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/secrets.h"  // RedactUrl
#include "common/types.h"
#include "common/value.h"
#include "common/vector.h"
#include "expr/expression.h"

namespace aishell {

// The join kinds a source may be offered (TableScan::PushJoin).
enum class PushedJoinType : uint8_t { kInner, kLeft, kRight };

struct ColumnInfo {
  std::string name;
  LogicalType type;
  bool nullable = true;
  std::string comment;  // e.g. "pg type 'inet' read as text"
  // Left out of SELECT * (Elasticsearch's _id, _score, _source); reachable by name.
  bool hidden = false;
};

struct ColumnStatistics {
  std::optional<double> distinct_count;
  std::optional<double> null_fraction;
  std::optional<Value> min;
  std::optional<Value> max;
};

struct TableStatistics {
  std::optional<double> row_count;        // estimate
  std::vector<ColumnStatistics> columns;  // empty, or one per TableInfo column
};

// A reference the source declares (PostgreSQL FOREIGN KEY): `columns` of this table refer to
// `referenced_columns` of another table of the same source.
struct ForeignKey {
  std::vector<std::string> columns;
  std::string referenced_schema;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
};

struct TableInfo {
  std::string schema;
  std::string name;
  std::vector<ColumnInfo> columns;
  TableStatistics stats;
  // Declared references to other tables (join paths for the English translator); may be empty.
  std::vector<ForeignKey> foreign_keys;
  std::string location;  // a file, a remote object name: for messages

  // Index of a column by case-insensitive name, or -1.
  int FindColumn(const std::string& column) const;
};

// A unit of parallel work inside one scan (a file, a byte range, a key range).
struct Split {
  virtual ~Split() = default;
  virtual std::string Describe() const { return {}; }
};

// Counters every data source keeps, for progress lines and EXPLAIN ANALYZE.
struct ScanCounters {
  std::atomic<int64_t> rows_read{0};
  std::atomic<int64_t> bytes_read{0};
};

class DataSource {
 public:
  virtual ~DataSource() = default;
  // Fills `out` with the next batch (columns as projected, any vector form, count > 0) and
  // returns true; returns false at the end. Throws Error naming the source on failure.
  virtual bool Next(Batch& out) = 0;
};

// An aggregation offered to a scan: GROUP BY columns and aggregate calls over table columns.
struct AggregationRequest {
  // One per group: a table column, or -1 when the group is an expression (group_exprs[i]).
  std::vector<int> group_columns;
  // Empty unless a group is an expression over table columns (date_trunc('day', ts), a ROW
  // field r.city): then one per group, nullptr for the plain columns. Offered only to scans
  // whose AcceptsGroupExpressions() is true.
  struct Call {
    std::string function;  // count, sum, avg, min, max
    int column = -1;       // -1 for count(*)
    bool distinct = false;
    LogicalType result_type;
  };
  std::vector<Call> calls;
  std::vector<std::shared_ptr<Expr>> group_exprs;
};

class TableScan {
 public:
  virtual ~TableScan() = default;

  // --- negotiation, before execution ---
  // The columns to read (indices into TableInfo::columns), in output order. Always accepted.
  virtual void SetProjection(const std::vector<int>& column_ids) = 0;
  // Offered after SetProjection for a projected ROW column that the query uses only through field
  // accesses (`r.city`, `r.addr.zip`): `fields` lists every field used, each a path of 0-based
  // field indices through nested ROW types ({addr, zip}). Return true if the source then reads
  // only those fields (and what lies under them): the column keeps its type, its other fields may
  // come back NULL (nothing above the scan reads them). Describe() must then show the fields
  // asked (`columns=[r.city]`). Offered again after each SetProjection; a column not offered since
  // the last SetProjection is read whole.
  virtual bool PushFieldProjection(int column, const std::vector<std::vector<int>>& fields) {
    return false;
  }
  // A conjunct of the WHERE clause. Return true only if the source fully applies it.
  virtual bool PushFilter(const Expr& conjunct) { return false; }
  // Return true if the source returns at most `limit` rows (after accepted filters).
  virtual bool PushLimit(int64_t limit) { return false; }
  // ORDER BY keys (column refs over table columns) with a limit (-1: none).
  virtual bool PushOrder(const std::vector<SortKey>& keys, int64_t limit) { return false; }
  // If accepted, the scan's output becomes: group columns, then one column per call.
  virtual bool PushAggregation(const AggregationRequest& request) { return false; }
  // Whether PushAggregation may be offered groups that are expressions (group_exprs).
  virtual bool AcceptsGroupExpressions() const { return false; }

  // What the source was asked, exactly (remote SQL, a file list with predicates, commands).
  virtual std::string Describe() const = 0;
  // Estimated output rows after what was pushed down; -1 if unknown.
  virtual double EstimatedRows() const { return -1; }

  // --- execution ---
  virtual std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) = 0;
  virtual std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) = 0;

  // --- optional batched key lookups (dynamic filtering, lookup joins) ---
  // Whether rows can be fetched by the values of these table columns.
  virtual bool SupportsKeyLookup(const std::vector<int>& key_columns) const { return false; }
  // The most keys for which fetching by key beats a scan, when the source knows (a server that
  // reads the whole table for every lookup query); negative when lookups always pay off. The
  // planner keeps a hash join when the other side may hold more keys than this.
  virtual double MaxLookupKeys(const std::vector<int>& key_columns) const { return -1; }
  // Streams the rows (projected columns) whose key columns equal one of the rows of `keys`.
  virtual std::unique_ptr<DataSource> LookupKeys(const std::vector<int>& key_columns,
                                                 const Batch& keys);
  // The most keys one request to the source carries when LookupKeys splits a batch (an IN list,
  // a `terms` query capped at index.max_terms_count, a Redis pipeline); 0: the whole batch goes in
  // one request. EXPLAIN shows it next to federation.batch_size and counts round trips with it.
  virtual size_t MaxKeysPerRequest(const std::vector<int>& key_columns) const { return 0; }
  // What one LookupKeys call with up to `batch_size` keys asks the source (Redis commands, remote
  // SQL), for EXPLAIN. Empty: nothing more to say than "LookupKeys".
  virtual std::string DescribeLookup(const std::vector<int>& key_columns, size_t batch_size) const {
    return {};
  }

  // --- optional dynamic filtering (joins that stay hash joins) ---
  // Offered by a join after its build side is complete and before this scan creates its splits:
  // only rows whose table column `column` equals one of the rows of `values` (one column of that
  // column's type, distinct, no NULLs) can join. Return true if the source uses it to read less,
  // fully (WHERE k IN (...)) or in part (row groups skipped by min/max). The engine still applies
  // the join, so the source may return extra rows but must never drop a row whose value is listed.
  virtual bool PushDynamicFilter(int column, const Batch& values) { return false; }

  // --- optional join pushdown (remote joins between tables of one catalog) ---
  // Offered `this <type> JOIN right ON conditions` after both scans were negotiated (projection,
  // filters; never offered when either has a limit, order or aggregation). Both scans read tables
  // of the same catalog. `conditions` are conjuncts whose column refs index the combined columns:
  // this scan's table columns, then right's. Returns a new scan of that join whose table is those
  // combined columns (the filters either scan accepted still apply, on their side of the join), or
  // nullptr if the source cannot run it exactly. The new scan is negotiated again like any other
  // (SetProjection over the combined columns, PushFilter, PushLimit, PushAggregation, PushJoin).
  // Neither this scan nor `right` is changed.
  virtual std::unique_ptr<TableScan> PushJoin(
      const TableScan& right, PushedJoinType type,
      const std::vector<std::shared_ptr<Expr>>& conditions) {
    return nullptr;
  }

  ScanCounters& counters() { return counters_; }

 protected:
  ScanCounters counters_;
};

class TableWriter {
 public:
  virtual ~TableWriter() = default;
  virtual void Append(const Batch& batch) = 0;
  // Makes everything appended visible at once. Without Commit, nothing is kept.
  virtual void Commit() = 0;
  virtual void Abort() = 0;
};

// What an upsert does with a row whose key the target table already holds (aishell sync
// --conflict).
enum class UpsertConflict : uint8_t { kSourceWins, kTargetWins, kError };

// What a source's table function returns (Connector::CallTableFunction): the table (columns,
// statistics) and a scan of it, negotiated like any other scan. Both null: no such function.
struct SourceTableFunction {
  std::shared_ptr<const TableInfo> table;
  std::unique_ptr<TableScan> scan;
};

// Connection settings, as registered by `aishell connect`.
struct ConnectionConfig {
  std::string name;  // the catalog name
  std::string type;  // connector type: file, sqlite, postgres, ...
  std::string url;   // may hold a password: never print it; use RedactUrl()
  std::map<std::string, std::string> properties;
};

// A property of CREATE TABLE ... WITH (name = value, ...): a literal (one value) or an ARRAY of
// literals, as text. Positions are byte offsets into the SQL (-1 if unknown).
struct TableProperty {
  std::string name;
  int position = -1;
  bool is_array = false;
  std::vector<std::string> values;
  std::vector<int> value_positions;
};

// One table, collection, index or key pattern of a source, for `aishell connections`.
struct SourceObject {
  std::string schema;
  std::string name;
  std::optional<int64_t> rows;  // unknown when absent
  bool rows_estimated = false;  // from statistics or a sample, not counted
};

// What `aishell connections` shows of a source (seed 002's "Connected Databases" panel).
struct SourceOverview {
  std::string engine;                  // "PostgreSQL", "MongoDB", "Redis", ...
  std::string default_schema;          // filled by the engine: names in it are shown unqualified
  std::string version;                 // the server's version, or the library's
  std::string object_kind = "Tables";  // Tables, Collections, Indices, Key patterns, Files
  std::string row_word = "rows";       // rows, documents, keys
  std::vector<SourceObject> objects;
  std::optional<int64_t> total_keys;  // Redis: keys in the database (DBSIZE)
  std::vector<std::string> facts;     // more lines: "TTL: 30 minutes (...)"
};

class Connector {
 public:
  virtual ~Connector() = default;

  virtual std::string TypeName() const = 0;  // "file", "sqlite", ...
  virtual std::string DefaultSchema() const { return "default"; }
  virtual std::vector<std::string> ListSchemas() = 0;
  virtual std::vector<std::string> ListTables(const std::string& schema) = 0;
  // nullptr if there is no such table. Names match case-insensitively unless quoted differ.
  virtual std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                                    const std::string& table) = 0;
  virtual std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) = 0;
  // Time travel (`t FOR VERSION AS OF v`, `t FOR TIMESTAMP AS OF ts`): the table as of a version
  // (`is_timestamp` false; a snapshot id) or a point in time (a DATE, TIMESTAMP or TIMESTAMP
  // WITH TIME ZONE value). nullptr if there is no such table. The default throws kUnsupported.
  virtual std::shared_ptr<const TableInfo> GetTableVersion(const std::string& schema,
                                                           const std::string& table,
                                                           bool is_timestamp, const Value& version);

  // Writes. A connector that cannot write keeps the defaults, which throw kUnsupported.
  virtual bool SupportsWrites() const { return false; }
  virtual std::unique_ptr<TableWriter> CreateTable(const std::string& schema,
                                                   const std::string& table,
                                                   const std::vector<ColumnInfo>& columns);
  virtual std::unique_ptr<TableWriter> InsertInto(std::shared_ptr<const TableInfo> table);
  // Upserts (aishell sync): batches hold every column of `table`, in table order; `key_columns`
  // (indices into table->columns) identify a row. A row whose key the table already holds
  // replaces it (kSourceWins), is dropped (kTargetWins), or fails the whole write with an error
  // naming the key (kError). Written all or nothing at Commit where the source has transactions,
  // else idempotently (writing the same rows again leaves the same table). The default throws
  // kUnsupported naming the source type.
  virtual bool SupportsUpsert() const { return false; }
  virtual std::unique_ptr<TableWriter> UpsertInto(std::shared_ptr<const TableInfo> table,
                                                  const std::vector<int>& key_columns,
                                                  UpsertConflict conflict);
  // DROP TABLE: removes the table and its rows from the source, so that a later GetTable returns
  // nullptr. The default throws kUnsupported.
  virtual void DropTable(std::shared_ptr<const TableInfo> table);
  // CREATE TABLE ... WITH (properties). CheckTableProperties runs at plan time and throws
  // Error (with the property's SQL position) for a property it does not know or a bad value; the
  // default refuses every property. CreateTableWithProperties defaults to CreateTable when there
  // are none.
  virtual void CheckTableProperties(const std::vector<ColumnInfo>& columns,
                                    const std::vector<TableProperty>& properties);
  virtual std::unique_ptr<TableWriter> CreateTableWithProperties(
      const std::string& schema, const std::string& table, const std::vector<ColumnInfo>& columns,
      const std::vector<TableProperty>& properties);

  // A table function of this source, called as Trino's `TABLE(catalog.system.name(args))` (or
  // `catalog.name(...)`): Elasticsearch's raw_query and query_string. `name` is lower case;
  // arguments are constants (positional, then named). Returns both null when there is no function
  // of that name; throws Error for bad arguments, naming the argument.
  virtual SourceTableFunction CallTableFunction(const std::string& name,
                                                const std::vector<Value>& args,
                                                const std::map<std::string, Value>& named_args) {
    return {};
  }

  // A one-line description for `aishell connections` (version, table count), best effort.
  virtual std::string Summary() { return {}; }
  // A text that changes whenever the table's data does, where the source has one cheaply (an
  // Iceberg table's current snapshot id); "" when it has none. The result cache compares it.
  virtual std::string ChangeMarker(const TableInfo& table) { return {}; }
  // The structured form of Summary() for `aishell connections`. The default lists up to
  // `max_objects` tables over every schema with their statistics' row estimates, and takes the
  // engine and version from Summary() ("PostgreSQL 15.4, ...").
  virtual SourceOverview Overview(size_t max_objects);

  // Index advice (after EXPLAIN ANALYZE): whether the source has an index whose leading columns
  // are `columns` (in order) on `table`; nullopt when it cannot tell or has no indexes at all.
  virtual std::optional<bool> HasIndex(const TableInfo& table,
                                       const std::vector<std::string>& columns) {
    return std::nullopt;
  }
  // The statement that would create that index, in the source's own language (CREATE INDEX,
  // db.c.createIndex(...)). Shown to the user, never run.
  virtual std::string CreateIndexStatement(const TableInfo& table,
                                           const std::vector<std::string>& columns) const {
    return {};
  }
};

}  // namespace aishell
