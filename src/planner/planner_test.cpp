// Planner tests: binding, name-resolution errors and optimizer decisions, against an in-memory
// connector whose scans record what was pushed down to them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>

#include "common/exception.h"
#include "planner/binder.h"
#include "planner/optimizer/optimizer.h"
#include "planner/planner.h"
#include "sql/parser.h"

namespace aishell {
namespace {

// A scan that accepts comparisons between a column and a constant (and IS NULL), refuses
// everything else, accepts limits, and accepts ORDER BY only when `accept_order`.
class FakeScan : public TableScan {
 public:
  FakeScan(std::shared_ptr<const TableInfo> table, bool accept_order)
      : table_(std::move(table)), accept_order_(accept_order) {}

  void SetProjection(const std::vector<int>& ids) override {
    projection = ids;
    projection_calls++;
    fields.clear();
  }
  bool PushFieldProjection(int column, const std::vector<std::vector<int>>& paths) override {
    auto sorted = paths;
    std::sort(sorted.begin(), sorted.end());
    fields[column] = sorted;
    return true;
  }
  bool PushFilter(const Expr& conjunct) override {
    offered.push_back(conjunct.ToString(&names()));
    bool ok = false;
    if (conjunct.kind == ExprKind::kComparison) {
      ok = conjunct.children[0]->kind == ExprKind::kColumnRef &&
           conjunct.children[1]->kind == ExprKind::kConstant;
    } else if (conjunct.kind == ExprKind::kIsNull) {
      ok = conjunct.children[0]->kind == ExprKind::kColumnRef;
    }
    if (ok) accepted.push_back(conjunct.ToString(&names()));
    return ok;
  }
  bool PushLimit(int64_t l) override {
    limit = l;
    return true;
  }
  bool PushOrder(const std::vector<SortKey>& keys, int64_t l) override {
    if (!accept_order_) return false;
    for (const auto& k : keys)
      order.push_back(k.expr->ToString(&names()) + (k.ascending ? "" : " DESC"));
    order_limit = l;
    return true;
  }
  // Accepts when `accept_aggregation` and every call is count/sum/min/max (avg is refused, so
  // a refusal can be tested).
  bool PushAggregation(const AggregationRequest& request) override {
    aggregation_offers++;
    if (!accept_aggregation) return false;
    for (const auto& c : request.calls) {
      if (c.function == "avg") return false;
    }
    aggregation = request;
    aggregated = true;
    return true;
  }
  std::string Describe() const override {
    std::string s = "fake " + table_->name;
    if (aggregated) {
      s += " select";
      for (int g : aggregation.group_columns) s += " " + names()[g];
      for (const auto& c : aggregation.calls) {
        s += " " + c.function + "(" + (c.distinct ? "distinct " : "") +
             (c.column < 0 ? "*" : names()[c.column]) + ")";
      }
    }
    for (const auto& a : accepted) s += " where " + a;
    if (aggregated && !aggregation.group_columns.empty()) {
      s += " GROUP BY";
      for (int g : aggregation.group_columns) s += " " + names()[g];
    }
    if (limit >= 0) s += " limit " + std::to_string(limit);
    return s;
  }
  double EstimatedRows() const override {
    if (!table_->stats.row_count) return -1;
    double rows = *table_->stats.row_count;
    for (size_t i = 0; i < accepted.size(); i++) rows *= 0.1;
    return rows;
  }
  std::vector<std::shared_ptr<Split>> CreateSplits(int) override { return {}; }
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split>) override { return nullptr; }

  const std::vector<std::string>& names() const {
    if (names_.empty()) {
      for (const auto& c : table_->columns) names_.push_back(c.name);
    }
    return names_;
  }

  std::vector<int> projection;
  int projection_calls = 0;
  std::map<int, std::vector<std::vector<int>>> fields;  // PushFieldProjection, paths sorted
  std::vector<std::string> offered;
  std::vector<std::string> accepted;
  int64_t limit = -1;
  std::vector<std::string> order;
  int64_t order_limit = -2;
  bool accept_aggregation = false;
  int aggregation_offers = 0;
  bool aggregated = false;
  AggregationRequest aggregation;

 private:
  std::shared_ptr<const TableInfo> table_;
  bool accept_order_;
  mutable std::vector<std::string> names_;
};

class FakeConnector : public Connector {
 public:
  std::string TypeName() const override { return "fake"; }
  std::string DefaultSchema() const override { return "main"; }
  std::vector<std::string> ListSchemas() override { return {"main", "sales"}; }
  std::vector<std::string> ListTables(const std::string& schema) override {
    std::vector<std::string> out;
    for (const auto& t : tables_) {
      if (t->schema == schema) out.push_back(t->name);
    }
    return out;
  }
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override {
    for (const auto& t : tables_) {
      if (t->schema == schema && t->name == table) return t;
    }
    return nullptr;
  }
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override {
    auto scan = std::make_unique<FakeScan>(table, accept_order);
    scan->accept_aggregation = accept_aggregation;
    return scan;
  }
  bool SupportsWrites() const override { return true; }

  void Add(const std::string& schema, const std::string& name,
           std::vector<std::pair<std::string, LogicalType>> columns, double rows) {
    auto t = std::make_shared<TableInfo>();
    t->schema = schema;
    t->name = name;
    for (auto& [column, type] : columns) {
      ColumnInfo c;
      c.name = column;
      c.type = type;
      t->columns.push_back(c);
    }
    t->stats.row_count = rows;
    tables_.push_back(t);
  }

  bool accept_order = true;
  bool accept_aggregation = false;

 private:
  std::vector<std::shared_ptr<TableInfo>> tables_;
};

// The one accepted conjunct starts with `prefix` (literals render per Value::ToSqlLiteral).
void ExpectAcceptedOne(const std::vector<std::string>& accepted, const std::string& prefix) {
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].rfind(prefix, 0), 0u) << accepted[0];
}

const LogicalType kInt(TypeId::kInteger);
const LogicalType kBig(TypeId::kBigInt);
const LogicalType kDbl(TypeId::kDouble);
const LogicalType kStr(TypeId::kVarchar);
const LogicalType kDate(TypeId::kDate);

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shop = std::make_shared<FakeConnector>();
    shop->Add("main", "customers", {{"customer_id", kInt}, {"name", kStr}, {"city", kStr}}, 1000);
    shop->Add("main", "orders",
              {{"order_id", kBig},
               {"customer_id", kInt},
               {"amount", kDbl},
               {"status", kStr},
               {"order_date", kDate}},
              100000);
    shop->Add("sales", "regions", {{"region_id", kInt}, {"region", kStr}}, 10);
    catalogs.AddCatalog("shop", shop);
    other = std::make_shared<FakeConnector>();
    other->Add("main", "events", {{"customer_id", kInt}, {"kind", kStr}}, 5000000);
    catalogs.AddCatalog("lake", other);
    catalogs.default_catalog = "shop";
  }

  PlannedQuery Plan(const std::string& sql, bool pushdown = true) {
    PlannerOptions options;
    options.pushdown = pushdown;
    return PlanWith(sql, options);
  }

  PlannedQuery PlanWith(const std::string& sql, const PlannerOptions& options) {
    auto stmt = ParseStatement(sql);
    return PlanStatement(*stmt, catalogs, options);
  }

  std::string Explain(const std::string& sql, bool pushdown = true) {
    return PlanToString(*Plan(sql, pushdown).plan);
  }

  Error PlanError(const std::string& sql) {
    try {
      Plan(sql);
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "expected an error for: " << sql;
    return Error(ErrorKind::kInternal, "none");
  }

  static void Collect(const LogicalPtr& op, LogicalOpKind kind,
                      std::vector<LogicalOperator*>* out) {
    if (op->kind == kind) out->push_back(op.get());
    for (const auto& c : op->children) Collect(c, kind, out);
  }
  static std::vector<LogicalOperator*> Find(const LogicalPtr& root, LogicalOpKind kind) {
    std::vector<LogicalOperator*> out;
    Collect(root, kind, &out);
    return out;
  }
  static LogicalScan* FindScan(const LogicalPtr& root, const std::string& table) {
    for (auto* op : Find(root, LogicalOpKind::kScan)) {
      auto* scan = static_cast<LogicalScan*>(op);
      if (scan->table->name == table) return scan;
    }
    return nullptr;
  }
  static FakeScan& Fake(LogicalScan* scan) {
    return *std::dynamic_pointer_cast<FakeScan>(scan->scan);
  }

  CatalogRegistry catalogs;
  std::shared_ptr<FakeConnector> shop;
  std::shared_ptr<FakeConnector> other;
};

