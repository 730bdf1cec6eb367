// Binding of FROM clauses: tables (catalog.schema.table with defaults), views, CTEs, derived
// tables, table functions and joins (ON, USING, NATURAL).
#include <algorithm>
#include <ctime>

#include "catalog/metadata_connector.h"
#include "common/exception.h"
#include "common/strings.h"
#include "planner/binder.h"
#include "planner/optimizer/optimizer.h"
#include "sql/parser.h"

namespace aishell {

namespace {
constexpr int kMaxViewDepth = 32;

void ApplyAlias(BoundRelation& rel, const std::string& alias,
                const std::vector<std::string>& column_names, int position) {
  if (!column_names.empty() && column_names.size() != rel.scope.columns.size()) {
    throw Error(ErrorKind::kBinder,
                "alias '" + alias + "' names " + std::to_string(column_names.size()) +
                    " columns but the relation has " + std::to_string(rel.scope.columns.size()),
                position);
  }
  if (!alias.empty() && rel.plan->kind == LogicalOpKind::kScan)
    static_cast<LogicalScan&>(*rel.plan).alias = alias;
  for (size_t i = 0; i < rel.scope.columns.size(); i++) {
    auto& c = rel.scope.columns[i];
    if (!alias.empty()) {
      c.table = LowerName(alias);
      c.schema.clear();
      c.catalog.clear();
    }
    if (!column_names.empty()) {
      c.name = column_names[i];
      rel.plan->output[i].name = column_names[i];
    }
  }
}
}  // namespace

void Binder::AddSource(const std::string& source) {
  if (std::find(sources_.begin(), sources_.end(), source) == sources_.end())
    sources_.push_back(source);
}

BoundRelation Binder::BindTableRef(const TableRef& ref) {
  BoundRelation rel;
  switch (ref.kind) {
    case TableRefKind::kBaseTable:
      rel = BindBaseTable(ref.As<BaseTableRef>());
      break;
    case TableRefKind::kSubquery: {
      const auto& sub = ref.As<SubqueryRef>();
      rel = BindNamedQuery(*sub.query, ref.alias, {}, ref.position);
      break;
    }
    case TableRefKind::kJoin:
      rel = BindJoin(ref.As<JoinRef>());
      break;
    case TableRefKind::kTableFunction:
      rel = BindTableFunction(ref.As<TableFunctionRef>());
      break;
  }
  bool unnest = ref.kind == TableRefKind::kTableFunction &&
                LowerName(ref.As<TableFunctionRef>().name.Joined()) == "unnest";
  if (ref.kind != TableRefKind::kJoin && !unnest &&
      (!ref.alias.empty() || !ref.column_aliases.empty())) {
    ApplyAlias(rel, ref.alias, ref.column_aliases, ref.position);
  }
  return rel;
}

BoundRelation Binder::BindNamedQuery(const QueryNode& query, const std::string& alias,
                                     const std::vector<std::string>& column_names, int position) {
  BoundRelation rel;
  rel.plan = BindQuery(query);
  for (const auto& o : rel.plan->output) {
    ScopeColumn c;
    c.table = LowerName(alias);
    c.name = o.name;
    c.type = o.type;
    rel.scope.columns.push_back(c);
  }
  if (!column_names.empty()) ApplyAlias(rel, alias, column_names, position);
  return rel;
}

BoundRelation Binder::ScanTable(const std::string& catalog, std::shared_ptr<Connector> connector,
                                std::shared_ptr<const TableInfo> table, const std::string& alias) {
  std::shared_ptr<TableScan> table_scan(connector->CreateScan(table));
  auto make_scan = [connector, table]() {
    return std::shared_ptr<TableScan>(connector->CreateScan(table));
  };
  return ScanTableWith(catalog, connector->TypeName(), std::move(table), alias,
                       std::move(table_scan), make_scan);
}

void Binder::ApplyTypeMappings(const std::string& catalog, const TableInfo& table,
                               BoundRelation& rel) {
  if (options_.type_mappings.empty()) return;
  std::string prefix = LowerName(catalog) + ".";
  std::string with_schema = prefix + LowerName(table.schema) + "." + LowerName(table.name) + ".";
  std::string without_schema = prefix + LowerName(table.name) + ".";
  auto project = std::make_shared<LogicalProject>();
  bool any = false;
  for (size_t i = 0; i < rel.plan->output.size(); i++) {
    const OutputColumn& col = rel.plan->output[i];
    ExprPtr ref = MakeColumnRef(static_cast<int>(i), col.type, col.name);
    auto it = options_.type_mappings.find(with_schema + LowerName(col.name));
    if (it == options_.type_mappings.end())
      it = options_.type_mappings.find(without_schema + LowerName(col.name));
    if (it != options_.type_mappings.end() && !(it->second == col.type)) {
      ref = CastTo(ref, it->second);
      rel.scope.columns[i].type = it->second;
      any = true;
    }
    project->exprs.push_back(ref);
    project->output.push_back({col.name, ref->type});
  }
  if (!any) return;
  project->children.push_back(rel.plan);
  rel.plan = project;
}

BoundRelation Binder::ScanTableWith(const std::string& catalog, const std::string& connector_type,
                                    std::shared_ptr<const TableInfo> table,
                                    const std::string& alias, std::shared_ptr<TableScan> table_scan,
                                    std::function<std::shared_ptr<TableScan>()> make_scan) {
  auto scan = std::make_shared<LogicalScan>();
  scan->catalog_name = catalog;
  scan->alias = alias;
  scan->table = table;
  scan->scan = std::move(table_scan);
  scan->make_scan = std::move(make_scan);
  BoundRelation rel;
  for (size_t i = 0; i < table->columns.size(); i++) {
    scan->column_ids.push_back(static_cast<int>(i));
    scan->output.push_back({table->columns[i].name, table->columns[i].type});
    ScopeColumn c;
    c.table = LowerName(alias.empty() ? table->name : alias);
    c.schema = LowerName(table->schema);
    c.catalog = LowerName(catalog);
    c.name = table->columns[i].name;
    c.type = table->columns[i].type;
    c.hidden_column = table->columns[i].hidden;
    rel.scope.columns.push_back(c);
  }
  rel.plan = scan;
  AddSource(catalog + " (" + connector_type + ")");
  ApplyTypeMappings(catalog, *table, rel);
  return rel;
}

std::optional<BoundRelation> Binder::BindUnavailableTable(const QualifiedName& name,
                                                          const Error& error) {
  SchemaCache* cache = catalogs_.schema_cache.get();
  if (!options_.continue_on_source_failure || !cache || error.kind() != ErrorKind::kConnector)
    return std::nullopt;
  const auto& parts = name.parts;
  std::string catalog = catalogs_.default_catalog, schema, table = parts.back();
  if (parts.size() == 3) {
    catalog = parts[0];
    schema = parts[1];
  } else if (parts.size() == 2) {
    if (catalogs_.HasCatalog(parts[0]))
      catalog = parts[0];
    else
      schema = parts[0];
  } else if (catalog.empty() && catalogs_.CatalogNames().size() == 1) {
    catalog = catalogs_.CatalogNames()[0];
  }
  if (catalog.empty() || !catalogs_.HasCatalog(catalog)) return std::nullopt;
  if (schema.empty() && LowerName(catalog) == LowerName(catalogs_.default_catalog))
    schema = catalogs_.default_schema;
  auto info = cache->Recall(catalog, schema, table);
  if (!info) return std::nullopt;
  std::string type = cache->ConnectorType(catalog);
  std::string message = error.what();
  auto make_scan = [catalog, message]() {
    return std::shared_ptr<TableScan>(MakeUnavailableScan(catalog, message));
  };
  return ScanTableWith(catalog, type.empty() ? "unavailable" : type, info, parts.back(),
                       make_scan(), make_scan);
}

Binder::ResolvedTable Binder::ResolveTable(const QualifiedName& name, bool must_exist) {
  ResolvedTable r;
  const auto& parts = name.parts;
  if (parts.size() > 3) {
    throw Error(ErrorKind::kCatalog, "table name '" + name.Joined() + "' has too many parts",
                name.position);
  }
  if (parts.size() == 3) {
    r.catalog = parts[0];
    r.schema = parts[1];
    r.table = parts[2];
  } else if (parts.size() == 2) {
    if (catalogs_.HasCatalog(parts[0])) {
      r.catalog = parts[0];
    } else {
      r.catalog = catalogs_.default_catalog;
      r.schema = parts[0];
    }
    r.table = parts[1];
  } else {
    r.catalog = catalogs_.default_catalog;
    r.table = parts[0];
  }
  if (r.catalog.empty()) {
    auto names = catalogs_.CatalogNames();
    if (names.size() == 1) {
      r.catalog = names[0];
    } else if (names.empty()) {
      throw Error(ErrorKind::kCatalog,
                  "table '" + name.Joined() +
                      "' not found: no data source is connected (use `aishell connect`)",
                  name.position);
    } else if (must_exist && parts.size() == 1) {
      // No default catalog: find the table in exactly one catalog's default schema.
      std::vector<std::string> found;
      for (const auto& n : names) {
        try {
          auto conn = catalogs_.GetCatalog(n);
          if (conn->GetTable(conn->DefaultSchema(), r.table)) found.push_back(n);
        } catch (const Error&) {
        }
      }
      if (found.size() == 1) {
        r.catalog = found[0];
      } else if (found.empty()) {
        throw Error(ErrorKind::kCatalog,
                    "table '" + name.Joined() +
                        "' not found in any catalog; qualify it as catalog.schema.table",
                    name.position);
      } else {
        std::string list;
        for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
        throw Error(ErrorKind::kCatalog,
                    "table '" + name.Joined() + "' is ambiguous: it exists in catalogs " + list +
                        "; qualify it as catalog.table",
                    name.position);
      }
    } else if (parts.size() == 2) {
      // `[orders-db].orders`: the first part names a source that is not connected (with one
      // source it would have been read as a schema of that source).
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      std::string hint = SuggestName(parts[0], names);
      throw Error(ErrorKind::kCatalog,
                  "no source named '" + parts[0] + "' (connected sources: " + list + ")" +
                      (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                  name.position);
    } else {
      throw Error(ErrorKind::kCatalog,
                  "no default catalog: qualify '" + name.Joined() + "' as catalog.schema.table",
                  name.position);
    }
  }
  try {
    r.connector = catalogs_.GetCatalog(r.catalog);
  } catch (const Error& e) {
    throw Error(e.kind(), e.what(), name.position);
  }
  bool schema_omitted = r.schema.empty();
  if (schema_omitted) {
    bool is_default = LowerName(r.catalog) == LowerName(catalogs_.default_catalog);
    r.schema = is_default && !catalogs_.default_schema.empty() ? catalogs_.default_schema
                                                               : r.connector->DefaultSchema();
  }
  // `<catalog>.information_schema.<table>`: Trino's metadata tables of any catalog (the system
  // catalog answers for its own).
  if (EqualsIgnoreCase(r.schema, kInformationSchema) && r.connector->TypeName() != "system")
    r.connector = MakeInformationSchemaConnector(&catalogs_, r.catalog);
  r.info = r.connector->GetTable(r.schema, r.table);
  if (!r.info && schema_omitted && parts.size() == 2) {
    // `[users-db].users` names a table outside the source's default schema: it resolves when
    // exactly one schema holds it, and is an error listing them when several do.
    std::vector<std::string> schemas;
    try {
      schemas = r.connector->ListSchemas();
    } catch (const Error&) {
    }
    std::vector<std::string> holders;
    for (const auto& s : schemas) {
      if (s == r.schema) continue;
      try {
        if (r.connector->GetTable(s, r.table)) holders.push_back(s);
      } catch (const Error&) {
      }
    }
    if (holders.size() == 1) {
      r.schema = holders[0];
      r.info = r.connector->GetTable(r.schema, r.table);
    } else if (holders.size() > 1) {
      std::string list;
      for (const auto& s : holders)
        list += (list.empty() ? "" : ", ") + QuoteIdentifier(r.catalog) + "." + QuoteIdentifier(s) +
                "." + QuoteIdentifier(r.table);
      throw Error(ErrorKind::kCatalog,
                  "table '" + name.Joined() + "' is ambiguous: it is not in the default schema '" +
                      r.schema + "' of source '" + r.catalog + "' and matches " +
                      std::to_string(holders.size()) + " tables: " + list +
                      "; qualify it with its schema",
                  name.position);
    }
  }
  if (!r.info && must_exist) {
    std::vector<std::string> tables;
    try {
      tables = r.connector->ListTables(r.schema);
    } catch (const Error&) {
    }
    std::string hint = SuggestName(r.table, tables);
    std::string where = "catalog '" + r.catalog + "'";
    if (parts.size() >= 2 || r.schema != r.connector->DefaultSchema())
      where += " schema '" + r.schema + "'";
    if (tables.empty()) {
      std::vector<std::string> schemas;
      try {
        schemas = r.connector->ListSchemas();
      } catch (const Error&) {
      }
      if (std::find(schemas.begin(), schemas.end(), r.schema) == schemas.end() &&
          !schemas.empty()) {
        std::string shint = SuggestName(r.schema, schemas);
        if (parts.size() == 2) {
          // `[file-db].users`: the first part may have meant a source as well as a schema.
          std::vector<std::string> candidates = catalogs_.CatalogNames();
          std::string chint = SuggestName(parts[0], candidates);
          std::string hint2 = chint.empty() ? shint : chint;
          throw Error(ErrorKind::kCatalog,
                      "no source named '" + parts[0] + "', and no schema '" + parts[0] +
                          "' in catalog '" + r.catalog + "'" +
                          (hint2.empty() ? "" : "; did you mean '" + hint2 + "'?"),
                      name.position);
        }
        throw Error(ErrorKind::kCatalog,
                    "schema '" + r.schema + "' not found in catalog '" + r.catalog + "'" +
                        (shint.empty() ? "" : "; did you mean '" + shint + "'?"),
                    name.position);
      }
    }
    throw Error(ErrorKind::kCatalog,
                "table '" + name.Joined() + "' not found in " + where +
                    (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                name.position);
  }
  return r;
}

BoundRelation Binder::BindBaseTable(const BaseTableRef& ref) {
  const auto& parts = ref.name.parts;
  if (parts.size() == 1 && ref.version_kind == TableVersionKind::kNone) {
    std::string lname = LowerName(parts[0]);
    for (size_t i = ctes_.size(); i-- > 0;) {
      const auto& entry = ctes_[i];
      if (LowerName(entry.cte->name) != lname) continue;
      // The CTE body sees only the CTEs defined before it.
      // and the outer queries' columns of where it is defined, not of where it is used.
      std::vector<CteEntry> saved = ctes_;
      std::vector<const Scope*> saved_frames = frames_;
      frames_.resize(std::min(frames_.size(), entry.frames));
      ctes_.resize(entry.depth);
      BoundRelation rel;
      try {
        rel = BindNamedQuery(*entry.cte->query, entry.cte->name, entry.cte->column_names,
                             entry.cte->position);
      } catch (...) {
        ctes_ = saved;
        frames_ = saved_frames;
        throw;
      }
      ctes_ = saved;
      frames_ = saved_frames;
      return rel;
    }
  }
  const ViewDefinition* view =
      ref.version_kind == TableVersionKind::kNone ? catalogs_.FindView(ref.name.Joined()) : nullptr;
  if (view) {
    if (++view_depth_ > kMaxViewDepth) {
      view_depth_ = 0;
      throw Error(ErrorKind::kBinder,
                  "view '" + view->name + "' is nested too deeply (is it recursive?)",
                  ref.position);
    }
    std::unique_ptr<QueryNode> query;
    try {
      query = ParseQuery(view->sql);
    } catch (const Error& e) {
      view_depth_--;
      throw Error(e.kind(), "in view '" + view->name + "': " + e.what(), ref.position);
    }
    std::vector<CteEntry> saved = ctes_;
    ctes_.clear();  // a view does not see the query's CTEs, nor the outer queries' columns
    std::vector<const Scope*> saved_frames = frames_;
    frames_.clear();
    int saved_view_position = view_position_;
    if (view_depth_ == 1) view_position_ = ref.position;
    BoundRelation rel;
    try {
      rel = BindNamedQuery(*query, parts.back(), {}, ref.position);
    } catch (const Error& e) {
      ctes_ = saved;
      frames_ = saved_frames;
      view_position_ = saved_view_position;
      view_depth_--;
      if (e.kind() == ErrorKind::kBinder || e.kind() == ErrorKind::kCatalog) {
        throw Error(e.kind(), "in view '" + view->name + "': " + e.what(), ref.position);
      }
      throw;
    }
    ctes_ = saved;
    frames_ = saved_frames;
    view_position_ = saved_view_position;
    view_depth_--;
    return rel;
  }
  ResolvedTable r;
  try {
    r = ResolveTable(ref.name, true);
  } catch (const Error& e) {
    if (auto unavailable = BindUnavailableTable(ref.name, e)) return std::move(*unavailable);
    // Views and CTEs are candidates too when the name does not resolve.
    std::string message = e.what();
    if (e.kind() != ErrorKind::kCatalog || message.find("did you mean") != std::string::npos) throw;
    std::vector<std::string> names;
    for (const auto& v : catalogs_.Views()) names.push_back(v.name);
    for (const auto& c : ctes_) names.push_back(c.cte->name);
    std::string hint = SuggestName(ref.name.Joined(), names);
    if (hint.empty()) throw;
    throw Error(e.kind(),
                "table '" + ref.name.Joined() + "' not found; did you mean '" + hint + "'?",
                ref.position);
  }
  if (ref.version_kind != TableVersionKind::kNone) {
    // Time travel: FOR VERSION AS OF <constant> / FOR TIMESTAMP AS OF <constant>.
    bool is_timestamp = ref.version_kind == TableVersionKind::kTimestamp;
    const char* clause = is_timestamp ? "FOR TIMESTAMP AS OF" : "FOR VERSION AS OF";
    if (!ref.version) {
      throw Error(ErrorKind::kSyntax, std::string(clause) + " needs a value", ref.position);
    }
    BindContext ctx;
    ctx.clause = clause;
    ExprPtr e = FoldConstantExpr(BindExpr(*ref.version, ctx));
    if (e->kind != ExprKind::kConstant || e->value.is_null()) {
      throw Error(ErrorKind::kBinder, std::string(clause) + " needs a non-null constant",
                  ref.version->position);
    }
    try {
      r.info = r.connector->GetTableVersion(r.schema, r.table, is_timestamp, e->value);
    } catch (const Error& err) {
      if (err.position() < 0) throw Error(err.kind(), err.what(), ref.version->position);
      throw;
    }
    if (!r.info) {
      throw Error(ErrorKind::kCatalog, "table '" + ref.name.Joined() + "' not found", ref.position);
    }
  }
  if (ref.version_kind == TableVersionKind::kNone) {
    // A local copy (aishell sync --cache) that has not expired is read in the table's place.
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    if (auto cached = catalogs_.FindCachedTable(r.catalog, r.schema, r.table, now)) {
      const TableFunction* read = TableFunctionRegistry::Find("read_parquet");
      if (read) {
        std::vector<Value> args = {Value::Varchar(cached->path)};
        BoundTableFunction bound = (*read)(args, {});
        auto info = std::make_shared<TableInfo>(*bound.table);
        info->schema = r.schema;
        info->name = r.table;
        auto make_scan = [read, args]() { return (*read)(args, {}).scan; };
        BoundRelation rel =
            ScanTableWith(r.catalog, "local cache", info, parts.back(), bound.scan, make_scan);
        static_cast<LogicalScan&>(*rel.plan).note =
            "[local cache: " + cached->path + ", " + std::to_string(now - cached->created_at) +
            " s old, expires in " + std::to_string(cached->created_at + cached->ttl_seconds - now) +
            " s (aishell sync --cache)]";
        return rel;
      }
    }
  }
  if (catalogs_.schema_cache && ref.version_kind == TableVersionKind::kNone) {
    catalogs_.schema_cache->Remember(r.catalog, r.connector->TypeName(),
                                     r.connector->DefaultSchema(), *r.info);
  }
  try {
    return ScanTable(r.catalog, r.connector, r.info, parts.back());
  } catch (const Error& e) {
    if (auto unavailable = BindUnavailableTable(ref.name, e)) return std::move(*unavailable);
    throw;
  }
}

BoundRelation Binder::BindTableFunction(const TableFunctionRef& ref) {
  std::string name = LowerName(ref.name.Joined());
  if (name == "unnest") {  // FROM UNNEST(ARRAY[...]): over one row without columns
    BoundRelation one;
    auto values = std::make_shared<LogicalValues>();
    values->rows.push_back({});
    one.plan = values;
    return BindUnnest(std::move(one), ref, false);
  }
  const auto& parts = ref.name.parts;
  // A source's own function: TABLE(catalog.system.raw_query(...)), or catalog.raw_query(...).
  bool of_source = (parts.size() == 2 || parts.size() == 3) && catalogs_.HasCatalog(parts[0]);
  const TableFunction* fn = of_source ? nullptr : TableFunctionRegistry::Find(name);
  if (!fn && !of_source) {
    std::string hint = SuggestName(name, TableFunctionRegistry::Names());
    throw Error(ErrorKind::kCatalog,
                "table function '" + name + "' not found" +
                    (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                ref.position);
  }
  std::vector<Value> args;
  std::map<std::string, Value> named;
  for (const auto& a : ref.args) {
    BindContext ctx;
    ctx.clause = "table function arguments";
    ExprPtr e = FoldConstantExpr(BindExpr(*a.value, ctx));
    if (e->kind != ExprKind::kConstant) {
      throw Error(ErrorKind::kBinder, "arguments of " + name + "() must be constants",
                  a.value->position);
    }
    if (a.name.empty()) {
      args.push_back(e->value);
    } else {
      named[a.name] = e->value;
    }
  }
  if (of_source) {
    std::shared_ptr<Connector> connector = catalogs_.GetCatalog(parts[0]);
    std::string function = LowerName(parts.back());
    SourceTableFunction called;
    try {
      called = connector->CallTableFunction(function, args, named);
    } catch (const Error& e) {
      if (e.position() < 0) throw Error(e.kind(), e.what(), ref.position);
      throw;
    }
    if (!called.table || !called.scan)
      throw Error(ErrorKind::kCatalog,
                  "catalog '" + parts[0] + "' (" + connector->TypeName() +
                      ") has no table function '" + function + "'",
                  ref.position);
    auto make_scan = [connector, function, args, named]() {
      return std::shared_ptr<TableScan>(connector->CallTableFunction(function, args, named).scan);
    };
    return ScanTableWith(parts[0], connector->TypeName(), called.table,
                         ref.alias.empty() ? function : ref.alias,
                         std::shared_ptr<TableScan>(std::move(called.scan)), make_scan);
  }
  BoundTableFunction bound;
  try {
    bound = (*fn)(args, named);
  } catch (const Error& e) {
    if (e.position() < 0) throw Error(e.kind(), e.what(), ref.position);
    throw;
  }
  if (!bound.table || !bound.scan) {
    throw Error(ErrorKind::kInternal, "table function " + name + "() returned no table",
                ref.position);
  }
  auto scan = std::make_shared<LogicalScan>();
  scan->catalog_name = name;
  scan->alias = ref.alias;
  scan->table = bound.table;
  scan->scan = bound.scan;
  scan->make_scan = [fn, args, named]() { return (*fn)(args, named).scan; };
  BoundRelation rel;
  for (size_t i = 0; i < bound.table->columns.size(); i++) {
    scan->column_ids.push_back(static_cast<int>(i));
    scan->output.push_back({bound.table->columns[i].name, bound.table->columns[i].type});
    ScopeColumn c;
    c.table = LowerName(ref.alias.empty() ? name : ref.alias);
    c.name = bound.table->columns[i].name;
    c.type = bound.table->columns[i].type;
    rel.scope.columns.push_back(c);
  }
  rel.plan = scan;
  AddSource(bound.source_name.empty() ? name : bound.source_name);
  return rel;
}

BoundRelation Binder::BindUnnest(BoundRelation left, const TableFunctionRef& ref, bool outer) {
  if (ref.args.empty())
    throw Error(ErrorKind::kBinder, "UNNEST needs at least one ARRAY or MAP argument",
                ref.position);
  auto unnest = std::make_shared<LogicalUnnest>();
  unnest->ordinality = ref.with_ordinality;
  unnest->outer = outer;
  BindContext ctx;
  ctx.scope = &left.scope;
  ctx.clause = "UNNEST";
  std::vector<OutputColumn> columns;  // the new columns
  for (const auto& arg : ref.args) {
    if (!arg.name.empty())
      throw Error(ErrorKind::kBinder, "UNNEST takes no named arguments", arg.value->position);
    ExprPtr e = BindExpr(*arg.value, ctx);
    const LogicalType& t = e->type;
    if (t.id == TypeId::kNull) {
      e = CastTo(e, LogicalType::Array(LogicalType(TypeId::kNull)));
    } else if (t.id != TypeId::kArray && t.id != TypeId::kMap) {
      throw Error(ErrorKind::kBinder, "UNNEST needs an ARRAY or MAP, not " + t.ToString(),
                  arg.value->position);
    }
    const LogicalType& at = e->type;
    if (at.id == TypeId::kMap) {
      columns.push_back({"key", at.Children()[0]});
      columns.push_back({"value", at.Children()[1]});
    } else if (at.ElementType().id == TypeId::kRow) {
      const auto& rt = at.ElementType();
      for (size_t f = 0; f < rt.Children().size(); f++) {
        std::string name =
            rt.FieldNames()[f].empty() ? "field" + std::to_string(f) : rt.FieldNames()[f];
        columns.push_back({name, rt.Children()[f]});
      }
    } else {
      columns.push_back({"unnest", at.ElementType()});
    }
    unnest->arrays.push_back(std::move(e));
  }
  if (ref.with_ordinality) columns.push_back({"ordinality", LogicalType(TypeId::kBigInt)});
  if (!ref.column_aliases.empty()) {
    if (ref.column_aliases.size() != columns.size())
      throw Error(ErrorKind::kBinder,
                  "UNNEST produces " + std::to_string(columns.size()) + " columns, but " +
                      std::to_string(ref.column_aliases.size()) + " column aliases are given",
                  ref.position);
    for (size_t i = 0; i < columns.size(); i++) columns[i].name = ref.column_aliases[i];
  }
  unnest->children = {left.plan};
  unnest->output = left.plan->output;
  BoundRelation rel;
  rel.scope = left.scope;
  for (const auto& c : columns) {
    unnest->output.push_back(c);
    ScopeColumn sc;
    sc.table = LowerName(ref.alias);
    sc.name = c.name;
    sc.type = c.type;
    rel.scope.columns.push_back(sc);
  }
  rel.plan = unnest;
  return rel;
}

namespace {
bool IsUnnest(const TableRef& ref) {
  return ref.kind == TableRefKind::kTableFunction &&
         LowerName(ref.As<TableFunctionRef>().name.Joined()) == "unnest";
}

bool IsTrueLiteral(const ParsedExpression* e) {
  return e && e->kind == ExpressionKind::kLiteral &&
         e->As<LiteralExpression>().literal_kind == LiteralKind::kBoolean &&
         e->As<LiteralExpression>().bool_value;
}
}  // namespace

BoundRelation Binder::BindJoin(const JoinRef& ref) {
  BoundRelation left = BindTableRef(*ref.left);
  if (IsUnnest(*ref.right)) {
    // t CROSS JOIN UNNEST(t.a), t, UNNEST(t.a), t [LEFT] JOIN UNNEST(t.a) ON true.
    bool outer = ref.type == AstJoinType::kLeft;
    bool inner_on_true = ref.type == AstJoinType::kInner && IsTrueLiteral(ref.condition.get());
    if (!(ref.type == AstJoinType::kCross || inner_on_true ||
          (outer && IsTrueLiteral(ref.condition.get()))))
      throw Error(
          ErrorKind::kUnsupported,
          "UNNEST joins only as CROSS JOIN UNNEST(...), a comma, or [LEFT] JOIN UNNEST(...) "
          "ON true",
          ref.position);
    return BindUnnest(std::move(left), ref.right->As<TableFunctionRef>(), outer);
  }
  if (ref.right->kind == TableRefKind::kSubquery && ref.right->As<SubqueryRef>().lateral) {
    return BindLateralJoin(std::move(left), ref);
  }
  BoundRelation right = BindTableRef(*ref.right);
  auto join = std::make_shared<LogicalJoin>();
  using AstJoin = decltype(JoinRef::type);  // robust to the AST renaming its enum
  switch (ref.type) {
    case AstJoin::kInner:
      join->join_type = JoinType::kInner;
      break;
    case AstJoin::kLeft:
      join->join_type = JoinType::kLeft;
      break;
    case AstJoin::kRight:
      join->join_type = JoinType::kRight;
      break;
    case AstJoin::kFull:
      join->join_type = JoinType::kFull;
      break;
    case AstJoin::kCross:
      join->join_type = JoinType::kCross;
      break;
  }
  join->children = {left.plan, right.plan};
  join->output = left.plan->output;
  join->output.insert(join->output.end(), right.plan->output.begin(), right.plan->output.end());
  BoundRelation rel;
  rel.scope.columns = left.scope.columns;
  rel.scope.columns.insert(rel.scope.columns.end(), right.scope.columns.begin(),
                           right.scope.columns.end());
  int left_size = static_cast<int>(left.scope.columns.size());

  std::vector<std::string> using_columns = ref.using_columns;
  if (ref.natural) {
    for (const auto& l : left.scope.columns) {
      if (l.hidden_from_star) continue;
      for (const auto& r : right.scope.columns) {
        if (!r.hidden_from_star && LowerName(l.name) == LowerName(r.name))
          using_columns.push_back(l.name);
      }
    }
  }
  if (ref.condition) {
    BindContext ctx;
    ctx.scope = &rel.scope;
    ctx.clause = "JOIN ... ON";
    try {
      join->condition =
          EnsureBoolean(BindExpr(*ref.condition, ctx), "JOIN condition", ref.condition->position);
    } catch (const Error& e) {
      // Subqueries in the ON of an inner join: joined in as in WHERE, after the other conjuncts.
      if (e.kind() != ErrorKind::kUnsupported) throw;
      if (join->join_type != JoinType::kInner && join->join_type != JoinType::kCross) {
        throw Error(ErrorKind::kUnsupported,
                    std::string(e.what()) +
                        " (of an outer join; the ON of an inner join, WHERE "
                        "and the select list take subqueries)",
                    e.position());
      }
      return BindJoinWithSubqueries(std::move(rel), join, *ref.condition);
    }
    if (join->join_type == JoinType::kCross) join->join_type = JoinType::kInner;
  } else if (join->join_type != JoinType::kCross && using_columns.empty() && !ref.natural) {
    join->join_type = JoinType::kCross;  // INNER JOIN without condition
  }
  if (using_columns.empty()) {
    if (ref.natural && join->join_type == JoinType::kInner) join->join_type = JoinType::kCross;
    rel.plan = join;
    return rel;
  }

  // USING: equality conditions, then a projection: the USING columns (coalesced for FULL
  // joins), then every input column (the USING duplicates reachable only qualified).
  std::vector<std::pair<int, int>> pairs;
  std::vector<ExprPtr> conds;
  for (const auto& name : using_columns) {
    auto find = [&](const Scope& s, const char* side) {
      int found = -1;
      for (size_t i = 0; i < s.columns.size(); i++) {
        if (!s.columns[i].hidden_from_star && LowerName(s.columns[i].name) == LowerName(name)) {
          if (found >= 0) {
            throw Error(ErrorKind::kBinder,
                        "USING column '" + name + "' is ambiguous on the " + side + " side",
                        ref.position);
          }
          found = static_cast<int>(i);
        }
      }
      if (found < 0) {
        throw Error(ErrorKind::kBinder,
                    "USING column '" + name + "' not found on the " + std::string(side) +
                        " side of the join",
                    ref.position);
      }
      return found;
    };
    int l = find(left.scope, "left");
    int r = find(right.scope, "right");
    pairs.push_back({l, r});
    const auto& lc = left.scope.columns[l];
    const auto& rc = right.scope.columns[r];
    conds.push_back(BindComparisonExpr(CompareOp::kEq, MakeColumnRef(l, lc.type, lc.name),
                                       MakeColumnRef(left_size + r, rc.type, rc.name),
                                       ref.position));
  }
  join->condition = MakeAnd(conds);
  if (join->join_type == JoinType::kCross) join->join_type = JoinType::kInner;
  rel.plan = join;

  auto project = std::make_shared<LogicalProject>();
  Scope scope;
  for (const auto& [l, r] : pairs) {
    const auto& lc = left.scope.columns[l];
    const auto& rc = right.scope.columns[r];
    ExprPtr le = MakeColumnRef(l, lc.type, lc.name);
    ExprPtr re = MakeColumnRef(left_size + r, rc.type, rc.name);
    auto common = CommonSuperType(lc.type, rc.type).value_or(lc.type);
    ExprPtr out;
    if (join->join_type == JoinType::kFull) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kCoalesce;
      e->type = common;
      e->children = {CastTo(le, common), CastTo(re, common)};
      out = e;
    } else if (join->join_type == JoinType::kRight) {
      out = re;
    } else {
      out = le;
    }
    project->exprs.push_back(out);
    project->output.push_back({lc.name, out->type});
    ScopeColumn c;
    c.name = lc.name;
    c.type = out->type;
    scope.columns.push_back(c);
  }
  for (size_t i = 0; i < rel.scope.columns.size(); i++) {
    auto c = rel.scope.columns[i];
    bool is_using = false;
    for (const auto& [l, r] : pairs)
      is_using = is_using || static_cast<int>(i) == l || static_cast<int>(i) == left_size + r;
    if (is_using) {
      c.hidden_from_star = true;
      c.qualified_only = true;
    }
    project->exprs.push_back(MakeColumnRef(static_cast<int>(i), c.type, c.name));
    project->output.push_back({c.name, c.type});
    scope.columns.push_back(c);
  }
  project->children = {join};
  rel.plan = project;
  rel.scope = std::move(scope);
  return rel;
}

}  // namespace aishell
