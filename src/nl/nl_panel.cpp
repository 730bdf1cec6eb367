#include "nl/nl_panel.h"

#include <fmt/format.h>

namespace aishell {

namespace {

const char* kRule = "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━";

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string RenderNlPanel(const std::string& question, const NlTranslation& t,
                          const std::string& plan) {
  std::string out =
      fmt::format("🤖 AI Query Translator (offline)\n{}\n\nAnalyzing query...\n", kRule);
  out += fmt::format("  ✓ Detected {} data source{}\n", t.source_count,
                     t.source_count == 1 ? "" : "s");
  for (const auto& s : t.sources) out += "      " + s + "\n";
  if (t.joins.empty()) {
    out += "  ✓ No join needed\n";
  } else {
    out += fmt::format("  ✓ Identified join condition{}\n", t.joins.size() == 1 ? "" : "s");
    for (const auto& j : t.joins) out += "      " + j + "\n";
  }
  for (const auto& f : t.filters) out += "  ✓ Filter: " + f + "\n";
  for (const auto& r : t.readings) out += "  ✓ " + r + "\n";
  for (const auto& n : t.notices) out += "  ℹ️  " + n + "\n";
  if (t.sections.empty()) {
    out += "\nGenerated SQL:\n" + Indent(t.sql, "  ");
  } else {
    out += "\nGenerated SQL (one query per section):\n";
    for (const auto& [title, sql] : t.sections) out += "  -- " + title + "\n" + Indent(sql, "  ");
  }
  if (!plan.empty()) out += "\nExecution Plan:\n" + Indent(plan, "  ");
  (void)question;
  return out;
}

std::string RenderNlRefusal(const std::string& question, const NlTranslation& t) {
  std::string out = fmt::format("🤖 AI Query Translator (offline)\n{}\n", kRule);
  for (const auto& s : t.sources) out += "  ✓ " + s + "\n";
  out += "Error: " + t.error + "\nNothing was run.\n";
  (void)question;
  return out;
}

}  // namespace aishell
