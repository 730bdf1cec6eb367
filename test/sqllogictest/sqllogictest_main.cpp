// aishell_sqllogictest: runs .test files (DuckDB's sqllogictest format) against the engine.
//
// Usage: aishell_sqllogictest [options] <file-or-directory>...
//   -j N              run N files at a time (each file runs in its own process)
//   --data-dir DIR    what __DATA_DIR__ stands for (default: test/data of the repository)
//   --enable FEATURE  let `require FEATURE` files run (repeatable)
//   --timeout SECS    fail a file that runs longer (default 300)
//   -v                print every file's outcome and failure details
// Ends with the line "N passed, N failed" (files); exits 1 if any file failed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/catalog_registry.h"
#include "connectors/mongodb/driver_preinit.h"
#include "sqllogictest.h"

// Built with AddressSanitizer (scripts/run-asan.sh): LeakSanitizer's interface.
#if defined(__SANITIZE_ADDRESS__)
#define AISHELL_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AISHELL_LSAN 1
#endif
#endif
#ifdef AISHELL_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace fs = std::filesystem;
using aishell::slt::FileOutcome;
using aishell::slt::RunOptions;

namespace {

void Usage() {
  std::fprintf(
      stderr,
      "usage: aishell_sqllogictest [-j N] [--data-dir DIR] [--enable FEATURE] [--timeout SECS] "
      "[-v] <file-or-directory>...\n");
}

std::string FindDataDir() {
  fs::path dir = fs::current_path();
  for (int i = 0; i < 6; i++) {
    if (fs::is_directory(dir / "test" / "data")) return (dir / "test" / "data").string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  return (fs::current_path() / "test" / "data").string();
}

struct Job {
  std::string path;
  pid_t pid = -1;
  std::string output_file;
};

// Child protocol: first line of the output file is PASSED/FAILED/SKIPPED <records>, then the
// report.
void RunChild(const std::string& path, const RunOptions& options, const std::string& output_file,
              int timeout) {
  alarm(static_cast<unsigned>(timeout));
  FileOutcome outcome = aishell::slt::RunTestFile(path, options);
#ifdef AISHELL_LSAN
  // The child ends with _exit, which skips LeakSanitizer's check at exit: check now, before the
  // result is written, so that a leak ends the child without one (the file fails).
  if (__lsan_do_recoverable_leak_check() != 0) _exit(23);
#endif
  std::ofstream out(output_file, std::ios::trunc);
  const char* status =
      outcome.status == FileOutcome::Status::kPassed
          ? "PASSED"
          : (outcome.status == FileOutcome::Status::kSkipped ? "SKIPPED" : "FAILED");
  out << status << " " << outcome.records_run << "\n" << outcome.report;
  out.close();
  std::fflush(nullptr);
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  RunOptions options;
  int jobs = 1;
  int timeout = 300;
  std::vector<std::string> inputs;
  options.features = {"aishell"};
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "-j") {
      jobs = std::max(1, std::atoi(next().c_str()));
    } else if (arg.rfind("-j", 0) == 0 && arg.size() > 2) {
      jobs = std::max(1, std::atoi(arg.c_str() + 2));
    } else if (arg == "--data-dir") {
      options.data_dir = next();
    } else if (arg == "--enable") {
      options.features.insert(next());
    } else if (arg == "--timeout") {
      timeout = std::max(1, std::atoi(next().c_str()));
    } else if (arg == "-v" || arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "-h" || arg == "--help") {
      Usage();
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "error: unknown option %s\n", arg.c_str());
      Usage();
      return 2;
    } else {
      inputs.push_back(arg);
    }
  }
  if (inputs.empty()) {
    Usage();
    return 2;
  }
  if (options.data_dir.empty()) options.data_dir = FindDataDir();
  options.data_dir = fs::absolute(options.data_dir).lexically_normal().string();
  if (!options.data_dir.empty() && options.data_dir.back() == '/') options.data_dir.pop_back();
  const char* env_features = std::getenv("AISHELL_SLT_FEATURES");  // comma-separated
  if (env_features) {
    std::stringstream in(env_features);
    std::string f;
    while (std::getline(in, f, ',')) {
      if (!f.empty()) options.features.insert(f);
    }
  }
  // A service is a feature when its server is up and this build has its connector (a build
  // with AISHELL_WITH_POSTGRES=OFF skips `require postgres` files).
  aishell::RegisterBuiltinConnectors();
  const auto built = aishell::ConnectorFactory::Types();
  for (const auto& service : aishell::slt::kServiceCatalogs) {
    const char* url = std::getenv(service.env);
    bool has_connector = std::find(built.begin(), built.end(), service.type) != built.end();
    if (url && *url && has_connector) options.features.insert(service.feature);
  }
  const char* ci = std::getenv("CI");
  bool in_ci = ci && std::string(ci) == "true";

  std::vector<std::string> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(input, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".test")
          files.push_back(entry.path().string());
      }
    } else if (fs::is_regular_file(input, ec)) {
      files.push_back(input);
    } else {
      std::fprintf(stderr, "error: no such test file or directory: %s\n", input.c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "error: no .test files found\n");
    std::printf("0 passed, 0 failed\n");
    return 1;
  }

  char tmpl[] = "/tmp/aishell-slt-out-XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    return 2;
  }
  std::string out_dir = tmpl;
  std::fflush(nullptr);

  int passed = 0, failed = 0, skipped = 0;
  int64_t records = 0;
  std::vector<std::string> failures;
  std::map<pid_t, Job> running;
  size_t next_file = 0;
  auto finish = [&](const Job& job, int wait_status) {
    std::ifstream in(job.output_file);
    std::string header;
    std::string status;
    int64_t run = 0;
    std::string report;
    if (in && std::getline(in, header)) {
      std::istringstream h(header);
      h >> status >> run;
      std::stringstream rest;
      rest << in.rdbuf();
      report = rest.str();
    }
    if (status.empty()) {
      status = "FAILED";
      if (WIFSIGNALED(wait_status)) {
        int sig = WTERMSIG(wait_status);
        report = job.path + ": the runner died with signal " + std::to_string(sig) + " (" +
                 strsignal(sig) + (sig == SIGALRM ? ", timed out" : "") + ")\n";
      } else {
        report = job.path + ": the runner exited with status " +
                 std::to_string(WEXITSTATUS(wait_status)) + " without a result\n";
      }
    }
    if (status == "SKIPPED" && in_ci) {
      status = "FAILED";
      report = job.path + ": skipped in CI (CI=true), which is not allowed: " + report + "\n";
    }
    records += run;
    if (status == "PASSED") {
      passed++;
      std::printf("PASS  %s (%lld records)\n", job.path.c_str(), static_cast<long long>(run));
    } else if (status == "SKIPPED") {
      skipped++;
      std::printf("SKIP  %s: %s\n", job.path.c_str(), report.c_str());
    } else {
      failed++;
      std::printf("FAIL  %s\n%s", job.path.c_str(), report.c_str());
      if (!report.empty() && report.back() != '\n') std::printf("\n");
      failures.push_back(job.path);
    }
    std::fflush(stdout);
    std::remove(job.output_file.c_str());
  };

  while (next_file < files.size() || !running.empty()) {
    while (next_file < files.size() && static_cast<int>(running.size()) < jobs) {
      Job job;
      job.path = files[next_file];
      job.output_file = out_dir + "/" + std::to_string(next_file) + ".out";
      next_file++;
      std::fflush(nullptr);
      pid_t pid = fork();
      if (pid < 0) {
        std::perror("fork");
        return 2;
      }
      if (pid == 0) RunChild(job.path, options, job.output_file, timeout);
      job.pid = pid;
      running[pid] = job;
    }
    int wait_status = 0;
    pid_t done = waitpid(-1, &wait_status, 0);
    if (done < 0) break;
    auto it = running.find(done);
    if (it == running.end()) continue;
    finish(it->second, wait_status);
    running.erase(it);
  }
  std::error_code ec;
  fs::remove_all(out_dir, ec);

  std::printf("\n");
  if (!failures.empty()) {
    std::printf("failed files:\n");
    for (const auto& f : failures) std::printf("  %s\n", f.c_str());
  }
  std::printf("sqllogictest: %d files, %lld records run, %d skipped\n", passed + failed + skipped,
              static_cast<long long>(records), skipped);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
