// Runs the records of one sqllogictest file and compares results.
#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include "sqllogictest.h"

namespace aishell {
namespace slt {
namespace {

namespace fs = std::filesystem;

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

bool ParseDouble(const std::string& s, double& out) {
  if (s.empty()) return false;
  if (s == "NaN" || s == "nan") {
    out = std::nan("");
    return true;
  }
  if (s == "Infinity" || s == "inf") {
    out = INFINITY;
    return true;
  }
  if (s == "-Infinity" || s == "-inf") {
    out = -INFINITY;
    return true;
  }
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

std::string JoinRow(const std::vector<std::string>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); i++) {
    if (i) out += "\t";
    out += row[i];
  }
  return out;
}

std::string RenderRows(const std::vector<std::vector<std::string>>& rows, size_t limit = 30) {
  std::string out;
  for (size_t i = 0; i < rows.size() && i < limit; i++) out += "    " + JoinRow(rows[i]) + "\n";
  if (rows.size() > limit)
    out += "    ... (" + std::to_string(rows.size() - limit) + " more rows)\n";
  if (rows.empty()) out += "    (no rows)\n";
  return out;
}

bool ParseHashLine(const std::string& line, int64_t& count, std::string& hash) {
  static const std::regex kHash(R"(^\s*(\d+) values hashing to ([0-9a-fA-F]{32})\s*$)");
  std::smatch m;
  if (!std::regex_match(line, m, kHash)) return false;
  count = std::stoll(m[1]);
  hash = m[2];
  std::transform(hash.begin(), hash.end(), hash.begin(), ::tolower);
  return true;
}

constexpr int kMaxReportedFailures = 10;

class FileRunner {
 public:
  FileRunner(const TestFile& file, const RunOptions& options, SqlExecutor& executor,
             const std::string& test_dir)
      : file_(file), options_(options), executor_(executor), test_dir_(test_dir) {}

  FileOutcome Run() {
    RunRange(0, file_.records.size());
    if (!skip_reason_.empty() && outcome_.status != FileOutcome::Status::kFailed) {
      outcome_.status = FileOutcome::Status::kSkipped;
      outcome_.report = skip_reason_;
    }
    return outcome_;
  }

 private:
  // A failed record does not stop the file: later records still run, so one run reports
  // every failing record (up to kMaxReportedFailures of them).
  bool Stopped() const {
    return halted_ || !skip_reason_.empty() || failures_ >= kMaxReportedFailures;
  }

  size_t MatchingEndLoop(size_t loop_index) const {
    int depth = 0;
    for (size_t i = loop_index; i < file_.records.size(); i++) {
      if (file_.records[i].kind == RecordKind::kLoop) depth++;
      if (file_.records[i].kind == RecordKind::kEndLoop && --depth == 0) return i;
    }
    return file_.records.size();
  }

  void RunRange(size_t begin, size_t end) {
    for (size_t i = begin; i < end && !Stopped(); i++) {
      const Record& record = file_.records[i];
      if (record.kind == RecordKind::kLoop) {
        size_t close = MatchingEndLoop(i);
        for (const auto& value : record.loop_values) {
          if (Stopped()) break;
          vars_[record.argument] = value;
          RunRange(i + 1, close);
        }
        vars_.erase(record.argument);
        i = close;
        continue;
      }
      RunRecord(record);
    }
  }

  std::string Substitute(std::string s) const {
    s = ReplaceAll(s, "__TEST_DIR__", test_dir_);
    s = ReplaceAll(s, "__DATA_DIR__", options_.data_dir);
    for (const auto& [name, value] : vars_) s = ReplaceAll(s, "${" + name + "}", value);
    return s;
  }

  void Fail(const Record& record, const std::string& sql, const std::string& message) {
    outcome_.status = FileOutcome::Status::kFailed;
    failures_++;
    std::ostringstream out;
    out << file_.path << ":" << record.line << ": " << message << "\n";
    out << "  SQL:\n";
    std::istringstream lines(sql);
    std::string line;
    while (std::getline(lines, line)) out << "    " << line << "\n";
    if (!vars_.empty()) {
      out << "  loop variables:";
      for (const auto& [name, value] : vars_) out << " " << name << "=" << value;
      out << "\n";
    }
    outcome_.report += out.str();
  }

