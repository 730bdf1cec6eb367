#include "nl/nl_panel.h"

#include <fmt/format.h>

#include "engine/engine.h"

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

std::string NlPlanText(Engine& engine, const std::string& sql) {
  std::string text = engine.ExplainPlan(sql, false, "steps");
  // Without the heading (the panel has its own) and the operator tree.
  if (text.starts_with("Execution Plan\n")) {
    size_t rule = text.find('\n', 15);
    text = rule == std::string::npos ? "" : text.substr(rule + 1);
  }
  size_t tree = text.find("\nOperator tree:");
  if (tree != std::string::npos) text.resize(tree + 1);
  while (!text.empty() && text.front() == '\n') text.erase(0, 1);
  while (text.size() > 1 && text.ends_with("\n\n")) text.pop_back();
  return text;
}

std::string NlPlanText(Engine& engine, const NlTranslation& t) {
  if (t.sections.empty()) return NlPlanText(engine, t.sql);
  std::string out;
  std::string longest;
  double longest_seconds = -1;
  for (const auto& [title, sql] : t.sections) {
    std::string p = NlPlanText(engine, sql);
    out += "-- " + title + "\n" + p + (p.empty() || p.back() == '\n' ? "" : "\n");
    // "Estimated time: 1.2s (...)" / "<1ms" / "35ms": the section's total.
    size_t at = p.find("Estimated time: ");
    if (at == std::string::npos) continue;
    std::string value = p.substr(at + 16, p.find_first_of(" \n", at + 16) - (at + 16));
    double seconds = 0;
    try {
      if (value.starts_with("<")) {
        seconds = 0;
      } else if (value.ends_with("ms")) {
        seconds = std::stod(value) / 1000;
      } else if (value.ends_with("s")) {
        seconds = std::stod(value);
      }
    } catch (const std::exception&) {
      continue;
    }
    if (seconds > longest_seconds) {
      longest_seconds = seconds;
      longest = value + " (" + title + ")";
    }
  }
  if (!longest.empty())
    out += fmt::format("Estimated time for the profile: {}, its {} sections run in parallel\n",
                       longest, t.sections.size());
  return out;
}

}  // namespace aishell
