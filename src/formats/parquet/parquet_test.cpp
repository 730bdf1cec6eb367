// Parquet reader and writer: round trips through our writer and reader, row-group skipping,
// the encodings' decoders, and corrupted inputs (which must fail with aishell::Error, never crash).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/exception.h"
#include "expr/expression.h"
#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "formats/testing/file_test_util.h"

namespace aishell {
namespace {

using testing::ReadAll;
using testing::Rows;
using testing::TempDir;

std::vector<ColumnInfo> AllTypeColumns() {
  return {{"b", TypeId::kBoolean},
          {"i", TypeId::kInteger},
          {"l", TypeId::kBigInt},
          {"d", TypeId::kDouble},
          {"m", LogicalType::Decimal(12, 2)},
          {"s", TypeId::kVarchar},
          {"dt", TypeId::kDate},
          {"ts", TypeId::kTimestamp},
          {"tz", TypeId::kTimestampTz},
          {"cat", TypeId::kVarchar}};
}

// Row r of the test data; every 7th row has NULLs in every column.
std::vector<Value> TestRow(int64_t r) {
  if (r % 7 == 3) {
    std::vector<Value> row;
    for (const auto& c : AllTypeColumns()) row.push_back(Value::Null(c.type));
    return row;
  }
  static const char* kCats[] = {"red", "green", "blue"};
  return {Value::Boolean(r % 2 == 0),
          Value::Integer(static_cast<int32_t>(r * 3 - 1000)),
          Value::BigInt(r * 1000003 - (int64_t{1} << 40)),
          Value::Double(static_cast<double>(r) / 8.0),
          Value::Decimal(r * 101 - 5000, 12, 2),
          Value::Varchar("row " + std::to_string(r) + (r % 5 == 0 ? " ünïcødé" : "")),
          Value::Date(static_cast<int32_t>(18000 + r)),
          Value::Timestamp(1600000000000000 + r * 1000001),
          Value::TimestampTz(-86400000000 + r * 7),
          Value::Varchar(kCats[r % 3])};
}

void WriteTestFile(const std::string& path, int64_t rows, ParquetWriteOptions options) {
  auto columns = AllTypeColumns();
  std::vector<LogicalType> types;
  for (const auto& c : columns) types.push_back(c.type);
  ParquetWriter writer(path, columns, options);
  for (int64_t start = 0; start < rows; start += 1000) {
    int64_t n = std::min<int64_t>(1000, rows - start);
    Batch batch(types, static_cast<size_t>(n));
    batch.SetCount(static_cast<size_t>(n));
    for (int64_t r = 0; r < n; r++) {
      auto row = TestRow(start + r);
      for (size_t c = 0; c < columns.size(); c++)
        batch.columns[c].SetValue(static_cast<size_t>(r), row[c]);
    }
    writer.Append(batch);
  }
  writer.Finish();
  EXPECT_EQ(writer.rows_written(), rows);
}

Rows ReadFile(const std::string& path, std::shared_ptr<const TableInfo>* info = nullptr) {
  ParquetFormat format;
  auto table = format.Open("read_parquet", {path}, {}, "", "t");
  if (info) *info = table->info();
  auto scan = table->CreateScan();
  return ReadAll(*scan);
}

TEST(ParquetWriter, RoundTripsEveryTypeWithEachCodec) {
  TempDir dir;
  for (auto codec : {parquet::Codec::kSnappy, parquet::Codec::kZstd, parquet::Codec::kGzip,
                     parquet::Codec::kUncompressed}) {
    for (bool dictionary : {true, false}) {
      ParquetWriteOptions options;
      options.codec = codec;
      options.dictionary = dictionary;
      options.row_group_rows = 1500;
      options.page_rows = 700;
      std::string path = dir.path() + "/t.parquet";
      WriteTestFile(path, 4000, options);
      std::shared_ptr<const TableInfo> info;
      Rows rows = ReadFile(path, &info);
      ASSERT_EQ(info->columns.size(), AllTypeColumns().size());
      for (size_t c = 0; c < info->columns.size(); c++)
        EXPECT_EQ(info->columns[c].type, AllTypeColumns()[c].type);
      ASSERT_EQ(rows.size(), 4000u);
      for (int64_t r = 0; r < 4000; r++) {
        auto want = TestRow(r);
        for (size_t c = 0; c < want.size(); c++) {
          ASSERT_EQ(rows[r][c], want[c])
              << "row " << r << " column " << c << " codec " << static_cast<int>(codec);
        }
      }
    }
  }
}

// Nested columns: ARRAY(ROW(VARCHAR, ARRAY(INTEGER))), MAP(VARCHAR, DOUBLE) and ROW(BIGINT,
// ARRAY(VARCHAR)) with NULL and empty values at every level, written and read back equal, across
// pages and row groups.
// Iceberg writers set Parquet field ids on the columns: they land in the footer's schema
// elements (field 9), and the file still reads back.
TEST(ParquetWriter, WritesFieldIds) {
  TempDir dir;
  ParquetWriteOptions options;
  auto columns = AllTypeColumns();
  for (size_t i = 0; i < columns.size(); i++) options.field_ids.push_back(static_cast<int>(i) + 7);
  std::string path = dir.path() + "/ids.parquet";
  WriteTestFile(path, 50, options);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 12u);
  uint32_t len = 0;
  std::memcpy(&len, bytes.data() + bytes.size() - 8, 4);
  auto meta = parquet::DecodeFileMetaData(
      reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size() - 8 - len, len);
  ASSERT_EQ(meta.schema.size(), columns.size() + 1);
  EXPECT_EQ(meta.schema[0].field_id, -1);  // the root has none
  for (size_t i = 0; i < columns.size(); i++) {
    EXPECT_EQ(meta.schema[i + 1].name, columns[i].name);
    EXPECT_EQ(meta.schema[i + 1].field_id, static_cast<int>(i) + 7) << columns[i].name;
  }
  std::shared_ptr<const TableInfo> info;
  Rows rows = ReadFile(path, &info);
  EXPECT_EQ(rows.size(), 50u);
}

TEST(ParquetWriter, RoundTripsNestedColumns) {
  LogicalType ints = LogicalType::Array(TypeId::kInteger);
  LogicalType item = LogicalType::Row({"p", "q"}, {TypeId::kVarchar, ints});
  LogicalType items = LogicalType::Array(item);
  LogicalType map = LogicalType::Map(TypeId::kVarchar, TypeId::kDouble);
  LogicalType strs = LogicalType::Array(TypeId::kVarchar);
  LogicalType row = LogicalType::Row({"x", "tags"}, {TypeId::kBigInt, strs});
  std::vector<ColumnInfo> columns = {
      {"id", TypeId::kBigInt}, {"items", items}, {"m", map}, {"r", row}};
  auto make = [&](int64_t r) {
    std::vector<Value> out = {Value::BigInt(r)};
    if (r % 5 == 1) {
      out.push_back(Value::Null(items));
    } else {
      std::vector<Value> elems;
      for (int64_t j = 0; j < r % 4; j++) {
        if (j == 2) {
          elems.push_back(Value::Null(item));
          continue;
        }
        std::vector<Value> q;
        for (int64_t k = 0; k < (r + j) % 3; k++)
          q.push_back(k == 1 ? Value::Null(TypeId::kInteger)
                             : Value::Integer(static_cast<int32_t>(r + k)));
        elems.push_back(Value::Row(
            item, {j == 1 ? Value::Null(TypeId::kVarchar) : Value::Varchar("p" + std::to_string(r)),
                   (r + j) % 7 == 0 ? Value::Null(ints) : Value::Array(ints, q)}));
      }
      out.push_back(Value::Array(items, elems));
    }
    if (r % 6 == 2) {
      out.push_back(Value::Null(map));
    } else {
      std::vector<Value> keys, values;
      for (int64_t j = 0; j < r % 3; j++) {
        keys.push_back(Value::Varchar("k" + std::to_string(j)));
        values.push_back(j == 1 ? Value::Null(TypeId::kDouble) : Value::Double(r / 4.0 + j));
      }
      out.push_back(Value::Map(map, keys, values));
    }
    if (r % 7 == 3) {
      out.push_back(Value::Null(row));
    } else {
      std::vector<Value> tags;
      for (int64_t j = 0; j < r % 3; j++) tags.push_back(Value::Varchar("t" + std::to_string(j)));
      out.push_back(
          Value::Row(row, {r % 4 == 0 ? Value::Null(TypeId::kBigInt) : Value::BigInt(r * 3),
                           r % 9 == 0 ? Value::Null(strs) : Value::Array(strs, tags)}));
    }
    return out;
  };
  TempDir dir;
  std::string path = dir.path() + "/nested.parquet";
  ParquetWriteOptions options;
  options.row_group_rows = 700;
  options.page_rows = 90;
  const int64_t kRows = 2000;
  {
    ParquetWriter writer(path, columns, options);
    std::vector<LogicalType> types;
    for (const auto& c : columns) types.push_back(c.type);
    for (int64_t start = 0; start < kRows; start += 500) {
      Batch batch(types, 500);
      batch.SetCount(500);
      for (int64_t r = 0; r < 500; r++) {
        auto want = make(start + r);
        for (size_t c = 0; c < columns.size(); c++)
          batch.columns[c].SetValue(static_cast<size_t>(r), want[c]);
      }
      writer.Append(batch);
    }
    writer.Finish();
  }
  std::shared_ptr<const TableInfo> info;
  Rows rows = ReadFile(path, &info);
  for (size_t c = 0; c < columns.size(); c++) EXPECT_EQ(info->columns[c].type, columns[c].type);
  ASSERT_EQ(rows.size(), static_cast<size_t>(kRows));
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a[0].GetInt64() < b[0].GetInt64(); });
  for (int64_t r = 0; r < kRows; r++) {
    auto want = make(r);
    for (size_t c = 0; c < want.size(); c++)
      ASSERT_EQ(rows[r][c], want[c]) << "row " << r << " column " << c << ": "
                                     << rows[r][c].ToString() << " vs " << want[c].ToString();
  }
}

