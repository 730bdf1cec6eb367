// Redis connector tests against the server of scripts/services/redis.sh (AISHELL_TEST_REDIS_URL):
// skipped when it is unset, failed when CI=true. The key pattern and URL tests, which need no
// server, are in redis_key_pattern_test.cpp and redis_url_test.cpp.
#include "connectors/redis/redis_connector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/testing/live_server.h"
#include "connectors/redis/redis_test_util.h"
#include "engine/engine.h"
#include "expr/expression.h"
#include "formats/testing/file_test_util.h"

namespace aishell {
namespace {

using testing::ReadAll;
using testing::Rows;
using testing::TempDir;

using redis_testing::ExpectError;

// --- against a real server ---

class RedisServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AISHELL_LIVE_SERVER_ENV(base_url_, "AISHELL_TEST_REDIS_URL", "scripts/services/redis.sh start");
    address_ = ParseRedisUrl(base_url_, "test");
    // Each test owns one database (ctest runs tests in parallel; the URL's database is left to
    // other suites): 4 + its index in this list.
    static const char* kTests[] = {"DeclaredHashTable",
                                   "KeyLookupsWithoutScan",
                                   "LimitStopsEarly",
                                   "JsonStringsZsetsAndMixedTypes",
                                   "MixedTypesAndExpiredKeysAreSkipped",
                                   "ColumnOverridesAndEmptyPattern",
                                   "InferredTables",
                                   "WrongPasswordAndServerDown",
                                   "InsertHashesAndJsonReadBackWithRedisCli",
                                   "ActiveUsersJoinedToCsvWithPushdownOnAndOff",
                                   "InsertFailureLeavesNoKeys",
                                   "KeyDomainsMatchEngineFiltering"};
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    int index = -1;
    for (size_t i = 0; i < std::size(kTests); i++) {
      if (test == kTests[i]) index = static_cast<int>(i);
    }
    ASSERT_GE(index, 0) << "add " << test << " to kTests";
    db_ = std::to_string(4 + index);
    address_.db = 4 + index;
    url_ = base_url_.substr(0, base_url_.rfind('/')) + "/" + db_;
    ctx_ = std::make_unique<RespConnection>(address_, "test");  // AUTH + SELECT
    Cmd({"FLUSHDB"});
  }
  void TearDown() override {
    if (ctx_) {
      Cmd({"FLUSHDB"});
      ctx_.reset();
    }
  }

  std::string Cmd(const std::vector<std::string>& args) {
    RespView r = ctx_->Command(args);
    if (r.type() == RespType::kInteger) return std::to_string(r.integer());
    return std::string(r.str());
  }

  std::shared_ptr<RedisConnector> Connect(std::map<std::string, std::string> properties = {}) {
    ConnectionConfig config{"cache", "redis", url_, std::move(properties)};
    return std::make_shared<RedisConnector>(config);
  }

  void LoadSessions() {
    Cmd({"HSET", "session:s1", "user_id", "1", "device", "web", "started", "2024-05-01"});
    Cmd({"HSET", "session:s2", "user_id", "2", "device", "ios", "started", "2024-05-02"});
    Cmd({"HSET", "session:s3", "user_id", "1", "device", "android", "started", "2024-05-03"});
    Cmd({"EXPIRE", "session:s1", "1800"});
    Cmd({"EXPIRE", "session:s2", "1800"});
  }

