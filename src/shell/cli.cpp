#include "shell/cli.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "catalog/catalog_registry.h"
#include "common/exception.h"
#include "common/secrets.h"
#include "common/strings.h"
#include "engine/query_history.h"
#include "engine/settings.h"
#include "nl/llm_translator.h"
#include "nl/nl_catalog.h"
#include "nl/nl_panel.h"
#include "nl/translator.h"
#include "shell/connections_panel.h"
#include "shell/progress_steps.h"
#include "shell/report_export.h"
#include "shell/sql_script.h"
#include "workflows/table_cache.h"

namespace aishell {

namespace {

constexpr const char* kVersion = "aishell 0.1.0";

struct CommandSpec {
  const char* name;
  const char* usage;
  const char* summary;
  std::set<std::string> value_options;
  std::set<std::string> flag_options;
  const char* details;
};

const std::set<std::string> kGlobalValueOptions = {"--home", "--max-memory", "--threads"};

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> commands = {
      {"connect",
       "aishell connect <url> --name <name> [--type <connector>] [--property key=value]... "
       "[--replace]",
       "Register a data source (validated by listing its schemas)",
       {"--name", "--type", "--property"},
       {"--replace"},
       "The connector type comes from the URL scheme unless --type is given: postgres://,\n"
       "sqlite://, mongodb:// (mongodb+srv://), redis:// (rediss://), elasticsearch://\n"
       "(elasticsearchs://, opensearch://), file:// (a folder of CSV, JSON Lines, Parquet files),\n"
       "and --type iceberg over a file://, s3://, sqlite://, postgres:// or http:// catalog.\n"
       "Nothing is saved when the source cannot be reached. A name already in use is replaced\n"
       "only with --replace (or after a yes on a terminal); the same definition again is fine.\n"},
      {"connections",
       "aishell connections [--format table|json|csv|jsonl] [--status]",
       "List the connected sources: engine and version, tables, sizes (passwords masked)",
       {"--format"},
       {"--status"},
       "Every source is reached at once. Each shows its engine and version, its tables\n"
       "(collections, indices, key patterns), their row counts (~ marks an estimate from the\n"
       "source's statistics), Redis TTL facts, or why it could not be reached; then whether the\n"
       "sources can be queried together. --format json gives the same as data; csv and jsonl list\n"
       "name, type, url and properties only (--status adds the one-line status).\n"},
      {"disconnect", "aishell disconnect <name>", "Remove a registered data source", {}, {}, ""},
      {"query",
       "aishell query \"<SQL or English>\" [--format table|csv|json|jsonl|parquet] [--output FILE] "
       "[--max-rows N] [--max-width COLUMNS] [--allow-cartesian | --auto-fix] [--nl | --sql] "
       "[--yes] [--dry-run] [--fresh-data] [--async [--notify-on-complete] | --streaming] "
       "[--stats]",
       "Run SQL statements (separated by ';') or an English question across the connected sources",
       {"--format", "--output", "--max-rows", "--max-width"},
       {"--no-progress", "--allow-cartesian", "--auto-fix", "--nl", "--sql", "--yes", "--dry-run",
        "--fresh-data", "--async", "--notify-on-complete", "--streaming", "--stats"},
       "--stats prints on stderr, after the result, each step's estimates next to its actual\n"
       "rows, bytes, batches, round trips and time (as explain --analyze).\n"
       "Table output shows at most --max-rows rows (default 1000, or config display.max_rows),\n"
       "numbers right-aligned, DOUBLE values to at most 15 significant digits (csv and json keep\n"
       "every digit); --max-width fits the table into that many columns, wrapping long cells.\n"
       "then \"Results\", \"Execution time\" and \"Data sources\" lines. csv, json and jsonl print "
       "only data.\nparquet needs --output and writes one result (the first statement that "
       "returns rows).\nA join without an equality condition estimated above "
       "federation.max_cartesian_rows rows\nis refused with a suggested condition: "
       "--allow-cartesian runs it anyway, --auto-fix adds\nthe suggested condition (and says "
       "so on stderr).\n"
       "Text that does not read as SQL (or any text with --nl) is an English question: the "
       "offline\n"
       "translator (src/nl/) shows its panel (sources, joins, filters, SQL, plan) on stderr when\n"
       "stdout is not a terminal, asks Proceed? (Y/n) on a terminal unless --yes, and runs the "
       "SQL.\n"
       "--dry-run stops after the panel; --sql never translates. Words it cannot place: exit 2.\n"
       "--fresh-data: with the result cache on (aishell cache enable), run the query again; an\n"
       "English question also rereads the catalog (cached for nl.catalog_ttl).\n"},
      {"explain",
       "aishell explain \"<SQL or English>\" [--analyze] [--format steps|text|json]",
       "Show the query plan (with --analyze: run it and show actuals); English shows the panel",
       {"--format"},
       {"--analyze"},
       "steps (default): numbered steps per source with what each source is asked, estimated\n"
       "rows and time (federation.source_throughput), the order and the optimizations, then the\n"
       "operator tree; with --analyze the actual rows, bytes, batches and time of each step.\n"
       "text: the operator tree only (as SQL EXPLAIN). json: the steps as one JSON object.\n"},
      {"export",
       "aishell export last|<job id> [--format "
       "csv|json|jsonl|table|parquet|markdown|html|pdf|xlsx] "
       "[--output FILE]",
       "Write the last query result again (default format: csv)",
       {"--format", "--output"},
       {},
       "parquet needs --output. markdown, html and pdf are reports for people: the query, the\n"
       "table (numbers right-aligned, long cells wrapped), the row count; pdf is paged (A4) and\n"
       "goes to --output or to stdout when that is redirected: aishell export last --format pdf\n"
       "> report.pdf\n"
       "xlsx is a workbook (a Result sheet with typed cells, a Query sheet), to --output or a\n"
       "redirection like pdf.\n"},
      {"create-view",
       "aishell create-view <name> [<query>] [--replace]",
       "Create a view; the query comes from the argument or from stdin",
       {},
       {"--replace"},
       ""},
      {"views",
       "aishell views [--format table|csv|json|jsonl]",
       "List views",
       {"--format"},
       {},
       ""},
      {"drop-view",
       "aishell drop-view <name> [--if-exists]",
       "Remove a view",
       {},
       {"--if-exists"},
       ""},
      {"config",
       "aishell config set <key> <value> | get <key> | unset <key> | list",
       "Read and change settings (federation.max_memory, federation.threads, federation.pushdown, "
       "...)",
       {},
       {},
       "`config list` shows every setting with its type, default and doc. set refuses unknown\n"
       "keys and values of the wrong type; federation.* names may be given without the prefix;\n"
       "display.max_rows sets the rows shown by table output.\n"},
      {"export-catalogs",
       "aishell export-catalogs --to trino <dir> [--include-secrets]",
       "Write the sources as Trino catalog files and the views as Trino SQL",
       {"--to"},
       {"--include-secrets"},
       "etc/catalog/<name>.properties per source, etc/redis/ table descriptions, views.sql and\n"
       "NOTES.md (what does not carry over). Passwords become ${ENV:VAR} references unless\n"
       "--include-secrets.\n"},
      {"sync",
       "aishell sync <conn>.<table> '->' <conn>.<table> [options] | --file job.yaml | "
       "list | show|run|delete <job> | status [<job>] | daemon [--once] | install-service "
       "[--output FILE] [--replace] | --cache <conn>.<table> '->' local-cache [--ttl 1h]",
       "Copy a table into another source, once or on a schedule (full or incremental)",
       {"--mode", "--sync-key", "--columns", "--rename", "--add-field", "--exclude", "--conflict",
        "--key", "--name", "--schedule", "--file", "--to", "--at", "--poll", "--format", "--ttl",
        "--output"},
       {"--once", "--cache", "--replace"},
       "Options: --mode full|incremental (default incremental, on --sync-key, default updated_at,\n"
       "with a stored watermark), --columns a,b, --rename id=user_id, --add-field "
       "synced_at=now(),\n"
       "--exclude x,y, --conflict source_wins|target_wins|error (on the target --key, default "
       "id),\n"
       "--schedule \"*/15 * * * *\" (5-field cron, UTC; `sync daemon` runs due jobs).\n"
       "Quote the arrow ('->') or write `to` / --to: bash reads an unquoted > as a redirection.\n"
       "install-service writes a systemd user unit running `sync daemon` for this AISHELL_HOME\n"
       "(~/.config/systemd/user/aishell-sync.service, or --output FILE; - prints it).\n"},
      {"validate-sync",
       "aishell validate-sync <source-conn> <target-conn> | <job> [--max-keys N]",
       "Compare a sync job's source and target: counts, checksums per key range, lag",
       {"--max-keys"},
       {},
       ""},
      {"jobs",
       "aishell jobs [--format table|csv|json|jsonl] | jobs show <id> | jobs cancel <id>",
       "Background queries (aishell query \"...\" --async)",
       {"--format"},
       {},
       "A finished job's rows: aishell export <id> --format csv. notify.command (config) runs\n"
       "when a job ends; --notify-on-complete also tells on the next aishell command.\n"},
      {"stream",
       "aishell stream \"<SQL or English>\" [--key <column>] [--output FILE.jsonl] [--interval "
       "1s] [--name N] [--once]",
       "Watch a query for new rows (by a key that only grows) and write them as JSON Lines",
       {"--key", "--output", "--interval", "--name", "--max-polls"},
       {"--once", "--nl"},
       "Each poll reads the rows whose --key is above the stored position; the query's joins\n"
       "enrich them (looked up in batches per poll). Columns named \"user.email\" nest as\n"
       "{\"user\": {\"email\": ...}}. Ctrl-C stops and keeps the position; the next run with the\n"
       "same query, key and output resumes after it, without loss or duplicates. Sources are\n"
       "polled (MongoDB change streams are not used: FerretDB has none).\n"
       "Without --key the key is an integer id (id, order_id for orders), else a created_at-like\n"
       "timestamp, else MongoDB's _id (ObjectId, in insert order to the second); stderr names it.\n"
       "PostgreSQL's ctid and xmin are never used (not stable, not in commit order).\n"
       "\"Watch for new orders in MongoDB and enrich with user data from PostgreSQL and product\n"
       "analytics from Elasticsearch\" is read as such: the tables by name (a source type or\n"
       "connection narrows them), joined on user_id = users.id / product_id, nested as \"user\"\n"
       "and \"analytics\"; stderr shows what was understood and the SQL.\n"},
      {"cache",
       "aishell cache enable [--ttl SECONDS] [--max-size SIZE] | disable | clear | status",
       "Reuse the results of repeated read queries for a while",
       {"--ttl", "--max-size"},
       {},
       "Results are kept in $AISHELL_HOME/cache/results, keyed by the query's normalized SQL and\n"
       "the settings that change results, for --ttl (default 300 seconds; also 5m, 1h). A reused\n"
       "result says \"cached, N s old\". A write through aishell to a source a result read, and a\n"
       "new snapshot of an Iceberg table it read, drop it; query --fresh-data runs the query "
       "again\n"
       "and keeps the new result. Beyond --max-size (default 256MB) the least recently used go.\n"},
      {"search",
       "aishell search \"<terms>\" [--all-databases | --in <source>...] [--limit N] "
       "[--timeout SECONDS] [--all-schemas] [--explain] [--format table|json]",
       "Look for words in every table of every source (or those named), all at once",
       {"--in", "--limit", "--timeout", "--format"},
       {"--all-databases", "--all-schemas", "--explain"},
       "Each source's default schema (every schema with --all-schemas) is searched in parallel "
       "with its own time budget (--timeout, default 10s):\n"
       "every table with text columns is asked for the rows holding every word, by the source's\n"
       "full text where it has one (PostgreSQL to_tsvector @@ plainto_tsquery and ts_rank,\n"
       "MongoDB $text over a text index, Elasticsearch query_string), else by substring match\n"
       "(any case; a Redis table scans at most search.redis_max_keys keys, default 100000, and\n"
       "says so). Each table with matches shows its best --limit rows (default 5) with aishell's\n"
       "score (0..1, computed the same way for every source), \"Found: N <table>\", and at the\n"
       "end the best matches across sources. --explain shows how each table was searched.\n"
       "--in takes names after the terms: --in users-db orders-db, --in a,b or --in a --in b.\n"
       "An Elasticsearch index named like *search_log* shows related searches. A source that\n"
       "fails is reported in its block; the others still answer.\n"},
      {"serve",
       "aishell serve [--port 8080] [--bind 127.0.0.1] [--auth password --users FILE --tls-cert "
       "PEM --tls-key PEM] [--acl acl.yaml]",
       "Serve the connected sources over Trino's client protocol (trino CLI, JDBC, Python)",
       {"--port", "--bind", "--auth", "--users", "--tls-cert", "--tls-key", "--acl",
        "--hash-password"},
       {},
       kServeDetails},
      {"monitor",
       "aishell monitor federation [--server URL] [--watch] [--dashboard]",
       "Per-source queries, rows, bytes, time, cache hits and errors of recent queries",
       {"--server"},
       {"--watch", "--dashboard"},
       kMonitorDetails},
      {"help", "aishell help [<command>]", "Show help", {}, {}, ""},
  };
  return commands;
}

const CommandSpec* FindCommand(const std::string& name) {
  for (const auto& c : Commands())
    if (name == c.name) return &c;
  return nullptr;
}

std::string MainUsage() {
  std::string out =
      "aishell — one SQL query across PostgreSQL, SQLite, MongoDB, Elasticsearch, Redis, Iceberg "
      "and local files\n\n"
      "Usage: aishell [--home DIR] [--max-memory SIZE] [--threads N] <command> [options]\n"
      "       aishell                 interactive shell (reads statements from stdin when it is "
      "not a terminal)\n\n"
      "Commands:\n";
  size_t width = 13;  // the longest command name and two spaces
  for (const auto& c : Commands()) width = std::max(width, std::strlen(c.name) + 2);
  for (const auto& c : Commands()) out += fmt::format("  {:<{}}{}\n", c.name, width, c.summary);
  out +=
      "\nGlobal options:\n"
      "  --home DIR         settings directory (default $AISHELL_HOME or ~/.aishell)\n"
      "  --max-memory SIZE  memory limit per query, e.g. 2GB\n"
      "  --threads N        worker threads (0: one per core)\n"
      "  --help, -h         show help; `aishell <command> --help` for a command\n"
      "  --version          show the version\n";
  return out;
}

std::string CommandHelp(const CommandSpec& c) {
  return fmt::format("{}\n\nUsage: {}\n{}", c.summary, c.usage,
                     c.details[0] ? std::string("\n") + c.details : "");
}

std::string QuoteName(const std::string& name) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string part =
        name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool plain =
        !part.empty() && (std::islower(static_cast<unsigned char>(part[0])) || part[0] == '_');
    for (char c : part)
      if (!(std::islower(static_cast<unsigned char>(c)) ||
            std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
        plain = false;
    if (!out.empty()) out += '.';
    if (plain) {
      out += part;
    } else {
      out += '"';
      for (char c : part) out += c == '"' ? std::string("\"\"") : std::string(1, c);
      out += '"';
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

bool IsSecretKey(const std::string& key) {
  std::string k = AsciiLower(key);
  return k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
         k.find("token") != std::string::npos || k.find("key") != std::string::npos;
}

std::string ReadAllStdin() {
  std::ostringstream ss;
  ss << std::cin.rdbuf();
  return ss.str();
}

// Prints rows read per source on stderr, rewriting one line; cleared when the query ends.
// The progress display of a query running over a second, on a terminal (stderr): one line per
// source step and a bar (shell/progress_steps.h), redrawn in place, cleared before output.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled,
                        std::function<std::string(const std::string&)> catalog_type = nullptr)
      : enabled_(enabled), steps_(std::move(catalog_type)) {}
  ~ProgressLine() { Clear(); }
  void Update(const std::vector<SourceProgress>& progress, double elapsed) {
    if (!enabled_.load()) return;
    size_t width = 0;
    struct winsize ws = {};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) width = ws.ws_col - 1;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!enabled_.load()) return;
    // Rendered from the start (each step's times), drawn only once the query runs over a second.
    std::vector<std::string> lines = steps_.Render(progress, elapsed, width);
    if (elapsed < 1.0) return;
    std::string out = EraseLocked();
    for (size_t i = 0; i < lines.size(); i++) out += (i ? "\n" : "") + lines[i];
    std::fputs(out.c_str(), stderr);
    std::fflush(stderr);
    shown_lines_ = lines.size();
  }
  // Clears the display and shows no more (the result is being printed).
  void Stop() {
    enabled_ = false;
    Clear();
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out = EraseLocked();
    if (!out.empty()) {
      std::fputs(out.c_str(), stderr);
      std::fflush(stderr);
    }
  }

