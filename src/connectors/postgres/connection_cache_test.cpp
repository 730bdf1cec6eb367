#include "connectors/postgres/connection_cache.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/live_server.h"

namespace aishell {
namespace {

// Against the test server (scripts/services/postgres.sh): which connections the cache keeps, in
// what state it hands them out, and that it drops the ones the server has closed.
class PgConnectionCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AISHELL_LIVE_SERVER_ENV(url_, "AISHELL_TEST_PG_URL", "scripts/services/postgres.sh start");
  }
  PGconn* Connect() {
    PGconn* c = PQconnectdb(url_.c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    return c;
  }
  static std::string Value(PGconn* c, const char* sql) {
    PGresult* r = PQexec(c, sql);
    std::string v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                        ? PQgetvalue(r, 0, 0)
                        : std::string("failed: ") + PQerrorMessage(c);
    PQclear(r);
    return v;
  }
  static bool Run(PGconn* c, const char* sql) {
    PGresult* r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    return ok;
  }
  std::string url_;
};

TEST_F(PgConnectionCacheTest, GivesBackTheSameIdleConnection) {
  PgConnectionCache cache;
  EXPECT_EQ(cache.Take(), nullptr);
  PGconn* c = Connect();
  std::string pid = Value(c, "SELECT pg_backend_pid()");
  cache.Give(c);
  EXPECT_EQ(cache.size(), 1u);
  PGconn* again = cache.Take();
  ASSERT_EQ(again, c);
  EXPECT_EQ(Value(again, "SELECT pg_backend_pid()"), pid);
  EXPECT_EQ(cache.Take(), nullptr);
  PQfinish(again);
}

TEST_F(PgConnectionCacheTest, EndsTheScansTransactionWithoutWaiting) {
  PgConnectionCache cache;
  PGconn* c = Connect();
  ASSERT_TRUE(Run(c, "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  ASSERT_EQ(Value(c, "SELECT count(*) FROM generate_series(1, 10)"), "10");
  ASSERT_EQ(PQtransactionStatus(c), PQTRANS_INTRANS);
  cache.Give(c);
  // The ROLLBACK was sent: the server ends the transaction (and its snapshot) at once.
  PGconn* watcher = Connect();
  std::string pid = std::to_string(PQbackendPID(c));
  std::string state;
  for (int i = 0; i < 200 && state != "idle"; i++) {
    state = Value(watcher, ("SELECT state FROM pg_stat_activity WHERE pid = " + pid).c_str());
    if (state != "idle") std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(state, "idle");
  PQfinish(watcher);
  PGconn* again = cache.Take();
  ASSERT_EQ(again, c);
  EXPECT_EQ(PQtransactionStatus(again), PQTRANS_IDLE);
  EXPECT_EQ(Value(again, "SELECT 41 + 1"), "42");
  PQfinish(again);
}

TEST_F(PgConnectionCacheTest, ClosesConnectionsItCannotReuse) {
  PgConnectionCache cache;
  // A failed transaction is not repaired.
  PGconn* failed = Connect();
  ASSERT_TRUE(Run(failed, "BEGIN"));
  EXPECT_FALSE(Run(failed, "SELECT 1 / 0"));
  ASSERT_EQ(PQtransactionStatus(failed), PQTRANS_INERROR);
  cache.Give(failed);
  // Nor a connection with a statement in progress.
  PGconn* busy = Connect();
  ASSERT_EQ(PQsendQuery(busy, "SELECT pg_sleep(0.2)"), 1);
  cache.Give(busy);
  cache.Give(nullptr);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Take(), nullptr);
}

TEST_F(PgConnectionCacheTest, DropsAConnectionTheServerClosed) {
  PgConnectionCache cache;
  PGconn* victim = Connect();
  PGconn* kept = Connect();
  int victim_pid = PQbackendPID(victim);
  cache.Give(kept);
  cache.Give(victim);  // taken first (last in)
  PGconn* admin = Connect();
  ASSERT_EQ(
      Value(admin, ("SELECT pg_terminate_backend(" + std::to_string(victim_pid) + ")").c_str()),
      "t");
  PQfinish(admin);
  // Wait until the server's FATAL message and close have reached the victim's socket.
  pollfd p{PQsocket(victim), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  // The dead connection is closed; the healthy one behind it comes out.
  PGconn* got = cache.Take();
  ASSERT_EQ(got, kept);
  EXPECT_EQ(Value(got, "SELECT 41 + 1"), "42");
  EXPECT_EQ(cache.Take(), nullptr);
  PQfinish(got);
}

TEST_F(PgConnectionCacheTest, KeepsAtMostItsCapacity) {
  PgConnectionCache cache(2);
  std::vector<PGconn*> conns;
  for (int i = 0; i < 3; i++) conns.push_back(Connect());
  for (PGconn* c : conns) cache.Give(c);  // the third is closed
  EXPECT_EQ(cache.size(), 2u);
  PGconn* a = cache.Take();
  PGconn* b = cache.Take();
  EXPECT_TRUE((a == conns[0] && b == conns[1]) || (a == conns[1] && b == conns[0]));
  EXPECT_EQ(cache.Take(), nullptr);
  PQfinish(a);
  PQfinish(b);
}

}  // namespace
}  // namespace aishell
