#include "formats/csv/csv_reader.h"

#include <gtest/gtest.h>

#include "catalog/catalog_registry.h"
#include "common/date_time.h"
#include "common/exception.h"
#include "expr/expression.h"
#include "formats/file_scan.h"
#include "formats/testing/file_test_util.h"

namespace aishell {
namespace {

using testing::ExpectError;
using testing::ReadAll;
using testing::Rows;
using testing::TempDir;

std::shared_ptr<FileTable> OpenCsv(const std::string& path, FileOptions options = {}) {
  CsvFormat format;
  return format.Open("read_csv", {path}, options, "", "t");
}

Rows ReadCsv(const std::string& path, FileOptions options = {}) {
  auto table = OpenCsv(path, options);
  auto scan = table->CreateScan();
  return ReadAll(*scan);
}

TEST(CsvReaderTest, InfersTypesFromSample) {
  TempDir dir;
  auto path = dir.Write("t.csv",
                        "id,amount,flag,day,ts,name\n"
                        "1,12.5,true,2024-03-01,2024-03-01 10:00:00,alice\n"
                        "2,7,false,2024-03-02,2024-03-02 11:30:00,bob\n"
                        "-3,1e3,TRUE,2024-12-31,2024-12-31T23:59:59,carol\n");
  auto table = OpenCsv(path);
  const auto& cols = table->info()->columns;
  ASSERT_EQ(cols.size(), 6u);
  EXPECT_EQ(cols[0].name, "id");
  EXPECT_EQ(cols[0].type, LogicalType(TypeId::kBigInt));
  EXPECT_EQ(cols[1].type, LogicalType(TypeId::kDouble));
  EXPECT_EQ(cols[2].type, LogicalType(TypeId::kBoolean));
  EXPECT_EQ(cols[3].type, LogicalType(TypeId::kDate));
  EXPECT_EQ(cols[4].type, LogicalType(TypeId::kTimestamp));
  EXPECT_EQ(cols[5].type, LogicalType(TypeId::kVarchar));
  EXPECT_EQ(table->info()->stats.row_count, 3.0);  // the sample was the whole file: exact
  auto scan = table->CreateScan();
  Rows rows = ReadAll(*scan);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2][0], Value::BigInt(-3));
  EXPECT_EQ(rows[0][1], Value::Double(12.5));
  EXPECT_EQ(rows[2][1], Value::Double(1000));
  EXPECT_EQ(rows[1][2], Value::Boolean(false));
  EXPECT_EQ(rows[2][3], Value::Date(*ParseDate("2024-12-31")));
  EXPECT_EQ(rows[1][4], Value::Timestamp(*ParseTimestamp("2024-03-02 11:30:00")));
  EXPECT_EQ(rows[2][5], Value::Varchar("carol"));
}

TEST(CsvReaderTest, QuotesEscapesEmbeddedNewlinesAndCrLf) {
  TempDir dir;
  auto path = dir.Write("q.csv",
                        "id,text,n\r\n"
                        "1,\"a,b\",10\r\n"
                        "2,\"say \"\"hi\"\"\",20\r\n"
                        "3,\"two\r\nlines\",30\r\n"
                        "4,plain,40");  // no final line break
  Rows rows = ReadCsv(path);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][1], Value::Varchar("a,b"));
  EXPECT_EQ(rows[1][1], Value::Varchar("say \"hi\""));
  EXPECT_EQ(rows[2][1], Value::Varchar("two\r\nlines"));
  EXPECT_EQ(rows[3][1], Value::Varchar("plain"));
  EXPECT_EQ(rows[3][2], Value::BigInt(40));
}

