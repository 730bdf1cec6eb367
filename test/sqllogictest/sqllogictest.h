// The sqllogictest runner: parses DuckDB-style .test files and runs them against the engine.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace aishell {
namespace slt {

enum class RecordKind {
  kStatementOk,
  kStatementError,
  kQuery,
  kHashThreshold,
  kRequire,
  kLoop,  // loop var start end / foreach var v1 v2 ...
  kEndLoop,
  kModeSkip,
  kModeUnskip,
  kHalt,
};

enum class SortMode { kNoSort, kRowSort, kValueSort };

struct Record {
  RecordKind kind = RecordKind::kStatementOk;
  int line = 0;                       // 1-based line of the record header
  std::string sql;                    // statements and queries
  std::vector<std::string> expected;  // expected result lines, or error message lines
  bool has_expected = false;          // a '----' separator was present
  std::string column_types;           // query only, e.g. "IIT"
  SortMode sort_mode = SortMode::kNoSort;
  int64_t threshold = 0;                 // hash-threshold
  std::string argument;                  // require: the feature; loop: the variable
  std::vector<std::string> loop_values;  // loop/foreach: the values the variable takes
  bool skip_this = false;                // skipif/onlyif conditions excluded this record
};

struct TestFile {
  std::string path;
  std::string name;  // from "# name:" (or the path)
  std::vector<Record> records;
};

// Parses a .test file; throws std::runtime_error with "path:line: message" on malformed input.
TestFile ParseTestFile(const std::string& path);
TestFile ParseTestText(const std::string& path, const std::string& text);

// One result, rendered as DuckDB's sqllogictest prints values.
struct ResultSet {
  std::vector<bool> column_is_double;  // compare these columns with a tolerance
  std::vector<std::vector<std::string>> rows;
};

// Errors starting with this are engine bugs: they fail even `statement error` records.
inline constexpr const char* kInternalErrorPrefix = "INTERNAL ERROR: ";

// Runs SQL; the engine-backed implementation lives in engine_executor.cpp.
// A test server (scripts/services/<name>.sh): when `env` holds its URL, `require <feature>` files
// run, with the server registered as catalog `catalog`.
struct ServiceCatalog {
  const char* feature;
  const char* env;
  const char* catalog;
  const char* type;
  const char* database = nullptr;    // replaces the URL's last path segment (a Redis db number)
  const char* properties = nullptr;  // connection properties, "key=value" lines
};
inline constexpr ServiceCatalog kServiceCatalogs[] = {
    {"postgres", "AISHELL_TEST_PG_URL", "pg", "postgres"},
    // Redis database 30 (the gtests use 4-14, pytest 20-25) with the tables test/sql/redis/*.test
    // write and read (they INSERT their data first).
    {"redis", "AISHELL_TEST_REDIS_URL", "redis", "redis", "30",
     "table.sessions=slt:session:{session_id}\n"
     "column.sessions.session_id=varchar\n"
     "column.sessions.user_id=bigint\n"
     "column.sessions.page=varchar\n"
     "column.sessions.started_at=varchar\n"
     "table.profiles=slt:profile:{user_id}\n"
     "column.profiles.user_id=bigint\n"
     "column.profiles.name=varchar\n"
     "column.profiles.country=varchar\n"
     "column.profiles.plan=varchar\n"},
    // MongoDB (scripts/services/ferretdb.sh): database slt; test/sql/mongodb/*.test create the
    // collections they read (CREATE OR REPLACE TABLE AS).
    {"mongodb", "AISHELL_TEST_MONGODB_SLT_URL", "mongo", "mongodb"},
    // Elasticsearch (scripts/services/elasticsearch.sh): test/sql/elasticsearch/*.test create the
    // indices they read (CREATE OR REPLACE TABLE AS, index names starting with slt_).
    {"elasticsearch", "AISHELL_TEST_ES_URL", "es", "elasticsearch"},
    // OpenSearch (scripts/services/opensearch.sh), the Elasticsearch connector's second target.
    {"opensearch", "AISHELL_TEST_OS_URL", "os", "elasticsearch"},
};

class SqlExecutor {
 public:
  virtual ~SqlExecutor() = default;
  // Returns false and fills `error` if the statement failed.
  virtual bool Execute(const std::string& sql, ResultSet& result, std::string& error) = 0;
};

std::unique_ptr<SqlExecutor> MakeEngineExecutor(const std::string& home_dir);

struct RunOptions {
  std::string data_dir;            // replaces __DATA_DIR__
  std::set<std::string> features;  // what `require` accepts
  bool verbose = false;
};

struct FileOutcome {
  enum class Status { kPassed, kFailed, kSkipped } status = Status::kPassed;
  std::string report;  // failure details or skip reason
  int records_run = 0;
};

// Runs one file in a fresh executor (a new engine with its own temporary home).
FileOutcome RunTestFile(const std::string& path, const RunOptions& options);

// Helpers, exposed for reuse.
std::string Md5Hex(const std::string& data);
bool ValuesMatch(const std::string& expected, const std::string& actual, bool is_double);
std::vector<std::string> SplitExpectedLine(const std::string& line, size_t columns);

}  // namespace slt
}  // namespace aishell