TEST_F(PlannerTest, SimpleSelectResolvesDefaultCatalogAndSchema) {
  auto planned = Plan("SELECT name, city FROM customers");
  ASSERT_EQ(planned.plan->output.size(), 2u);
  EXPECT_EQ(planned.plan->output[0].name, "name");
  EXPECT_EQ(planned.plan->output[1].type, kStr);
  auto* scan = FindScan(planned.plan, "customers");
  ASSERT_NE(scan, nullptr);
  EXPECT_EQ(scan->catalog_name, "shop");
  EXPECT_EQ(Fake(scan).projection, (std::vector<int>{1, 2}));
  ASSERT_EQ(planned.sources.size(), 1u);
  EXPECT_EQ(planned.sources[0], "shop (fake)");
}

TEST_F(PlannerTest, TwoPartNameIsCatalogOrSchema) {
  auto a = Plan("SELECT * FROM lake.events");
  EXPECT_EQ(FindScan(a.plan, "events")->catalog_name, "lake");
  auto b = Plan("SELECT * FROM sales.regions");
  EXPECT_EQ(FindScan(b.plan, "regions")->table->schema, "sales");
  auto c = Plan("SELECT region FROM shop.sales.regions r WHERE r.region_id = 3");
  EXPECT_NE(FindScan(c.plan, "regions"), nullptr);
}

TEST_F(PlannerTest, FilterPushdownIntoScanKeepsRefusedConjuncts) {
  auto planned = Plan("SELECT name FROM customers WHERE customer_id = 5 AND name LIKE 'A%'");
  auto* scan = FindScan(planned.plan, "customers");
  auto& fake = Fake(scan);
  ASSERT_EQ(fake.accepted.size(), 1u);
  EXPECT_EQ(fake.accepted[0], "customer_id = 5");
  EXPECT_EQ(fake.offered.size(), 2u);
  // The accepted filter's column is no longer read; the refused LIKE stays in the engine.
  EXPECT_EQ(fake.projection, (std::vector<int>{1}));
  EXPECT_EQ(scan->column_ids, (std::vector<int>{1}));
  ASSERT_EQ(scan->pushed_filters.size(), 1u);
  auto filters = Find(planned.plan, LogicalOpKind::kFilter);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters[0]->children[0].get(), scan);
  std::string text = PlanToString(*planned.plan);
  if (std::getenv("PLANNER_TEST_PRINT")) std::cout << text;
  EXPECT_NE(text.find("Filter name LIKE 'A%'"), std::string::npos) << text;
  EXPECT_NE(text.find("pushed: fake customers where customer_id = 5"), std::string::npos) << text;
}

TEST_F(PlannerTest, PushdownDisabledOffersNothing) {
  auto planned = Plan("SELECT name FROM customers WHERE customer_id = 5 LIMIT 3", false);
  auto& fake = Fake(FindScan(planned.plan, "customers"));
  EXPECT_TRUE(fake.offered.empty());
  EXPECT_EQ(fake.limit, -1);
  EXPECT_EQ(fake.projection, (std::vector<int>{0, 1}));
  EXPECT_EQ(Find(planned.plan, LogicalOpKind::kFilter).size(), 1u);
}

TEST_F(PlannerTest, FilterPushedThroughProjectionAndDerivedTable) {
  auto planned = Plan(
      "SELECT * FROM (SELECT customer_id AS id, upper(name) AS n FROM customers) t WHERE t.id > "
      "10");
  auto& fake = Fake(FindScan(planned.plan, "customers"));
  ASSERT_EQ(fake.accepted.size(), 1u);
  EXPECT_EQ(fake.accepted[0], "customer_id > 10");
  EXPECT_TRUE(Find(planned.plan, LogicalOpKind::kFilter).empty());
}

TEST_F(PlannerTest, EquiJoinKeysExtractedFromWhere) {
  auto planned = Plan(
      "SELECT c.name, o.amount FROM customers c, orders o WHERE c.customer_id = o.customer_id AND "
      "o.amount > 100");
  auto joins = Find(planned.plan, LogicalOpKind::kJoin);
  ASSERT_EQ(joins.size(), 1u);
  auto* join = static_cast<LogicalJoin*>(joins[0]);
  EXPECT_EQ(join->join_type, JoinType::kInner);
  ASSERT_EQ(join->left_keys.size(), 1u);
  EXPECT_EQ(join->condition, nullptr);
  ExpectAcceptedOne(Fake(FindScan(planned.plan, "orders")).accepted, "amount > 100");
}

TEST_F(PlannerTest, JoinEqualityInEveryBranchOfAnOrBecomesAJoinKey) {
  // TPC-H Q19's shape: the join equality repeated in each branch of an OR.
  auto planned = Plan(
      "SELECT o.amount FROM customers c, orders o WHERE (c.customer_id = o.customer_id AND "
      "o.amount > 100 AND c.city = 'Paris') OR (o.customer_id = c.customer_id AND o.amount < 5 "
      "AND c.city = 'Paris')");
  auto joins = Find(planned.plan, LogicalOpKind::kJoin);
  ASSERT_EQ(joins.size(), 1u);
  auto* join = static_cast<LogicalJoin*>(joins[0]);
  EXPECT_EQ(join->join_type, JoinType::kInner);
  EXPECT_EQ(join->left_keys.size(), 1u) << PlanToString(*planned.plan);
  EXPECT_EQ(join->condition, nullptr);
  ExpectAcceptedOne(Fake(FindScan(planned.plan, "customers")).accepted, "city = 'Paris'");
}

TEST_F(PlannerTest, JoinInputsAreReorderedToAvoidACrossProduct) {
  // Written order: orders, regions (nothing connects them), customers. Reordered: orders,
  // customers (o.customer_id = c.customer_id), then regions (r.region = c.city).
  auto planned = Plan(
      "SELECT * FROM orders o, sales.regions r, customers c WHERE o.customer_id = c.customer_id "
      "AND r.region = c.city");
  auto joins = Find(planned.plan, LogicalOpKind::kJoin);
  ASSERT_EQ(joins.size(), 2u);
  for (auto* j : joins) {
    auto* join = static_cast<LogicalJoin*>(j);
    EXPECT_EQ(join->join_type, JoinType::kInner) << PlanToString(*planned.plan);
    EXPECT_EQ(join->left_keys.size(), 1u) << PlanToString(*planned.plan);
  }
  // The output keeps the written column order.
  std::vector<std::string> names;
  for (const auto& c : planned.plan->output) names.push_back(c.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"order_id", "customer_id", "amount", "status", "order_date",
                                      "region_id", "region", "customer_id", "name", "city"}));
  // A written order without a cross product is kept, and so is a cross product nothing avoids.
  auto kept = Plan(
      "SELECT * FROM orders o, customers c, sales.regions r WHERE o.customer_id = c.customer_id "
      "AND r.region = c.city");
  EXPECT_EQ(Find(kept.plan, LogicalOpKind::kProject).size(), 0u) << PlanToString(*kept.plan);
  PlannerOptions unguarded;
  unguarded.max_cartesian_rows = 0;  // the cartesian guard would refuse it (tested below)
  auto cross = PlanWith("SELECT * FROM orders o, sales.regions r, customers c WHERE o.amount > 1",
                        unguarded);
  EXPECT_EQ(Find(cross.plan, LogicalOpKind::kJoin).size(), 2u);
  EXPECT_EQ(cross.plan->output[5].name, "region_id");
}

