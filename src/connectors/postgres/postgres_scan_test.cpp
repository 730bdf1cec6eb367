// PostgreSQL scan tests against the test server (postgres_test_server.h): pushdown, EXPLAIN's
// remote SQL, escaping, parallel ctid splits under one snapshot, aggregations, joins, key lookups.
#include "connectors/postgres/postgres_scan.h"

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

TEST_F(PostgresServerTest, PushdownOnAndOffAgree) {
  const char* queries[] = {
      "SELECT customer_id, name FROM pg.public.customers WHERE customer_id < 20 AND country = 'DE'",
      "SELECT customer_id FROM pg.public.customers WHERE name >= 'Customer 4' AND name < 'Customer "
      "5'",
      "SELECT customer_id FROM pg.public.customers WHERE country IN ('FR', 'JP') AND customer_id "
      "BETWEEN 100 AND 130",
      "SELECT customer_id FROM pg.public.customers WHERE email LIKE 'customer1%' AND customer_id < "
      "200",
      "SELECT customer_id FROM pg.public.customers WHERE name ILIKE 'CUSTOMER 12_'",
      "SELECT count(*) FROM pg.public.customers WHERE email IS NULL",
      "SELECT count(*) FROM pg.public.customers WHERE email IS NOT NULL OR customer_id = 17",
      "SELECT count(*) FROM pg.public.customers WHERE signup_date >= DATE '2022-01-01' AND "
      "signup_date < DATE '2022-02-01'",
      "SELECT count(*) FROM pg.public.customers WHERE lifetime_value > 5000.5",
      "SELECT count(*) FROM pg.public.customers WHERE NOT is_active",
      "SELECT customer_id, name FROM pg.public.customers ORDER BY name DESC LIMIT 5",
      "SELECT customer_id FROM pg.public.customers ORDER BY email NULLS FIRST, customer_id LIMIT 3",
      "SELECT count(*) FROM pg.\"Sales\".\"Orders\" WHERE ordered_at >= TIMESTAMP '2024-03-01 "
      "00:00:00' "
      "AND ordered_at < TIMESTAMP '2024-03-02 00:00:00'",
      "SELECT country, count(*), count(DISTINCT segment), min(signup_date), max(lifetime_value) "
      "FROM pg.public.customers GROUP BY country",
      "SELECT count(*) FROM pg.public.customers WHERE signup_date > CURRENT_DATE - INTERVAL '30' "
      "DAY",
      "SELECT id FROM pg.public.pg_types WHERE c_uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
      "SELECT id FROM pg.public.pg_types WHERE c_double > 0",
      "SELECT id FROM pg.public.pg_types WHERE c_tstz >= TIMESTAMP '2024-01-15 10:30:00 UTC'",
      "SELECT id FROM pg.public.pg_types WHERE c_tstz < TIMESTAMP '2024-01-15 10:30:00 UTC'",
      "SELECT id FROM pg.public.pg_types WHERE c_tstz = TIMESTAMP '2024-02-29 17:00:00 UTC'",
  };
  for (const char* q : queries) Both(q);
  EXPECT_EQ(Both("SELECT count(*) FROM pg.public.customers WHERE country IN ('FR', 'JP')"),
            std::vector<std::string>{"1667"});
  EXPECT_EQ(Both("SELECT count(*) FROM pg.public.customers WHERE email LIKE 'customer1%'").size(),
            1u);
  EXPECT_EQ(
      Both("SELECT id FROM pg.public.pg_types WHERE c_tstz > TIMESTAMP '2024-01-15 10:29:59 UTC'"),
      (std::vector<std::string>{"1", "4"}));
  EXPECT_NE(engine_
                ->Explain("SELECT id FROM pg.public.pg_types WHERE c_tstz > TIMESTAMP '2024-01-15 "
                          "10:29:59 UTC'")
                .find("TIMESTAMPTZ '2024-01-15 10:29:59+00'"),
            std::string::npos);
  EXPECT_EQ(
      Both("SELECT customer_id FROM pg.public.customers ORDER BY customer_id DESC LIMIT 2", false),
      (std::vector<std::string>{"5000", "4999"}));
}

