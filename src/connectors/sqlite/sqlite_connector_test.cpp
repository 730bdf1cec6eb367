#include "connectors/sqlite/sqlite_connector.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "catalog/catalog_registry.h"
#include "common/date_time.h"
#include "common/exception.h"
#include "common/testing/expect_error.h"
#include "engine/engine.h"
#include "expr/expression.h"
#include "formats/testing/file_test_util.h"

namespace aishell {
namespace {

using testing::ReadAll;
using testing::Rows;
using testing::TempDir;

using testing::ExpectError;

// Expression builders (local: the planner's Make* helpers live on another branch).
ExprPtr Col(int index, LogicalType type) { return MakeColumnRef(index, type); }
ExprPtr Const(Value v) { return MakeConstant(std::move(v)); }
ExprPtr Cmp(CompareOp op, ExprPtr l, ExprPtr r) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kComparison;
  e->type = TypeId::kBoolean;
  e->op = op;
  e->children = {std::move(l), std::move(r)};
  return e;
}
ExprPtr Node(ExprKind kind, std::vector<ExprPtr> children, bool negated = false) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->type = TypeId::kBoolean;
  e->negated = negated;
  e->children = std::move(children);
  return e;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err ? err : "") << " in " << sql;
}

std::string MakeDb(const TempDir& dir, const std::string& name = "app.db") {
  std::string path = dir.path() + "/" + name;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  Exec(db,
       "PRAGMA synchronous = OFF; CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INT, "
       "score REAL, balance DECIMAL(10,2), "
       "born DATE, seen TIMESTAMP, active BOOLEAN, blob_col BLOB, \"we\"\"ird\" VARCHAR(10), misc);"
       "INSERT INTO users VALUES (1, 'alice', 30, 1.5, 10.25, '1994-05-01', '2024-01-02 03:04:05', "
       "1, x'00', 'q', 7);"
       "INSERT INTO users VALUES (2, 'bob', 41, NULL, '3.10', '1983-02-03', '2024-02-03T04:05:06', "
       "0, NULL, NULL, 'x');"
       "INSERT INTO users VALUES (3, 'Alan', NULL, 2, 0, NULL, NULL, NULL, NULL, 'w', NULL);"
       "INSERT INTO users VALUES (4, 'a''; DROP TABLE users; --', 25, 3.5, 1, '2000-01-01', NULL, "
       "1, NULL, NULL, NULL);"
       "CREATE VIEW adults AS SELECT id, name FROM users WHERE age >= 30;"
       "CREATE TABLE bad (n INTEGER); INSERT INTO bad VALUES (1), ('abc');"
       "CREATE TABLE ci (t TEXT COLLATE NOCASE); INSERT INTO ci VALUES ('abc'), ('ABC');");
  sqlite3_close(db);
  return path;
}

std::shared_ptr<Connector> Connect(const std::string& url,
                                   std::map<std::string, std::string> props = {}) {
  RegisterBuiltinConnectors();
  ConnectionConfig config;
  config.name = "app";
  config.type = ConnectorFactory::TypeForUrl(url);
  config.url = url;
  config.properties = std::move(props);
  return ConnectorFactory::Make(config);
}

