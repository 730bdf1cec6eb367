#include "shell/progress_steps.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/strings.h"
#include "planner/plan_steps.h"
#include "shell/box_table.h"

namespace aishell {

namespace {

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? 0 : n);
  std::string out;
  int len = static_cast<int>(digits.size());
  for (int i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[static_cast<size_t>(i)]);
  }
  return out;
}

// Cuts `line` (UTF-8) to `width` display columns.
std::string Fit(const std::string& line, size_t width) {
  if (width == 0 || DisplayWidth(line) <= width) return line;
  std::string cut;
  size_t i = 0;
  while (i < line.size() && DisplayWidth(cut) + 2 < width) {
    size_t len = 1;
    while (i + len < line.size() && (static_cast<unsigned char>(line[i + len]) & 0xC0) == 0x80)
      len++;
    cut += line.substr(i, len);
    i += len;
  }
  return cut;
}

}  // namespace

std::vector<std::string> ProgressSteps::Render(const std::vector<SourceProgress>& progress,
                                               double elapsed, size_t width) {
  if (times_.size() < progress.size()) times_.resize(progress.size());
  std::vector<std::string> lines;
  double fraction_sum = 0;
  for (size_t i = 0; i < progress.size(); i++) {
    const SourceProgress& p = progress[i];
    StepTimes& t = times_[i];
    // A step starts with its first rows, or when the step before it finished.
    bool previous_done = i > 0 && progress[i - 1].done;
    if (t.started < 0 && (p.rows_read > 0 || p.done || p.bytes_read > 0 || previous_done))
      t.started = i > 0 && times_[i - 1].finished >= 0 ? times_[i - 1].finished : elapsed;
    if (p.done && t.finished < 0) t.finished = elapsed;
    std::string type = catalog_type_ ? catalog_type_(p.source) : std::string();
    std::string where = p.source + (p.table.empty() ? "" : "." + p.table);
    std::string title;
    if (p.kind == "lookup") {
      std::string table =
          p.table.substr(p.table.rfind('.') == std::string::npos ? 0 : p.table.rfind('.') + 1);
      title = "Fetch " + table + " from " +
              (type.empty() ? std::string("the source") : SourceTypeDisplayName(type)) + " (" +
              where + ", by key)";
    } else if (!type.empty()) {
      title = "Query " + SourceTypeDisplayName(type) + " (" + where + ")";
    } else {
      title = "Read " + where;
    }
    std::string head = fmt::format("Step {}: {} ", i + 1, title);
    double seconds = t.started < 0 ? 0 : (t.finished >= 0 ? t.finished : elapsed) - t.started;
    std::string tail = fmt::format(" {:.1f}s → {} rows", seconds, Thousands(p.rows_read));
    if (p.estimated_rows >= 0 && !p.done)
      tail += fmt::format(" of est. {}", Thousands(std::llround(p.estimated_rows)));
    tail += p.done ? " ✓" : (t.started < 0 ? " (waiting)" : " …");
    size_t used = DisplayWidth(head) + DisplayWidth(tail);
    size_t dots = used + 3 < 64 ? 64 - used : 3;
    lines.push_back(Fit(head + std::string(dots, '.') + tail, width));
    double f = p.done ? 1.0
               : p.estimated_rows > 0
                   ? std::min(0.95, static_cast<double>(p.rows_read) / p.estimated_rows)
                   : 0.0;
    fraction_sum += f;
  }
  double fraction = progress.empty() ? 0 : fraction_sum / static_cast<double>(progress.size());
  // Rows still come out of the engine after the last source finished: never 100% before the end.
  fraction = std::min(fraction, 0.99);
  const int kCells = 30;
  int filled = static_cast<int>(std::floor(fraction * kCells));
  std::string bar = "[";
  for (int c = 0; c < kCells; c++) bar += c < filled ? "■" : "□";
  bar += fmt::format("] {:>2}%  {:.1f}s", static_cast<int>(std::floor(fraction * 100)), elapsed);
  lines.push_back(Fit(bar, width));
  return lines;
}

}  // namespace aishell
