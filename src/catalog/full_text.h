// Native full-text search of one table (aishell search, workflows/federated_search.h): what is
// asked and what the source found. A connector that can search natively registers a search for
// its type (FullTextRegistration, beside its code: PostgreSQL text search, MongoDB $text over a
// text index); the search falls back to substring predicates through aishell SQL when its type
// has none, or when it answers native = false (the reason in `method`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace aishell {

struct FullTextRequest {
  std::vector<std::string> columns;  // the text columns to search (names of the table)
  std::string terms;                 // as the user typed them
  std::vector<std::string> words;    // the lower-case words of the terms
  int64_t limit = 5;                 // best matches wanted
  int64_t timeout_ms = 0;            // 0: none
};

struct FullTextMatches {
  // False: the source searched nothing natively; `method` then says why (no text index, ...).
  bool native = false;
  std::string method;  // how it searched ("to_tsvector @@ plainto_tsquery, ts_rank") or why not
  int64_t found = 0;   // matching rows
  std::vector<std::string> column_names;       // of `rows`
  std::vector<std::vector<std::string>> rows;  // the best `limit` matches as text (NULL: "")
  std::vector<double> scores;                  // the source's own relevance per row, best first
};

class Connector;
struct TableInfo;

// Throws Error for a failed query (the source's message, password scrubbed).
using FullTextSearchFn =
    std::function<FullTextMatches(Connector&, const TableInfo&, const FullTextRequest&)>;

// The registered search of a connector type ("postgres"), or null.
FullTextSearchFn FindFullTextSearch(const std::string& connector_type);

// Registers the search of a connector type (from the connector's Register function, so that the
// linker keeps it).
void RegisterFullTextSearch(const std::string& connector_type, FullTextSearchFn fn);

}  // namespace aishell