  static std::vector<std::string> Strings(const Rows& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) {
      std::string s;
      for (size_t i = 0; i < row.size(); i++)
        s += (i ? "|" : "") + (row[i].is_null() ? std::string("NULL") : row[i].ToString());
      out.push_back(s);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<std::string> Strings(const QueryResult& result) {
    Rows rows;
    for (const auto& b : result.batches) {
      for (size_t r = 0; r < b.count; r++) {
        std::vector<Value> row;
        for (const auto& c : b.columns) row.push_back(c.GetValue(r));
        rows.push_back(std::move(row));
      }
    }
    return Strings(rows);
  }

  std::unique_ptr<Engine> MakeEngine(std::map<std::string, std::string> properties,
                                     bool pushdown = true) {
    EngineOptions options;
    options.threads = 2;
    options.pushdown = pushdown;
    auto engine = std::make_unique<Engine>(options);
    engine->catalogs().AddCatalog(ConnectionConfig{"cache", "redis", url_, std::move(properties)});
    return engine;
  }

  std::string base_url_, url_, db_;
  RedisAddress address_;
  std::unique_ptr<RespConnection> ctx_;
};

TEST_F(RedisServerTest, DeclaredHashTable) {
  LoadSessions();
  auto conn = Connect({{"table.sessions", "session:{session_id}"}});
  EXPECT_EQ(conn->ListTables("default"), std::vector<std::string>{"sessions"});
  auto info = conn->GetTable("default", "sessions");
  ASSERT_TRUE(info);
  std::vector<std::string> names;
  for (const auto& c : info->columns) names.push_back(c.name + ":" + c.type.ToString());
  EXPECT_EQ(names,
            (std::vector<std::string>{"session_id:VARCHAR", "user_id:BIGINT", "device:VARCHAR",
                                      "started:VARCHAR", "_key:VARCHAR", "_ttl:BIGINT"}));
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0, 1, 2, 4});
  EXPECT_NE(scan->Describe().find("SCAN 0 MATCH session:* COUNT"), std::string::npos)
      << scan->Describe();
  EXPECT_EQ(Strings(ReadAll(*scan)),
            (std::vector<std::string>{"s1|1|web|session:s1", "s2|2|ios|session:s2",
                                      "s3|1|android|session:s3"}));
  // _ttl: seconds left or NULL.
  auto ttl_scan = conn->CreateScan(info);
  ttl_scan->SetProjection({0, 5});
  auto rows = ReadAll(*ttl_scan);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    if (row[0].ToString() == "s3") {
      EXPECT_TRUE(row[1].is_null());
    } else {
      ASSERT_FALSE(row[1].is_null());
      EXPECT_GT(row[1].GetInt64(), 1700);
      EXPECT_LE(row[1].GetInt64(), 1800);
    }
  }
}

ExprPtr Col(int index, LogicalType type) { return MakeColumnRef(index, type); }
ExprPtr Const(Value v) { return MakeConstant(std::move(v)); }
ExprPtr Node(ExprKind kind, std::vector<ExprPtr> children) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->type = TypeId::kBoolean;
  e->children = std::move(children);
  return e;
}

