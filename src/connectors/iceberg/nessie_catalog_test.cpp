// NessieCatalog against the bare Nessie 0.99.0 of scripts/services/nessie.sh
// (AISHELL_TEST_NESSIE_URL) over the test MinIO (AISHELL_TEST_S3_*). Skips when unset, fails
// when CI=true. Connection errors need no server.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "common/exception.h"
#include "common/testing/live_server.h"
#include "connectors/iceberg/iceberg_catalog.h"
#include "storage/file_system.h"

namespace aishell::iceberg {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string Message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(NessieCatalog, ConnectionErrorsNameTheCatalog) {
  ConnectionConfig c;
  c.name = "n";
  c.type = "nessie";
  c.url = "ftp://127.0.0.1/api/v2";
  EXPECT_NE(Message([&] { CreateNessieCatalog(c); }).find("http(s)://host:port/api/v1"),
            std::string::npos);
  c.url = "http://127.0.0.1:9/api/v2";
  c.properties["s3.secret-access-key"] = "s3cr3t-value";
  std::string msg = Message([&] { CreateNessieCatalog(c); });
  EXPECT_NE(msg.find("cannot reach Nessie catalog http://127.0.0.1:9/api/v2"), std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("s3cr3t-value"), std::string::npos) << msg;
}

class NessieCatalogLive : public ::testing::Test {
 protected:
  void SetUp() override {
    AISHELL_LIVE_SERVER_ENV(url_, "AISHELL_TEST_NESSIE_URL", "scripts/services/nessie.sh start");
    config_.name = "nessie";
    config_.type = "nessie";
    config_.url = url_ + "/api/v2";
    std::random_device rd;
    ns_ = {"ut_" + std::to_string(rd() % 1000000000)};
    config_.properties["warehouse"] =
        "s3://" + Env("AISHELL_TEST_S3_BUCKET") + "/nessie-unit/" + ns_[0];
    config_.properties["s3.endpoint"] = Env("AISHELL_TEST_S3_ENDPOINT");
    config_.properties["s3.access-key-id"] = Env("AISHELL_TEST_S3_ACCESS_KEY");
    config_.properties["s3.secret-access-key"] = Env("AISHELL_TEST_S3_SECRET_KEY");
    config_.properties["s3.region"] = "us-east-1";
    config_.properties["s3.path-style-access"] = "true";
  }

  static std::string Metadata(const std::string& location, int64_t snapshot) {
    return R"({"format-version":2,"table-uuid":"9f1f0000-0000-4000-8000-000000000001","location":")" +
           location + R"(","current-snapshot-id":)" + std::to_string(snapshot) +
           R"(,"current-schema-id":0,"default-spec-id":0,"default-sort-order-id":0})";
  }

  std::string url_;
  ConnectionConfig config_;
  Namespace ns_;
};

TEST_F(NessieCatalogLive, CommitsConflictsAndRefs) {
  auto catalog = CreateNessieCatalog(config_);
  catalog->CreateNamespace(ns_);
  catalog->CreateNamespace(ns_);  // exists: fine
  auto namespaces = catalog->ListNamespaces();
  EXPECT_NE(std::find(namespaces.begin(), namespaces.end(), ns_), namespaces.end());

  TableIdentifier id{ns_, "t"};
  std::string location = catalog->DefaultTableLocation(id);
  EXPECT_EQ(location.rfind(config_.properties["warehouse"] + "/" + ns_[0] + "/t_", 0), 0u)
      << location;
  auto fs = FileSystemForPath(location, catalog->storage());
  TableCommit create;
  create.id = id;
  create.new_metadata_location = location + "/metadata/00000-a.metadata.json";
  create.new_metadata_json = Metadata(location, -1);
  ASSERT_EQ(catalog->CommitTable(create), CommitResult::kCommitted);
  auto loaded = catalog->LoadTable(id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->metadata_location, create.new_metadata_location);
  EXPECT_EQ(loaded->metadata_json, create.new_metadata_json);
  ASSERT_EQ(catalog->ListTables(ns_).size(), 1u);

  // Creating it again, and updating from a stale base, lose, and write no metadata file.
  TableCommit again = create;
  again.new_metadata_location = location + "/metadata/00000-b.metadata.json";
  EXPECT_EQ(catalog->CommitTable(again), CommitResult::kConflict);
  EXPECT_FALSE(fs->Exists(again.new_metadata_location));
  TableCommit update;
  update.id = id;
  update.base_metadata_location = create.new_metadata_location;
  update.new_metadata_location = location + "/metadata/00001-c.metadata.json";
  update.new_metadata_json = Metadata(location, 42);
  ASSERT_EQ(catalog->CommitTable(update), CommitResult::kCommitted);
  TableCommit stale = update;
  stale.new_metadata_location = location + "/metadata/00001-d.metadata.json";
  EXPECT_EQ(catalog->CommitTable(stale), CommitResult::kConflict);
  EXPECT_FALSE(fs->Exists(stale.new_metadata_location));
  EXPECT_EQ(catalog->LoadTable(id)->metadata_location, update.new_metadata_location);

  // The first version, by ref: the hash of the commit that created the table is in the log of
  // main; `main@<hash>` is read-only.
  EXPECT_FALSE(catalog->LoadTable({ns_, "missing"}));
  std::string msg = Message([&] { catalog->LoadTableAtRef(id, "no_such_branch_x"); });
  EXPECT_NE(msg.find("no_such_branch_x"), std::string::npos) << msg;

  ConnectionConfig v1 = config_;
  v1.url = url_ + "/api/v1";
  auto catalog_v1 = CreateNessieCatalog(v1);
  ASSERT_TRUE(catalog_v1->LoadTable(id));
  EXPECT_EQ(catalog_v1->LoadTable(id)->metadata_location, update.new_metadata_location);
}

TEST_F(NessieCatalogLive, DetachedHashIsReadOnly) {
  auto catalog = CreateNessieCatalog(config_);
  catalog->CreateNamespace(ns_);
  // Any hash: the write is refused before anything reaches the server.
  ConnectionConfig pinned = config_;
  pinned.properties["ref"] = "main@" + std::string(64, 'a');
  auto detached = CreateNessieCatalog(pinned);
  TableCommit c;
  c.id = {ns_, "t"};
  c.new_metadata_location = config_.properties["warehouse"] + "/x/metadata/00000-x.metadata.json";
  c.new_metadata_json = Metadata("s3://x", -1);
  std::string msg = Message([&] { detached->CommitTable(c); });
  EXPECT_NE(msg.find("read-only"), std::string::npos) << msg;
  EXPECT_NE(msg.find("detached"), std::string::npos) << msg;
  auto fs = FileSystemForPath(c.new_metadata_location, catalog->storage());
  EXPECT_FALSE(fs->Exists(c.new_metadata_location));
}

}  // namespace
}  // namespace aishell::iceberg
