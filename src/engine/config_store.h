// The user's settings on disk, under $AISHELL_HOME (default ~/.aishell):
//   connections.json  registered sources (mode 0600: URLs may hold passwords)
//   views.json        views (written by Engine::SaveViews)
//   settings.json     `aishell config set key value` (any key; the engine applies the ones it
//   knows) last_result.bin   the last query result, for `aishell export last` history           the
//   interactive shell's history
// Every file is written atomically (temporary file + rename).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "engine/engine_types.h"
#include "engine/settings.h"

namespace aishell {

inline constexpr int64_t kMaxLastResultBytes = 1LL << 30;

// The binary form of a result (flat columns) that `export last` and the result cache keep:
// nullopt when it would exceed max_bytes. Decode throws Error(kIo) naming `path` when corrupt.
std::optional<std::string> EncodeQueryResult(const QueryResult& result, int64_t max_bytes);
QueryResult DecodeQueryResult(const std::string& data, const std::string& path);

class ConfigStore {
 public:
  explicit ConfigStore(std::string home_dir);
  // $AISHELL_HOME, else $HOME/.aishell.
  static std::string DefaultHome();

  const std::string& home() const { return home_; }
  std::string PathOf(const std::string& file) const { return home_ + "/" + file; }
  // Creates the home directory (mode 0700) if missing; throws Error(kIo) on failure.
  void EnsureHome() const;

  std::vector<ConnectionConfig> LoadConnections() const;
  void SaveConnections(const std::vector<ConnectionConfig>& connections) const;
  // Adds or replaces (case-insensitive name). Returns true if it replaced one.
  bool PutConnection(const ConnectionConfig& connection) const;
  bool RemoveConnection(const std::string& name) const;

  std::map<std::string, std::string> LoadSettings() const;
  void SetSetting(const std::string& key, const std::string& value) const;
  std::optional<std::string> GetSetting(const std::string& key) const;
  bool UnsetSetting(const std::string& key) const;
  // Applies the registry's session settings (SettingsRegistry: federation.max_memory or
  // max_memory, threads, pushdown, ...) to options; skips other keys; throws on a bad value.
  static void ApplySettings(const std::map<std::string, std::string>& settings,
                            EngineOptions& options);

  // Stores a result for `export last`; refuses (and forgets the previous one) beyond `max_bytes`.
  // Returns false when the result was too large to keep.
  bool SaveLastResult(const QueryResult& result, int64_t max_bytes = kMaxLastResultBytes) const;
  // Throws Error(kIo) when there is no usable last result.
  QueryResult LoadLastResult() const;

 private:
  std::string home_;
};

// Writes `content` to `path` via a temporary file and rename; `mode` is the file mode.
// `durable` also syncs the data to disk before the rename.
void WriteFileAtomic(const std::string& path, const std::string& content, int mode = 0644,
                     bool durable = true);
// Reads a whole file; nullopt if it does not exist; throws Error(kIo) if unreadable.
std::optional<std::string> ReadFileIfExists(const std::string& path);

}  // namespace aishell