  void RunRecord(const Record& record) {
    switch (record.kind) {
      case RecordKind::kModeSkip:
        skipping_ = true;
        return;
      case RecordKind::kModeUnskip:
        skipping_ = false;
        return;
      case RecordKind::kHalt:
        if (!skipping_ && !record.skip_this) halted_ = true;
        return;
      case RecordKind::kHashThreshold:
        hash_threshold_ = record.threshold;
        return;
      case RecordKind::kRequire:
        if (!options_.features.count(record.argument)) {
          skip_reason_ = "requires '" + record.argument + "', which this run does not provide";
        }
        return;
      case RecordKind::kLoop:
      case RecordKind::kEndLoop:
        return;
      default:
        break;
    }
    if (skipping_ || record.skip_this) return;
    outcome_.records_run++;
    std::string sql = Substitute(record.sql);
    ResultSet result;
    std::string error;
    bool ok = executor_.Execute(sql, result, error);
    if (record.kind == RecordKind::kStatementOk) {
      if (!ok && record.argument != "maybe") Fail(record, sql, "statement failed: " + error);
      return;
    }
    if (record.kind == RecordKind::kStatementError) {
      if (ok) {
        Fail(record, sql, "statement succeeded but an error was expected");
        return;
      }
      if (error.rfind(kInternalErrorPrefix, 0) == 0) {
        Fail(record, sql, "an error was expected, but this one is an engine bug: " + error);
        return;
      }
      CheckErrorMessage(record, sql, error);
      return;
    }
    // Query.
    if (!ok) {
      Fail(record, sql, "query failed: " + error);
      return;
    }
    CheckQuery(record, sql, result);
  }

  void CheckErrorMessage(const Record& record, const std::string& sql, const std::string& error) {
    if (record.expected.empty()) return;
    std::string expected;
    for (size_t i = 0; i < record.expected.size(); i++) {
      if (i) expected += "\n";
      expected += Substitute(record.expected[i]);
    }
    bool match = false;
    if (expected.rfind("<REGEX>:", 0) == 0) {
      try {
        match = std::regex_search(error, std::regex(expected.substr(8)));
      } catch (const std::regex_error& e) {
        Fail(record, sql, std::string("bad regex in the expected error: ") + e.what());
        return;
      }
    } else {
      match = error.find(expected) != std::string::npos;
    }
    if (!match) {
      Fail(record, sql,
           "wrong error message\n  expected a message containing:\n    " + expected +
               "\n  actual:\n    " + ReplaceAll(error, "\n", "\n    "));
    }
  }

  void CheckQuery(const Record& record, const std::string& sql, ResultSet& result) {
    size_t columns = record.column_types.size();
    size_t actual_columns = result.column_is_double.size();
    if (actual_columns != columns) {
      Fail(record, sql,
           "wrong column count: the record declares " + std::to_string(columns) + " ('" +
               record.column_types + "') but the query returned " + std::to_string(actual_columns) +
               "\n  actual rows:\n" + RenderRows(result.rows));
      return;
    }
    auto actual = result.rows;
    std::vector<std::string> expected_lines;
    for (const auto& line : record.expected) expected_lines.push_back(Substitute(line));

    // Apply the sort mode.
    if (record.sort_mode == SortMode::kRowSort) {
      std::sort(actual.begin(), actual.end());
    } else if (record.sort_mode == SortMode::kValueSort) {
      std::vector<std::string> values;
      for (auto& row : actual)
        for (auto& v : row) values.push_back(v);
      std::sort(values.begin(), values.end());
      actual.clear();
      for (auto& v : values) actual.push_back({v});
    }
    size_t total_values = 0;
    for (const auto& row : actual) total_values += row.size();

    int64_t hash_count = 0;
    std::string hash;
    bool expected_is_hash =
        expected_lines.size() == 1 && ParseHashLine(expected_lines[0], hash_count, hash);
    if (expected_is_hash ||
        (hash_threshold_ > 0 && static_cast<int64_t>(total_values) > hash_threshold_)) {
      std::string joined;
      for (const auto& row : actual)
        for (const auto& v : row) joined += v + "\n";
      std::string actual_hash = Md5Hex(joined);
      if (!expected_is_hash) {
        Fail(record, sql,
             "the result has " + std::to_string(total_values) + " values (over hash-threshold " +
                 std::to_string(hash_threshold_) + "); expected '" + std::to_string(total_values) +
                 " values hashing to " + actual_hash + "'");
        return;
      }
      if (hash_count != static_cast<int64_t>(total_values) || hash != actual_hash) {
        Fail(record, sql,
             "hash mismatch\n  expected: " + expected_lines[0] +
                 "\n  actual:   " + std::to_string(total_values) + " values hashing to " +
                 actual_hash + "\n  actual rows:\n" + RenderRows(actual));
      }
      return;
    }

    // Parse the expected rows.
    std::vector<std::vector<std::string>> expected;
    size_t width = record.sort_mode == SortMode::kValueSort ? 1 : columns;
    bool any_tab =
        std::any_of(expected_lines.begin(), expected_lines.end(),
                    [](const std::string& l) { return l.find('\t') != std::string::npos; });
    if (width > 1 && !any_tab && expected_lines.size() == total_values && total_values > 0 &&
        expected_lines.size() != actual.size()) {
      // One value per line (DuckDB's value-wise form).
      for (size_t i = 0; i + width <= expected_lines.size(); i += width) {
        expected.emplace_back(expected_lines.begin() + i, expected_lines.begin() + i + width);
      }
    } else {
      for (const auto& line : expected_lines) expected.push_back(SplitExpectedLine(line, width));
    }
    if (record.sort_mode == SortMode::kRowSort) {
      std::sort(expected.begin(), expected.end());
    } else if (record.sort_mode == SortMode::kValueSort) {
      std::vector<std::string> values;
      for (auto& row : expected)
        for (auto& v : row) values.push_back(v);
      std::sort(values.begin(), values.end());
      expected.clear();
      for (auto& v : values) expected.push_back({v});
    }

    std::string problem;
    if (expected.size() != actual.size()) {
      problem = "wrong row count: expected " + std::to_string(expected.size()) + ", got " +
                std::to_string(actual.size());
    } else {
      for (size_t r = 0; r < expected.size() && problem.empty(); r++) {
        if (expected[r].size() != width) {
          problem = "expected row " + std::to_string(r + 1) + " has " +
                    std::to_string(expected[r].size()) + " values, the record declares " +
                    std::to_string(width) + " columns (use tabs between values that hold spaces)";
          break;
        }
        for (size_t c = 0; c < width; c++) {
          bool is_double =
              record.sort_mode == SortMode::kValueSort
                  ? std::any_of(result.column_is_double.begin(), result.column_is_double.end(),
                                [](bool b) { return b; })
                  : result.column_is_double[c];
          if (!ValuesMatch(expected[r][c], actual[r][c], is_double)) {
            problem = "mismatch at row " + std::to_string(r + 1) + ", column " +
                      std::to_string(c + 1) + ": expected '" + expected[r][c] + "', got '" +
                      actual[r][c] + "'";
            break;
          }
        }
      }
    }
    if (!problem.empty()) {
      Fail(record, sql,
           problem + "\n  expected:\n" + RenderRows(expected) + "  actual:\n" + RenderRows(actual));
    }
  }

