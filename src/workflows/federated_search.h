// `aishell search "<terms>"`: one search over every connected source (or those named), each in
// parallel on its own engine with a time budget. Every table with text columns is asked for the
// rows whose text holds every term (in any of its text columns, case-insensitively) through
// aishell's own SQL, which each connector pushes down its way (PostgreSQL ILIKE-style
// predicates, MongoDB $regex, Elasticsearch wildcard queries, a capped Redis SCAN, SQLite and
// files LIKE). A source's failure is reported with that source; the others still answer.
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
};

struct SearchTableResult {
  std::string schema;
  std::string table;
  int64_t found = 0;
  std::vector<OutputColumn> columns;
  std::vector<std::vector<std::string>> rows;  // the best matches, as text (NULL as "")
  std::vector<std::string> text_columns;       // the columns searched
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

// seed 002's blocks ("Results from PostgreSQL (users-db: products table)", "Found: 3 products").
std::string RenderSearch(const SearchResult& result, size_t width);
std::string SearchJson(const SearchResult& result);

}  // namespace aishell
