// `aishell search "<terms>"`: one search over every connected source (or those named), each in
// parallel on its own engine with a time budget. Every table with text columns is asked for the
// rows holding every word of the terms, by the source's own full text where it has one
// (PostgreSQL to_tsvector @@ plainto_tsquery ranked by ts_rank, MongoDB $text over a text index
// ranked by textScore, Elasticsearch query_string ranked by _score: catalog/full_text.h), else by
// case-insensitive substring predicates through aishell's own SQL, which each connector pushes
// down its way (MongoDB $regex, a Redis SCAN capped at search.redis_max_keys keys, SQLite and
// files LIKE); the reason for a fallback is kept with the table. A source's failure is reported
// with that source; the others still answer.
//
// Scores: the sources' own relevance numbers are not comparable (ts_rank is about 0..1, BM25
// and textScore are unbounded, substring matches have none), so they only choose and order each
// table's best rows. Every shown row then gets aishell's own score in [0, 1], computed the same
// way whatever the source: the mean over the words of 1 (the word appears as a whole word in the
// row's text columns) or 0.5 (only inside a longer word), times 0.8, plus 0.2 when the terms
// appear as one phrase. "Best matches across sources" ranks by that score, then by the source's
// relevance divided by the best in its table, then by source order.
// An Elasticsearch index whose name holds "search_log" (or "searches") also gives related
// searches: its query texts holding the terms, counted by a GROUP BY that Elasticsearch runs as
// a terms-style aggregation.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace aishell {

struct SearchOptions {
  std::string terms;
  std::vector<std::string> sources;  // empty: every connected source
  int64_t limit = 5;                 // best matches shown per table
  int64_t budget_ms = 10000;         // per source
  size_t max_tables = 40;            // per source
  bool all_schemas = false;          // else only the default schema, when it has tables
  int64_t redis_max_keys = 100000;   // search.redis_max_keys: keys scanned per Redis table
};

struct SearchTableResult {
  std::string schema;
  std::string table;
  int64_t found = 0;
  std::vector<OutputColumn> columns;
  std::vector<std::vector<std::string>> rows;  // the best matches, as text (NULL as "")
  std::vector<std::string> text_columns;       // the columns searched
  std::vector<double> scores;                  // aishell's score per row (see above), 0..1
  std::vector<double> relevance;               // the source's, / the table's best; 0: none
  std::string method;                          // how it was searched (and why not natively)
  bool native = false;                         // by the source's own full text
};

struct RelatedSearch {
  std::string text;
  int64_t count = 0;
};

struct SearchSourceResult {
  std::string source;
  std::string type;                       // connector type
  std::string engine;                     // "PostgreSQL", ...
  std::vector<SearchTableResult> tables;  // tables with matches, most found first
  std::string related_index;              // the search log read for related searches
  std::vector<RelatedSearch> related;
  std::string error;                 // the source failed (password scrubbed)
  std::vector<std::string> skipped;  // tables not searched: why
  std::vector<std::string> notices;  // fallbacks and caps worth telling (once each)
  double seconds = 0;
};

struct SearchResult {
  std::string terms;
  std::vector<SearchSourceResult> sources;
  double seconds = 0;
};

// The lower-case words of the terms (quotes, LIKE wildcards and backslashes dropped); throws
// Error(kBinder) when none is left.
std::vector<std::string> SearchWords(const std::string& terms);

// Runs the search over `configs` (the registered sources), each source on its own thread and its
// own Engine built from `base` (timeout = the budget). Throws Error for an empty search or a
// source name that is not connected (with a suggestion).
SearchResult RunFederatedSearch(const std::vector<ConnectionConfig>& configs,
                                const EngineOptions& base, const SearchOptions& options);

// aishell's score of a row's text for the words (see above), in [0, 1].
double SearchScore(const std::vector<std::string>& texts, const std::vector<std::string>& words);

// seed 002's blocks ("Results from PostgreSQL (users-db: products table)", "Found: 3 products"),
// then the best matches across sources; `explain` adds how each table was searched.
std::string RenderSearch(const SearchResult& result, size_t width, bool explain = false);
std::string SearchJson(const SearchResult& result);

}  // namespace aishell