 private:
  // The escapes that erase what was drawn (the cursor ends on the first line's start).
  std::string EraseLocked() {
    if (shown_lines_ == 0) return {};
    std::string out = "\r\033[K";
    for (size_t i = 1; i < shown_lines_; i++) out += "\033[1A\r\033[K";
    shown_lines_ = 0;
    return out;
  }

  std::atomic<bool> enabled_;
  ProgressSteps steps_;
  size_t shown_lines_ = 0;
  std::mutex mutex_;
};

// Each source's connector type by catalog name, for progress step titles ("Query Redis (...)").
std::function<std::string(const std::string&)> CatalogTypes(Engine& e) {
  auto types = std::make_shared<std::map<std::string, std::string>>();
  for (const auto& name : e.catalogs().CatalogNames()) {
    if (const ConnectionConfig* config = e.catalogs().GetConfig(name))
      (*types)[name] = config->type;
  }
  return [types](const std::string& catalog) {
    auto it = types->find(catalog);
    return it == types->end() ? std::string() : it->second;
  };
}

Engine* g_running_engine = nullptr;

void OnInterrupt(int) {
  if (g_running_engine) g_running_engine->Cancel();
}

// Installs a SIGINT handler that cancels the running query, for the lifetime of the object.
class InterruptGuard {
 public:
  explicit InterruptGuard(Engine& engine) {
    g_running_engine = &engine;
    struct sigaction sa = {};
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_, nullptr);
    g_running_engine = nullptr;
  }

 private:
  struct sigaction old_ = {};
};

