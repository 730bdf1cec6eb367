// Test helpers for the file readers and embedded connectors: a temp folder, scan drivers and an
// error expectation.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "common/exception.h"
#include "common/testing/expect_error.h"
#include "common/value.h"
#include "common/vector.h"

namespace aishell::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/aishell_conn_test_XXXXXX";
    char* p = ::mkdtemp(tmpl);
    path_ = p ? p : "/tmp";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string full = path_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(full).parent_path());
    std::ofstream out(full, std::ios::binary);
    out << content;
    return full;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  std::vector<std::string> Files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string path_;
};

using Rows = std::vector<std::vector<Value>>;

// Runs every split of `scan` in order and returns the rows as values.
inline Rows ReadAll(TableScan& scan, int parallelism = 4, size_t* batches = nullptr) {
  Rows rows;
  for (auto& split : scan.CreateSplits(parallelism)) {
    auto source = scan.CreateDataSource(split);
    Batch batch;
    while (source->Next(batch)) {
      if (batches) (*batches)++;
      for (size_t r = 0; r < batch.count && batch.ColumnCount() > 0; r++) {
        std::vector<Value> row;
        for (const auto& col : batch.columns) row.push_back(col.GetValue(r));
        rows.push_back(std::move(row));
      }
      if (batch.ColumnCount() == 0) {
        for (size_t r = 0; r < batch.count; r++) rows.emplace_back();
      }
    }
  }
  return rows;
}

}  // namespace aishell::testing
