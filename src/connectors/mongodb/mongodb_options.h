// Small MongoDB types that need no driver header (the connector's header is included by
// connectors/register_connectors.cpp, which is built without libmongoc's include paths).
#pragma once

#include <cstdint>
#include <string>

namespace aishell {

// What to do with a value that does not fit its column (a string in an INTEGER column).
enum class MismatchPolicy : uint8_t { kError, kNull };

// What buildInfo says about the server.
struct MongoServerInfo {
  std::string version;           // "7.0.42"
  std::string ferretdb_version;  // "v1.24.2" on FerretDB, else ""
  bool IsFerretDb() const { return !ferretdb_version.empty(); }
};

}  // namespace aishell