TEST(SqliteConnectorTest, ListsAndReadsTypedColumns) {
  TempDir dir;
  auto path = MakeDb(dir);
  auto conn = Connect("sqlite://" + path);
  EXPECT_EQ(conn->TypeName(), "sqlite");
  EXPECT_EQ(conn->DefaultSchema(), "main");
  EXPECT_EQ(conn->ListTables("main"), (std::vector<std::string>{"adults", "bad", "ci", "users"}));
  {
    // COLLATE NOCASE would make 'abc' = 'ABC' in SQLite: such columns are compared in the engine.
    auto ci = conn->GetTable("main", "ci");
    ASSERT_NE(ci, nullptr);
    EXPECT_NE(ci->columns[0].comment.find("NOCASE"), std::string::npos);
    auto scan = conn->CreateScan(ci);
    EXPECT_FALSE(scan->PushFilter(
        *Cmp(CompareOp::kEq, Col(0, TypeId::kVarchar), Const(Value::Varchar("abc")))));
  }
  auto info = conn->GetTable("main", "USERS");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->name, "users");
  ASSERT_EQ(info->columns.size(), 11u);
  EXPECT_EQ(info->columns[0].type, LogicalType(TypeId::kBigInt));
  EXPECT_EQ(info->columns[3].type, LogicalType(TypeId::kDouble));
  EXPECT_EQ(info->columns[4].type, LogicalType::Decimal(10, 2));
  EXPECT_EQ(info->columns[5].type, LogicalType(TypeId::kDate));
  EXPECT_EQ(info->columns[6].type, LogicalType(TypeId::kTimestamp));
  EXPECT_EQ(info->columns[7].type, LogicalType(TypeId::kBoolean));
  EXPECT_EQ(info->columns[9].name, "we\"ird");
  EXPECT_EQ(info->columns[10].type, LogicalType(TypeId::kVarchar));
  EXPECT_EQ(info->stats.row_count, 4.0);

  auto scan = conn->CreateScan(info);
  scan->SetProjection({0, 1, 2, 3, 4, 5, 6, 7, 9, 10});
  Rows rows = ReadAll(*scan);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][1], Value::Varchar("alice"));
  EXPECT_EQ(rows[0][2], Value::BigInt(30));
  EXPECT_EQ(rows[0][4], Value::Decimal(1025, 10, 2));
  EXPECT_EQ(rows[1][4], Value::Decimal(310, 10, 2));
  EXPECT_EQ(rows[0][5], Value::Date(*ParseDate("1994-05-01")));
  EXPECT_EQ(rows[1][6], Value::Timestamp(*ParseTimestamp("2024-02-03 04:05:06")));
  EXPECT_EQ(rows[1][7], Value::Boolean(false));
  EXPECT_TRUE(rows[1][3].is_null());
  EXPECT_EQ(rows[2][3], Value::Double(2));
  EXPECT_EQ(rows[0][9], Value::Varchar("7"));  // no declared type: text
  EXPECT_EQ(rows[3][1], Value::Varchar("a'; DROP TABLE users; --"));

  auto view = conn->GetTable("main", "adults");
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(ReadAll(*conn->CreateScan(view)).size(), 2u);
}

TEST(SqliteConnectorTest, PushdownSqlTextAndResults) {
  TempDir dir;
  auto conn = Connect("sqlite://" + MakeDb(dir));
  auto info = conn->GetTable("main", "users");
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0, 1});
  EXPECT_TRUE(
      scan->PushFilter(*Cmp(CompareOp::kGt, Col(2, TypeId::kBigInt), Const(Value::BigInt(26)))));
  EXPECT_TRUE(scan->PushLimit(10));
  EXPECT_EQ(scan->Describe(),
            "SELECT \"id\", \"name\" FROM \"users\" WHERE \"age\" > ? LIMIT 10 [parameters: 26]");
  Rows rows = ReadAll(*scan);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], Value::Varchar("alice"));
  EXPECT_EQ(rows[1][1], Value::Varchar("bob"));
}

