#include "formats/json/json_reader.h"

#include <gtest/gtest.h>

#include "catalog/catalog_registry.h"
#include "common/date_time.h"
#include "common/exception.h"
#include "formats/testing/file_test_util.h"

namespace aishell {
namespace {

using testing::ExpectError;
using testing::ReadAll;
using testing::Rows;
using testing::TempDir;

std::shared_ptr<FileTable> OpenJson(const std::string& path, FileOptions options = {}) {
  JsonFormat format;
  return format.Open("read_json", {path}, options, "", "t");
}

int FindCol(const TableInfo& info, const std::string& name) { return info.FindColumn(name); }

TEST(JsonReaderTest, UnionOfKeysTypesAndMissingKeys) {
  TempDir dir;
  auto path = dir.Write(
      "a.jsonl",
      "{\"id\": 1, \"name\": \"alice\", \"score\": 1.5, \"ok\": true, \"day\": \"2024-01-02\"}\n"
      "\n"
      "{\"id\": 2, \"score\": 2, \"extra\": \"x\", \"day\": \"2024-01-03\"}\r\n"
      "{\"id\": 3, \"name\": null, \"ok\": false}\n");
  auto table = OpenJson(path);
  const TableInfo& info = *table->info();
  ASSERT_EQ(info.columns.size(), 6u);
  EXPECT_EQ(info.columns[FindCol(info, "id")].type, LogicalType(TypeId::kBigInt));
  EXPECT_EQ(info.columns[FindCol(info, "name")].type, LogicalType(TypeId::kVarchar));
  EXPECT_EQ(info.columns[FindCol(info, "score")].type, LogicalType(TypeId::kDouble));
  EXPECT_EQ(info.columns[FindCol(info, "ok")].type, LogicalType(TypeId::kBoolean));
  EXPECT_EQ(info.columns[FindCol(info, "day")].type, LogicalType(TypeId::kDate));
  EXPECT_EQ(info.columns[5].name, "extra");
  EXPECT_EQ(info.stats.row_count, 3.0);
  Rows rows = ReadAll(*table->CreateScan());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], Value::Varchar("alice"));
  EXPECT_TRUE(rows[1][1].is_null());  // missing key
  EXPECT_TRUE(rows[2][1].is_null());  // explicit null
  EXPECT_EQ(rows[1][2], Value::Double(2));
  EXPECT_EQ(rows[2][3], Value::Boolean(false));
  EXPECT_TRUE(rows[2][4].is_null());
  EXPECT_EQ(rows[1][4], Value::Date(*ParseDate("2024-01-03")));
  EXPECT_EQ(rows[1][5], Value::Varchar("x"));
  EXPECT_TRUE(rows[0][5].is_null());
}

TEST(JsonReaderTest, NestedValuesReadAsJsonText) {
  TempDir dir;
  auto path =
      dir.Write("n.json",
                "{\"id\":1,\"tags\":[\"a\",\"b\"],\"addr\":{\"city\":\"Oslo\",\"zip\":123}}\n"
                "{\"id\":2,\"tags\":[],\"addr\":\"plain\"}\n");
  auto table = OpenJson(path);
  EXPECT_EQ(table->info()->columns[1].type, LogicalType(TypeId::kVarchar));
  EXPECT_EQ(table->info()->columns[2].type, LogicalType(TypeId::kVarchar));
  Rows rows = ReadAll(*table->CreateScan());
  EXPECT_EQ(rows[0][1], Value::Varchar("[\"a\",\"b\"]"));
  EXPECT_EQ(rows[0][2], Value::Varchar("{\"city\":\"Oslo\",\"zip\":123}"));
  EXPECT_EQ(rows[1][2], Value::Varchar("plain"));
}

