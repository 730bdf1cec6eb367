// RestCatalog against Apache Iceberg's REST fixture server (scripts/services/iceberg-rest.sh;
// AISHELL_TEST_ICEBERG_REST_URL, its warehouse in the test MinIO when
// AISHELL_TEST_ICEBERG_REST_ON_S3=1). Skips when unset, fails when CI=true.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <random>

#include "common/exception.h"
#include "common/testing/live_server.h"
#include "connectors/iceberg/iceberg_catalog.h"

namespace aishell::iceberg {
namespace {

std::string EnvOr(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string JsonString(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root)) return "";
  auto v = root[key].get_string();
  return v.error() ? "" : std::string(v.value());
}

class RestCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AISHELL_LIVE_SERVER_ENV(url_, "AISHELL_TEST_ICEBERG_REST_URL",
                            "scripts/services/iceberg-rest.sh start");
    config_.name = "iceberg";
    config_.type = "iceberg";
    config_.url = url_;
    config_.properties["warehouse"] = EnvOr("AISHELL_TEST_ICEBERG_REST_WAREHOUSE");
    on_s3_ = EnvOr("AISHELL_TEST_ICEBERG_REST_ON_S3") == "1";
    if (on_s3_) config_.properties["s3.endpoint"] = EnvOr("AISHELL_TEST_S3_ENDPOINT");
    std::random_device rd;
    ns_ = {"aishell_ut_" + std::to_string(rd() % 1000000000)};
  }

  static std::string CreateBody(const std::string& name) {
    return R"({"name":")" + name +
           R"(","schema":{"type":"struct","schema-id":0,"fields":[)"
           R"({"id":1,"name":"id","required":true,"type":"long"},)"
           R"({"id":2,"name":"s","required":false,"type":"string"}]}})";
  }

  std::string url_;
  ConnectionConfig config_;
  bool on_s3_ = false;
  Namespace ns_;
};

TEST_F(RestCatalogTest, CreateListLoadCommit) {
  auto catalog = CreateRestCatalog(config_);
  EXPECT_NE(catalog->Describe().find(url_), std::string::npos) << catalog->Describe();
  EXPECT_TRUE(catalog->ServerWritesMetadata());
  catalog->CreateNamespace(ns_);
  catalog->CreateNamespace(ns_);  // already exists: fine
  auto namespaces = catalog->ListNamespaces();
  EXPECT_NE(std::find(namespaces.begin(), namespaces.end(), ns_), namespaces.end());

  TableIdentifier id{ns_, "t1"};
  TableCommit create;
  create.id = id;
  create.rest_request_json = CreateBody("t1");
  ASSERT_EQ(catalog->CommitTable(create), CommitResult::kCommitted);
  // Creating it again loses: the table exists.
  EXPECT_EQ(catalog->CommitTable(create), CommitResult::kConflict);

  auto tables = catalog->ListTables(ns_);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].name, "t1");
  EXPECT_EQ(tables[0].ns, ns_);

  auto loaded = catalog->LoadTable(id);
  ASSERT_TRUE(loaded.has_value());
  std::string warehouse = EnvOr("AISHELL_TEST_ICEBERG_REST_WAREHOUSE");
  EXPECT_EQ(loaded->metadata_location.rfind(warehouse, 0), 0u) << loaded->metadata_location;
  std::string uuid = JsonString(loaded->metadata_json, "table-uuid");
  ASSERT_FALSE(uuid.empty()) << loaded->metadata_json;
  EXPECT_NE(loaded->metadata_json.find("\"format-version\""), std::string::npos);
  if (on_s3_) {
    // The server vends the S3 settings; with them the metadata file itself is readable.
    EXPECT_FALSE(loaded->storage["s3.access-key-id"].empty());
    auto fs = FileSystemForPath(loaded->metadata_location, loaded->storage);
    std::string file = fs->OpenForRead(loaded->metadata_location)->ReadAll();
    EXPECT_EQ(JsonString(file, "table-uuid"), uuid);
  }

  // A commit against a stale base (wrong table uuid) is a conflict, not an error.
  TableCommit stale;
  stale.id = id;
  stale.base_metadata_location = loaded->metadata_location;
  stale.rest_request_json =
      R"({"requirements":[{"type":"assert-table-uuid","uuid":"00000000-0000-0000-0000-000000000000"}],)"
      R"("updates":[{"action":"set-properties","updates":{"k":"stale"}}]})";
  EXPECT_EQ(catalog->CommitTable(stale), CommitResult::kConflict);

  TableCommit good = stale;
  good.rest_request_json = R"({"requirements":[{"type":"assert-table-uuid","uuid":")" + uuid +
                           R"("}],"updates":[{"action":"set-properties","updates":{"k":"v1"}}]})";
  EXPECT_EQ(catalog->CommitTable(good), CommitResult::kCommitted);
  auto reloaded = catalog->LoadTable(id);
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_NE(reloaded->metadata_location, loaded->metadata_location);
  EXPECT_NE(reloaded->metadata_json.find(R"("k":"v1")"), std::string::npos);

  EXPECT_FALSE(catalog->LoadTable({ns_, "no_such_table"}).has_value());
}

TEST_F(RestCatalogTest, ErrorsNameTheEndpointAndHideTokens) {
  config_.properties["token"] = "tok-secret-123";
  auto catalog = CreateRestCatalog(config_);
  EXPECT_EQ(catalog->Describe().find("tok-secret-123"), std::string::npos);
  try {
    catalog->ListTables({"aishell_no_such_namespace_x"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kConnector);
    EXPECT_NE(msg.find(url_), std::string::npos) << msg;
    EXPECT_NE(msg.find("NoSuchNamespace"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("tok-secret-123"), std::string::npos) << msg;
  }
}

TEST_F(RestCatalogTest, UnreachableCatalog) {
  ConnectionConfig dead = config_;
  dead.url = "http://127.0.0.1:1/catalog";
  try {
    CreateRestCatalog(dead);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("cannot reach Iceberg REST catalog at http://127.0.0.1:1/catalog"),
              std::string::npos)
        << msg;
  }
  dead.url = "ftp://127.0.0.1/x";
  EXPECT_THROW(CreateRestCatalog(dead), Error);
}

}  // namespace
}  // namespace aishell::iceberg
