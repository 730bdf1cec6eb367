// Progress reporting and cancellation through a source that produces batches slowly.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/exception.h"
#include "engine/engine.h"

namespace aishell {
namespace {

constexpr int kBatches = 12;
constexpr auto kBatchDelay = std::chrono::milliseconds(30);

class SlowSource : public DataSource {
 public:
  explicit SlowSource(ScanCounters& counters) : counters_(counters) {}
  bool Next(Batch& out) override {
    if (produced_ == kBatches) return false;
    std::this_thread::sleep_for(kBatchDelay);
    out = Batch(std::vector<LogicalType>{LogicalType(TypeId::kBigInt)}, 100);
    out.SetCount(100);
    auto* data = out.columns[0].Data<int64_t>();
    for (int i = 0; i < 100; i++) data[i] = produced_ * 100 + i;
    produced_++;
    counters_.rows_read += 100;
    return true;
  }

 private:
  ScanCounters& counters_;
  int produced_ = 0;
};

class SlowScan : public TableScan {
 public:
  void SetProjection(const std::vector<int>&) override {}
  std::string Describe() const override { return "slow"; }
  std::vector<std::shared_ptr<Split>> CreateSplits(int) override {
    return {std::make_shared<Split>()};
  }
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split>) override {
    return std::make_unique<SlowSource>(counters_);
  }
};

class SlowConnector : public Connector {
 public:
  std::string TypeName() const override { return "slow"; }
  std::vector<std::string> ListSchemas() override { return {"default"}; }
  std::vector<std::string> ListTables(const std::string&) override { return {"numbers"}; }
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override {
    if (table != "numbers") return nullptr;
    auto info = std::make_shared<TableInfo>();
    info->schema = schema;
    info->name = table;
    info->columns.push_back(ColumnInfo{"n", LogicalType(TypeId::kBigInt), false, "a counter"});
    return info;
  }
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo>) override {
    return std::make_unique<SlowScan>();
  }
};

Engine MakeEngine() {
  EngineOptions options;
  options.threads = 1;
  return Engine(options);
}

TEST(EngineProgressTest, CallbackSeesRowsWhileTheQueryRuns) {
  EngineOptions options;
  options.threads = 1;
  Engine engine(options);
  engine.catalogs().AddCatalog("slow", std::make_shared<SlowConnector>());
  std::atomic<int> calls{0};
  std::atomic<int64_t> max_rows{0};
  engine.SetProgressCallback([&](const std::vector<SourceProgress>& progress, double elapsed) {
    calls++;
    for (const auto& p : progress) max_rows = std::max<int64_t>(max_rows, p.rows_read);
    EXPECT_GE(elapsed, 0.0);
  });
  QueryResult r = engine.Execute("SELECT count(*) AS c FROM slow.numbers");
  EXPECT_EQ(r.batches.at(0).columns.at(0).GetValue(0).GetInt64(), kBatches * 100);
  // 12 batches x 30 ms: about 360 ms, so the 100 ms reporter runs at least twice.
  EXPECT_GE(calls.load(), 2);
  EXPECT_GT(max_rows.load(), 0);
  EXPECT_LE(max_rows.load(), kBatches * 100);
}

TEST(EngineProgressTest, CancelInterruptsTheQuery) {
  EngineOptions options;
  options.threads = 1;
  Engine engine(options);
  engine.catalogs().AddCatalog("slow", std::make_shared<SlowConnector>());
  engine.SetProgressCallback([&](const std::vector<SourceProgress>&, double) { engine.Cancel(); });
  try {
    engine.Execute("SELECT count(*) FROM slow.numbers");
    FAIL() << "expected the query to be cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInterrupted) << e.what();
  }
  // The next statement runs normally.
  engine.SetProgressCallback(nullptr);
  EXPECT_EQ(engine.Execute("SELECT 1 AS x").row_count, 1);
}

TEST(EngineProgressTest, DescribeReportsConnectorColumns) {
  Engine engine = MakeEngine();
  engine.catalogs().AddCatalog("slow", std::make_shared<SlowConnector>());
  QueryResult d = engine.Execute("DESCRIBE slow.numbers");
  ASSERT_EQ(d.row_count, 1);
  EXPECT_EQ(d.batches[0].columns[0].GetValue(0).GetString(), "n");
  EXPECT_EQ(d.batches[0].columns[1].GetValue(0).GetString(), "bigint");
  EXPECT_EQ(d.batches[0].columns[2].GetValue(0).GetString(), "NO");
  EXPECT_EQ(d.batches[0].columns[3].GetValue(0).GetString(), "a counter");
}

}  // namespace
}  // namespace aishell
