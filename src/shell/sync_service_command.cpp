// `aishell sync install-service [--output FILE|-] [--replace]`: a systemd user unit that runs
// `aishell sync daemon` for this AISHELL_HOME (the binary and the home as absolute paths),
// restarted on failure, stopped by SIGTERM (the daemon finishes the job it runs, then exits). It is
// written to $XDG_CONFIG_HOME/systemd/user/aishell-sync.service (~/.config/... by default); an
// existing different unit is kept unless --replace. Nothing is enabled: the command prints the
// systemctl lines that do it.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/exception.h"
#include "shell/cli.h"

namespace aishell {

namespace {

namespace fs = std::filesystem;

// A word of a unit file's ExecStart= or Environment= (systemd.syntax(7)): double-quoted, with
// backslashes and quotes escaped and % (a specifier) doubled.
std::string UnitQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '%') out += '%';
    out += c;
  }
  return out + "\"";
}

// Free text of a unit (Description=): % doubled, as specifiers expand there too.
std::string UnitText(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

std::string SelfPath() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    throw Error(ErrorKind::kIo, "cannot find the aishell binary (/proc/self/exe): " + ec.message());
  return p.string();
}

}  // namespace

int Cli::SyncInstallService(const ParsedArgs& args) {
  if (args.positional.size() > 1)
    throw UsageError{"sync install-service takes no arguments, not '" + args.positional[1] + "'",
                     "sync"};
  for (const char* c : {"\n", "\r"})
    if (home_.find(c) != std::string::npos)
      throw Error(ErrorKind::kIo,
                  "the aishell home holds a line break; a unit file cannot name it");
  std::string home = fs::absolute(home_).lexically_normal().string();
  std::string unit =
      "# Written by `aishell sync install-service`: runs the scheduled sync jobs of one aishell\n"
      "# home. Enable: systemctl --user daemon-reload && systemctl --user enable --now "
      "aishell-sync.service\n"
      "[Unit]\n"
      "Description=aishell sync daemon (scheduled sync jobs of " +
      UnitText(home) +
      ")\n"
      "Wants=network-online.target\n"
      "After=network-online.target\n"
      "\n"
      "[Service]\n"
      "Type=simple\n"
      "Environment=" +
      UnitQuote("AISHELL_HOME=" + home) + "\nExecStart=" + UnitQuote(SelfPath()) +
      " sync daemon\n"
      "Restart=on-failure\n"
      "RestartSec=30\n"
      "KillSignal=SIGTERM\n"
      "TimeoutStopSec=300\n"
      "\n"
      "[Install]\n"
      "WantedBy=default.target\n";
  std::string output = args.Get("--output").value_or("");
  if (output == "-") {
    std::fputs(unit.c_str(), stdout);
    return 0;
  }
  if (output.empty()) {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* user_home = std::getenv("HOME");
    std::string base = xdg && *xdg ? xdg : std::string(user_home ? user_home : "") + "/.config";
    if (base == "/.config")
      throw Error(ErrorKind::kIo, "neither XDG_CONFIG_HOME nor HOME is set: give --output FILE");
    output = base + "/systemd/user/aishell-sync.service";
  }
  std::error_code ec;
  if (fs::exists(output, ec)) {
    std::ifstream in(output, std::ios::binary);
    std::stringstream old;
    old << in.rdbuf();
    if (old.str() == unit) {
      std::printf("%s is up to date\n", output.c_str());
      return 0;
    }
    if (!args.Has("--replace"))
      throw Error(ErrorKind::kIo, output +
                                      " exists and differs (another aishell home or binary?): "
                                      "add --replace to overwrite it");
  }
  fs::path parent = fs::path(output).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  std::string tmp = output + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorKind::kIo, "cannot write " + output + ": " + std::strerror(errno));
    out << unit;
    out.close();
    if (!out) throw Error(ErrorKind::kIo, "cannot write " + output);
  }
  fs::rename(tmp, output, ec);
  if (ec) throw Error(ErrorKind::kIo, "cannot write " + output + ": " + ec.message());
  std::printf(
      "Wrote %s\nEnable it with:\n  systemctl --user daemon-reload\n  systemctl --user enable "
      "--now %s\n(loginctl enable-linger $USER keeps it running while you are logged out)\n",
      output.c_str(), fs::path(output).filename().c_str());
  return 0;
}

}  // namespace aishell
