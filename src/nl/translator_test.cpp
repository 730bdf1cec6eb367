#include "nl/translator.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

NlTable Table(std::string catalog, std::string type, std::string name,
              std::vector<std::pair<std::string, TypeId>> columns) {
  NlTable t;
  t.catalog = std::move(catalog);
  t.schema = "public";
  t.name = std::move(name);
  t.source_type = std::move(type);
  for (auto& [n, id] : columns) t.columns.push_back({n, LogicalType(id)});
  return t;
}

// Seed 002's shapes: users in PostgreSQL, orders and payments in MongoDB, page views in
// Elasticsearch.
NlSchema Seed002() {
  NlSchema s;
  s.tables.push_back(Table("users-db", "postgres", "users",
                           {{"id", TypeId::kInteger},
                            {"email", TypeId::kVarchar},
                            {"name", TypeId::kVarchar},
                            {"region", TypeId::kVarchar},
                            {"created_at", TypeId::kTimestamp}}));
  s.tables.push_back(Table("orders-db", "mongodb", "orders",
                           {{"id", TypeId::kInteger},
                            {"user_id", TypeId::kInteger},
                            {"total", TypeId::kDouble},
                            {"status", TypeId::kVarchar},
                            {"created_at", TypeId::kTimestamp}}));
  s.tables.push_back(Table(
      "orders-db", "mongodb", "payments",
      {{"id", TypeId::kInteger}, {"order_id", TypeId::kInteger}, {"amount", TypeId::kDouble}}));
  s.tables.push_back(Table("analytics-db", "elasticsearch", "page_views",
                           {{"id", TypeId::kInteger},
                            {"user_id", TypeId::kInteger},
                            {"page", TypeId::kVarchar},
                            {"viewed_at", TypeId::kTimestamp}}));
  s.sample_values = [](const NlTable& t, const NlColumn& c) -> std::vector<std::string> {
    if (t.name == "orders" && c.name == "status") return {"delivered", "pending", "in transit"};
    if (t.name == "users" && c.name == "region") return {"West Coast", "Midwest"};
    return {};
  };
  return s;
}

NlOptions Monday20251027() {
  NlOptions o;
  EXPECT_TRUE(ParseIsoDate("2025-10-27", &o.today));
  return o;
}

TEST(NlTranslatorTest, SeedQuestionJoinsUsersAndOrdersLastWeek) {
  auto t = TranslateToSql("Show me users from PostgreSQL who made purchases in MongoDB last week",
                          Seed002(), Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.sql,
            "SELECT DISTINCT u.*\nFROM \"users-db\".public.users u\n"
            "JOIN \"orders-db\".public.orders o ON u.id = o.user_id\n"
            "WHERE o.created_at >= TIMESTAMP '2025-10-20 00:00:00' AND o.created_at < TIMESTAMP "
            "'2025-10-27 00:00:00'");
  EXPECT_EQ(t.source_count, 2);
  ASSERT_EQ(t.joins.size(), 1u);
  EXPECT_NE(t.joins[0].find("user_id"), std::string::npos);
  ASSERT_EQ(t.filters.size(), 1u);
  EXPECT_NE(t.filters[0].find("last week"), std::string::npos);
  // "purchases" is listed as a reading: nothing is guessed silently.
  ASSERT_FALSE(t.readings.empty());
  EXPECT_NE(t.readings[0].find("purchases"), std::string::npos);
}