TEST(SqliteConnectorTest, InjectionLikeStringsAreBoundNotSpliced) {
  TempDir dir;
  auto path = MakeDb(dir);
  auto conn = Connect("sqlite://" + path);
  auto info = conn->GetTable("main", "users");
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0});
  std::string evil = "a'; DROP TABLE users; --";
  EXPECT_TRUE(scan->PushFilter(
      *Cmp(CompareOp::kEq, Col(1, TypeId::kVarchar), Const(Value::Varchar(evil)))));
  EXPECT_EQ(
      scan->Describe(),
      "SELECT \"id\" FROM \"users\" WHERE \"name\" = ? [parameters: 'a''; DROP TABLE users; --']");
  Rows rows = ReadAll(*scan);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value::BigInt(4));
  // The table is still there.
  EXPECT_EQ(ReadAll(*conn->CreateScan(info)).size(), 4u);
  // Identifiers with quotes are quoted.
  auto scan2 = conn->CreateScan(info);
  scan2->SetProjection({9});
  EXPECT_TRUE(scan2->PushFilter(*Node(ExprKind::kIsNotNull, {Col(9, TypeId::kVarchar)})));
  EXPECT_EQ(scan2->Describe(),
            "SELECT \"we\"\"ird\" FROM \"users\" WHERE \"we\"\"ird\" IS NOT NULL");
  EXPECT_EQ(ReadAll(*scan2).size(), 2u);
}

TEST(SqliteConnectorTest, InIsNullLikeAndOr) {
  TempDir dir;
  auto conn = Connect("sqlite://" + MakeDb(dir));
  auto info = conn->GetTable("main", "users");
  {
    auto scan = conn->CreateScan(info);
    scan->SetProjection({0});
    EXPECT_TRUE(
        scan->PushFilter(*Node(ExprKind::kIn, {Col(0, TypeId::kBigInt), Const(Value::BigInt(1)),
                                               Const(Value::BigInt(3)), Const(Value::BigInt(9))})));
    EXPECT_TRUE(scan->PushFilter(*Node(ExprKind::kIsNull, {Col(2, TypeId::kBigInt)})));
    EXPECT_EQ(scan->Describe(),
              "SELECT \"id\" FROM \"users\" WHERE \"id\" IN (?, ?, ?) AND \"age\" IS NULL "
              "[parameters: 1, 3, 9]");
    Rows rows = ReadAll(*scan);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], Value::BigInt(3));
  }
  {
    // LIKE is case-sensitive, as in Trino: 'A%' matches Alan, not alice.
    auto scan = conn->CreateScan(info);
    scan->SetProjection({1});
    EXPECT_TRUE(scan->PushFilter(
        *Node(ExprKind::kLike, {Col(1, TypeId::kVarchar), Const(Value::Varchar("A%"))})));
    Rows rows = ReadAll(*scan);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], Value::Varchar("Alan"));
  }
  {
    auto scan = conn->CreateScan(info);
    scan->SetProjection({0});
    auto either = Node(
        ExprKind::kOr,
        {Cmp(CompareOp::kLt, Col(3, TypeId::kDouble), Const(Value::Double(1.6))),
         Cmp(CompareOp::kEq, Col(5, TypeId::kDate), Const(Value::Date(*ParseDate("1983-02-03"))))});
    EXPECT_TRUE(scan->PushFilter(*either));
    EXPECT_EQ(scan->Describe(),
              "SELECT \"id\" FROM \"users\" WHERE (\"score\" < ? OR \"born\" = ?) [parameters: "
              "1.6, DATE '1983-02-03']");
    EXPECT_EQ(ReadAll(*scan).size(), 2u);
  }
  {
    // Refused: functions, booleans and timestamps (storage may not compare like the engine).
    auto scan = conn->CreateScan(info);
    auto fn = std::make_shared<Expr>();
    fn->kind = ExprKind::kFunction;
    fn->name = "lower";
    fn->type = TypeId::kVarchar;
    fn->children = {Col(1, TypeId::kVarchar)};
    EXPECT_FALSE(scan->PushFilter(*Cmp(CompareOp::kEq, fn, Const(Value::Varchar("x")))));
    EXPECT_FALSE(scan->PushFilter(
        *Cmp(CompareOp::kEq, Col(7, TypeId::kBoolean), Const(Value::Boolean(true)))));
    EXPECT_FALSE(scan->PushFilter(
        *Cmp(CompareOp::kGt, Col(6, TypeId::kTimestamp), Const(Value::Timestamp(0)))));
    // "misc" has no declared type: it holds the integer 7, which SQLite would not find equal to
    // '7'.
    EXPECT_FALSE(scan->PushFilter(
        *Cmp(CompareOp::kEq, Col(10, TypeId::kVarchar), Const(Value::Varchar("7")))));
    EXPECT_FALSE(scan->PushFilter(*Node(
        ExprKind::kOr, {Cmp(CompareOp::kEq, Col(1, TypeId::kVarchar), Const(Value::Varchar("a"))),
                        Cmp(CompareOp::kEq, fn, Const(Value::Varchar("x")))})));
    EXPECT_EQ(scan->Describe().find("WHERE"), std::string::npos);
    EXPECT_EQ(ReadAll(*scan).size(), 4u);
  }
}

