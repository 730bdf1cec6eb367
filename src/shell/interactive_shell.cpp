// The interactive shell (libedit) and script mode (statements from a non-terminal stdin).
#include <editline/readline.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "common/exception.h"
#include "shell/cli.h"
#include "shell/sql_script.h"
#include "sql/parser.h"

namespace aishell {

namespace {

constexpr const char* kPrompt = "aishell> ";
constexpr const char* kContinuation = "     -> ";

constexpr const char* kShellHelp =
    "Enter SQL statements ending in ';' (they may span lines), or a question in English on one\n"
    "line (as `aishell query` takes it), e.g. total revenue by region\n"
    "  .tables [catalog[.schema]]  list tables\n"
    "  .schema <table>             describe a table (columns, types)\n"
    "  .catalogs                   list connected sources\n"
    "  .views                      list views\n"
    "  .format table|csv|json|jsonl  set the output format\n"
    "  .timer on|off, \\timing      print each statement's run time (wall, user and system CPU)\n"
    "  .help, help                 this help\n"
    "  .quit, .exit, quit, exit, \\q  leave\n";

volatile std::sig_atomic_t g_prompt_interrupted = 0;

// Tab completion: SQL keywords, meta commands, catalogs, views and (collected on first use)
// qualified table names.
Engine* g_completion_engine = nullptr;
std::vector<std::string> g_completion_words;
bool g_completion_tables_loaded = false;
std::vector<std::string> g_completion_matches;
size_t g_completion_index = 0;

void LoadCompletionWords() {
  if (g_completion_tables_loaded || !g_completion_engine) return;
  g_completion_tables_loaded = true;
  std::set<std::string> words;
  for (const auto& k : SqlKeywords()) words.insert(k);
  for (const char* m : {".help", ".quit", ".exit", ".tables", ".schema", ".catalogs", ".views",
                        ".format", ".timer"})
    words.insert(m);
  auto& catalogs = g_completion_engine->catalogs();
  for (const auto& v : catalogs.Views()) words.insert(v.name);
  for (const auto& c : catalogs.CatalogNames()) {
    words.insert(c);
    try {
      auto connector = catalogs.GetCatalog(c);
      auto schemas = connector->ListSchemas();
      for (size_t i = 0; i < schemas.size() && i < 50; i++) {
        words.insert(c + "." + schemas[i]);
        for (const auto& t : connector->ListTables(schemas[i])) {
          words.insert(c + "." + schemas[i] + "." + t);
          if (schemas[i] == connector->DefaultSchema()) words.insert(c + "." + t);
        }
      }
    } catch (const std::exception&) {
      // An unreachable source just offers no table names.
    }
  }
  g_completion_words.assign(words.begin(), words.end());
}

char* CompletionEntry(const char* text, int state) {
  if (state == 0) {
    LoadCompletionWords();
    g_completion_matches.clear();
    g_completion_index = 0;
    std::string prefix = text;
    bool lower = !prefix.empty() && std::islower(static_cast<unsigned char>(prefix[0]));
    for (const auto& w : g_completion_words) {
      if (w.size() < prefix.size()) continue;
      bool match = true;
      for (size_t i = 0; i < prefix.size() && match; i++) {
        match = std::tolower(static_cast<unsigned char>(w[i])) ==
                std::tolower(static_cast<unsigned char>(prefix[i]));
      }
      if (!match) continue;
      std::string candidate = w;
      // Keywords follow the case being typed.
      bool is_keyword = std::all_of(w.begin(), w.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) || c == '_';
      });
      if (lower && is_keyword)
        for (auto& c : candidate)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      g_completion_matches.push_back(std::move(candidate));
    }
  }
  if (g_completion_index >= g_completion_matches.size()) return nullptr;
  return strdup(g_completion_matches[g_completion_index++].c_str());
}

char** CompleteSql(const char* text, int start, int end) {
  rl_attempted_completion_over = 1;  // no file-name completion
  return rl_completion_matches(text, CompletionEntry);
}

void OnPromptInterrupt(int) { g_prompt_interrupted = 1; }

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n;");
  return s.substr(b, e == std::string::npos || e < b ? 0 : e - b + 1);
}

}  // namespace