TEST_F(PostgresServerTest, ExplainShowsRemoteSql) {
  std::string plan = engine_->Explain(
      "SELECT name FROM pg.public.customers WHERE country = 'it''s' AND customer_id > 10 AND email "
      "LIKE 'a\\%'");
  EXPECT_NE(plan.find("COPY (SELECT"), std::string::npos) << plan;
  EXPECT_NE(plan.find("(\"country\"::text) = 'it''s'"), std::string::npos) << plan;
  EXPECT_NE(plan.find("(\"customer_id\" > 10)"), std::string::npos) << plan;
  EXPECT_NE(plan.find("LIKE E'a\\\\%' ESCAPE ''"), std::string::npos) << plan;
  std::string top = engine_->Explain("SELECT name FROM pg.public.customers ORDER BY name LIMIT 3");
  EXPECT_NE(top.find("ORDER BY \"name\" COLLATE \"C\" ASC NULLS LAST LIMIT 3"), std::string::npos)
      << top;
  EXPECT_EQ(plan.find("aishell-test-pw"), std::string::npos);
}

TEST_F(PostgresServerTest, QuotesAndBackslashesInFiltersAndData) {
  EXPECT_EQ(Both("SELECT id FROM pg.public.tricky WHERE s = 'it''s'"),
            std::vector<std::string>{"2"});
  EXPECT_EQ(Both("SELECT id FROM pg.public.tricky WHERE s = 'back\\slash'"),
            std::vector<std::string>{"3"});
  EXPECT_EQ(Both("SELECT id FROM pg.public.tricky WHERE s = '''; DROP TABLE tricky; --'"),
            std::vector<std::string>{"6"});
  EXPECT_EQ(Both("SELECT id FROM pg.public.tricky WHERE s LIKE '%\\%'"),
            (std::vector<std::string>{"10", "3"}));
  EXPECT_EQ(Both("SELECT id FROM pg.public.tricky WHERE s LIKE '!%!_%' ESCAPE '!'"),
            std::vector<std::string>{"7"});
  EXPECT_EQ(Both("SELECT id FROM pg.public.tricky WHERE s IN ('\"double\"', 'plain')"),
            (std::vector<std::string>{"1", "4"}));
  EXPECT_EQ(One("SELECT count(*) FROM pg.public.tricky"), "10");  // still there
  EXPECT_EQ(One("SELECT s FROM pg.public.tricky WHERE id = 9"), "new\nline");
}

TEST_F(PostgresServerTest, ParallelCtidSplitsReadEveryRowOnce) {
  auto pg = engine_->catalogs().GetCatalog("pg");
  auto t = pg->GetTable("public", "big_numbers");
  ASSERT_TRUE(t);
  auto scan = pg->CreateScan(t);
  auto splits = scan->CreateSplits(2);
  EXPECT_GT(splits.size(), 1u);
  EXPECT_NE(splits[0]->Describe().find("ctid"), std::string::npos);
  EXPECT_EQ(Both("SELECT count(*), sum(n), count(DISTINCT n) FROM pg.public.big_numbers"),
            std::vector<std::string>{"300000|45000150000|300000"});
}

// "count|sum|count distinct" of the ids (column 0) a scan's splits return. The first batch of
// split 0 is read first; then `between` runs; then splits 1.. are read (split 1 on a connection
// opened after `between`, as split 0's COPY is still open), then the rest of split 0.
std::string ReadSplits(TableScan& scan, const std::vector<std::shared_ptr<Split>>& splits,
                       const std::function<void()>& between = {}) {
  int64_t count = 0, sum = 0;
  std::set<int32_t> ids;
  auto take = [&](const Batch& b) {
    for (size_t r = 0; r < b.count; r++) {
      int32_t id = static_cast<int32_t>(b.columns[0].GetValue(r).GetInt64());
      count++;
      sum += id;
      ids.insert(id);
    }
  };
  auto first = scan.CreateDataSource(splits[0]);
  Batch b;
  if (first->Next(b)) take(b);
  if (between) between();
  for (size_t i = 1; i < splits.size(); i++) {
    auto source = scan.CreateDataSource(splits[i]);
    while (source->Next(b)) take(b);
  }
  while (first->Next(b)) take(b);
  return std::to_string(count) + "|" + std::to_string(sum) + "|" + std::to_string(ids.size());
}