TEST(NlTranslatorTest, TimePhrases) {
  auto where = [](const std::string& q) {
    auto t = TranslateToSql(q, Seed002(), Monday20251027());
    EXPECT_TRUE(t.ok) << q << ": " << t.error;
    auto pos = t.sql.find("WHERE ");
    return pos == std::string::npos ? std::string() : t.sql.substr(pos + 6);
  };
  const std::string c = "o.created_at";
  auto range = [&](const char* from, const char* to) {
    return c + " >= TIMESTAMP '" + from + " 00:00:00' AND " + c + " < TIMESTAMP '" + to +
           " 00:00:00'";
  };
  EXPECT_EQ(where("orders today"), range("2025-10-27", "2025-10-28"));
  EXPECT_EQ(where("orders yesterday"), range("2025-10-26", "2025-10-27"));
  EXPECT_EQ(where("orders this week"), range("2025-10-27", "2025-11-03"));
  EXPECT_EQ(where("orders last 7 days"), range("2025-10-20", "2025-10-28"));
  EXPECT_EQ(where("orders this month"), range("2025-10-01", "2025-11-01"));
  EXPECT_EQ(where("orders last month"), range("2025-09-01", "2025-10-01"));
  EXPECT_EQ(where("orders last quarter"), range("2025-07-01", "2025-10-01"));
  EXPECT_EQ(where("orders in October 2025"), range("2025-10-01", "2025-11-01"));
  EXPECT_EQ(where("orders between 2025-10-01 and 2025-10-05"), range("2025-10-01", "2025-10-06"));
  EXPECT_EQ(where("orders since 2025-10-15"), c + " >= TIMESTAMP '2025-10-15 00:00:00'");
  // The week starts on the session's day: Sunday.
  NlOptions sunday = Monday20251027();
  sunday.week_start = 7;
  auto t = TranslateToSql("orders last week", Seed002(), sunday);
  ASSERT_TRUE(t.ok);
  EXPECT_NE(t.sql.find("'2025-10-19 00:00:00'"), std::string::npos) << t.sql;
}

