// Reading a PostgreSQL scan: `COPY (SELECT ...) TO STDOUT (FORMAT binary)` decoded straight into
// vectors (through copy_out_stream.h, or libpq's PQgetCopyData), one COPY after another or several
// at once on one thread, and the connections of a parallel scan sharing one exported snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/connector.h"
#include "connectors/postgres/postgres_client.h"

namespace aishell {

class PgConnectionCache;

// Connections of one parallel scan, every one reading the same snapshot: the first exports it
// (`pg_export_snapshot()` in a REPEATABLE READ READ ONLY transaction kept open, and never lent out,
// so that it outlives every import), the others import it (`SET TRANSACTION SNAPSHOT`). A split
// takes a connection, runs its COPY and gives the connection back for the next split. The
// connections come from the source's cache and go back to it when every split has ended cleanly.
class PgSnapshotPool {
 public:
  PgSnapshotPool(std::string where, std::string url, std::shared_ptr<PgConnectionCache> cache)
      : where_(std::move(where)), url_(std::move(url)), cache_(std::move(cache)) {}

  // Opens the exporting transaction; returns the current number of pages of `qualified_table`
  // (pg_relation_size, not the statistics), or -1 when the snapshot cannot be exported (a server
  // that refuses it, a hot standby): the caller then reads with one connection.
  int64_t Export(const std::string& qualified_table);

  // A connection inside the snapshot's transaction: an idle one of the pool, else a new one.
  std::unique_ptr<PgConnection> Acquire();

  // The number of splits reading through this pool: once each has ended cleanly, every
  // connection closes (no transaction stays open holding locks until the query is destroyed).
  void SetSplits(size_t n) { splits_left_ = n; }

  // A connection whose COPY ended cleanly (still inside the snapshot's transaction).
  void Release(std::unique_ptr<PgConnection> c);

  const std::string& snapshot() const { return snapshot_; }

 private:
  std::string where_;
  std::string url_;
  std::shared_ptr<PgConnectionCache> cache_;
  std::string snapshot_;
  std::unique_ptr<PgConnection> exporter_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  size_t splits_left_ = 0;
};

// What the COPYs of one scan read: their columns (types, and names for messages) and from where.
struct PgCopyTarget {
  std::string where;  // the source and the table, for messages
  std::string url;
  std::vector<LogicalType> types;
  std::vector<std::string> names;
  ScanCounters* counters = nullptr;
  std::shared_ptr<PgConnectionCache> cache;  // the source's idle connections
};

// Runs the COPY of each query of `sqls` one after another (several for batched key lookups); each
// opens its connection (from `pool` when given, else the cache) only when it is reached.
std::unique_ptr<DataSource> CreatePgDataSource(const PgCopyTarget& target,
                                               const std::vector<std::string>& sqls,
                                               std::shared_ptr<PgSnapshotPool> pool = nullptr);

// Reads the COPYs of `sqls` (page ranges of one split) at once on one thread, through connections
// of `pool`: rows go into the same batch from whichever connection has them, and the thread waits
// (poll) only when none has. More backends than reading threads keep both cores busy while a
// backend waits for its socket.
std::unique_ptr<DataSource> CreatePgMultiplexSource(const PgCopyTarget& target,
                                                    const std::vector<std::string>& sqls,
                                                    std::shared_ptr<PgSnapshotPool> pool);

// Decodes the CopyData payloads of one `COPY ... TO STDOUT (FORMAT binary)` (the file header comes
// with the first, the trailer last) exactly as a scan of columns of `types` does, into a batch of
// their rows (at most kBatchSize payloads). Throws the scan's Error on malformed data. For tests
// and the fuzz target (test/fuzz/pg_copy_fuzzer.cpp): the scan itself reads them off a socket.
Batch DecodePgCopyRows(const std::vector<LogicalType>& types,
                       const std::vector<std::string_view>& payloads);

}  // namespace aishell
