// The Elasticsearch decoders (src/connectors/elasticsearch/elasticsearch_schema.h,
// elasticsearch_decoder.h): a `_mapping` body built into a table (BuildEsTable), a `_search`
// response's array paths (ArrayPathsInSample), and its hits decoded into batches (EsDecoder) with
// every column projected, the hidden _id, _score and _source included. The first byte chooses the
// mapping: odd, the input holds it before its first NUL byte (the search response follows);
// even, a fixed mapping with every field type (objects, nested, arrays, dates in several formats).
// Bad JSON and values that do not fit must throw Error, never crash.
#include <set>
#include <string>
#include <vector>

#include "connectors/elasticsearch/elasticsearch_decoder.h"
#include "connectors/elasticsearch/elasticsearch_schema.h"
#include "fuzz_util.h"

namespace {

using namespace aishell;

const char* kMapping = R"({"logs-1": {"mappings": {"properties": {
  "name": {"type": "keyword", "ignore_above": 5},
  "title": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
  "n": {"type": "long"}, "i": {"type": "integer"}, "sh": {"type": "short"}, "by": {"type": "byte"},
  "f": {"type": "float"}, "hf": {"type": "half_float"}, "d": {"type": "double"},
  "sf": {"type": "scaled_float", "scaling_factor": 100},
  "ok": {"type": "boolean"}, "ip": {"type": "ip"}, "geo": {"type": "geo_point"},
  "ts": {"type": "date", "format": "yyyy/MM/dd HH:mm:ss||epoch_millis"},
  "day": {"type": "date", "format": "yyyy-MM-dd"}, "sec": {"type": "date", "format": "epoch_second"},
  "iso": {"type": "date"}, "nanos": {"type": "date_nanos"},
  "addr": {"properties": {"city": {"type": "keyword"}, "zip": {"type": "integer"},
                          "deep": {"properties": {"x": {"type": "double"}}}}},
  "items": {"type": "nested", "properties": {"sku": {"type": "keyword"}, "qty": {"type": "long"}}},
  "tags": {"type": "keyword"}, "nums": {"type": "long"}, "flags": {"type": "boolean"}
}}}})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 65536) return 0;
  std::string input(fuzz::AsText(data + 1, size - 1));
  std::string mapping = kMapping;
  std::string body = input;
  if (data[0] & 1) {
    size_t nul = input.find('\0');
    if (nul == std::string::npos) return 0;
    mapping = input.substr(0, nul);
    body = input.substr(nul + 1);
  }
  std::set<std::string> arrays = {"tags", "nums", "flags", "addr.zip"};
  try {
    for (const auto& path : ArrayPathsInSample(body)) arrays.insert(path);
  } catch (const Error& e) {
    fuzz::CheckError(e);
  }
  std::shared_ptr<EsTable> table;
  try {
    table = BuildEsTable("logs", mapping, arrays, "elasticsearch source 'fuzz'");
  } catch (const Error& e) {
    fuzz::CheckError(e);
    return 0;
  }
  std::vector<int> projection;
  for (size_t c = 0; c < table->info->columns.size(); c++)
    projection.push_back(static_cast<int>(c));
  EsDecoder decoder(table, projection, "elasticsearch source 'fuzz'");
  std::vector<Batch> batches;
  body.reserve(body.size() + 64);  // simdjson's padding
  try {
    EsPage page = decoder.DecodeSearch(body, &batches);
    size_t rows = 0;
    for (const auto& batch : batches) {
      rows += batch.count;
      for (const auto& column : batch.columns) {
        if (column.size() < batch.count) fuzz::Fail("a column is shorter than its batch");
        for (size_t r = 0; r < batch.count; r++) (void)column.GetValue(r).ToString();
      }
    }
    if (rows != page.hits)
      fuzz::Fail("decoded " + std::to_string(rows) + " rows for " + std::to_string(page.hits) +
                 " hits");
  } catch (const Error& e) {
    fuzz::CheckError(e);
  }
  return 0;
}
