#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <mutex>
#include <vector>

namespace aishell {

// Idle connections of one PostgreSQL source, kept between the scans of a session (the shell, an
// embedding program), so that the next query does not connect and authenticate again: each new
// connection costs a backend start and a SCRAM exchange, about 15 ms on loopback.
//
// A connection is cached only when it is healthy and outside any transaction: one given back
// inside a (read-only snapshot) transaction is sent ROLLBACK without waiting for the answer, and
// the answer is read when the connection is taken again. A cached connection whose server has
// closed it (a restart, idle_session_timeout) is noticed when taken and closed.
// Thread-safe; each connection is used by one thread at a time.
class PgConnectionCache {
 public:
  explicit PgConnectionCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}
  ~PgConnectionCache();
  PgConnectionCache(const PgConnectionCache&) = delete;
  PgConnectionCache& operator=(const PgConnectionCache&) = delete;

  // An idle, healthy connection (the caller owns it), or nullptr when none is cached.
  PGconn* Take();
  // Takes ownership of `conn`: cached if it is healthy, idle or in a transaction (rolled back),
  // and the cache has room; closed otherwise.
  void Give(PGconn* conn);

  size_t size();

  static constexpr size_t kDefaultCapacity = 8;

 private:
  struct Entry {
    PGconn* conn = nullptr;
    bool rolling_back = false;  // a ROLLBACK was sent; its result is still to be read
    // The connection's own notice processor, set back when it is taken: while cached, messages
    // the server sends on its own (a FATAL before it closes the connection) are not printed.
    PQnoticeProcessor notices = nullptr;
    void* notices_arg = nullptr;
  };
  static bool Healthy(const Entry& e);

  std::mutex mutex_;
  std::vector<Entry> idle_;
  size_t capacity_;
};

}  // namespace aishell
