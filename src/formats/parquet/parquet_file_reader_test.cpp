// ParquetFileReader: the public per-file API (Open over a RandomAccessFile, field ids, row-group
// positions, statistics ranges, ReadRowGroup), on local (memory-mapped) files and on files read
// by ranges like remote objects.
#include "formats/parquet/parquet_file_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "common/exception.h"
#include "formats/parquet/parquet_writer.h"
#include "formats/testing/file_test_util.h"

namespace aishell::parquet {
namespace {

using testing::TempDir;

// A file read only through ReadAt (no memory map), counting the reads: how a remote file behaves.
class RangedFile : public RandomAccessFile {
 public:
  explicit RangedFile(std::shared_ptr<RandomAccessFile> inner) : inner_(std::move(inner)) {}
  const std::string& path() const override { return inner_->path(); }
  int64_t Size() override { return inner_->Size(); }
  void ReadAt(int64_t offset, int64_t length, uint8_t* out) override {
    reads++;
    bytes += length;
    inner_->ReadAt(offset, length, out);
  }
  std::atomic<int> reads{0};
  std::atomic<int64_t> bytes{0};

 private:
  std::shared_ptr<RandomAccessFile> inner_;
};

// test/parquet/data/<name>, found from the test binary's directory (build/) or the cwd.
std::string DataFile(const std::string& name) {
  std::vector<std::filesystem::path> starts = {std::filesystem::current_path()};
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) starts.push_back(exe.parent_path());
  for (auto dir : starts) {
    for (int up = 0; up < 5 && !dir.empty(); up++, dir = dir.parent_path()) {
      auto p = dir / "test" / "parquet" / "data" / name;
      if (std::filesystem::exists(p)) return p.string();
    }
  }
  return "";
}

void WriteFile(const std::string& path, int64_t rows, int64_t row_group_rows) {
  std::vector<ColumnInfo> columns = {{"id", TypeId::kBigInt, true, ""},
                                     {"name", TypeId::kVarchar, true, ""},
                                     {"price", LogicalType::Decimal(10, 2), true, ""}};
  ParquetWriteOptions options;
  options.row_group_rows = row_group_rows;
  ParquetWriter writer(path, columns, options);
  Batch batch({TypeId::kBigInt, TypeId::kVarchar, LogicalType::Decimal(10, 2)},
              static_cast<size_t>(rows));
  batch.SetCount(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; r++) {
    batch.columns[0].SetValue(r, Value::BigInt(r));
    batch.columns[1].SetValue(r, Value::Varchar("name " + std::to_string(r % 10)));
    batch.columns[2].SetValue(
        r, r % 5 == 0 ? Value::Null(LogicalType::Decimal(10, 2)) : Value::Decimal(r * 7, 10, 2));
  }
  writer.Append(batch);
  writer.Finish();
}

TEST(ParquetFileReader, OpensLocalFilesAndReadsRowGroups) {
  TempDir dir;
  std::string path = dir.path() + "/t.parquet";
  WriteFile(path, 2500, 1000);
  auto reader = ParquetFileReader::Open(FileSystemForPath(path)->OpenForRead(path), "test");
  EXPECT_EQ(reader->path(), path);
  ASSERT_EQ(reader->columns().size(), 3u);
  EXPECT_EQ(reader->columns()[0].name, "id");
  EXPECT_EQ(reader->columns()[2].type, LogicalType::Decimal(10, 2));
  EXPECT_EQ(reader->columns()[0].field_id, -1);
  EXPECT_EQ(reader->num_rows(), 2500);
  ASSERT_EQ(reader->row_group_count(), 3);
  EXPECT_EQ(reader->row_group(0).first_row, 0);
  EXPECT_EQ(reader->row_group(1).first_row, 1000);
  EXPECT_EQ(reader->row_group(2).first_row, 2000);
  EXPECT_EQ(reader->row_group(2).num_rows, 500);
  EXPECT_GT(reader->row_group(1).compressed_bytes, 0);
  auto range = reader->ColumnRange(1, 0);
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->min, Value::BigInt(1000));
  EXPECT_EQ(range->max, Value::BigInt(1999));
  RowGroupFilter ge{0, CompareOp::kGe, Value::BigInt(2100)};
  EXPECT_FALSE(reader->RowGroupMayMatch(0, {ge}));
  EXPECT_FALSE(reader->RowGroupMayMatch(1, {ge}));
  EXPECT_TRUE(reader->RowGroupMayMatch(2, {ge}));
  ScanCounters counters;
  auto vectors = reader->ReadRowGroup(1, {2, 0}, &counters);
  ASSERT_EQ(vectors.size(), 2u);
  ASSERT_EQ(vectors[0].size(), 1000u);
  EXPECT_EQ(vectors[1].GetValue(5), Value::BigInt(1005));
  EXPECT_TRUE(vectors[0].GetValue(5).is_null());
  EXPECT_EQ(vectors[0].GetValue(6), Value::Decimal(1006 * 7, 10, 2));
  EXPECT_GT(counters.bytes_read.load(), 0);
  EXPECT_THROW(reader->ReadRowGroup(3, {0}, nullptr), Error);
}

