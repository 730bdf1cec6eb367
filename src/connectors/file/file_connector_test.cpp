#include "connectors/file/file_connector.h"

#include <gtest/gtest.h>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "formats/testing/file_test_util.h"

namespace aishell {
namespace {

using testing::ExpectError;
using testing::ReadAll;
using testing::Rows;
using testing::TempDir;

std::shared_ptr<Connector> Connect(const std::string& url, const std::string& name = "local") {
  RegisterBuiltinConnectors();
  ConnectionConfig config;
  config.name = name;
  config.type = ConnectorFactory::TypeForUrl(url);
  config.url = url;
  return ConnectorFactory::Make(config);
}

Batch MakeBatch(const std::vector<std::vector<Value>>& rows,
                const std::vector<LogicalType>& types) {
  Batch batch(types, std::max<size_t>(rows.size(), 1));
  batch.SetCount(rows.size());
  for (size_t r = 0; r < rows.size(); r++) {
    for (size_t c = 0; c < types.size(); c++) batch.columns[c].SetValue(r, rows[r][c]);
  }
  return batch;
}

TEST(FileConnectorTest, ListsSchemasTablesAndScans) {
  TempDir dir;
  dir.Write("customers.csv", "customer_id,region\ncust_1,Europe\ncust_2,Asia\n");
  dir.Write("events.jsonl", "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n");
  dir.Write("notes.txt", "ignored");
  dir.Write("demo/transactions.csv", "transaction_id,quantity\ntxn_1,3\ntxn_2,5\n");
  dir.Write("demo/products.tsv", "product_id\tunit_price\nprod_1\t9.5\n");
  auto conn = Connect("file://" + dir.path());
  EXPECT_EQ(ConnectorFactory::TypeForUrl("file:///x"), "file");
  EXPECT_EQ(conn->TypeName(), "file");
  EXPECT_EQ(conn->DefaultSchema(), "default");
  EXPECT_EQ(conn->ListSchemas(), (std::vector<std::string>{"default", "demo"}));
  EXPECT_EQ(conn->ListTables("default"), (std::vector<std::string>{"customers", "events"}));
  EXPECT_EQ(conn->ListTables("demo"), (std::vector<std::string>{"products", "transactions"}));
  EXPECT_EQ(conn->GetTable("default", "nosuch"), nullptr);
  EXPECT_EQ(conn->GetTable("nosuch", "customers"), nullptr);

  auto info = conn->GetTable("demo", "TRANSACTIONS");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->schema, "demo");
  EXPECT_EQ(info->name, "transactions");
  ASSERT_EQ(info->columns.size(), 2u);
  EXPECT_EQ(info->columns[1].type, LogicalType(TypeId::kBigInt));
  auto scan = conn->CreateScan(info);
  Rows rows = ReadAll(*scan);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1], Value::BigInt(5));

  auto products = conn->GetTable("demo", "products");
  ASSERT_NE(products, nullptr);
  EXPECT_EQ(products->columns[1].type, LogicalType(TypeId::kDouble));
  auto events = conn->GetTable("default", "events");
  ASSERT_NE(events, nullptr);
  auto escan = conn->CreateScan(events);
  EXPECT_TRUE(escan->PushLimit(2));
  EXPECT_EQ(ReadAll(*escan).size(), 2u);
  EXPECT_NE(conn->Summary().find("table"), std::string::npos);
}

TEST(FileConnectorTest, MissingFolderIsAConnectorError) {
  ExpectError([&] { Connect("file:///nonexistent/folder/xyz"); }, ErrorKind::kConnector,
              "file source 'local': /nonexistent/folder/xyz is not a folder");
}

