// The translator's view of the live catalog: every table of every connected source (names,
// column types, row estimates), with distinct values of text columns sampled on demand through
// the engine (SELECT DISTINCT ... LIMIT), and the nl.synonyms.<word> settings.
#pragma once

#include <map>
#include <string>

#include "engine/engine.h"
#include "nl/nl_schema.h"

namespace aishell {

// The catalog cache: reading a source's catalog is one GetTable per table (a network round trip
// per table on a server), so each source's tables, columns, row estimates and references are
// kept in dir/<source>.tsv. An entry is used while it is younger than nl.catalog_ttl, its
// connection (type, URL, properties: hashed, never written) is unchanged, and the source still
// lists the same tables (ListSchemas/ListTables, one call per schema: a created or dropped
// table is seen at once; a changed column within the TTL). `aishell connect` and `disconnect`
// drop a source's entry; `bypass` (query --fresh-data) reads the catalog and rewrites it.
struct NlCatalogCache {
  std::string dir;  // "" : no cache
  int64_t ttl_ms = 600000;
  bool bypass = false;
};

// Sources that cannot be reached are left out (their names go to `warnings`).
NlSchema LoadNlSchema(Engine& engine, const std::map<std::string, std::string>& settings,
                      std::vector<std::string>* warnings, const NlCatalogCache& cache = {});

// Drops the cache entry of one source (connect, disconnect).
void DropNlCatalogCache(const std::string& dir, const std::string& source);

// At most this many distinct values are kept per text column; a column with more holds no
// status-like values and is not matched.
constexpr int kNlMaxSampledValues = 64;

}  // namespace aishell
