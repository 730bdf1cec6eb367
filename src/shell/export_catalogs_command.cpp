// `aishell export-catalogs --to trino <dir> [--include-secrets]` (shell/trino_export.h).
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "common/exception.h"
#include "shell/cli.h"
#include "shell/trino_export.h"

namespace aishell {

int Cli::ExportCatalogs(const ParsedArgs& args) {
  auto to = args.Get("--to");
  if (!to) throw UsageError{"export-catalogs needs --to trino", "export-catalogs"};
  if (*to != "trino") {
    throw UsageError{"export-catalogs knows --to trino only, not '" + *to + "'", "export-catalogs"};
  }
  if (args.positional.size() != 1)
    throw UsageError{"export-catalogs needs the output directory", "export-catalogs"};
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(args.positional[0], ec);
  if (ec)
    throw Error(ErrorKind::kIo, "export-catalogs: bad directory '" + args.positional[0] + "'");
  TrinoExportOptions options;
  options.out_dir = dir.lexically_normal().string();
  while (options.out_dir.size() > 1 && options.out_dir.back() == '/') options.out_dir.pop_back();
  options.include_secrets = args.Has("--include-secrets");

  Engine& e = engine();
  auto connections = e.ListConnections();
  TrinoExport result =
      ExportTrinoCatalogs(e.catalogs(), connections, e.catalogs().Views(), options);
  for (const auto& [relative, content] : result.files) {
    std::filesystem::path path = dir / relative;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      throw Error(ErrorKind::kIo, "export-catalogs: cannot create " + path.parent_path().string() +
                                      ": " + ec.message());
    }
    // Catalog files may hold secrets (--include-secrets): readable by their owner only.
    WriteFileAtomic(path.string(), content, 0600, false);
  }
  std::printf("Wrote %zu files for Trino to %s\n", result.files.size(), options.out_dir.c_str());
  for (const auto& [name, catalog] : result.catalog_names)
    std::printf("  %s -> etc/catalog/%s.properties\n", name.c_str(), catalog.c_str());
  std::printf("  views -> views.sql (%zu)\n", e.catalogs().Views().size());
  if (!result.env_vars.empty()) {
    std::printf("Set these environment variables for Trino (their values are not written):\n");
    for (const auto& [name, what] : result.env_vars)
      std::printf("  %s  (%s)\n", name.c_str(), what.c_str());
  }
  if (!result.notes.empty())
    std::printf("%zu notes on what does not carry over: %s/NOTES.md\n", result.notes.size(),
                options.out_dir.c_str());
  return 0;
}

}  // namespace aishell
