#include "server/trino_errors.h"

#include "common/secrets.h"
#include "common/strings.h"

namespace aishell {

namespace {

bool Contains(const std::string& text, const char* part) {
  return AsciiLower(text).find(part) != std::string::npos;
}

bool StartsWith(const std::string& text, const char* prefix) {
  return AsciiLower(text).rfind(prefix, 0) == 0;
}

}  // namespace

const std::vector<TrinoErrorCode>& TrinoErrorCodes() {
  // Numbers, names and types as in io.trino.spi.StandardErrorCode of trino-spi 476
  // (trino_errors_test.cpp lists them too). SOURCE_ERROR is ours, in the connector range.
  static const std::vector<TrinoErrorCode> codes = {
      {0, "GENERIC_USER_ERROR", "USER_ERROR"},
      {1, "SYNTAX_ERROR", "USER_ERROR"},
      {3, "USER_CANCELED", "USER_ERROR"},
      {4, "PERMISSION_DENIED", "USER_ERROR"},
      {5, "NOT_FOUND", "USER_ERROR"},
      {6, "FUNCTION_NOT_FOUND", "USER_ERROR"},
      {7, "INVALID_FUNCTION_ARGUMENT", "USER_ERROR"},
      {8, "DIVISION_BY_ZERO", "USER_ERROR"},
      {9, "INVALID_CAST_ARGUMENT", "USER_ERROR"},
      {13, "NOT_SUPPORTED", "USER_ERROR"},
      {14, "INVALID_SESSION_PROPERTY", "USER_ERROR"},
      {44, "CATALOG_NOT_FOUND", "USER_ERROR"},
      {45, "SCHEMA_NOT_FOUND", "USER_ERROR"},
      {46, "TABLE_NOT_FOUND", "USER_ERROR"},
      {47, "COLUMN_NOT_FOUND", "USER_ERROR"},
      {58, "TYPE_MISMATCH", "USER_ERROR"},
      {65536, "GENERIC_INTERNAL_ERROR", "INTERNAL_ERROR"},
      {131074, "QUERY_QUEUE_FULL", "INSUFFICIENT_RESOURCES"},
      {131075, "EXCEEDED_TIME_LIMIT", "INSUFFICIENT_RESOURCES"},
      {131079, "EXCEEDED_LOCAL_MEMORY_LIMIT", "INSUFFICIENT_RESOURCES"},
      {16777216, "SOURCE_ERROR", "EXTERNAL"},
  };
  return codes;
}

const TrinoErrorCode& TrinoErrorCodeNamed(std::string_view name) {
  const TrinoErrorCode* internal = nullptr;
  for (const auto& c : TrinoErrorCodes()) {
    if (name == c.name) return c;
    if (std::string_view(c.name) == "GENERIC_INTERNAL_ERROR") internal = &c;
  }
  return *internal;
}

TrinoError TrinoError::Named(std::string_view name, std::string message) {
  const auto& c = TrinoErrorCodeNamed(name);
  TrinoError t;
  t.message = std::move(message);
  t.code = c.code;
  t.name = c.name;
  t.type = c.type;
  return t;
}

TrinoError ErrorOf(const Error& e, const std::string& sql) {
  const char* name = "GENERIC_USER_ERROR";
  std::string message = e.what();
  switch (e.kind()) {
    case ErrorKind::kSyntax:
      name = "SYNTAX_ERROR";
      break;
    case ErrorKind::kBinder:
      if (Contains(message, "session property"))
        name = "INVALID_SESSION_PROPERTY";
      else if (Contains(message, "parameters"))
        name = "GENERIC_USER_ERROR";
      else if (Contains(message, "function"))
        name = "FUNCTION_NOT_FOUND";
      else if (Contains(message, "column"))
        name = "COLUMN_NOT_FOUND";
      else
        name = "TYPE_MISMATCH";
      break;
    case ErrorKind::kCatalog:
      if (Contains(message, "prepared statement"))
        name = "NOT_FOUND";
      else if (StartsWith(message, "catalog '") || StartsWith(message, "no source named") ||
               StartsWith(message, "no default catalog"))
        name = "CATALOG_NOT_FOUND";
      else if (StartsWith(message, "schema '") || Contains(message, "has no schema"))
        name = "SCHEMA_NOT_FOUND";
      else
        name = "TABLE_NOT_FOUND";
      break;
    case ErrorKind::kConversion:
      name = "INVALID_CAST_ARGUMENT";
      break;
    case ErrorKind::kExecution:
      if (Contains(message, "division by zero"))
        name = "DIVISION_BY_ZERO";
      else if (Contains(message, "timeout") || Contains(message, "max_query_time"))
        name = "EXCEEDED_TIME_LIMIT";
      else
        name = "INVALID_FUNCTION_ARGUMENT";
      break;
    case ErrorKind::kOutOfMemory:
      name = "EXCEEDED_LOCAL_MEMORY_LIMIT";
      break;
    case ErrorKind::kUnsupported:
      name = "NOT_SUPPORTED";
      break;
    case ErrorKind::kInterrupted:
      if (Contains(message, "timeout") || Contains(message, "time limit"))
        name = "EXCEEDED_TIME_LIMIT";
      else
        name = "USER_CANCELED";
      break;
    case ErrorKind::kConnector:
    case ErrorKind::kIo:
      name = "SOURCE_ERROR";
      break;
    case ErrorKind::kInternal:
      name = "GENERIC_INTERNAL_ERROR";
      break;
  }
  // The message may echo a source URL: never a password.
  TrinoError t = TrinoError::Named(name, RedactText(message));
  if (e.position() >= 0 && static_cast<size_t>(e.position()) <= sql.size()) {
    t.line = 1;
    t.column = 1;
    for (int i = 0; i < e.position(); i++) {
      unsigned char c = static_cast<unsigned char>(sql[i]);
      if (c == '\n') {
        t.line++;
        t.column = 1;
      } else if ((c & 0xC0) != 0x80) {
        t.column++;
      }
    }
  }
  return t;
}

}  // namespace aishell
