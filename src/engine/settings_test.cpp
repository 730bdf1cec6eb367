#include "engine/settings.h"

#include <gtest/gtest.h>

#include "common/exception.h"
#include "engine/config_store.h"
#include "engine/engine.h"

namespace aishell {
namespace {

std::string MessageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(SettingsRegistryTest, FindsCanonicalNamesAndAliases) {
  const auto& r = SettingsRegistry::Global();
  ASSERT_NE(r.Find("federation.max_memory"), nullptr);
  EXPECT_EQ(r.Find("MAX_MEMORY"), r.Find("federation.max_memory"));
  EXPECT_EQ(r.Find("federation.batch_size"), r.Find("lookup_batch_size"));
  ASSERT_NE(r.Find("display.max_rows"), nullptr);
  EXPECT_EQ(r.Find("display.max_rows")->reader, "shell");
  ASSERT_NE(r.Find("federation.timeout"), nullptr);
  EXPECT_EQ(r.Find("federation.timeout")->reader, "engine");
  EXPECT_EQ(r.Find("federation.max_query_time"), r.Find("federation.timeout"));
  EXPECT_EQ(r.Find("no.such.setting"), nullptr);
  EXPECT_EQ(r.Suggest("federation.max_memroy"), "federation.max_memory");
  for (const auto& def : r.All()) {
    EXPECT_FALSE(def.doc.empty()) << def.name;
    EXPECT_FALSE(def.default_value.empty()) << def.name;
  }
}

TEST(SettingsRegistryTest, ValidateNamesTheSettingAndTheValue) {
  const auto& r = SettingsRegistry::Global();
  std::string m = MessageOf(
      [&] { SettingsRegistry::Validate(*r.Find("threads"), "federation.threads", "lots"); });
  EXPECT_NE(m.find("federation.threads"), std::string::npos) << m;
  EXPECT_NE(m.find("'lots'"), std::string::npos) << m;
  m = MessageOf([&] { SettingsRegistry::Validate(*r.Find("pushdown"), "pushdown", "maybe"); });
  EXPECT_NE(m.find("expected true or false"), std::string::npos) << m;
  m = MessageOf([&] { SettingsRegistry::Validate(*r.Find("max_memory"), "max_memory", "4XB"); });
  EXPECT_NE(m.find("max_memory"), std::string::npos) << m;
  EXPECT_NE(m.find("4XB"), std::string::npos) << m;
  m = MessageOf(
      [&] { SettingsRegistry::Validate(*r.Find("federation.timeout"), "timeout", "soon"); });
  EXPECT_NE(m.find("duration"), std::string::npos) << m;
  m = MessageOf(
      [&] { SettingsRegistry::Validate(*r.Find("display.max_rows"), "display.max_rows", "-1"); });
  EXPECT_NE(m.find("at least 0"), std::string::npos) << m;
  // Good values pass.
  SettingsRegistry::Validate(*r.Find("federation.timeout"), "t", "60s");
  SettingsRegistry::Validate(*r.Find("max_memory"), "m", "512MB");
  SettingsRegistry::Validate(*r.Find("batch_size"), "b", "7");
}

TEST(SettingsRegistryTest, ConnectorsRegisterTheirOwn) {
  static SettingRegistration registration([] {
    SettingDef def;
    def.name = "test_connector.fetch_size";
    def.type = SettingType::kCount;
    def.min = 1;
    def.max = 100;
    def.default_value = "10";
    def.doc = "rows per fetch";
    def.reader = "test_connector";
    return def;
  }());
  const SettingDef* def = SettingsRegistry::Global().Find("TEST_CONNECTOR.fetch_size");
  ASSERT_NE(def, nullptr);
  EXPECT_THROW(SettingsRegistry::Validate(*def, def->name, "1000"), Error);
}

TEST(SettingsRegistryTest, SessionSettingsApplyThroughTheRegistry) {
  Engine engine;
  engine.SetSetting("federation.batch_size", "7");
  EXPECT_EQ(engine.options().lookup_batch_size, 7);
  EXPECT_EQ(engine.Settings().at("lookup_batch_size"), "7");
  engine.Execute("RESET SESSION lookup_batch_size");
  EXPECT_EQ(engine.options().lookup_batch_size, EngineOptions{}.lookup_batch_size);
  std::string m = MessageOf([&] { engine.SetSetting("pushdwn", "true"); });
  EXPECT_NE(m.find("did you mean 'pushdown'"), std::string::npos) << m;
  // A registered setting that is not a session setting is not a session property.
  EXPECT_THROW(engine.SetSetting("display.max_rows", "5"), Error);
  engine.SetSetting("federation.timeout", "90s");
  EXPECT_EQ(engine.options().timeout_ms, 90000);
  EXPECT_EQ(engine.Settings().at("timeout"), "90s");
  EXPECT_THROW(engine.SetSetting("timeout", "soon"), Error);
  EngineOptions options;
  ConfigStore::ApplySettings({{"federation.threads", "3"}, {"display.max_rows", "5"}}, options);
  EXPECT_EQ(options.threads, 3);
  EXPECT_THROW(ConfigStore::ApplySettings({{"threads", "many"}}, options), Error);
}

}  // namespace
}  // namespace aishell