TEST(ParquetWriter, BoundsRowGroupsAndSkipsThemByStatistics) {
  TempDir dir;
  std::string path = dir.path() + "/t.parquet";
  ParquetWriteOptions options;
  options.row_group_rows = 1000;
  WriteTestFile(path, 4500, options);
  ParquetFormat format;
  auto table = format.Open("read_parquet", {path}, {}, "", "t");
  auto scan = table->CreateScan();
  EXPECT_EQ(scan->CreateSplits(4).size(), 5u);  // 1000, 1000, 1000, 1000, 500 rows
  // l = r * 1000003 - 2^40 grows with r: l < value-of-row-1500 only matches row groups 0 and 1.
  int64_t bound = 1500 * int64_t{1000003} - (int64_t{1} << 40);
  auto filter = MakeComparison(CompareOp::kLt, MakeColumnRef(2, TypeId::kBigInt, "l"),
                               MakeConstant(Value::BigInt(bound)));
  EXPECT_FALSE(scan->PushFilter(*filter));  // rows are still filtered by the engine
  scan->SetProjection({2});
  EXPECT_EQ(scan->CreateSplits(4).size(), 2u);
  Rows rows = ReadAll(*scan);
  // Row groups 0 and 1 are read; the filter is evaluated in the scan, so only matching rows come
  // back: r < 1500 without the NULL rows (r % 7 == 3).
  EXPECT_EQ(rows.size(), 1500u - 214u);
  EXPECT_NE(scan->Describe().find("l < "), std::string::npos) << scan->Describe();
  // A filter on a string column uses min_value/max_value.
  auto scan2 = table->CreateScan();
  auto eq = MakeComparison(CompareOp::kEq, MakeColumnRef(9, TypeId::kVarchar, "cat"),
                           MakeConstant(Value::Varchar("yellow")));
  scan2->PushFilter(*eq);
  EXPECT_EQ(scan2->CreateSplits(4).size(), 0u);
}

