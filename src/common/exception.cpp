#include "common/exception.h"

#include <fmt/format.h>

namespace aishell {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kSyntax:
      return "Syntax error";
    case ErrorKind::kBinder:
      return "Binder error";
    case ErrorKind::kCatalog:
      return "Catalog error";
    case ErrorKind::kConnector:
      return "Source error";
    case ErrorKind::kIo:
      return "IO error";
    case ErrorKind::kConversion:
      return "Conversion error";
    case ErrorKind::kExecution:
      return "Execution error";
    case ErrorKind::kOutOfMemory:
      return "Out of memory";
    case ErrorKind::kUnsupported:
      return "Unsupported";
    case ErrorKind::kInterrupted:
      return "Interrupted";
    case ErrorKind::kInternal:
      return "Internal error";
  }
  return "Error";
}

std::string FormatError(const Error& error, const std::string& sql) {
  int pos = error.position();
  if (pos < 0 || pos > static_cast<int>(sql.size())) {
    return fmt::format("{}: {}", ErrorKindName(error.kind()), error.what());
  }
  int line = 1;
  size_t line_start = 0;
  for (int i = 0; i < pos; i++) {
    if (sql[i] == '\n') {
      line++;
      line_start = i + 1;
    }
  }
  size_t line_end = sql.find('\n', line_start);
  if (line_end == std::string::npos) line_end = sql.size();
  int column = pos - static_cast<int>(line_start) + 1;
  std::string text = sql.substr(line_start, line_end - line_start);
  std::string caret(column - 1, ' ');
  for (size_t i = 0; i < caret.size() && i < text.size(); i++) {
    if (text[i] == '\t') caret[i] = '\t';
  }
  return fmt::format("{} at line {}, column {}: {}\n  {}\n  {}^", ErrorKindName(error.kind()), line,
                     column, error.what(), text, caret);
}

}  // namespace aishell