TEST_F(PlannerTest, CartesianGuardRefusesWithArithmeticAndSuggestion) {
  const std::string sql = "SELECT * FROM orders o, customers c WHERE o.amount > 1";
  try {
    Plan(sql);
    FAIL() << "a cross product over the limit was planned";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("cartesian product refused"), std::string::npos) << m;
    EXPECT_NE(m.find(" × c ("), std::string::npos) << m;
    EXPECT_NE(m.find("Suggestion: add ON o.customer_id = c.customer_id"), std::string::npos) << m;
  }
  PlannerOptions fix;
  fix.auto_fix_cartesian = true;
  auto fixed = PlanWith(sql, fix);
  auto joins = Find(fixed.plan, LogicalOpKind::kJoin);
  ASSERT_EQ(joins.size(), 1u);
  auto* join = static_cast<LogicalJoin*>(joins[0]);
  EXPECT_EQ(join->join_type, JoinType::kInner);
  EXPECT_EQ(join->left_keys.size(), 1u) << PlanToString(*fixed.plan);
  ASSERT_EQ(fixed.notices.size(), 1u);
  EXPECT_NE(fixed.notices[0].find("added ON o.customer_id = c.customer_id"), std::string::npos)
      << fixed.notices[0];
  // Under the limit nothing is refused; 0 turns the guard off.
  PlannerOptions high;
  high.max_cartesian_rows = int64_t{1} << 50;
  EXPECT_NO_THROW(PlanWith(sql, high));
  PlannerOptions off;
  off.max_cartesian_rows = 0;
  EXPECT_NO_THROW(PlanWith(sql, off));
}

TEST_F(PlannerTest, IntegerVarcharJoinKeyAcrossTablesCastsTheVarcharSide) {
  auto planned =
      Plan("SELECT c.name FROM customers c JOIN lake.main.events e ON e.kind = c.customer_id");
  auto joins = Find(planned.plan, LogicalOpKind::kJoin);
  ASSERT_EQ(joins.size(), 1u) << PlanToString(*planned.plan);
  auto* join = static_cast<LogicalJoin*>(joins[0]);
  ASSERT_EQ(join->left_keys.size(), 1u) << PlanToString(*planned.plan);
  // One key is the bare INTEGER column (it can still be looked up), the other TRY_CAST(kind).
  const Expr* keys[] = {join->left_keys[0].get(), join->right_keys[0].get()};
  int bare = 0, try_casts = 0;
  for (const Expr* k : keys) {
    EXPECT_EQ(k->type.id, TypeId::kInteger);
    if (k->kind == ExprKind::kColumnRef) bare++;
    if (k->kind == ExprKind::kCast && k->try_cast) try_casts++;
  }
  EXPECT_EQ(bare, 1) << PlanToString(*planned.plan);
  EXPECT_EQ(try_casts, 1) << PlanToString(*planned.plan);
  ASSERT_EQ(planned.notices.size(), 1u);
  EXPECT_NE(planned.notices[0].find("c.customer_id (INTEGER) = e.kind (VARCHAR)"),
            std::string::npos)
      << planned.notices[0];
  EXPECT_NE(planned.notices[0].find("TRY_CAST(e.kind AS INTEGER)"), std::string::npos);
  // Within one table the usual rules stay: no implicit conversion.
  EXPECT_THROW(Plan("SELECT * FROM customers WHERE name = customer_id"), Error);
}

TEST_F(PlannerTest, FiltersAreCopiedAcrossEquiJoinColumns) {
  auto a = Plan(
      "SELECT c.name, o.amount FROM orders o JOIN customers c ON o.customer_id = c.customer_id "
      "WHERE c.customer_id = 7");
  EXPECT_EQ(Fake(FindScan(a.plan, "orders")).accepted,
            (std::vector<std::string>{"customer_id = 7"}));
  EXPECT_EQ(Fake(FindScan(a.plan, "customers")).accepted,
            (std::vector<std::string>{"customer_id = 7"}));
  // LEFT join: from the preserved side to the other side only.
  auto b = Plan(
      "SELECT c.name, o.amount FROM orders o LEFT JOIN customers c ON o.customer_id = "
      "c.customer_id WHERE o.customer_id < 9");
  EXPECT_EQ(Fake(FindScan(b.plan, "customers")).accepted,
            (std::vector<std::string>{"customer_id < 9"}));
  auto c = Plan(
      "SELECT c.name, o.amount FROM orders o LEFT JOIN customers c ON o.customer_id = "
      "c.customer_id AND c.customer_id = 3");
  EXPECT_TRUE(Fake(FindScan(c.plan, "orders")).accepted.empty());
}

TEST_F(PlannerTest, JoinBuildSideIsTheSmallerInput) {
  // customers (1000 rows) written on the left, orders (100000) on the right: swapped.
  auto planned = Plan(
      "SELECT c.name, o.amount FROM customers c JOIN orders o ON c.customer_id = o.customer_id");
  auto* join = static_cast<LogicalJoin*>(Find(planned.plan, LogicalOpKind::kJoin)[0]);
  EXPECT_EQ(static_cast<LogicalScan*>(join->children[0].get())->table->name, "orders");
  EXPECT_EQ(static_cast<LogicalScan*>(join->children[1].get())->table->name, "customers");
  // The output still has the written column order.
  EXPECT_EQ(planned.plan->output[0].name, "name");
  EXPECT_EQ(planned.plan->output[1].name, "amount");
  EXPECT_GT(join->estimated_rows, 0);
}

TEST_F(PlannerTest, LeftJoinNullRejectingWhereBecomesInner) {
  auto planned = Plan(
      "SELECT c.name, o.amount FROM orders o LEFT JOIN customers c ON o.customer_id = "
      "c.customer_id WHERE c.city = 'Paris'");
  auto* join = static_cast<LogicalJoin*>(Find(planned.plan, LogicalOpKind::kJoin)[0]);
  EXPECT_EQ(join->join_type, JoinType::kInner);
  EXPECT_EQ(Fake(FindScan(planned.plan, "customers")).accepted,
            (std::vector<std::string>{"city = 'Paris'"}));
}

TEST_F(PlannerTest, LeftJoinNeverPushesIntoNullSupplyingSide) {
  auto planned = Plan(
      "SELECT o.order_id, c.name FROM orders o LEFT JOIN customers c ON o.customer_id = "
      "c.customer_id "
      "WHERE c.city IS NULL AND o.amount > 5");
  auto* join = static_cast<LogicalJoin*>(Find(planned.plan, LogicalOpKind::kJoin)[0]);
  EXPECT_EQ(join->join_type, JoinType::kLeft);
  EXPECT_TRUE(Fake(FindScan(planned.plan, "customers")).offered.empty());
  ExpectAcceptedOne(Fake(FindScan(planned.plan, "orders")).accepted, "amount > 5");
  // The IS NULL test stays above the join.
  bool found = false;
  for (auto* f : Find(planned.plan, LogicalOpKind::kFilter)) {
    if (f->children[0]->kind == LogicalOpKind::kJoin) found = true;
  }
  EXPECT_TRUE(found) << PlanToString(*planned.plan);
}

TEST_F(PlannerTest, LeftJoinOnConditionOverRightSideIsPushedRight) {
  auto planned = Plan(
      "SELECT o.order_id, c.name FROM orders o LEFT JOIN customers c ON o.customer_id = "
      "c.customer_id AND c.city = 'Oslo' "
      "AND o.amount > 3");
  auto* join = static_cast<LogicalJoin*>(Find(planned.plan, LogicalOpKind::kJoin)[0]);
  EXPECT_EQ(join->join_type, JoinType::kLeft);
  EXPECT_EQ(Fake(FindScan(planned.plan, "customers")).accepted,
            (std::vector<std::string>{"city = 'Oslo'"}));
  // A condition on the preserved side must not filter its rows.
  EXPECT_TRUE(Fake(FindScan(planned.plan, "orders")).offered.empty());
  ASSERT_NE(join->condition, nullptr);
}