TEST(SqliteConnectorTest, OrderAndLimit) {
  TempDir dir;
  auto conn = Connect("sqlite://" + MakeDb(dir));
  auto info = conn->GetTable("main", "users");
  auto scan = conn->CreateScan(info);
  scan->SetProjection({1, 2});
  SortKey key;
  key.expr = Col(2, TypeId::kBigInt);
  key.ascending = false;
  EXPECT_TRUE(scan->PushOrder({key}, 2));
  EXPECT_EQ(scan->Describe(),
            "SELECT \"name\", \"age\" FROM \"users\" ORDER BY \"age\" DESC NULLS LAST LIMIT 2");
  Rows rows = ReadAll(*scan);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], Value::BigInt(41));
  EXPECT_EQ(rows[1][1], Value::BigInt(30));
}

TEST(SqliteConnectorTest, ValueNotMatchingDeclaredTypeErrors) {
  TempDir dir;
  auto conn = Connect("sqlite://" + MakeDb(dir));
  auto info = conn->GetTable("main", "bad");
  auto scan = conn->CreateScan(info);
  ExpectError([&] { ReadAll(*scan); }, ErrorKind::kConversion,
              "sqlite source 'app': table 'bad' column 'n' row 2: the TEXT value 'abc' is not a "
              "valid BIGINT");
}

TEST(SqliteConnectorTest, MissingDatabaseIsNotCreated) {
  TempDir dir;
  std::string path = dir.path() + "/missing.db";
  ExpectError([&] { Connect("sqlite://" + path); }, ErrorKind::kConnector,
              "sqlite source 'app': cannot open " + path);
  struct stat st;
  EXPECT_NE(::stat(path.c_str(), &st), 0);
  auto notdb = dir.Write(
      "not.db", "this is not a database, just text long enough to fail the header check......");
  ExpectError([&] { Connect("sqlite://" + notdb); }, ErrorKind::kConnector, "cannot open " + notdb);
}

TEST(SqliteConnectorTest, SchemaPropertyRenamesMain) {
  TempDir dir;
  auto conn = Connect("sqlite://" + MakeDb(dir), {{"schema", "public"}});
  EXPECT_EQ(conn->DefaultSchema(), "public");
  EXPECT_EQ(conn->ListSchemas(), (std::vector<std::string>{"public"}));
  auto info = conn->GetTable("public", "users");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->schema, "public");
  EXPECT_EQ(conn->GetTable("other", "users"), nullptr);
}

