// aishell search on PostgreSQL (catalog/full_text.h): the server's own text search. The document
// is the table's text columns joined by spaces under to_tsvector; the query is
// plainto_tsquery(terms) (every word, stemmed, stop words dropped); rows are ranked by ts_rank.
// When the table has a GIN index over a to_tsvector expression, that expression and its text
// search configuration are used as written, so the server can use the index; otherwise the
// 'english' configuration over every text column (each row's vector computed: the method says so
// and names the index that would help).
#include <libpq-fe.h>

#include <cstdlib>
#include <string>

#include "catalog/connector.h"
#include "catalog/full_text.h"
#include "common/exception.h"
#include "connectors/postgres/postgres_client.h"
#include "connectors/postgres/postgres_connector.h"

namespace aishell {

namespace {

// "CREATE INDEX i ON public.t USING gin (to_tsvector('english'::regconfig, name))" -> the
// expression inside "USING gin (...)", or "".
std::string GinExpression(const std::string& indexdef) {
  size_t using_at = indexdef.find("USING gin (");
  if (using_at == std::string::npos) return "";
  size_t start = using_at + 11;
  int depth = 1;
  bool quoted = false;
  for (size_t i = start; i < indexdef.size(); i++) {
    char c = indexdef[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') depth++;
    if (c == ')' && --depth == 0) return indexdef.substr(start, i - start);
  }
  return "";
}

// The configuration of "to_tsvector('english'::regconfig, ...)", or "".
std::string ConfigOf(const std::string& expression) {
  size_t at = expression.find("to_tsvector('");
  if (at == std::string::npos) return "";
  size_t start = at + 13, end = expression.find('\'', start);
  if (end == std::string::npos) return "";
  std::string name = expression.substr(start, end - start);
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return "";
  return name;
}

FullTextMatches PgFullTextSearch(Connector& connector, const TableInfo& table,
                                 const FullTextRequest& request) {
  auto* pg = dynamic_cast<PostgresConnector*>(&connector);
  FullTextMatches out;
  if (!pg || request.columns.empty()) return out;
  const std::string& url = pg->url();
  std::string where = pg->Where();
  std::string schema = table.schema.empty() ? std::string("public") : table.schema;
  PgConnection c(PgConnect(url, where));
  if (request.timeout_ms > 0)
    PgExec(c.conn, "SET statement_timeout = " + std::to_string(request.timeout_ms), url, where);
  std::string relation = QuotePgIdentifier(schema) + "." + QuotePgIdentifier(table.name);
  // A GIN index over to_tsvector(...) of this table: its expression, as the server wrote it.
  std::string document, config = "english", index_name;
  {
    PgResult r = PgQuery(c.conn,
                         "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND "
                         "tablename = $2 AND indexdef LIKE '%USING gin (%to_tsvector(%' "
                         "ORDER BY indexname",
                         {schema, table.name}, url, where);
    for (int i = 0; i < PQntuples(r.res) && document.empty(); i++) {
      std::string expression = GinExpression(PQgetvalue(r.res, i, 1));
      std::string cfg = ConfigOf(expression);
      if (expression.empty() || cfg.empty()) continue;
      document = expression;
      config = cfg;
      index_name = PQgetvalue(r.res, i, 0);
    }
  }
  std::string joined;
  for (const auto& col : request.columns)
    joined += (joined.empty() ? "" : " || ' ' || ") + std::string("coalesce(") +
              QuotePgIdentifier(col) + "::text, '')";
  if (document.empty()) document = "to_tsvector('" + config + "', " + joined + ")";
  std::string query = "plainto_tsquery('" + config + "', $1)";
  {
    PgResult r = PgQuery(c.conn, "SELECT numnode(" + query + ")", {request.terms}, url, where);
    if (PQntuples(r.res) == 1 && std::atoi(PQgetvalue(r.res, 0, 0)) == 0) {
      out.method =
          "the words are all stop words of PostgreSQL's '" + config + "' text search configuration";
      return out;
    }
  }
  out.native = true;
  out.method =
      "PostgreSQL full text: " + document + " @@ " + query + ", ranked by ts_rank; " +
      (index_name.empty()
           ? "no full-text index, so every row's vector is computed (CREATE INDEX ON " + relation +
                 " USING gin (to_tsvector('english', " + joined + ")) would serve it)"
           : "served by the GIN index " + index_name);
  {
    PgResult r =
        PgQuery(c.conn, "SELECT count(*) FROM " + relation + " WHERE " + document + " @@ " + query,
                {request.terms}, url, where);
    out.found = std::atoll(PQgetvalue(r.res, 0, 0));
  }
  if (out.found == 0) return out;
  std::string columns;
  for (const auto& col : table.columns) {
    columns += QuotePgIdentifier(col.name) + ", ";
    out.column_names.push_back(col.name);
  }
  PgResult r =
      PgQuery(c.conn,
              "SELECT " + columns + "ts_rank(" + document + ", " + query +
                  ") AS aishell_score FROM " + relation + " WHERE " + document + " @@ " + query +
                  " ORDER BY aishell_score DESC LIMIT " + std::to_string(request.limit),
              {request.terms}, url, where);
  int n = static_cast<int>(table.columns.size());
  for (int i = 0; i < PQntuples(r.res); i++) {
    std::vector<std::string> row;
    for (int k = 0; k < n; k++)
      row.push_back(PQgetisnull(r.res, i, k) ? std::string() : PQgetvalue(r.res, i, k));
    out.rows.push_back(std::move(row));
    out.scores.push_back(std::atof(PQgetvalue(r.res, i, n)));
  }
  return out;
}

}  // namespace

void RegisterPostgresFullText() { RegisterFullTextSearch("postgres", PgFullTextSearch); }

}  // namespace aishell
