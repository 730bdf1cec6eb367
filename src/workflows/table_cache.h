// Local table caches (aishell sync --cache <conn>.<table> -> local-cache [--ttl]): a Parquet copy
// of a source's table under $AISHELL_HOME/cache/tables/, listed in index.yaml there, that queries
// read in the table's place until its TTL expires (CatalogRegistry::FindCachedTable; EXPLAIN
// says so).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "workflows/sync_job.h"

namespace aishell {

struct TableCacheResult {
  CachedTableEntry entry;
  int64_t rows = 0;
  int64_t bytes = 0;
};

// Copies the table (read from the source, not from an older copy) into a new Parquet file,
// replacing the old copy only once written, and registers it in `engine` and in the index.
TableCacheResult CacheTable(Engine& engine, const std::string& home, const SyncTableRef& table,
                            int64_t ttl_seconds);
// Registers the copies listed in the index (expired ones too: FindCachedTable skips them).
void LoadTableCache(const std::string& home, CatalogRegistry& catalogs);
std::vector<CachedTableEntry> ListTableCache(const std::string& home);

}  // namespace aishell
