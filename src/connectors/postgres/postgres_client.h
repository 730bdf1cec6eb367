// The connector's libpq client: connections that close themselves, statements that throw
// Error(kConnector) with the server's message on one line and the password scrubbed
// (common/secrets.h), and the source's cache of idle connections (connection_cache.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace aishell {

class PgConnectionCache;

// "a\"b" -> "\"a\"\"b\"".
std::string QuotePgIdentifier(const std::string& name);
// A libpq message on one line: lines trimmed and joined with "; " (libpq puts hints such as "Is
// the server running on that host...?" on a second, tab-indented line).
std::string PgMessageOneLine(const std::string& message);

// A connection, closed on destruction.
struct PgConnection {
  PGconn* conn = nullptr;
  PgConnection() = default;
  explicit PgConnection(PGconn* c) : conn(c) {}
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();
};

// A result, cleared on destruction.
struct PgResult {
  PGresult* res = nullptr;
  explicit PgResult(PGresult* r) : res(r) {}
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();
};

// The connection's error message on one line, the password of `url` scrubbed.
std::string PgConnMessage(PGconn* conn, const std::string& url);
// The message of a failed result on one line: "ERROR: primary (DETAIL: ...; HINT: ...)", without
// the LINE/caret lines libpq adds under syntax errors. Falls back to the connection's message.
std::string PgResultMessage(PGresult* r, PGconn* conn, const std::string& url);

// Opens a connection and sets the session up (standard strings, ISO dates, UTF8); Error(kConnector)
// naming `where` otherwise.
PGconn* PgConnect(const std::string& url, const std::string& where);
// Runs a statement with text parameters; throws on failure.
PgResult PgQuery(PGconn* conn, const std::string& sql, const std::vector<std::string>& params,
                 const std::string& url, const std::string& where);
void PgExec(PGconn* conn, const std::string& sql, const std::string& url, const std::string& where);
// A catalog query on the source's own connection. A connection the server has closed since the
// last statement (a restart, idle_session_timeout, pg_terminate_backend) is opened again, once, so
// that a long session (the shell) outlives it.
PgResult PgCatalogQuery(PGconn*& conn, const std::string& sql,
                        const std::vector<std::string>& params, const std::string& url,
                        const std::string& where);
// Runs statements (one simple-protocol Query, so there may be several separated by ';');
// throws on the first failure.
void PgExecScript(PGconn* conn, const std::string& sql, const std::string& url,
                  const std::string& where);

// A connection from the source's cache when it holds one (`*reused` then set), else a new one.
std::unique_ptr<PgConnection> OpenPgConnection(PgConnectionCache* cache, const std::string& url,
                                               const std::string& where, bool* reused = nullptr);
// Gives a connection whose work ended cleanly back to the cache (or closes it without one).
void ReturnPgConnection(PgConnectionCache* cache, std::unique_ptr<PgConnection> c);

}  // namespace aishell
