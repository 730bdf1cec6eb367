#include "nl/llm_translator.h"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>

#include <simdjson.h>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/secrets.h"
#include "common/strings.h"
#include "engine/settings.h"

namespace aishell {

namespace {

// The translator's settings; nl.synonyms.<word> are free-form keys accepted by `config set`.
SettingRegistration kProvider({"nl.provider",
                               {},
                               SettingType::kText,
                               "offline",
                               "English questions: offline (the built-in translator) or openai (an "
                               "OpenAI-compatible endpoint, nl.endpoint)",
                               "shell"});
SettingRegistration kEndpoint({"nl.endpoint",
                               {},
                               SettingType::kText,
                               "",
                               "the chat-completions URL for nl.provider openai (the key comes "
                               "from AISHELL_LLM_API_KEY)",
                               "shell"});
SettingRegistration kModel(
    {"nl.model", {}, SettingType::kText, "", "the model name sent to nl.endpoint", "shell"});
SettingRegistration kSendSamples({"nl.send_samples",
                                  {},
                                  SettingType::kBool,
                                  "false",
                                  "whether the prompt to nl.endpoint may hold sampled column "
                                  "values (data); schema only by default",
                                  "shell"});
SettingRegistration kTimeout({"nl.timeout",
                              {},
                              SettingType::kDuration,
                              "30s",
                              "how long to wait for nl.endpoint's answer",
                              "shell"});

SettingRegistration kWeekStart({"nl.week_start",
                                {},
                                SettingType::kText,
                                "monday",
                                "the first day of a week for \"this week\" / \"last week\" "
                                "(monday ... sunday)",
                                "shell"});

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string StripFences(std::string text) {
  text = TrimSpace(text);
  if (text.starts_with("```")) {
    size_t nl = text.find('\n');
    text = nl == std::string::npos ? "" : text.substr(nl + 1);
    size_t end = text.rfind("```");
    if (end != std::string::npos) text = text.substr(0, end);
  }
  text = TrimSpace(text);
  while (!text.empty() && text.back() == ';') text.pop_back();
  return TrimSpace(text);
}

}  // namespace

LlmOptions LlmOptionsFromSettings(const std::map<std::string, std::string>& settings) {
  LlmOptions o;
  auto get = [&](const char* key) -> std::string {
    auto it = settings.find(key);
    return it == settings.end() ? "" : it->second;
  };
  o.endpoint = get("nl.endpoint");
  if (o.endpoint.empty())
    throw Error(ErrorKind::kUnsupported,
                "nl.provider is openai but nl.endpoint is not set: aishell config set nl.endpoint "
                "http://host:port/v1/chat/completions");
  o.model = get("nl.model");
  if (!get("nl.send_samples").empty())
    o.send_samples = ParseBoolSetting("nl.send_samples", get("nl.send_samples"));
  if (!get("nl.timeout").empty())
    o.timeout_ms = ParseDurationSetting("nl.timeout", get("nl.timeout"));
  if (const char* key = std::getenv("AISHELL_LLM_API_KEY")) o.api_key = key;
  return o;
}

// A column whose values are never sent, whatever nl.send_samples says: its name reads as a
// secret (password, token, api key, ...).
static bool SecretColumn(const std::string& name) {
  std::string n = AsciiLower(name);
  for (const char* word : {"password", "passwd", "pwd", "secret", "token", "api_key", "apikey",
                           "private_key", "credential", "ssn", "card_number", "cvv", "hash"})
    if (n.find(word) != std::string::npos) return true;
  return false;
}

std::string SchemaSummary(const NlSchema& schema, bool with_samples) {
  std::string out;
  for (const auto& t : schema.tables) {
    out += t.QualifiedName() + " (" + t.source_type + "): ";
    for (size_t i = 0; i < t.columns.size(); i++) {
      out += (i ? ", " : "") + t.columns[i].name + " " + t.columns[i].type.ToString();
      if (with_samples && schema.sample_values && t.columns[i].type.id == TypeId::kVarchar &&
          !SecretColumn(t.columns[i].name)) {
        auto values = schema.sample_values(t, t.columns[i]);
        if (!values.empty() && values.size() <= 10) {
          out += " [";
          // A value holding a URL with a password, or password=..., is masked.
          for (size_t v = 0; v < values.size(); v++) out += (v ? ", " : "") + RedactText(values[v]);
          out += "]";
        }
      }
    }
    out += "\n";
  }
  return out;
}

std::string AskLlmForSql(const LlmOptions& options, const NlSchema& schema,
                         const std::string& question, const std::string& previous_sql,
                         const std::string& previous_error) {
  const std::string where = "nl.endpoint " + RedactUrl(options.endpoint);
  std::string system =
      "You translate questions into one Trino SQL SELECT statement over these tables (fully "
      "qualified names as given). Reply with the SQL only, no explanation.\nTables:\n" +
      SchemaSummary(schema, options.send_samples);
  std::string body = "{";
  if (!options.model.empty()) body += "\"model\":" + JsonString(options.model) + ",";
  body += "\"temperature\":0,\"messages\":[{\"role\":\"system\",\"content\":" + JsonString(system) +
          "},{\"role\":\"user\",\"content\":" + JsonString(question) + "}";
  if (!previous_sql.empty()) {
    body += ",{\"role\":\"assistant\",\"content\":" + JsonString(previous_sql) +
            "},{\"role\":\"user\",\"content\":" +
            JsonString("That SQL failed: " + previous_error + "\nReply with corrected SQL only.") +
            "}";
  }
  body += "]}";

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw Error(ErrorKind::kInternal, "could not start an HTTP request to " + where);
  std::string response;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  std::string auth;
  if (!options.api_key.empty()) {
    auth = "Authorization: Bearer " + options.api_key;
    headers = curl_slist_append(headers, auth.c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers,
                                                                           curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, options.endpoint.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc == CURLE_OPERATION_TIMEDOUT)
    throw Error(ErrorKind::kConnector, where + " did not answer within " +
                                           FormatDurationSetting(options.timeout_ms) +
                                           " (nl.timeout)");
  if (rc != CURLE_OK)
    throw Error(ErrorKind::kConnector, "could not reach " + where + ": " + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    throw Error(ErrorKind::kConnector, where + " answered HTTP " + std::to_string(status) + ": " +
                                           RedactText(response.substr(0, 300)));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view content;
  if (parser.parse(response).get(root) ||
      root["choices"].at(0)["message"]["content"].get_string().get(content))
    throw Error(ErrorKind::kConnector, where +
                                           " answered something other than a chat completion (no "
                                           "choices[0].message.content): " +
                                           RedactText(response.substr(0, 200)));
  std::string sql = StripFences(std::string(content));
  if (sql.empty()) throw Error(ErrorKind::kConnector, where + " answered an empty message");
  return sql;
}

}  // namespace aishell
