// Writes into an Elasticsearch index through `_bulk` (NDJSON, flushed every few megabytes):
// CREATE TABLE AS creates the index with a mapping from the column types (VARCHAR -> keyword,
// integers -> long/integer/short/byte, DOUBLE/REAL -> double/float, BOOLEAN, DATE/TIMESTAMP ->
// date, ROW -> object, ARRAY(ROW) -> nested, ARRAY(scalar) -> the scalar's type, listed in
// `_meta.aishell.arrays` so it reads back as ARRAY) and deletes it on Abort; INSERT appends. A
// column named `_id` becomes the document id, so writing a row again replaces its document (the
// upsert path of sync jobs). Every per-item error of a bulk answer fails the write with the index,
// the item and the reason: nothing is silently dropped. Commit refreshes the index.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/elasticsearch/elasticsearch_client.h"

namespace aishell {

struct EsWriterSpec {
  std::shared_ptr<EsClient> client;
  std::string where;
  std::string index;
  std::vector<ColumnInfo> columns;
  bool create = false;  // CREATE TABLE AS: the index is new; deleted on Abort
  // Upserts (aishell sync): the column whose value is the document id (-1: the `_id` column), and
  // whether a document already there stays (`create` actions whose version conflicts are skipped).
  int key_column = -1;
  bool keep_existing = false;
  size_t flush_bytes = 4 << 20;
  // CREATE OR REPLACE over an existing name: `index` is a fresh concrete index, and Commit swaps
  // the name onto it in one `POST /_aliases` (these actions), then deletes `delete_after` (the old
  // concrete indices aishell made for this name). Until then, readers see the old data; Abort
  // deletes the fresh index and leaves the old one untouched.
  std::string alias;
  std::string swap_actions;  // the JSON array of alias actions
  std::vector<std::string> delete_after;
};

// The mapping body (`{"mappings": ...}`) for new columns.
std::string EsMappingFor(const std::vector<ColumnInfo>& columns);

class EsWriter : public TableWriter {
 public:
  explicit EsWriter(EsWriterSpec spec);
  ~EsWriter() override;
  void Append(const Batch& batch) override;
  void Commit() override;
  void Abort() override;

 private:
  void Flush();

  EsWriterSpec spec_;
  int key_column_ = -1;  // upserts: the document id's column
  int id_column_ = -1;
  std::string pending_;
  size_t pending_items_ = 0;
  int64_t written_ = 0;
  std::vector<std::string> written_ids_;  // for Abort of an INSERT
  bool finished_ = false;
};

}  // namespace aishell
