// Writes into a MongoDB collection: CREATE TABLE AS and INSERT as unordered bulk inserts of
// 1,000 documents; with a key column (--property key.<collection>=<column>) each row replaces the
// document with the same key or is inserted (an upsert, for sync jobs). MongoDB has no
// multi-document transaction here (FerretDB has none), so Abort undoes what was written: the new
// collection of a CREATE TABLE AS is dropped; the documents an INSERT added are deleted by the
// _id the writer gave them. Upserts replace documents and cannot be undone. CREATE OR REPLACE
// writes a staging collection renamed over the old one at Commit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/mongodb/mongodb_client.h"

namespace aishell {

struct MongoWriterSpec {
  std::shared_ptr<MongoPool> pool;
  std::string where;
  std::string database;
  std::string collection;
  std::vector<ColumnInfo> columns;
  bool create = false;  // CREATE TABLE AS: create the collection, drop it on Abort
  // CREATE OR REPLACE TABLE AS over an existing collection: write a staging collection, renamed
  // over the old one at Commit (dropped on Abort, the old collection untouched).
  bool replace = false;
  std::string key_column;  // upsert key, or ""
  // With a key: what a document whose key is already there gets (aishell sync --conflict).
  // kError holds every document until Commit, checks that no key is there, then writes.
  UpsertConflict conflict = UpsertConflict::kSourceWins;
  bool ferretdb = false;  // FerretDB drops the connection on a Decimal128 value
};

class MongoWriter : public TableWriter {
 public:
  explicit MongoWriter(MongoWriterSpec spec);
  ~MongoWriter() override;
  void Append(const Batch& batch) override;
  void Commit() override;
  void Abort() override;

 private:
  void Flush();
  // kError: throws naming the first keys of pending_ already in the collection.
  void CheckNoKeyExists();
  // The collection written: the target, or the staging one when replacing.
  const std::string& written_collection() const {
    return staging_.empty() ? spec_.collection : staging_;
  }

  MongoWriterSpec spec_;
  int key_index_ = -1;
  int id_index_ = -1;  // a column named _id
  std::vector<BsonPtr> pending_;
  std::vector<bson_oid_t> inserted_;  // _ids given by the writer, for Abort
  std::string staging_;
  int64_t written_ = 0;
  bool created_ = false;
  bool finished_ = false;
};

}  // namespace aishell