TEST(CsvReaderTest, EmptyUnquotedFieldIsNullQuotedEmptyIsEmptyString) {
  TempDir dir;
  auto path = dir.Write("n.csv", "a,b,c\n1,,x\n,\"\",\n3,5,\n");
  auto table = OpenCsv(path);
  EXPECT_EQ(table->info()->columns[0].type, LogicalType(TypeId::kBigInt));
  EXPECT_EQ(table->info()->columns[1].type, LogicalType(TypeId::kBigInt));
  auto scan = table->CreateScan();
  Rows rows = ReadAll(*scan);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0][1].is_null());
  EXPECT_TRUE(rows[1][0].is_null());
  EXPECT_TRUE(rows[1][1].is_null());  // quoted empty in a number column
  EXPECT_TRUE(rows[1][2].is_null());  // trailing empty field
  EXPECT_EQ(rows[0][2], Value::Varchar("x"));
  EXPECT_EQ(rows[2][1], Value::BigInt(5));

  auto path2 = dir.Write("s.csv", "a,b\nx,\"\"\ny,\n");
  Rows rows2 = ReadCsv(path2);
  ASSERT_EQ(rows2.size(), 2u);
  EXPECT_EQ(rows2[0][1], Value::Varchar(""));
  EXPECT_TRUE(rows2[1][1].is_null());
}

TEST(CsvReaderTest, DetectsDelimiters) {
  TempDir dir;
  for (char d : {';', '\t', '|', ','}) {
    std::string s = "a" + std::string(1, d) + "b" + std::string(1, d) + "c\n1" + std::string(1, d) +
                    "x,y" + std::string(1, d) + "2.5\n";
    if (d == ',') s = "a,b,c\n1,\"x,y\",2.5\n";
    auto path = dir.Write("d.csv", s);
    auto table = OpenCsv(path);
    ASSERT_EQ(table->info()->columns.size(), 3u) << "delimiter " << d;
    Rows rows = ReadAll(*table->CreateScan());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][1], Value::Varchar("x,y"));
    EXPECT_EQ(rows[0][2], Value::Double(2.5));
  }
}

TEST(CsvReaderTest, ExplicitDelimiterOption) {
  TempDir dir;
  auto path = dir.Write("e.csv", "a;b\n1;2\n");
  Rows rows = ReadCsv(path, {{"delim", Value::Varchar(",")}});
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 1u);
  EXPECT_EQ(rows[0][0], Value::Varchar("1;2"));
  ExpectError(
      [&] {
        ReadCsv(path, {{"delim", Value::Varchar(";;")}});
      },
      ErrorKind::kBinder, "single character");
}

TEST(CsvReaderTest, DetectsMissingHeader) {
  TempDir dir;
  auto path = dir.Write("nh.csv", "1,2.5,x\n2,3.5,y\n3,4.5,z\n");
  auto table = OpenCsv(path);
  EXPECT_EQ(table->info()->columns[0].name, "column0");
  EXPECT_EQ(table->info()->columns[0].type, LogicalType(TypeId::kBigInt));
  EXPECT_EQ(ReadAll(*table->CreateScan()).size(), 3u);
  // header => true forces the first row to be names.
  auto forced = OpenCsv(path, {{"header", Value::Boolean(true)}});
  EXPECT_EQ(forced->info()->columns[0].name, "1");
  EXPECT_EQ(ReadAll(*forced->CreateScan()).size(), 2u);
  // header => false on a file with a header reads the names as data.
  auto with_header = dir.Write("wh.csv", "a,b\n1,2\n");
  Rows rows = ReadCsv(with_header, {{"header", Value::Boolean(false)}});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], Value::Varchar("a"));
}

TEST(CsvReaderTest, HeaderOnlyFileHasColumnsAndNoRows) {
  TempDir dir;
  auto path = dir.Write("h.csv", "id,name\n");
  auto table = OpenCsv(path);
  ASSERT_EQ(table->info()->columns.size(), 2u);
  EXPECT_EQ(table->info()->columns[1].name, "name");
  EXPECT_EQ(ReadAll(*table->CreateScan()).size(), 0u);
}

TEST(CsvReaderTest, EmptyFileIsAClearError) {
  TempDir dir;
  auto path = dir.Write("empty.csv", "");
  ExpectError([&] { OpenCsv(path); }, ErrorKind::kIo, "empty.csv is empty");
  auto blank = dir.Write("blank.csv", "\n\n\r\n");
  ExpectError([&] { OpenCsv(blank); }, ErrorKind::kIo, "is empty");
  // With explicit columns an empty file is an empty table.
  auto table = OpenCsv(path, {{"columns", Value::Varchar("a BIGINT, b VARCHAR")}});
  ASSERT_EQ(table->info()->columns.size(), 2u);
  EXPECT_EQ(table->info()->columns[0].type, LogicalType(TypeId::kBigInt));
  EXPECT_EQ(ReadAll(*table->CreateScan()).size(), 0u);
}