bool Cli::HandleMetaCommand(const std::string& input, bool& quit) {
  std::string line = Trim(input);
  // help, exit and quit also work without the leading dot (as in psql and most shells).
  {
    std::string word = line;
    for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (word == "help" || word == "exit" || word == "quit") line = "." + word;
    if (word == "?") line = ".help";
  }
  if (line.empty() || (line[0] != '.' && line[0] != '\\')) return false;
  std::string command = line, arg;
  if (auto sp = line.find_first_of(" \t"); sp != std::string::npos) {
    command = line.substr(0, sp);
    arg = Trim(line.substr(sp + 1));
  }
  if (command == ".quit" || command == ".exit" || command == "\\q" || command == "\\quit") {
    quit = true;
    return true;
  }
  if (command == ".help" || command == "\\?" || command == "\\h") {
    std::fputs(kShellHelp, stdout);
    return true;
  }
  if (command == ".tables" || command == "\\dt") {
    RunStatement(arg.empty() ? "SHOW TABLES" : "SHOW TABLES FROM " + arg, shell_format_, nullptr,
                 true);
    return true;
  }
  if (command == ".schema" || command == "\\d") {
    if (arg.empty())
      RunStatement("SHOW TABLES", shell_format_, nullptr, true);
    else
      RunStatement("DESCRIBE " + arg, shell_format_, nullptr, true);
    return true;
  }
  if (command == ".catalogs" || command == "\\l") {
    RunStatement("SHOW CATALOGS", shell_format_, nullptr, true);
    return true;
  }
  if (command == ".views") {
    ParsedArgs args;
    args.command = "views";
    Views(args);
    return true;
  }
  if (command == ".format" || command == ".mode") {
    auto format = ParseOutputFormat(arg);
    if (!format) {
      std::fprintf(stderr, "Error: unknown format '%s'; use table, csv, json or jsonl\n",
                   arg.c_str());
    } else {
      shell_format_ = *format;
    }
    return true;
  }
  if (command == ".timer" || command == "\\timing") {
    // DuckDB's `.timer on|off`; psql's `\timing` also toggles without an argument.
    std::string value = arg;
    for (auto& ch : value) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (value.empty() && command == "\\timing") {
      timer_ = !timer_;
    } else if (value == "on") {
      timer_ = true;
    } else if (value == "off") {
      timer_ = false;
    } else {
      std::fprintf(stderr, "Error: %s needs on or off\n", command.c_str());
      return true;
    }
    if (command == "\\timing") std::printf("Timing is %s.\n", timer_ ? "on" : "off");
    std::fflush(stdout);
    return true;
  }
  std::vector<std::string> known = {".help",     ".quit",  ".exit",   ".tables", ".schema",
                                    ".catalogs", ".views", ".format", ".mode",   ".timer"};
  std::string hint = SuggestName(command, known);
  std::fprintf(stderr, "Error: unknown command %s%s; type help for the commands\n", command.c_str(),
               hint.empty() ? "" : ("; did you mean " + hint + "?").c_str());
  return true;
}

int Cli::Interactive(bool terminal) {
  engine();  // load settings, connections and views up front so their errors show once
  std::string history = store().PathOf("history");
  struct sigaction old_action = {};
  if (terminal) {
    // Ctrl-C at the prompt drops the statement being typed instead of leaving the shell.
    struct sigaction sa = {};
    sa.sa_handler = OnPromptInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_action);
    g_completion_engine = &engine();
    rl_attempted_completion_function = CompleteSql;
    rl_basic_word_break_characters = " \t\n\"'`@><=;|&{(,";
    using_history();
    stifle_history(2000);
    read_history(history.c_str());
    std::printf(
        "aishell — type SQL ending in ';' or a question in English, help for commands, quit to "
        "leave\n");
  }
  bool any_failed = false;
  bool quit = false;
  size_t statements_run = 0;
  std::string buffer;
  while (!quit) {
    std::string line;
    if (terminal) {
      g_prompt_interrupted = 0;
      char* raw = readline(buffer.empty() ? kPrompt : kContinuation);
      if (g_prompt_interrupted) {
        std::free(raw);
        buffer.clear();
        std::printf("\n");
        continue;
      }
      if (!raw) {
        std::printf("\n");
        break;
      }
      line = raw;
      std::free(raw);
    } else {
      if (!std::getline(std::cin, line)) break;
    }
    if (buffer.empty() && HandleMetaCommand(line, quit)) {
      if (terminal && !Trim(line).empty()) add_history(line.c_str());
      continue;
    }
    if (buffer.empty() && Trim(line).empty()) continue;
    if (buffer.empty() && LooksLikeNaturalLanguage(line)) {
      // English, as `aishell query` takes it: one line, no ';' needed.
      if (terminal) {
        add_history(line.c_str());
        write_history(history.c_str());
      }
      std::string sql;
      int code = -1;
      try {
        code = TranslateQuestion(Trim(line), /*explain_only=*/false, /*dry_run=*/false,
                                 /*yes=*/!terminal, &sql);
      } catch (const Error& err) {
        std::fprintf(stderr, "Error: %s\n", err.what());
        code = 1;
      }
      if (code < 0) {
        if (!RunStatement(sql, shell_format_, nullptr, terminal || statements_run == 0))
          any_failed = true;
        statements_run++;
      } else if (code != 0) {
        any_failed = true;
      }
      if (terminal) std::printf("\n");
      std::cout.flush();
      std::fflush(stdout);
      continue;
    }
    buffer += buffer.empty() ? line : "\n" + line;
    if (!EndsWithCompleteStatement(buffer)) continue;
    if (terminal) {
      add_history(buffer.c_str());
      write_history(history.c_str());
    }
    std::string text;
    text.swap(buffer);
    for (const auto& statement : SplitSqlScript(text)) {
      // Script mode separates table results by a blank line; the terminal adds one after each.
      if (!RunStatement(statement, shell_format_, nullptr, terminal || statements_run == 0))
        any_failed = true;
      statements_run++;
      if (terminal) std::printf("\n");
      // A program that writes statements to a pipe sees each result as soon as it is ready.
      std::cout.flush();
      std::fflush(stdout);
    }
  }
  // A final statement without ';' still runs in script mode.
  if (!terminal && !quit && !Trim(buffer).empty()) {
    for (const auto& statement : SplitSqlScript(buffer)) {
      if (!RunStatement(statement, shell_format_, nullptr, statements_run == 0)) any_failed = true;
      statements_run++;
    }
  }
  if (terminal) {
    write_history(history.c_str());
    sigaction(SIGINT, &old_action, nullptr);
  }
  return any_failed ? 1 : 0;
}

}  // namespace aishell