// Filters the predicate domain captures beyond `column <op> constant` skip row groups too: OR
// over one column, IN lists, NOT, casts of a column, contradictions.
TEST(ParquetReader, PredicateDomainsSkipRowGroups) {
  TempDir dir;
  std::string path = dir.path() + "/t.parquet";
  ParquetWriteOptions options;
  options.row_group_rows = 1000;
  WriteTestFile(path, 4500, options);
  ParquetFormat format;
  auto table = format.Open("read_parquet", {path}, {}, "", "t");
  auto l = [] { return MakeColumnRef(2, TypeId::kBigInt, "l"); };
  auto at = [](int64_t r) { return MakeConstant(Value::BigInt(r * 1000003 - (int64_t{1} << 40))); };
  auto count = [&](const ExprPtr& filter, size_t* rows = nullptr) {
    auto scan = table->CreateScan();
    EXPECT_FALSE(scan->PushFilter(*filter));
    size_t splits = scan->CreateSplits(4).size();
    if (rows) *rows = ReadAll(*scan).size();
    return splits;
  };
  // Row groups 0 and 4.
  EXPECT_EQ(count(MakeOr({MakeComparison(CompareOp::kLt, l(), at(500)),
                          MakeComparison(CompareOp::kGt, l(), at(4200))})),
            2u);
  // Rows 11 and 2501: row groups 0 and 2, and only the two rows come back.
  auto in = std::make_shared<Expr>();
  in->kind = ExprKind::kIn;
  in->type = LogicalType(TypeId::kBoolean);
  in->children = {l(), at(11), at(2501)};
  size_t rows = 0;
  EXPECT_EQ(count(in, &rows), 2u);
  EXPECT_EQ(rows, 2u);
  // NOT (l >= row 1500): row groups 0 and 1.
  EXPECT_EQ(count(MakeNot(MakeComparison(CompareOp::kGe, l(), at(1500)))), 2u);
  // CAST(i AS DOUBLE) < 500.5 with i = 3r - 1000: i <= 500, r <= 500, row group 0.
  auto i_double = MakeCast(MakeColumnRef(1, TypeId::kInteger, "i"), LogicalType(TypeId::kDouble));
  EXPECT_EQ(
      count(MakeComparison(CompareOp::kLt, i_double, MakeConstant(Value::Double(500.5))), &rows),
      1u);
  EXPECT_EQ(rows, 501u - 72u);  // r = 0..500 without r % 7 == 3
  // Contradicting conjuncts: nothing to read.
  auto scan = table->CreateScan();
  scan->PushFilter(*MakeComparison(CompareOp::kLt, l(), at(100)));
  scan->PushFilter(*MakeComparison(CompareOp::kGt, l(), at(4000)));
  EXPECT_EQ(scan->CreateSplits(4).size(), 0u);
}

