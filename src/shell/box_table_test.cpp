#include "shell/box_table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/exception.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/testing/file_test_util.h"

namespace aishell {
namespace {

struct Sample {
  std::vector<OutputColumn> columns;
  std::vector<Batch> batches;
};

// id INTEGER, name VARCHAR, price DECIMAL(10,2), day DATE with a NULL in each column.
Sample MakeSample() {
  Sample s;
  s.columns = {{"id", LogicalType(TypeId::kInteger)},
               {"name", LogicalType(TypeId::kVarchar)},
               {"price", LogicalType::Decimal(10, 2)},
               {"day", LogicalType(TypeId::kDate)}};
  std::vector<LogicalType> types;
  for (const auto& c : s.columns) types.push_back(c.type);
  Batch b(types, 3);
  b.SetCount(3);
  b.columns[0].SetValue(0, Value::Integer(1));
  b.columns[0].SetValue(1, Value::Integer(22));
  b.columns[0].SetNull(2);
  b.columns[1].SetString(0, "alice");
  b.columns[1].SetString(1, "bob, \"the\" builder");
  b.columns[1].SetNull(2);
  b.columns[2].SetValue(0, Value::Decimal(1234, 10, 2));
  b.columns[2].SetNull(1);
  b.columns[2].SetValue(2, Value::Decimal(-5, 10, 2));
  b.columns[3].SetValue(0, Value::Date(0));
  b.columns[3].SetValue(1, Value::Date(19723));
  b.columns[3].SetNull(2);
  s.batches.push_back(std::move(b));
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

TEST(ResultFormatTest, BoxTableLayoutAlignmentAndNull) {
  Sample s = MakeSample();
  std::string table = FormatBoxTable(s.columns, s.batches);
  auto lines = Lines(table);
  ASSERT_EQ(lines.size(), 7u) << table;
  EXPECT_EQ(lines[0].rfind("┌", 0), 0u);
  EXPECT_NE(lines[0].find("┬"), std::string::npos);
  EXPECT_EQ(lines[2].rfind("├", 0), 0u);
  EXPECT_EQ(lines[6].rfind("└", 0), 0u);
  // Header row names every column.
  EXPECT_NE(lines[1].find(" id "), std::string::npos);
  EXPECT_NE(lines[1].find(" name "), std::string::npos);
  // Numbers are right-aligned: the id column is 4 wide ("NULL"), so 1 is padded on the left.
  EXPECT_EQ(lines[3].rfind("│    1 │ alice", 0), 0u) << lines[3];
  EXPECT_EQ(lines[4].rfind("│   22 │ bob", 0), 0u) << lines[4];
  EXPECT_NE(lines[3].find(" 12.34 │"), std::string::npos) << lines[3];
  EXPECT_NE(lines[3].find("1970-01-01"), std::string::npos);
  EXPECT_NE(lines[4].find("2024-01-01"), std::string::npos);
  // NULL is shown as NULL.
  EXPECT_EQ(lines[5].rfind("│ NULL │ NULL ", 0), 0u) << lines[5];
  EXPECT_NE(lines[5].find("-0.05"), std::string::npos);
  // Every line has the same display width.
  for (const auto& l : lines) EXPECT_EQ(DisplayWidth(l), DisplayWidth(lines[0])) << l;
}

TEST(ResultFormatTest, BoxTableCutsRowsAndFitsWidth) {
  Sample s = MakeSample();
  TableFormatOptions options;
  options.max_rows = 2;
  auto lines = Lines(FormatBoxTable(s.columns, s.batches, options));
  ASSERT_EQ(lines.size(), 7u);  // 3 borders + header + 2 rows + footer
  EXPECT_EQ(lines.back(), "(showing the first 2 of 3 rows)");

  options.max_rows = 1000;
  options.max_width = 30;
  auto narrow = Lines(FormatBoxTable(s.columns, s.batches, options));
  for (const auto& l : narrow) {
    if (l.rfind("(", 0) == 0) continue;
    EXPECT_LE(DisplayWidth(l), 30u) << l;
  }
}

TEST(ResultFormatTest, BoxTableTruncatesWideCellsWithEllipsis) {
  std::vector<OutputColumn> columns = {{"text", LogicalType(TypeId::kVarchar)}};
  Batch b(std::vector<LogicalType>{LogicalType(TypeId::kVarchar)}, 1);
  b.SetCount(1);
  b.columns[0].SetString(0, std::string(200, 'x'));
  std::vector<Batch> batches;
  batches.push_back(std::move(b));
  TableFormatOptions options;
  options.max_width = 40;
  auto lines = Lines(FormatBoxTable(columns, batches, options));
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(DisplayWidth(lines[3]), 40u) << lines[3];
  EXPECT_NE(lines[3].find("…"), std::string::npos);
}

TEST(ResultFormatTest, DisplayWidthCountsWideCharacters) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("héllo"), 5u);
  EXPECT_EQ(DisplayWidth("日本"), 4u);
  EXPECT_EQ(DisplayWidth("─"), 1u);
}

TEST(ResultFormatTest, CsvQuotingFollowsRfc4180) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
  EXPECT_EQ(CsvField(""), "\"\"");

