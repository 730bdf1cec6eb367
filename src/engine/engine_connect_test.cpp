// Engine::Connect / Disconnect / ListConnections: registration without the shell.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "engine/config_store.h"
#include "engine/engine.h"

namespace aishell {
namespace {

class EngineConnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aishell_engine_connect_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/data");
    std::ofstream(dir_ + "/data/users.csv") << "id,name\n1,alice\n2,bob\n";
    EngineOptions options;
    options.home_dir = dir_ + "/home";
    engine_ = std::make_unique<Engine>(options);
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineConnectTest, ConnectValidatesSavesAndRegisters) {
  ConnectResult r = engine_->Connect(ConnectionConfig{"files", "", dir_ + "/data/", {}});
  EXPECT_EQ(r.config.type, "file");
  EXPECT_EQ(r.config.url, dir_ + "/data");  // trailing '/' dropped
  EXPECT_FALSE(r.replaced);
  EXPECT_EQ(r.table_count, 1u);
  ASSERT_EQ(r.sample_tables.size(), 1u);
  EXPECT_EQ(r.sample_tables[0], "users");
  // Saved, and usable in this session at once.
  auto saved = ConfigStore(dir_ + "/home").LoadConnections();
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].name, "files");
  EXPECT_EQ(engine_->ListConnections().size(), 1u);
  EXPECT_EQ(engine_->Execute("SELECT count(*) FROM files.users").row_count, 1);
  // Again: replaces the definition.
  EXPECT_TRUE(engine_->Connect(ConnectionConfig{"FILES", "file", dir_ + "/data", {}}).replaced);
  EXPECT_EQ(engine_->ListConnections().size(), 1u);
}

TEST_F(EngineConnectTest, ConnectRefusesBadNamesTypesAndUnreachableSources) {
  EXPECT_THROW(engine_->Connect(ConnectionConfig{"bad name", "file", dir_ + "/data", {}}), Error);
  EXPECT_THROW(engine_->Connect(ConnectionConfig{"x", "", "nosuch://host/db", {}}), Error);
  try {
    engine_->Connect(ConnectionConfig{"x", "file", dir_ + "/missing", {}});
    FAIL() << "expected ConnectionFailed";
  } catch (const ConnectionFailed& e) {
    EXPECT_EQ(e.config().name, "x");
    EXPECT_EQ(e.config().type, "file");
  }
  EXPECT_TRUE(engine_->ListConnections().empty());  // nothing saved
}

TEST_F(EngineConnectTest, AFailedConnectionNeverShowsThePassword) {
  auto types = ConnectorFactory::Types();
  if (std::find(types.begin(), types.end(), "postgres") == types.end())
    GTEST_SKIP() << "this build has no PostgreSQL connector";
  // libpq quotes a malformed percent-encoded token in its message: here, the password itself.
  const std::string url = "postgres://someone:Leak%zzPw-5e1b@127.0.0.1:1/db";
  try {
    engine_->Connect(ConnectionConfig{"pg", "", url, {}});
    FAIL() << "expected ConnectionFailed";
  } catch (const ConnectionFailed& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find("Leak"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("5e1b"), std::string::npos) << msg;
  }
  EXPECT_TRUE(engine_->ListConnections().empty());
}

TEST_F(EngineConnectTest, DisconnectRemovesAndSuggests) {
  engine_->Connect(ConnectionConfig{"files", "file", dir_ + "/data", {}});
  try {
    engine_->Disconnect("filez");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'files'"), std::string::npos) << e.what();
  }
  engine_->Disconnect("files");
  EXPECT_TRUE(engine_->ListConnections().empty());
  EXPECT_FALSE(engine_->catalogs().HasCatalog("files"));
}

}  // namespace
}  // namespace aishell