TEST(ParquetReader, DictionaryEncodedStringsStayDictionaryVectors) {
  TempDir dir;
  std::string path = dir.path() + "/t.parquet";
  WriteTestFile(path, 5000, {});  // 'cat' has 3 distinct values (+ NULLs): dictionary encoded
  ParquetFormat format;
  auto scan = format.Open("read_parquet", {path}, {}, "", "t")->CreateScan();
  scan->SetProjection({9, 5});
  size_t rows = 0;
  for (auto& split : scan->CreateSplits(1)) {
    auto source = scan->CreateDataSource(split);
    Batch batch;
    while (source->Next(batch)) {
      EXPECT_EQ(batch.columns[0].kind(), VectorKind::kDictionary);
      EXPECT_EQ(batch.columns[1].kind(), VectorKind::kFlat);  // 's' is all distinct: PLAIN
      for (size_t r = 0; r < batch.count; r++, rows++) {
        EXPECT_EQ(batch.columns[0].GetValue(r), TestRow(static_cast<int64_t>(rows))[9]) << rows;
      }
    }
  }
  EXPECT_EQ(rows, 5000u);
}

TEST(ParquetWriter, PushedLimitStopsEarly) {
  TempDir dir;
  std::string path = dir.path() + "/t.parquet";
  WriteTestFile(path, 5000, {});
  ParquetFormat format;
  auto scan = format.Open("read_parquet", {path}, {}, "", "t")->CreateScan();
  EXPECT_TRUE(scan->PushLimit(10));
  EXPECT_EQ(ReadAll(*scan).size(), 10u);
}