TEST(CsvReaderTest, MissingFileThroughTableFunction) {
  RegisterBuiltinConnectors();
  const TableFunction* fn = TableFunctionRegistry::Find("read_csv");
  ASSERT_NE(fn, nullptr);
  ExpectError([&] { (*fn)({Value::Varchar("/nonexistent/x/*.csv")}, {}); }, ErrorKind::kIo,
              "read_csv: no file matches '/nonexistent/x/*.csv'");
  ExpectError([&] { (*fn)({Value::Varchar("/nonexistent/y.csv")}, {}); }, ErrorKind::kIo,
              "no file matches");
  ExpectError([&] { (*fn)({Value::BigInt(3)}, {}); }, ErrorKind::kBinder, "must be a string");
  TempDir dir;
  auto path = dir.Write("a.csv", "x\n1\n");
  ExpectError(
      [&] {
        (*fn)({Value::Varchar(path)}, {{"bogus", Value::BigInt(1)}});
      },
      ErrorKind::kBinder, "unknown option 'bogus'");
}

TEST(CsvReaderTest, GlobReadsEveryFileThroughTableFunction) {
  RegisterBuiltinConnectors();
  TempDir dir;
  dir.Write("part1.csv", "id,v\n1,10\n2,20\n");
  dir.Write("part2.csv", "id,v\n3,30\n");
  dir.Write("other.txt", "not csv\n");
  const TableFunction* fn = TableFunctionRegistry::Find("READ_CSV");
  ASSERT_NE(fn, nullptr);
  BoundTableFunction bound = (*fn)({Value::Varchar(dir.path() + "/*.csv")}, {});
  EXPECT_EQ(bound.source_name, "read_csv");
  ASSERT_EQ(bound.table->columns.size(), 2u);
  EXPECT_EQ(bound.scan->CreateSplits(4).size(), 2u);
  Rows rows = ReadAll(*bound.scan);
  ASSERT_EQ(rows.size(), 3u);
  int64_t sum = 0;
  for (auto& r : rows) sum += r[1].GetInt64();
  EXPECT_EQ(sum, 60);
  EXPECT_GT(*bound.table->stats.row_count, 0);
}

TEST(CsvReaderTest, WrongFieldCountNamesFileAndLine) {
  TempDir dir;
  auto path = dir.Write("bad.csv", "a,b\n1,2\n3,4,5\n");
  ExpectError([&] { OpenCsv(path); }, ErrorKind::kIo,
              "bad.csv line 3: expected 2 fields but found 3");
  // Beyond the sample: found while scanning.
  std::string s = "a,b\n";
  for (int i = 0; i < 50; i++) s += std::to_string(i) + ",x\n";
  s += "1\n";
  auto path2 = dir.Write("late.csv", s);
  auto table = OpenCsv(path2, {{"sample_size", Value::BigInt(10)}});
  auto scan = table->CreateScan();
  ExpectError([&] { ReadAll(*scan); }, ErrorKind::kIo,
              "late.csv line 52: expected 2 fields but found 1");
}

TEST(CsvReaderTest, UnterminatedQuoteIsAnError) {
  TempDir dir;
  auto path = dir.Write("uq.csv", "a,b\n1,\"open\n2,3\n");
  ExpectError([&] { OpenCsv(path); }, ErrorKind::kIo, "uq.csv line 2: unterminated quoted field");
  auto path2 = dir.Write("bq.csv", "a,b\n1,\"x\"y\n");
  ExpectError([&] { OpenCsv(path2); }, ErrorKind::kIo,
              "line 2: unexpected character after a closing quote");
}

