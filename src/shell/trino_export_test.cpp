#include "shell/trino_export.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

TEST(TrinoExportTest, CatalogNames) {
  EXPECT_EQ(TrinoCatalogName("users-db"), "users_db");
  EXPECT_EQ(TrinoCatalogName("Sales"), "sales");
}

TEST(TrinoExportTest, ViewSqlRenamesCatalogsAndQualifiesNames) {
  std::map<std::string, std::string> schemas = {{"users-db", "public"}, {"orders-db", "shop"}};
  std::string sql =
      "SELECT u.id, COUNT(o.id) AS n FROM [users-db].users u LEFT JOIN \"orders-db\".shop.orders o "
      "ON u.id = o.user_id JOIN other_view v ON v.id = u.id WHERE u.name <> 'users-db.users' "
      "GROUP BY u.id";
  std::string out = TrinoViewSql(sql, schemas, {"other_view"}, "aishell_views");
  EXPECT_EQ(out,
            "SELECT u.id, COUNT(o.id) AS n FROM users_db.public.users u LEFT JOIN "
            "orders_db.shop.orders o ON u.id = o.user_id JOIN aishell_views.default.other_view v "
            "ON v.id = u.id WHERE u.name <> 'users-db.users' GROUP BY u.id");
}

TEST(TrinoExportTest, SecretsAreEnvironmentReferencesUnlessIncluded) {
  CatalogRegistry catalogs;
  ConnectionConfig pg{
      "users-db", "postgres", "postgres://app:s3cret-pw@db.example:5433/shop?sslmode=require", {}};
  ConnectionConfig redis{"cache", "redis", "redis://:r3dis-pw@127.0.0.1:6379/2", {}};
  std::vector<ViewDefinition> views = {{"big", "SELECT * FROM [users-db].users WHERE id > 10"}};
  TrinoExportOptions options;
  options.out_dir = "/tmp/out";
  TrinoExport out = ExportTrinoCatalogs(catalogs, {pg, redis}, views, options);
  const std::string& props = out.files.at("etc/catalog/users_db.properties");
  EXPECT_NE(props.find("connector.name=postgresql\n"), std::string::npos);
  EXPECT_NE(props.find("connection-url=jdbc:postgresql://db.example:5433/shop?sslmode=require\n"),
            std::string::npos);
  EXPECT_NE(props.find("connection-user=app\n"), std::string::npos);
  EXPECT_NE(props.find("connection-password=${ENV:AISHELL_USERS_DB_PASSWORD}\n"),
            std::string::npos);
  for (const auto& [path, text] : out.files) {
    EXPECT_EQ(text.find("s3cret-pw"), std::string::npos) << path;
    EXPECT_EQ(text.find("r3dis-pw"), std::string::npos) << path;
  }
  const std::string& cache = out.files.at("etc/catalog/cache.properties");
  EXPECT_NE(cache.find("redis.nodes=127.0.0.1:6379\n"), std::string::npos);
  EXPECT_NE(cache.find("redis.database-index=2\n"), std::string::npos);
  EXPECT_NE(cache.find("redis.table-description-dir=/tmp/out/etc/redis/cache\n"),
            std::string::npos);
  EXPECT_NE(out.files.at("views.sql")
                .find("CREATE OR REPLACE VIEW aishell_views.default.big AS\n"
                      "SELECT * FROM users_db.public.users WHERE id > 10;"),
            std::string::npos);
  EXPECT_EQ(out.files.at("etc/catalog/aishell_views.properties"), "connector.name=memory\n");
  EXPECT_NE(out.files.at("NOTES.md").find("AISHELL_USERS_DB_PASSWORD"), std::string::npos);

  options.include_secrets = true;
  out = ExportTrinoCatalogs(catalogs, {pg}, {}, options);
  EXPECT_NE(out.files.at("etc/catalog/users_db.properties").find("connection-password=s3cret-pw\n"),
            std::string::npos);
  EXPECT_TRUE(out.env_vars.empty());
}