TEST(SqliteConnectorTest, CreateTableAsCommitsAndRollsBack) {
  TempDir dir;
  auto conn = Connect("sqlite://" + MakeDb(dir));
  ASSERT_TRUE(conn->SupportsWrites());
  std::vector<ColumnInfo> cols{{"k", TypeId::kBigInt, true, {}},
                               {"v", TypeId::kVarchar, true, {}},
                               {"d", TypeId::kDate, true, {}},
                               {"amount", LogicalType::Decimal(12, 2), true, {}}};
  std::vector<LogicalType> types;
  for (auto& c : cols) types.push_back(c.type);
  Batch batch(types, 4);
  batch.SetCount(2);
  batch.columns[0].SetValue(0, Value::BigInt(1));
  batch.columns[1].SetValue(0, Value::Varchar("x'); DROP TABLE users; --"));
  batch.columns[2].SetValue(0, Value::Date(*ParseDate("2024-06-07")));
  batch.columns[3].SetValue(0, Value::Decimal(12345, 12, 2));
  batch.columns[0].SetValue(1, Value::BigInt(2));
  batch.columns[1].SetNull(1);
  batch.columns[2].SetNull(1);
  batch.columns[3].SetNull(1);
  {
    auto writer = conn->CreateTable("main", "copy", cols);
    writer->Append(batch);
    writer->Abort();
  }
  EXPECT_EQ(conn->GetTable("main", "copy"), nullptr);
  {
    auto writer = conn->CreateTable("main", "copy", cols);
    writer->Append(batch);
  }  // destroyed without Commit: rolled back
  EXPECT_EQ(conn->GetTable("main", "copy"), nullptr);
  {
    auto writer = conn->CreateTable("main", "copy", cols);
    writer->Append(batch);
    writer->Commit();
  }
  auto info = conn->GetTable("main", "copy");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->columns[2].type, LogicalType(TypeId::kDate));
  EXPECT_EQ(info->columns[3].type, LogicalType::Decimal(12, 2));
  Rows rows = ReadAll(*conn->CreateScan(info));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], Value::Varchar("x'); DROP TABLE users; --"));
  EXPECT_EQ(rows[0][2], Value::Date(*ParseDate("2024-06-07")));
  EXPECT_EQ(rows[0][3], Value::Decimal(12345, 12, 2));
  EXPECT_TRUE(rows[1][1].is_null());
  ExpectError([&] { conn->CreateTable("main", "copy", cols); }, ErrorKind::kCatalog,
              "already exists");

  // INSERT: rollback leaves the table as it was.
  {
    auto writer = conn->InsertInto(info);
    writer->Append(batch);
    writer->Abort();
  }
  EXPECT_EQ(ReadAll(*conn->CreateScan(info)).size(), 2u);
  {
    auto writer = conn->InsertInto(info);
    writer->Append(batch);
    writer->Commit();
  }
  EXPECT_EQ(ReadAll(*conn->CreateScan(info)).size(), 4u);
  EXPECT_NE(conn->GetTable("main", "users"), nullptr);
}

