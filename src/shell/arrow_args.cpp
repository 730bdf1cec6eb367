#include "shell/arrow_args.h"

#include "common/strings.h"
#include "shell/cli.h"

namespace aishell {

SourceAndTarget ParseSourceAndTarget(const std::vector<std::string>& positional,
                                     const std::optional<std::string>& to,
                                     const std::string& command) {
  const std::string usage = "give a source and a target: aishell " + command +
                            " <source> '->' <target> (or --to <target>, or <source> to <target>)";
  SourceAndTarget out;
  std::vector<std::string> args = positional;
  // `a->b` in one word.
  if (!args.empty()) {
    size_t arrow = args[0].find("->");
    if (arrow != std::string::npos && arrow > 0 && arrow + 2 < args[0].size()) {
      std::string first = args[0];
      args.erase(args.begin());
      args.insert(args.begin(), {first.substr(0, arrow), "->", first.substr(arrow + 2)});
    }
  }
  if (args.empty()) throw UsageError{command + " needs a source: " + usage, command};
  if (args.size() >= 2 && args[1] == "-") {
    throw UsageError{
        "the arrow was read by the shell: bash read the '>' of an unquoted -> as a redirection "
        "of the output into a file named after the target (check for that file and remove it). "
        "Quote the arrow ('->'), or use --to <target> or the word to",
        command};
  }
  out.source = args[0];
  size_t next = 1;
  if (args.size() >= 3 && (args[1] == "->" || AsciiLower(args[1]) == "to")) {
    out.target = args[2];
    next = 3;
  }
  if (to) {
    if (!out.target.empty())
      throw UsageError{"the target is given twice ('" + out.target + "' and --to " + *to + ")",
                       command};
    out.target = *to;
  }
  if (out.target.empty()) {
    if (args.size() >= 2 && (args[1] == "->" || AsciiLower(args[1]) == "to"))
      throw UsageError{command + " needs a target after '" + args[1] + "'", command};
    throw UsageError{command + " needs a target: " + usage, command};
  }
  if (out.source.empty() || out.target.empty() || out.target == "->")
    throw UsageError{usage, command};
  out.rest.assign(args.begin() + static_cast<long>(next), args.end());
  return out;
}

SourceAndTarget ParseSourceAndTargetOnly(const std::vector<std::string>& positional,
                                         const std::optional<std::string>& to,
                                         const std::string& command) {
  SourceAndTarget st = ParseSourceAndTarget(positional, to, command);
  if (!st.rest.empty())
    throw UsageError{command + " takes one source and one target; unexpected '" + st.rest[0] +
                         "' after the target '" + st.target + "'",
                     command};
  return st;
}

}  // namespace aishell
