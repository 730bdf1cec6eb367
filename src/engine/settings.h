// The settings registry: every setting that `aishell config` stores, SET SESSION changes or
// SHOW SESSION lists, with its type, default, one-line doc and the component that reads it.
// The engine's own settings are built in; a connector registers its own with a static
// SettingRegistration (e.g. beside its ConnectorFactory registration).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace aishell {

struct EngineOptions;

enum class SettingType {
  kBool,      // true/false, on/off, yes/no, 1/0
  kCount,     // a whole number in [min, max]
  kByteSize,  // 512MB, 4GB, 1073741824
  kDuration,  // 60s, 5m, 250ms, 1h (a plain number is seconds)
  kText,      // anything
};
const char* SettingTypeName(SettingType type);

struct SettingDef {
  std::string name;                  // canonical, lower case, e.g. "federation.max_memory"
  std::vector<std::string> aliases;  // other accepted spellings, e.g. "max_memory"
  SettingType type = SettingType::kText;
  std::string default_value;  // as `config list` shows it
  std::string doc;            // one line
  std::string reader;         // the component that reads it ("planner", "shell", ...); empty: none
  int64_t min = 0;            // kCount bounds
  int64_t max = std::numeric_limits<int64_t>::max();
  std::vector<std::string> choices;  // kText: the accepted values (lower case); empty: any
  // A session setting (SET/RESET/SHOW SESSION, applied to EngineOptions): its session name and
  // how to apply a validated value / read the current one. Empty/null for other settings.
  std::string session_name;
  std::function<void(EngineOptions&, const std::string&)> apply;
  std::function<std::string(const EngineOptions&)> current;
};

class SettingsRegistry {
 public:
  // The process-wide registry, holding the built-in settings.
  static SettingsRegistry& Global();

  // Adds a setting, or replaces the one with the same name.
  void Register(SettingDef def);
  // By canonical name or alias, case-insensitive; nullptr if unknown.
  const SettingDef* Find(const std::string& name) const;
  // The nearest canonical name or alias, or "" (for "did you mean").
  std::string Suggest(const std::string& name) const;
  // Throws Error(kConversion) naming the setting (as `given`) and the value when the value does
  // not parse as the setting's type or is out of its range.
  static void Validate(const SettingDef& def, const std::string& given, const std::string& value);
  // Every setting, by name.
  std::vector<SettingDef> All() const;
  // The session settings, by session name.
  std::vector<SettingDef> SessionSettings() const;

 private:
  SettingsRegistry();
  mutable std::mutex mutex_;
  std::map<std::string, SettingDef> settings_;  // by canonical name
};

// Registers a setting at static-initialization time: `static SettingRegistration r({...});`.
struct SettingRegistration {
  explicit SettingRegistration(SettingDef def) {
    SettingsRegistry::Global().Register(std::move(def));
  }
};

// Value parsers shared by the settings and the command line.
// "1GB", "512MB", "64k", "1073741824" -> bytes. Throws Error(kConversion) on a bad value.
int64_t ParseByteSize(const std::string& text);
std::string FormatByteSize(int64_t bytes);
// "true"/"false"/"on"/"off"/"1"/"0" -> bool; throws Error(kConversion).
bool ParseBoolSetting(const std::string& name, const std::string& text);
// One of `choices` (lower case), case-insensitive; Error(kConversion) listing them otherwise.
std::string ParseChoiceSetting(const std::string& name, const std::string& text,
                               const std::vector<std::string>& choices);
// A whole number in [low, high]; throws Error(kConversion) naming `name` and the value.
int64_t ParseCountSetting(const std::string& name, const std::string& value, int64_t low,
                          int64_t high);
// "60s", "5m", "250ms", "1h", "30" (seconds) -> milliseconds; throws Error(kConversion).
int64_t ParseDurationSetting(const std::string& name, const std::string& value);
// Milliseconds as the shortest of 2h, 5m, 60s, 250ms; "none" for 0.
std::string FormatDurationSetting(int64_t ms);

}  // namespace aishell
