// Engine::Query streams: the first batch of a long query is available before it ends, and the
// stream exports through the Arrow C stream interface.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/exception.h"
#include "engine/arrow_stream.h"
#include "engine/engine.h"

namespace aishell {
namespace {

constexpr int kRows = 200000;

class ResultStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aishell_result_stream_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/data");
    std::ofstream out(dir_ + "/data/numbers.csv");
    out << "n,name\n";
    for (int i = 0; i < kRows; i++) out << i << ",row" << i << "\n";
    out.close();
    EngineOptions options;
    options.threads = 1;
    engine_ = std::make_unique<Engine>(options);
    engine_->catalogs().AddCatalog(ConnectionConfig{"files", "file", dir_ + "/data", {}});
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(ResultStreamTest, FirstRowsArriveBeforeTheQueryEnds) {
  auto stream = engine_->Query("SELECT n, name FROM files.numbers");
  ASSERT_TRUE(stream->has_rows());
  ASSERT_EQ(stream->columns().size(), 2u);
  Batch batch;
  ASSERT_TRUE(stream->Next(batch));
  EXPECT_GT(batch.count, 0u);
  EXPECT_LT(stream->row_count(), kRows);
  EXPECT_FALSE(stream->finished());
  // The rest.
  int64_t rows = static_cast<int64_t>(batch.count);
  while (stream->Next(batch)) rows += static_cast<int64_t>(batch.count);
  EXPECT_EQ(rows, kRows);
  EXPECT_EQ(stream->row_count(), kRows);
  EXPECT_TRUE(stream->finished());
  EXPECT_FALSE(stream->Next(batch));
}

TEST_F(ResultStreamTest, AStreamDroppedEarlyStopsTheQuery) {
  {
    auto stream = engine_->Query("SELECT n FROM files.numbers");
    Batch batch;
    ASSERT_TRUE(stream->Next(batch));
  }
  EXPECT_EQ(engine_->Execute("SELECT count(*) FROM files.numbers").row_count, 1);
}

TEST_F(ResultStreamTest, StatementsWithoutRowsStreamTheirMessage) {
  auto stream = engine_->Query("SET SESSION pushdown = false");
  EXPECT_FALSE(stream->has_rows());
  EXPECT_EQ(stream->message(), "SET SESSION");
  Batch batch;
  EXPECT_FALSE(stream->Next(batch));
  auto shown = engine_->Query("SHOW CATALOGS");
  ASSERT_TRUE(shown->Next(batch));
  EXPECT_EQ(batch.count, 1u);
}

TEST_F(ResultStreamTest, ExecutionErrorsComeFromNext) {
  auto stream = engine_->Query("SELECT 1 / (n - n) FROM files.numbers");
  Batch batch;
  EXPECT_THROW(while (stream->Next(batch)){}, Error);
  EXPECT_THROW(engine_->Query("SELECT nope FROM files.numbers"), Error);  // planning: at once
}

TEST_F(ResultStreamTest, ExportsThroughTheArrowCStreamInterface) {
  ArrowArrayStream arrow;
  ExportArrowStream(engine_->Query("SELECT n, name FROM files.numbers WHERE n % 2 = 0"), &arrow);
  ArrowSchema schema;
  ASSERT_EQ(arrow.get_schema(&arrow, &schema), 0);
  ASSERT_EQ(schema.n_children, 2);
  EXPECT_STREQ(schema.children[0]->name, "n");
  EXPECT_STREQ(schema.children[1]->name, "name");
  EXPECT_STREQ(schema.children[1]->format, "u");
  std::string n_format = schema.children[0]->format;
  schema.release(&schema);

  int64_t rows = 0, sum = 0;
  int batches = 0;
  while (true) {
    ArrowArray array;
    ASSERT_EQ(arrow.get_next(&arrow, &array), 0) << arrow.get_last_error(&arrow);
    if (!array.release) break;
    batches++;
    ASSERT_EQ(array.n_children, 2);
    const ArrowArray* n = array.children[0];
    for (int64_t i = 0; i < n->length; i++) {
      if (n_format == "l")
        sum += static_cast<const int64_t*>(n->buffers[1])[n->offset + i];
      else
        sum += static_cast<const int32_t*>(n->buffers[1])[n->offset + i];
    }
    rows += array.length;
    array.release(&array);
  }
  arrow.release(&arrow);
  EXPECT_EQ(rows, kRows / 2);
  EXPECT_GT(batches, 1);
  int64_t expected = 0;
  for (int64_t i = 0; i < kRows; i += 2) expected += i;
  EXPECT_EQ(sum, expected);
}

TEST_F(ResultStreamTest, ArrowStreamReportsErrors) {
  ArrowArrayStream arrow;
  ExportArrowStream(engine_->Query("SELECT 1 / (n - n) FROM files.numbers"), &arrow);
  ArrowArray array;
  int code = 0;
  while ((code = arrow.get_next(&arrow, &array)) == 0 && array.release) array.release(&array);
  EXPECT_NE(code, 0);
  ASSERT_NE(arrow.get_last_error(&arrow), nullptr);
  EXPECT_GT(std::strlen(arrow.get_last_error(&arrow)), 0u);
  arrow.release(&arrow);
}

}  // namespace
}  // namespace aishell
