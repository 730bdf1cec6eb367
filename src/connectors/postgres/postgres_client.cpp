#include "connectors/postgres/postgres_client.h"

#include <libpq-fe.h>

#include <utility>

#include "common/exception.h"
#include "common/secrets.h"
#include "connectors/postgres/connection_cache.h"
#include "connectors/remote_sql/sql_dialect.h"

namespace aishell {

PgConnection::~PgConnection() {
  if (conn) PQfinish(conn);
}

PgResult::~PgResult() {
  if (res) PQclear(res);
}

std::string QuotePgIdentifier(const std::string& name) { return QuoteSqlIdentifier(name); }

std::string PgMessageOneLine(const std::string& message) {
  std::string out;
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    std::string line = message.substr(start, end - start);
    size_t b = line.find_first_not_of(" \t\r");
    size_t e = line.find_last_not_of(" \t\r");
    if (b != std::string::npos) {
      line = line.substr(b, e - b + 1);
      if (!out.empty()) out += (out.back() == ':' || out.back() == ';') ? " " : "; ";
      out += line;
    }
    start = end + 1;
  }
  return out;
}

std::string PgConnMessage(PGconn* conn, const std::string& url) {
  return ScrubPassword(PgMessageOneLine(conn ? PQerrorMessage(conn) : "out of memory"), url);
}

std::string PgResultMessage(PGresult* r, PGconn* conn, const std::string& url) {
  const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (!primary) {
    std::string msg = r ? PQresultErrorMessage(r) : "";
    if (msg.empty()) return PgConnMessage(conn, url);
    return ScrubPassword(PgMessageOneLine(msg), url);
  }
  const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY);
  std::string msg = std::string(severity ? severity : "ERROR") + ": " + primary;
  std::string extra;
  if (const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL))
    extra += std::string("DETAIL: ") + detail;
  if (const char* hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT))
    extra += (extra.empty() ? "" : "; ") + std::string("HINT: ") + hint;
  if (!extra.empty()) msg += " (" + extra + ")";
  return ScrubPassword(PgMessageOneLine(msg), url);
}

PGconn* PgConnect(const std::string& url, const std::string& where) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PgConnMessage(conn, url);
    if (conn) PQfinish(conn);
    throw Error(ErrorKind::kConnector,
                where + ": cannot connect to " + RedactUrl(url) + ": " + msg);
  }
  // Literals are written so that they mean the same either way, but be explicit; dates in ISO.
  PGresult* r = PQexec(conn,
                       "SET standard_conforming_strings = on; SET DateStyle = 'ISO, YMD'; "
                       "SET extra_float_digits = 3; SET client_encoding = 'UTF8'");
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    std::string msg = PgConnMessage(conn, url);
    PQfinish(conn);
    throw Error(ErrorKind::kConnector, where + ": " + msg);
  }
  return conn;
}

PgResult PgQuery(PGconn* conn, const std::string& sql, const std::vector<std::string>& params,
                 const std::string& url, const std::string& where) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PGresult* r = PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  auto st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::string msg = PgResultMessage(r, conn, url);
    PQclear(r);
    throw Error(ErrorKind::kConnector, where + ": " + msg);
  }
  return PgResult(r);
}

void PgExec(PGconn* conn, const std::string& sql, const std::string& url,
            const std::string& where) {
  PgQuery(conn, sql, {}, url, where);
}

PgResult PgCatalogQuery(PGconn*& conn, const std::string& sql,
                        const std::vector<std::string>& params, const std::string& url,
                        const std::string& where) {
  try {
    return PgQuery(conn, sql, params, url, where);
  } catch (const Error&) {
    if (PQstatus(conn) == CONNECTION_OK) throw;
  }
  PGconn* fresh = PgConnect(url, where);  // the connect error, if the server is still away
  PQfinish(conn);
  conn = fresh;
  return PgQuery(conn, sql, params, url, where);
}

void PgExecScript(PGconn* conn, const std::string& sql, const std::string& url,
                  const std::string& where) {
  PgResult r(PQexec(conn, sql.c_str()));
  if (PQresultStatus(r.res) != PGRES_COMMAND_OK)
    throw Error(ErrorKind::kConnector, where + ": " + PgResultMessage(r.res, conn, url));
}

std::unique_ptr<PgConnection> OpenPgConnection(PgConnectionCache* cache, const std::string& url,
                                               const std::string& where, bool* reused) {
  if (cache) {
    if (PGconn* c = cache->Take()) {
      if (reused) *reused = true;
      return std::make_unique<PgConnection>(c);
    }
  }
  if (reused) *reused = false;
  return std::make_unique<PgConnection>(PgConnect(url, where));
}

void ReturnPgConnection(PgConnectionCache* cache, std::unique_ptr<PgConnection> c) {
  if (!c) return;
  if (cache) cache->Give(std::exchange(c->conn, nullptr));
}

}  // namespace aishell
