// The query history of an $AISHELL_HOME: records round-trip, the file is 0600 and bounded,
// concurrent writers (processes) lose no line, secrets are never written, and the summary shows
// per-source bytes for a file source, cache hits, the slowest steps and the budgets.
#include "engine/query_history.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/engine.h"

namespace aishell {
namespace {

class QueryHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aishell_query_history_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static QueryHistoryRecord Record(const std::string& source, double seconds) {
    QueryHistoryRecord r;
    r.origin = "cli";
    r.state = "FINISHED";
    r.sql = "SELECT 1";
    r.seconds = seconds;
    r.max_memory = 1000;
    r.peak_memory = 250;
    r.sources.push_back({source, 10, 100});
    return r;
  }
  std::string dir_;
};

TEST_F(QueryHistoryTest, RoundTripsAndIsPrivate) {
  auto r = Record("lake (file)", 0.5);
  r.slowest_steps = {{"Read lake.orders", 0.4}};
  r.cache_hit = true;
  r.error = "";
  AppendQueryHistory(dir_, r);
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/query_history.jsonl").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = ReadQueryHistory(dir_);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].sources.at(0).name, "lake (file)");
  EXPECT_EQ(back[0].sources.at(0).bytes, 100);
  EXPECT_TRUE(back[0].cache_hit);
  EXPECT_EQ(back[0].slowest_steps.at(0).first, "Read lake.orders");
  EXPECT_EQ(QueryHistoryJson(back[0]), QueryHistoryJson(r));
}

TEST_F(QueryHistoryTest, RotatesAndStaysBounded) {
  for (int i = 0; i < 200; i++) AppendQueryHistory(dir_, Record("s", i), 4096);
  auto size = [&](const char* f) { return std::filesystem::file_size(dir_ + "/" + f); };
  EXPECT_LE(size("query_history.jsonl"), 4096u);
  EXPECT_LE(size("query_history.1.jsonl"), 4096u);
  auto back = ReadQueryHistory(dir_);
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back.back().seconds, 199);  // the newest is last
  EXPECT_EQ(ReadQueryHistory(dir_, 5).size(), 5u);
}

TEST_F(QueryHistoryTest, ConcurrentProcessesLoseNoLine) {
  constexpr int kProcesses = 4, kEach = 100;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; p++) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < kEach; i++) AppendQueryHistory(dir_, Record("p" + std::to_string(p), i));
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto back = ReadQueryHistory(dir_, 100000);
  EXPECT_EQ(back.size(), static_cast<size_t>(kProcesses * kEach));
}

TEST_F(QueryHistoryTest, NoSecretIsWritten) {
  EngineOptions options;
  auto r = QueryHistoryRecordOf(nullptr, options,
                                "SELECT * FROM postgres_scan('postgresql://u:hunter2@db/x', 't')",
                                0.1, "kConnector");
  AppendQueryHistory(dir_, r);
  std::ifstream in(dir_ + "/query_history.jsonl");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("FAILED"), std::string::npos);
}

TEST_F(QueryHistoryTest, FileSourceBytesCacheHitsAndBudgets) {
  std::filesystem::create_directories(dir_ + "/data");
  {
    std::ofstream out(dir_ + "/data/orders.csv");
    out << "id,amount\n";
    for (int i = 0; i < 5000; i++) out << i << "," << i * 3 << "\n";
  }
  std::filesystem::create_directories(dir_ + "/home");
  EngineOptions options;
  options.threads = 1;
  options.home_dir = dir_ + "/home";
  options.result_cache_ttl_ms = 60000;
  options.timeout_ms = 30000;
  Engine engine(options);
  engine.catalogs().AddCatalog(ConnectionConfig{"lake", "file", dir_ + "/data", {}});
  for (int run = 0; run < 2; run++) {  // the second run is a result-cache hit
    auto start = std::chrono::steady_clock::now();
    auto stream = engine.Query("SELECT sum(amount) FROM lake.orders");
    stream->Collect();
    EXPECT_EQ(stream->from_cache(), run == 1);
    RecordQueryHistory(engine, stream.get(), "SELECT sum(amount) FROM lake.orders", start, "");
  }
  auto records = ReadQueryHistory(options.home_dir);
  ASSERT_EQ(records.size(), 2u);
  ASSERT_EQ(records[0].sources.size(), 1u);
  EXPECT_EQ(records[0].sources[0].rows, 5000);
  EXPECT_GT(records[0].sources[0].bytes, 30000);  // the CSV file's bytes
  EXPECT_FALSE(records[0].slowest_steps.empty());
  EXPECT_GT(records[0].peak_memory, 0);
  EXPECT_TRUE(records[1].cache_hit);
  std::string text = QueryHistorySummary(records);
  EXPECT_NE(text.find("lake (file)"), std::string::npos) << text;
  EXPECT_NE(text.find("slowest steps:"), std::string::npos) << text;
  EXPECT_NE(text.find("federation.max_memory"), std::string::npos) << text;
  EXPECT_NE(text.find("federation.max_query_time     30.000s"), std::string::npos) << text;
  // The source line: 2 queries, 5000 rows, bytes, avg, slowest, 1 cache hit, 0 errors.
  auto line = text.substr(text.find("lake (file)"));
  line = line.substr(0, line.find('\n'));
  std::istringstream fields(line.substr(std::string("lake (file)").size()));
  int64_t queries, rows, bytes, cached, errors;
  double avg, slowest;
  fields >> queries >> rows >> bytes >> avg >> slowest >> cached >> errors;
  EXPECT_EQ(queries, 2);
  EXPECT_EQ(rows, 5000);
  EXPECT_EQ(cached, 1);
  EXPECT_EQ(errors, 0);
}

}  // namespace
}  // namespace aishell