TEST(TrinoExportTest, MongoUrlKeepsItsPasswordEncoded) {
  CatalogRegistry catalogs;
  ConnectionConfig mongo{
      "orders", "mongodb", "mongodb://app:p%40ss@h:27017/shop?authSource=admin", {}};
  TrinoExportOptions options;
  TrinoExport out = ExportTrinoCatalogs(catalogs, {mongo}, {}, options);
  EXPECT_NE(out.files.at("etc/catalog/orders.properties")
                .find("mongodb.connection-url=mongodb://app:${ENV:AISHELL_ORDERS_PASSWORD}@h:27017/"
                      "shop?authSource=admin\n"),
            std::string::npos);
  options.include_secrets = true;
  out = ExportTrinoCatalogs(catalogs, {mongo}, {}, options);
  EXPECT_NE(
      out.files.at("etc/catalog/orders.properties")
          .find("mongodb.connection-url=mongodb://app:p%40ss@h:27017/shop?authSource=admin\n"),
      std::string::npos);
}

TEST(TrinoExportTest, IcebergCatalogTypes) {
  CatalogRegistry catalogs;
  ConnectionConfig rest{"lake",
                        "iceberg",
                        "http://127.0.0.1:8181",
                        {{"warehouse", "s3://bucket/wh"},
                         {"s3.endpoint", "http://127.0.0.1:9000"},
                         {"s3.access-key-id", "AKIA1"},
                         {"s3.secret-access-key", "sekrit-key"}}};
  ConnectionConfig jdbc{"jc",
                        "iceberg",
                        "postgres://cat:cat-pw@pg:5432/catalogs",
                        {{"warehouse", "s3://bucket/jwh"}, {"catalog-name", "prod"}}};
  TrinoExport out = ExportTrinoCatalogs(catalogs, {rest, jdbc}, {}, TrinoExportOptions{});
  const std::string& r = out.files.at("etc/catalog/lake.properties");
  for (const char* line :
       {"connector.name=iceberg\n", "iceberg.catalog.type=rest\n",
        "iceberg.rest-catalog.uri=http://127.0.0.1:8181\n",
        "iceberg.rest-catalog.warehouse=s3://bucket/wh\n", "fs.native-s3.enabled=true\n",
        "s3.endpoint=http://127.0.0.1:9000\n", "s3.path-style-access=true\n",
        "s3.aws-access-key=AKIA1\n", "s3.aws-secret-key=${ENV:AISHELL_LAKE_S3_SECRET_KEY}\n"}) {
    EXPECT_NE(r.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(r.find("vended-credentials"), std::string::npos);
  const std::string& j = out.files.at("etc/catalog/jc.properties");
  for (const char* line :
       {"iceberg.catalog.type=jdbc\n", "iceberg.jdbc-catalog.driver-class=org.postgresql.Driver\n",
        "iceberg.jdbc-catalog.connection-url=jdbc:postgresql://pg:5432/catalogs\n",
        "iceberg.jdbc-catalog.connection-user=cat\n",
        "iceberg.jdbc-catalog.connection-password=${ENV:AISHELL_JC_PASSWORD}\n",
        "iceberg.jdbc-catalog.catalog-name=prod\n",
        "iceberg.jdbc-catalog.default-warehouse-dir=s3://bucket/jwh\n"}) {
    EXPECT_NE(j.find(line), std::string::npos) << line;
  }
}

TEST(TrinoExportTest, SourcesWithoutATrinoConnectorAreNotes) {
  CatalogRegistry catalogs;
  ConnectionConfig lite{"local", "sqlite", "sqlite:///tmp/x.db", {}};
  ConnectionConfig ice{"lake", "iceberg", "sqlite:///tmp/catalog.db", {}};
  TrinoExport out = ExportTrinoCatalogs(catalogs, {lite, ice}, {}, TrinoExportOptions{});
  EXPECT_EQ(out.files.count("etc/catalog/local.properties"), 0u);
  EXPECT_EQ(out.files.count("etc/catalog/lake.properties"), 0u);
  ASSERT_EQ(out.notes.size(), 2u);
  EXPECT_NE(out.notes[0].find("sqlite source has no Trino connector"), std::string::npos);
  EXPECT_NE(out.notes[1].find("SQL catalog in SQLite"), std::string::npos);
}

}  // namespace
}  // namespace aishell