// The current number of pages of public.<name>.
int64_t RelationPages(const std::string& url, const std::string& name) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string sql = "SELECT pg_relation_size('public." + name + "') / 8192";
  PGresult* r = PQexec(conn, sql.c_str());
  int64_t pages = PQresultStatus(r) == PGRES_TUPLES_OK ? std::atoll(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  PQfinish(conn);
  return pages;
}

// The first page of a split "ctid pages [a, b)", or -1.
int64_t FirstPage(const Split& split) {
  std::string d = split.Describe();
  size_t p = d.find('[');
  return p == std::string::npos ? -1 : std::atoll(d.c_str() + p + 1);
}

// The ranges of a parallel scan read one exported snapshot: rows inserted, deleted and updated
// by another session after the scan started are not half-seen, even by ranges read on
// connections opened after the change.
TEST_F(PostgresServerTest, ParallelSplitsShareOneSnapshot) {
  std::string name = MakePaddedTable(url_, "snap", 9600);
  auto pg = engine_->catalogs().GetCatalog("pg");
  auto t = pg->GetTable("public", name);
  ASSERT_TRUE(t);
  auto scan = pg->CreateScan(t);
  scan->SetProjection({0});
  auto splits = scan->CreateSplits(2);
  ASSERT_EQ(splits.size(), 4u);  // 1200 pages: 4 ranges of 300
  EXPECT_EQ(splits[0]->Describe(), "ctid pages [0, 300)");
  EXPECT_EQ(splits.back()->Describe(), "ctid pages [900, end)");
  std::string seen = ReadSplits(*scan, splits, [&] {
    RunSql(url_, "INSERT INTO public." + name +
                     " SELECT i, 'new' FROM generate_series(100001, 100100) AS i; DELETE FROM "
                     "public." +
                     name + " WHERE id BETWEEN 9501 AND 9600; UPDATE public." + name +
                     " SET id = -id WHERE id BETWEEN 2000 AND 2010");
  });
  EXPECT_EQ(seen, "9600|46084800|9600");  // as before the concurrent changes
  // A new scan sees them.
  EXPECT_EQ(One("SELECT count(*), sum(id) FROM pg.public." + name), "9600|55090690");
  auto again = pg->CreateScan(t);
  again->SetProjection({0});
  EXPECT_EQ(ReadSplits(*again, again->CreateSplits(2)), "9600|55090690|9600");
  RunSql(url_, "DROP TABLE public." + name);
}

// Dead tuples and VACUUM: the ranges cover every live row exactly once, also when the statistics
// the scan was planned with are stale (the table shrank to half, then to nothing).
TEST_F(PostgresServerTest, ParallelSplitsAfterDeleteAndVacuum) {
  std::string name = MakePaddedTable(url_, "vac", 9600);
  auto pg = engine_->catalogs().GetCatalog("pg");
  auto t = pg->GetTable("public", name);  // statistics: 1200 pages
  ASSERT_TRUE(t);
  RunSql(url_, "DELETE FROM public." + name + " WHERE id % 3 = 0");
  auto scan = pg->CreateScan(t);
  scan->SetProjection({0});
  EXPECT_EQ(ReadSplits(*scan, scan->CreateSplits(2)), "6400|30720000|6400");
  RunSql(url_, "VACUUM public." + name);
  EXPECT_EQ(ReadSplits(*scan, scan->CreateSplits(2)), "6400|30720000|6400");
  EXPECT_EQ(Both("SELECT count(*), sum(id), count(DISTINCT id) FROM pg.public." + name),
            std::vector<std::string>{"6400|30720000|6400"});
  // The second half goes; VACUUM truncates the table to 600 pages.
  RunSql(url_, "DELETE FROM public." + name + " WHERE id > 4800");
  RunSql(url_, "VACUUM public." + name);
  auto half = pg->CreateScan(t);
  half->SetProjection({0});
  auto splits = half->CreateSplits(2);
  ASSERT_GT(splits.size(), 1u);
  // Ranges of the current size, not of the stats (VACUUM truncates only when no other session's
  // snapshot still sees the deleted rows: tests run in parallel).
  int64_t pages = RelationPages(url_, name);
  EXPECT_LT(FirstPage(*splits.back()), std::max<int64_t>(pages, 1)) << pages;
  EXPECT_EQ(ReadSplits(*half, splits), "3200|7680000|3200");
  // Nothing left: VACUUM truncates to zero pages; one open-ended range reads nothing.
  RunSql(url_, "DELETE FROM public." + name);
  RunSql(url_, "VACUUM public." + name);
  auto empty = pg->CreateScan(t);
  empty->SetProjection({0});
  auto none = empty->CreateSplits(2);
  if (RelationPages(url_, name) == 0) {
    ASSERT_EQ(none.size(), 1u);
    EXPECT_EQ(none[0]->Describe(), "ctid pages [0, end)");
  }
  EXPECT_EQ(ReadSplits(*empty, none), "0|0|0");
  RunSql(url_, "DROP TABLE public." + name);
}

