#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/exception.h"

namespace aishell {

// One of Trino's error codes (io.trino.spi.StandardErrorCode, or a connector code from
// 0x0100_0000 on): the number, name and type that clients read from `error`.
struct TrinoErrorCode {
  int code;
  const char* name;
  const char* type;  // USER_ERROR, INTERNAL_ERROR, INSUFFICIENT_RESOURCES or EXTERNAL
};

// Every code the server emits, checked against Trino 476's StandardErrorCode.
const std::vector<TrinoErrorCode>& TrinoErrorCodes();

// The code named `name` (one of TrinoErrorCodes()); GENERIC_INTERNAL_ERROR for another name.
const TrinoErrorCode& TrinoErrorCodeNamed(std::string_view name);

// An error as the server sends it.
struct TrinoError {
  std::string message;
  int code = 0;
  std::string name = "GENERIC_USER_ERROR";
  std::string type = "USER_ERROR";
  int line = 0;    // 1-based; 0: no location
  int column = 0;  // 1-based

  // A TrinoError of the code named `name` with `message` (no location).
  static TrinoError Named(std::string_view name, std::string message);
};

// The Trino error of an engine error raised by `sql` (the position becomes line and column;
// the message passes through RedactText).
TrinoError ErrorOf(const Error& e, const std::string& sql);

}  // namespace aishell
