// Parses DuckDB-style sqllogictest files into records.
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sqllogictest.h"

namespace aishell {
namespace slt {
namespace {

std::vector<std::string> SplitWords(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool IsBlank(const std::string& s) { return Trim(s).empty(); }

[[noreturn]] void Fail(const std::string& path, int line, const std::string& message) {
  throw std::runtime_error(path + ":" + std::to_string(line) + ": " + message);
}

}  // namespace

TestFile ParseTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open test file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseTestText(path, buffer.str());
}

TestFile ParseTestText(const std::string& path, const std::string& text) {
  TestFile file;
  file.path = path;
  file.name = path;
  std::vector<std::string> lines;
  {
    std::string line;
    std::istringstream in(text);
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(line);
    }
  }
  size_t i = 0;
  bool skip_next = false;
  auto read_sql = [&](Record& record) {
    // SQL runs until a blank line or the '----' separator.
    std::string sql;
    while (i < lines.size() && !IsBlank(lines[i]) && Trim(lines[i]) != "----") {
      if (!sql.empty()) sql += "\n";
      sql += lines[i];
      i++;
    }
    if (sql.empty()) Fail(path, record.line, "the record has no SQL");
    record.sql = sql;
    if (i < lines.size() && Trim(lines[i]) == "----") {
      record.has_expected = true;
      i++;
      while (i < lines.size() && !lines[i].empty() && !IsBlank(lines[i])) {
        record.expected.push_back(lines[i]);
        i++;
      }
    }
  };

  while (i < lines.size()) {
    const std::string& raw = lines[i];
    std::string line = Trim(raw);
    int line_no = static_cast<int>(i) + 1;
    if (line.empty()) {
      i++;
      continue;
    }
    if (line[0] == '#') {
      if (line.rfind("# name:", 0) == 0) file.name = Trim(line.substr(7));
      i++;
      continue;
    }
    auto words = SplitWords(line);
    const std::string& head = words[0];
    i++;
    Record record;
    record.line = line_no;
    record.skip_this = skip_next;
    skip_next = false;
    if (head == "skipif" || head == "onlyif") {
      if (words.size() < 2) Fail(path, line_no, head + " needs an engine name");
      bool is_us = words[1] == "aishell";
      skip_next = (head == "skipif") ? is_us : !is_us;
      continue;
    }
    if (head == "statement") {
      if (words.size() < 2) Fail(path, line_no, "statement needs 'ok' or 'error'");
      if (words[1] == "ok") {
        record.kind = RecordKind::kStatementOk;
      } else if (words[1] == "error") {
        record.kind = RecordKind::kStatementError;
      } else if (words[1] == "maybe") {
        record.kind = RecordKind::kStatementOk;
        record.argument = "maybe";
      } else {
        Fail(path, line_no, "unknown statement kind '" + words[1] + "'");
      }
      read_sql(record);
    } else if (head == "query") {
      record.kind = RecordKind::kQuery;
      if (words.size() < 2) Fail(path, line_no, "query needs column types, e.g. 'query II'");
      record.column_types = words[1];
      for (size_t w = 2; w < words.size(); w++) {
        if (words[w] == "nosort")
          record.sort_mode = SortMode::kNoSort;
        else if (words[w] == "rowsort")
          record.sort_mode = SortMode::kRowSort;
        else if (words[w] == "valuesort")
          record.sort_mode = SortMode::kValueSort;
        // anything else is a label; labels are accepted and ignored
      }
      read_sql(record);
      if (!record.has_expected) Fail(path, line_no, "query without '----' and expected results");
    } else if (head == "hash-threshold") {
      record.kind = RecordKind::kHashThreshold;
      if (words.size() != 2) Fail(path, line_no, "hash-threshold needs a number");
      try {
        record.threshold = std::stoll(words[1]);
      } catch (const std::exception&) {
        Fail(path, line_no, "hash-threshold needs a number, got '" + words[1] + "'");
      }
    } else if (head == "require") {
      record.kind = RecordKind::kRequire;
      if (words.size() < 2) Fail(path, line_no, "require needs a feature name");
      record.argument = words[1];
    } else if (head == "loop" || head == "concurrentloop") {
      record.kind = RecordKind::kLoop;
      if (words.size() != 4) Fail(path, line_no, "usage: loop <var> <start> <end>");
      record.argument = words[1];
      int64_t start = 0, end = 0;
      try {
        start = std::stoll(words[2]);
        end = std::stoll(words[3]);
      } catch (const std::exception&) {
        Fail(path, line_no, "loop bounds must be integers");
      }
      if (end - start > 1000000) Fail(path, line_no, "loop has too many iterations");
      for (int64_t v = start; v < end; v++) record.loop_values.push_back(std::to_string(v));
    } else if (head == "foreach" || head == "concurrentforeach") {
      record.kind = RecordKind::kLoop;
      if (words.size() < 3) Fail(path, line_no, "usage: foreach <var> <value>...");
      record.argument = words[1];
      record.loop_values.assign(words.begin() + 2, words.end());
    } else if (head == "endloop") {
      record.kind = RecordKind::kEndLoop;
    } else if (head == "mode") {
      if (words.size() < 2) Fail(path, line_no, "mode needs an argument");
      if (words[1] == "skip")
        record.kind = RecordKind::kModeSkip;
      else if (words[1] == "unskip")
        record.kind = RecordKind::kModeUnskip;
      else
        continue;  // output_result and friends: ignored
    } else if (head == "halt") {
      record.kind = RecordKind::kHalt;
    } else if (head == "load" || head == "restart" || head == "sleep") {
      Fail(path, line_no, "'" + head + "' is not supported by this runner");
    } else {
      Fail(path, line_no, "unknown record '" + head + "'");
    }
    file.records.push_back(std::move(record));
  }
  // Check loops are balanced.
  int depth = 0;
  for (const auto& r : file.records) {
    if (r.kind == RecordKind::kLoop) depth++;
    if (r.kind == RecordKind::kEndLoop && --depth < 0) Fail(path, r.line, "endloop without loop");
  }
  if (depth != 0) Fail(path, static_cast<int>(lines.size()), "loop without endloop");
  return file;
}

}  // namespace slt
}  // namespace aishell