TEST_F(PostgresServerTest, EmptyAndOnePageTables) {
  std::string empty = "empty_" + std::to_string(::getpid());
  std::string one = "onepage_" + std::to_string(::getpid());
  RunSql(url_,
         "DROP TABLE IF EXISTS public." + empty + ", public." + one + "; CREATE TABLE public." +
             empty + " (id integer, s text); CREATE TABLE public." + one +
             " (id integer, s text); INSERT INTO public." + one +
             " VALUES (1, 'a'), (2, NULL), (3, 'c'); ANALYZE public." + empty + ", public." + one);
  auto pg = engine_->catalogs().GetCatalog("pg");
  for (const auto& name : {empty, one}) {
    auto scan = pg->CreateScan(pg->GetTable("public", name));
    EXPECT_EQ(scan->CreateSplits(2).size(), 1u) << name;  // one reader, no snapshot needed
  }
  EXPECT_EQ(Both("SELECT count(*), sum(id), max(s) FROM pg.public." + empty),
            std::vector<std::string>{"0|NULL|NULL"});
  EXPECT_EQ(Both("SELECT count(*), sum(id), max(s), count(s) FROM pg.public." + one),
            std::vector<std::string>{"3|6|c|2"});
  EXPECT_EQ(Rows("SELECT id, s FROM pg.public." + one + " ORDER BY id"),
            (std::vector<std::string>{"1|a", "2|NULL", "3|c"}));
  RunSql(url_, "DROP TABLE public." + empty + ", public." + one);
}

// A parallel scan abandoned early (a LIMIT the source was not given) leaves no error behind, and
// the next parallel scan of the same table works.
TEST_F(PostgresServerTest, AbandonedParallelScanIsClean) {
  engine_->SetSetting("pushdown", "false");
  EXPECT_EQ(Rows("SELECT n FROM pg.public.big_numbers LIMIT 3").size(), 3u);
  engine_->SetSetting("pushdown", "true");
  EXPECT_EQ(One("SELECT count(*) FROM pg.public.big_numbers WHERE n % 7 = 0"), "42857");
}

