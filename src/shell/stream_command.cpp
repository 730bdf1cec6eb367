// `aishell stream "<SQL or English>" [--key <column>] [--output f.jsonl] [--interval 1s]`: the
// shell side of src/workflows/stream_job (streaming enrichment by polling). Without --key the
// key is chosen from the query's columns (ChooseStreamKey) and named on stderr.
#include <xxhash.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "common/exception.h"
#include "shell/cli.h"
#include "shell/sql_script.h"
#include "workflows/stream_job.h"
#include "workflows/stream_sentence.h"

namespace aishell {

namespace {

std::atomic<bool> g_stream_stop{false};
std::atomic<Engine*> g_stream_engine{nullptr};

void OnStreamSignal(int) {
  g_stream_stop = true;
  if (Engine* e = g_stream_engine.load()) e->Cancel();
}

double ParseInterval(const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  std::string unit = end ? std::string(end) : "";
  double scale = unit.empty() || unit == "s" ? 1 : unit == "ms" ? 0.001 : unit == "m" ? 60 : -1;
  if (text.empty() || end == text.c_str() || scale < 0 || v <= 0 || v * scale > 3600) {
    throw UsageError{"--interval needs a duration such as 1s, 500ms or 2m, not '" + text + "'",
                     "stream"};
  }
  return v * scale;
}

std::string Clock() {
  std::time_t t = std::time(nullptr);
  struct tm tm = {};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
  return buf;
}

}  // namespace

int Cli::Stream(const ParsedArgs& args) {
  if (args.positional.empty()) throw UsageError{"stream needs a query", "stream"};
  std::string text;
  for (const auto& p : args.positional) text += (text.empty() ? "" : " ") + p;
  auto key = args.Get("--key");
  if (key && key->empty())
    throw UsageError{
        "--key needs a column whose values only grow (an id, created_at); leave it out to let "
        "stream choose",
        "stream"};
  StreamOptions o;
  if (key) o.key = *key;
  o.output = args.Get("--output").value_or("");
  if (auto i = args.Get("--interval")) o.interval_seconds = ParseInterval(*i);
  if (args.Has("--once")) o.max_polls = 1;
  if (auto m = args.Get("--max-polls")) {
    char* end = nullptr;
    long n = std::strtol(m->c_str(), &end, 10);
    if (m->empty() || *end || n <= 0)
      throw UsageError{"--max-polls needs a positive number", "stream"};
    o.max_polls = n;
  }
  engine();
  std::string sql = text;
  std::optional<StreamSentence> sentence;
  sentence = ReadStreamSentence(engine(), text);
  if (sentence) {
    sql = sentence->sql;
    std::fprintf(stderr, "Understood: %s\nSQL: %s\n", sentence->reading.c_str(), sql.c_str());
  } else if (args.Has("--nl") || LooksLikeNaturalLanguage(text)) {
    std::string translated;
    int code = TranslateQuestion(text, false, false, true, &translated);
    if (code >= 0) return code;
    sql = translated;
  }
  while (!sql.empty() &&
         (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back()))))
    sql.pop_back();
  o.sql = sql;
  if (o.key.empty()) {
    StreamKeyChoice choice = ChooseStreamKey(engine(), sql);
    o.key = choice.column;
    std::fprintf(stderr, "Key: %s; --key chooses another\n", choice.why.c_str());
  }
  if (auto n = args.Get("--name")) {
    if (!Engine::IsValidSourceName(*n))
      throw UsageError{"invalid stream name '" + *n + "': use letters, digits, '_' and '-'",
                       "stream"};
    o.name = *n;
  } else {
    std::string id = sql + '\0' + o.key + '\0' + o.output;
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx",
                  static_cast<unsigned long long>(XXH64(id.data(), id.size(), 0)));
    o.name = std::string("stream-") + std::string(hex).substr(0, 10);
  }
  g_stream_stop = false;
  g_stream_engine = &engine();
  std::signal(SIGINT, OnStreamSignal);
  std::signal(SIGTERM, OnStreamSignal);
  bool to_file = !o.output.empty();
  std::fprintf(stderr,
               "🔴 Live stream%s (polling every %gs on %s; Ctrl-C stops and keeps the "
               "position)\n",
               to_file ? (" into " + o.output).c_str() : "", o.interval_seconds, o.key.c_str());
  StreamStats stats =
      RunStream(engine(), home_, o, g_stream_stop,
                [&](const std::string& line, const std::string& k, const StreamStats&) {
                  if (to_file) {
                    std::fprintf(stderr, "[%s] New event (%s = %s)\n", Clock().c_str(),
                                 o.key.c_str(), k.c_str());
                  } else {
                    std::printf("%s\n", line.c_str());
                    std::fflush(stdout);
                  }
                });
  g_stream_engine = nullptr;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  std::fprintf(stderr, "\nEvents processed: %s\n", FormatCount(stats.events).c_str());
  std::fprintf(
      stderr, "Enrichment success rate: %s\n",
      stats.events ? (std::to_string(stats.enriched * 100 / stats.events) + "%").c_str() : "-");
  std::fprintf(
      stderr, "Avg enrichment time: %s\n",
      stats.events
          ? (std::to_string(static_cast<int64_t>(stats.enrich_seconds * 1000 / stats.events)) +
             "ms")
                .c_str()
          : "-");
  std::fprintf(stderr, "Position: %s = %s (stream %s; the next run resumes after it)\n",
               o.key.c_str(), stats.position.empty() ? "none" : stats.position.c_str(),
               o.name.c_str());
  return 0;
}

}  // namespace aishell
