// Data sources of an Elasticsearch scan. EsSearchSource reads hits: one probe page without any
// cursor (enough for small results and lookups), then point-in-time + search_after on _shard_doc
// (Elasticsearch) or scroll (elsewhere), one slice of a sliced read per split; each page decodes
// straight into batches (elasticsearch_decoder.h). EsAggregateSource reads a pushed aggregation:
// metric aggregations, or composite pages by after_key. The point in time is opened once per scan
// execution, shared by its slices, and closed when the last of them is done.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/elasticsearch/elasticsearch_decoder.h"
#include "connectors/elasticsearch/elasticsearch_scan.h"

namespace aishell {

class EsReadContext {
 public:
  EsReadContext(std::shared_ptr<const EsScanSpec> spec, ScanCounters* counters)
      : spec_(std::move(spec)), counters_(counters) {}
  ~EsReadContext();  // closes the point in time

  const EsScanSpec& spec() const { return *spec_; }
  std::shared_ptr<const EsScanSpec> shared_spec() const { return spec_; }
  ScanCounters* counters() const { return counters_; }
  // The point in time (opened on first use); "" when the server refuses to open one (400, 404,
  // 405: the reads scroll instead).
  std::string PitId();

 private:
  std::shared_ptr<const EsScanSpec> spec_;
  ScanCounters* counters_;
  std::mutex mutex_;
  std::string pit_id_;
  bool pit_refused_ = false;
};

class EsSearchSource : public DataSource {
 public:
  // `rounds`: extra clauses (terms lookups), each read in full in turn; empty means one read.
  EsSearchSource(std::shared_ptr<EsReadContext> context, int slice, int slices,
                 std::vector<std::string> rounds);
  ~EsSearchSource() override;
  bool Next(Batch& out) override;

 private:
  enum class Phase : uint8_t { kStart, kPit, kScroll, kRoundDone };
  void FetchPage();
  void CloseScroll();
  std::string Extra() const { return round_ < rounds_.size() ? rounds_[round_] : std::string(); }
  std::string SliceJson() const;

  std::shared_ptr<EsReadContext> context_;
  const EsScanSpec& spec_;
  int slice_;
  int slices_;
  std::vector<std::string> rounds_;
  size_t round_ = 0;
  Phase phase_ = Phase::kStart;
  EsDecoder decoder_;
  std::deque<Batch> pending_;
  std::string pit_id_;
  std::string search_after_;
  std::string scroll_id_;
  int64_t documents_read_ = 0;
  bool done_ = false;
};

class EsAggregateSource : public DataSource {
 public:
  explicit EsAggregateSource(std::shared_ptr<EsReadContext> context);
  bool Next(Batch& out) override;

 private:
  // count(DISTINCT): buckets are (groups..., value) in key order; a group's buckets are counted
  // across pages and its row emitted when the next group starts.
  bool NextDistinct(Batch& out);
  // One batch of the rows a page of buckets made, counted as read.
  void EmitRows(const std::vector<std::vector<Value>>& rows, const std::vector<LogicalType>& types,
                Batch& out);

  std::shared_ptr<EsReadContext> context_;
  const EsScanSpec& spec_;
  std::string after_;
  bool done_ = false;
  bool have_group_ = false;
  std::string group_key_;  // the current group's key values, as JSON
  std::vector<Value> group_values_;
  int64_t group_docs_ = 0;
  int64_t group_distinct_ = 0;
};

}  // namespace aishell