TEST_F(PlannerTest, LimitAndTopNArePushed) {
  auto a = Plan("SELECT name FROM customers LIMIT 7");
  EXPECT_EQ(Fake(FindScan(a.plan, "customers")).limit, 7);
  EXPECT_EQ(FindScan(a.plan, "customers")->pushed_limit, 7);
  auto b = Plan("SELECT name FROM customers ORDER BY customer_id DESC LIMIT 3 OFFSET 2");
  auto& fake = Fake(FindScan(b.plan, "customers"));
  EXPECT_EQ(fake.order, (std::vector<std::string>{"customer_id DESC"}));
  EXPECT_EQ(fake.order_limit, 5);
  // Sort and Limit stay adjacent for a top-N.
  auto limits = Find(b.plan, LogicalOpKind::kLimit);
  ASSERT_EQ(limits.size(), 1u);
  EXPECT_EQ(limits[0]->children[0]->kind, LogicalOpKind::kSort);
  EXPECT_EQ(b.plan->output.size(), 1u);
}

TEST_F(PlannerTest, LimitIsNotPushedBelowARemainingFilter) {
  auto planned = Plan("SELECT name FROM customers WHERE name LIKE 'x%' LIMIT 4");
  EXPECT_EQ(Fake(FindScan(planned.plan, "customers")).limit, -1);
}

TEST_F(PlannerTest, ColumnNotFoundSuggestsNearestName) {
  std::string sql = "SELECT custmer_id FROM customers";
  Error e = PlanError(sql);
  EXPECT_EQ(e.kind(), ErrorKind::kBinder);
  EXPECT_STREQ(e.what(), "column 'custmer_id' not found; did you mean 'customer_id'?");
  EXPECT_EQ(e.position(), 7);
}

TEST_F(PlannerTest, TableNotFoundSuggestsNearestName) {
  Error e = PlanError("SELECT * FROM custommers");
  EXPECT_EQ(e.kind(), ErrorKind::kCatalog);
  EXPECT_NE(std::string(e.what()).find("table 'custommers' not found in catalog 'shop'"),
            std::string::npos)
      << e.what();
  EXPECT_NE(std::string(e.what()).find("did you mean 'customers'?"), std::string::npos) << e.what();
  EXPECT_EQ(e.position(), 14);
  Error c = PlanError("SELECT * FROM shopp.main.customers");
  EXPECT_NE(std::string(c.what()).find("did you mean 'shop'"), std::string::npos) << c.what();
}

TEST_F(PlannerTest, AmbiguousColumnIsAnError) {
  Error e = PlanError(
      "SELECT customer_id FROM customers c JOIN orders o ON c.customer_id = o.customer_id");
  EXPECT_EQ(e.kind(), ErrorKind::kBinder);
  EXPECT_NE(std::string(e.what()).find("ambiguous"), std::string::npos) << e.what();
}

TEST_F(PlannerTest, UsingColumnIsNotAmbiguous) {
  auto planned =
      Plan("SELECT customer_id, name, amount FROM customers JOIN orders USING (customer_id)");
  EXPECT_EQ(planned.plan->output.size(), 3u);
  auto star = Plan("SELECT * FROM customers JOIN orders USING (customer_id)");
  // customer_id once, then the other 2 + 4 columns.
  EXPECT_EQ(star.plan->output.size(), 7u);
  EXPECT_EQ(star.plan->output[0].name, "customer_id");
  auto qualified =
      Plan("SELECT c.*, o.order_id FROM customers c JOIN orders o USING (customer_id)");
  ASSERT_EQ(qualified.plan->output.size(), 4u);
  EXPECT_EQ(qualified.plan->output[0].name, "customer_id");
}

TEST_F(PlannerTest, AggregateWithGroupByOrdinalAliasAndHaving) {
  auto planned = Plan(
      "SELECT status AS s, count(*) AS n, sum(amount) FROM orders GROUP BY 1 HAVING count(*) > 10 "
      "ORDER BY n DESC");
  auto aggs = Find(planned.plan, LogicalOpKind::kAggregate);
  ASSERT_EQ(aggs.size(), 1u);
  auto* agg = static_cast<LogicalAggregate*>(aggs[0]);
  EXPECT_EQ(agg->groups.size(), 1u);
  EXPECT_EQ(agg->aggregates.size(), 2u);  // count(*) shared by SELECT and HAVING
  EXPECT_EQ(planned.plan->output[1].type, kBig);
  EXPECT_EQ(Fake(FindScan(planned.plan, "orders")).projection, (std::vector<int>{2, 3}));
  auto b = Plan("SELECT status AS s, count(*) FROM orders GROUP BY s");
  EXPECT_EQ(
      static_cast<LogicalAggregate*>(Find(b.plan, LogicalOpKind::kAggregate)[0])->groups.size(),
      1u);
}

TEST_F(PlannerTest, AggregationPushedIntoScanWhenAccepted) {
  shop->accept_aggregation = true;
  auto planned = Plan(
      "SELECT status, count(*), count(customer_id), count(DISTINCT customer_id), sum(amount), "
      "min(order_date), max(status) FROM orders WHERE status = 'open' GROUP BY status");
  EXPECT_TRUE(Find(planned.plan, LogicalOpKind::kAggregate).empty()) << PlanToString(*planned.plan);
  auto* scan = FindScan(planned.plan, "orders");
  ASSERT_NE(scan, nullptr);
  auto& fake = Fake(scan);
  ASSERT_TRUE(fake.aggregated);
  EXPECT_EQ(fake.aggregation.group_columns, (std::vector<int>{3}));
  ASSERT_EQ(fake.aggregation.calls.size(), 6u);
  EXPECT_EQ(fake.aggregation.calls[0].function, "count");
  EXPECT_EQ(fake.aggregation.calls[0].column, -1);
  EXPECT_EQ(fake.aggregation.calls[1].function, "count");
  EXPECT_EQ(fake.aggregation.calls[1].column, 1);
  EXPECT_FALSE(fake.aggregation.calls[1].distinct);
  EXPECT_TRUE(fake.aggregation.calls[2].distinct);
  EXPECT_EQ(fake.aggregation.calls[3].function, "sum");
  EXPECT_EQ(fake.aggregation.calls[3].column, 2);
  EXPECT_EQ(fake.aggregation.calls[4].function, "min");
  EXPECT_EQ(fake.aggregation.calls[4].column, 4);
  EXPECT_EQ(fake.aggregation.calls[5].function, "max");
  // Result types are the engine's aggregate types, and the plan output keeps them.
  EXPECT_EQ(fake.aggregation.calls[0].result_type, kBig);
  EXPECT_EQ(fake.aggregation.calls[3].result_type, kDbl);
  EXPECT_EQ(fake.aggregation.calls[4].result_type, kDate);
  const auto& out = planned.plan->output;
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0].type, kStr);
  EXPECT_EQ(out[1].type, kBig);
  EXPECT_EQ(out[4].type, kDbl);
  EXPECT_EQ(out[5].type, kDate);
  EXPECT_EQ(out[6].type, kStr);
  std::string text = PlanToString(*planned.plan);
  EXPECT_NE(text.find("GROUP BY status"), std::string::npos) << text;
  EXPECT_NE(text.find("where status = "), std::string::npos) << text;
}

TEST_F(PlannerTest, AggregationThroughColumnProjectionAndReorderedOutput) {
  shop->accept_aggregation = true;
  auto planned = Plan(
      "SELECT max(c), k FROM (SELECT city AS k, customer_id AS c FROM customers) t GROUP BY k");
  EXPECT_TRUE(Find(planned.plan, LogicalOpKind::kAggregate).empty()) << PlanToString(*planned.plan);
  auto& fake = Fake(FindScan(planned.plan, "customers"));
  ASSERT_TRUE(fake.aggregated);
  EXPECT_EQ(fake.aggregation.group_columns, (std::vector<int>{2}));
  ASSERT_EQ(fake.aggregation.calls.size(), 1u);
  EXPECT_EQ(fake.aggregation.calls[0].column, 0);
  EXPECT_EQ(fake.aggregation.calls[0].result_type, kInt);
  ASSERT_EQ(planned.plan->output.size(), 2u);
  EXPECT_EQ(planned.plan->output[0].type, kInt);
  EXPECT_EQ(planned.plan->output[1].type, kStr);
}

