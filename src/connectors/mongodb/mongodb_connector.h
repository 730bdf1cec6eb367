// The MongoDB connector (the MongoDB C driver, libmongoc): `aishell connect
// mongodb://[user:password@]host:port/[db][?authSource=..&tls=true] --name <name>`. Each database
// is a schema, each collection a table whose columns are inferred from a sample of its documents
// (mongodb_schema.h). See src/connectors/mongodb/README.md.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "catalog/full_text.h"
#include "connectors/mongodb/mongodb_options.h"

namespace aishell {

class MongoPool;
struct MongoTable;

class MongoConnector : public Connector {
 public:
  // Connects (ping, buildInfo) to check the URL and credentials: Error(kConnector) naming the
  // source otherwise.
  explicit MongoConnector(const ConnectionConfig& config);
  ~MongoConnector() override;

  std::string TypeName() const override { return "mongodb"; }
  std::string DefaultSchema() const override;
  std::vector<std::string> ListSchemas() override;
  std::vector<std::string> ListTables(const std::string& schema) override;
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override;
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override;

  bool SupportsWrites() const override { return true; }
  std::unique_ptr<TableWriter> CreateTable(const std::string& schema, const std::string& table,
                                           const std::vector<ColumnInfo>& columns) override;
  std::unique_ptr<TableWriter> InsertInto(std::shared_ptr<const TableInfo> table) override;
  bool SupportsUpsert() const override { return true; }
  std::unique_ptr<TableWriter> UpsertInto(std::shared_ptr<const TableInfo> table,
                                          const std::vector<int>& key_columns,
                                          UpsertConflict conflict) override;
  void DropTable(std::shared_ptr<const TableInfo> table) override;
  std::string Summary() override;
  SourceOverview Overview(size_t max_objects) override;
  // listIndexes: an index whose key starts with these fields.
  std::optional<bool> HasIndex(const TableInfo& table,
                               const std::vector<std::string>& columns) override;
  std::string CreateIndexStatement(const TableInfo& table,
                                   const std::vector<std::string>& columns) const override;

  // aishell search (catalog/full_text.h, mongodb_full_text.cpp): $text over the collection's
  // text index, ranked by textScore; native = false (with the reason) on FerretDB, which has no
  // $text, and on a collection without a text index.
  FullTextMatches FullTextSearch(const TableInfo& table, const FullTextRequest& request);

  std::string Where() const { return "mongodb source '" + name_ + "'"; }
  const MongoServerInfo& server() const { return server_; }

 private:
  // The collection's name as the server spells it (exact, else the one case-insensitive match).
  std::string ResolveCollection(const std::string& database, const std::string& collection);
  std::string ResolveDatabase(const std::string& schema);
  std::shared_ptr<MongoTable> Sample(const std::string& database, const std::string& collection);
  std::shared_ptr<const MongoTable> TableOf(const TableInfo& info);
  int PropertyNumber(const char* key, int fallback, int max) const;

  std::string name_;
  std::map<std::string, std::string> properties_;
  std::shared_ptr<MongoPool> pool_;
  MongoServerInfo server_;
  int sample_size_ = 1000;
  int batch_size_ = 10000;
  int cursor_batch_size_ = 0;  // scan.batch_size (0: the server's default)
  int splits_ = 0;             // scan.splits (0: one per thread for large collections on MongoDB)
  int split_min_documents_ = 100000;  // scan.split_min_documents
  int max_lookup_keys_ = -1;          // lookup.max_keys (100 on FerretDB, else no limit)
  int max_pipelines_ = 8;             // aggregation.max_pipelines (1 on FerretDB)
  bool flatten_ = false;
  MismatchPolicy mismatch_ = MismatchPolicy::kError;
  bool sample_supported_ = true;  // $sample (FerretDB answers NotImplemented)
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<MongoTable>> tables_;  // "db\0collection"
};

void RegisterMongoConnector();

// aishell search's $text (mongodb_full_text.cpp, catalog/full_text.h).
void RegisterMongoFullText();

}  // namespace aishell