TEST(SqliteConnectorTest, BatchedKeyLookups) {
  TempDir dir;
  auto path = MakeDb(dir);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    Exec(db, "CREATE TABLE big (k INTEGER, tag TEXT, v REAL); BEGIN;");
    for (int i = 0; i < 3000; i++) {
      Exec(db, "INSERT INTO big VALUES (" + std::to_string(i) + ", 't" + std::to_string(i % 3) +
                   "', " + std::to_string(i) + ".5)");
    }
    Exec(db, "COMMIT;");
    sqlite3_close(db);
  }
  auto conn = Connect("sqlite://" + path);
  auto info = conn->GetTable("main", "big");
  ASSERT_NE(info, nullptr);
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0, 2});
  EXPECT_TRUE(scan->PushFilter(
      *Cmp(CompareOp::kNe, Col(1, TypeId::kVarchar), Const(Value::Varchar("t0")))));
  ASSERT_TRUE(scan->SupportsKeyLookup({0}));
  EXPECT_FALSE(scan->SupportsKeyLookup({99}));
  // 2000 keys (several chunks), one NULL, some duplicates and some absent.
  Batch keys({LogicalType(TypeId::kBigInt)}, 2100);
  keys.SetCount(2002);
  for (int i = 0; i < 2000; i++) keys.columns[0].SetValue(i, Value::BigInt(i * 2));
  keys.columns[0].SetNull(2000);
  keys.columns[0].SetValue(2001, Value::BigInt(4));
  auto source = scan->LookupKeys({0}, keys);
  int64_t rows = 0, sum = 0;
  Batch batch;
  while (source->Next(batch)) {
    for (size_t r = 0; r < batch.count; r++) {
      int64_t k = batch.columns[0].GetValue(r).GetInt64();
      EXPECT_EQ(k % 2, 0);
      EXPECT_NE(k % 3, 0);
      EXPECT_EQ(batch.columns[1].GetValue(r), Value::Double(k + 0.5));
      sum += k;
      rows++;
    }
  }
  int64_t expected_rows = 0, expected_sum = 0;
  for (int k = 0; k < 3000; k += 2) {
    if (k % 3 != 0) {
      expected_rows++;
      expected_sum += k;
    }
  }
  EXPECT_EQ(rows, expected_rows);
  EXPECT_EQ(sum, expected_sum);

  // Composite keys.
  auto scan2 = conn->CreateScan(info);
  scan2->SetProjection({2});
  ASSERT_TRUE(scan2->SupportsKeyLookup({0, 1}));
  Batch pairs({LogicalType(TypeId::kBigInt), LogicalType(TypeId::kVarchar)}, 4);
  pairs.SetCount(3);
  pairs.columns[0].SetValue(0, Value::BigInt(5));
  pairs.columns[1].SetValue(0, Value::Varchar("t2"));
  pairs.columns[0].SetValue(1, Value::BigInt(6));
  pairs.columns[1].SetValue(1, Value::Varchar("t2"));  // no such pair
  pairs.columns[0].SetValue(2, Value::BigInt(7));
  pairs.columns[1].SetValue(2, Value::Varchar("t1"));
  auto src2 = scan2->LookupKeys({0, 1}, pairs);
  std::vector<double> got;
  while (src2->Next(batch)) {
    for (size_t r = 0; r < batch.count; r++)
      got.push_back(batch.columns[0].GetValue(r).GetDouble());
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<double>{5.5, 7.5}));
}

TEST(SqliteConnectorTest, LargeTablesSplitByRowidRanges) {
  TempDir dir;
  auto path = MakeDb(dir);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    Exec(db, "CREATE TABLE many (v INTEGER, s TEXT); BEGIN;");
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO many VALUES (?, ?)", -1, &st, nullptr),
              SQLITE_OK);
    for (int i = 0; i < 120000; i++) {
      sqlite3_bind_int64(st, 1, i);
      sqlite3_bind_text(st, 2, i % 2 ? "odd" : "even", -1, SQLITE_STATIC);
      ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    Exec(db, "DELETE FROM many WHERE v % 1000 = 7; COMMIT;");  // holes in the rowids
    sqlite3_close(db);
  }
  auto conn = Connect("sqlite://" + path);
  auto info = conn->GetTable("main", "many");
  ASSERT_NE(info, nullptr);
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0});
  EXPECT_TRUE(scan->PushFilter(
      *Cmp(CompareOp::kEq, Col(1, TypeId::kVarchar), Const(Value::Varchar("odd")))));
  auto splits = scan->CreateSplits(2);
  EXPECT_EQ(splits.size(), 4u);
  int64_t rows = 0, sum = 0;
  for (auto& split : splits) {
    auto source = scan->CreateDataSource(split);
    Batch batch;
    while (source->Next(batch)) {
      for (size_t r = 0; r < batch.count; r++) sum += batch.columns[0].GetValue(r).GetInt64();
      rows += static_cast<int64_t>(batch.count);
    }
  }
  int64_t expected_rows = 0, expected_sum = 0;
  for (int i = 0; i < 120000; i++) {
    if (i % 2 == 1 && i % 1000 != 7) {
      expected_rows++;
      expected_sum += i;
    }
  }
  EXPECT_EQ(rows, expected_rows);
  EXPECT_EQ(sum, expected_sum);
  // A limited scan stays whole; so does a view.
  auto limited = conn->CreateScan(info);
  EXPECT_TRUE(limited->PushLimit(5));
  EXPECT_EQ(limited->CreateSplits(2).size(), 1u);
  EXPECT_EQ(conn->CreateScan(conn->GetTable("main", "adults"))->CreateSplits(2).size(), 1u);
}

