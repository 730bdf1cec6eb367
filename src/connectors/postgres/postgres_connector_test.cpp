// PostgreSQL connector tests: the URL check, the catalog, connections and errors (scans:
// postgres_scan_test.cpp, writes: postgres_writer_test.cpp, the client's and the types' helpers:
// postgres_client_test.cpp, postgres_types_test.cpp). The URL check is tested always; the rest runs
// against the server that scripts/services/postgres.sh starts (AISHELL_TEST_PG_URL). Without it
// they skip, except with CI=true, where they fail.
#include "connectors/postgres/postgres_connector.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/testing/live_server.h"
#include "engine/engine.h"
#include "expr/expression.h"

#include <libpq-fe.h>

#include "connectors/postgres/postgres_test_server.h"

namespace aishell {
namespace {

using pg_test::MakePaddedTable;
using pg_test::PostgresServerTest;
using pg_test::RunSql;
using pg_test::TerminateBackends;

TEST(PostgresHelpersTest, RejectsNonPostgresUrl) {
  ConnectionConfig config{"pg", "postgres", "mysql://u:pw@h/db", {}};
  try {
    PostgresConnector c(config);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("postgres source 'pg'"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find(":pw@"), std::string::npos);
  }
}

TEST_F(PostgresServerTest, ListsSchemasTablesAndStats) {
  auto pg = engine_->catalogs().GetCatalog("pg");
  auto schemas = pg->ListSchemas();
  EXPECT_NE(std::find(schemas.begin(), schemas.end(), "public"), schemas.end());
  EXPECT_NE(std::find(schemas.begin(), schemas.end(), "Sales"), schemas.end());
  EXPECT_EQ(std::find(schemas.begin(), schemas.end(), "pg_catalog"), schemas.end());
  auto tables = pg->ListTables("public");
  EXPECT_NE(std::find(tables.begin(), tables.end(), "customers"), tables.end());
  EXPECT_NE(std::find(tables.begin(), tables.end(), "MixedCase"), tables.end());
  auto customers = pg->GetTable("public", "customers");
  ASSERT_TRUE(customers);
  ASSERT_TRUE(customers->stats.row_count);
  EXPECT_NEAR(*customers->stats.row_count, 5000, 1);
  int country = customers->FindColumn("country");
  ASSERT_GE(country, 0);
  ASSERT_TRUE(customers->stats.columns[country].distinct_count);
  EXPECT_NEAR(*customers->stats.columns[country].distinct_count, 6, 0.5);
  int email = customers->FindColumn("email");
  ASSERT_TRUE(customers->stats.columns[email].null_fraction);
  EXPECT_NEAR(*customers->stats.columns[email].null_fraction, 294.0 / 5000, 0.01);
  EXPECT_EQ(pg->GetTable("public", "no_such_table"), nullptr);
  EXPECT_NE(pg->Summary().find("PostgreSQL"), std::string::npos);
}

TEST_F(PostgresServerTest, MapsEveryTypeAndNoColumnDisappears) {
  auto t = engine_->catalogs().GetCatalog("pg")->GetTable("public", "pg_types");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->columns.size(), 24u);
  auto type_of = [&](const char* name) { return t->columns.at(t->FindColumn(name)).type; };
  EXPECT_EQ(type_of("c_small"), LogicalType(TypeId::kSmallInt));
  EXPECT_EQ(type_of("c_big"), LogicalType(TypeId::kBigInt));
  EXPECT_EQ(type_of("c_num"), LogicalType::Decimal(10, 3));
  EXPECT_EQ(type_of("c_real"), LogicalType(TypeId::kReal));
  EXPECT_EQ(type_of("c_char"), LogicalType(TypeId::kVarchar));
  EXPECT_EQ(type_of("c_tstz"), LogicalType(TypeId::kTimestampTz));
  EXPECT_EQ(type_of("c_uuid"), LogicalType(TypeId::kUuid));
  EXPECT_EQ(type_of("c_json"), LogicalType(TypeId::kJson));
  EXPECT_EQ(type_of("c_jsonb"), LogicalType(TypeId::kJson));
  EXPECT_EQ(type_of("c_bytea"), LogicalType(TypeId::kVarbinary));
  EXPECT_FALSE(t->columns.at(t->FindColumn("c_inet")).comment.empty());

