// Search responses straight into the engine's vectors: simdjson's on-demand API walks each hit's
// `_source` once, matching keys against the projected fields (objects into ROW children, arrays
// and nested fields into ARRAY children); no per-document DOM. Dates are parsed by the mapping's
// formats (ISO-8601, epoch_millis, epoch_second, and Java patterns such as yyyy/MM/dd HH:mm:ss).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/vector.h"
#include "connectors/elasticsearch/elasticsearch_schema.h"

namespace aishell {

// What one search response said besides its hits.
struct EsPage {
  size_t hits = 0;
  std::string pit_id;     // point-in-time id to use next (may change between pages)
  std::string scroll_id;  // scroll id, when scrolling
  std::string last_sort;  // the last hit's `sort` values as JSON, for search_after
};

class EsDecoder {
 public:
  // `projection`: table columns, in output order.
  EsDecoder(std::shared_ptr<const EsTable> table, std::vector<int> projection, std::string where);

  // Decodes the hits of `body` (a `_search` response; its capacity holds simdjson's padding)
  // into batches of at most kBatchSize rows appended to `out`. Throws Error(kConversion) naming
  // the index, the document _id and the field for a value that does not fit its column.
  EsPage DecodeSearch(std::string& body, std::vector<Batch>* out);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Milliseconds since the epoch of a date value as Elasticsearch stores it in _source: text in one
// of `formats` (the mapping's; empty means strict_date_optional_time||epoch_millis) or a number
// (epoch milliseconds, or seconds under epoch_second). nullopt when no format reads it.
std::optional<int64_t> ParseEsDate(std::string_view text, bool is_number,
                                   const std::vector<std::string>& formats);

}  // namespace aishell