TEST(CsvReaderTest, LateValueThatDoesNotFitTheInferredType) {
  TempDir dir;
  std::string s = "id,amount\n";
  for (int i = 0; i < 100; i++) s += std::to_string(i) + "," + std::to_string(i) + ".5\n";
  s += "100,abc\n";
  auto path = dir.Write("x.csv", s);
  auto table = OpenCsv(path, {{"sample_size", Value::BigInt(20)}});
  EXPECT_EQ(table->info()->columns[1].type, LogicalType(TypeId::kDouble));
  auto scan = table->CreateScan();
  ExpectError([&] { ReadAll(*scan); }, ErrorKind::kConversion,
              "x.csv line 102, column 'amount': cannot parse 'abc' as DOUBLE");
  // Seen in the sample: the column widens to VARCHAR.
  auto wide = OpenCsv(path);
  EXPECT_EQ(wide->info()->columns[1].type, LogicalType(TypeId::kVarchar));
  // Or the user passes the type.
  auto typed = OpenCsv(
      path, {{"sample_size", Value::BigInt(20)}, {"types", Value::Varchar("amount VARCHAR")}});
  Rows rows = ReadAll(*typed->CreateScan());
  ASSERT_EQ(rows.size(), 101u);
  EXPECT_EQ(rows[100][1], Value::Varchar("abc"));
}

TEST(CsvReaderTest, IntegersStayBigIntAndOverflowWidens) {
  TempDir dir;
  auto path = dir.Write(
      "i.csv", "a,b,c\n1,9223372036854775807,99999999999999999999\n2,-9223372036854775808,1\n");
  auto table = OpenCsv(path);
  EXPECT_EQ(table->info()->columns[0].type, LogicalType(TypeId::kBigInt));
  EXPECT_EQ(table->info()->columns[1].type, LogicalType(TypeId::kBigInt));
  EXPECT_EQ(table->info()->columns[2].type, LogicalType(TypeId::kDouble));
  Rows rows = ReadAll(*table->CreateScan());
  EXPECT_EQ(rows[1][1], Value::BigInt(INT64_MIN));
}

TEST(CsvReaderTest, WideRows) {
  TempDir dir;
  std::string header, row;
  for (int c = 0; c < 300; c++) {
    header += (c ? "," : "") + std::string("c") + std::to_string(c);
    row += (c ? "," : "") + std::to_string(c);
  }
  std::string s = header + "\n";
  for (int r = 0; r < 10; r++) s += row + "\n";
  auto table = OpenCsv(dir.Write("w.csv", s));
  ASSERT_EQ(table->info()->columns.size(), 300u);
  auto scan = table->CreateScan();
  scan->SetProjection({299, 7});
  Rows rows = ReadAll(*scan);
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(rows[9][0], Value::BigInt(299));
  EXPECT_EQ(rows[9][1], Value::BigInt(7));
}

TEST(CsvReaderTest, ProjectionLimitAndEmptyProjection) {
  TempDir dir;
  std::string s = "a,b,c\n";
  for (int i = 0; i < 5000; i++)
    s += std::to_string(i) + ",x" + std::to_string(i) + "," + std::to_string(i * 2) + "\n";
  auto path = dir.Write("p.csv", s);
  auto table = OpenCsv(path);
  {
    auto scan = table->CreateScan();
    scan->SetProjection({2, 0});
    EXPECT_TRUE(scan->PushLimit(3));
    Rows rows = ReadAll(*scan);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[2][0], Value::BigInt(4));
    EXPECT_EQ(rows[2][1], Value::BigInt(2));
    EXPECT_NE(scan->Describe().find("limit=3"), std::string::npos);
  }
  {
    auto scan = table->CreateScan();
    scan->SetProjection({});
    size_t batches = 0;
    Rows rows = ReadAll(*scan, 4, &batches);
    EXPECT_EQ(rows.size(), 5000u);
    EXPECT_GE(batches, 3u);
  }
  {
    auto scan = table->CreateScan();
    EXPECT_FALSE(scan->PushFilter(Expr{}));
    EXPECT_NE(scan->Describe().find(path), std::string::npos);
    Rows rows = ReadAll(*scan);
    ASSERT_EQ(rows.size(), 5000u);
    EXPECT_EQ(rows[4999][1], Value::Varchar("x4999"));
    EXPECT_EQ(scan->counters().rows_read.load(), 5000);
  }
}

