#include "engine/schema_cache_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace aishell {
namespace {

class SchemaCacheFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aishell_schema_cache_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/schema_cache.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static TableInfo Orders() {
    TableInfo t;
    t.schema = "Sales";
    t.name = "Orders";
    t.columns.push_back({"id", LogicalType(TypeId::kInteger)});
    auto items = ParseTypeName("array(row(product_id varchar, quantity integer))");
    EXPECT_TRUE(items.has_value());
    t.columns.push_back({"items", *items});
    ColumnInfo hidden{"_id", LogicalType(TypeId::kVarchar)};
    hidden.hidden = true;
    hidden.comment = "a comment that is not kept";
    t.columns.push_back(hidden);
    return t;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SchemaCacheFileTest, RoundTripsThroughTheFile) {
  {
    FileSchemaCache cache(path_);
    cache.Remember("orders-db", "mongodb", "shop", Orders());
  }
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  FileSchemaCache again(path_);
  EXPECT_EQ(again.ConnectorType("ORDERS-DB"), "mongodb");
  auto t = again.Recall("orders-db", "sales", "orders");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->schema, "Sales");
  EXPECT_EQ(t->name, "Orders");
  ASSERT_EQ(t->columns.size(), 3u);
  EXPECT_EQ(t->columns[1].type.ToString(), Orders().columns[1].type.ToString());
  EXPECT_TRUE(t->columns[2].hidden);
  EXPECT_TRUE(t->columns[2].comment.empty());
  EXPECT_EQ(again.Recall("orders-db", "sales", "payments"), nullptr);
  EXPECT_EQ(again.Recall("users-db", "sales", "orders"), nullptr);
}

TEST_F(SchemaCacheFileTest, EmptySchemaMeansTheRememberedDefault) {
  FileSchemaCache cache(path_);
  TableInfo t = Orders();
  t.schema = "shop";
  cache.Remember("orders-db", "mongodb", "shop", t);
  EXPECT_NE(cache.Recall("orders-db", "", "orders"), nullptr);
}

TEST_F(SchemaCacheFileTest, ANewDescriptionReplacesTheOld) {
  FileSchemaCache cache(path_);
  cache.Remember("db", "postgres", "public", Orders());
  TableInfo changed = Orders();
  changed.columns.pop_back();
  cache.Remember("db", "postgres", "public", changed);
  FileSchemaCache again(path_);
  EXPECT_EQ(again.Recall("db", "sales", "orders")->columns.size(), 2u);
}

TEST_F(SchemaCacheFileTest, AnUnreadableFileIsAnEmptyCache) {
  std::ofstream(path_) << "{not json";
  FileSchemaCache cache(path_);
  EXPECT_EQ(cache.Recall("db", "sales", "orders"), nullptr);
  cache.Remember("db", "postgres", "public", Orders());  // and is replaced
  FileSchemaCache again(path_);
  EXPECT_NE(again.Recall("db", "sales", "orders"), nullptr);
}

}  // namespace
}  // namespace aishell