TEST_F(RedisServerTest, KeyLookupsWithoutScan) {
  LoadSessions();
  auto conn = Connect({{"table.sessions", "session:{session_id}"}});
  auto info = conn->GetTable("default", "sessions");
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0, 2});
  auto in = Node(ExprKind::kIn, {Col(0, TypeId::kVarchar), Const(Value::Varchar("s2")),
                                 Const(Value::Varchar("s3")), Const(Value::Varchar("nope"))});
  EXPECT_TRUE(scan->PushFilter(*in));
  EXPECT_EQ(scan->Describe(),
            "pipelined HGETALL for session:nope session:s2 session:s3 (3 key(s), no SCAN)");
  EXPECT_EQ(Strings(ReadAll(*scan)), (std::vector<std::string>{"s2|ios", "s3|android"}));

  // _key equality.
  auto by_key = conn->CreateScan(info);
  by_key->SetProjection({1});
  auto eq =
      Node(ExprKind::kComparison, {Col(4, TypeId::kVarchar), Const(Value::Varchar("session:s1"))});
  EXPECT_TRUE(by_key->PushFilter(*eq));
  EXPECT_NE(by_key->Describe().find("no SCAN"), std::string::npos);
  EXPECT_EQ(Strings(ReadAll(*by_key)), std::vector<std::string>{"1"});

  // Filters on value fields are left to the engine.
  auto on_field = conn->CreateScan(info);
  EXPECT_FALSE(on_field->PushFilter(
      *Node(ExprKind::kComparison, {Col(1, TypeId::kBigInt), Const(Value::BigInt(1))})));

  // LIKE narrows the SCAN MATCH (and stays with the engine).
  auto like = conn->CreateScan(info);
  auto l = Node(ExprKind::kLike, {Col(0, TypeId::kVarchar), Const(Value::Varchar("s_%"))});
  EXPECT_FALSE(like->PushFilter(*l));
  EXPECT_NE(like->Describe().find("MATCH session:s?*"), std::string::npos) << like->Describe();

  // LIKE on _key becomes the glob itself; rows are still checked against the pattern.
  auto key_like = conn->CreateScan(info);
  key_like->SetProjection({0});
  EXPECT_FALSE(key_like->PushFilter(
      *Node(ExprKind::kLike, {Col(4, TypeId::kVarchar), Const(Value::Varchar("session:s1%"))})));
  EXPECT_NE(key_like->Describe().find("MATCH session:s1* "), std::string::npos)
      << key_like->Describe();
  EXPECT_EQ(Strings(ReadAll(*key_like)), std::vector<std::string>{"s1"});

  // Batched lookups for joins.
  auto lookup = conn->CreateScan(info);
  lookup->SetProjection({0, 1});
  ASSERT_TRUE(lookup->SupportsKeyLookup({0}));
  EXPECT_FALSE(lookup->SupportsKeyLookup({1}));
  Batch keys(std::vector<LogicalType>{TypeId::kVarchar}, 4);
  keys.columns[0].SetString(0, "s1");
  keys.columns[0].SetString(1, "s3");
  keys.columns[0].SetString(2, "s1");
  keys.columns[0].SetNull(3);
  keys.SetCount(4);
  auto source = lookup->LookupKeys({0}, keys);
  Rows rows;
  Batch out;
  while (source->Next(out)) {
    for (size_t r = 0; r < out.count; r++)
      rows.push_back({out.columns[0].GetValue(r), out.columns[1].GetValue(r)});
  }
  EXPECT_EQ(Strings(rows), (std::vector<std::string>{"s1|1", "s3|1"}));

  // Lookups once per probe batch reuse pooled connections instead of opening one each (without
  // the pool this loop alone opens 20).
  auto connections = [&] {
    std::string info = Cmd({"INFO", "stats"});
    size_t p = info.find("total_connections_received:");
    return p == std::string::npos ? -1LL : std::atoll(info.c_str() + p + 27);
  };
  long long before = connections();
  for (int i = 0; i < 20; i++) {
    auto again = lookup->LookupKeys({0}, keys);
    Batch b;
    size_t n = 0;
    while (again->Next(b)) n += b.count;
    EXPECT_EQ(n, 2u);
  }
  EXPECT_LT(connections() - before, 20);

  // What one lookup batch asks, for EXPLAIN.
  EXPECT_EQ(lookup->DescribeLookup({0}, 500),
            "pipelined HGETALL session:{session_id} per key (up to 500 keys, 1000 per pipeline, no "
            "SCAN)");
  EXPECT_EQ(lookup->DescribeLookup({1}, 500), "");

  // A join's build keys as a dynamic filter: the SCAN becomes key reads.
  auto dynamic = conn->CreateScan(info);
  dynamic->SetProjection({0, 1});
  EXPECT_FALSE(dynamic->PushDynamicFilter(1, keys));  // a hash field, not a key part
  Batch two(std::vector<LogicalType>{TypeId::kVarchar}, 2);
  two.columns[0].SetString(0, "s2");
  two.columns[0].SetString(1, "missing");
  two.SetCount(2);
  EXPECT_TRUE(dynamic->PushDynamicFilter(0, two));
  EXPECT_EQ(dynamic->Describe(),
            "pipelined HGETALL for session:missing session:s2 (2 key(s), no SCAN)");
  EXPECT_EQ(Strings(ReadAll(*dynamic)), std::vector<std::string>{"s2|2"});
}

TEST_F(RedisServerTest, LimitStopsEarly) {
  for (int i = 0; i < 500; i++) Cmd({"SET", "page:" + std::to_string(i), "v" + std::to_string(i)});
  auto conn = Connect({{"table.pages", "page:{n}"}, {"scan_count", "50"}});
  auto info = conn->GetTable("default", "pages");
  ASSERT_EQ(info->columns[0].type.id, TypeId::kBigInt);  // canonical integers in the key
  ASSERT_EQ(info->columns[1].name, "value");
  auto scan = conn->CreateScan(info);
  EXPECT_TRUE(scan->PushLimit(7));
  EXPECT_NE(scan->Describe().find("stops after 7"), std::string::npos);
  auto rows = ReadAll(*scan);
  EXPECT_EQ(rows.size(), 7u);
  EXPECT_LT(scan->counters().rows_read.load(), 8);
  for (const auto& r : rows) EXPECT_EQ("v" + r[0].ToString(), r[1].ToString());
}

