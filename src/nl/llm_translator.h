// The optional LLM path (nl.provider openai): an OpenAI-compatible chat-completions endpoint
// (nl.endpoint, nl.model; the key from AISHELL_LLM_API_KEY, never printed or stored) is sent a
// schema summary and the question — never data rows unless nl.send_samples is true — and asked
// for one Trino SELECT. The caller binds and checks the reply before anything runs and asks
// again once with the error.
#pragma once

#include <map>
#include <string>

#include "nl/nl_schema.h"

namespace aishell {

struct LlmOptions {
  std::string endpoint;  // e.g. http://127.0.0.1:8080/v1/chat/completions
  std::string model;
  std::string api_key;  // from AISHELL_LLM_API_KEY; may be empty (local servers)
  bool send_samples = false;
  int64_t timeout_ms = 30000;
};

// nl.* settings and the environment; throws Error(kInvalidInput) when nl.endpoint is missing.
LlmOptions LlmOptionsFromSettings(const std::map<std::string, std::string>& settings);

// The SQL the endpoint answers for `question` (code fences stripped). `previous_sql` and
// `previous_error` (a failed first answer) are sent back for a second try. Throws Error naming the
// endpoint (without the key) on a timeout, an HTTP error or a malformed reply.
std::string AskLlmForSql(const LlmOptions& options, const NlSchema& schema,
                         const std::string& question, const std::string& previous_sql = {},
                         const std::string& previous_error = {});

// The schema summary the prompt holds: one line per table, its columns and types; with samples
// (nl.send_samples), up to 10 distinct values of a text column, never of a column whose name reads
// as a secret (password, token, api_key, ...), and with passwords in values masked.
std::string SchemaSummary(const NlSchema& schema, bool with_samples);

}  // namespace aishell