// Joins of two tables of one SQLite file run as one query (TableScan::PushJoin), with the same
// rows as the engine's join; tables of two catalogs never do.
TEST(SqliteConnectorTest, JoinsOfOneDatabaseRunAsOneQuery) {
  TempDir dir;
  std::string path = MakeDb(dir);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    Exec(db,
         "CREATE TABLE orders (oid INTEGER PRIMARY KEY, uid INTEGER, amount REAL, note TEXT);"
         "INSERT INTO orders VALUES (10, 1, 5.0, 'a''b'), (11, 1, 7.5, NULL), (12, 2, 1.0, 'x'), "
         "(13, 4, 2.0, 'it''s'), (14, 99, 3.0, 'orphan');");
    sqlite3_close(db);
  }
  RegisterBuiltinConnectors();
  Engine engine;
  engine.catalogs().AddCatalog(ConnectionConfig{"app", "sqlite", "sqlite://" + path, {}});
  engine.catalogs().AddCatalog(ConnectionConfig{"app2", "sqlite", "sqlite://" + path, {}});
  auto rows = [&](const std::string& sql) {
    std::vector<std::string> out;
    for (const auto& b : engine.Execute(sql).batches) {
      for (size_t i = 0; i < b.count; i++) {
        std::string line;
        for (size_t c = 0; c < b.ColumnCount(); c++)
          line += (c ? "|" : "") + b.columns[c].GetValue(i).ToString();
        out.push_back(line);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  const char* queries[] = {
      "SELECT u.name, o.oid FROM app.main.users u JOIN app.main.orders o ON u.id = o.uid WHERE "
      "o.note <> 'x'",
      "SELECT u.id, o.oid FROM app.main.users u LEFT JOIN app.main.orders o ON u.id = o.uid AND "
      "o.amount > 2",
      "SELECT u.id, o.oid FROM app.main.orders o RIGHT JOIN app.main.users u ON u.id = o.uid AND "
      "o.amount > 2",
      "SELECT u.id FROM app.main.users u LEFT JOIN app.main.orders o ON u.id = o.uid WHERE o.oid "
      "IS "
      "NULL",
      "SELECT u.name, count(*) FROM app.main.users u JOIN app.main.orders o ON u.id = o.uid GROUP "
      "BY "
      "u.name",
      "SELECT u.name, o.oid, a.name FROM app.main.users u JOIN app.main.orders o ON u.id = o.uid "
      "JOIN "
      "app.main.adults a ON a.id = u.id",
  };
  for (const char* q : queries) {
    engine.SetSetting("pushdown", "true");
    auto on = rows(q);
    std::string plan = engine.Explain(q);
    EXPECT_NE(plan.find(" JOIN \""), std::string::npos) << q << "\n" << plan;
    EXPECT_EQ(plan.find("Join "), std::string::npos) << q << "\n" << plan;
    engine.SetSetting("pushdown", "false");
    auto off = rows(q);
    EXPECT_EQ(engine.Explain(q).find(" JOIN \""), std::string::npos);
    EXPECT_EQ(on, off) << q;
    EXPECT_FALSE(on.empty()) << q;
  }
  engine.SetSetting("pushdown", "true");
  EXPECT_EQ(
      rows("SELECT u.name, o.oid FROM app.main.users u JOIN app.main.orders o ON u.id = o.uid "
           "WHERE o.note = 'it''s'"),
      std::vector<std::string>{"a'; DROP TABLE users; --|13"});
  std::string cross = engine.Explain(
      "SELECT u.name, o.oid FROM app.main.users u JOIN app2.main.orders o ON u.id = o.uid");
  EXPECT_EQ(cross.find(" JOIN \""), std::string::npos) << cross;
  EXPECT_NE(cross.find("Join "), std::string::npos) << cross;
}

}  // namespace
}  // namespace aishell