TEST_F(RedisServerTest, JsonStringsZsetsAndMixedTypes) {
  Cmd({"SET", "profile:1", R"({"name":"Ann","age":31,"vip":true,"zip":"01234","tags":["a","b"]})"});
  Cmd({"SET", "profile:2", R"({"name":"Bob","age":40,"vip":false,"zip":"99999"})"});
  Cmd({"ZADD", "board:daily", "10", "ann", "25.5", "bob"});
  Cmd({"SET", "greeting:en", "hello"});
  // A key of another type under the pattern is skipped and counted.
  Cmd({"HSET", "profile:3", "name", "Hash"});
  auto conn = Connect({{"table.profiles", "profile:{id}"},
                       {"table.board", "board:{period}"},
                       {"table.greetings", "greeting:{lang}"}});
  auto info = conn->GetTable("default", "profiles");
  std::vector<std::string> names;
  for (const auto& c : info->columns) names.push_back(c.name + ":" + c.type.ToString());
  EXPECT_EQ(names, (std::vector<std::string>{"id:BIGINT", "name:VARCHAR", "age:BIGINT",
                                             "vip:BOOLEAN", "zip:VARCHAR", "tags:VARCHAR",
                                             "_key:VARCHAR", "_ttl:BIGINT"}));
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0, 1, 2, 3, 4, 5});
  EXPECT_NE(scan->Describe().find("MGET"), std::string::npos);
  EXPECT_EQ(Strings(ReadAll(*scan)), (std::vector<std::string>{"1|Ann|31|true|01234|[\"a\",\"b\"]",
                                                               "2|Bob|40|false|99999|NULL"}));
  auto zinfo = conn->GetTable("default", "board");
  auto z = conn->CreateScan(zinfo);
  z->SetProjection({0, 1, 2});
  EXPECT_EQ(Strings(ReadAll(*z)), (std::vector<std::string>{"daily|ann|10.0", "daily|bob|25.5"}));
  // Streams: one row per entry, `id` then the fields.
  Cmd({"XADD", "events:login", "1-1", "user", "7", "ok", "true"});
  Cmd({"XADD", "events:login", "2-1", "user", "8"});
  auto econn = Connect({{"table.events", "events:{kind}"}});
  auto einfo = econn->GetTable("default", "events");
  std::vector<std::string> ecols;
  for (const auto& c : einfo->columns) ecols.push_back(c.name + ":" + c.type.ToString());
  EXPECT_EQ(ecols, (std::vector<std::string>{"kind:VARCHAR", "id:VARCHAR", "user:BIGINT",
                                             "ok:BOOLEAN", "_key:VARCHAR", "_ttl:BIGINT"}));
  auto es = econn->CreateScan(einfo);
  es->SetProjection({0, 1, 2, 3});
  EXPECT_NE(es->Describe().find("XRANGE - +"), std::string::npos) << es->Describe();
  EXPECT_EQ(Strings(ReadAll(*es)),
            (std::vector<std::string>{"login|1-1|7|true", "login|2-1|8|NULL"}));

  // Hashes whose field names are data: one row per field.
  Cmd({"HSET", "cart:7", "A-1", "2", "B-9", "1"});
  auto cconn =
      Connect({{"table.cart_items", "cart:{user_id}"}, {"format.cart_items", "hash_entries"}});
  auto cinfo = cconn->GetTable("default", "cart_items");
  std::vector<std::string> ccols;
  for (const auto& c : cinfo->columns) ccols.push_back(c.name + ":" + c.type.ToString());
  EXPECT_EQ(ccols, (std::vector<std::string>{"user_id:BIGINT", "field:VARCHAR", "value:BIGINT",
                                             "_key:VARCHAR", "_ttl:BIGINT"}));
  auto cs = cconn->CreateScan(cinfo);
  cs->SetProjection({0, 1, 2});
  EXPECT_EQ(Strings(ReadAll(*cs)), (std::vector<std::string>{"7|A-1|2", "7|B-9|1"}));

  auto ginfo = conn->GetTable("default", "greetings");
  auto g = conn->CreateScan(ginfo);
  g->SetProjection({0, 1});
  EXPECT_EQ(Strings(ReadAll(*g)), std::vector<std::string>{"en|hello"});

  // Invalid JSON names the source and the key.
  Cmd({"SET", "profile:4", "{not json"});
  auto bad = conn->CreateScan(info);
  ExpectError([&] { ReadAll(*bad); }, ErrorKind::kConversion,
              "redis source 'cache': table 'profiles' key 'profile:4'");
}

TEST_F(RedisServerTest, MixedTypesAndExpiredKeysAreSkipped) {
  LoadSessions();
  Cmd({"SET", "session:s9", "a string"});
  auto conn = Connect({{"table.sessions", "session:{session_id}"}});
  auto info = conn->GetTable("default", "sessions");
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0});
  EXPECT_EQ(Strings(ReadAll(*scan)), (std::vector<std::string>{"s1", "s2", "s3"}));
  EXPECT_NE(scan->Describe().find("skipped 1 key(s) that expired or hold another type than hash"),
            std::string::npos)
      << scan->Describe();
  // Key lookups of a missing key and a key of another type: skipped, never an error.
  auto lookup = conn->CreateScan(info);
  lookup->SetProjection({0});
  lookup->PushFilter(
      *Node(ExprKind::kIn, {Col(0, TypeId::kVarchar), Const(Value::Varchar("s9")),
                            Const(Value::Varchar("gone")), Const(Value::Varchar("s2"))}));
  EXPECT_EQ(Strings(ReadAll(*lookup)), std::vector<std::string>{"s2"});
}

