// The version of aishell: `aishell --version`, SELECT version(), the server's headers.
#pragma once

namespace aishell {

inline constexpr const char* kAishellVersion = "0.1.0";

}  // namespace aishell
