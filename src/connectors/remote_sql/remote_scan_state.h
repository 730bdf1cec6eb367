// What the PostgreSQL and SQLite scans share: the state of a scan that runs as one remote SELECT
// (its columns and where each comes from, its FROM clause of one table or of joined tables, the
// pushed projection, filters, ORDER BY and LIMIT), the merging of two such scans into one joined
// scan (PushJoin), and the FROM and WHERE clauses written through the shared SQL translator
// (sql_dialect.h). Each connector derives its own state from RemoteScanState and adds what only it
// pushes (PostgreSQL: aggregations, dynamic filters; SQLite: rowid ranges).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "connectors/remote_sql/sql_dialect.h"
#include "expr/expression.h"

namespace aishell {

// Where a column of a scan comes from: table `leaf` (t<leaf> once joined), its name and the cast
// that reads it ("" for none).
struct RemoteColumnRef {
  size_t leaf = 0;
  std::string name;
  std::string cast;
};

// The FROM clause of a scan: one table, or a join of two relations. ON conditions index this
// node's columns (its left's, then its right's).
struct RemoteRelation {
  std::shared_ptr<const RemoteRelation> left, right;  // both null for a table
  PushedJoinType type = PushedJoinType::kInner;
  std::vector<ExprPtr> on;
  size_t leaves = 1;
  size_t columns = 0;
};

// Everything a scan was asked that both connectors push; copied when two scans become one joined
// scan.
struct RemoteScanState {
  std::vector<ColumnInfo> columns;    // of the (joined) relation
  std::vector<RemoteColumnRef> refs;  // one per column
  std::vector<std::string> tables;    // leaf i: the table as FROM names it (quoted)
  std::shared_ptr<const RemoteRelation> relation;
  bool joined = false;
  bool splittable = false;  // leaf 0 can be read in ranges (the connector decides when)

  std::vector<int> projection;
  std::vector<ExprPtr> filters;  // over `columns`
  std::string order;
  int64_t limit = -1;

  // A scan of one table (`quoted_table` as FROM names it) reading every column; `casts`: per
  // column, appended to the quoted name when read (empty: none).
  void InitTable(const std::vector<ColumnInfo>& table_columns, std::string quoted_table,
                 const std::vector<std::string>& casts = {});

  // The negotiation both connectors answer alike (their TableScan methods call these).
  // Every id must index `columns`: Error(kInternal) naming `where` otherwise.
  void SetProjection(const std::vector<int>& column_ids, const std::string& where);
  // Accepts a conjunct that translates exactly, unless a limit already applies before it.
  bool PushFilter(const Expr& conjunct, const SqlDialect& dialect);
  // Keeps the smaller limit; false for a negative one.
  bool PushLimit(int64_t n);
  // ORDER BY column references only, each `orderable` and written by `column_sql`, unless a limit
  // already applies; `n` >= 0 pushes that limit too.
  bool PushOrder(const std::vector<SortKey>& keys, int64_t n,
                 const std::function<bool(int)>& orderable,
                 const std::function<std::string(int)>& column_sql);
  // Rows left of `rows` (< 0: unknown) after the pushed filters (a quarter each) and the limit.
  double EstimateRows(double rows) const;
  // Error(kInternal) unless `keys` has one column per key column.
  static void CheckLookupKeys(const std::vector<int>& key_columns, const Batch& keys,
                              const std::string& where);

  // Column c as the SELECT reads it: t<leaf>."name" once joined, ("name"::cast) with a cast.
  std::string ColumnSql(int c) const;
  // A translator over `columns`, writing columns with ColumnSql.
  SqlTranslator Translator(const SqlDialect& dialect) const;

  // The FROM clause. ON parameters are appended to `params` in the order they appear; `like` (may
  // be null) is set when a condition holds a LIKE. `where` names the source in errors.
  std::string FromSql(const SqlDialect& dialect, std::vector<Value>* params, bool* like,
                      const std::string& where) const;
  // Whether every ON condition of a joined scan translates over its columns.
  bool JoinConditionsTranslate(const SqlDialect& dialect) const;
  // Appends " WHERE f1 AND f2 ..." for the pushed filters; returns how many conjuncts it wrote.
  size_t AppendFilters(const SqlDialect& dialect, std::string* sql, std::vector<Value>* params,
                       bool* like, const std::string& where) const;

 private:
  std::string RelationSql(const RemoteRelation& rel, size_t leaf, size_t column,
                          const SqlDialect& dialect, std::vector<Value>* params, bool* like,
                          const std::string& where) const;
};

// The shared part of `left JOIN right ON conditions` as one scan: columns, refs and tables of both
// sides, and the relation. Each side's filters go to WHERE (an inner join, and the preserved side
// of an outer join) or into ON (the side an outer join pads with NULLs). The projection is every
// column. False when a condition is null. The caller copies what only its connector keeps.
bool JoinRemoteStates(const RemoteScanState& left, const RemoteScanState& right,
                      PushedJoinType type, const std::vector<ExprPtr>& conditions,
                      RemoteScanState* joined);

}  // namespace aishell
