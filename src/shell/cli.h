// The `aishell` command line: argument parsing, the commands, and the interactive shell.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/config_store.h"
#include "engine/engine.h"
#include "nl/nl_schema.h"
#include "nl/translator.h"
#include "shell/box_table.h"

namespace aishell {

// A usage mistake (unknown command or option, missing argument): exit code 2.
struct UsageError {
  std::string message;
  std::string command;  // for "see aishell <command> --help"
};

struct ParsedArgs {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> options;  // "--name" -> values ("" for flags)
  bool Has(const std::string& option) const { return options.count(option) > 0; }
  std::optional<std::string> Get(const std::string& option) const;
};

class Cli {
 public:
  // Runs the command line; returns the process exit code.
  int Run(int argc, char** argv);

 private:
  int Dispatch(const ParsedArgs& args);
  int Connect(const ParsedArgs& args);
  int Connections(const ParsedArgs& args);
  int Disconnect(const ParsedArgs& args);
  int Query(const ParsedArgs& args);
  int ExplainCommand(const ParsedArgs& args);
  // An English question: translates it, shows the panel, asks on a terminal. Returns an exit
  // code, or -1 with the SQL to run in *sql.
  int TranslateQuestion(const std::string& text, bool explain_only, bool dry_run, bool yes,
                        std::string* sql);
  // nl.provider openai: asks the endpoint, binds its answer (asking once more on an error).
  int AskLlm(const std::string& text, const NlSchema& schema,
             const std::map<std::string, std::string>& settings, bool explain_only, bool dry_run,
             bool yes, std::string* sql);
  int ShowPanelAndConfirm(const std::string& text, const NlTranslation& t, const std::string& plan,
                          bool explain_only, bool dry_run, bool yes, std::string* sql);
  // A profile's sections, run in parallel (federation.threads engines), printed in order.
  bool RunProfileSections(const NlTranslation& t);  // nl_command.cpp
  std::unique_ptr<Engine> MakeEngine();             // settings, connections, views
  int Export(const ParsedArgs& args);
  int CreateView(const ParsedArgs& args);
  int Views(const ParsedArgs& args);
  int DropView(const ParsedArgs& args);
  int Config(const ParsedArgs& args);
  int ExportCatalogs(const ParsedArgs& args);  // export_catalogs_command.cpp
  // sync_command.cpp
  int Sync(const ParsedArgs& args);
  int SyncStatus(const ParsedArgs& args);
  int SyncCache(const ParsedArgs& args);
  int SyncDaemon(const ParsedArgs& args);
  int SyncInstallService(const ParsedArgs& args);  // sync_service_command.cpp
  int ValidateSyncCommand(const ParsedArgs& args);
  // stream_command.cpp
  int Stream(const ParsedArgs& args);
  // jobs_command.cpp
  int StartAsyncQuery(const std::vector<std::string>& statements, bool notify);
  int Jobs(const ParsedArgs& args);
  void NotifyFinishedJobs();
  QueryResult LoadExportResult(const std::string& what);  // "last" or a job id
  int Cache(const ParsedArgs& args);                      // cache_command.cpp
  int Search(const ParsedArgs& args);                     // search_command.cpp
  int Serve(const ParsedArgs& args);                      // serve_command.cpp
  int Monitor(const ParsedArgs& args);                    // monitor_command.cpp
  int Interactive(bool terminal);

  ConfigStore& store();
  Engine& engine();
  // The engine for connect/disconnect/connections: engine() if already made, else one that loads
  // no settings, connections or views.
  Engine& connection_engine();
  // Runs one statement and prints its result; returns false on error (already printed).
  bool RunStatement(const std::string& sql, OutputFormat format, std::ostream* file_out,
                    bool first);
  bool RunStatementUntimed(const std::string& sql, OutputFormat format, std::ostream* file_out,
                           bool first);
  void PrintResult(const QueryResult& result, OutputFormat format, std::ostream* file_out,
                   bool first);
  // Prints a statement's result as it streams (see PrintStream in cli.cpp); calls before_output
  // before the first output. Returns the whole result, for `export last`.
  QueryResult PrintStream(ResultStream& stream, OutputFormat format, std::ostream* file_out,
                          bool first, const std::function<void()>& before_output);
  QueryResult PrintStreamRows(ResultStream& stream, OutputFormat format, std::ostream* file_out,
                              bool first, const std::function<void()>& before_output);
  // The lines after a table: "Results", "Execution time", "Data sources", "Wrote".
  void PrintTableTrailer(const QueryResult& result, std::ostream* file_out, bool is_plan);
  bool HandleMetaCommand(const std::string& line, bool& quit);
  size_t TerminalWidth() const;
  int64_t MaxRows() const;

  std::string home_;
  std::optional<std::string> max_memory_override_;
  std::optional<std::string> threads_override_;
  std::unique_ptr<ConfigStore> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Engine> connection_engine_;
  OutputFormat shell_format_ = OutputFormat::kTable;
  bool timer_ = false;  // shell `.timer on`: print each statement's run time
  // `aishell query`: a statement still running well after federation.timeout (a source that
  // stopped answering inside a blocking read) ends the process with the timeout error.
  bool exit_when_stuck_ = false;
  bool show_stats_ = false;   // query --stats
  bool no_progress_ = false;  // query --no-progress
  std::optional<int64_t> max_rows_override_;
  std::optional<size_t> max_width_override_;  // query --max-width: tables wrap to this width
  std::string output_path_;                   // query --output, for messages
  bool parquet_output_ = false;               // query --format parquet: results go to output_path_
  // query --streaming: rows are printed batch by batch and not kept (no `export last`).
  bool streaming_ = false;
  int parquet_results_ = 0;  // results written to output_path_ as Parquet
};

// `aishell serve --help` details (serve_command.cpp).
extern const char* const kServeDetails;
extern const char* const kMonitorDetails;

// Helpers shared by the shell files.
std::string FormatCount(int64_t n);  // 1234567 -> "1,234,567"
std::string CommandSuggestion(const std::string& command);
// "Run Time (s): real 1.234 user 0.456 sys 0.078\n" (the shell's `.timer on` line).
std::string FormatRunTime(double real, double user, double sys);

}  // namespace aishell