TEST_F(PlannerTest, AggregationNotOfferedWhenItCannotBeExact) {
  shop->accept_aggregation = true;
  // A refused filter stays between the aggregate and the scan.
  auto refused = Plan("SELECT city, count(*) FROM customers WHERE name LIKE 'a%' GROUP BY city");
  EXPECT_EQ(Fake(FindScan(refused.plan, "customers")).aggregation_offers, 0);
  EXPECT_EQ(Find(refused.plan, LogicalOpKind::kAggregate).size(), 1u);
  // Expressions as groups or arguments.
  auto expr_group = Plan("SELECT upper(city), count(*) FROM customers GROUP BY upper(city)");
  EXPECT_EQ(Fake(FindScan(expr_group.plan, "customers")).aggregation_offers, 0);
  auto expr_arg = Plan("SELECT city, sum(customer_id + 1) FROM customers GROUP BY city");
  EXPECT_EQ(Fake(FindScan(expr_arg.plan, "customers")).aggregation_offers, 0);
  // Other functions and DISTINCT other than count.
  auto other_fn = Plan("SELECT city, arbitrary(name) FROM customers GROUP BY city");
  EXPECT_EQ(Fake(FindScan(other_fn.plan, "customers")).aggregation_offers, 0);
  auto sum_distinct = Plan("SELECT sum(DISTINCT customer_id) FROM customers");
  EXPECT_EQ(Fake(FindScan(sum_distinct.plan, "customers")).aggregation_offers, 0);
  // Over a join.
  auto join = Plan(
      "SELECT c.city, count(*) FROM customers c JOIN orders o ON c.customer_id = o.customer_id "
      "GROUP BY c.city");
  EXPECT_EQ(Fake(FindScan(join.plan, "customers")).aggregation_offers, 0);
  EXPECT_EQ(Find(join.plan, LogicalOpKind::kAggregate).size(), 1u);
}

TEST_F(PlannerTest, RefusedAggregationLeavesThePlanUnchanged) {
  shop->accept_aggregation = true;
  auto planned = Plan("SELECT city, avg(customer_id) FROM customers GROUP BY city");
  auto& fake = Fake(FindScan(planned.plan, "customers"));
  EXPECT_EQ(fake.aggregation_offers, 1);
  EXPECT_FALSE(fake.aggregated);
  EXPECT_EQ(Find(planned.plan, LogicalOpKind::kAggregate).size(), 1u);
  EXPECT_EQ(planned.plan->output[1].type, kDbl);
  // Not accepting at all.
  shop->accept_aggregation = false;
  auto refused = Plan("SELECT city, count(*) FROM customers GROUP BY city");
  EXPECT_EQ(Fake(FindScan(refused.plan, "customers")).aggregation_offers, 1);
  EXPECT_EQ(Find(refused.plan, LogicalOpKind::kAggregate).size(), 1u);
}

TEST_F(PlannerTest, AggregationPushdownDisabledOffersNothing) {
  shop->accept_aggregation = true;
  auto planned = Plan("SELECT city, count(*) FROM customers GROUP BY city", /*pushdown=*/false);
  EXPECT_EQ(Fake(FindScan(planned.plan, "customers")).aggregation_offers, 0);
  EXPECT_EQ(Find(planned.plan, LogicalOpKind::kAggregate).size(), 1u);
}

TEST_F(PlannerTest, NonGroupedColumnIsAnError) {
  Error e = PlanError("SELECT status, amount, count(*) FROM orders GROUP BY status");
  EXPECT_NE(std::string(e.what()).find("'amount' must appear in the GROUP BY"), std::string::npos)
      << e.what();
  Error w = PlanError("SELECT status FROM orders WHERE count(*) > 1");
  EXPECT_NE(std::string(w.what()).find("not allowed in WHERE"), std::string::npos) << w.what();
}

TEST_F(PlannerTest, OrderByExpressionOverSelectAlias) {
  auto a = Plan(
      "SELECT status, sum(amount) AS total FROM orders GROUP BY status ORDER BY total * -1, "
      "status");
  auto sorts = Find(a.plan, LogicalOpKind::kSort);
  ASSERT_EQ(sorts.size(), 1u);
  EXPECT_EQ(static_cast<LogicalSort*>(sorts[0])->keys.size(), 2u);
  EXPECT_EQ(a.plan->output.size(), 2u);
  auto b = Plan("SELECT customer_id AS id, name FROM customers ORDER BY id + 1");
  EXPECT_EQ(b.plan->output.size(), 2u);
}

TEST_F(PlannerTest, OrderByHiddenColumnIsProjectedAway) {
  auto planned = Plan("SELECT name FROM customers ORDER BY city");
  ASSERT_EQ(planned.plan->output.size(), 1u);
  EXPECT_EQ(planned.plan->output[0].name, "name");
  auto sorts = Find(planned.plan, LogicalOpKind::kSort);
  ASSERT_EQ(sorts.size(), 1u);
  EXPECT_EQ(sorts[0]->output.size(), 2u);
}

TEST_F(PlannerTest, InSubqueryBecomesSemiJoinAndNotInNullAwareAnti) {
  auto a = Plan(
      "SELECT name FROM customers WHERE customer_id IN (SELECT customer_id FROM orders WHERE "
      "amount > 10)");
  auto* semi = static_cast<LogicalJoin*>(Find(a.plan, LogicalOpKind::kJoin)[0]);
  EXPECT_EQ(semi->join_type, JoinType::kSemi);
  EXPECT_EQ(semi->left_keys.size(), 1u);
  EXPECT_EQ(a.plan->output.size(), 1u);
  auto b =
      Plan("SELECT name FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders)");
  auto* anti = static_cast<LogicalJoin*>(Find(b.plan, LogicalOpKind::kJoin)[0]);
  EXPECT_EQ(anti->join_type, JoinType::kAnti);
  EXPECT_TRUE(anti->null_aware);
  // A filter on the NOT IN operand is not copied into the subquery (its NULLs matter).
  auto c = Plan(
      "SELECT name FROM customers WHERE customer_id < 5 AND customer_id NOT IN (SELECT customer_id "
      "FROM orders)");
  EXPECT_TRUE(Fake(FindScan(c.plan, "orders")).accepted.empty());
  auto d = Plan(
      "SELECT name FROM customers WHERE customer_id < 5 AND customer_id IN (SELECT customer_id "
      "FROM orders)");
  EXPECT_EQ(Fake(FindScan(d.plan, "orders")).accepted,
            (std::vector<std::string>{"customer_id < 5"}));
}

TEST_F(PlannerTest, CorrelatedExistsBecomesSemiJoinWithKeys) {
  auto a = Plan(
      "SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = "
      "c.customer_id AND o.amount > 50)");
  auto* semi = static_cast<LogicalJoin*>(Find(a.plan, LogicalOpKind::kJoin)[0]);
  EXPECT_EQ(semi->join_type, JoinType::kSemi);
  ASSERT_EQ(semi->left_keys.size(), 1u);
  EXPECT_EQ(semi->condition, nullptr);
  ExpectAcceptedOne(Fake(FindScan(a.plan, "orders")).accepted, "amount > 50");
  auto outer_only = Plan(
      "SELECT name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = "
      "c.customer_id AND c.city = 'Rome')");
  EXPECT_EQ(Fake(FindScan(outer_only.plan, "customers")).accepted,
            (std::vector<std::string>{"city = 'Rome'"}));
  auto anti_outer = Plan(
      "SELECT name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = "
      "c.customer_id AND c.city = 'Rome')");
  EXPECT_TRUE(Fake(FindScan(anti_outer.plan, "customers")).accepted.empty());
  auto b = Plan(
      "SELECT name FROM customers c WHERE NOT EXISTS (SELECT * FROM orders o WHERE o.customer_id = "
      "c.customer_id)");
  EXPECT_EQ(static_cast<LogicalJoin*>(Find(b.plan, LogicalOpKind::kJoin)[0])->join_type,
            JoinType::kAnti);
}