TEST(JsonReaderTest, MalformedLineNamesFileAndLine) {
  TempDir dir;
  auto path = dir.Write("bad.jsonl", "{\"a\":1}\n{\"a\":2}\n{\"a\": oops}\n");
  ExpectError([&] { OpenJson(path); }, ErrorKind::kIo, "bad.jsonl line 3: malformed JSON");
  auto path2 = dir.Write("arr.jsonl", "{\"a\":1}\n[1,2]\n");
  ExpectError([&] { OpenJson(path2); }, ErrorKind::kIo,
              "arr.jsonl line 2: malformed JSON: the line is not a JSON object");
  // Beyond the sample: found while scanning.
  std::string s;
  for (int i = 0; i < 30; i++) s += "{\"a\":" + std::to_string(i) + "}\n";
  s += "{\"a\":\n";
  auto path3 = dir.Write("late.jsonl", s);
  auto table = OpenJson(path3, {{"sample_size", Value::BigInt(5)}});
  auto scan = table->CreateScan();
  ExpectError([&] { ReadAll(*scan); }, ErrorKind::kIo, "late.jsonl line 31: malformed JSON");
}

// Found by test/fuzz/json_lines_fuzzer.cpp: a double past the int64 range in a BIGINT column was
// converted to int64 before its range was checked (undefined behaviour; UBSan stops there).
TEST(JsonReaderTest, DoublePastInt64InABigIntColumnIsAConversionError) {
  TempDir dir;
  auto path =
      dir.Write("big.jsonl", "{\"n\": 1}\n{\"n\": 2.0}\n{\"n\": 1.00111e99}\n{\"n\": -1e19}\n");
  auto table = OpenJson(path, {{"sample_size", Value::BigInt(1)}});
  EXPECT_EQ(table->info()->columns[0].type, LogicalType(TypeId::kBigInt));
  ExpectError([&] { ReadAll(*table->CreateScan()); }, ErrorKind::kConversion,
              "big.jsonl line 3, key 'n': cannot read 1.00111e+99 as BIGINT");
}

TEST(JsonReaderTest, LateTypeMismatchIsAConversionError) {
  TempDir dir;
  std::string s;
  for (int i = 0; i < 20; i++) s += "{\"n\":" + std::to_string(i) + "}\n";
  s += "{\"n\":\"twenty\"}\n";
  auto path = dir.Write("m.jsonl", s);
  auto table = OpenJson(path, {{"sample_size", Value::BigInt(10)}});
  EXPECT_EQ(table->info()->columns[0].type, LogicalType(TypeId::kBigInt));
  auto scan = table->CreateScan();
  ExpectError([&] { ReadAll(*scan); }, ErrorKind::kConversion,
              "m.jsonl line 21, key 'n': cannot read \"twenty\" as BIGINT");
  // Mixed in the sample: VARCHAR, numbers as text.
  Rows rows = ReadAll(*OpenJson(path)->CreateScan());
  EXPECT_EQ(rows[3][0], Value::Varchar("3"));
  EXPECT_EQ(rows[20][0], Value::Varchar("twenty"));
}

TEST(JsonReaderTest, ProjectionLimitAndTableFunction) {
  RegisterBuiltinConnectors();
  TempDir dir;
  std::string s;
  for (int i = 0; i < 5000; i++)
    s += "{\"b\":\"v" + std::to_string(i) + "\",\"a\":" + std::to_string(i) + "}\n";
  dir.Write("p.ndjson", s);
  const TableFunction* fn = TableFunctionRegistry::Find("read_json");
  ASSERT_NE(fn, nullptr);
  BoundTableFunction bound = (*fn)({Value::Varchar(dir.path() + "/p.ndjson")}, {});
  EXPECT_EQ(bound.source_name, "read_json");
  EXPECT_NEAR(*bound.table->stats.row_count, 5000, 500);
  bound.scan->SetProjection({1});
  Rows all = ReadAll(*bound.scan);
  ASSERT_EQ(all.size(), 5000u);
  EXPECT_EQ(all[4999][0], Value::BigInt(4999));
  BoundTableFunction limited = (*fn)({Value::Varchar(dir.path() + "/p.ndjson")}, {});
  EXPECT_TRUE(limited.scan->PushLimit(7));
  EXPECT_EQ(ReadAll(*limited.scan).size(), 7u);
  ExpectError([&] { (*fn)({Value::Varchar(dir.path() + "/none*.json")}, {}); }, ErrorKind::kIo,
              "read_json: no file matches");
}