TEST_F(RedisServerTest, ColumnOverridesAndEmptyPattern) {
  LoadSessions();
  auto conn = Connect({{"table.sessions", "session:{session_id}"},
                       {"column.sessions.user_id", "varchar"},
                       {"column.sessions.started", "date"},
                       {"table.empty", "nothing:{id}"}});
  auto info = conn->GetTable("default", "sessions");
  EXPECT_EQ(info->columns[1].type.id, TypeId::kVarchar);
  EXPECT_EQ(info->columns[3].type.id, TypeId::kDate);
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0, 3});
  EXPECT_EQ(Strings(ReadAll(*scan)),
            (std::vector<std::string>{"s1|2024-05-01", "s2|2024-05-02", "s3|2024-05-03"}));
  ExpectError([&] { conn->GetTable("default", "empty"); }, ErrorKind::kConnector,
              "redis source 'cache': table 'empty': no key matches the pattern 'nothing:{id}'");
  ExpectError(
      [&] {
        Connect({{"table.a", "a:{x}"}, {"ttl.unknown", "5"}});
      },
      ErrorKind::kConnector, "not declared");
}

TEST_F(RedisServerTest, InferredTables) {
  LoadSessions();
  Cmd({"SET", "user:1001:profile", R"({"name":"Ann"})"});
  Cmd({"SET", "user:1002:profile", R"({"name":"Bob"})"});
  Cmd({"ZADD", "leaderboard", "3", "ann"});
  Cmd({"SET", "order:9f1c2a7e-1b2c-4d5e-8f90-123456789abc", "pending"});
  auto conn = Connect();
  EXPECT_EQ(conn->ListTables("default"),
            (std::vector<std::string>{"leaderboard", "order", "session", "user_profile"}));
  auto users = conn->GetTable("default", "user_profile");
  ASSERT_TRUE(users);
  EXPECT_EQ(users->columns[0].name, "id");
  EXPECT_EQ(users->columns[0].type.id, TypeId::kBigInt);
  EXPECT_EQ(users->columns[1].name, "name");
  auto scan = conn->CreateScan(users);
  scan->SetProjection({0, 1});
  EXPECT_EQ(Strings(ReadAll(*scan)), (std::vector<std::string>{"1001|Ann", "1002|Bob"}));
  auto orders = conn->GetTable("default", "order");
  auto o = conn->CreateScan(orders);
  o->SetProjection({0, 1});
  EXPECT_EQ(Strings(ReadAll(*o)),
            std::vector<std::string>{"9f1c2a7e-1b2c-4d5e-8f90-123456789abc|pending"});
  // Inferred tables are read-only.
  ExpectError([&] { conn->InsertInto(users); }, ErrorKind::kUnsupported, "declare it");
}

TEST_F(RedisServerTest, WrongPasswordAndServerDown) {
  ConnectionConfig config{
      "cache",
      "redis",
      "redis://:wrong-pass-123@" + address_.host + ":" + std::to_string(address_.port) + "/" + db_,
      {}};
  try {
    RedisConnector c(config);
    FAIL() << "a wrong password connected";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kConnector);
    EXPECT_NE(msg.find("redis source 'cache': authentication failed"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("wrong-pass-123"), std::string::npos) << msg;
  }
  ConnectionConfig none{
      "cache",
      "redis",
      "redis://" + address_.host + ":" + std::to_string(address_.port) + "/" + db_,
      {}};
  ExpectError([&] { RedisConnector c(none); }, ErrorKind::kConnector, "requires a password");
  ConnectionConfig down{"cache", "redis", "redis://:pw@127.0.0.1:1/0", {}};
  ExpectError([&] { RedisConnector c(down); }, ErrorKind::kConnector,
              "redis source 'cache': cannot connect to 127.0.0.1:1");
}