TEST(NlTranslatorTest, AggregatesValuesAndShortestPath) {
  auto t = TranslateToSql("total payment amount by region for delivered orders", Seed002(),
                          Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.sql,
            "SELECT u.region, sum(p.amount) AS sum_amount\n"
            "FROM \"orders-db\".public.payments p\n"
            "JOIN \"orders-db\".public.orders o ON p.order_id = o.id\n"
            "JOIN \"users-db\".public.users u ON o.user_id = u.id\n"
            "WHERE o.status = 'delivered'\nGROUP BY u.region");
  t = TranslateToSql("how many orders are in transit", Seed002(), Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_NE(t.sql.find("o.status = 'in transit'"), std::string::npos) << t.sql;
  t = TranslateToSql("top 3 users by total", Seed002(), Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_NE(t.sql.find("ORDER BY sum(o.total) DESC"), std::string::npos) << t.sql;
  EXPECT_NE(t.sql.find("LIMIT 3"), std::string::npos) << t.sql;
}

TEST(NlTranslatorTest, RefusesWhatItDoesNotUnderstand) {
  auto t = TranslateToSql("users who like jazz", Seed002(), Monday20251027());
  EXPECT_FALSE(t.ok);
  EXPECT_TRUE(t.sql.empty());
  EXPECT_NE(t.error.find("did not understand \"jazz\""), std::string::npos) << t.error;
  ASSERT_EQ(t.not_understood.size(), 1u);
  for (const char* q :
       {"orders that are not delivered", "delivered or pending orders",
        "West Coast users without orders", "orders where total != 5", "total orders"}) {
    t = TranslateToSql(q, Seed002(), Monday20251027());
    EXPECT_FALSE(t.ok) << q << " -> " << t.sql;
  }
  // Plain negation (two entities, a direct reference) is NOT EXISTS.
  t = TranslateToSql("users without orders", Seed002(), Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.sql,
            "SELECT u.*\nFROM \"users-db\".public.users u\nWHERE NOT EXISTS (SELECT 1 FROM "
            "\"orders-db\".public.orders o WHERE o.user_id = u.id)");
  // A sum that the join would count more than once.
  t = TranslateToSql("sum of order total by page", Seed002(), Monday20251027());
  EXPECT_FALSE(t.ok) << t.sql;
  EXPECT_NE(t.error.find("more than once"), std::string::npos) << t.error;
}

TEST(NlTranslatorTest, AmbiguousTablesNeedASourceHint) {
  NlSchema s = Seed002();
  s.tables.push_back(Table("lake", "file", "users", {{"id", TypeId::kInteger}}));
  auto t = TranslateToSql("show users", s, Monday20251027());
  EXPECT_FALSE(t.ok);
  EXPECT_NE(t.error.find("several tables"), std::string::npos) << t.error;
  t = TranslateToSql("show users from PostgreSQL", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_NE(t.sql.find("\"users-db\".public.users"), std::string::npos);
  t = TranslateToSql("show users in lake", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_NE(t.sql.find("lake.public.users"), std::string::npos);
}

TEST(NlTranslatorTest, SchemaHints) {
  NlSchema s = Seed002();
  for (auto& t : s.tables) t.catalog = "pg";
  s.tables.push_back(Table("pg", "postgres", "orders", {{"id", TypeId::kInteger}}));
  s.tables.back().schema = "sales";
  auto t = TranslateToSql("how many orders", s, Monday20251027());
  EXPECT_FALSE(t.ok);
  EXPECT_NE(t.error.find("Say which schema"), std::string::npos) << t.error;
  t = TranslateToSql("how many orders in sales", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_NE(t.sql.find("pg.sales.orders"), std::string::npos) << t.sql;
  // The question's only hint settles every entity it fits.
  t = TranslateToSql("public users who made purchases", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_NE(t.sql.find("JOIN pg.public.orders"), std::string::npos) << t.sql;
}

TEST(NlTranslatorTest, JoinPathTiesAreChosenByTheRuleWithANotice) {
  NlSchema s;
  s.tables.push_back(Table("db", "sqlite", "users", {{"id", TypeId::kInteger}}));
  s.tables.push_back(
      Table("db", "sqlite", "carts", {{"id", TypeId::kInteger}, {"user_id", TypeId::kInteger}}));
  s.tables.push_back(Table("db", "sqlite", "wishlists",
                           {{"id", TypeId::kInteger}, {"user_id", TypeId::kInteger}}));
  s.tables.push_back(Table("db", "sqlite", "items",
                           {{"id", TypeId::kInteger},
                            {"cart_id", TypeId::kInteger},
                            {"wishlist_id", TypeId::kInteger}}));
  // Two paths of two hops, neither declared nor exactly named: name order picks carts, and the
  // panel says so and shows the other.
  auto t = TranslateToSql("items of user 3", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_NE(t.sql.find("JOIN db.public.carts"), std::string::npos) << t.sql;
  EXPECT_EQ(t.sql.find("wishlists"), std::string::npos) << t.sql;
  ASSERT_EQ(t.notices.size(), 2u);
  EXPECT_NE(t.notices[0].find("2 join paths lead to"), std::string::npos) << t.notices[0];
  EXPECT_NE(t.notices[0].find("name order"), std::string::npos) << t.notices[0];
  EXPECT_NE(t.notices[1].find("alternative: items.wishlist_id = wishlists.id"), std::string::npos)
      << t.notices[1];
  t = TranslateToSql("items in carts of user 3", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_NE(t.sql.find("JOIN db.public.carts"), std::string::npos) << t.sql;
  EXPECT_TRUE(t.notices.empty());

  // A declared foreign key wins over the name order.
  s.tables[3].references.push_back({"wishlist_id", "public", "wishlists", "id"});
  s.tables[2].references.push_back({"user_id", "public", "users", "id"});
  t = TranslateToSql("items of user 3", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_NE(t.sql.find("JOIN db.public.wishlists"), std::string::npos) << t.sql;
  ASSERT_FALSE(t.notices.empty());
  EXPECT_NE(t.notices[0].find("by declared foreign keys"), std::string::npos) << t.notices[0];
}

TEST(NlTranslatorTest, ConfiguredSynonymsAndCustomerKeyConvention) {
  NlSchema s;
  s.tables.push_back(
      Table("crm", "postgres", "customers",
            {{"customer_id", TypeId::kInteger}, {"customer_name", TypeId::kVarchar}}));
  s.tables.push_back(Table("lake", "iceberg", "transactions",
                           {{"transaction_id", TypeId::kInteger},
                            {"customer_id", TypeId::kInteger},
                            {"total_amount", TypeId::kDouble},
                            {"transaction_date", TypeId::kDate}}));
  auto t = TranslateToSql("how many deals", s, Monday20251027());
  EXPECT_FALSE(t.ok);
  s.synonyms["deals"] = "transactions";
  t = TranslateToSql("how many deals", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.sql, "SELECT count(*) AS count_transactions\nFROM lake.public.transactions t");
  t = TranslateToSql("total revenue per customer in October 2025", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.sql,
            "SELECT c.customer_id, c.customer_name, sum(t.total_amount) AS sum_total_amount\n"
            "FROM crm.public.customers c\n"
            "JOIN lake.public.transactions t ON c.customer_id = t.customer_id\n"
            "WHERE t.transaction_date >= DATE '2025-10-01' AND t.transaction_date < DATE "
            "'2025-11-01'\nGROUP BY c.customer_id, c.customer_name");
}

TEST(NlTranslatorTest, ActiveMeansARunningTtl) {
  NlSchema s = Seed002();
  auto t = TranslateToSql("how many active sessions", s, Monday20251027());
  EXPECT_FALSE(t.ok);  // no table with a TTL: "active" is not understood
  s.tables.push_back(Table("sessions-db", "redis", "sessions",
                           {{"session_id", TypeId::kVarchar},
                            {"user_id", TypeId::kInteger},
                            {"_key", TypeId::kVarchar},
                            {"_ttl", TypeId::kBigInt}}));
  t = TranslateToSql("Show me active users (Redis sessions)", s, Monday20251027());
  ASSERT_TRUE(t.ok) << t.error;
  EXPECT_EQ(t.sql,
            "SELECT DISTINCT u.*\nFROM \"users-db\".public.users u\n"
            "JOIN \"sessions-db\".public.sessions s ON u.id = s.user_id\nWHERE s._ttl > 0");
}

TEST(NlTranslatorTest, StreamRequestOfSeed002) {
  auto r = TranslateStreamRequest(
      "Watch for new orders in MongoDB\n  and enrich with user data from PostgreSQL\n  and "
      "product analytics from Elasticsearch",
      Seed002(), Monday20251027());
  ASSERT_TRUE(r.translation.ok) << r.translation.error;
  EXPECT_EQ(r.key, "created_at");
  EXPECT_EQ(r.translation.sql,
            "SELECT o.*, u.email AS user_email, u.name AS user_name, u.region AS user_region, "
            "u.created_at AS user_created_at, pv.page_views_count, pv.page_views_last_at\n"
            "FROM \"orders-db\".public.orders o\n"
            "LEFT JOIN \"users-db\".public.users u ON o.user_id = u.id\n"
            "LEFT JOIN (SELECT user_id, count(*) AS page_views_count, max(viewed_at) AS "
            "page_views_last_at FROM \"analytics-db\".public.page_views GROUP BY user_id) pv ON "
            "o.user_id = pv.user_id")
      << r.translation.sql;
  EXPECT_EQ(r.translation.source_count, 3);
  // Not a stream request, or nothing to watch: refused with what it needs.
  r = TranslateStreamRequest("show me orders", Seed002(), Monday20251027());
  EXPECT_FALSE(r.translation.ok);
  EXPECT_NE(r.translation.error.find("Watch for new"), std::string::npos);
  r = TranslateStreamRequest("watch for new bananas", Seed002(), Monday20251027());
  EXPECT_FALSE(r.translation.ok);
  EXPECT_TRUE(r.key.empty());
}

}  // namespace
}  // namespace aishell
