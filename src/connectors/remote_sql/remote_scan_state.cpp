#include "connectors/remote_sql/remote_scan_state.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "common/exception.h"

namespace aishell {

namespace {

ExprPtr ShiftColumns(const ExprPtr& e, int shift, size_t ncols) {
  std::vector<int> mapping(ncols);
  for (size_t i = 0; i < ncols; i++) mapping[i] = static_cast<int>(i) + shift;
  return RemapColumns(e, mapping);
}

}  // namespace

void RemoteScanState::InitTable(const std::vector<ColumnInfo>& table_columns,
                                std::string quoted_table, const std::vector<std::string>& casts) {
  columns = table_columns;
  for (size_t i = 0; i < columns.size(); i++) {
    refs.push_back({0, columns[i].name, casts.empty() ? std::string() : casts[i]});
    projection.push_back(static_cast<int>(i));
  }
  tables.push_back(std::move(quoted_table));
  auto rel = std::make_shared<RemoteRelation>();
  rel->columns = columns.size();
  relation = rel;
  splittable = true;
}

void RemoteScanState::SetProjection(const std::vector<int>& column_ids, const std::string& where) {
  for (int c : column_ids) {
    if (c < 0 || c >= static_cast<int>(columns.size())) {
      throw Error(ErrorKind::kInternal,
                  where + ": projection column " + std::to_string(c) + " out of range");
    }
  }
  projection = column_ids;
}

bool RemoteScanState::PushFilter(const Expr& conjunct, const SqlDialect& dialect) {
  if (limit >= 0) return false;  // a limit already applies before this filter
  std::string sql;
  std::vector<Value> params;
  if (!Translator(dialect).Translate(conjunct, &sql, &params)) return false;
  filters.push_back(conjunct.Copy());
  return true;
}

bool RemoteScanState::PushLimit(int64_t n) {
  if (n < 0) return false;
  if (limit < 0 || n < limit) limit = n;
  return true;
}

bool RemoteScanState::PushOrder(const std::vector<SortKey>& keys, int64_t n,
                                const std::function<bool(int)>& orderable,
                                const std::function<std::string(int)>& column_sql) {
  if (keys.empty() || limit >= 0) return false;
  std::string sql;
  for (const auto& k : keys) {
    if (!k.expr || k.expr->kind != ExprKind::kColumnRef) return false;
    int c = k.expr->column_index;
    if (c < 0 || c >= static_cast<int>(columns.size()) || !orderable(c)) return false;
    sql += (sql.empty() ? "" : ", ") + column_sql(c) + (k.ascending ? " ASC" : " DESC") +
           (k.nulls_first ? " NULLS FIRST" : " NULLS LAST");
  }
  order = sql;
  if (n >= 0) limit = n;
  return true;
}

double RemoteScanState::EstimateRows(double rows) const {
  if (rows >= 0 && !filters.empty()) rows = std::max(1.0, rows * std::pow(0.25, filters.size()));
  if (limit >= 0 && (rows < 0 || rows > limit)) rows = static_cast<double>(limit);
  return rows;
}

void RemoteScanState::CheckLookupKeys(const std::vector<int>& key_columns, const Batch& keys,
                                      const std::string& where) {
  if (keys.ColumnCount() != key_columns.size()) {
    throw Error(ErrorKind::kInternal,
                where + ": lookup keys have " + std::to_string(keys.ColumnCount()) +
                    " columns, expected " + std::to_string(key_columns.size()));
  }
}

std::string RemoteScanState::ColumnSql(int c) const {
  const RemoteColumnRef& ref = refs[c];
  std::string s = (joined ? "t" + std::to_string(ref.leaf) + "." : std::string()) +
                  QuoteSqlIdentifier(ref.name) + ref.cast;
  if (!ref.cast.empty()) s = "(" + s + ")";
  return s;
}

SqlTranslator RemoteScanState::Translator(const SqlDialect& dialect) const {
  return SqlTranslator(dialect, columns, [this](int c) { return ColumnSql(c); });
}

std::string RemoteScanState::FromSql(const SqlDialect& dialect, std::vector<Value>* params,
                                     bool* like, const std::string& where) const {
  return RelationSql(*relation, 0, 0, dialect, params, like, where);
}

// The FROM clause of `rel`, whose first table is leaf `leaf` and first column `column`.
std::string RemoteScanState::RelationSql(const RemoteRelation& rel, size_t leaf, size_t column,
                                         const SqlDialect& dialect, std::vector<Value>* params,
                                         bool* like, const std::string& where) const {
  if (!rel.left) {
    std::string s = tables[leaf];
    if (joined) s += " t" + std::to_string(leaf);
    return s;
  }
  std::string left = RelationSql(*rel.left, leaf, column, dialect, params, like, where);
  std::string right = RelationSql(*rel.right, leaf + rel.left->leaves, column + rel.left->columns,
                                  dialect, params, like, where);
  if (rel.right->left) right = "(" + right + ")";
  std::vector<ColumnInfo> cols(columns.begin() + static_cast<long>(column),
                               columns.begin() + static_cast<long>(column + rel.columns));
  SqlTranslator t(dialect, cols,
                  [this, column](int c) { return ColumnSql(static_cast<int>(column) + c); });
  std::string on;
  for (const auto& c : rel.on) {
    if (!on.empty()) on += " AND ";
    if (!t.Translate(*c, &on, params))
      throw Error(ErrorKind::kInternal, where + ": a join condition no longer translates");
    if (like) *like = *like || ContainsLike(*c);
  }
  const char* kw = rel.type == PushedJoinType::kInner  ? " JOIN "
                   : rel.type == PushedJoinType::kLeft ? " LEFT JOIN "
                                                       : " RIGHT JOIN ";
  return left + kw + right + " ON " + (on.empty() ? std::string(dialect.TrueLiteral()) : on);
}

bool RemoteScanState::JoinConditionsTranslate(const SqlDialect& dialect) const {
  std::string sql;
  std::vector<Value> params;
  SqlTranslator t = Translator(dialect);
  for (const auto& c : relation->on) {
    if (!t.Translate(*c, &sql, &params)) return false;
  }
  return true;
}

size_t RemoteScanState::AppendFilters(const SqlDialect& dialect, std::string* sql,
                                      std::vector<Value>* params, bool* like,
                                      const std::string& where) const {
  SqlTranslator t = Translator(dialect);
  size_t n = 0;
  for (const auto& f : filters) {
    *sql += n++ ? " AND " : " WHERE ";
    if (!t.Translate(*f, sql, params))
      throw Error(ErrorKind::kInternal, where + ": a pushed filter no longer translates");
    if (like) *like = *like || ContainsLike(*f);
  }
  return n;
}

bool JoinRemoteStates(const RemoteScanState& l, const RemoteScanState& r, PushedJoinType type,
                      const std::vector<ExprPtr>& conditions, RemoteScanState* j) {
  j->joined = true;
  j->columns = l.columns;
  j->columns.insert(j->columns.end(), r.columns.begin(), r.columns.end());
  j->refs = l.refs;
  for (RemoteColumnRef ref : r.refs) {
    ref.leaf += l.tables.size();
    j->refs.push_back(std::move(ref));
  }
  j->tables = l.tables;
  j->tables.insert(j->tables.end(), r.tables.begin(), r.tables.end());
  const int shift = static_cast<int>(l.columns.size());
  std::vector<ExprPtr> right_filters;
  for (const auto& f : r.filters) right_filters.push_back(ShiftColumns(f, shift, r.columns.size()));
  auto rel = std::make_shared<RemoteRelation>();
  rel->left = l.relation;
  rel->right = r.relation;
  rel->type = type;
  rel->leaves = j->tables.size();
  rel->columns = j->columns.size();
  for (const auto& c : conditions) {
    if (!c) return false;
    rel->on.push_back(c->Copy());
  }
  switch (type) {
    case PushedJoinType::kInner:
      j->filters = l.filters;
      j->filters.insert(j->filters.end(), right_filters.begin(), right_filters.end());
      break;
    case PushedJoinType::kLeft:  // the right side's filters select what may match
      j->filters = l.filters;
      rel->on.insert(rel->on.end(), right_filters.begin(), right_filters.end());
      break;
    case PushedJoinType::kRight:
      j->filters = right_filters;
      rel->on.insert(rel->on.end(), l.filters.begin(), l.filters.end());
      break;
  }
  j->relation = rel;
  j->projection.clear();
  for (size_t i = 0; i < j->columns.size(); i++) j->projection.push_back(static_cast<int>(i));
  return true;
}

}  // namespace aishell