TEST_F(RedisServerTest, InsertHashesAndJsonReadBackWithRedisCli) {
  auto engine = MakeEngine({{"table.sessions", "session:{session_id}"},
                            {"column.sessions.user_id", "bigint"},
                            {"column.sessions.device", "varchar"},
                            {"ttl.sessions", "1800"},
                            {"table.carts", "cart:{user_id}"},
                            {"format.carts", "json"},
                            {"column.carts.user_id", "bigint"},
                            {"column.carts.items", "bigint"},
                            {"column.carts.total", "double"}});
  auto r = engine->Execute(
      "INSERT INTO cache.default.sessions (session_id, user_id, device) VALUES ('n1', 7, 'web'), "
      "('n2', 8, NULL)");
  EXPECT_EQ(Cmd({"HGET", "session:n1", "user_id"}), "7");
  EXPECT_EQ(Cmd({"HGET", "session:n1", "device"}), "web");
  EXPECT_EQ(Cmd({"HEXISTS", "session:n2", "device"}), "0");
  int64_t ttl = std::stoll(Cmd({"TTL", "session:n1"}));
  EXPECT_GT(ttl, 1700);
  EXPECT_LE(ttl, 1800);
  engine->Execute("INSERT INTO cache.default.carts (user_id, items, total) VALUES (7, 3, 19.5)");
  // redis-cli sees what was written.
  std::string cmd = "REDISCLI_AUTH='" + address_.password + "' redis-cli --no-auth-warning -h " +
                    address_.host + " -p " + std::to_string(address_.port) + " -n " + db_ +
                    " GET cart:7 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[512];
  std::string out;
  while (fgets(buf, sizeof buf, pipe)) out += buf;
  ::pclose(pipe);
  if (out.find("not found") == std::string::npos) {
    EXPECT_EQ(out, "{\"items\":3,\"total\":19.5}\n");
  } else {
    EXPECT_EQ(Cmd({"GET", "cart:7"}), "{\"items\":3,\"total\":19.5}");
  }
  // And the engine reads both back.
  EXPECT_EQ(
      Strings(engine->Execute("SELECT session_id, user_id, device FROM cache.default.sessions")),
      (std::vector<std::string>{"n1|7|web", "n2|8|NULL"}));
  EXPECT_EQ(Strings(engine->Execute("SELECT user_id, items, total FROM cache.default.carts")),
            std::vector<std::string>{"7|3|19.5"});
}

// A private server (no password) on a free port, stopped in the middle of a scan.
TEST(RedisStandaloneTest, ServerStoppedMidScan) {
  if (::system("command -v redis-server >/dev/null 2>&1") != 0) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true")
      FAIL() << "redis-server is not installed (scripts/services/redis.sh start)";
    GTEST_SKIP() << "redis-server is not installed";
  }
  TempDir dir;
  // A free port: bind port 0, read it back, release it.
  int port = 0;
  {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    ::close(fd);
  }
  std::string log = dir.path() + "/redis.log";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string p = std::to_string(port);
    ::execlp("redis-server", "redis-server", "--port", p.c_str(), "--bind", "127.0.0.1", "--save",
             "", "--appendonly", "no", "--dir", dir.path().c_str(), "--logfile", log.c_str(),
             "--loglevel", "warning", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::unique_ptr<RespConnection> ctx;
  RedisAddress private_address;
  private_address.port = port;
  for (int i = 0; i < 400 && !ctx; i++) {  // up to 20 s on a loaded machine
    try {
      ctx = std::make_unique<RespConnection>(private_address, "test");
    } catch (const Error&) {
      ::usleep(50000);
    }
  }
  if (!ctx) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    FAIL() << "the private redis-server did not start on port " << port << ": "
           << dir.Read("redis.log");
  }
  for (int i = 0; i < 5000; i++) {
    std::string n = std::to_string(i);
    ctx->Append({"HSET", "item:" + n, "n", n});
  }
  for (int i = 0; i < 5000; i++) ASSERT_EQ(ctx->Read().integer(), 1);
  ctx.reset();
  std::string url = "redis://127.0.0.1:" + std::to_string(port) + "/0";
  bool failed_cleanly = false;
  try {
    RedisConnector conn(ConnectionConfig{
        "items",
        "redis",
        url,
        {{"table.items", "item:{id}"}, {"scan_count", "100"}, {"lookup_batch_size", "100"}}});
    auto scan = conn.CreateScan(conn.GetTable("default", "items"));
    auto source = scan->CreateDataSource(scan->CreateSplits(1)[0]);
    Batch batch;
    ASSERT_TRUE(source->Next(batch));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
    while (source->Next(batch)) {
    }
  } catch (const Error& e) {
    failed_cleanly = e.kind() == ErrorKind::kConnector &&
                     std::string(e.what()).find("redis source 'items'") != std::string::npos;
    EXPECT_TRUE(failed_cleanly) << e.what();
  }
  if (pid > 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  EXPECT_TRUE(failed_cleanly) << "the scan did not report the lost server";
}