// Writes files for test/parquet/test_parquet_writer.py, which checks them with pyarrow and DuckDB.
TEST(ParquetWriter, WritesFilesForExternalReaders) {
  const char* dir = std::getenv("AISHELL_PARQUET_WRITE_DIR");
  if (!dir) GTEST_SKIP() << "AISHELL_PARQUET_WRITE_DIR is not set (run by test_parquet_writer.py)";
  for (auto [name, codec] :
       {std::pair{"snappy", parquet::Codec::kSnappy}, std::pair{"zstd", parquet::Codec::kZstd},
        std::pair{"gzip", parquet::Codec::kGzip},
        std::pair{"none", parquet::Codec::kUncompressed}}) {
    ParquetWriteOptions options;
    options.codec = codec;
    options.row_group_rows = 3000;
    WriteTestFile(std::string(dir) + "/all_types_" + name + ".parquet", 10000, options);
  }
  ParquetWriteOptions plain;
  plain.dictionary = false;
  WriteTestFile(std::string(dir) + "/all_types_plain.parquet", 2500, plain);
  WriteTestFile(std::string(dir) + "/all_types_empty.parquet", 0, {});
}

TEST(ParquetWriter, TableWriterCommitsAtomicallyAndAbortLeavesNothing) {
  TempDir dir;
  std::vector<ColumnInfo> columns = {{"x", TypeId::kBigInt}, {"s", TypeId::kVarchar}};
  Batch batch({TypeId::kBigInt, TypeId::kVarchar}, 3);
  batch.SetCount(3);
  for (size_t r = 0; r < 3; r++) {
    batch.columns[0].SetValue(r, Value::BigInt(static_cast<int64_t>(r) * 10));
    batch.columns[1].SetValue(
        r, r == 1 ? Value::Null(TypeId::kVarchar) : Value::Varchar("v" + std::to_string(r)));
  }
  std::string path = dir.path() + "/out.parquet";
  {
    auto w = CreateParquetTableWriter(path, columns);
    w->Append(batch);
    EXPECT_TRUE(dir.Files().empty() || !std::filesystem::exists(path));
    w->Commit();
  }
  Rows rows = ReadFile(path);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2][0], Value::BigInt(20));
  EXPECT_TRUE(rows[1][1].is_null());
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"out.parquet"});
  {
    auto w = CreateParquetTableWriter(dir.path() + "/aborted.parquet", columns);
    w->Append(batch);
    w->Abort();
  }
  {
    auto w = CreateParquetTableWriter(dir.path() + "/dropped.parquet", columns);
    w->Append(batch);
  }
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"out.parquet"});
}

TEST(ParquetWriter, RejectsIntervalColumns) {
  TempDir dir;
  EXPECT_THROW(ParquetWriter(dir.path() + "/x.parquet", {{"iv", TypeId::kInterval}}), Error);
}

TEST(ParquetEncoding, RleHybridDecodesRunsAndBitPackedGroups) {
  // RLE run of 5 x 3 (bit width 2), then one bit-packed group of 8 values 0..3,0..3.
  std::vector<uint8_t> data = {5 << 1, 3, (1 << 1) | 1, 0b11100100, 0b11100100};
  std::vector<uint32_t> out(13);
  parquet::DecodeRleHybrid(data.data(), data.size(), 2, 13, out.data());
  std::vector<uint32_t> want = {3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3};
  EXPECT_EQ(out, want);
  EXPECT_THROW(parquet::DecodeRleHybrid(data.data(), data.size(), 2, 14, out.data()), Error);
  EXPECT_THROW(parquet::DecodeRleHybrid(data.data(), 3, 2, 13, out.data()), Error);
}

TEST(ParquetEncoding, UnpackBitsMatchesAReferenceForEveryWidth) {
  std::mt19937_64 rng(42);
  for (int width = 0; width <= 32; width++) {
    for (size_t count : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{63},
                         size_t{64}, size_t{1003}}) {
      std::vector<uint32_t> values(count);
      uint64_t mask = width == 0 ? 0 : (uint64_t{1} << width) - 1;
      for (auto& v : values) v = static_cast<uint32_t>(rng() & mask);
      // Reference packer: LSB first, bit by bit; the buffer is exactly as long as needed.
      std::vector<uint8_t> packed((count * width + 7) / 8, 0);
      for (size_t i = 0; i < count; i++) {
        for (int b = 0; b < width; b++) {
          size_t bit = i * width + b;
          if ((values[i] >> b) & 1) packed[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
        }
      }
      std::vector<uint32_t> out(count + 1, 0xdeadbeef);
      parquet::UnpackBits(packed.data(), packed.size(), width, count, out.data());
      EXPECT_EQ(out[count], 0xdeadbeefu) << "wrote past the end, width " << width;
      out.resize(count);
      ASSERT_EQ(out, values) << "width " << width << " count " << count;
      // Also through the hybrid decoder: one bit-packed run of ceil(count / 8) groups.
      if (count > 0 && count % 8 == 0 && count / 8 < 64) {  // a one-byte run header
        std::vector<uint8_t> run = {static_cast<uint8_t>(((count / 8) << 1) | 1)};
        run.insert(run.end(), packed.begin(), packed.end());
        std::vector<uint32_t> hybrid(count);
        parquet::DecodeRleHybrid(run.data(), run.size(), width, count, hybrid.data());
        EXPECT_EQ(hybrid, values) << "width " << width;
      }
      if (width > 0 && count > 0) {
        EXPECT_THROW(
            parquet::UnpackBits(packed.data(), packed.size() - 1, width, count, out.data()), Error);
      }
    }
  }
  uint32_t one;
  EXPECT_THROW(parquet::UnpackBits(nullptr, 0, 33, 1, &one), Error);
}