TEST_F(PlannerTest, CorrelatedInSubqueryBecomesSemiJoin) {
  auto a = Plan(
      "SELECT name FROM customers c WHERE city IN (SELECT status FROM orders o WHERE o.customer_id "
      "= c.customer_id AND o.amount > 1)");
  auto* semi = static_cast<LogicalJoin*>(Find(a.plan, LogicalOpKind::kJoin)[0]);
  EXPECT_EQ(semi->join_type, JoinType::kSemi);
  EXPECT_EQ(semi->left_keys.size(), 2u) << PlanToString(*a.plan);
  ExpectAcceptedOne(Fake(FindScan(a.plan, "orders")).accepted, "amount > 1");
  // NOT IN correlated: unnested (three-valued per outer row), no null-aware anti join.
  auto b = Plan(
      "SELECT name FROM customers c WHERE city NOT IN (SELECT status FROM orders o WHERE "
      "o.customer_id = c.customer_id)");
  for (auto* j : Find(b.plan, LogicalOpKind::kJoin)) {
    EXPECT_NE(static_cast<LogicalJoin*>(j)->join_type, JoinType::kAnti) << PlanToString(*b.plan);
  }
  EXPECT_EQ(b.plan->output.size(), 1u);
}

TEST_F(PlannerTest, ScalarSubqueryJoinsASingleRow) {
  auto a = Plan("SELECT order_id FROM orders WHERE amount > (SELECT avg(amount) FROM orders)");
  auto joins = Find(a.plan, LogicalOpKind::kJoin);
  ASSERT_EQ(joins.size(), 1u);
  EXPECT_EQ(a.plan->output.size(), 1u);
}

TEST_F(PlannerTest, CorrelatedScalarSubqueryIsDecorrelated) {
  auto a = Plan(
      "SELECT name, (SELECT count(*) FROM orders o WHERE o.customer_id = c.customer_id) AS n FROM "
      "customers c");
  std::string text = PlanToString(*a.plan);
  auto joins = Find(a.plan, LogicalOpKind::kJoin);
  ASSERT_EQ(joins.size(), 1u) << text;
  auto* join = static_cast<LogicalJoin*>(joins[0]);
  EXPECT_TRUE(join->join_type == JoinType::kLeft || join->join_type == JoinType::kRight) << text;
  EXPECT_EQ(join->left_keys.size(), 1u) << text;
  auto aggs = Find(a.plan, LogicalOpKind::kAggregate);
  ASSERT_EQ(aggs.size(), 1u) << text;
  EXPECT_EQ(static_cast<LogicalAggregate*>(aggs[0])->groups.size(), 1u);
  // count() of a missing group is 0, not NULL.
  EXPECT_NE(text.find("coalesce("), std::string::npos) << text;
  ASSERT_EQ(a.plan->output.size(), 2u);
  auto b = Plan(
      "SELECT name, (SELECT count(*) FROM orders a WHERE a.customer_id = b.customer_id) FROM "
      "customers b");
  EXPECT_EQ(b.plan->output.size(), 2u);
  // A non-equality correlation: unnested over the domain of c.customer_id, joined back on it
  // (NULL-safe keys: coalesce and IS NULL), grouped by it.
  auto c = Plan(
      "SELECT (SELECT count(*) FROM orders o WHERE o.amount > c.customer_id) FROM customers c");
  std::string unnested = PlanToString(*c.plan);
  bool keyed = false;
  for (auto* j : Find(c.plan, LogicalOpKind::kJoin)) {
    auto* join = static_cast<LogicalJoin*>(j);
    if (join->join_type == JoinType::kLeft && join->left_keys.size() == 2) keyed = true;
  }
  EXPECT_TRUE(keyed) << unnested;
  bool grouped = false;
  for (auto* a : Find(c.plan, LogicalOpKind::kAggregate)) {
    if (!static_cast<LogicalAggregate*>(a)->aggregates.empty() &&
        static_cast<LogicalAggregate*>(a)->groups.size() == 1)
      grouped = true;
  }
  EXPECT_TRUE(grouped) << unnested;
  EXPECT_EQ(c.plan->output.size(), 1u);
}

TEST_F(PlannerTest, InSubqueryAsValue) {
  auto a = Plan(
      "SELECT name, customer_id IN (SELECT customer_id FROM orders) AS has_orders FROM customers");
  ASSERT_EQ(a.plan->output.size(), 2u);
  EXPECT_EQ(a.plan->output[1].type, LogicalType(TypeId::kBoolean));
  EXPECT_EQ(Find(a.plan, LogicalOpKind::kJoin).size(), 2u);
}

TEST_F(PlannerTest, TableNotFoundSuggestsViews) {
  catalogs.PutView({"people", "SELECT name FROM customers"});
  Error e = PlanError("SELECT * FROM peopel");
  EXPECT_NE(std::string(e.what()).find("did you mean 'people'?"), std::string::npos) << e.what();
}

TEST_F(PlannerTest, CteViewAndSetOperation) {
  auto a = Plan("WITH big AS (SELECT * FROM orders WHERE amount > 1000) SELECT count(*) FROM big");
  ExpectAcceptedOne(Fake(FindScan(a.plan, "orders")).accepted, "amount > 1000");
  catalogs.PutView({"paris", "SELECT name FROM customers WHERE city = 'Paris'"});
  auto v = Plan("SELECT upper(name) FROM paris");
  EXPECT_EQ(Fake(FindScan(v.plan, "customers")).accepted,
            (std::vector<std::string>{"city = 'Paris'"}));
  auto u = Plan("SELECT customer_id FROM customers UNION SELECT order_id FROM orders");
  ASSERT_EQ(u.plan->output.size(), 1u);
  EXPECT_EQ(u.plan->output[0].type, kBig);  // INTEGER and BIGINT unify to BIGINT
  Error e = PlanError("SELECT name, city FROM customers UNION SELECT order_id FROM orders");
  EXPECT_NE(std::string(e.what()).find("column counts"), std::string::npos);
}

TEST_F(PlannerTest, ConstantFoldingOnAHandBuiltPlan) {
  // Rules work on plans built without the parser: Filter(1 + 1 = 2 AND col > 2 + 3) over VALUES.
  auto values = std::make_shared<LogicalValues>();
  values->rows = {{MakeConstant(Value::Integer(7))}};
  values->output = {{"x", kInt}};
  auto filter = std::make_shared<LogicalFilter>();
  std::vector<LogicalType> coerced;
  auto add = FunctionRegistry::Get().BindScalar("add", {kInt, kInt}, &coerced);
  ASSERT_NE(add, nullptr);
  filter->predicate = MakeAnd(
      {MakeComparison(
           CompareOp::kEq,
           MakeFunction(add, {MakeConstant(Value::Integer(1)), MakeConstant(Value::Integer(1))}),
           MakeConstant(Value::Integer(2))),
       MakeComparison(
           CompareOp::kGt, MakeColumnRef(0, kInt, "x"),
           MakeFunction(add, {MakeConstant(Value::Integer(2)), MakeConstant(Value::Integer(3))}))});
  filter->output = values->output;
  filter->children = {values};
  LogicalPtr folded = FoldConstants(filter);
  ASSERT_EQ(folded->kind, LogicalOpKind::kFilter);
  EXPECT_EQ(static_cast<LogicalFilter&>(*folded).predicate->ToString(), "x > 5");
  // WHERE 1 = 2 never reads its input.
  auto a = Plan("SELECT name FROM customers WHERE 1 = 2");
  EXPECT_EQ(FindScan(a.plan, "customers"), nullptr) << PlanToString(*a.plan);
  EXPECT_EQ(a.plan->output.size(), 1u);
}