TEST_F(RedisServerTest, InsertFailureLeavesNoKeys) {
  auto engine = MakeEngine(
      {{"table.sessions", "session:{session_id}"}, {"column.sessions.user_id", "bigint"}});
  // The second row has no key: the statement fails and the first row is not written either.
  ExpectError(
      [&] {
        engine->Execute(
            "INSERT INTO cache.default.sessions (session_id, user_id) VALUES ('ok1', 1), (NULL, "
            "2)");
      },
      ErrorKind::kConversion,
      "redis source 'cache': insert into 'sessions' row 2: key column 'session_id' is NULL");
  EXPECT_EQ(Cmd({"EXISTS", "session:ok1"}), "0");
  EXPECT_EQ(Cmd({"DBSIZE"}), "0");
  // A row whose fields are all NULL cannot be a hash.
  ExpectError(
      [&] { engine->Execute("INSERT INTO cache.default.sessions (session_id) VALUES ('x')"); },
      ErrorKind::kConversion, "every field is NULL");
  // _key given directly must fit the pattern.
  ExpectError(
      [&] {
        engine->Execute("INSERT INTO cache.default.sessions (_key, user_id) VALUES ('other:1', 1)");
      },
      ErrorKind::kConversion, "does not fit the pattern");
  engine->Execute(
      "INSERT INTO cache.default.sessions (_key, user_id, _ttl) VALUES ('session:k1', 5, 60)");
  EXPECT_EQ(Cmd({"HGET", "session:k1", "user_id"}), "5");
  int64_t ttl = std::stoll(Cmd({"TTL", "session:k1"}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60);
}

TEST_F(RedisServerTest, ActiveUsersJoinedToCsvWithPushdownOnAndOff) {
  LoadSessions();
  TempDir dir;
  std::string users =
      dir.Write("users.csv", "id,name,tier\n1,Ann,gold\n2,Bob,silver\n3,Cid,bronze\n");
  std::map<std::string, std::string> props = {{"table.sessions", "session:{session_id}"}};
  std::string sql =
      "SELECT u.name, u.tier, count(*) AS sessions FROM cache.default.sessions s JOIN read_csv('" +
      users +
      "') u ON s.user_id = u.id WHERE s._ttl IS NOT NULL OR s.session_id = 's3' GROUP BY u.name, "
      "u.tier";
  auto on = MakeEngine(props, true);
  auto off = MakeEngine(props, false);
  auto expected = std::vector<std::string>{"Ann|gold|2", "Bob|silver|1"};
  EXPECT_EQ(Strings(on->Execute(sql)), expected);
  EXPECT_EQ(Strings(off->Execute(sql)), expected);

  std::string point = "SELECT device FROM cache.default.sessions WHERE session_id IN ('s1', 's2')";
  EXPECT_EQ(Strings(on->Execute(point)), (std::vector<std::string>{"ios", "web"}));
  EXPECT_EQ(Strings(off->Execute(point)), (std::vector<std::string>{"ios", "web"}));
  std::string plan = on->Explain(point);
  EXPECT_NE(plan.find("HGETALL for session:s1 session:s2"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN 0"), std::string::npos) << plan;
  std::string plan_off = off->Explain(point);
  EXPECT_NE(plan_off.find("SCAN 0 MATCH session:*"), std::string::npos) << plan_off;
}

// Key lookups come from the shared predicate domains: an OR of equalities, IS NOT DISTINCT FROM and
// an order-keeping cast of the column are lookups; ranges are not. Every query gives the rows of
// the engine-side filtering (pushdown off).
TEST_F(RedisServerTest, KeyDomainsMatchEngineFiltering) {
  LoadSessions();
  for (int i = 1; i <= 6; i++) Cmd({"SET", "page:" + std::to_string(i), "v" + std::to_string(i)});
  std::map<std::string, std::string> props = {{"table.sessions", "session:{session_id}"},
                                              {"table.pages", "page:{n}"},
                                              {"column.pages.n", "integer"}};
  auto on = MakeEngine(props, true);
  auto off = MakeEngine(props, false);
  auto check = [&](const std::string& where, const std::vector<std::string>& rows,
                   const std::string& plan_part, const std::string& table = "sessions",
                   const std::string& column = "session_id") {
    std::string sql = "SELECT " + column + " FROM cache.default." + table + " WHERE " + where;
    EXPECT_EQ(Strings(on->Execute(sql)), rows) << sql;
    EXPECT_EQ(Strings(off->Execute(sql)), rows) << sql;
    std::string plan = on->Explain(sql);
    EXPECT_NE(plan.find(plan_part), std::string::npos) << sql << "\n" << plan;
  };
  const std::string kScan = "SCAN 0 MATCH session:* COUNT";
  // OR of equalities on a placeholder or _key: one pipelined lookup.
  check("session_id = 's1' OR session_id = 's3' OR session_id = 'nope'", {"s1", "s3"},
        "pipelined HGETALL for session:nope session:s1 session:s3 (3 key(s), no SCAN)");
  check("_key = 'session:s2' OR _key = 'session:s1'", {"s1", "s2"},
        "pipelined HGETALL for session:s1 session:s2 (2 key(s), no SCAN)");
  check("session_id IS NOT DISTINCT FROM 's2'", {"s2"},
        "pipelined HGETALL for session:s2 (1 key(s), no SCAN)");
  check("session_id IN ('s1', 's2') AND session_id IN ('s2', 's3')", {"s2"},
        "pipelined HGETALL for session:s2 (1 key(s), no SCAN)");
  // Key text is case-sensitive, as VARCHAR equality is.
  check("session_id = 'S1'", {}, "pipelined HGETALL for session:S1 (1 key(s), no SCAN)");
  // NULL and contradictions: no key can match.
  check("session_id = NULL", {}, "no keys can match");
  check("session_id IN (NULL)", {}, "no keys can match");
  check("session_id IN ('s1', NULL)", {"s1"}, "pipelined HGETALL for session:s1 (1 key(s)");
  check("session_id = 's1' AND session_id = 's2'", {}, "no keys can match");
  // Ranges and filters over more than one column are not lookups.
  check("session_id <> 's1'", {"s2", "s3"}, kScan);
  check("session_id IS DISTINCT FROM 's1'", {"s2", "s3"}, kScan);
  check("session_id > 's1'", {"s2", "s3"}, kScan);
  check("session_id = 's1' OR session_id IS NULL", {"s1"}, kScan);
  check("session_id = 's1' OR user_id = 2", {"s1", "s2"}, kScan);
  check("NOT (session_id <> 's3')", {"s3"}, "pipelined HGETALL for session:s3 (1 key(s)");
  // An INTEGER placeholder: canonical integer key text, casts of the column that keep equality.
  check("n = 2 OR n = 5", {"2", "5"}, "MGET page:2 page:5 (2 key(s), no SCAN)", "pages", "n");
  check("CAST(n AS BIGINT) = 4", {"4"}, "MGET page:4 (1 key(s), no SCAN)", "pages", "n");
  check("CAST(n AS DOUBLE) IN (3.0, 6.0, 2.5)", {"3", "6"}, "MGET page:3 page:6 (2 key(s)", "pages",
        "n");
  check("n = 3000000000", {}, "no keys can match", "pages", "n");
  check("n <> 1 AND n < 4", {"2", "3"}, "SCAN 0 MATCH page:* COUNT", "pages", "n");

  // The scan itself: a range is left to the engine, an OR of equalities is accepted.
  auto conn = Connect({{"table.sessions", "session:{session_id}"}});
  auto info = conn->GetTable("default", "sessions");
  auto ne = Node(ExprKind::kComparison, {Col(0, TypeId::kVarchar), Const(Value::Varchar("s1"))});
  ne->op = CompareOp::kNe;
  auto scan = conn->CreateScan(info);
  scan->SetProjection({0});
  EXPECT_FALSE(scan->PushFilter(*ne));
  EXPECT_NE(scan->Describe().find(kScan), std::string::npos) << scan->Describe();
  auto eq = [](const char* v) {
    return Node(ExprKind::kComparison, {Col(0, TypeId::kVarchar), Const(Value::Varchar(v))});
  };
  auto any = Node(ExprKind::kOr, {eq("s3"), eq("s1")});
  EXPECT_TRUE(scan->PushFilter(*any));
  EXPECT_EQ(scan->Describe(), "pipelined HGETALL for session:s1 session:s3 (2 key(s), no SCAN)");
  EXPECT_EQ(Strings(ReadAll(*scan)), (std::vector<std::string>{"s1", "s3"}));
}

}  // namespace
}  // namespace aishell
