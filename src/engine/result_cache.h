// The result cache (`aishell cache enable --ttl 300`): results of read queries kept under
// $AISHELL_HOME/cache/results, keyed by the normalized SQL plus the settings that change results.
// An entry is used while it is younger than the TTL, no write through aishell went to a source it
// read since, and the change markers of the tables it read (an Iceberg table's snapshot id) are
// unchanged. A size cap evicts the least recently used entries. One cache per AISHELL_HOME.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine_types.h"

namespace aishell {

struct ResultCacheStatus {
  int64_t entries = 0;
  int64_t bytes = 0;
  std::optional<double> oldest_age_seconds;
  std::optional<double> newest_age_seconds;
};

class ResultCache {
 public:
  // `dir`: the cache's folder (created on the first store).
  explicit ResultCache(std::string dir);

  // The SQL with comments dropped, runs of whitespace outside quotes made one space, keywords and
  // unquoted names lower-cased and a trailing ';' removed: `SELECT  *  FROM t;` = `select * from
  // t`.
  static std::string NormalizeSql(const std::string& sql);
  // Whether a query's result may differ between runs over the same data (now(), random(), ...).
  static bool IsVolatile(const std::string& normalized_sql);
  // The cache key: the normalized SQL and the settings that change results.
  static std::string Key(const std::string& normalized_sql,
                         const std::map<std::string, std::string>& settings);

  struct Hit {
    QueryResult result;  // columns, batches, row_count, sources
    double age_seconds = 0;
  };
  // The entry for `key` if younger than ttl_ms and its change markers equal `markers`; a stale
  // entry is removed. Marks the entry as used (for LRU).
  std::optional<Hit> Lookup(const std::string& key, int64_t ttl_ms,
                            const std::map<std::string, std::string>& markers);
  // Keeps a result read from `catalogs`, then evicts the least recently used entries beyond
  // max_bytes. False (nothing kept) when the result alone is larger than max_bytes / 4 or holds a
  // type the cache does not store (ARRAY, MAP, ROW).
  bool Store(const std::string& key, const QueryResult& result,
             const std::vector<std::string>& catalogs,
             const std::map<std::string, std::string>& markers, int64_t max_bytes);
  // Removes every entry that read `catalog` (a write through aishell went to it); returns how many.
  int InvalidateCatalog(const std::string& catalog);
  // Removes every entry; returns how many.
  int Clear();
  ResultCacheStatus Status() const;

 private:
  struct Meta {
    int64_t created_ms = 0;
    std::vector<std::string> catalogs;
    std::map<std::string, std::string> markers;
    std::string key;
  };
  std::string PathFor(const std::string& key, const char* ext) const;
  static std::optional<Meta> ReadMeta(const std::string& path);
  void Evict(int64_t max_bytes);

  std::string dir_;
};

}  // namespace aishell