// Reads the test file with one filter pushed (row groups skipped, the filter evaluated in the
// scan) and checks the rows against the same filter applied to every row. With `superset` the
// scan may return more rows (a comparison it leaves to the engine), but never lose one.
void CheckFilterInScan(const std::string& path, int column, CompareOp op, const Value& constant,
                       bool superset = false) {
  ParquetFormat format;
  auto table = format.Open("read_parquet", {path}, {}, "", "t");
  auto all = ReadAll(*table->CreateScan());
  auto scan = table->CreateScan();
  auto ref = MakeColumnRef(column, table->info()->columns[column].type, "c");
  EXPECT_FALSE(scan->PushFilter(*MakeComparison(op, std::move(ref), MakeConstant(constant))));
  scan->SetProjection({1, column, 5, 9});  // other columns (flat and dictionary) and the filter's
  Rows got = ReadAll(*scan, 1);
  Rows want;
  for (const auto& row : all) {
    const Value& v = row[column];
    if (v.is_null()) continue;
    int c = v.Compare(constant);
    bool match = op == CompareOp::kEq   ? c == 0
                 : op == CompareOp::kLt ? c < 0
                 : op == CompareOp::kLe ? c <= 0
                 : op == CompareOp::kGt ? c > 0
                                        : c >= 0;
    if (match) want.push_back({row[1], row[column], row[5], row[9]});
  }
  if (superset) {
    ASSERT_GE(got.size(), want.size());
    size_t j = 0;  // want must be a subsequence of got
    for (size_t r = 0; r < got.size() && j < want.size(); r++) j += got[r] == want[j];
    EXPECT_EQ(j, want.size()) << "column " << column << " " << constant.ToSqlLiteral();
    return;
  }
  ASSERT_EQ(got.size(), want.size()) << "column " << column << " " << constant.ToSqlLiteral();
  for (size_t r = 0; r < want.size(); r++) EXPECT_EQ(got[r], want[r]) << r;
}

TEST(ParquetReader, FiltersEvaluatedInTheScanKeepExactlyTheMatchingRows) {
  TempDir dir;
  std::string path = dir.path() + "/t.parquet";
  ParquetWriteOptions options;
  options.row_group_rows = 1500;
  options.page_rows = 200;
  WriteTestFile(path, 4000, options);
  CheckFilterInScan(path, 1, CompareOp::kLt, Value::Integer(500));    // INTEGER
  CheckFilterInScan(path, 1, CompareOp::kGe, Value::Integer(10000));  // none
  CheckFilterInScan(path, 2, CompareOp::kGt, Value::BigInt(-(int64_t{1} << 40) + 3000000000LL));
  CheckFilterInScan(path, 3, CompareOp::kLe, Value::Double(12.5));  // DOUBLE
  CheckFilterInScan(path, 4, CompareOp::kEq, Value::Decimal(101 * 77 - 5000, 12, 2));
  CheckFilterInScan(path, 5, CompareOp::kEq, Value::Varchar("row 1234"));     // PLAIN strings
  CheckFilterInScan(path, 5, CompareOp::kLt, Value::Varchar("row 2"), true);  // left to the engine
  CheckFilterInScan(path, 6, CompareOp::kGe, Value::Date(18000 + 3990));      // DATE
  CheckFilterInScan(path, 9, CompareOp::kEq, Value::Varchar("green"));        // dictionary
  CheckFilterInScan(path, 9, CompareOp::kEq, Value::Varchar("yellow"));
}

