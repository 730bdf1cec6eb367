// The abstract syntax tree produced by the SQL parser (Trino dialect). Every node records the
// byte offset (`position`) of its first token in the SQL text, for error messages. Every node
// renders back to SQL with ToString(); parsing that rendering yields an equal tree.
//
// Identifiers: unquoted names are stored lower-cased (like Trino); "quoted", [bracketed] and
// `backticked` names keep their case and are marked quoted.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/value.h"

namespace aishell {

struct QueryNode;

// A dotted name: catalog.schema.table, table.column, ...
struct QualifiedName {
  std::vector<std::string> parts;
  std::vector<bool> quoted;  // same length as parts
  int position = -1;

  bool empty() const { return parts.empty(); }
  size_t size() const { return parts.size(); }
  const std::string& back() const { return parts.back(); }
  // Parts joined by '.', unquoted: users-db.users
  std::string Joined() const;
  // SQL rendering, quoting parts that need it: "users-db".users
  std::string ToString() const;
};

// Renders one identifier for SQL, double-quoting it when needed (keywords, special characters,
// upper-case letters when quoted).
std::string QuoteIdentifier(const std::string& name, bool force_quotes = false);

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

enum class ExpressionKind : uint8_t {
  kLiteral,     // LiteralExpression
  kColumnRef,   // ColumnRefExpression: 1-4 part name
  kStar,        // StarExpression: * or t.*
  kFunction,    // FunctionCallExpression (aggregates and window calls too)
  kCast,        // CastExpression (CAST, TRY_CAST, x::type)
  kCase,        // CaseExpression
  kUnary,       // UnaryExpression: -x, +x, NOT x
  kBinary,      // BinaryExpression: arithmetic, ||, comparisons, AND, OR, IS [NOT] DISTINCT FROM
  kIsNull,      // IsNullExpression
  kBetween,     // BetweenExpression
  kInList,      // InListExpression
  kInSubquery,  // InSubqueryExpression
  kExists,      // ExistsExpression
  kSubquery,    // SubqueryExpression (scalar)
  kLike,        // LikeExpression (LIKE, ILIKE)
  kExtract,     // ExtractExpression: EXTRACT(field FROM x)
  kLambda,      // LambdaExpression: x -> body, (x, y) -> body (arguments of transform, ...)
};

struct ParsedExpression {
  ExpressionKind kind;
  int position = -1;  // byte offset of the node's first token

  explicit ParsedExpression(ExpressionKind k) : kind(k) {}
  virtual ~ParsedExpression() = default;
  virtual std::string ToString() const = 0;
  virtual std::unique_ptr<ParsedExpression> Copy() const = 0;

  // Downcast helpers: expr.As<BinaryExpression>() (no check; test `kind` first).
  template <class T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
  template <class T>
  T& As() {
    return static_cast<T&>(*this);
  }
};
using ParsedExpressionPtr = std::unique_ptr<ParsedExpression>;

enum class LiteralKind : uint8_t {
  kNull,      // NULL
  kBoolean,   // TRUE / FALSE: bool_value
  kInteger,   // 42: text = digits; integer_value (fits int64; larger integers become kDecimal)
  kDecimal,   // 1.50: text as written ("1.50")
  kDouble,    // 1e3, 2.5E-1: text as written; double_value
  kString,    // 'it''s': text = unescaped contents ("it's")
  kTyped,     // DATE '2024-01-01', TIMESTAMP '...', TIME '...', DECIMAL '1.2', ...:
              // type_name = the type as written, upper-cased ("DATE"); text = string contents
  kInterval,  // INTERVAL '30' DAY, INTERVAL '1-2' YEAR TO MONTH, INTERVAL '30 days':
              // text = string contents; interval_start/interval_end; interval_negative (INTERVAL
              // -'1' DAY)
};

enum class IntervalField : uint8_t { kNone, kYear, kMonth, kWeek, kDay, kHour, kMinute, kSecond };
const char* IntervalFieldName(IntervalField field);  // "YEAR", ... ("" for kNone)

struct LiteralExpression : ParsedExpression {
  LiteralKind literal_kind = LiteralKind::kNull;
  std::string text;
  bool bool_value = false;
  int64_t integer_value = 0;
  double double_value = 0;
  std::string type_name;                                // kTyped
  IntervalField interval_start = IntervalField::kNone;  // kInterval
  IntervalField interval_end = IntervalField::kNone;    // kInterval: TO field, or kNone
  bool interval_negative = false;                       // kInterval