  Sample s = MakeSample();
  std::ostringstream out;
  WriteCsv(out, s.columns, s.batches);
  EXPECT_EQ(out.str(),
            "id,name,price,day\n"
            "1,alice,12.34,1970-01-01\n"
            "22,\"bob, \"\"the\"\" builder\",,2024-01-01\n"
            ",,-0.05,\n");
}

TEST(ResultFormatTest, JsonEscapingAndTypes) {
  EXPECT_EQ(JsonString("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
  EXPECT_EQ(JsonString("h\xC3\xA9 \xE6\x97\xA5"),
            "\"h\xC3\xA9 \xE6\x97\xA5\"");               // valid UTF-8 kept
  EXPECT_EQ(JsonString("bad\xFF!"), "\"bad\\ufffd!\"");  // invalid byte replaced
  EXPECT_EQ(JsonString("cut\xC3"), "\"cut\\ufffd\"");
  Sample s = MakeSample();
  std::ostringstream out;
  WriteJson(out, s.columns, s.batches);
  EXPECT_EQ(
      out.str(),
      "[\n"
      "  {\"id\":1,\"name\":\"alice\",\"price\":12.34,\"day\":\"1970-01-01\"},\n"
      "  {\"id\":22,\"name\":\"bob, \\\"the\\\" builder\",\"price\":null,\"day\":\"2024-01-01\"},\n"
      "  {\"id\":null,\"name\":null,\"price\":-0.05,\"day\":null}\n"
      "]\n");
  std::ostringstream lines;
  WriteJsonl(lines, s.columns, s.batches);
  auto l = Lines(lines.str());
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], "{\"id\":1,\"name\":\"alice\",\"price\":12.34,\"day\":\"1970-01-01\"}");
}

TEST(ResultFormatTest, JsonEmptyResultIsEmptyArray) {
  Sample s = MakeSample();
  std::ostringstream out;
  WriteJson(out, s.columns, {});
  EXPECT_EQ(out.str(), "[]\n");
}

TEST(ResultFormatTest, JsonTimestampsDoublesAndBooleans) {
  std::vector<LogicalType> types = {LogicalType(TypeId::kTimestamp), LogicalType(TypeId::kDouble),
                                    LogicalType(TypeId::kBoolean)};
  Batch b(types, 1);
  b.SetCount(1);
  b.columns[0].SetValue(0, Value::Timestamp(1500000));  // 1970-01-01 00:00:01.5
  b.columns[1].SetValue(0, Value::Double(0.25));
  b.columns[2].SetValue(0, Value::Boolean(true));
  EXPECT_EQ(JsonCell(b.columns[0], 0), "\"1970-01-01T00:00:01.5\"");
  EXPECT_EQ(JsonCell(b.columns[1], 0), "0.25");
  EXPECT_EQ(JsonCell(b.columns[2], 0), "true");
  EXPECT_EQ(CellText(b.columns[2], 0), "true");
}

TEST(ResultFormatTest, ConstantAndDictionaryVectors) {
  std::vector<OutputColumn> columns = {{"k", LogicalType(TypeId::kVarchar)},
                                       {"c", LogicalType(TypeId::kBigInt)}};
  auto dictionary = std::make_shared<Vector>(LogicalType(TypeId::kVarchar), 2);
  dictionary->Resize(2);
  dictionary->SetString(0, "x,y");
  dictionary->SetNull(1);
  auto indices = std::make_shared<Buffer>(3 * sizeof(uint32_t));
  auto* idx = reinterpret_cast<uint32_t*>(indices->data());
  idx[0] = 1;
  idx[1] = 0;
  idx[2] = 0;
  Batch b;
  b.columns.push_back(Vector::Dictionary(dictionary, indices, 3));
  b.columns.push_back(Vector::Constant(Value::BigInt(7), 3));
  b.count = 3;
  std::vector<Batch> batches;
  batches.push_back(std::move(b));
  std::ostringstream csv;
  WriteCsv(csv, columns, batches);
  EXPECT_EQ(csv.str(), "k,c\n,7\n\"x,y\",7\n\"x,y\",7\n");
  std::ostringstream jsonl;
  WriteJsonl(jsonl, columns, batches);
  EXPECT_EQ(jsonl.str(),
            "{\"k\":null,\"c\":7}\n{\"k\":\"x,y\",\"c\":7}\n{\"k\":\"x,y\",\"c\":7}\n");
  auto lines = Lines(FormatBoxTable(columns, batches));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[3], "│ NULL │ 7 │");
}