TEST_F(PlannerTest, NullRejectionAnalysis) {
  std::vector<bool> right = {false, true};
  auto l = MakeColumnRef(0, kInt, "l");
  auto r = MakeColumnRef(1, kInt, "r");
  auto is_null = std::make_shared<Expr>();
  is_null->kind = ExprKind::kIsNull;
  is_null->type = LogicalType(TypeId::kBoolean);
  is_null->children = {r};
  EXPECT_TRUE(
      IsNullRejecting(*MakeComparison(CompareOp::kGt, r, MakeConstant(Value::Integer(1))), right));
  EXPECT_FALSE(
      IsNullRejecting(*MakeComparison(CompareOp::kGt, l, MakeConstant(Value::Integer(1))), right));
  EXPECT_FALSE(IsNullRejecting(*is_null, right));
  EXPECT_FALSE(IsNullRejecting(*MakeComparison(CompareOp::kIsDistinctFrom, r, l), right));
  EXPECT_FALSE(IsNullRejecting(*MakeOr({MakeComparison(CompareOp::kEq, r, l), is_null}), right));
  EXPECT_TRUE(IsNullRejecting(*MakeAnd({MakeComparison(CompareOp::kEq, r, l), is_null}), right));
}

TEST_F(PlannerTest, UnionAllInputsReadOnlyUsedColumns) {
  auto a = Plan(
      "SELECT name FROM (SELECT name, city FROM customers UNION ALL SELECT status, status FROM "
      "orders) t");
  EXPECT_EQ(Fake(FindScan(a.plan, "customers")).projection, (std::vector<int>{1}));
  EXPECT_EQ(Fake(FindScan(a.plan, "orders")).projection, (std::vector<int>{3}));
  auto b = Plan(
      "SELECT count(*) FROM (SELECT name, city FROM customers UNION ALL SELECT status, status FROM "
      "orders) t");
  EXPECT_EQ(Fake(FindScan(b.plan, "customers")).projection.size(), 1u);
  // UNION (distinct) needs every column.
  auto c = Plan(
      "SELECT name FROM (SELECT name, city FROM customers UNION SELECT status, status FROM orders) "
      "t");
  EXPECT_EQ(Fake(FindScan(c.plan, "customers")).projection, (std::vector<int>{1, 2}));
}

TEST_F(PlannerTest, StringLiteralComparedWithDateIsCoerced) {
  auto a = Plan("SELECT order_id FROM orders WHERE order_date >= '2024-01-01'");
  auto* scan = FindScan(a.plan, "orders");
  ASSERT_EQ(Fake(scan).offered.size(), 1u);
  // The literal was coerced to DATE (and folded when the executor is linked in).
  ASSERT_EQ(scan->pushed_filters.size(), 1u);
  EXPECT_EQ(scan->pushed_filters[0]->children[1]->type, kDate);
  EXPECT_NE(Fake(scan).offered[0].find("2024-01-01"), std::string::npos) << Fake(scan).offered[0];
  Error e = PlanError("SELECT * FROM orders WHERE amount = status");
  EXPECT_EQ(e.kind(), ErrorKind::kBinder);
}

TEST_F(PlannerTest, InsertCastsToTargetTypes) {
  auto a = Plan("INSERT INTO sales.regions (region) VALUES ('north')");
  ASSERT_EQ(a.plan->kind, LogicalOpKind::kInsert);
  auto* insert = static_cast<LogicalInsert*>(a.plan.get());
  EXPECT_EQ(insert->table, "regions");
  EXPECT_FALSE(insert->create_table);
  ASSERT_EQ(insert->children[0]->output.size(), 2u);
  EXPECT_EQ(insert->children[0]->output[0].type, kInt);
  EXPECT_EQ(insert->children[0]->output[1].type, kStr);
  auto b =
      Plan("INSERT INTO orders (order_id, amount) SELECT customer_id, customer_id FROM customers");
  EXPECT_EQ(b.plan->children[0]->output[2].type, kDbl);
  Error e = PlanError("INSERT INTO sales.regionz VALUES (1, 'x')");
  EXPECT_NE(std::string(e.what()).find("did you mean 'regions'"), std::string::npos) << e.what();
  Error c = PlanError("INSERT INTO sales.regions (regoin) VALUES ('x')");
  EXPECT_NE(std::string(c.what()).find("did you mean 'region'"), std::string::npos) << c.what();
  auto ctas =
      Plan("CREATE TABLE shop.main.paris AS SELECT name, customer_id * 2 AS twice FROM customers");
  auto* create = static_cast<LogicalInsert*>(ctas.plan.get());
  EXPECT_TRUE(create->create_table);
  ASSERT_EQ(create->columns.size(), 2u);
  EXPECT_EQ(create->columns[1].name, "twice");
  EXPECT_EQ(create->columns[1].type, kInt);
}

TEST_F(PlannerTest, CountStarReadsOneColumn) {
  auto a = Plan("SELECT count(*) FROM orders");
  EXPECT_EQ(Fake(FindScan(a.plan, "orders")).projection.size(), 1u);
  EXPECT_EQ(a.plan->estimated_rows, 1);
}

TEST_F(PlannerTest, WindowFunction) {
  auto a =
      Plan("SELECT name, row_number() OVER (PARTITION BY city ORDER BY name) AS rn FROM customers");
  auto windows = Find(a.plan, LogicalOpKind::kWindow);
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(a.plan->output[1].name, "rn");
  EXPECT_EQ(a.plan->output[1].type, kBig);
  // A filter on the partition key runs before the window; one on its result cannot.
  auto b = Plan(
      "SELECT * FROM (SELECT city, name, row_number() OVER (PARTITION BY city ORDER BY name) AS rn "
      "FROM customers) t "
      "WHERE city = 'Oslo' AND rn = 1");
  EXPECT_EQ(Fake(FindScan(b.plan, "customers")).accepted,
            (std::vector<std::string>{"city = 'Oslo'"}));
  auto filters = Find(b.plan, LogicalOpKind::kFilter);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters[0]->children[0]->kind, LogicalOpKind::kWindow);
}

TEST_F(PlannerTest, ExplainShowsEstimatesAndTree) {
  std::string text = Explain(
      "SELECT o.order_id, c.name FROM lake.events e JOIN orders o ON e.customer_id = o.customer_id "
      "LEFT JOIN customers c ON o.customer_id = c.customer_id ORDER BY o.order_id LIMIT 10");
  EXPECT_NE(text.find("TopN 10 [order_id]"), std::string::npos) << text;
  // The LEFT join builds on its small (top-N) side: it is flipped into a RIGHT join.
  EXPECT_NE(text.find("Join RIGHT ON c.customer_id = o.customer_id"), std::string::npos) << text;
  EXPECT_EQ(text.find("Project [order_id, name]  (est. 10 rows)\n      Project [order_id, name]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Scan lake.main.events"), std::string::npos) << text;
  EXPECT_NE(text.find("(est. "), std::string::npos) << text;
}