TEST(CsvReaderTest, LargeFileSplitsByByteRanges) {
  TempDir dir;
  std::string s = "id,val,name\n";
  const int n = 800000;
  s.reserve(n * 30);
  int64_t expected = 0;
  for (int i = 0; i < n; i++) {
    s += std::to_string(i);
    s += ',';
    s += std::to_string(i % 1000);
    s += ",name_";
    s += std::to_string(i);
    s += '\n';
    expected += i % 1000;
  }
  ASSERT_GT(s.size(), 16u << 20);
  auto path = dir.Write("big.csv", s);
  auto table = OpenCsv(path);
  EXPECT_NEAR(*table->info()->stats.row_count, n, n * 0.2);
  auto scan = table->CreateScan();
  scan->SetProjection({0, 1});
  auto splits = scan->CreateSplits(4);
  EXPECT_GT(splits.size(), 1u);
  int64_t rows = 0, sum = 0, id_sum = 0;
  for (auto& split : splits) {
    auto source = scan->CreateDataSource(split);
    Batch batch;
    while (source->Next(batch)) {
      rows += static_cast<int64_t>(batch.count);
      const int64_t* ids = batch.columns[0].Data<int64_t>();
      const int64_t* vals = batch.columns[1].Data<int64_t>();
      for (size_t r = 0; r < batch.count; r++) {
        sum += vals[r];
        id_sum += ids[r];
      }
    }
  }
  EXPECT_EQ(rows, n);
  EXPECT_EQ(sum, expected);
  EXPECT_EQ(id_sum, static_cast<int64_t>(n) * (n - 1) / 2);
}

TEST(CsvReaderTest, QuotedNewlinesSplitByQuoteParity) {
  TempDir dir;
  // Every row holds a quoted field with line breaks, escaped quotes and delimiters.
  std::string s = "id,text,n\n";
  const int n = 360000;
  int64_t expected = 0;
  for (int i = 0; i < n; i++) {
    s += std::to_string(i) + ",\"line one\nline \"\"two\"\",\r\nthree " + std::to_string(i) +
         "\"," + std::to_string(i % 7) + "\n";
    expected += i % 7;
  }
  ASSERT_GT(s.size(), 16u << 20);
  auto path = dir.Write("qn.csv", s);
  auto scan = OpenCsv(path)->CreateScan();
  auto splits = scan->CreateSplits(4);
  EXPECT_GT(splits.size(), 1u);
  int64_t rows = 0, sum = 0;
  bool texts_ok = true;
  for (auto& split : splits) {
    auto source = scan->CreateDataSource(split);
    Batch batch;
    while (source->Next(batch)) {
      for (size_t r = 0; r < batch.count; r++) {
        int64_t id = batch.columns[0].Data<int64_t>()[r];
        std::string_view text = batch.columns[1].Data<std::string_view>()[r];
        texts_ok = texts_ok && text == "line one\nline \"two\",\r\nthree " + std::to_string(id);
        sum += batch.columns[2].Data<int64_t>()[r];
      }
      rows += static_cast<int64_t>(batch.count);
    }
  }
  EXPECT_EQ(rows, n);
  EXPECT_EQ(sum, expected);
  EXPECT_TRUE(texts_ok);
}

TEST(CsvReaderTest, StrayQuotesWithQuotedNewlinesDisableSplitting) {
  TempDir dir;
  std::string s = "id,text\n1,\"a\nb\"\n2,5'11\"\n";
  for (int i = 0; i < 450000; i++)
    s += std::to_string(i) + ",some longer text here past sixteen megabytes\n";
  ASSERT_GT(s.size(), 16u << 20);
  auto path = dir.Write("sq.csv", s);
  auto scan = OpenCsv(path)->CreateScan();
  EXPECT_EQ(scan->CreateSplits(4).size(), 1u);
  scan->SetProjection({});
  EXPECT_EQ(ReadAll(*scan).size(), 450002u);
  EXPECT_EQ(scan->counters().rows_read.load(), 450002);
}

