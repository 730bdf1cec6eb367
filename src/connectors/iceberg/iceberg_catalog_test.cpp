// The SQL catalog's libpq client keeps passwords out of its errors, against the test PostgreSQL
// (scripts/services/postgres.sh; AISHELL_TEST_PG_URL). Skips when unset, fails when CI=true.
// CMake defines AISHELL_WITH_POSTGRES here when the build has the PostgreSQL connector.
#include <gtest/gtest.h>

#include <string>

#include "common/exception.h"
#include "common/secrets.h"
#include "common/testing/live_server.h"
#include "connectors/iceberg/iceberg_catalog.h"

namespace aishell::iceberg {
namespace {

// The message of the error that opening the SQL catalog at `url` throws ("" if none).
std::string OpenError(const std::string& url) {
  ConnectionConfig config;
  config.name = "iceberg";
  config.type = "iceberg";
  config.url = url;
  config.properties["warehouse"] = "/tmp/aishell-iceberg-catalog-test";
  try {
    CreateIcebergCatalog(config);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#ifdef AISHELL_WITH_POSTGRES
class IcebergSqlCatalogPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AISHELL_LIVE_SERVER_ENV(url_, "AISHELL_TEST_PG_URL", "scripts/services/postgres.sh start");
    password_ = PasswordOf(url_);
    ASSERT_FALSE(password_.empty()) << "AISHELL_TEST_PG_URL has no password";
  }
  // url_ with its password replaced by `password`.
  std::string WithPassword(const std::string& password) const {
    std::string url = url_;
    url.replace(url.find(":" + password_ + "@") + 1, password_.size(), password);
    return url;
  }
  std::string url_;
  std::string password_;
};

TEST_F(IcebergSqlCatalogPostgresTest, WrongPasswordIsNotInTheError) {
  const std::string wrong = "WrongPw-7c1e9a";
  std::string msg = OpenError(WithPassword(wrong));
  ASSERT_FALSE(msg.empty());
  EXPECT_NE(msg.find("iceberg SQL catalog"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(wrong), std::string::npos) << msg;
  EXPECT_EQ(msg.find(password_), std::string::npos) << msg;
}

TEST_F(IcebergSqlCatalogPostgresTest, WrongDatabaseWithTheRightPassword) {
  std::string url = url_.substr(0, url_.rfind('/')) + "/aishell_no_such_database";
  std::string msg = OpenError(url);
  ASSERT_FALSE(msg.empty());
  EXPECT_NE(msg.find("aishell_no_such_database"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(password_), std::string::npos) << msg;
}

TEST_F(IcebergSqlCatalogPostgresTest, PasswordLibpqEchoesIsScrubbed) {
  // libpq quotes a malformed percent-encoded token in its message: here the password itself.
  const std::string wrong = "Leak%zzPw-41d2";
  std::string msg = OpenError(WithPassword(wrong));
  ASSERT_FALSE(msg.empty());
  EXPECT_EQ(msg.find(wrong), std::string::npos) << msg;
  EXPECT_EQ(msg.find("Leak"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(password_), std::string::npos) << msg;
}

#else
// A build without the PostgreSQL connector has no libpq: a postgres:// catalog says so, and the
// password in its URL stays out of the message.
TEST(IcebergSqlCatalogWithoutPostgres, SaysTheBuildLacksPostgreSQL) {
  std::string msg = OpenError("postgres://user:Secret-9f3a@127.0.0.1:5432/catalog");
  EXPECT_NE(msg.find("built without PostgreSQL support"), std::string::npos) << msg;
  EXPECT_NE(msg.find("AISHELL_WITH_POSTGRES"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("Secret-9f3a"), std::string::npos) << msg;
}
#endif

}  // namespace
}  // namespace aishell::iceberg