TEST(ParquetEncoding, DeltaBinaryPackedDecodesTheSpecExample) {
  // Values 7, 5, 3, 1, 2, 3, 4, 5: block 128, 4 miniblocks, deltas -2,-2,-2,1,1,1,1 -> min -2,
  // adjusted 0,0,0,3,3,3,3 with bit width 2 in the first miniblock.
  std::vector<uint8_t> data = {0x80, 0x01, 4, 8, 14 /* zigzag(7) */, 3 /* zigzag(-2) */,
                               2,    0,    0, 0};
  std::vector<uint8_t> mini(8, 0);  // 32 values x 2 bits
  uint64_t bits = 0;
  uint32_t adj[] = {0, 0, 0, 3, 3, 3, 3};
  for (int i = 0; i < 7; i++) bits |= static_cast<uint64_t>(adj[i]) << (2 * i);
  for (int b = 0; b < 8; b++) mini[b] = static_cast<uint8_t>(bits >> (8 * b));
  data.insert(data.end(), mini.begin(), mini.end());
  std::vector<int64_t> out;
  size_t used = parquet::DecodeDeltaBinaryPacked(data.data(), data.size(), 8, &out);
  EXPECT_EQ(out, (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_EQ(used, data.size());
  // Only the bits of the needed values must be present: header, min delta, widths, 2 bytes.
  for (size_t cut = 0; cut < 12; cut++) {
    EXPECT_THROW(parquet::DecodeDeltaBinaryPacked(data.data(), cut, 8, &out), Error) << cut;
  }
}

TEST(ParquetMetadata, TruncatedFootersFailCleanly) {
  TempDir dir;
  std::string path = dir.path() + "/t.parquet";
  WriteTestFile(path, 100, {});
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint32_t len;
  std::memcpy(&len, bytes.data() + bytes.size() - 8, 4);
  const auto* footer = reinterpret_cast<const uint8_t*>(bytes.data() + bytes.size() - 8 - len);
  EXPECT_NO_THROW(parquet::DecodeFileMetaData(footer, len));
  for (uint32_t cut = 0; cut < len; cut++) {
    std::vector<uint8_t> copy(footer, footer + cut);  // exact-size buffer: ASan sees any overread
    try {
      parquet::DecodeFileMetaData(copy.data(), copy.size());
    } catch (const Error&) {
    }
  }
}

// Flips random bytes of written files and of the conformance files: every read either succeeds
// or throws aishell::Error.
TEST(ParquetReader, CorruptedFilesFailCleanly) {
  TempDir dir;
  std::string good = dir.path() + "/good.parquet";
  WriteTestFile(good, 3000, {});
  std::vector<std::string> sources = {good};
  for (const char* base :
       {"../shared/fixtures/parquet-testing/data", "../../shared/fixtures/parquet-testing/data",
        "/work/shared/fixtures/parquet-testing/data"}) {
    if (!std::filesystem::is_directory(base)) continue;
    for (const char* f :
         {"alltypes_plain.parquet", "delta_byte_array.parquet", "datapage_v2.snappy.parquet",
          "byte_stream_split.zstd.parquet", "rle_boolean_encoding.parquet"}) {
      sources.push_back(std::string(base) + "/" + f);
    }
    break;
  }
  std::mt19937 rng(42);
  int failures = 0, successes = 0;
  for (const auto& src : sources) {
    std::ifstream in(src, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(bytes.size(), 12u) << src;
    for (int round = 0; round < 60; round++) {
      std::string copy = bytes;
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; k++) copy[rng() % copy.size()] = static_cast<char>(rng());
      if (round % 10 == 9) copy.resize(rng() % copy.size());
      std::string path = dir.Write("bad.parquet", copy);
      try {
        ReadFile(path);
        successes++;
      } catch (const Error& e) {
        EXPECT_NE(e.kind(), ErrorKind::kInternal) << e.what();
        EXPECT_NE(std::string(e.what()).find("bad.parquet"), std::string::npos) << e.what();
        failures++;
      }
    }
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace aishell