TEST(CsvReaderTest, TsvAndNullString) {
  TempDir dir;
  auto path = dir.Write("t.tsv", "a\tb\n1\tNA\n2\tz\n");
  Rows rows = ReadCsv(path, {{"nullstr", Value::Varchar("NA")}});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0][1].is_null());
  EXPECT_EQ(rows[1][1], Value::Varchar("z"));
}

TEST(CsvReaderTest, ColumnsAndTypesOverrides) {
  TempDir dir;
  auto path = dir.Write("o.csv", "1,2024-01-02,3.50\n2,2024-01-03,4.25\n");
  auto table = OpenCsv(path, {{"header", Value::Boolean(false)},
                              {"columns", Value::Varchar("id, day, price")},
                              {"types", Value::Varchar("VARCHAR, DATE, DECIMAL(10,2)")}});
  const auto& cols = table->info()->columns;
  EXPECT_EQ(cols[0].name, "id");
  EXPECT_EQ(cols[0].type, LogicalType(TypeId::kVarchar));
  EXPECT_EQ(cols[2].type, LogicalType::Decimal(10, 2));
  Rows rows = ReadAll(*table->CreateScan());
  EXPECT_EQ(rows[0][0], Value::Varchar("1"));
  EXPECT_EQ(rows[1][2], Value::Decimal(425, 10, 2));
  ExpectError(
      [&] {
        OpenCsv(path, {{"types", Value::Varchar("nosuch BIGINT")}});
      },
      ErrorKind::kBinder, "names column 'nosuch'");
  ExpectError(
      [&] {
        OpenCsv(path, {{"types", Value::Varchar("id FOO")}});
      },
      ErrorKind::kBinder, "unknown type");
}

TEST(CsvReaderTest, DuplicateAndEmptyHeaderNames) {
  TempDir dir;
  auto table = OpenCsv(dir.Write("dup.csv", "a,A,,b\nx,y,z,w\n"));
  const auto& cols = table->info()->columns;
  EXPECT_EQ(cols[0].name, "a");
  EXPECT_EQ(cols[1].name, "A_1");
  EXPECT_EQ(cols[2].name, "column2");
}

TEST(CsvReaderTest, GlobWithDifferentColumnsIsAnError) {
  TempDir dir;
  dir.Write("a.csv", "id,v\n1,2\n");
  dir.Write("b.csv", "x,y,z\n1,2,3\n");
  dir.Write("c.csv", "");
  CsvFormat format;
  ExpectError(
      [&] {
        format.Open("read_csv", {dir.path() + "/a.csv", dir.path() + "/b.csv"}, {}, "", "t");
      },
      ErrorKind::kIo, "b.csv does not have the columns of");
  dir.Write("b.csv", "ID,V\n3,4\n");
  auto table =
      format.Open("read_csv", {dir.path() + "/a.csv", dir.path() + "/b.csv", dir.path() + "/c.csv"},
                  {}, "", "t");
  EXPECT_EQ(ReadAll(*table->CreateScan()).size(), 2u);
}

// A slow reference tokenizer: RFC 4180 with blank lines skipped.
std::vector<std::vector<std::string>> ReferenceRows(const std::string& text, char delim) {
  std::vector<std::vector<std::string>> rows;
  size_t i = 0, n = text.size();
  while (i < n) {
    while (i < n && (text[i] == '\n' || text[i] == '\r')) i++;
    if (i >= n) break;
    std::vector<std::string> row;
    for (;;) {
      std::string field;
      if (i < n && text[i] == '"') {
        i++;
        for (;;) {
          if (i >= n) return {};  // unterminated
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          field += text[i++];
        }
      } else {
        while (i < n && text[i] != delim && text[i] != '\n' && text[i] != '\r') field += text[i++];
      }
      row.push_back(field);
      if (i < n && text[i] == delim) {
        i++;
        continue;
      }
      if (i < n && text[i] == '\r') i++;
      if (i < n && text[i] == '\n') i++;
      break;
    }
    rows.push_back(row);
  }
  return rows;
}

