// What a Trino client sends about its session (the X-Trino-* request headers) and the statements
// the server answers itself, before the engine sees anything: PREPARE, EXECUTE ... USING,
// EXECUTE IMMEDIATE, DEALLOCATE PREPARE, START TRANSACTION, COMMIT, ROLLBACK.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aishell {

struct ClientSession {
  std::string user;
  std::string catalog;    // may be empty
  std::string schema;     // may be empty
  std::string time_zone;  // as sent; empty: the server's (UTC)
  std::string source;     // the client's name, for the log
  std::vector<std::pair<std::string, std::string>> properties;  // X-Trino-Session, in order
  std::map<std::string, std::string> prepared;                  // X-Trino-Prepared-Statement
  std::string transaction_id;                                   // X-Trino-Transaction-Id
};

// %XX and '+' decoded (application/x-www-form-urlencoded, as the clients encode header values).
std::string UrlDecode(std::string_view text);
// "a=1, b=x%20y" -> {{"a", "1"}, {"b", "x y"}}. Throws Error(kSyntax) naming `header` for an entry
// without '='.
std::vector<std::pair<std::string, std::string>> ParseHeaderPairs(const std::string& header,
                                                                  const char* header_name);

enum class StatementAction {
  kRun,               // run `sql` on the engine
  kPrepare,           // remember `prepared_sql` as `name` (X-Trino-Added-Prepare)
  kDeallocate,        // forget `name` (X-Trino-Deallocated-Prepare)
  kStartTransaction,  // X-Trino-Started-Transaction-Id
  kCommit,            // X-Trino-Clear-Transaction-Id
  kRollback,          // X-Trino-Clear-Transaction-Id
  kDescribeOutput,    // the columns `sql` (the prepared statement, parameters NULL) returns
  kDescribeInput,     // the parameters of `prepared_sql`
};

struct ServerStatement {
  StatementAction action = StatementAction::kRun;
  std::string sql;  // kRun: the statement, parameters substituted
  std::string name;
  std::string prepared_sql;
};

// Classifies `sql` and, for EXECUTE, substitutes the USING values for the `?` parameters of the
// prepared statement (each as a parenthesized expression). Throws Error with the SQL position for
// an unknown prepared statement or a wrong number of parameters.
ServerStatement AnalyzeStatement(const std::string& sql, const ClientSession& session);

// Replaces each `?` outside quotes and comments by `(value)`; throws Error(kBinder) when the
// counts differ.
std::string SubstituteParameters(const std::string& sql, const std::vector<std::string>& values);

// The `?` parameters outside quotes and comments.
size_t ParameterCount(const std::string& sql);

// Splits "1, 'a,b', f(x, y)" at its top-level commas.
std::vector<std::string> SplitTopLevel(const std::string& list);

}  // namespace aishell
