// PostgreSQL writes against the test server (postgres_test_server.h): CREATE TABLE AS and INSERT,
// all or nothing.
#include "connectors/postgres/postgres_writer.h"

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

TEST_F(PostgresServerTest, WritesCreateTableAsAndInsertAllOrNothing) {
  std::string name = "ctas_" + std::to_string(::getpid());
  engine_->Execute("CREATE TABLE pg.public." + name +
                   " AS SELECT customer_id, name, lifetime_value, signup_date FROM "
                   "pg.public.customers WHERE customer_id <= 10");
  EXPECT_EQ(One("SELECT count(*), sum(customer_id) FROM pg.public." + name), "10|55");
  engine_->Execute("INSERT INTO pg.public." + name +
                   " VALUES (100, 'it''s \\ new', 1.25, DATE '2024-05-06')");
  EXPECT_EQ(One("SELECT name, lifetime_value, signup_date FROM pg.public." + name +
                " WHERE customer_id = 100"),
            "it's \\ new|1.25|2024-05-06");
  // A failing INSERT (a value too large for numeric(12,2)) leaves nothing behind.
  EXPECT_THROW(
      engine_->Execute(
          "INSERT INTO pg.public." + name +
          " SELECT customer_id + 1000, name, CASE WHEN customer_id = 5000 THEN 1e15 ELSE 1 END, "
          "signup_date FROM pg.public.customers"),
      Error);
  EXPECT_EQ(One("SELECT count(*) FROM pg.public." + name), "11");
  // A failing CREATE TABLE AS leaves no table.
  EXPECT_THROW(engine_->Execute("CREATE TABLE pg.public." + name +
                                "_x AS SELECT CAST(lifetime_value * 1e12 AS DECIMAL(18,2)) v "
                                "FROM pg.public.customers"),
               Error);
  EXPECT_EQ(engine_->catalogs().GetCatalog("pg")->GetTable("public", name + "_x"), nullptr);
  RunSql(url_, "DROP TABLE public." + name);
}

}  // namespace
}  // namespace aishell