  const TestFile& file_;
  const RunOptions& options_;
  SqlExecutor& executor_;
  std::string test_dir_;
  FileOutcome outcome_;
  std::map<std::string, std::string> vars_;
  int64_t hash_threshold_ = 0;
  bool skipping_ = false;
  bool halted_ = false;
  int failures_ = 0;
  std::string skip_reason_;
};

}  // namespace

bool ValuesMatch(const std::string& expected, const std::string& actual, bool is_double) {
  if (expected == actual) return true;
  if (!is_double) return false;
  double e = 0, a = 0;
  if (!ParseDouble(expected, e) || !ParseDouble(actual, a)) return false;
  if (std::isnan(e) || std::isnan(a)) return std::isnan(e) && std::isnan(a);
  if (std::isinf(e) || std::isinf(a)) return e == a;
  double diff = std::fabs(e - a);
  return diff <= 1e-9 || diff <= 1e-6 * std::max(std::fabs(e), std::fabs(a));
}

std::vector<std::string> SplitExpectedLine(const std::string& line, size_t columns) {
  std::vector<std::string> values;
  if (line.find('\t') != std::string::npos) {
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      values.push_back(
          line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    return values;
  }
  if (columns <= 1) {
    values.push_back(line);
    return values;
  }
  std::istringstream in(line);
  std::string w;
  while (in >> w) values.push_back(w);
  return values;
}

FileOutcome RunTestFile(const std::string& path, const RunOptions& options) {
  FileOutcome outcome;
  TestFile file;
  try {
    file = ParseTestFile(path);
  } catch (const std::exception& e) {
    outcome.status = FileOutcome::Status::kFailed;
    outcome.report = std::string("parse error: ") + e.what() + "\n";
    return outcome;
  }
  // A fresh temporary home and __TEST_DIR__ per file.
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string pattern = (base / "aishell-slt-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) {
    outcome.status = FileOutcome::Status::kFailed;
    outcome.report = "cannot create a temporary directory under " + base.string() + "\n";
    return outcome;
  }
  fs::path root(buffer.data());
  fs::create_directories(root / "home", ec);
  fs::create_directories(root / "test_dir", ec);
  try {
    auto executor = MakeEngineExecutor((root / "home").string());
    FileRunner runner(file, options, *executor, (root / "test_dir").string());
    outcome = runner.Run();
  } catch (const std::exception& e) {
    outcome.status = FileOutcome::Status::kFailed;
    outcome.report += std::string("runner error: ") + e.what() + "\n";
  }
  fs::remove_all(root, ec);
  return outcome;
}

}  // namespace slt
}  // namespace aishell