TEST(ParquetFileReader, RemoteFilesReadTheFooterAndEachChunkWithOneRead) {
  TempDir dir;
  std::string path = dir.path() + "/t.parquet";
  WriteFile(path, 3000, 1000);
  auto local = ParquetFileReader::Open(FileSystemForPath(path)->OpenForRead(path), "test");
  auto ranged = std::make_shared<RangedFile>(FileSystemForPath(path)->OpenForRead(path));
  auto remote = ParquetFileReader::Open(ranged, "test");
  EXPECT_EQ(ranged->reads.load(), 1);  // the tail holds the footer
  for (int rg = 0; rg < remote->row_group_count(); rg++) {
    int before = ranged->reads.load();
    auto a = remote->ReadRowGroup(rg, {0, 1, 2}, nullptr);
    EXPECT_EQ(ranged->reads.load() - before, 3);  // one ranged read per column chunk
    auto b = local->ReadRowGroup(rg, {0, 1, 2}, nullptr);
    for (size_t c = 0; c < 3; c++) {
      ASSERT_EQ(a[c].size(), b[c].size());
      for (size_t i = 0; i < a[c].size(); i++) ASSERT_EQ(a[c].GetValue(i), b[c].GetValue(i));
    }
  }
}

TEST(ParquetFileReader, ReadsFieldIds) {
  std::string path = DataFile("field_ids.parquet");
  if (path.empty()) GTEST_SKIP() << "test/parquet/data not found";
  auto reader = ParquetFileReader::Open(FileSystemForPath(path)->OpenForRead(path), "test");
  ASSERT_EQ(reader->columns().size(), 4u);
  EXPECT_EQ(reader->columns()[0].field_id, 1);
  EXPECT_FALSE(reader->columns()[0].nullable);
  EXPECT_EQ(reader->columns()[1].field_id, 7);
  EXPECT_EQ(reader->columns()[2].field_id, 8);
  EXPECT_TRUE(reader->columns()[2].nested);
  EXPECT_EQ(reader->columns()[2].type, LogicalType::Array(TypeId::kVarchar));
  ASSERT_EQ(reader->columns()[2].children.size(), 1u);
  EXPECT_EQ(reader->columns()[2].children[0].field_id, 9);  // the element's id (Iceberg's)
  EXPECT_EQ(reader->columns()[3].field_id, -1);
  ASSERT_EQ(reader->row_group_count(), 2);
  EXPECT_EQ(reader->row_group(1).first_row, 4);
  auto v = reader->ReadRowGroup(1, {2, 0}, nullptr);
  EXPECT_EQ(v[0].GetValue(0),
            Value::Array(LogicalType::Array(TypeId::kVarchar), {Value::Varchar("w")}));
  EXPECT_EQ(v[1].GetValue(1), Value::BigInt(6));
}

TEST(ParquetFileReader, ErrorsNameTheContextAndFile) {
  TempDir dir;
  std::string path = dir.path() + "/bad.parquet";
  {
    auto out = FileSystemForPath(path)->OpenForWrite(path);
    out->Append(std::string("PAR1 this is not parquet at all PAR1"));
    out->Close();
  }
  try {
    ParquetFileReader::Open(FileSystemForPath(path)->OpenForRead(path), "iceberg db.t");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_EQ(std::string(e.what()).rfind("iceberg db.t: " + path, 0), 0u) << e.what();
  }
}