TEST(JsonReaderTest, EmptyFileAndExplicitColumns) {
  TempDir dir;
  auto path = dir.Write("e.jsonl", "");
  ExpectError([&] { OpenJson(path); }, ErrorKind::kIo, "cannot infer its columns");
  auto path2 = dir.Write("c.jsonl", "{\"a\":1,\"b\":\"2024-05-06 07:08:09\"}\n");
  auto table = OpenJson(path2, {{"columns", Value::Varchar("b TIMESTAMP, zz VARCHAR")}});
  ASSERT_EQ(table->info()->columns.size(), 2u);
  Rows rows = ReadAll(*table->CreateScan());
  EXPECT_EQ(rows[0][0], Value::Timestamp(*ParseTimestamp("2024-05-06 07:08:09")));
  EXPECT_TRUE(rows[0][1].is_null());
}

TEST(JsonReaderTest, WriterRoundTrips) {
  TempDir dir;
  Batch batch(
      {LogicalType(TypeId::kBigInt), LogicalType(TypeId::kVarchar), LogicalType(TypeId::kDouble)},
      4);
  batch.SetCount(2);
  batch.columns[0].SetValue(0, Value::BigInt(1));
  batch.columns[1].SetValue(0, Value::Varchar("quote \" and \n newline"));
  batch.columns[2].SetValue(0, Value::Double(3));
  batch.columns[0].SetValue(1, Value::BigInt(2));
  batch.columns[1].SetNull(1);
  batch.columns[2].SetValue(1, Value::Double(0.25));
  JsonFormat format;
  std::vector<ColumnInfo> cols{{"id", TypeId::kBigInt, true, {}},
                               {"s", TypeId::kVarchar, true, {}},
                               {"d", TypeId::kDouble, true, {}}};
  std::string out;
  format.AppendRows(batch, cols, &out);
  auto path = dir.Write("w.jsonl", out);
  auto table = OpenJson(path);
  EXPECT_EQ(table->info()->columns[2].type, LogicalType(TypeId::kDouble));
  Rows rows = ReadAll(*table->CreateScan());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], Value::Varchar("quote \" and \n newline"));
  EXPECT_TRUE(rows[1][1].is_null());
  EXPECT_EQ(rows[1][2], Value::Double(0.25));
}

TEST(JsonReaderTest, ByteOrderMarkAndGarbage) {
  TempDir dir;
  auto path = dir.Write("bom.jsonl", "\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}\n");
  Rows rows = ReadAll(*OpenJson(path)->CreateScan());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], Value::BigInt(2));
  uint64_t seed = 7;
  auto next = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  const char alphabet[] = {'{', '}',  '"', ':', ',', 'a', '1', '[',
                           ']', '\n', ' ', 'n', 'u', 'l', '\\'};
  for (int iter = 0; iter < 200; iter++) {
    std::string text = "{\"a\":1}\n";
    int len = next() % 200;
    for (int k = 0; k < len; k++) text += alphabet[next() % sizeof(alphabet)];
    auto p = dir.Write("g.jsonl", text);
    try {
      ReadAll(*OpenJson(p, {{"sample_size", Value::BigInt(1)}})->CreateScan());
    } catch (const Error& e) {
      EXPECT_TRUE(e.kind() == ErrorKind::kIo || e.kind() == ErrorKind::kConversion) << e.what();
    }
  }
}

}  // namespace
}  // namespace aishell