// Odd but parseable input: planning either succeeds or throws aishell::Error, never crashes.
TEST_F(PlannerTest, BadInputNeverCrashes) {
  const char* queries[] = {
      "SELECT * FROM customers c JOIN customers c ON c.customer_id = c.customer_id",
      "SELECT sum(count(*)) FROM orders",
      "SELECT row_number() OVER () FROM orders GROUP BY row_number() OVER ()",
      "SELECT * FROM orders WHERE row_number() OVER () > 1",
      "SELECT customer_id FROM customers GROUP BY 0",
      "SELECT customer_id FROM customers ORDER BY 5",
      "SELECT 1 UNION SELECT 'a'",
      "SELECT x.* FROM customers",
      "SELECT * FROM customers WHERE name",
      "SELECT * FROM customers WHERE customer_id IN (SELECT customer_id, name FROM customers)",
      "SELECT (SELECT customer_id, name FROM customers)",
      "SELECT CAST(name AS nosuchtype) FROM customers",
      "SELECT nosuchfn(name) FROM customers",
      "SELECT * FROM nosuch.catalog.table.name",
      "SELECT * FROM read_nothing('x')",
      "WITH a AS (SELECT * FROM a) SELECT * FROM a",
      "SELECT DISTINCT name FROM customers ORDER BY city",
      "INSERT INTO customers SELECT 1",
      "INSERT INTO customers (customer_id, customer_id) VALUES (1, 2)",
      "CREATE TABLE customers AS SELECT 1",
      "SELECT * FROM customers c LEFT JOIN orders o USING (nosuch)",
      "SELECT name FROM customers HAVING count(*) > 1",
      "SELECT count(*) FILTER (WHERE name) FROM customers",
      "SELECT lag(name, 1, 2, 3) OVER () FROM customers",
      "SELECT * FROM customers LIMIT 0",
      "VALUES (1, 'a'), (2)",
      "SELECT customer_id + name FROM customers",
      "SELECT name FROM customers WHERE EXISTS (SELECT * FROM orders o WHERE o.customer_id > "
      "customers.customer_id)",
  };
  catalogs.PutView({"loop", "SELECT * FROM loop"});
  for (const char* sql : queries) {
    try {
      Plan(sql);
    } catch (const Error&) {
    }
  }
  Error e = PlanError("SELECT * FROM loop");
  EXPECT_NE(std::string(e.what()).find("loop"), std::string::npos) << e.what();
}

class Customer360Test : public PlannerTest {
 protected:
  void SetUp() override {
    PlannerTest::SetUp();
    iceberg = std::make_shared<FakeConnector>();
    iceberg->accept_order = false;
    iceberg->Add("demo", "transactions",
                 {{"transaction_id", kBig},
                  {"customer_id", kInt},
                  {"product_id", kInt},
                  {"quantity", kInt},
                  {"transaction_date", kDate}},
                 1000000);
    iceberg->Add("demo", "products",
                 {{"product_id", kInt},
                  {"product_name", kStr},
                  {"category", kStr},
                  {"unit_price", LogicalType::Decimal(10, 2)}},
                 500);
    catalogs.AddCatalog("iceberg", iceberg);
    pg = std::make_shared<FakeConnector>();
    pg->Add("public", "customers",
            {{"customer_id", kInt}, {"customer_name", kStr}, {"email", kStr}, {"region", kStr}},
            10000);
    catalogs.AddCatalog("postgresql", pg);
  }
  std::shared_ptr<FakeConnector> iceberg, pg;
};

TEST_F(Customer360Test, ThreeWayLeftJoinTopN) {
  auto planned = Plan(R"(
    SELECT t.transaction_id, c.customer_name, c.email, c.region, p.product_name, p.category, t.quantity,
           t.transaction_date, t.quantity * p.unit_price AS calculated_amount
    FROM iceberg.demo.transactions t
    LEFT JOIN postgresql.public.customers c ON t.customer_id = c.customer_id
    LEFT JOIN iceberg.demo.products p ON t.product_id = p.product_id
    ORDER BY t.transaction_date DESC
    LIMIT 100)");
  std::string text = PlanToString(*planned.plan);
  if (std::getenv("PLANNER_TEST_PRINT")) std::cout << text;
  ASSERT_EQ(planned.plan->output.size(), 9u);
  EXPECT_EQ(planned.plan->output[8].name, "calculated_amount");
  auto joins = Find(planned.plan, LogicalOpKind::kJoin);
  ASSERT_EQ(joins.size(), 2u) << text;
  for (auto* j : joins) EXPECT_EQ(static_cast<LogicalJoin*>(j)->left_keys.size(), 1u) << text;
  // The top-N is copied below the outer joins onto the transactions side.
  auto* scan = FindScan(planned.plan, "transactions");
  bool below_topn = false;
  for (auto* l : Find(planned.plan, LogicalOpKind::kLimit)) {
    if (l->children[0]->kind == LogicalOpKind::kSort && l->children[0]->children[0].get() == scan)
      below_topn = true;
  }
  EXPECT_TRUE(below_topn) << text;
  // Each scan reads only the columns the query uses.
  EXPECT_EQ(Fake(scan).projection, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(Fake(FindScan(planned.plan, "customers")).projection, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(Fake(FindScan(planned.plan, "products")).projection, (std::vector<int>{0, 1, 2, 3}));
  ASSERT_EQ(planned.sources.size(), 2u);
  EXPECT_EQ(planned.sources[0], "iceberg (fake)");
  EXPECT_EQ(planned.sources[1], "postgresql (fake)");
  EXPECT_LE(planned.plan->estimated_rows, 100);
}

TEST_F(Customer360Test, RegionalAggregateOverInnerJoins) {
  auto planned = Plan(R"(
    SELECT c.region, COUNT(*) AS total_transactions, SUM(t.quantity * p.unit_price) AS total_revenue,
           COUNT(DISTINCT c.customer_id) AS unique_customers
    FROM iceberg.demo.transactions t
    JOIN postgresql.public.customers c ON t.customer_id = c.customer_id
    JOIN iceberg.demo.products p ON t.product_id = p.product_id
    WHERE t.transaction_date >= DATE '2024-01-01'
    GROUP BY c.region
    ORDER BY total_revenue DESC)");
  std::string text = PlanToString(*planned.plan);
  if (std::getenv("PLANNER_TEST_PRINT")) std::cout << text;
  auto joins = Find(planned.plan, LogicalOpKind::kJoin);
  ASSERT_EQ(joins.size(), 2u) << text;
  for (auto* j : joins) {
    auto* join = static_cast<LogicalJoin*>(j);
    EXPECT_EQ(join->join_type, JoinType::kInner);
    // The build (right) side is never the big transactions input.
    EXPECT_LE(join->children[1]->estimated_rows, join->children[0]->estimated_rows) << text;
  }
  EXPECT_EQ(Fake(FindScan(planned.plan, "transactions")).accepted.size(), 1u) << text;
  EXPECT_EQ(Fake(FindScan(planned.plan, "customers")).projection, (std::vector<int>{0, 3}));
}

TEST_F(PlannerTest, RowColumnsUsedOnlyThroughFieldsAreOfferedAsFieldProjections) {
  LogicalType addr = LogicalType::Row({"zip", "street"}, {kInt, kStr});
  LogicalType row = LogicalType::Row({"city", "addr"}, {kStr, addr});
  shop->Add("main", "people", {{"id", kInt}, {"r", row}}, 100);
  using Fields = std::map<int, std::vector<std::vector<int>>>;
  auto fields = [&](const std::string& sql) {
    auto planned = Plan(sql);
    auto* scan = FindScan(planned.plan, "people");
    EXPECT_NE(scan, nullptr) << sql;
    return scan ? Fake(scan).fields : Fields{};
  };
  EXPECT_EQ(fields("SELECT r.city FROM people WHERE r.addr.zip > 5"), (Fields{{1, {{0}, {1, 0}}}}));
  // Through a derived table that takes a field first, and a GROUP BY.
  EXPECT_EQ(fields("SELECT a.zip FROM (SELECT r.addr AS a FROM people)"), (Fields{{1, {{1, 0}}}}));
  EXPECT_EQ(fields("SELECT r.city, count(*) FROM people GROUP BY r.city"), (Fields{{1, {{0}}}}));
  EXPECT_EQ(fields("SELECT p.r.city FROM people p JOIN customers c ON p.id = c.customer_id"),
            (Fields{{1, {{0}}}}));
  // Used whole somewhere: read whole.
  EXPECT_EQ(fields("SELECT r FROM people WHERE r.city = 'Paris'"), Fields{});
  EXPECT_EQ(fields("SELECT r.city FROM people ORDER BY r"), Fields{});
  EXPECT_EQ(fields("SELECT id FROM people"), Fields{});
}

}  // namespace
}  // namespace aishell
