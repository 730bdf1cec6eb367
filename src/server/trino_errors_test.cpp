#include "server/trino_errors.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

namespace aishell {
namespace {

// Every error the server emits, with its number, name and type exactly as
// io.trino.spi.StandardErrorCode of trino-spi 476 has them (read from that jar's enum values;
// SOURCE_ERROR is the first code of the connector range, 0x0100_0000, with Trino's EXTERNAL type).
TEST(TrinoErrorsTest, CodesAreTrinos) {
  std::map<std::string, std::tuple<int, std::string>> trino476 = {
      {"GENERIC_USER_ERROR", {0, "USER_ERROR"}},
      {"SYNTAX_ERROR", {1, "USER_ERROR"}},
      {"USER_CANCELED", {3, "USER_ERROR"}},
      {"PERMISSION_DENIED", {4, "USER_ERROR"}},
      {"NOT_FOUND", {5, "USER_ERROR"}},
      {"FUNCTION_NOT_FOUND", {6, "USER_ERROR"}},
      {"INVALID_FUNCTION_ARGUMENT", {7, "USER_ERROR"}},
      {"DIVISION_BY_ZERO", {8, "USER_ERROR"}},
      {"INVALID_CAST_ARGUMENT", {9, "USER_ERROR"}},
      {"NOT_SUPPORTED", {13, "USER_ERROR"}},
      {"INVALID_SESSION_PROPERTY", {14, "USER_ERROR"}},
      {"CATALOG_NOT_FOUND", {44, "USER_ERROR"}},
      {"SCHEMA_NOT_FOUND", {45, "USER_ERROR"}},
      {"TABLE_NOT_FOUND", {46, "USER_ERROR"}},
      {"COLUMN_NOT_FOUND", {47, "USER_ERROR"}},
      {"TYPE_MISMATCH", {58, "USER_ERROR"}},
      {"GENERIC_INTERNAL_ERROR", {65536, "INTERNAL_ERROR"}},
      {"QUERY_QUEUE_FULL", {131074, "INSUFFICIENT_RESOURCES"}},
      {"EXCEEDED_TIME_LIMIT", {131075, "INSUFFICIENT_RESOURCES"}},
      {"EXCEEDED_LOCAL_MEMORY_LIMIT", {131079, "INSUFFICIENT_RESOURCES"}},
      {"SOURCE_ERROR", {16777216, "EXTERNAL"}},
  };
  std::set<std::string> seen;
  for (const auto& c : TrinoErrorCodes()) {
    ASSERT_TRUE(trino476.count(c.name)) << c.name << " is not a checked Trino code";
    EXPECT_EQ(std::get<0>(trino476[c.name]), c.code) << c.name;
    EXPECT_EQ(std::get<1>(trino476[c.name]), c.type) << c.name;
    seen.insert(c.name);
  }
  EXPECT_EQ(seen.size(), trino476.size());
}

TEST(TrinoErrorsTest, EngineErrorsMapToTrinoNames) {
  auto name = [](ErrorKind kind, const std::string& message) {
    return ErrorOf(Error(kind, message), "").name;
  };
  EXPECT_EQ(name(ErrorKind::kSyntax, "syntax error at or near 'FROM'"), "SYNTAX_ERROR");
  EXPECT_EQ(name(ErrorKind::kBinder, "column 'x' not found"), "COLUMN_NOT_FOUND");
  EXPECT_EQ(name(ErrorKind::kBinder, "function 'nope' does not exist"), "FUNCTION_NOT_FOUND");
  EXPECT_EQ(name(ErrorKind::kCatalog, "catalog 'x' does not exist"), "CATALOG_NOT_FOUND");
  EXPECT_EQ(name(ErrorKind::kCatalog, "schema 'x' does not exist"), "SCHEMA_NOT_FOUND");
  EXPECT_EQ(name(ErrorKind::kCatalog, "table 'x' does not exist"), "TABLE_NOT_FOUND");
  EXPECT_EQ(name(ErrorKind::kExecution, "division by zero"), "DIVISION_BY_ZERO");
  EXPECT_EQ(name(ErrorKind::kOutOfMemory, "federation.max_memory exceeded"),
            "EXCEEDED_LOCAL_MEMORY_LIMIT");
  EXPECT_EQ(name(ErrorKind::kInterrupted, "query cancelled"), "USER_CANCELED");
  EXPECT_EQ(name(ErrorKind::kConnector, "connection refused"), "SOURCE_ERROR");
  auto e = ErrorOf(Error(ErrorKind::kOutOfMemory, "over budget"), "");
  EXPECT_EQ(e.code, 131079);
  EXPECT_EQ(e.type, "INSUFFICIENT_RESOURCES");
}

TEST(TrinoErrorsTest, PositionBecomesLineAndColumn) {
  auto e = ErrorOf(Error(ErrorKind::kSyntax, "bad", 9), "SELECT 1\nFRM t");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(ErrorOf(Error(ErrorKind::kSyntax, "bad"), "x").line, 0);
}

TEST(TrinoErrorsTest, MessagesAreRedacted) {
  auto e = ErrorOf(Error(ErrorKind::kConnector, "cannot reach postgresql://u:hunter2@h/db"), "");
  EXPECT_EQ(e.message.find("hunter2"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace aishell