void PrintError(const Error& e, const std::string& sql) {
  std::string text =
      e.position() >= 0 && !sql.empty() ? FormatError(e, sql) : std::string(e.what());
  std::fprintf(stderr, "Error: %s\n", text.c_str());
}

// federation.timeout cancels a query between batches; a source that stops answering inside
// a blocking read (a paused server, a dead network path) never gets there. For a one-shot
// `aishell query` this watchdog ends the process with the timeout error once the statement has
// overrun its timeout by a grace period. The interactive shell does not use it.
class StuckStatementWatchdog {
 public:
  explicit StuckStatementWatchdog(int64_t timeout_ms) {
    if (timeout_ms <= 0) return;
    auto grace =
        std::chrono::milliseconds(std::min<int64_t>(5000, std::max<int64_t>(1000, timeout_ms / 2)));
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms) + grace;
    thread_ = std::thread([this, deadline, timeout_ms] {
      std::unique_lock<std::mutex> lock(mutex_);
      if (cv_.wait_until(lock, deadline, [this] { return done_; })) return;
      std::fflush(stdout);
      std::fprintf(stderr,
                   "\nError: the query ran longer than federation.timeout (%s) and a source did "
                   "not answer the cancellation; raise it with `aishell config set "
                   "federation.timeout <duration>` or SET SESSION timeout = '<duration>'\n",
                   FormatDurationSetting(timeout_ms).c_str());
      std::fflush(stderr);
      std::_Exit(1);
    });
  }
  ~StuckStatementWatchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  StuckStatementWatchdog(const StuckStatementWatchdog&) = delete;
  StuckStatementWatchdog& operator=(const StuckStatementWatchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

std::string FormatCount(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); i++) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string CommandSuggestion(const std::string& command) {
  std::vector<std::string> names;
  for (const auto& c : Commands()) names.push_back(c.name);
  return SuggestName(command, names);
}

