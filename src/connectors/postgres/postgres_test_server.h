// The PostgreSQL tests' fixture and helpers, against the server that scripts/services/postgres.sh
// starts (AISHELL_TEST_PG_URL): without it the tests skip, except with CI=true, where they fail.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog_registry.h"
#include "common/testing/live_server.h"
#include "engine/engine.h"

namespace aishell::pg_test {

inline void RunSql(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  PGresult* r = PQexec(conn, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
}

// pg_terminate_backend for every session with this application_name; returns how many.
inline int TerminateBackends(const std::string& url, const std::string& app) {
  PGconn* conn = PQconnectdb(url.c_str());
  EXPECT_EQ(PQstatus(conn), CONNECTION_OK);
  const char* params[] = {app.c_str()};
  PGresult* r =
      PQexecParams(conn,
                   "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                   "WHERE application_name = $1",
                   1, nullptr, params, nullptr, nullptr, 0);
  int n = PQresultStatus(r) == PGRES_TUPLES_OK ? std::atoi(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  PQfinish(conn);
  return n;
}

// A table of `rows` rows (id 1..rows, a 900-byte pad: 8 rows a page, so 9600 rows make 1200
// pages, enough to split) under a name unique to this process; no autovacuum.
inline std::string MakePaddedTable(const std::string& url, const std::string& prefix, int rows) {
  std::string name = prefix + "_" + std::to_string(::getpid());
  RunSql(url, "DROP TABLE IF EXISTS public." + name + "; CREATE TABLE public." + name +
                  " (id integer, pad text) WITH (autovacuum_enabled = false); INSERT INTO public." +
                  name + " SELECT i, repeat('x', 900) FROM generate_series(1, " +
                  std::to_string(rows) + ") AS i; ANALYZE public." + name);
  return name;
}

class PostgresServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AISHELL_LIVE_SERVER_ENV(url_, "AISHELL_TEST_PG_URL",
                            "scripts/services/postgres.sh start, then source its .env");
    RegisterBuiltinConnectors();
    engine_ = std::make_unique<Engine>();
    engine_->catalogs().AddCatalog(ConnectionConfig{"pg", "postgres", url_, {}});
  }

  std::vector<std::string> Rows(const std::string& sql, bool sorted = false) {
    QueryResult r = engine_->Execute(sql);
    std::vector<std::string> rows;
    for (const auto& b : r.batches) {
      for (size_t i = 0; i < b.count; i++) {
        std::string line;
        for (size_t c = 0; c < b.ColumnCount(); c++)
          line += (c ? "|" : "") + b.columns[c].GetValue(i).ToString();
        rows.push_back(line);
      }
    }
    if (sorted) std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::string One(const std::string& sql) {
    auto rows = Rows(sql);
    EXPECT_EQ(rows.size(), 1u) << sql;
    return rows.empty() ? "" : rows[0];
  }

  // Runs `sql` with pushdown on and off; the results must be equal. Returns them.
  std::vector<std::string> Both(const std::string& sql, bool sorted = true) {
    engine_->SetSetting("pushdown", "true");
    auto on = Rows(sql, sorted);
    engine_->SetSetting("pushdown", "false");
    auto off = Rows(sql, sorted);
    engine_->SetSetting("pushdown", "true");
    EXPECT_EQ(on, off) << sql;
    return on;
  }

  std::string BadPasswordUrl() const {
    std::string u = url_;
    size_t at = u.find('@');
    size_t colon = u.rfind(':', at);
    return u.substr(0, colon + 1) + "wrong-password-xyz" + u.substr(at);
  }

  std::string url_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace aishell::pg_test