// Reads every row of a data source into "a|b" lines, sorted.
std::vector<std::string> Drain(DataSource& source) {
  std::vector<std::string> rows;
  Batch b;
  while (source.Next(b)) {
    for (size_t i = 0; i < b.count; i++) {
      std::string line;
      for (size_t c = 0; c < b.ColumnCount(); c++)
        line += (c ? "|" : "") + b.columns[c].GetValue(i).ToString();
      rows.push_back(line);
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST_F(PostgresServerTest, PushesAggregationsIntoOneRemoteQuery) {
  auto pg = engine_->catalogs().GetCatalog("pg");
  auto t = pg->GetTable("public", "customers");
  ASSERT_TRUE(t);
  auto scan = pg->CreateScan(t);
  int country = t->FindColumn("country"), segment = t->FindColumn("segment"),
      ltv = t->FindColumn("lifetime_value");
  int id = t->FindColumn("customer_id"), name = t->FindColumn("name");
  AggregationRequest req;
  req.group_columns = {country};
  req.calls.push_back({"count", -1, false, LogicalType(TypeId::kBigInt)});
  req.calls.push_back({"count", segment, true, LogicalType(TypeId::kBigInt)});
  req.calls.push_back({"sum", id, false, LogicalType(TypeId::kBigInt)});
  req.calls.push_back({"sum", ltv, false, LogicalType::Decimal(18, 2)});
  req.calls.push_back({"min", name, false, LogicalType(TypeId::kVarchar)});
  req.calls.push_back({"max", ltv, false, LogicalType::Decimal(12, 2)});
  ASSERT_TRUE(scan->PushAggregation(req));
  EXPECT_NE(scan->Describe().find("GROUP BY (\"country\"::text)"), std::string::npos)
      << scan->Describe();
  auto splits = scan->CreateSplits(2);
  ASSERT_EQ(splits.size(), 1u);
  auto pushed = Drain(*scan->CreateDataSource(splits[0]));
  auto engine_side = Rows(
      "SELECT country, count(*), count(DISTINCT segment), sum(customer_id), sum(lifetime_value), "
      "min(name), "
      "max(lifetime_value) FROM pg.public.customers GROUP BY country",
      true);
  EXPECT_EQ(pushed.size(), 6u);
  EXPECT_EQ(pushed, engine_side);

  auto global = pg->CreateScan(t);
  AggregationRequest avg;
  avg.calls.push_back({"avg", id, false, LogicalType(TypeId::kDouble)});
  ASSERT_TRUE(global->PushAggregation(avg));
  EXPECT_EQ(Drain(*global->CreateDataSource(global->CreateSplits(1)[0])),
            std::vector<std::string>{"2500.5"});
  AggregationRequest bad;
  bad.calls.push_back({"stddev", id, false, LogicalType(TypeId::kDouble)});
  EXPECT_FALSE(pg->CreateScan(t)->PushAggregation(bad));
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) n++;
  return n;
}

TEST_F(PostgresServerTest, JoinsOfOneCatalogRunAsOneRemoteQuery) {
  const std::string from =
      " FROM pg.public.customers c JOIN pg.\"Sales\".\"Orders\" o ON c.customer_id = "
      "o.customer_id";
  struct Case {
    std::string sql;
    bool pushed;  // one remote query, no engine join
  };
  const Case cases[] = {
      {"SELECT c.customer_id, c.name, o.order_id, o.amount" + from +
           " WHERE c.country = 'DE' AND o.amount > 200 AND c.customer_id < 1000",
       true},
      {"SELECT c.customer_id, o.order_id FROM pg.public.customers c LEFT JOIN "
       "pg.\"Sales\".\"Orders\" o ON c.customer_id = o.customer_id AND o.amount > 240 WHERE "
       "c.customer_id < 60",
       true},
      {"SELECT c.customer_id, o.order_id FROM pg.\"Sales\".\"Orders\" o RIGHT JOIN "
       "pg.public.customers c ON c.customer_id = o.customer_id AND o.amount > 240 WHERE "
       "c.customer_id < 60",
       true},
      {"SELECT c.customer_id FROM pg.public.customers c LEFT JOIN pg.\"Sales\".\"Orders\" o ON "
       "c.customer_id = o.customer_id AND o.amount > 249 WHERE o.order_id IS NULL AND "
       "c.customer_id < 100",
       true},
      {"SELECT c.country, count(*), sum(o.amount), count(DISTINCT c.segment), min(o.ordered_at)" +
           from + " GROUP BY c.country",
       true},
      {"SELECT count(*), max(o.amount)" + from + " WHERE c.segment = 'smb'", true},
      {"SELECT c.customer_id, o.order_id, t.s" + from +
           " JOIN pg.public.tricky t ON t.id = c.customer_id",
       true},
      {"SELECT m.\"Full Name\", c.email FROM pg.public.\"MixedCase\" m JOIN pg.public.customers c "
       "ON m.\"Id\" = c.customer_id",
       true},
      {"SELECT c.name, o.order_id" + from + " WHERE length(c.name) = 11 AND o.amount < 30", true},
      {"SELECT c.customer_id, o.order_id" + from + " ORDER BY o.order_id LIMIT 5", true},
      {"SELECT c.customer_id, o.order_id" + from +
           " AND o.amount < c.lifetime_value / 100 WHERE c.customer_id < 20",
       false},
  };
  for (const auto& c : cases) {
    auto rows = Both(c.sql);
    EXPECT_FALSE(rows.empty()) << c.sql;
    std::string plan = engine_->Explain(c.sql);
    EXPECT_EQ(plan.find("aishell-test-pw"), std::string::npos);
    if (c.pushed) {
      EXPECT_EQ(Count(plan, "COPY ("), 1u) << c.sql << "\n" << plan;
      EXPECT_EQ(plan.find("Join "), std::string::npos) << c.sql << "\n" << plan;
      EXPECT_NE(plan.find(" JOIN \""), std::string::npos) << plan;
    }
    engine_->SetSetting("pushdown", "false");
    EXPECT_EQ(engine_->Explain(c.sql).find(" JOIN \""), std::string::npos);
    engine_->SetSetting("pushdown", "true");
  }
  // The exact remote SQL: filters of an inner join in WHERE, a LEFT join's right side in ON.
  std::string plan = engine_->Explain(
      "SELECT c.name, o.amount FROM pg.public.customers c LEFT JOIN pg.\"Sales\".\"Orders\" o ON "
      "c.customer_id = o.customer_id AND o.amount > 240 WHERE c.country = 'it''s'");
  // (join side selection turned the LEFT join around: customers is the smaller input)
  EXPECT_NE(plan.find("FROM \"Sales\".\"Orders\" t0 RIGHT JOIN \"public\".\"customers\" t1 ON "
                      "(t0.\"customer_id\" = t1.\"customer_id\") AND (t0.\"amount\" > "
                      "(240.00::numeric)) WHERE ((t1.\"country\"::text) = 'it''s')"),
            std::string::npos)
      << plan;
  // Aggregation on top of the join goes into the same query.
  plan = engine_->Explain("SELECT c.country, count(*)" + from + " GROUP BY c.country");
  EXPECT_NE(plan.find("GROUP BY (t"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Aggregate"), std::string::npos) << plan;
}

TEST_F(PostgresServerTest, JoinsAcrossCatalogsAreNeverPushed) {
  engine_->catalogs().AddCatalog(ConnectionConfig{"pg2", "postgres", url_, {}});
  const std::string sql =
      "SELECT c.customer_id, o.order_id FROM pg.public.customers c JOIN pg2.\"Sales\".\"Orders\" "
      "o ON c.customer_id = o.customer_id WHERE c.customer_id < 30";
  std::string plan = engine_->Explain(sql);
  // Each catalog is read on its own (a scan, or key lookups driven by the other side) and the
  // engine joins them.
  EXPECT_NE(plan.find("pg.public.customers"), std::string::npos) << plan;
  EXPECT_NE(plan.find("pg2.Sales.Orders"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Join "), std::string::npos) << plan;
  EXPECT_EQ(plan.find(" JOIN \""), std::string::npos) << plan;
  EXPECT_FALSE(Both(sql).empty());
}

TEST_F(PostgresServerTest, LookupJoinExplainAndDynamicFilterReachRemoteSql) {
  engine_->catalogs().AddCatalog(ConnectionConfig{"pg2", "postgres", url_, {}});
  const std::string sql =
      "SELECT c.customer_id, o.order_id FROM pg.public.customers c JOIN pg2.\"Sales\".\"Orders\" "
      "o ON c.customer_id = o.customer_id WHERE c.customer_id < 30 AND c.country = 'DE'";
  engine_->SetSetting("lookup_join", "false");
  engine_->SetSetting("dynamic_filtering", "false");
  auto plain = Rows(sql, true);
  ASSERT_FALSE(plain.empty());

  // A lookup join shows the remote SQL of one batch, the key list as a placeholder.
  engine_->SetSetting("lookup_join", "true");
  std::string plan = engine_->Explain(sql);
  if (plan.find("IN ($keys)") != std::string::npos) {
    EXPECT_NE(plan.find("COPY (SELECT"), std::string::npos) << plan;
    EXPECT_NE(plan.find("(\"customer_id\" IN ($keys))) TO STDOUT (FORMAT binary)"),
              std::string::npos)
        << plan;
  } else {
    ADD_FAILURE() << "expected a lookup join with its per-batch remote SQL:\n" << plan;
  }
  EXPECT_EQ(Rows(sql, true), plain);

  // A hash join offers its build keys to the probe scan: AND ("customer_id" IN (...)) remotely.
  engine_->SetSetting("lookup_join", "false");
  engine_->SetSetting("dynamic_filtering", "true");
  std::string analyzed = engine_->Explain(sql, /*analyze=*/true);
  EXPECT_NE(analyzed.find("accepted"), std::string::npos) << analyzed;
  EXPECT_NE(analyzed.find("\"customer_id\" IN ("), std::string::npos) << analyzed;
  EXPECT_EQ(analyzed.find("aishell-test-pw"), std::string::npos);
  EXPECT_EQ(Rows(sql, true), plain);
  engine_->SetSetting("lookup_join", "true");
  EXPECT_EQ(Rows(sql, true), plain);
}

TEST_F(PostgresServerTest, OddStringsAndNamesAreEscaped) {
  std::string table = "odd_" + std::to_string(::getpid());
  RunSql(url_, "DROP TABLE IF EXISTS public.\"" + table + "\"; CREATE TABLE public.\"" + table +
                   "\" (id int, \"we\"\"ird col\\\" text, \"ÜnïcødЁ 列\" text)");
  const std::vector<std::string> values = {"it's",
                                           "back\\slash",
                                           "\\",
                                           "'",
                                           "''",
                                           "\"",
                                           "\\'",
                                           "'; DROP TABLE customers; --",
                                           "%_\\%",
                                           "日本語 ü",
                                           "🎉 emoji",
                                           "\u202Eright-to-left",
                                           "e\u0301 combining",
                                           "tab\tnew\nline",
                                           "$$dollar$$",
                                           "E'not escape'",
                                           "\\x41"};
  for (size_t i = 0; i < values.size(); i++) {
    std::string lit = "'";
    for (char ch : values[i]) lit += ch == '\'' ? std::string("''") : std::string(1, ch);
    lit += "'";
    engine_->Execute("INSERT INTO pg.public.\"" + table + "\" VALUES (" + std::to_string(i) + ", " +
                     lit + ", " + lit + ")");
  }
  for (size_t i = 0; i < values.size(); i++) {
    std::string lit = "'";
    for (char ch : values[i]) lit += ch == '\'' ? std::string("''") : std::string(1, ch);
    lit += "'";
    EXPECT_EQ(Both("SELECT id FROM pg.public.\"" + table + "\" WHERE \"we\"\"ird col\\\" = " + lit),
              std::vector<std::string>{std::to_string(i)})
        << values[i];
    EXPECT_EQ(Both("SELECT id FROM pg.public.\"" + table + "\" WHERE \"ÜnïcødЁ 列\" IN (" + lit +
                   ", 'zzz') AND \"we\"\"ird col\\\" LIKE " + lit),
              std::vector<std::string>{std::to_string(i)})
        << values[i];
    EXPECT_EQ(
        Both("SELECT count(*) FROM pg.public.\"" + table + "\" WHERE \"ÜnïcødЁ 列\" >= " + lit),
        Rows("SELECT count(*) FROM (SELECT \"ÜnïcødЁ 列\" AS v FROM pg.public.\"" + table +
             "\") WHERE v >= " + lit))
        << values[i];
  }
  // The rows read back unchanged.
  auto rows = Rows("SELECT \"we\"\"ird col\\\" FROM pg.public.\"" + table + "\" ORDER BY id");
  ASSERT_EQ(rows.size(), values.size());
  for (size_t i = 0; i < values.size(); i++) EXPECT_EQ(rows[i], values[i]);
  RunSql(url_, "DROP TABLE public.\"" + table + "\"");
}

TEST_F(PostgresServerTest, LooksUpKeysInBatches) {
  auto pg = engine_->catalogs().GetCatalog("pg");
  auto t = pg->GetTable("public", "customers");
  ASSERT_TRUE(t);
  int id = t->FindColumn("customer_id"), name = t->FindColumn("name"),
      country = t->FindColumn("country"), ltv = t->FindColumn("lifetime_value");
  auto scan = pg->CreateScan(t);
  scan->SetProjection({id, name});
  EXPECT_TRUE(scan->SupportsKeyLookup({id}));
  EXPECT_TRUE(scan->SupportsKeyLookup({country, id}));
  EXPECT_TRUE(scan->SupportsKeyLookup({ltv}));
  Batch keys({LogicalType(TypeId::kBigInt)}, 8);
  keys.columns[0].SetValue(0, Value::BigInt(3));
  keys.columns[0].SetValue(1, Value::BigInt(7));
  keys.columns[0].SetValue(2, Value::BigInt(3));
  keys.columns[0].SetNull(3);
  keys.columns[0].SetValue(4, Value::BigInt(999999));
  keys.columns[0].SetValue(5, Value::BigInt(42));
  keys.SetCount(6);
  EXPECT_EQ(Drain(*scan->LookupKeys({id}, keys)),
            (std::vector<std::string>{"3|Customer 3", "42|Customer 42", "7|Customer 7"}));

  // Composite keys, with a pushed filter that still applies.
  auto filtered = pg->CreateScan(t);
  filtered->SetProjection({id});
  auto f = MakeComparison(CompareOp::kLt, MakeColumnRef(id, LogicalType(TypeId::kInteger)),
                          MakeConstant(Value::Integer(40)));
  ASSERT_TRUE(filtered->PushFilter(*f));
  Batch pairs({LogicalType(TypeId::kVarchar), LogicalType(TypeId::kInteger)}, 8);
  pairs.columns[0].SetValue(0, Value::Varchar("DE"));
  pairs.columns[1].SetValue(0, Value::Integer(1));
  pairs.columns[0].SetValue(1, Value::Varchar("US"));  // customer 6 is US
  pairs.columns[1].SetValue(1, Value::Integer(6));
  pairs.columns[0].SetValue(2, Value::Varchar("DE"));  // 6 is not DE
  pairs.columns[1].SetValue(2, Value::Integer(6));
  pairs.columns[0].SetValue(3, Value::Varchar("DE"));  // 43 is DE but filtered out
  pairs.columns[1].SetValue(3, Value::Integer(43));
  pairs.SetCount(4);
  EXPECT_EQ(Drain(*filtered->LookupKeys({country, id}, pairs)),
            (std::vector<std::string>{"1", "6"}));

  // String keys full of quotes and backslashes; a key holding a NUL matches nothing.
  auto tt = pg->GetTable("public", "tricky");
  auto tricky = pg->CreateScan(tt);
  tricky->SetProjection({0, 1});
  Batch strings({LogicalType(TypeId::kVarchar)}, 8);
  strings.columns[0].SetValue(0, Value::Varchar("it's"));
  strings.columns[0].SetValue(1, Value::Varchar("back\\slash"));
  strings.columns[0].SetValue(2, Value::Varchar("'; DROP TABLE tricky; --"));
  strings.columns[0].SetValue(3, Value::Varchar(std::string("nul\0byte", 8)));
  strings.columns[0].SetValue(4, Value::Varchar("\\\\"));
  strings.SetCount(5);
  EXPECT_EQ(Drain(*tricky->LookupKeys({1}, strings)),
            (std::vector<std::string>{"10|\\\\", "2|it's", "3|back\\slash",
                                      "6|'; DROP TABLE tricky; --"}));

  // Many keys: several remote queries, every row once.
  Batch many({LogicalType(TypeId::kInteger)}, 12000);
  for (int i = 0; i < 12000; i++) many.columns[0].SetValue(i, Value::Integer(i % 6000));
  many.SetCount(12000);
  auto all = pg->CreateScan(t);
  all->SetProjection({id});
  EXPECT_EQ(Drain(*all->LookupKeys({id}, many)).size(), 5000u);
}

}  // namespace
}  // namespace aishell
