// `aishell sync a -> b` and the like: a source and a target given as `a '->' b`, `a --to b`,
// `a to b` or `a->b`. Unquoted, bash reads `-> b` as `-` followed by a redirection of stdout into
// a file named b: the command then sees [a, "-"] and says so (README: "The arrow in bash").
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace aishell {

struct SourceAndTarget {
  std::string source;
  std::string target;
  std::vector<std::string> rest;  // positional arguments after the target
};

// Reads the source and target from a command's positional arguments and its --to value.
// Throws UsageError (cli.h) for `command` with what was expected, and for bash's redirection.
SourceAndTarget ParseSourceAndTarget(const std::vector<std::string>& positional,
                                     const std::optional<std::string>& to,
                                     const std::string& command);

// The same for a command that takes nothing after the target (sync): UsageError naming the first
// extra argument otherwise.
SourceAndTarget ParseSourceAndTargetOnly(const std::vector<std::string>& positional,
                                         const std::optional<std::string>& to,
                                         const std::string& command);

}  // namespace aishell