TEST(FileConnectorTest, CreateTableWritesCsvAtomically) {
  TempDir dir;
  auto conn = Connect("file://" + dir.path());
  ASSERT_TRUE(conn->SupportsWrites());
  std::vector<ColumnInfo> cols{{"id", TypeId::kBigInt, true, {}},
                               {"name", TypeId::kVarchar, true, {}}};
  std::vector<LogicalType> types{TypeId::kBigInt, TypeId::kVarchar};
  {
    auto writer = conn->CreateTable("default", "people", cols);
    writer->Append(MakeBatch(
        {{Value::BigInt(1), Value::Varchar("a,b")}, {Value::BigInt(2), Value::Null()}}, types));
    // Nothing visible before Commit.
    EXPECT_EQ(conn->GetTable("default", "people"), nullptr);
    writer->Append(MakeBatch({{Value::BigInt(3), Value::Varchar("")}}, types));
    writer->Commit();
  }
  EXPECT_EQ(dir.Files(), (std::vector<std::string>{"people.csv"}));
  EXPECT_EQ(dir.Read("people.csv"), "id,name\n1,\"a,b\"\n2,\n3,\"\"\n");
  auto info = conn->GetTable("default", "people");
  ASSERT_NE(info, nullptr);
  Rows rows = ReadAll(*conn->CreateScan(info));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], Value::Varchar("a,b"));
  EXPECT_TRUE(rows[1][1].is_null());
  EXPECT_EQ(rows[2][1], Value::Varchar(""));

  // Creating it again fails.
  ExpectError([&] { conn->CreateTable("default", "people", cols); }, ErrorKind::kCatalog,
              "already exists");

  // INSERT appends, all-or-nothing.
  {
    auto writer = conn->InsertInto(info);
    writer->Append(MakeBatch({{Value::BigInt(4), Value::Varchar("d")}}, types));
    writer->Abort();
  }
  EXPECT_EQ(dir.Files(), (std::vector<std::string>{"people.csv"}));
  EXPECT_EQ(ReadAll(*conn->CreateScan(conn->GetTable("default", "people"))).size(), 3u);
  {
    auto writer = conn->InsertInto(conn->GetTable("default", "people"));
    writer->Append(MakeBatch({{Value::BigInt(4), Value::Varchar("d")}}, types));
    writer->Commit();
  }
  Rows after = ReadAll(*conn->CreateScan(conn->GetTable("default", "people")));
  ASSERT_EQ(after.size(), 4u);
  EXPECT_EQ(after[3][1], Value::Varchar("d"));
}

TEST(FileConnectorTest, WriterWithoutCommitLeavesNothing) {
  TempDir dir;
  auto conn = Connect("file://" + dir.path());
  std::vector<ColumnInfo> cols{{"x", TypeId::kDouble, true, {}}};
  {
    auto writer = conn->CreateTable("default", "t", cols);
    writer->Append(MakeBatch({{Value::Double(1.5)}}, {TypeId::kDouble}));
  }  // destroyed without Commit
  EXPECT_TRUE(dir.Files().empty());
  // A new schema becomes a sub-folder.
  {
    auto writer = conn->CreateTable("newschema", "t", cols);
    writer->Append(MakeBatch({{Value::Double(1.5)}}, {TypeId::kDouble}));
    writer->Commit();
  }
  auto info = conn->GetTable("newschema", "t");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(ReadAll(*conn->CreateScan(info))[0][0], Value::Double(1.5));
  ExpectError([&] { conn->CreateTable("default", "../escape", cols); }, ErrorKind::kCatalog,
              "invalid table name");
}

TEST(FileConnectorTest, RegistryMakesItLazily) {
  TempDir dir;
  dir.Write("a.csv", "x\n1\n");
  RegisterBuiltinConnectors();
  CatalogRegistry registry;
  ConnectionConfig config{"local", "file", "file://" + dir.path(), {}};
  registry.AddCatalog(config);
  auto conn = registry.GetCatalog("local");
  ASSERT_NE(conn, nullptr);
  EXPECT_NE(conn->GetTable("default", "a"), nullptr);
}

TEST(FileConnectorTest, InsertIntoJsonLinesAndWriteFormat) {
  TempDir dir;
  dir.Write("ev.jsonl", "{\"id\":1,\"tag\":\"a\"}");  // no final line break
  RegisterBuiltinConnectors();
  ConnectionConfig config{"local", "file", "file://" + dir.path(), {{"write_format", "json"}}};
  auto conn = ConnectorFactory::Make(config);
  auto info = conn->GetTable("default", "ev");
  ASSERT_NE(info, nullptr);
  {
    auto writer = conn->InsertInto(info);
    writer->Append(MakeBatch({{Value::BigInt(2), Value::Varchar("b\"q")}},
                             {TypeId::kBigInt, TypeId::kVarchar}));
    writer->Commit();
  }
  Rows rows = ReadAll(*conn->CreateScan(conn->GetTable("default", "ev")));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1], Value::Varchar("b\"q"));
  {
    auto writer = conn->CreateTable("default", "made", {{"x", TypeId::kBigInt, true, {}}});
    writer->Append(MakeBatch({{Value::BigInt(5)}, {Value::Null()}}, {TypeId::kBigInt}));
    writer->Commit();
  }
  EXPECT_EQ(dir.Read("made.jsonl"), "{\"x\":5}\n{\"x\":null}\n");
  ConnectionConfig bad{"local", "file", "file://" + dir.path(), {{"write_format", "xml"}}};
  ExpectError([&] { ConnectorFactory::Make(bad); }, ErrorKind::kConnector, "write_format");
}

}  // namespace
}  // namespace aishell