TEST(CsvReaderTest, TokenizerMatchesReferenceOnRandomInput) {
  uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  const char alphabet[] = {'a', 'b', ',', ';', '\n', '\r', ' ', '1', 'x', 'y', 'z', '7'};
  for (int iter = 0; iter < 300; iter++) {
    // Build rows of fields, some quoted with escapes and embedded line breaks.
    std::string text;
    int rows = 1 + next() % 40;
    for (int r = 0; r < rows; r++) {
      int fields = 1 + next() % 8;
      for (int f = 0; f < fields; f++) {
        if (f) text += ',';
        int len = next() % (iter % 3 == 0 ? 90 : 12);
        bool quoted = next() % 3 == 0;
        std::string v;
        for (int k = 0; k < len; k++) {
          char c = alphabet[next() % sizeof(alphabet)];
          if (!quoted && (c == ',' || c == '\n' || c == '\r')) c = 'q';
          if (quoted && next() % 10 == 0) v += "\"\"";
          v += c;
        }
        text += quoted ? "\"" + v + "\"" : v;
      }
      text += next() % 4 == 0 ? "\r\n" : "\n";
    }
    auto expected = ReferenceRows(text, ',');
    CsvTokenizer tok(text.data(), text.size(), ',', '"');
    size_t pos = 0, start = 0;
    std::vector<std::vector<std::string>> got;
    for (;;) {
      CsvStatus st = tok.Next(pos, start);
      if (st == CsvStatus::kEnd) break;
      ASSERT_EQ(st, CsvStatus::kRow) << "iteration " << iter;
      std::vector<std::string> row;
      for (const auto& f : tok.fields()) {
        std::string out(f.size, '\0');
        out.resize(f.escaped ? CsvUnescape(f, '"', out.data()) : f.size);
        if (!f.escaped) out.assign(f.data, f.size);
        row.push_back(out);
      }
      got.push_back(row);
    }
    ASSERT_EQ(got, expected) << "iteration " << iter;
  }
}

TEST(CsvReaderTest, GarbageNeverCrashes) {
  TempDir dir;
  uint64_t seed = 99;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  const char alphabet[] = {'a',  ',', ';', '\t', '|', '"',  '\n',
                           '\r', '1', '.', '-',  ' ', '\0', '\xff'};
  for (int iter = 0; iter < 200; iter++) {
    std::string text;
    int len = next() % 400;
    for (int k = 0; k < len; k++) text += alphabet[next() % sizeof(alphabet)];
    auto path = dir.Write("g.csv", text);
    try {
      auto table = OpenCsv(path, {{"sample_size", Value::BigInt(1 + next() % 5)}});
      ReadAll(*table->CreateScan());
    } catch (const Error& e) {
      EXPECT_TRUE(e.kind() == ErrorKind::kIo || e.kind() == ErrorKind::kConversion) << e.what();
    }
  }
}

// Found by test/fuzz/csv_fuzzer.cpp: a split that is not at an exact row start (the file has a
// stray quote, so quote parity cannot find rows) skipped to the next '\n', but rows also end at a
// lone '\r': the row after a '\r' just past the split's start was read by no split.
TEST(CsvReaderTest, SplitsAfterALoneCarriageReturnLoseNoRow) {
  FileScan::SetMinByteRangeForTesting(64);
  TempDir dir;
  for (int pad = 0; pad < 40; pad++) {
    std::string text = "id,s\n0," + std::string(static_cast<size_t>(pad), 'p') + "\n1,a\"b\n";
    for (int i = 2; i < 60; i++) text += std::to_string(i) + ",v" + (i % 3 ? "\r" : "\n");
    auto path = dir.Write("cr" + std::to_string(pad) + ".csv", text);
    auto table = OpenCsv(path);
    Rows whole = ReadAll(*table->CreateScan(), 1);
    Rows split = ReadAll(*table->CreateScan(), 4);
    ASSERT_EQ(whole.size(), 60u) << pad;
    ASSERT_EQ(split, whole) << "pad " << pad;
  }
  FileScan::SetMinByteRangeForTesting(size_t{8} << 20);  // back to FileScan::kMinByteRange
}

}  // namespace
}  // namespace aishell
