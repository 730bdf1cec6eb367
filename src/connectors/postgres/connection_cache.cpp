#include "connectors/postgres/connection_cache.h"

#include <poll.h>

namespace aishell {
namespace {

void IgnoreNotice(void*, const char*) {}

}  // namespace

PgConnectionCache::~PgConnectionCache() {
  for (auto& e : idle_) PQfinish(e.conn);
}

PGconn* PgConnectionCache::Take() {
  for (;;) {
    Entry e;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (idle_.empty()) return nullptr;
      e = idle_.back();
      idle_.pop_back();
    }
    bool healthy = Healthy(e);
    PQsetNoticeProcessor(e.conn, e.notices, e.notices_arg);
    if (healthy) return e.conn;
    PQfinish(e.conn);
  }
}

void PgConnectionCache::Give(PGconn* conn) {
  if (!conn) return;
  Entry e{conn, false};
  bool keep = PQstatus(conn) == CONNECTION_OK && !PQisBusy(conn);
  if (keep) {
    switch (PQtransactionStatus(conn)) {
      case PQTRANS_IDLE:
        break;
      case PQTRANS_INTRANS:  // the scan's read-only transaction: end it now, read the answer later
        e.rolling_back = PQsendQuery(conn, "ROLLBACK") == 1;
        keep = e.rolling_back;
        break;
      default:  // active, failed transaction or unknown: not worth repairing
        keep = false;
        break;
    }
  }
  if (keep) {
    e.notices = PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
    // The processor's argument is not returned by the call above; libpq's default has none.
    e.notices_arg = nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < capacity_) {
      idle_.push_back(e);
      return;
    }
  }
  PQfinish(conn);
}

size_t PgConnectionCache::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return idle_.size();
}

bool PgConnectionCache::Healthy(const Entry& e) {
  PGconn* conn = e.conn;
  if (e.rolling_back) {
    bool ok = true;
    while (PGresult* r = PQgetResult(conn)) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK) ok = false;
      PQclear(r);
    }
    if (!ok) return false;
  }
  if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE) return false;
  // An idle connection has nothing to read unless the server spoke up on its own: most often a
  // FATAL message before it closed the connection (a restart, idle_session_timeout), or the close
  // itself. Such a connection is not worth reading: it is closed (a rare harmless message, such as
  // a parameter change after a configuration reload, costs one new connection).
  pollfd p{PQsocket(conn), POLLIN, 0};
  if (p.fd < 0 || ::poll(&p, 1, 0) != 0) return false;
  return true;
}

}  // namespace aishell
