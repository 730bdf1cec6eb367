// Errors. Every error a user can cause is one of these, with a message that says
// what went wrong and where (SQL position, source name, file).
#pragma once

#include <stdexcept>
#include <string>

namespace aishell {

enum class ErrorKind {
  kSyntax,       // the SQL text does not parse
  kBinder,       // unknown name, type mismatch, wrong argument count
  kCatalog,      // unknown catalog/schema/table/view, duplicate name
  kConnector,    // a source failed: unreachable, bad credentials, remote error
  kIo,           // a file is missing, unreadable or malformed
  kConversion,   // a value does not convert (CAST, CSV field, overflow)
  kExecution,    // division by zero and other runtime errors
  kOutOfMemory,  // the query memory limit was exceeded
  kUnsupported,  // valid input that aishell does not support (yet)
  kInterrupted,  // the query was cancelled
  kInternal,     // a bug
};

const char* ErrorKindName(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  // `position` is a 0-based byte offset into the SQL text, or -1.
  Error(ErrorKind kind, const std::string& message, int position)
      : std::runtime_error(message), kind_(kind), position_(position) {}

  ErrorKind kind() const { return kind_; }
  int position() const { return position_; }

 private:
  ErrorKind kind_;
  int position_ = -1;
};

// Renders "Syntax error at line L, column C: message" plus the offending line and a caret,
// when the error carries a position into `sql`.
std::string FormatError(const Error& error, const std::string& sql);

}  // namespace aishell