  EXPECT_EQ(One("SELECT c_small, c_int, c_big, c_num, c_bool, c_date, c_ts FROM pg.public.pg_types "
                "WHERE id = 1"),
            One("SELECT CAST(1 AS INTEGER), 10, CAST(10000000000 AS BIGINT), CAST(1.5 AS "
                "DECIMAL(10,3)), true, "
                "DATE '2024-01-15', TIMESTAMP '2024-01-15 10:30:00.123456'"));
  EXPECT_EQ(One("SELECT c_uuid, c_json, c_jsonb, c_bytea, c_int_array, c_text_array, c_mood, "
                "c_inet, c_char "
                "FROM pg.public.pg_types WHERE id = 1"),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{\"a\":1}|{\"b\":[1,2]}|00 ff "
            "10|{1,2,3}|{x,\"y z\"}|happy|"
            "192.168.0.1/32|ab");
  // REAL compares as Trino's: as the float it is (-3.5e10 has no exact float).
  EXPECT_EQ(
      One("SELECT c_real = REAL '-3.5e10', c_real = -3.5e10, c_double FROM pg.public.pg_types "
          "WHERE id = 2"),
      "true|false|-1e-300");
  EXPECT_EQ(One("SELECT c_small, c_int, c_big, c_num, c_date FROM pg.public.pg_types WHERE id = 2"),
            "-32768|-2147483648|-9223372036854775808|-9999999.999|1969-12-31");
  EXPECT_EQ(One("SELECT c_text, c_varchar FROM pg.public.pg_types WHERE id = 2"),
            "it's a \"quote\" and a back\\slash|O'Brien");
  EXPECT_EQ(One("SELECT c_tstz = TIMESTAMP '2000-06-30 21:59:59.999999 UTC' FROM "
                "pg.public.pg_types WHERE id = 2"),
            "true");
  // Every column of the all-NULL row is NULL.
  auto all_null = One("SELECT * FROM pg.public.pg_types WHERE id = 3");
  std::string expect_null = "3";
  for (int i = 0; i < 23; i++) expect_null += "|NULL";
  EXPECT_EQ(all_null, expect_null);
  EXPECT_EQ(One("SELECT c_varchar, c_char, c_num_free FROM pg.public.pg_types WHERE id = 4"),
            "ü日本|é|1e+20");
}

TEST_F(PostgresServerTest, SeedCustomersJoinLocalCsv) {
  auto dir =
      std::filesystem::temp_directory_path() / ("aishell_pg_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto csv = dir / "transactions.csv";
  {
    std::ofstream out(csv);
    out << "txn_id,customer_id,amount\n";
    for (int i = 1; i <= 300; i++) out << i << "," << (i * 7 % 6000) << "," << (i % 50) << ".25\n";
  }
  std::string sql = "SELECT c.country, count(*), sum(t.amount) FROM read_csv('" + csv.string() +
                    "') t JOIN pg.public.customers c ON c.customer_id = t.customer_id WHERE "
                    "c.segment = 'smb' GROUP BY c.country";
  auto rows = Both(sql);
  // The same computed locally: customers with id % 3 == 1 are 'smb'; id <= 5000 exist.
  std::map<std::string, std::pair<int, double>> expect;
  const char* countries[] = {"US", "DE", "FR", "GB", "JP", "BR"};
  for (int i = 1; i <= 300; i++) {
    int cid = i * 7 % 6000;
    if (cid < 1 || cid > 5000 || cid % 3 != 1) continue;
    auto& e = expect[countries[cid % 6]];
    e.first++;
    e.second += (i % 50) + 0.25;
  }
  ASSERT_EQ(rows.size(), expect.size());
  for (const auto& row : rows) {
    std::string country = row.substr(0, row.find('|'));
    ASSERT_TRUE(expect.count(country)) << row;
    EXPECT_EQ(row.substr(3, row.find('|', 3) - 3), std::to_string(expect[country].first)) << row;
  }
  std::filesystem::remove_all(dir);
}

TEST_F(PostgresServerTest, MixedCaseNames) {
  EXPECT_EQ(Both("SELECT \"Full Name\" FROM pg.public.\"MixedCase\" WHERE \"Id\" = 2"),
            std::vector<std::string>{"Bob"});
  EXPECT_EQ(One("SELECT count(*) FROM pg.public.mixedcase"), "3");
  EXPECT_EQ(One("SELECT count(*) FROM pg.sales.orders"), "20000");
  EXPECT_EQ(One("SELECT count(*) FROM pg.\"Sales\".big_orders"),
            One("SELECT count(*) FROM pg.\"Sales\".\"Orders\" WHERE amount >= 200"));
}

// The backends (pids) with this application_name (and `condition` on pg_stat_activity), sorted.
std::vector<std::string> Backends(const std::string& url, const std::string& app,
                                  const std::string& condition = "true") {
  PGconn* conn = PQconnectdb(url.c_str());
  const char* params[] = {app.c_str()};
  std::string sql = "SELECT pid::text FROM pg_stat_activity WHERE application_name = $1 AND (" +
                    condition + ") ORDER BY pid";
  PGresult* r = PQexecParams(conn, sql.c_str(), 1, nullptr, params, nullptr, nullptr, 0);
  std::vector<std::string> pids;
  for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++)
    pids.emplace_back(PQgetvalue(r, i, 0));
  PQclear(r);
  PQfinish(conn);
  return pids;
}

// A session's scans reuse the connections of the scans before them (no new backends), outside
// any transaction; connections the server has closed meanwhile are replaced.
TEST_F(PostgresServerTest, LaterScansReuseTheSessionsConnections) {
  std::string name = MakePaddedTable(url_, "reuse", 9600);
  std::string app = "aishell_reuse_" + std::to_string(::getpid());
  std::string url =
      url_ + (url_.find('?') == std::string::npos ? "?" : "&") + "application_name=" + app;
  Engine engine;
  engine.catalogs().AddCatalog(ConnectionConfig{"pgc", "postgres", url, {}});
  engine.SetSetting("threads", "2");
  engine.SetSetting("pushdown", "false");  // rows stream through parallel ctid ranges
  auto count = [&] {
    QueryResult r = engine.Execute("SELECT count(*), sum(id) FROM pgc.public." + name);
    return r.batches.at(0).columns[0].GetValue(0).ToString() + "|" +
           r.batches.at(0).columns[1].GetValue(0).ToString();
  };
  EXPECT_EQ(count(), "9600|46084800");
  auto first = Backends(url_, app);
  EXPECT_GE(first.size(), 3u);  // the catalog's, the snapshot's exporter and the readers
  // Every cached connection is idle, outside a transaction (the ROLLBACK was sent at the end).
  std::vector<std::string> busy = {"?"};
  for (int i = 0; i < 100 && !busy.empty(); i++) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    busy = Backends(url_, app, "state <> 'idle'");
  }
  EXPECT_TRUE(busy.empty());
  EXPECT_EQ(count(), "9600|46084800");
  EXPECT_EQ(count(), "9600|46084800");
  EXPECT_EQ(Backends(url_, app), first);  // the same backends: nothing reconnected
  // The cached readers' backends end (not the catalog's): the next scans connect anew.
  PGconn* admin = PQconnectdb(url_.c_str());
  std::string sql =
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM "
      "pg_stat_activity WHERE application_name = '" +
      app +
      "' AND backend_start > (SELECT min(backend_start) FROM pg_stat_activity "
      "WHERE application_name = '" +
      app + "')";
  PGresult* r = PQexec(admin, sql.c_str());
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(admin);
  EXPECT_GE(std::atoi(PQgetvalue(r, 0, 0)), 2);
  PQclear(r);
  PQfinish(admin);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(count(), "9600|46084800");
  EXPECT_EQ(count(), "9600|46084800");
  // Every backend ends, the catalog's too: its next query (a table not looked up yet)
  // reconnects once.
  EXPECT_GE(TerminateBackends(url_, app), 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  QueryResult r2 = engine.Execute("SELECT count(*) FROM pgc.public.customers");
  EXPECT_EQ(r2.batches.at(0).columns[0].GetValue(0).ToString(), "5000");
  EXPECT_EQ(count(), "9600|46084800");
  RunSql(url_, "DROP TABLE public." + name);
}

TEST_F(PostgresServerTest, ErrorsNameTheSourceAndHideThePassword) {
  try {
    engine_->Execute("SELECT * FROM pg.public.no_such_table");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
  }
  // A remote syntax/semantic error: one line, no LINE/caret lines.
  try {
    auto pg = engine_->catalogs().GetCatalog("pg");
    auto t = pg->GetTable("public", "customers");
    RunSql(url_,
           "DROP TABLE IF EXISTS public.pg_vanishing; CREATE TABLE public.pg_vanishing (a int)");
    auto gone = pg->GetTable("public", "pg_vanishing");
    ASSERT_TRUE(gone);
    auto scan = pg->CreateScan(gone);
    RunSql(url_, "DROP TABLE public.pg_vanishing");
    Batch b;
    scan->CreateDataSource(scan->CreateSplits(1)[0])->Next(b);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("postgres source 'pg' table 'pg_vanishing'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_EQ(msg.find("LINE 1"), std::string::npos) << msg;
  }
  try {
    PostgresConnector c(ConnectionConfig{"badpw", "postgres", BadPasswordUrl(), {}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kConnector);
    EXPECT_NE(msg.find("postgres source 'badpw'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("password authentication failed"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("wrong-password-xyz"), std::string::npos) << msg;
  }
  try {
    PostgresConnector c(ConnectionConfig{
        "down", "postgres", "postgres://aishell:topsecret@127.0.0.1:1/x?connect_timeout=2", {}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("postgres source 'down'"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("topsecret"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;  // libpq's two lines become one
    EXPECT_NE(msg.find("Connection refused"), std::string::npos) << msg;
  }
  // Statement timeout, set through libpq's options URI parameter: 200 ms, against a join pushed
  // into PostgreSQL as one query that runs far longer (300K x 3K rows per key). (With a timeout of
  // 1 ms, PostgreSQL itself may report a timer that fires between two statements as "canceling
  // statement due to user request".)
  std::string sep = url_.find('?') == std::string::npos ? "?" : "&";
  Engine slow;
  slow.catalogs().AddCatalog(ConnectionConfig{
      "slowpg", "postgres", url_ + sep + "options=-c%20statement_timeout%3D200", {}});
  try {
    slow.Execute(
        "SELECT count(*) FROM slowpg.public.big_numbers a JOIN slowpg.public.big_numbers b "
        "ON a.k = b.k");
    FAIL() << "expected the statement timeout";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("postgres source 'slowpg'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("statement timeout"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("aishell-test-pw"), std::string::npos) << msg;
  }
}

TEST_F(PostgresServerTest, ConnectionDroppedMidQueryIsAClearError) {
  std::string sep = url_.find('?') == std::string::npos ? "?" : "&";
  std::string app = "aishell_drop_" + std::to_string(::getpid());
  auto dropped = std::make_shared<PostgresConnector>(
      ConnectionConfig{"droppg", "postgres", url_ + sep + "application_name=" + app, {}});
  auto t = dropped->GetTable("public", "big_numbers");
  ASSERT_TRUE(t);
  auto scan = dropped->CreateScan(t);
  auto source = scan->CreateDataSource(scan->CreateSplits(1)[0]);
  Batch b;
  ASSERT_TRUE(source->Next(b));
  // Terminate the reading backend from another session of the same role.
  ASSERT_GE(TerminateBackends(url_, app), 1);
  try {
    for (int i = 0; i < 1000 && source->Next(b); i++) {
    }
    FAIL() << "expected the read to fail after the backend was terminated";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kConnector);
    EXPECT_NE(msg.find("postgres source 'droppg'"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("aishell-test-pw"), std::string::npos) << msg;
  }
}

// The same for a parallel scan, whose ranges are read two COPYs at a time (non-blocking reads).
TEST_F(PostgresServerTest, ConnectionDroppedDuringParallelScanIsAClearError) {
  std::string sep = url_.find('?') == std::string::npos ? "?" : "&";
  std::string app = "aishell_pdrop_" + std::to_string(::getpid());
  auto dropped = std::make_shared<PostgresConnector>(
      ConnectionConfig{"droppg", "postgres", url_ + sep + "application_name=" + app, {}});
  auto t = dropped->GetTable("public", "big_numbers");
  ASSERT_TRUE(t);
  auto scan = dropped->CreateScan(t);
  auto splits = scan->CreateSplits(2);
  ASSERT_GT(splits.size(), 1u);
  auto source = scan->CreateDataSource(splits[0]);
  Batch b;
  ASSERT_TRUE(source->Next(b));
  ASSERT_GE(TerminateBackends(url_, app), 2);
  try {
    for (size_t i = 0; i < splits.size(); i++) {
      auto s = i == 0 ? std::move(source) : scan->CreateDataSource(splits[i]);
      for (int k = 0; k < 1000 && s->Next(b); k++) {
      }
    }
    FAIL() << "expected the read to fail after the backends were terminated";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kConnector);
    EXPECT_NE(msg.find("postgres source 'droppg'"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("aishell-test-pw"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace aishell
