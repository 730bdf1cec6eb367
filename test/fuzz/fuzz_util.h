// What every fuzz target shares: which errors bad input may cause, and the input as a file.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/connector.h"
#include "common/exception.h"
#include "common/vector.h"

namespace aishell::fuzz {

// Bad input may cause any aishell::Error but an internal one (a bug): that aborts, as does any
// other exception (it escapes LLVMFuzzerTestOneInput).
inline void CheckError(const Error& e) {
  if (e.kind() == ErrorKind::kInternal) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    std::abort();
  }
}

// Fails the run with `what` (a broken invariant).
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// The input written to a new file (readers take paths); removed by the destructor. Each file has a
// new name, so nothing cached by path and modification time is reused.
class TempFile {
 public:
  TempFile(std::string_view content, const std::string& extension) {
    static int counter = 0;
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/aishell_fuzz_" +
            std::to_string(::getpid()) + "_" + std::to_string(counter++) + "." + extension;
    FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) Fail("cannot write " + path_);
    if (!content.empty()) std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Every row of `scan` (split by split, in order) as text, one string per row. Errors propagate.
inline std::vector<std::string> ReadRows(TableScan& scan, int parallelism) {
  std::vector<std::string> rows;
  for (auto& split : scan.CreateSplits(parallelism)) {
    auto source = scan.CreateDataSource(split);
    Batch batch;
    while (source->Next(batch)) {
      for (size_t r = 0; r < batch.count; r++) {
        std::string row;
        for (const auto& column : batch.columns) {
          Value v = column.GetValue(r);
          row += v.is_null() ? std::string("\\N") : v.ToString();
          row += '\x1f';
        }
        rows.push_back(std::move(row));
      }
    }
  }
  return rows;
}

// Reading a file table whole and in byte-range splits must give the same rows; any other outcome
// than that or an Error (the same kind both ways) aborts.
inline void CheckSplitsAgree(TableScan& whole, TableScan& split, const std::string& what) {
  std::vector<std::string> a, b;
  bool a_failed = false, b_failed = false;
  try {
    a = ReadRows(whole, 1);
  } catch (const Error& e) {
    CheckError(e);
    a_failed = true;
  }
  try {
    b = ReadRows(split, 4);
  } catch (const Error& e) {
    CheckError(e);
    b_failed = true;
  }
  if (a_failed || b_failed) return;  // where an error is found may differ between splits
  if (a != b) {
    std::string msg = what + ": one split read " + std::to_string(a.size()) + " rows, four read " +
                      std::to_string(b.size());
    for (size_t i = 0; i < std::max(a.size(), b.size()); i++) {
      std::string x = i < a.size() ? a[i] : "(none)", y = i < b.size() ? b[i] : "(none)";
      if (x != y) {
        msg += "; first difference at row " + std::to_string(i) + ": '" + x + "' vs '" + y + "'";
        break;
      }
    }
    Fail(msg);
  }
}

}  // namespace aishell::fuzz