  LiteralExpression() : ParsedExpression(ExpressionKind::kLiteral) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

// Converts a literal to a Value: NULL, BOOLEAN, BIGINT (INTEGER when it fits int32, like Trino),
// DECIMAL (DOUBLE when the precision exceeds 18), DOUBLE, VARCHAR, DATE, TIMESTAMP,
// TIMESTAMP WITH TIME ZONE, INTERVAL. Typed literals of other types (e.g. DECIMAL '1.5',
// TIME '...') throw Error(kUnsupported). Malformed values throw Error(kConversion, .., position).
Value LiteralToValue(const LiteralExpression& literal);

// Parses interval text such as "30", "1-2", "2 10:00:00", "30 days", "1 year 2 months", with the
// given fields. Throws Error(kConversion) when the text does not fit.
Interval ParseIntervalLiteral(const std::string& text, IntervalField start, IntervalField end,
                              bool negative, int position = -1);

struct ColumnRefExpression : ParsedExpression {
  QualifiedName name;  // 1 part: column; 2: table.column; 3: schema.table.column; 4: catalog...

  ColumnRefExpression() : ParsedExpression(ExpressionKind::kColumnRef) {}
  const std::string& column_name() const { return name.parts.back(); }
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct StarExpression : ParsedExpression {
  QualifiedName qualifier;  // empty for *, [t] for t.*

  StarExpression() : ParsedExpression(ExpressionKind::kStar) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

// ORDER BY item (queries, window specifications, ordered aggregates).
struct OrderByItem {
  ParsedExpressionPtr expr;  // an expression, an output ordinal (integer literal) or alias
  bool ascending = true;
  std::optional<bool> nulls_first;  // unset: the default (Trino: NULLS LAST)
  int position = -1;

  OrderByItem Copy() const;
  std::string ToString() const;
};

enum class WindowFrameType : uint8_t { kRows, kRange, kGroups };
enum class WindowFrameBoundKind : uint8_t {
  kUnboundedPreceding,
  kPreceding,  // offset PRECEDING
  kCurrentRow,
  kFollowing,  // offset FOLLOWING
  kUnboundedFollowing,
};

struct WindowFrameBound {
  WindowFrameBoundKind kind = WindowFrameBoundKind::kUnboundedPreceding;
  ParsedExpressionPtr offset;  // kPreceding / kFollowing
};

struct WindowFrame {
  WindowFrameType type = WindowFrameType::kRange;
  WindowFrameBound start;
  WindowFrameBound end;  // ROWS n PRECEDING (no BETWEEN) => end = CURRENT ROW
};

// OVER (PARTITION BY ... ORDER BY ... frame), OVER w, OVER (w ORDER BY ... frame)
struct WindowDefinition {
  std::string existing_name;  // a window of the WINDOW clause this one refines, or empty
  bool name_only = false;     // OVER w (no parentheses)
  int position = -1;
  std::vector<ParsedExpressionPtr> partition_by;
  std::vector<OrderByItem> order_by;
  std::unique_ptr<WindowFrame> frame;  // nullptr: no frame written

  std::unique_ptr<WindowDefinition> Copy() const;
  std::string ToString() const;  // "(PARTITION BY ... )"
};

struct FunctionCallExpression : ParsedExpression {
  QualifiedName name;  // lower-cased unless quoted: "count", "date_trunc"
  std::vector<ParsedExpressionPtr> args;
  bool distinct = false;                   // count(DISTINCT x)
  bool is_star = false;                    // count(*): args is empty
  std::vector<OrderByItem> order_by;       // array_agg(x ORDER BY y)
  ParsedExpressionPtr filter;              // FILTER (WHERE ...), or nullptr
  std::unique_ptr<WindowDefinition> over;  // OVER (...), or nullptr
  // CURRENT_DATE, CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_TIME, LOCALTIME written without
  // parentheses: a call with no args (name = "current_date", ...) rendered without "()".
  // CURRENT_TIMESTAMP(3) keeps its precision argument and is rendered with parentheses.
  bool special_form = false;

  FunctionCallExpression() : ParsedExpression(ExpressionKind::kFunction) {}
  const std::string& function_name() const { return name.parts.back(); }
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct CastExpression : ParsedExpression {
  ParsedExpressionPtr child;
  std::string type_name;  // as written, whitespace normalized: "decimal(10,2)", "double precision"
  bool try_cast = false;

  CastExpression() : ParsedExpression(ExpressionKind::kCast) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct CaseWhen {
  ParsedExpressionPtr when;  // a condition (searched CASE) or a value compared with the operand
  ParsedExpressionPtr then;
};

struct CaseExpression : ParsedExpression {
  ParsedExpressionPtr operand;  // CASE operand WHEN value ...; nullptr for searched CASE
  std::vector<CaseWhen> whens;
  ParsedExpressionPtr else_expr;  // nullptr: ELSE NULL

  CaseExpression() : ParsedExpression(ExpressionKind::kCase) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

enum class UnaryOp : uint8_t { kNegate, kPlus, kNot };

struct UnaryExpression : ParsedExpression {
  UnaryOp op = UnaryOp::kNegate;
  ParsedExpressionPtr child;

  UnaryExpression() : ParsedExpression(ExpressionKind::kUnary) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

enum class BinaryOp : uint8_t {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kConcat,  // ||
  kEqual,
  kNotEqual,  // <> and !=
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kIsDistinctFrom,
  kIsNotDistinctFrom,
  kAnd,
  kOr,
};
const char* BinaryOpSymbol(BinaryOp op);  // "+", "=", "IS DISTINCT FROM", "AND", ...
bool IsComparisonOp(BinaryOp op);         // = <> < <= > >= IS [NOT] DISTINCT FROM
bool IsArithmeticOp(BinaryOp op);         // + - * / %

struct BinaryExpression : ParsedExpression {
  BinaryOp op = BinaryOp::kAdd;
  ParsedExpressionPtr left;
  ParsedExpressionPtr right;

  BinaryExpression() : ParsedExpression(ExpressionKind::kBinary) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct IsNullExpression : ParsedExpression {
  ParsedExpressionPtr child;
  bool negated = false;  // IS NOT NULL

  IsNullExpression() : ParsedExpression(ExpressionKind::kIsNull) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct BetweenExpression : ParsedExpression {
  ParsedExpressionPtr value;
  ParsedExpressionPtr low;
  ParsedExpressionPtr high;
  bool negated = false;

  BetweenExpression() : ParsedExpression(ExpressionKind::kBetween) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct InListExpression : ParsedExpression {
  ParsedExpressionPtr value;
  std::vector<ParsedExpressionPtr> list;
  bool negated = false;

  InListExpression() : ParsedExpression(ExpressionKind::kInList) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct InSubqueryExpression : ParsedExpression {
  ParsedExpressionPtr value;
  std::unique_ptr<QueryNode> query;
  bool negated = false;

  InSubqueryExpression() : ParsedExpression(ExpressionKind::kInSubquery) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct ExistsExpression : ParsedExpression {
  std::unique_ptr<QueryNode> query;
  bool negated = false;  // NOT EXISTS

  ExistsExpression() : ParsedExpression(ExpressionKind::kExists) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct SubqueryExpression : ParsedExpression {
  std::unique_ptr<QueryNode> query;

  SubqueryExpression() : ParsedExpression(ExpressionKind::kSubquery) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct LikeExpression : ParsedExpression {
  ParsedExpressionPtr value;
  ParsedExpressionPtr pattern;
  ParsedExpressionPtr escape;  // nullptr: no ESCAPE
  bool negated = false;
  bool case_insensitive = false;  // ILIKE

  LikeExpression() : ParsedExpression(ExpressionKind::kLike) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

struct ExtractExpression : ParsedExpression {
  std::string field;  // lower-cased: "year", "month", "day", "hour", "dow", "quarter", ...
  ParsedExpressionPtr child;

  ExtractExpression() : ParsedExpression(ExpressionKind::kExtract) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

// x -> body, (s, x) -> body: only as an argument of a function that takes a lambda.
struct LambdaExpression : ParsedExpression {
  std::vector<std::string> params;  // lower-cased unless quoted
  ParsedExpressionPtr body;

  LambdaExpression() : ParsedExpression(ExpressionKind::kLambda) {}
  std::string ToString() const override;
  std::unique_ptr<ParsedExpression> Copy() const override;
};

// ---------------------------------------------------------------------------------------------
// Table references (FROM clause)
// ---------------------------------------------------------------------------------------------

enum class TableRefKind : uint8_t {
  kBaseTable,      // BaseTableRef: a (qualified) table or view name
  kSubquery,       // SubqueryRef: (query) [AS] t[(a, b)], also (VALUES ...) and VALUES ...
  kJoin,           // JoinRef
  kTableFunction,  // TableFunctionRef: read_csv('path', header => true)
};

struct TableRef {
  TableRefKind kind;
  int position = -1;
  std::string alias;  // empty: none
  bool alias_quoted = false;
  std::vector<std::string> column_aliases;  // AS t(a, b)

  explicit TableRef(TableRefKind k) : kind(k) {}
  virtual ~TableRef() = default;
  virtual std::string ToString() const = 0;
  virtual std::unique_ptr<TableRef> Copy() const = 0;

  template <class T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
  template <class T>
  T& As() {
    return static_cast<T&>(*this);
  }

 protected:
  std::string AliasToString() const;  // " AS t(a, b)" or ""
  void CopyAliasTo(TableRef& other) const;
};
using TableRefPtr = std::unique_ptr<TableRef>;

enum class TableVersionKind : uint8_t { kNone, kVersion, kTimestamp };

struct BaseTableRef : TableRef {
  QualifiedName name;
  // FOR VERSION AS OF expr / FOR TIMESTAMP AS OF expr (Iceberg time travel).
  TableVersionKind version_kind = TableVersionKind::kNone;
  ParsedExpressionPtr version;

  BaseTableRef() : TableRef(TableRefKind::kBaseTable) {}
  std::string ToString() const override;
  std::unique_ptr<TableRef> Copy() const override;
};

struct SubqueryRef : TableRef {
  std::unique_ptr<QueryNode> query;
  bool lateral = false;  // LATERAL (query): sees the columns of the FROM items before it

  SubqueryRef() : TableRef(TableRefKind::kSubquery) {}
  std::string ToString() const override;
  std::unique_ptr<TableRef> Copy() const override;
};

enum class AstJoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross };
const char* AstJoinTypeName(AstJoinType type);  // "INNER", "LEFT", ...

struct JoinRef : TableRef {
  AstJoinType type = AstJoinType::kInner;
  TableRefPtr left;
  TableRefPtr right;
  ParsedExpressionPtr condition;           // ON ...; nullptr for CROSS / USING / NATURAL
  std::vector<std::string> using_columns;  // USING (a, b)
  bool natural = false;                    // NATURAL [LEFT|...] JOIN
  bool implicit = false;                   // a comma join: FROM a, b (type kCross)

  JoinRef() : TableRef(TableRefKind::kJoin) {}
  std::string ToString() const override;
  std::unique_ptr<TableRef> Copy() const override;
};

struct TableFunctionArgument {
  std::string name;  // empty for positional arguments; lower-cased: header => true
  ParsedExpressionPtr value;
};

struct TableFunctionRef : TableRef {
  QualifiedName name;  // read_csv, read_json, read_parquet, sqlite_scan, ..., unnest
  std::vector<TableFunctionArgument> args;
  bool with_ordinality = false;  // UNNEST(...) WITH ORDINALITY

  TableFunctionRef() : TableRef(TableRefKind::kTableFunction) {}
  std::string ToString() const override;
  std::unique_ptr<TableRef> Copy() const override;
};

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

enum class QueryNodeKind : uint8_t {
  kSelect,        // SelectNode
  kSetOperation,  // SetOperationNode
  kValues,        // ValuesNode
};

struct CommonTableExpression {
  std::string name;
  std::vector<std::string> column_names;  // WITH t(a, b) AS (...)
  std::unique_ptr<QueryNode> query;
  int position = -1;
};

// A query: a body (SELECT, set operation or VALUES) with the clauses that apply to its whole
// result: WITH, ORDER BY, OFFSET, LIMIT. In `SELECT a FROM t UNION SELECT b FROM u ORDER BY 1
// LIMIT 5` the ORDER BY and LIMIT sit on the SetOperationNode; on a SelectNode they may refer to
// columns of the FROM clause that are not in the select list.
struct QueryNode {
  QueryNodeKind kind;
  int position = -1;
  std::vector<CommonTableExpression> ctes;  // WITH ...
  bool recursive = false;                   // WITH RECURSIVE
  std::vector<OrderByItem> order_by;
  std::optional<int64_t> limit;   // LIMIT n / FETCH FIRST n ROWS ONLY; unset for none / LIMIT ALL
  std::optional<int64_t> offset;  // OFFSET n [ROWS]

  explicit QueryNode(QueryNodeKind k) : kind(k) {}
  virtual ~QueryNode() = default;
  virtual std::string ToString() const = 0;
  virtual std::unique_ptr<QueryNode> Copy() const = 0;

  template <class T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
  template <class T>
  T& As() {
    return static_cast<T&>(*this);
  }

 protected:
  std::string WithToString() const;       // "WITH ... " or ""
  std::string ModifiersToString() const;  // " ORDER BY ... OFFSET n LIMIT n" or ""
  void CopyModifiersTo(QueryNode& other) const;
};
using QueryNodePtr = std::unique_ptr<QueryNode>;

struct SelectItem {
  ParsedExpressionPtr expr;  // may be a StarExpression
  std::string alias;         // empty: none
  bool alias_quoted = false;
  int position = -1;
};

// GROUP BY grouping elements (Trino): a plain element, ROLLUP (...), CUBE (...), or
// GROUPING SETS (...). `lists` index SelectNode::group_by: a plain element's one list; the items
// of ROLLUP and CUBE (each a list: ROLLUP ((a, b), c)); the sets of GROUPING SETS.
enum class GroupingElementKind : uint8_t { kPlain, kRollup, kCube, kGroupingSets };
struct GroupingElement {
  GroupingElementKind kind = GroupingElementKind::kPlain;
  std::vector<std::vector<size_t>> lists;
  int position = -1;
};

// WINDOW w AS (...)
struct NamedWindow {
  std::string name;  // lower case unless quoted
  std::unique_ptr<WindowDefinition> definition;
  int position = -1;
};

struct SelectNode : QueryNode {
  bool distinct = false;
  std::vector<SelectItem> select_list;
  TableRefPtr from;  // nullptr: SELECT without FROM
  ParsedExpressionPtr where;
  std::vector<ParsedExpressionPtr> group_by;  // expressions or ordinals (integer literals)
  // Non-empty when GROUP BY has ROLLUP, CUBE or GROUPING SETS: the elements whose cross product
  // gives the grouping sets (group_by then holds each distinct expression once).
  std::vector<GroupingElement> grouping_elements;
  bool group_by_distinct = false;  // GROUP BY DISTINCT: duplicate grouping sets removed
  ParsedExpressionPtr having;
  std::vector<NamedWindow> windows;  // the WINDOW clause

  SelectNode() : QueryNode(QueryNodeKind::kSelect) {}
  std::string ToString() const override;
  std::unique_ptr<QueryNode> Copy() const override;
  std::string GroupingElementsToString() const;  // "ROLLUP (a, b), c"
};

enum class SetOperationType : uint8_t { kUnion, kIntersect, kExcept };

struct SetOperationNode : QueryNode {
  SetOperationType op = SetOperationType::kUnion;
  bool all = false;  // UNION ALL; default (and UNION DISTINCT) is false
  QueryNodePtr left;
  QueryNodePtr right;

  SetOperationNode() : QueryNode(QueryNodeKind::kSetOperation) {}
  std::string ToString() const override;
  std::unique_ptr<QueryNode> Copy() const override;
};

struct ValuesNode : QueryNode {
  std::vector<std::vector<ParsedExpressionPtr>> rows;  // VALUES (1, 'a'), (2, 'b'); VALUES 1, 2

  ValuesNode() : QueryNode(QueryNodeKind::kValues) {}
  std::string ToString() const override;
  std::unique_ptr<QueryNode> Copy() const override;
};

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

enum class StatementKind : uint8_t {
  kSelect,         // SelectStatement (any query: SELECT, WITH, VALUES, set operations)
  kExplain,        // ExplainStatement
  kShowCatalogs,   // ShowCatalogsStatement
  kShowSchemas,    // ShowSchemasStatement
  kShowTables,     // ShowTablesStatement
  kShowColumns,    // ShowColumnsStatement: SHOW COLUMNS FROM|IN t
  kDescribe,       // ShowColumnsStatement: DESCRIBE t / DESC t (same struct, same meaning)
  kShowFunctions,  // ShowFunctionsStatement: SHOW FUNCTIONS [LIKE ...]
  kShowSession,    // ShowSessionStatement: SHOW SESSION
  kCreateView,     // CreateViewStatement
  kDropView,       // DropViewStatement
  kCreateTableAs,  // CreateTableAsStatement
  kDropTable,      // DropTableStatement
  kInsert,         // InsertStatement
  kSetSession,     // SetSessionStatement: SET SESSION name = value / SET name = value
  kResetSession,   // ResetSessionStatement: RESET SESSION name
  kUse,            // UseStatement
};

struct Statement {
  StatementKind kind;
  int position = -1;  // byte offset of the statement's first token in the parsed text
  std::string text;   // the statement's exact source text (no trailing ';')

  explicit Statement(StatementKind k) : kind(k) {}
  virtual ~Statement() = default;
  virtual std::string ToString() const = 0;

  template <class T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
  template <class T>
  T& As() {
    return static_cast<T&>(*this);
  }
};
using StatementPtr = std::unique_ptr<Statement>;

struct SelectStatement : Statement {
  QueryNodePtr query;

  SelectStatement() : Statement(StatementKind::kSelect) {}
  std::string ToString() const override;
};

struct ExplainStatement : Statement {
  bool analyze = false;
  bool verbose = false;
  std::unique_ptr<Statement> statement;

  ExplainStatement() : Statement(StatementKind::kExplain) {}
  std::string ToString() const override;
};

struct ShowCatalogsStatement : Statement {
  std::optional<std::string> like_pattern;

  ShowCatalogsStatement() : Statement(StatementKind::kShowCatalogs) {}
  std::string ToString() const override;
};

struct ShowSchemasStatement : Statement {
  std::string catalog;  // empty: the current catalog
  std::optional<std::string> like_pattern;

  ShowSchemasStatement() : Statement(StatementKind::kShowSchemas) {}
  std::string ToString() const override;
};

struct ShowTablesStatement : Statement {
  QualifiedName schema;  // empty, [schema] or [catalog, schema]
  std::optional<std::string> like_pattern;

  ShowTablesStatement() : Statement(StatementKind::kShowTables) {}
  std::string ToString() const override;
};

struct ShowColumnsStatement : Statement {
  QualifiedName table;

  // kind is kShowColumns or kDescribe.
  explicit ShowColumnsStatement(StatementKind k = StatementKind::kShowColumns) : Statement(k) {}
  std::string ToString() const override;
};

struct ShowFunctionsStatement : Statement {
  std::optional<std::string> like_pattern;

  ShowFunctionsStatement() : Statement(StatementKind::kShowFunctions) {}
  std::string ToString() const override;
};

struct ShowSessionStatement : Statement {
  std::optional<std::string> like_pattern;

  ShowSessionStatement() : Statement(StatementKind::kShowSession) {}
  std::string ToString() const override;
};

struct CreateViewStatement : Statement {
  QualifiedName name;
  bool or_replace = false;
  QueryNodePtr query;
  std::string sql;  // the exact source text of the query (after AS)

  CreateViewStatement() : Statement(StatementKind::kCreateView) {}
  std::string ToString() const override;
};

struct DropViewStatement : Statement {
  QualifiedName name;
  bool if_exists = false;

  DropViewStatement() : Statement(StatementKind::kDropView) {}
  std::string ToString() const override;
};

// One `name = value` of CREATE TABLE ... WITH (...): a literal or ARRAY[literal, ...], kept as
// text (string contents; numbers and booleans as written).
struct TablePropertyClause {
  std::string name;   // lower-cased unless quoted
  int position = -1;  // of the name
  bool is_array = false;
  std::vector<std::string> values;
  std::vector<int> value_positions;
};

struct CreateTableAsStatement : Statement {
  QualifiedName name;
  std::vector<TablePropertyClause> properties;  // WITH (name = value, ...)
  bool if_not_exists = false;
  bool or_replace = false;
  std::vector<std::string> column_names;  // CREATE TABLE t (a, b) AS ...
  QueryNodePtr query;
  std::string sql;        // the exact source text of the query
  bool with_data = true;  // WITH NO DATA => false

  CreateTableAsStatement() : Statement(StatementKind::kCreateTableAs) {}
  std::string ToString() const override;
};

struct DropTableStatement : Statement {
  QualifiedName name;
  bool if_exists = false;

  DropTableStatement() : Statement(StatementKind::kDropTable) {}
  std::string ToString() const override;
};

struct InsertStatement : Statement {
  QualifiedName table;
  std::vector<std::string> columns;  // empty: all columns in table order
  QueryNodePtr query;                // a ValuesNode for INSERT ... VALUES

  InsertStatement() : Statement(StatementKind::kInsert) {}
  std::string ToString() const override;
};

struct SetSessionStatement : Statement {
  std::string name;   // lower-cased, dotted: "pushdown", "iceberg.compression"
  std::string value;  // the value as text: string literal contents ('1GB' -> 1GB), a number or
                      // word as written (1GB, true, off, 4)
  ParsedExpressionPtr value_expr;  // the value parsed as an expression when it is one, else null

  SetSessionStatement() : Statement(StatementKind::kSetSession) {}
  std::string ToString() const override;
};

struct ResetSessionStatement : Statement {
  std::string name;

  ResetSessionStatement() : Statement(StatementKind::kResetSession) {}
  std::string ToString() const override;
};

struct UseStatement : Statement {
  std::string catalog;
  std::string schema;  // empty: USE catalog

  UseStatement() : Statement(StatementKind::kUse) {}
  std::string ToString() const override;
};

const char* StatementKindName(StatementKind kind);  // "SELECT", "EXPLAIN", "SHOW TABLES", ...

}  // namespace aishell