TEST(ParquetFileReader, PageIndexSkipsPagesThatCannotMatch) {
  // pyarrow-written: 6000 rows, row groups of 3000, pages of 500 rows, write_page_index=True;
  // columns id (0..5999), day, name ('n00000'...), cat, amount.
  std::string path = DataFile("page_index.parquet");
  if (path.empty()) GTEST_SKIP() << "test/parquet/data not found";
  auto reader = ParquetFileReader::Open(FileSystemForPath(path)->OpenForRead(path), "test");
  std::vector<int> columns = {0, 2, 3, 4};
  int64_t before = DecodedPageCount();
  auto full = reader->ReadRowGroup(0, columns, nullptr);
  int64_t full_pages = DecodedPageCount() - before;
  EXPECT_EQ(full_pages, 4 * 6);

  std::vector<RowGroupFilter> filters = {{0, CompareOp::kGe, Value::BigInt(2600)},
                                         {0, CompareOp::kLt, Value::BigInt(2700)}};
  ParquetFileReader::RowRanges kept;
  before = DecodedPageCount();
  auto part = reader->ReadRowGroupFiltered(0, columns, filters, nullptr, &kept);
  int64_t pages = DecodedPageCount() - before;
  EXPECT_EQ(pages, 4);  // one page per column instead of six
  ASSERT_EQ(kept, (ParquetFileReader::RowRanges{{2500, 3000}}));
  ASSERT_EQ(part.size(), columns.size());
  for (size_t c = 0; c < columns.size(); c++) {
    ASSERT_EQ(part[c].size(), 500u);
    for (size_t i = 0; i < 500; i++) ASSERT_EQ(part[c].GetValue(i), full[c].GetValue(2500 + i));
  }

  // A string filter: name = 'n01234' keeps page 2 of row group 0 (rows 1000..1499).
  before = DecodedPageCount();
  part = reader->ReadRowGroupFiltered(0, {2}, {{2, CompareOp::kEq, Value::Varchar("n01234")}},
                                      nullptr, &kept);
  EXPECT_EQ(DecodedPageCount() - before, 1);
  EXPECT_EQ(kept, (ParquetFileReader::RowRanges{{1000, 1500}}));
  EXPECT_EQ(part[0].GetValue(234), Value::Varchar("n01234"));

  // No page can match: nothing is decoded and no rows come back.
  before = DecodedPageCount();
  part = reader->ReadRowGroupFiltered(1, columns, {{0, CompareOp::kLt, Value::BigInt(100)}},
                                      nullptr, &kept);
  EXPECT_EQ(DecodedPageCount() - before, 0);
  EXPECT_TRUE(kept.empty());
  ASSERT_EQ(part.size(), columns.size());
  EXPECT_EQ(part[0].size(), 0u);

  // Remote files read the page index by ranges too.
  auto ranged = std::make_shared<RangedFile>(FileSystemForPath(path)->OpenForRead(path));
  auto remote = ParquetFileReader::Open(ranged, "test");
  part = remote->ReadRowGroupFiltered(0, columns, filters, nullptr, &kept);
  ASSERT_EQ(part[1].size(), 500u);
  EXPECT_EQ(part[1].GetValue(0), Value::Varchar("n02500"));
}

TEST(ParquetFileReader, ReadRowGroupRowsDecodesOnlyPagesWithTheRows) {
  // Our writer writes no page index: pages are located by their headers.
  TempDir dir;
  std::string path = dir.path() + "/t.parquet";
  std::vector<ColumnInfo> columns = {{"id", TypeId::kBigInt, true, ""},
                                     {"name", TypeId::kVarchar, true, ""}};
  ParquetWriteOptions options;
  options.page_rows = 100;
  options.dictionary = false;
  {
    ParquetWriter writer(path, columns, options);
    Batch batch({TypeId::kBigInt, TypeId::kVarchar}, 1000);
    batch.SetCount(1000);
    for (size_t r = 0; r < 1000; r++) {
      batch.columns[0].SetValue(
          r, r % 9 == 4 ? Value::Null(TypeId::kBigInt) : Value::BigInt(static_cast<int64_t>(r)));
      batch.columns[1].SetValue(r, Value::Varchar("name " + std::to_string(r)));
    }
    writer.Append(batch);
    writer.Finish();
  }
  auto reader = ParquetFileReader::Open(FileSystemForPath(path)->OpenForRead(path), "test");
  auto full = reader->ReadRowGroup(0, {0, 1}, nullptr);
  ParquetFileReader::RowRanges rows = {{5, 7}, {150, 151}, {998, 1000}};
  int64_t before = DecodedPageCount();
  auto part = reader->ReadRowGroupRows(0, {0, 1}, rows, nullptr);
  EXPECT_EQ(DecodedPageCount() - before, 2 * 3);  // pages 0, 1 and 9 of each column
  ASSERT_EQ(part.size(), 2u);
  std::vector<size_t> want = {5, 6, 150, 998, 999};
  for (size_t c = 0; c < 2; c++) {
    ASSERT_EQ(part[c].size(), want.size());
    for (size_t i = 0; i < want.size(); i++)
      EXPECT_EQ(part[c].GetValue(i), full[c].GetValue(want[i])) << c << " " << i;
  }
  EXPECT_EQ(reader->ReadRowGroupRows(0, {0, 1}, {}, nullptr)[1].size(), 0u);
  EXPECT_THROW(reader->ReadRowGroupRows(0, {0}, {{7, 5}}, nullptr), Error);
  EXPECT_THROW(reader->ReadRowGroupRows(0, {0}, {{0, 1001}}, nullptr), Error);
}

}  // namespace
}  // namespace aishell::parquet
