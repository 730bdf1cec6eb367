// Data sources of a MongoDB scan: a find cursor (one, or one per round of $in keys) decoded
// straight into batches; and the pushed aggregation, whose single-accumulator pipelines are
// merged per group here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/mongodb/mongodb_decoder.h"
#include "connectors/mongodb/mongodb_scan.h"

namespace aishell {

class MongoFindSource : public DataSource {
 public:
  // `rounds`: extra filters ($in of lookup keys), one find each; null for one plain find.
  MongoFindSource(std::shared_ptr<const MongoScanSpec> spec,
                  std::shared_ptr<const std::vector<std::shared_ptr<bson_t>>> rounds,
                  ScanCounters* counters);
  ~MongoFindSource() override;
  bool Next(Batch& out) override;

 private:
  bool OpenNext();  // the next find; false when none is left
  void CloseCursor();

  std::shared_ptr<const MongoScanSpec> spec_;
  std::shared_ptr<const std::vector<std::shared_ptr<bson_t>>> rounds_;
  ScanCounters* counters_;
  MongoDecoder decoder_;
  std::vector<LogicalType> types_;
  size_t next_round_ = 0;
  std::unique_ptr<MongoPool::Lease> client_;
  CollectionPtr collection_;
  CursorPtr cursor_;
  bool done_ = false;
};

class MongoAggregateSource : public DataSource {
 public:
  MongoAggregateSource(std::shared_ptr<const MongoScanSpec> spec, ScanCounters* counters);
  ~MongoAggregateSource() override;
  bool Next(Batch& out) override;

 private:
  struct Group;
  void Run();  // every pipeline, merged into groups_

  std::shared_ptr<const MongoScanSpec> spec_;
  ScanCounters* counters_;
  MongoDecoder decoder_;
  std::vector<std::unique_ptr<Group>> groups_;
  size_t emitted_ = 0;
  bool ran_ = false;
};

}  // namespace aishell