std::optional<std::string> ParsedArgs::Get(const std::string& option) const {
  auto it = options.find(option);
  if (it == options.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

int Cli::Run(int argc, char** argv) {
  ParsedArgs args;
  const CommandSpec* spec = nullptr;
  bool only_positional = false;
  try {
    for (int i = 1; i < argc; i++) {
      std::string arg = argv[i];
      if (!only_positional && arg == "--") {
        only_positional = true;
        continue;
      }
      if (!only_positional && (arg == "-h" || arg == "--help")) {
        args.options["--help"].push_back("");
        continue;
      }
      // "--name" or "--name=value"; anything else starting with "--" (e.g. SQL beginning with a
      // comment) is an argument.
      auto looks_like_option = [](const std::string& a) {
        if (a.size() <= 2 || a.rfind("--", 0) != 0) return false;
        size_t end = a.find('=');
        if (end == std::string::npos) end = a.size();
        for (size_t k = 2; k < end; k++) {
          char ch = a[k];
          if (!(std::islower(static_cast<unsigned char>(ch)) ||
                std::isdigit(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ||
                std::isupper(static_cast<unsigned char>(ch))))
            return false;
        }
        return true;
      };
      if (!only_positional && looks_like_option(arg)) {
        std::string name = arg, value;
        bool has_value = false;
        if (auto eq = arg.find('='); eq != std::string::npos) {
          name = arg.substr(0, eq);
          value = arg.substr(eq + 1);
          has_value = true;
        }
        bool takes_value =
            kGlobalValueOptions.count(name) || (spec && spec->value_options.count(name));
        bool is_flag = name == "--version" || (spec && spec->flag_options.count(name));
        if (!takes_value && !is_flag) {
          std::vector<std::string> known(kGlobalValueOptions.begin(), kGlobalValueOptions.end());
          known.push_back("--help");
          known.push_back("--version");
          if (spec) {
            known.insert(known.end(), spec->value_options.begin(), spec->value_options.end());
            known.insert(known.end(), spec->flag_options.begin(), spec->flag_options.end());
          }
          std::string hint = SuggestName(name, known);
          throw UsageError{"unknown option " + name +
                               (spec ? " for " + std::string(spec->name) : "") +
                               (hint.empty() ? "" : "; did you mean " + hint + "?"),
                           spec ? spec->name : ""};
        }
        if (takes_value && !has_value) {
          if (i + 1 >= argc)
            throw UsageError{"option " + name + " needs a value", spec ? spec->name : ""};
          value = argv[++i];
        }
        if (is_flag && has_value)
          throw UsageError{"option " + name + " takes no value", spec ? spec->name : ""};
        args.options[name].push_back(value);
        // search "terms" --in a b: the names after --in up to the next option (once the terms
        // are there, so that `search --in a "terms"` keeps its terms).
        if (spec && std::string(spec->name) == "search" && name == "--in" && !has_value &&
            !args.positional.empty() && !only_positional)
          while (i + 1 < argc && argv[i + 1][0] != '-') args.options[name].push_back(argv[++i]);
        continue;
      }
      if (!only_positional && arg.size() > 1 && arg[0] == '-' && arg.rfind("--", 0) != 0 &&
          arg != "->" && !std::isdigit(static_cast<unsigned char>(arg[1]))) {
        throw UsageError{"unknown option " + arg, spec ? spec->name : ""};
      }
      if (args.command.empty()) {
        args.command = arg;
        spec = FindCommand(arg);
        if (!spec) {
          if (IsSqlStatementKeyword(FirstKeyword(arg))) {
            throw UsageError{
                "unknown command '" + arg + "'; to run SQL use: aishell query \"" + arg + "\"", ""};
          }
          std::string hint = CommandSuggestion(arg);
          throw UsageError{"unknown command '" + arg + "'" +
                               (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                           ""};
        }
      } else {
        args.positional.push_back(arg);
      }
    }
    if (args.Has("--version")) {
      std::printf("%s\n", kVersion);
      return 0;
    }
    if (args.Has("--help") || args.command == "help") {
      std::string topic =
          args.command == "help" && !args.positional.empty() ? args.positional[0] : args.command;
      if (topic.empty() || topic == "help") {
        std::fputs(MainUsage().c_str(), stdout);
        return 0;
      }
      const CommandSpec* c = FindCommand(topic);
      if (!c) throw UsageError{"no help for unknown command '" + topic + "'", ""};
      std::fputs(CommandHelp(*c).c_str(), stdout);
      return 0;
    }
    home_ = args.Get("--home").value_or(ConfigStore::DefaultHome());
    max_memory_override_ = args.Get("--max-memory");
    threads_override_ = args.Get("--threads");
    if (max_memory_override_) ParseByteSize(*max_memory_override_);
    if (threads_override_) {
      char* end = nullptr;
      long n = std::strtol(threads_override_->c_str(), &end, 10);
      if (threads_override_->empty() || *end || n < 0 || n > 1024)
        throw UsageError{
            "--threads needs a number from 0 to 1024, not '" + *threads_override_ + "'", ""};
    }
    return Dispatch(args);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "Error: %s\n", e.message.c_str());
    if (!e.command.empty())
      std::fprintf(stderr, "Usage: %s\n", FindCommand(e.command)->usage);
    else
      std::fprintf(stderr, "Run 'aishell --help' for the commands.\n");
    return 2;
  } catch (const Error& e) {
    PrintError(e, "");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Error: %s\n", e.what());
    return 1;
  }
}

ConfigStore& Cli::store() {
  if (!store_) store_ = std::make_unique<ConfigStore>(home_);
  return *store_;
}

Engine& Cli::engine() {
  if (engine_) return *engine_;
  engine_ = MakeEngine();
  return *engine_;
}

std::unique_ptr<Engine> Cli::MakeEngine() {
  EngineOptions options;
  options.home_dir = home_;
  auto settings = store().LoadSettings();
  ConfigStore::ApplySettings(settings, options);
  for (const auto& [key, value] : settings) {
    const SettingDef* def = SettingsRegistry::Global().Find(key);
    if (!def || def->name != "display.max_rows") continue;
    try {
      int64_t n = ParseCountSetting(key, value, def->min, def->max);
      max_rows_override_ = max_rows_override_.value_or(n);
    } catch (const Error&) {
      // An unusable stored value keeps the default, as before the registry checked values.
    }
  }
  if (max_memory_override_) options.max_memory = ParseByteSize(*max_memory_override_);
  if (threads_override_) options.threads = std::atoi(threads_override_->c_str());
  auto engine = std::make_unique<Engine>(options);
  for (const auto& c : store().LoadConnections()) engine->catalogs().AddCatalog(c);
  engine->LoadViews();
  LoadTableCache(home_, engine->catalogs());  // aishell sync --cache copies
  return engine;
}

Engine& Cli::connection_engine() {
  if (engine_) return *engine_;
  if (!connection_engine_) {
    // Registering sources needs neither the settings nor the views (nor their files to be valid).
    EngineOptions options;
    options.home_dir = home_;
    connection_engine_ = std::make_unique<Engine>(options);
  }
  return *connection_engine_;
}

size_t Cli::TerminalWidth() const {
  if (max_width_override_) return *max_width_override_;
  if (const char* c = std::getenv("COLUMNS"); c && *c) {
    long n = std::atol(c);
    if (n > 20) return static_cast<size_t>(n);
  }
  if (isatty(STDOUT_FILENO)) {
    struct winsize ws = {};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
    return 120;
  }
  return 0;
}

int64_t Cli::MaxRows() const { return max_rows_override_.value_or(1000); }

int Cli::Dispatch(const ParsedArgs& args) {
  const std::string& c = args.command;
  if (!(c == "jobs" && !args.positional.empty() && args.positional[0] == "_run")) {
    NotifyFinishedJobs();
  }
  if (c.empty()) return Interactive(isatty(STDIN_FILENO) != 0);
  if (c == "connect") return Connect(args);
  if (c == "connections") return Connections(args);
  if (c == "disconnect") return Disconnect(args);
  if (c == "query") return Query(args);
  if (c == "explain") return ExplainCommand(args);
  if (c == "export") return Export(args);
  if (c == "create-view") return CreateView(args);
  if (c == "views") return Views(args);
  if (c == "drop-view") return DropView(args);
  if (c == "config") return Config(args);
  if (c == "export-catalogs") return ExportCatalogs(args);
  if (c == "jobs") return Jobs(args);
  if (c == "stream") return Stream(args);
  if (c == "sync") return Sync(args);
  if (c == "validate-sync") return ValidateSyncCommand(args);
  if (c == "cache") return Cache(args);
  if (c == "search") return Search(args);
  if (c == "serve") return Serve(args);
  if (c == "monitor") return Monitor(args);
  throw UsageError{"unknown command '" + c + "'", ""};
}

int Cli::Connect(const ParsedArgs& args) {
  // A Trino catalog file's `iceberg.nessie-catalog.uri` may stand in for the URL.
  bool uri_property = false;
  if (auto it = args.options.find("--property"); it != args.options.end()) {
    for (const auto& kv : it->second)
      uri_property |= kv.rfind("iceberg.nessie-catalog.uri=", 0) == 0;
  }
  if (args.positional.size() != 1 && !(args.positional.empty() && uri_property)) {
    throw UsageError{"connect needs exactly one URL", "connect"};
  }
  auto name = args.Get("--name");
  if (!name || name->empty()) throw UsageError{"connect needs --name <name>", "connect"};
  if (!Engine::IsValidSourceName(*name)) {
    throw UsageError{"invalid source name '" + *name + "': use letters, digits, '_' and '-'",
                     "connect"};
  }
  ConnectionConfig config;
  config.name = *name;
  if (!args.positional.empty()) config.url = args.positional[0];
  if (auto it = args.options.find("--property"); it != args.options.end()) {
    for (const auto& kv : it->second) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        throw UsageError{"--property needs key=value, not '" + kv + "'", "connect"};
      config.properties[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  if (config.url.empty()) config.url = config.properties["iceberg.nessie-catalog.uri"];
  if (auto type = args.Get("--type")) config.type = *type;
  // A name in use is replaced only when asked: --replace, or yes on a terminal. Connecting the
  // same definition again is no replacement. The new definition is validated first (on an engine
  // that saves nothing), so a source that cannot be reached says why, as for a new name.
  bool validated = false;
  auto check_name = [&]() -> int {
    for (const auto& existing : connection_engine().ListConnections()) {
      if (existing.name != config.name || args.Has("--replace")) continue;
      bool same = existing.url == config.url && existing.properties == config.properties &&
                  (config.type.empty() || config.type == existing.type);
      if (same) break;
      std::string what = existing.type + ", " + RedactUrl(existing.url);
      if (!validated) {
        EngineOptions probe_options;  // no home_dir: nothing is saved
        Engine probe(probe_options);
        ConnectionConfig probe_config = config;
        probe_config.name = "__aishell_probe";
        try {
          probe.Connect(probe_config);
        } catch (const UnknownConnectorType& e) {
          throw UsageError{e.what(), "connect"};
        } catch (const ConnectionFailed& e) {
          ConnectionConfig failed = e.config();
          failed.name = config.name;
          std::string why = e.what();
          for (size_t at; (at = why.find("__aishell_probe")) != std::string::npos;)
            why.replace(at, 15, config.name);
          throw ConnectionFailed(Error(e.kind(), why), failed);
        }
        validated = true;
      }
      if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        std::printf("A source named '%s' already exists (%s). Replace it? (y/N): ",
                    config.name.c_str(), what.c_str());
        std::fflush(stdout);
        std::string answer;
        std::getline(std::cin, answer);
        answer = TrimSpace(answer);
        if (answer == "y" || answer == "Y" || answer == "yes") break;
        std::printf("Kept the existing source '%s'; nothing changed.\n", config.name.c_str());
        return 1;
      }
      throw UsageError{"a source named '" + config.name + "' already exists (" + what +
                           "); add --replace to replace it, or choose another --name",
                       "connect"};
    }
    return -1;
  };
  ConnectResult result;
  try {
    if (int code = check_name(); code >= 0) return code;
    result = connection_engine().Connect(config);
    DropNlCatalogCache(home_ + "/cache/nl-catalog", config.name);
  } catch (const UnknownConnectorType& e) {
    throw UsageError{e.what(), "connect"};
  } catch (const ConnectionFailed& e) {
    const ConnectionConfig& failed = e.config();
    std::string redacted = RedactUrl(failed.url);
    // A password under 3 characters is left alone: it would mask ordinary letters.
    std::string why = ScrubPassword(e.what(), failed.url, 3);
    // The URL once: many connectors' messages already name it.
    std::string where = why.find(redacted) == std::string::npos ? ", " + redacted : "";
    throw Error(e.kind(),
                "cannot connect to '" + failed.name + "' (" + failed.type + where + "): " + why);
  }
  const ConnectionConfig& saved = result.config;
  std::string redacted = RedactUrl(saved.url);
  std::printf("✅ Connected %s (%s)%s\n", saved.name.c_str(), saved.type.c_str(),
              result.replaced ? " — replaced the previous definition" : "");
  std::printf("   URL: %s\n", redacted.c_str());
  if (!result.summary.empty()) std::printf("   %s\n", result.summary.c_str());
  std::string table_list;
  for (const auto& t : result.sample_tables) table_list += (table_list.empty() ? "" : ", ") + t;
  if (result.table_count > result.sample_tables.size()) table_list += ", ...";
  std::printf("   Schemas: %zu, tables: %zu%s%s\n", result.schema_count, result.table_count,
              table_list.empty() ? "" : " (", table_list.empty() ? "" : (table_list + ")").c_str());
  return 0;
}

namespace {
OutputFormat ListFormat(const ParsedArgs& args, const char* command) {
  auto f = args.Get("--format");
  if (!f) return OutputFormat::kTable;
  auto parsed = ParseOutputFormat(*f);
  if (!parsed)
    throw UsageError{"unknown format '" + *f + "'; use table, csv, json or jsonl", command};
  return *parsed;
}
}  // namespace

int Cli::Connections(const ParsedArgs& args) {
  if (!args.positional.empty()) throw UsageError{"connections takes no arguments", "connections"};
  OutputFormat format = ListFormat(args, "connections");
  auto list = connection_engine().ListConnections();
  if (list.empty() && format == OutputFormat::kJson) {
    std::printf("[]\n");
    return 0;
  }
  if (list.empty() && format != OutputFormat::kTable) return 0;
  if (list.empty()) {
    std::printf("No connections yet. Add one with: aishell connect <url> --name <name>\n");
    return 0;
  }
  // The panel and JSON reach every source at once (so does --status): one slow or dead server
  // does not hold up the others beyond its own connect timeout.
  bool panel = format == OutputFormat::kTable || format == OutputFormat::kJson;
  bool with_status = args.Has("--status");
  std::vector<ConnectionStatus> statuses(with_status || panel ? list.size() : 0);
  if (with_status || panel) {
    Engine& checked = engine();
    std::vector<std::thread> threads;
    for (size_t i = 0; i < list.size(); i++)
      threads.emplace_back(
          [&, i] { statuses[i] = checked.CheckConnection(list[i].name, /*overview=*/panel); });
    for (auto& t : threads) t.join();
  }
  if (format == OutputFormat::kTable) {
    std::fputs(RenderConnectionsPanel(list, statuses).c_str(), stdout);
    return 0;
  }
  if (format == OutputFormat::kJson) {
    std::fputs(ConnectionsJson(list, &statuses).c_str(), stdout);
    return 0;
  }
  QueryResult result;
  std::vector<const char*> names = {"name", "type", "url", "properties"};
  if (with_status) names.insert(names.end(), {"status", "summary"});
  std::vector<LogicalType> types(names.size(), LogicalType(TypeId::kVarchar));
  for (const char* n : names) result.columns.push_back({n, LogicalType(TypeId::kVarchar)});
  Batch batch(types, list.size());
  batch.SetCount(list.size());
  for (size_t i = 0; i < list.size(); i++) {
    std::string props;
    for (const auto& [k, v] : list[i].properties)
      props += (props.empty() ? "" : ", ") + k + "=" + (IsSecretKey(k) ? std::string("***") : v);
    batch.columns[0].SetString(i, list[i].name);
    batch.columns[1].SetString(i, list[i].type);
    batch.columns[2].SetString(i, RedactUrl(list[i].url));
    batch.columns[3].SetString(i, props);
    if (with_status) {
      batch.columns[4].SetString(i, statuses[i].reachable ? "ok" : "unreachable");
      batch.columns[5].SetString(i,
                                 statuses[i].reachable ? statuses[i].summary : statuses[i].error);
    }
  }
  result.batches.push_back(std::move(batch));
  TableFormatOptions options;
  options.max_width = TerminalWidth();
  options.max_rows = -1;
  WriteResult(std::cout, ListFormat(args, "connections"), result.columns, result.batches, options);
  std::cout.flush();
  return 0;
}

int Cli::Disconnect(const ParsedArgs& args) {
  if (args.positional.size() != 1)
    throw UsageError{"disconnect needs exactly one source name", "disconnect"};
  const std::string& name = args.positional[0];
  connection_engine().Disconnect(name);
  DropNlCatalogCache(home_ + "/cache/nl-catalog", name);
  std::printf("Disconnected %s\n", name.c_str());
  return 0;
}

void Cli::PrintResult(const QueryResult& result, OutputFormat format, std::ostream* file_out,
                      bool first) {
  if (parquet_output_) {
    if (!result.has_rows) {
      std::cerr << result.message << '\n';
      return;
    }
    if (parquet_results_ > 0) {
      throw Error(ErrorKind::kUnsupported,
                  "--format parquet writes one result per file: " + output_path_ +
                      " holds the first statement that returned rows; this one also returns rows");
    }
    WriteParquetFile(output_path_, result.columns, result.batches);
    parquet_results_++;
    std::cerr << "Wrote " << FormatCount(result.row_count)
              << (result.row_count == 1 ? " row to " : " rows to ") << output_path_ << '\n';
    return;
  }
  std::ostream& out = file_out ? *file_out : std::cout;
  if (!result.has_rows) {
    if (format == OutputFormat::kTable && !file_out) {
      if (!first) std::cout << '\n';
      std::cout << result.message << '\n';
    } else {
      std::cerr << result.message << '\n';
    }
    return;
  }
  bool is_plan = result.columns.size() == 1 && result.columns[0].name == "Query Plan";
  if (format == OutputFormat::kTable) {
    if (!first && !file_out) std::cout << '\n';
    if (is_plan) {
      for (const auto& b : result.batches)
        for (size_t r = 0; r < b.count; r++) out << CellText(b.columns[0], r) << '\n';
    } else {
      TableFormatOptions options;
      options.max_width = file_out ? 0 : TerminalWidth();
      options.wrap = max_width_override_.has_value();
      options.max_rows = MaxRows();
      out << FormatBoxTable(result.columns, result.batches, options);
    }
    out.flush();
    PrintTableTrailer(result, file_out, is_plan);
  } else {
    WriteResult(out, format, result.columns, result.batches);
    out.flush();
  }
}

QueryResult Cli::PrintStream(ResultStream& stream, OutputFormat format, std::ostream* file_out,
                             bool first, const std::function<void()>& before_output) {
  // Notices (what the planner changed on its own) go to stderr before the rows.
  for (const auto& n : stream.notices()) std::cerr << "\u2139\ufe0f  " << n << '\n';
  QueryResult result = PrintStreamRows(stream, format, file_out, first, before_output);
  result.notices = stream.notices();
  // Warnings go to stderr, after the rows: never into CSV, JSON or a file.
  for (const auto& w : stream.warnings()) std::cerr << "\u26a0\ufe0f  Warning: " << w << '\n';
  result.warnings = stream.warnings();
  return result;
}

QueryResult Cli::PrintStreamRows(ResultStream& stream, OutputFormat format, std::ostream* file_out,
                                 bool first, const std::function<void()>& before_output) {
  QueryResult result;
  result.columns = stream.columns();
  result.sources = stream.sources();
  result.has_rows = stream.has_rows();
  result.message = stream.message();
  result.notices = stream.notices();
  Batch batch;
  auto next = [&] {
    batch = Batch();
    if (!stream.Next(batch)) {
      result.row_count = stream.row_count();
      result.elapsed_seconds = stream.elapsed_seconds();
      return false;
    }
    // Kept for `export last` (shares the column buffers); --streaming keeps only this batch.
    if (streaming_) result.batches.clear();
    result.batches.push_back(batch);
    return true;
  };
  bool is_plan = result.columns.size() == 1 && result.columns[0].name == "Query Plan";
  if (parquet_output_ || !result.has_rows || is_plan) {
    while (next()) {
    }
    before_output();
    PrintResult(result, format, file_out, first);
    return result;
  }
  std::ostream& out = file_out ? *file_out : std::cout;
  if (format != OutputFormat::kTable) {
    // Rows as they come.
    ResultWriter writer(out, format, result.columns);
    while (next()) {
      before_output();
      writer.Write(result.batches.back());
      if (!file_out) out.flush();
    }
    before_output();
    writer.Finish();
    out.flush();
    return result;
  }
  if (streaming_) {
    // --streaming: each batch as it arrives, a table of its own (columns sized by its rows).
    TableFormatOptions page;
    page.max_width = file_out ? 0 : TerminalWidth();
    page.max_rows = -1;
    int64_t total = 0;
    while (next()) {
      before_output();
      size_t shown_columns = result.columns.size();
      total += static_cast<int64_t>(batch.count);
      out << FormatBoxTableBody(result.columns, result.batches, page, &shown_columns);
      out << FormatBoxTableFooter(result.columns.size(), shown_columns,
                                  static_cast<int64_t>(batch.count),
                                  static_cast<int64_t>(batch.count));
      out.flush();
    }
    before_output();
    PrintTableTrailer(result, file_out, false);
    return result;
  }
  // A table: its columns are sized by the rows it shows, so it is printed once those are known
  // (at most MaxRows()); the rest stream by, counted, and the footer follows at the end.
  TableFormatOptions options;
  options.max_width = file_out ? 0 : TerminalWidth();
  options.wrap = max_width_override_.has_value();
  options.max_rows = MaxRows();
  int64_t rows = 0;
  bool printed = false;
  size_t visible = result.columns.size();
  auto print_table = [&] {
    before_output();
    if (!first && !file_out) std::cout << '\n';
    out << FormatBoxTableBody(result.columns, result.batches, options, &visible);
    out.flush();
    printed = true;
  };
  while (next()) {
    rows += static_cast<int64_t>(batch.count);
    if (!printed && options.max_rows >= 0 && rows >= options.max_rows) print_table();
  }
  if (!printed) print_table();
  int64_t shown = options.max_rows >= 0 ? std::min(rows, options.max_rows) : rows;
  out << FormatBoxTableFooter(result.columns.size(), visible, shown, rows);
  out.flush();
  PrintTableTrailer(result, file_out, false);
  return result;
}

void Cli::PrintTableTrailer(const QueryResult& result, std::ostream* file_out, bool is_plan) {
  if (!is_plan) {
    std::cout << "Results: " << FormatCount(result.row_count)
              << (result.row_count == 1 ? " row" : " rows") << '\n';
  }
  std::string cached;
  for (const auto& n : result.notices)
    if (n.rfind("cached, ", 0) == 0) cached = " (" + n.substr(0, n.find(" (")) + ")";
  std::cout << fmt::format("Execution time: {:.2f} seconds{}\n", result.elapsed_seconds, cached);
  if (!result.sources.empty()) {
    std::string sources;
    for (const auto& s : result.sources) sources += (sources.empty() ? "" : ", ") + s;
    std::cout << "Data sources: " << sources << '\n';
  }
  if (file_out) {
    std::cout << "Wrote " << FormatCount(result.row_count)
              << (result.row_count == 1 ? " row to " : " rows to ") << output_path_ << '\n';
  }
}

bool Cli::RunStatement(const std::string& sql, OutputFormat format, std::ostream* file_out,
                       bool first) {
  if (!timer_) return RunStatementUntimed(sql, format, file_out, first);
  // `.timer on`: the statement's wall-clock time and this process's CPU time, as DuckDB's shell
  // prints them, after the result (or the error).
  auto cpu = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return std::pair<double, double>{secs(u.ru_utime), secs(u.ru_stime)};
  };
  auto cpu0 = cpu();
  auto t0 = std::chrono::steady_clock::now();
  bool ok = RunStatementUntimed(sql, format, file_out, first);
  double real = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto cpu1 = cpu();
  std::cout << FormatRunTime(real, cpu1.first - cpu0.first, cpu1.second - cpu0.second);
  std::cout.flush();
  return ok;
}

std::string FormatRunTime(double real, double user, double sys) {
  char line[128];
  std::snprintf(line, sizeof(line), "Run Time (s): real %.3f user %.3f sys %.3f\n", real, user,
                sys);
  return line;
}

bool Cli::RunStatementUntimed(const std::string& sql, OutputFormat format, std::ostream* file_out,
                              bool first) {
  Engine& e = engine();
  try {
    // On a terminal only, and not with --format json/jsonl or --no-progress.
    bool show_progress = isatty(STDERR_FILENO) != 0 && !no_progress_ &&
                         format != OutputFormat::kJson && format != OutputFormat::kJsonl;
    ProgressLine progress(show_progress, CatalogTypes(e));
    if (show_progress) {
      e.SetProgressCallback([&progress](const std::vector<SourceProgress>& p, double elapsed) {
        progress.Update(p, elapsed);
      });
    }
    QueryResult result;
    {
      InterruptGuard guard(e);
      StuckStatementWatchdog watchdog(exit_when_stuck_ ? e.options().timeout_ms : 0);
      auto t0 = std::chrono::steady_clock::now();
      std::unique_ptr<ResultStream> stream;
      try {
        stream = e.Query(sql);
        // The progress line stops before the first output line.
        result = PrintStream(*stream, format, file_out, first, [&progress] { progress.Stop(); });
      } catch (const Error& err) {
        RecordQueryHistory(e, stream.get(), sql, t0, ErrorKindName(err.kind()));
        throw;
      }
      RecordQueryHistory(e, stream.get(), sql, t0, "");
      if (show_stats_) {
        std::string stats = stream->StepStats();
        std::cout.flush();
        if (!stats.empty()) std::fprintf(stderr, "\n%s", stats.c_str());
      }
    }
    e.SetProgressCallback(nullptr);
    if (streaming_ && result.has_rows) {
      std::fprintf(stderr, "Note: --streaming keeps no result for `aishell export last`\n");
    } else if (result.has_rows &&
               !(result.columns.size() == 1 && result.columns[0].name == "Query Plan")) {
      try {
        try {
          WriteFileAtomic(store().PathOf("last_query.sql"), sql, 0600, false);
        } catch (const Error&) {
        }
        if (!store().SaveLastResult(result)) {
          std::fprintf(
              stderr,
              "Note: the result is larger than 1GB and was not kept for `aishell export last`\n");
        }
      } catch (const Error& err) {
        std::fprintf(stderr, "Note: could not keep the result for `aishell export last`: %s\n",
                     err.what());
      }
    }
    return true;
  } catch (const Error& err) {
    e.SetProgressCallback(nullptr);
    std::cout.flush();
    PrintError(err, sql);
    return false;
  } catch (const std::exception& err) {
    e.SetProgressCallback(nullptr);
    std::cout.flush();
    std::fprintf(stderr, "Error: %s\n", err.what());
    return false;
  }
}

int Cli::Query(const ParsedArgs& args) {
  std::string sql;
  if (args.positional.empty() || (args.positional.size() == 1 && args.positional[0] == "-")) {
    if (isatty(STDIN_FILENO)) throw UsageError{"query needs SQL text (or SQL on stdin)", "query"};
    sql = ReadAllStdin();
  } else {
    for (const auto& p : args.positional) sql += (sql.empty() ? "" : " ") + p;
  }
  OutputFormat format = OutputFormat::kTable;
  bool parquet = false;
  if (auto f = args.Get("--format")) {
    parquet = IsParquetFormatName(*f);
    if (parquet && !args.Get("--output")) {
      throw UsageError{"--format parquet writes a binary file and needs --output FILE", "query"};
    }
    auto parsed = ParseOutputFormat(*f);
    if (!parsed && !parquet) {
      throw UsageError{"unknown format '" + *f + "'; use table, csv, json, jsonl or parquet",
                       "query"};
    }
    if (parsed) format = *parsed;
  }
  if (auto w = args.Get("--max-width")) {
    char* end = nullptr;
    long long n = std::strtoll(w->c_str(), &end, 10);
    if (w->empty() || *end || n < 20 || n > 100000)
      throw UsageError{"--max-width needs a number of columns from 20 to 100000, not '" + *w + "'",
                       "query"};
    max_width_override_ = static_cast<size_t>(n);
  }
  if (auto m = args.Get("--max-rows")) {
    char* end = nullptr;
    long long n = std::strtoll(m->c_str(), &end, 10);
    if (m->empty() || *end || n < 0)
      throw UsageError{"--max-rows needs a non-negative number", "query"};
    max_rows_override_ = n;
  }
  auto statements = SplitSqlScript(sql);
  if (statements.empty()) throw UsageError{"query needs SQL text", "query"};
  if (args.Has("--nl") && args.Has("--sql"))
    throw UsageError{"--nl and --sql exclude each other", "query"};
  bool translated_question = false;
  engine();  // load settings, connections and views before opening the output
  // --fresh-data also rereads the catalog the translator caches.
  if (args.Has("--fresh-data")) engine().options().fresh_data = true;
  if (args.Has("--nl") || (!args.Has("--sql") && LooksLikeNaturalLanguage(statements[0]))) {
    std::string translated;
    int code = TranslateQuestion(sql, /*explain_only=*/false, args.Has("--dry-run"),
                                 args.Has("--yes"), &translated);
    if (code >= 0) return code;
    statements = {translated};
    translated_question = true;
  }
  streaming_ = args.Has("--streaming");
  if (streaming_ && (args.Has("--async") || parquet))
    throw UsageError{"--streaming prints rows as they arrive: not with --async or parquet",
                     "query"};
  if (args.Has("--notify-on-complete") && !args.Has("--async"))
    throw UsageError{"--notify-on-complete goes with --async", "query"};
  if (args.Has("--async")) return StartAsyncQuery(statements, args.Has("--notify-on-complete"));
  if (args.Has("--allow-cartesian") && args.Has("--auto-fix"))
    throw UsageError{"--allow-cartesian and --auto-fix exclude each other", "query"};
  if (args.Has("--fresh-data")) engine().options().fresh_data = true;
  if (args.Has("--allow-cartesian")) engine().options().max_cartesian_rows = 0;
  if (args.Has("--auto-fix")) engine().options().auto_fix_cartesian = true;
  std::unique_ptr<std::ofstream> file;
  if (parquet) {
    // The Parquet writer creates the file (through a temporary beside it) once rows arrive.
    output_path_ = *args.Get("--output");
    parquet_output_ = true;
    parquet_results_ = 0;
  } else if (auto path = args.Get("--output")) {
    output_path_ = *path;
    file = std::make_unique<std::ofstream>(*path, std::ios::binary | std::ios::trunc);
    if (!*file) throw Error(ErrorKind::kIo, "cannot write " + *path + ": " + std::strerror(errno));
  }
  bool ok = true;
  exit_when_stuck_ = true;
  show_stats_ = args.Has("--stats");
  no_progress_ = args.Has("--no-progress");
  for (size_t i = 0; i < statements.size() && ok; i++) {
    ok = RunStatement(statements[i], format, file.get(), i == 0);
  }
  if (translated_question && ok && format == OutputFormat::kTable && !file && !parquet) {
    std::cout << "\n💡 Export options:\n   aishell export last --format csv > results.csv\n"
                 "   aishell export last --format json > results.json\n";
  }
  if (parquet && ok && parquet_results_ == 0) {
    std::fprintf(stderr, "Note: no statement returned rows; %s was not written\n",
                 output_path_.c_str());
  }
  if (file) {
    file->close();
    if (!*file) throw Error(ErrorKind::kIo, "cannot write " + *args.Get("--output"));
  }
  return ok ? 0 : 1;
}

int Cli::ExplainCommand(const ParsedArgs& args) {
  if (args.positional.empty()) throw UsageError{"explain needs SQL text", "explain"};
  std::string sql;
  for (const auto& p : args.positional) sql += (sql.empty() ? "" : " ") + p;
  if (LooksLikeNaturalLanguage(sql) && !args.Has("--analyze"))
    return TranslateQuestion(sql, /*explain_only=*/true, true, true, nullptr);
  if (LooksLikeNaturalLanguage(sql)) {
    std::string translated;
    int code = TranslateQuestion(sql, false, false, true, &translated);
    if (code >= 0) return code;
    sql = translated;
  }
  Engine& e = engine();
  try {
    bool show_progress = args.Has("--analyze") && isatty(STDERR_FILENO) != 0 &&
                         args.Get("--format").value_or("steps") != "json";
    ProgressLine progress(show_progress, CatalogTypes(e));
    if (show_progress) {
      e.SetProgressCallback([&progress](const std::vector<SourceProgress>& p, double elapsed) {
        progress.Update(p, elapsed);
      });
    }
    std::string plan;
    {
      InterruptGuard guard(e);
      plan = e.ExplainPlan(sql, args.Has("--analyze"), args.Get("--format").value_or("steps"));
    }
    e.SetProgressCallback(nullptr);
    progress.Clear();
    std::fputs(plan.c_str(), stdout);
    if (!plan.empty() && plan.back() != '\n') std::fputs("\n", stdout);
  } catch (const Error& err) {
    e.SetProgressCallback(nullptr);
    PrintError(err, sql);
    return 1;
  }
  return 0;
}

int Cli::TranslateQuestion(const std::string& text, bool explain_only, bool dry_run, bool yes,
                           std::string* sql) {
  Engine& e = engine();
  std::vector<std::string> warnings;
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  auto t0 = Clock::now();
  auto settings = store().LoadSettings();
  NlCatalogCache catalog_cache;
  catalog_cache.dir = home_.empty() ? "" : home_ + "/cache/nl-catalog";
  if (settings.count("nl.catalog_ttl"))
    catalog_cache.ttl_ms = ParseDurationSetting("nl.catalog_ttl", settings["nl.catalog_ttl"]);
  catalog_cache.bypass = e.options().fresh_data;
  NlSchema schema = LoadNlSchema(e, settings, &warnings, catalog_cache);
  double load_seconds = seconds_since(t0);
  for (const auto& w : warnings)
    std::fprintf(stderr, "Warning: source left out of the translation: %s\n", w.c_str());
  std::string provider = settings.count("nl.provider") ? settings["nl.provider"] : "offline";
  if (provider != "offline" && provider != "openai")
    throw Error(ErrorKind::kUnsupported,
                "nl.provider '" + provider + "' is not known: use offline or openai");
  // Sampling values runs queries: timed apart from the translation itself.
  double sample_seconds = 0;
  auto sample = schema.sample_values;
  schema.sample_values = [&](const NlTable& table, const NlColumn& column) {
    auto s0 = Clock::now();
    auto values = sample(table, column);
    sample_seconds += seconds_since(s0);
    return values;
  };
  NlOptions options;
  options.today = LocalToday();  // the session's time zone: TZ
  if (settings.count("nl.week_start")) {
    static const char* kDays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                  "friday", "saturday", "sunday"};
    std::string day = AsciiLower(settings["nl.week_start"]);
    int found = 0;
    for (int i = 0; i < 7; i++)
      if (day == kDays[i]) found = i + 1;
    if (!found)
      throw Error(ErrorKind::kConversion, "nl.week_start '" + settings["nl.week_start"] +
                                              "' is not a day (monday ... sunday)");
    options.week_start = found;
  }
  // The translation's own time: wall clock, and this thread's CPU time (the machine may be
  // shared), both without the sampling queries.
  auto thread_cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
  };
  double sample_cpu = 0;
  schema.sample_values = [&, timed = schema.sample_values](const NlTable& table,
                                                           const NlColumn& column) {
    double c0 = thread_cpu();
    auto values = timed(table, column);
    sample_cpu += thread_cpu() - c0;
    return values;
  };
  if (provider == "openai") return AskLlm(text, schema, settings, explain_only, dry_run, yes, sql);
  auto t1 = Clock::now();
  double cpu1 = thread_cpu();
  NlTranslation t = TranslateToSql(text, schema, options);
  double translate_cpu = thread_cpu() - cpu1 - sample_cpu;
  double translate_seconds = seconds_since(t1) - sample_seconds;
  t.notices.push_back(fmt::format(
      "translated in {:.2f} ms CPU ({:.2f} ms wall) over {} tables (catalog read in {:.0f} ms, "
      "{} of {} sources from the cache; values sampled in {:.0f} ms)",
      translate_cpu * 1000, translate_seconds * 1000, schema.tables.size(), load_seconds * 1000,
      schema.cached_sources, schema.sources, sample_seconds * 1000));
  if (!t.ok) {
    std::fputs(RenderNlRefusal(text, t).c_str(), stderr);
    return 2;
  }
  std::string plan;
  try {
    plan = NlPlanText(e, t);
  } catch (const Error& err) {
    std::fputs(RenderNlPanel(text, t, "").c_str(), stderr);
    PrintError(err, t.sql);
    return 1;
  }
  return ShowPanelAndConfirm(text, t, plan, explain_only, dry_run, yes, sql);
}

int Cli::AskLlm(const std::string& text, const NlSchema& schema,
                const std::map<std::string, std::string>& settings, bool explain_only, bool dry_run,
                bool yes, std::string* sql) {
  LlmOptions options = LlmOptionsFromSettings(settings);
  NlTranslation t;
  t.ok = true;
  t.readings.push_back("translated by " + RedactUrl(options.endpoint) +
                       (options.model.empty() ? "" : " (model " + options.model + ")") +
                       (options.send_samples ? "; the prompt held sampled values"
                                             : "; the prompt held the schema only"));
  // The answer is parsed, bound and planned before anything runs; a failure is sent back once.
  auto check = [&](const std::string& candidate) -> std::string {
    std::string first = AsciiUpper(FirstKeyword(candidate));
    if (first != "SELECT" && first != "WITH")
      return "the endpoint answered a statement that is not a query (" +
             (first.empty() ? std::string("no statement") : first) + ")";
    if (SplitSqlScript(candidate).size() != 1) return "the endpoint answered several statements";
    try {
      t.notices.clear();
      std::string plan = NlPlanText(engine(), candidate);
      t.notices.push_back("plan:" + plan);
      return "";
    } catch (const Error& err) {
      return err.what();
    }
  };
  std::string answer = AskLlmForSql(options, schema, text);
  std::string problem = check(answer);
  if (!problem.empty()) {
    t.readings.push_back("the first answer failed (" + problem + "); asked again");
    std::string second = AskLlmForSql(options, schema, text, answer, problem);
    std::string again = check(second);
    if (!again.empty()) {
      std::fprintf(stderr,
                   "Error: the SQL from %s does not bind after a second try: %s\nIts answer:\n%s\n"
                   "Nothing was run.\n",
                   RedactUrl(options.endpoint).c_str(), again.c_str(), second.c_str());
      return 2;
    }
    answer = second;
  }
  std::string plan = t.notices.empty() ? "" : t.notices.back().substr(5);
  t.notices.clear();
  t.sql = answer;
  return ShowPanelAndConfirm(text, t, plan, explain_only, dry_run, yes, sql);
}

int Cli::ShowPanelAndConfirm(const std::string& text, const NlTranslation& t,
                             const std::string& plan, bool explain_only, bool dry_run, bool yes,
                             std::string* sql) {
  bool out_tty = isatty(STDOUT_FILENO) != 0;
  std::string panel = RenderNlPanel(text, t, plan);
  if (explain_only) {
    std::fputs(panel.c_str(), stdout);
    return 0;
  }
  std::fputs(panel.c_str(), out_tty ? stdout : stderr);
  std::fflush(out_tty ? stdout : stderr);
  if (dry_run) return 0;
  if (!yes && out_tty && isatty(STDIN_FILENO)) {
    std::fputs("Proceed? (Y/n): ", stdout);
    std::fflush(stdout);
    std::string answer;
    std::getline(std::cin, answer);
    answer = TrimSpace(answer);
    if (!answer.empty() && answer != "y" && answer != "Y" && answer != "yes") {
      std::puts("Cancelled: nothing was run.");
      return 0;
    }
  }
  if (!t.sections.empty()) {
    // A profile: each section is its own query, run in parallel, printed under its title.
    return RunProfileSections(t) ? 0 : 1;
  }
  *sql = t.sql;
  return -1;
}

int Cli::Export(const ParsedArgs& args) {
  if (args.positional.size() != 1) {
    throw UsageError{"export needs the word 'last' or a job id: aishell export last --format csv",
                     "export"};
  }
  OutputFormat format = OutputFormat::kCsv;
  bool parquet = false;
  if (auto f = args.Get("--format")) {
    parquet = IsParquetFormatName(*f);
    if (parquet && !args.Get("--output")) {
      throw UsageError{"--format parquet writes a binary file and needs --output FILE", "export"};
    }
    auto parsed = ParseOutputFormat(*f);
    std::string lower = AsciiLower(*f);
    bool report_name = lower == "markdown" || lower == "md" || lower == "html" || lower == "pdf" ||
                       lower == "xlsx";
    if (!parsed && !parquet && !report_name) {
      std::string hint = SuggestName(
          *f, {"csv", "json", "jsonl", "table", "parquet", "markdown", "html", "pdf", "xlsx"});
      throw UsageError{"unknown format '" + *f +
                           "'; use csv, json, jsonl, table, parquet, markdown, html, pdf or xlsx" +
                           (hint.empty() || hint == lower ? "" : " (did you mean " + hint + "?)"),
                       "export"};
    }
    if (parsed) format = *parsed;
  }
  std::string report_format = AsciiLower(args.Get("--format").value_or(""));
  if (report_format == "md") report_format = "markdown";
  bool report = report_format == "markdown" || report_format == "html" || report_format == "pdf" ||
                report_format == "xlsx";
  if (report && (report_format == "pdf" || report_format == "xlsx") && !args.Get("--output") &&
      isatty(STDOUT_FILENO))
    throw UsageError{"--format " + report_format +
                         " writes a binary file: add --output FILE or redirect (> file)",
                     "export"};
  QueryResult result = LoadExportResult(args.positional[0]);
  if (report) {
    ReportInfo info;
    if (args.positional[0] == "last") {
      if (auto q = ReadFileIfExists(store().PathOf("last_query.sql"))) info.query = *q;
    }
    std::time_t now = std::time(nullptr);
    char stamp[64];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    info.generated = std::string("Generated by aishell on ") + stamp;
    std::string doc = report_format == "xlsx"  ? ResultToXlsx(info, result.columns, result.batches)
                      : report_format == "pdf" ? ResultToPdf(info, result.columns, result.batches)
                      : report_format == "html"
                          ? ResultToHtml(info, result.columns, result.batches)
                          : ResultToMarkdown(info, result.columns, result.batches);
    if (auto path = args.Get("--output")) {
      std::ofstream out(*path, std::ios::binary | std::ios::trunc);
      if (!out) throw Error(ErrorKind::kIo, "cannot write " + *path + ": " + std::strerror(errno));
      out.write(doc.data(), static_cast<std::streamsize>(doc.size()));
      out.close();
      if (!out) throw Error(ErrorKind::kIo, "cannot write " + *path);
      std::fprintf(stderr, "Exported %s rows to %s\n", FormatCount(result.row_count).c_str(),
                   path->c_str());
    } else {
      std::fwrite(doc.data(), 1, doc.size(), stdout);
      std::fflush(stdout);
    }
    return 0;
  }
  if (parquet) {
    const std::string path = *args.Get("--output");
    WriteParquetFile(path, result.columns, result.batches);
    std::fprintf(stderr, "Exported %s rows to %s\n", FormatCount(result.row_count).c_str(),
                 path.c_str());
    return 0;
  }
  TableFormatOptions options;
  options.max_rows = -1;
  if (auto path = args.Get("--output")) {
    std::ofstream out(*path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorKind::kIo, "cannot write " + *path + ": " + std::strerror(errno));
    WriteResult(out, format, result.columns, result.batches, options);
    out.close();
    if (!out) throw Error(ErrorKind::kIo, "cannot write " + *path);
    std::fprintf(stderr, "Exported %s rows to %s\n", FormatCount(result.row_count).c_str(),
                 path->c_str());
  } else {
    WriteResult(std::cout, format, result.columns, result.batches, options);
    std::cout.flush();
  }
  return 0;
}

int Cli::CreateView(const ParsedArgs& args) {
  if (args.positional.empty()) throw UsageError{"create-view needs a view name", "create-view"};
  const std::string& name = args.positional[0];
  std::string query;
  if (args.positional.size() == 1 || (args.positional.size() == 2 && args.positional[1] == "-")) {
    if (isatty(STDIN_FILENO))
      throw UsageError{"create-view needs a query (as an argument or on stdin)", "create-view"};
    query = ReadAllStdin();
  } else {
    for (size_t i = 1; i < args.positional.size(); i++)
      query += (i > 1 ? " " : "") + args.positional[i];
  }
  // Drop trailing ';' and whitespace.
  while (!query.empty() &&
         (std::isspace(static_cast<unsigned char>(query.back())) || query.back() == ';'))
    query.pop_back();
  if (query.find_first_not_of(" \t\r\n") == std::string::npos)
    throw UsageError{"the view's query is empty", "create-view"};
  std::string sql = std::string("CREATE ") + (args.Has("--replace") ? "OR REPLACE " : "") +
                    "VIEW " + QuoteName(name) + " AS\n" + query;
  Engine& e = engine();
  if (!args.Has("--replace") && e.catalogs().FindView(name)) {
    throw Error(ErrorKind::kCatalog,
                "view '" + name + "' already exists; add --replace to replace it");
  }
  try {
    QueryResult result = e.Execute(sql);
    std::printf("✅ Created view %s\n", name.c_str());
  } catch (const Error& err) {
    PrintError(err, sql);
    return 1;
  }
  return 0;
}

int Cli::Views(const ParsedArgs& args) {
  if (!args.positional.empty()) throw UsageError{"views takes no arguments", "views"};
  OutputFormat format = ListFormat(args, "views");
  auto views = engine().catalogs().Views();
  if (views.empty() && format == OutputFormat::kJson) {
    std::printf("[]\n");
    return 0;
  }
  if (views.empty() && format != OutputFormat::kTable) return 0;
  if (views.empty()) {
    std::printf("No views yet. Create one with: aishell create-view <name> \"<query>\"\n");
    return 0;
  }
  std::sort(views.begin(), views.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<LogicalType> types(2, LogicalType(TypeId::kVarchar));
  std::vector<OutputColumn> columns = {{"name", LogicalType(TypeId::kVarchar)},
                                       {"query", LogicalType(TypeId::kVarchar)}};
  Batch batch(types, views.size());
  batch.SetCount(views.size());
  for (size_t i = 0; i < views.size(); i++) {
    std::string sql;
    bool space = false;
    for (char ch : views[i].sql) {
      if (std::isspace(static_cast<unsigned char>(ch))) {
        space = !sql.empty();
        continue;
      }
      if (space) sql += ' ';
      space = false;
      sql += ch;
    }
    batch.columns[0].SetString(i, views[i].name);
    batch.columns[1].SetString(i, sql);
  }
  std::vector<Batch> batches;
  batches.push_back(std::move(batch));
  TableFormatOptions options;
  options.max_width = TerminalWidth();
  options.max_rows = -1;
  WriteResult(std::cout, ListFormat(args, "views"), columns, batches, options);
  std::cout.flush();
  return 0;
}

int Cli::DropView(const ParsedArgs& args) {
  if (args.positional.size() != 1)
    throw UsageError{"drop-view needs exactly one view name", "drop-view"};
  std::string sql = std::string("DROP VIEW ") + (args.Has("--if-exists") ? "IF EXISTS " : "") +
                    QuoteName(args.positional[0]);
  try {
    engine().Execute(sql);
  } catch (const Error& err) {
    PrintError(err, "");
    return 1;
  }
  std::printf("Dropped view %s\n", args.positional[0].c_str());
  return 0;
}

int Cli::Config(const ParsedArgs& args) {
  if (args.positional.empty()) throw UsageError{"config needs set, get, unset or list", "config"};
  const std::string& action = args.positional[0];
  if (action == "set") {
    if (args.positional.size() != 3)
      throw UsageError{"config set needs a key and a value", "config"};
    const std::string& key = args.positional[1];
    const std::string& value = args.positional[2];
    // Only registered settings, with values of their type.
    const auto& registry = SettingsRegistry::Global();
    const SettingDef* def = registry.Find(key);
    if (!def && AsciiLower(key).starts_with("nl.synonyms.") && key.size() > 12) {
      // The translator's synonyms: any word, naming a table.
      store().SetSetting(AsciiLower(key), value);
      std::printf("%s = %s\n", AsciiLower(key).c_str(), value.c_str());
      return 0;
    }
    if (!def) {
      std::string hint = registry.Suggest(key);
      throw Error(ErrorKind::kCatalog,
                  "unknown setting '" + key + "'" +
                      (hint.empty() ? "; `aishell config list` shows the settings"
                                    : "; did you mean '" + hint + "'?"));
    }
    SettingsRegistry::Validate(*def, key, value);
    store().SetSetting(key, value);
    std::printf("%s = %s\n", key.c_str(), value.c_str());
    return 0;
  }
  if (action == "get") {
    if (args.positional.size() != 2) throw UsageError{"config get needs a key", "config"};
    auto value = store().GetSetting(args.positional[1]);
    if (!value) {
      std::vector<std::string> keys;
      for (const auto& [k, v] : store().LoadSettings()) keys.push_back(k);
      std::string hint = SuggestName(args.positional[1], keys);
      throw Error(ErrorKind::kCatalog, "no setting '" + args.positional[1] + "'" +
                                           (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
    std::printf("%s\n", value->c_str());
    return 0;
  }
  if (action == "unset") {
    if (args.positional.size() != 2) throw UsageError{"config unset needs a key", "config"};
    if (!store().UnsetSetting(args.positional[1]))
      throw Error(ErrorKind::kCatalog, "no setting '" + args.positional[1] + "'");
    std::printf("Removed %s\n", args.positional[1].c_str());
    return 0;
  }
  if (action == "list") {
    if (args.positional.size() != 1) throw UsageError{"config list takes no arguments", "config"};
    // Every registered setting with its current value, then stored keys nothing knows.
    const auto& registry = SettingsRegistry::Global();
    auto stored = store().LoadSettings();
    std::map<std::string, std::string> current;  // canonical name -> stored value
    std::vector<std::pair<std::string, std::string>> unknown;
    for (const auto& [k, v] : stored) {
      if (const SettingDef* def = registry.Find(k))
        current[def->name] = v;
      else
        unknown.emplace_back(k, v);
    }
    for (const auto& def : registry.All()) {
      auto it = current.find(def.name);
      std::string value = it != current.end() ? it->second : def.default_value;
      std::string note = "default " + def.default_value;
      if (!def.aliases.empty()) {
        std::string also;
        for (const auto& a : def.aliases) also += (also.empty() ? "" : ", ") + a;
        note += "; also " + also;
      }
      note += def.reader.empty() ? "; (not yet used)" : "; read by the " + def.reader;
      std::printf("%s = %s\n    %s (%s, %s)\n", def.name.c_str(), value.c_str(), def.doc.c_str(),
                  SettingTypeName(def.type), note.c_str());
    }
    for (const auto& [k, v] : unknown)
      std::printf("%s = %s\n    (unknown setting: nothing reads it)\n", k.c_str(), v.c_str());
    return 0;
  }
  std::vector<std::string> actions = {"set", "get", "unset", "list"};
  std::string hint = SuggestName(action, actions);
  throw UsageError{"unknown config action '" + action + "'" +
                       (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                   "config"};
}

}  // namespace aishell