TEST(ResultFormatTest, ParsesFormatNames) {
  EXPECT_EQ(ParseOutputFormat("CSV"), OutputFormat::kCsv);
  EXPECT_EQ(ParseOutputFormat("jsonl"), OutputFormat::kJsonl);
  EXPECT_EQ(ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_FALSE(ParseOutputFormat("xml").has_value());
  EXPECT_FALSE(ParseOutputFormat("parquet").has_value());  // a file-only format
  EXPECT_TRUE(IsParquetFormatName("Parquet"));
  EXPECT_FALSE(IsParquetFormatName("parq"));
}

TEST(ResultFormatTest, WriteParquetFileRoundTrips) {
  testing::TempDir dir;
  Sample s = MakeSample();
  std::string path = dir.path() + "/out.parquet";
  WriteParquetFile(path, s.columns, s.batches);
  EXPECT_EQ(dir.Files(), std::vector<std::string>{"out.parquet"});
  ParquetFormat format;
  auto table = format.Open("read_parquet", {path}, {}, "", "t");
  ASSERT_EQ(table->info()->columns.size(), s.columns.size());
  for (size_t c = 0; c < s.columns.size(); c++) {
    EXPECT_EQ(table->info()->columns[c].name, s.columns[c].name);
    EXPECT_EQ(table->info()->columns[c].type, s.columns[c].type);
  }
  auto scan = table->CreateScan();
  testing::Rows rows = testing::ReadAll(*scan);
  ASSERT_EQ(rows.size(), 3u);
  for (size_t r = 0; r < 3; r++)
    for (size_t c = 0; c < s.columns.size(); c++)
      EXPECT_EQ(rows[r][c], s.batches[0].columns[c].GetValue(r)) << "row " << r << " col " << c;
}

TEST(ResultFormatTest, WriteParquetFileFailsWithoutLeavingFiles) {
  testing::TempDir dir;
  Sample s = MakeSample();
  EXPECT_THROW(WriteParquetFile(dir.path() + "/missing/out.parquet", s.columns, s.batches), Error);
  std::vector<OutputColumn> interval = {{"i", LogicalType(TypeId::kInterval)}};
  EXPECT_THROW(WriteParquetFile(dir.path() + "/iv.parquet", interval, {}), Error);
  EXPECT_TRUE(dir.Files().empty());
}

TEST(BoxTableTest, DoublesShowWithoutSummationNoise) {
  EXPECT_EQ(ReadableDouble(30618765.36999964), "30618765.37");
  EXPECT_EQ(ReadableDouble(0.1 + 0.2), "0.3");
  EXPECT_EQ(ReadableDouble(5.0), "5.0");
  EXPECT_EQ(ReadableDouble(-0.5), "-0.5");
  EXPECT_EQ(ReadableDouble(123456789012.25), "123456789012.25");
  EXPECT_EQ(ReadableDouble(1e20), "1e+20");
  EXPECT_EQ(ReadableDouble(0.0), "0.0");

  std::vector<OutputColumn> columns = {{"total", LogicalType(TypeId::kDouble)},
                                       {"name", LogicalType(TypeId::kVarchar)}};
  Batch b({LogicalType(TypeId::kDouble), LogicalType(TypeId::kVarchar)}, 2);
  b.SetCount(2);
  b.columns[0].SetValue(0, Value::Double(30618765.36999964));
  b.columns[0].SetValue(1, Value::Double(1.5));
  b.columns[1].SetString(0, "a long name that wraps onto more lines");
  b.columns[1].SetString(1, "x");
  std::vector<Batch> batches;
  batches.push_back(b);
  std::string table = FormatBoxTable(columns, batches);
  EXPECT_NE(table.find("│ 30618765.37 │"), std::string::npos) << table;
  EXPECT_NE(table.find("│         1.5 │"), std::string::npos) << table;  // right-aligned
  // CSV keeps every digit.
  std::ostringstream csv;
  WriteResult(csv, OutputFormat::kCsv, columns, batches);
  EXPECT_NE(csv.str().find("30618765.36999964"), std::string::npos) << csv.str();

  TableFormatOptions options;
  options.max_width = 36;
  options.wrap = true;
  std::string wrapped = FormatBoxTable(columns, batches, options);
  EXPECT_NE(wrapped.find("│ 30618765.37 │ a long name that   │"), std::string::npos) << wrapped;
  EXPECT_NE(wrapped.find("│             │ wraps onto more    │"), std::string::npos) << wrapped;
  EXPECT_NE(wrapped.find("│             │ lines              │"), std::string::npos) << wrapped;
  for (size_t start = 0, end; (end = wrapped.find('\n', start)) != std::string::npos;
       start = end + 1)
    EXPECT_LE(DisplayWidth(wrapped.substr(start, end - start)), 36u);
}

}  // namespace
}  // namespace aishell
