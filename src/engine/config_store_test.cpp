#include "engine/config_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/exception.h"

namespace aishell {
namespace {

class ConfigStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aishell_config_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    home_ = dir_ + "/home/nested";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  std::string home_;
};

TEST_F(ConfigStoreTest, ConnectionsRoundTripWithPrivateMode) {
  ConfigStore store(home_);
  EXPECT_TRUE(store.LoadConnections().empty());
  ConnectionConfig c{"users-db", "postgres", "postgres://u:p\"w@host/db", {{"sslmode", "require"}}};
  EXPECT_FALSE(store.PutConnection(c));
  EXPECT_FALSE(store.PutConnection(ConnectionConfig{"files", "file", "/data", {}}));
  auto list = store.LoadConnections();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "users-db");
  EXPECT_EQ(list[0].url, "postgres://u:p\"w@host/db");
  EXPECT_EQ(list[0].properties.at("sslmode"), "require");
  struct stat st;
  ASSERT_EQ(::stat(store.PathOf("connections.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  c.url = "postgres://other/db";
  EXPECT_TRUE(store.PutConnection(c));  // replaces, case-insensitively
  EXPECT_EQ(store.LoadConnections().size(), 2u);
  EXPECT_TRUE(store.RemoveConnection("USERS-DB"));
  EXPECT_FALSE(store.RemoveConnection("users-db"));
  list = store.LoadConnections();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "files");
}

TEST_F(ConfigStoreTest, CorruptConnectionsFileIsAClearError) {
  ConfigStore store(home_);
  store.EnsureHome();
  std::ofstream(store.PathOf("connections.json")) << "{not json";
  try {
    store.LoadConnections();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(std::string(e.what()).find("connections.json"), std::string::npos);
  }
}

TEST_F(ConfigStoreTest, SettingsAreStoredAndApplied) {
  ConfigStore store(home_);
  store.SetSetting("federation.max_memory", "1GB");
  store.SetSetting("federation.timeout", "60s");
  store.SetSetting("federation.pushdown", "false");
  store.SetSetting("threads", "3");
  EXPECT_EQ(store.GetSetting("federation.timeout"), "60s");
  EXPECT_FALSE(store.GetSetting("nope").has_value());
  EngineOptions options;
  ConfigStore::ApplySettings(store.LoadSettings(), options);
  EXPECT_EQ(options.max_memory, 1LL << 30);
  EXPECT_FALSE(options.pushdown);
  EXPECT_EQ(options.threads, 3);
  EXPECT_TRUE(store.UnsetSetting("threads"));
  EXPECT_FALSE(store.UnsetSetting("threads"));
  EXPECT_EQ(store.LoadSettings().size(), 3u);
}

TEST_F(ConfigStoreTest, ByteSizes) {
  EXPECT_EQ(ParseByteSize("1GB"), 1LL << 30);
  EXPECT_EQ(ParseByteSize("512mb"), 512LL << 20);
  EXPECT_EQ(ParseByteSize("64k"), 64LL << 10);
  EXPECT_EQ(ParseByteSize("1.5GB"), 3LL << 29);
  EXPECT_EQ(ParseByteSize("1000"), 1000);
  EXPECT_THROW(ParseByteSize("lots"), Error);
  EXPECT_THROW(ParseByteSize("5 parsecs"), Error);
  EXPECT_THROW(ParseByteSize("0"), Error);
  EXPECT_EQ(FormatByteSize(1LL << 30), "1GB");
  EXPECT_EQ(FormatByteSize(1000), "1000B");
  EXPECT_THROW(ParseBoolSetting("pushdown", "maybe"), Error);
  EXPECT_TRUE(ParseBoolSetting("pushdown", "ON"));
}

TEST_F(ConfigStoreTest, LastResultRoundTrip) {
  ConfigStore store(home_);
  EXPECT_THROW(store.LoadLastResult(), Error);
  QueryResult result;
  result.columns = {{"id", LogicalType(TypeId::kBigInt)},
                    {"name", LogicalType(TypeId::kVarchar)},
                    {"amount", LogicalType::Decimal(12, 2)}};
  std::vector<LogicalType> types = {LogicalType(TypeId::kBigInt), LogicalType(TypeId::kVarchar),
                                    LogicalType::Decimal(12, 2)};
  for (int b = 0; b < 2; b++) {
    Batch batch(types, 3);
    batch.SetCount(3);
    for (int r = 0; r < 3; r++) {
      batch.columns[0].SetValue(r, Value::BigInt(b * 10 + r));
      if (r == 1)
        batch.columns[1].SetNull(r);
      else
        batch.columns[1].SetString(r, "row" + std::to_string(b * 10 + r));
      batch.columns[2].SetValue(r, Value::Decimal(12345 + r, 12, 2));
    }
    result.batches.push_back(std::move(batch));
  }
  result.row_count = 6;
  ASSERT_TRUE(store.SaveLastResult(result));
  QueryResult loaded = store.LoadLastResult();
  ASSERT_EQ(loaded.columns.size(), 3u);
  EXPECT_EQ(loaded.columns[2].type, LogicalType::Decimal(12, 2));
  EXPECT_EQ(loaded.row_count, 6);
  ASSERT_EQ(loaded.batches.size(), 2u);
  EXPECT_EQ(loaded.batches[1].columns[0].GetValue(2), Value::BigInt(12));
  EXPECT_TRUE(loaded.batches[1].columns[1].GetValue(1).is_null());
  EXPECT_EQ(loaded.batches[1].columns[1].GetValue(0).GetString(), "row10");
  EXPECT_EQ(loaded.batches[0].columns[2].GetValue(1), Value::Decimal(12346, 12, 2));

  // Too large: refused, and the previous result is forgotten with a clear message.
  EXPECT_FALSE(store.SaveLastResult(result, 64));
  try {
    store.LoadLastResult();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("was not kept"), std::string::npos) << e.what();
  }
}

TEST_F(ConfigStoreTest, LongStringsCountTowardsTheLastResultLimit) {
  ConfigStore store(home_);
  QueryResult result;
  result.columns = {{"s", LogicalType(TypeId::kVarchar)}};
  Batch batch(std::vector<LogicalType>{LogicalType(TypeId::kVarchar)}, 1);
  batch.SetCount(1);
  batch.columns[0].SetString(0, std::string(1000, 'x'));
  result.batches.push_back(std::move(batch));
  result.row_count = 1;
  EXPECT_FALSE(
      store.SaveLastResult(result, 500));  // the estimate (5 bytes) passes; the data does not
  EXPECT_THROW(store.LoadLastResult(), Error);
  EXPECT_TRUE(store.SaveLastResult(result, 5000));
  EXPECT_EQ(store.LoadLastResult().batches[0].columns[0].GetValue(0).GetString().size(), 1000u);
}

TEST_F(ConfigStoreTest, LastResultKeepsConstantVectors) {
  ConfigStore store(home_);
  QueryResult result;
  result.columns = {{"n", LogicalType(TypeId::kInteger)}, {"d", LogicalType(TypeId::kDate)}};
  Batch batch;
  batch.columns.push_back(Vector::Constant(Value::Integer(5), 4));
  batch.columns.push_back(Vector::Constant(Value::Null(LogicalType(TypeId::kDate)), 4));
  batch.count = 4;
  result.batches.push_back(std::move(batch));
  result.row_count = 4;
  ASSERT_TRUE(store.SaveLastResult(result));
  QueryResult loaded = store.LoadLastResult();
  ASSERT_EQ(loaded.row_count, 4);
  for (int r = 0; r < 4; r++) {
    EXPECT_EQ(loaded.batches[0].columns[0].GetValue(r), Value::Integer(5));
    EXPECT_TRUE(loaded.batches[0].columns[1].GetValue(r).is_null());
  }
}

TEST_F(ConfigStoreTest, TruncatedLastResultIsAnError) {
  ConfigStore store(home_);
  store.EnsureHome();
  WriteFileAtomic(store.PathOf("last_result.bin"), std::string("AISHRES2\x02\x00", 10));
  EXPECT_THROW(store.LoadLastResult(), Error);
}

}  // namespace
}  // namespace aishell
