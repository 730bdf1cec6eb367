#include "engine/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/exception.h"
#include "shell/result_format.h"

namespace aishell {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aishell_engine_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/data");
    std::filesystem::create_directories(dir_ + "/home");
    std::ofstream(dir_ + "/data/users.csv")
        << "id,name,city\n1,alice,Paris\n2,bob,Berlin\n3,carol,Paris\n";
    std::ofstream(dir_ + "/data/orders.csv") << "order_id,user_id,total\n10,1,5\n11,1,7\n12,3,1\n";
    EngineOptions options;
    options.home_dir = dir_ + "/home";
    options.threads = 2;
    engine_ = std::make_unique<Engine>(options);
    engine_->catalogs().AddCatalog(ConnectionConfig{"files", "file", dir_ + "/data", {}});
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The result as CSV text, for compact comparisons.
  static std::string Csv(const QueryResult& r) {
    std::ostringstream out;
    WriteCsv(out, r.columns, r.batches);
    return out.str();
  }

  std::string dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, RunsQueriesAndReportsSources) {
  QueryResult r =
      engine_->Execute("SELECT name FROM files.users WHERE city = 'Paris' ORDER BY name;");
  EXPECT_EQ(Csv(r), "name\nalice\ncarol\n");
  EXPECT_EQ(r.row_count, 2);
  EXPECT_TRUE(r.has_rows);
  ASSERT_EQ(r.sources.size(), 1u);
  EXPECT_NE(r.sources[0].find("files"), std::string::npos);
  EXPECT_GE(r.elapsed_seconds, 0.0);
}

TEST_F(EngineTest, ShowAndDescribe) {
  EXPECT_EQ(Csv(engine_->Execute("SHOW CATALOGS")), "Catalog\nfiles\n");
  EXPECT_EQ(Csv(engine_->Execute("SHOW TABLES FROM files")), "Table\norders\nusers\n");
  EXPECT_EQ(Csv(engine_->Execute("SHOW TABLES FROM files LIKE 'us%'")), "Table\nusers\n");
  QueryResult d = engine_->Execute("DESCRIBE files.users");
  ASSERT_EQ(d.columns.size(), 4u);
  EXPECT_EQ(d.columns[0].name, "Column");
  EXPECT_EQ(d.row_count, 3);
  EXPECT_EQ(d.batches[0].columns[0].GetValue(1).GetString(), "name");
  EXPECT_EQ(d.batches[0].columns[1].GetValue(1).GetString(), "varchar");
  EXPECT_EQ(Csv(engine_->Execute("SHOW COLUMNS FROM files.users")), Csv(d));
}

TEST_F(EngineTest, ViewsArePlannedStoredAndPersisted) {
  QueryResult created = engine_->Execute(
      "CREATE VIEW spend AS SELECT user_id, sum(total) AS spent FROM files.orders GROUP BY "
      "user_id");
  EXPECT_FALSE(created.has_rows);
  EXPECT_EQ(created.message, "CREATE VIEW");
  EXPECT_EQ(Csv(engine_->Execute("SELECT spent FROM spend WHERE user_id = 1")), "spent\n12\n");
  EXPECT_THROW(engine_->Execute("CREATE VIEW spend AS SELECT 1"), Error);
  engine_->Execute("CREATE OR REPLACE VIEW spend AS SELECT 1 AS one");
  // A view over a missing table is refused and not stored.
  EXPECT_THROW(engine_->Execute("CREATE VIEW broken AS SELECT * FROM files.missing"), Error);
  EXPECT_EQ(engine_->catalogs().FindView("broken"), nullptr);

  // Persisted: a new engine over the same home sees the view.
  EngineOptions options;
  options.home_dir = dir_ + "/home";
  Engine other(options);
  other.LoadViews();
  ASSERT_NE(other.catalogs().FindView("spend"), nullptr);
  EXPECT_EQ(Csv(other.Execute("SELECT * FROM spend")), "one\n1\n");

  EXPECT_EQ(engine_->Execute("DROP VIEW spend").message, "DROP VIEW");
  EXPECT_THROW(engine_->Execute("DROP VIEW spend"), Error);
  EXPECT_NO_THROW(engine_->Execute("DROP VIEW IF EXISTS spend"));
  Engine reloaded(options);
  reloaded.LoadViews();
  EXPECT_EQ(reloaded.catalogs().FindView("spend"), nullptr);
}

TEST_F(EngineTest, SessionSettings) {
  engine_->Execute("SET SESSION pushdown = false");
  engine_->Execute("SET SESSION max_memory = '1GB'");
  engine_->Execute("SET SESSION threads = 3");
  EXPECT_FALSE(engine_->options().pushdown);
  EXPECT_EQ(engine_->options().max_memory, 1LL << 30);
  EXPECT_EQ(engine_->EffectiveThreads(), 3);
  EXPECT_EQ(engine_->Settings().at("max_memory"), "1GB");
  engine_->Execute("SET SESSION threads = 0");
  EXPECT_GE(engine_->EffectiveThreads(), 1);
  try {
    engine_->Execute("SET SESSION pushdwn = true");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pushdown"), std::string::npos) << e.what();
  }
  EXPECT_THROW(engine_->Execute("SET SESSION max_memory = 'lots'"), Error);
  // The query still runs without pushdown.
  EXPECT_EQ(Csv(engine_->Execute("SELECT count(*) AS n FROM files.users WHERE city = 'Paris'")),
            "n\n2\n");
}

TEST_F(EngineTest, UseSetsTheDefaultCatalog) {
  EXPECT_THROW(engine_->Execute("USE nosuch"), Error);
  EXPECT_EQ(engine_->Execute("USE files").message, "USE");
  EXPECT_EQ(engine_->catalogs().default_catalog, "files");
  EXPECT_EQ(Csv(engine_->Execute("SHOW TABLES LIKE 'o%'")), "Table\norders\n");
}

TEST_F(EngineTest, ExplainShowsThePlan) {
  std::string plan = engine_->Explain("SELECT name FROM files.users WHERE id > 1");
  EXPECT_NE(plan.find("users"), std::string::npos) << plan;
  QueryResult r = engine_->Execute("EXPLAIN SELECT name FROM files.users");
  ASSERT_EQ(r.columns.size(), 1u);
  EXPECT_EQ(r.columns[0].name, "Query Plan");
  EXPECT_GE(r.row_count, 1);
  std::string analyzed = engine_->Explain("SELECT count(*) FROM files.users", true);
  EXPECT_NE(analyzed.find("Rows: 1"), std::string::npos) << analyzed;
}

TEST_F(EngineTest, ErrorsCarryKindsAndPositions) {
  try {
    engine_->Execute("SELECT nme FROM files.users");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBinder);
    EXPECT_EQ(e.position(), 7);
  }
  try {
    engine_->Execute("SELEC 1");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kSyntax);
  }
  EXPECT_THROW(engine_->Execute("SHOW TABLES FROM nosuch"), Error);
  EXPECT_THROW(engine_->Execute("DESCRIBE files.nosuch"), Error);
}

TEST_F(EngineTest, ExecuteScriptRunsEveryStatement) {
  auto results = engine_->ExecuteScript("SELECT 1 AS a; SELECT 'x' AS b;");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(Csv(results[0]), "a\n1\n");
  EXPECT_EQ(Csv(results[1]), "b\nx\n");
}

}  // namespace
}  // namespace aishell
