// PlanStatement: binds a statement (binder.h), then optimizes the plan (optimizer/).
#include "planner/planner.h"

#include <algorithm>

#include "common/exception.h"
#include "common/strings.h"
#include "planner/binder.h"
#include "planner/optimizer/optimizer.h"
#include "planner/subquery_unnesting.h"

namespace aishell {

namespace {

LogicalPtr MakeInsertNode(LogicalPtr query, const std::string& catalog,
                          std::shared_ptr<Connector> connector, const std::string& schema,
                          const std::string& table, bool create, std::vector<ColumnInfo> columns) {
  auto insert = std::make_shared<LogicalInsert>();
  insert->catalog_name = catalog;
  insert->connector = std::move(connector);
  insert->schema = schema;
  insert->table = table;
  insert->create_table = create;
  insert->columns = std::move(columns);
  insert->output.push_back({"rows", LogicalType(TypeId::kBigInt)});
  insert->children = {std::move(query)};
  return insert;
}

}  // namespace

PlannedQuery Binder::PlanStatement(const Statement& statement) {
  PlannedQuery result;
  switch (statement.kind) {
    case StatementKind::kSelect:
      result.plan = BindQuery(*statement.As<SelectStatement>().query);
      break;
    case StatementKind::kInsert: {
      const auto& ins = statement.As<InsertStatement>();
      ResolvedTable target = ResolveTable(ins.table, true);
      if (!target.connector->SupportsWrites()) {
        throw Error(ErrorKind::kUnsupported,
                    "catalog '" + target.catalog + "' (" + target.connector->TypeName() +
                        ") does not support INSERT",
                    ins.table.position);
      }
      LogicalPtr query = BindQuery(*ins.query);
      const auto& columns = target.info->columns;
      // Target column i takes query column source[i], or NULL.
      std::vector<int> source(columns.size(), -1);
      if (ins.columns.empty()) {
        if (query->output.size() != columns.size()) {
          throw Error(ErrorKind::kBinder,
                      "INSERT into '" + ins.table.Joined() + "' has " +
                          std::to_string(columns.size()) + " columns but the query produces " +
                          std::to_string(query->output.size()),
                      ins.position);
        }
        for (size_t i = 0; i < columns.size(); i++) source[i] = static_cast<int>(i);
      } else {
        if (query->output.size() != ins.columns.size()) {
          throw Error(ErrorKind::kBinder,
                      "INSERT names " + std::to_string(ins.columns.size()) +
                          " columns but the query produces " + std::to_string(query->output.size()),
                      ins.position);
        }
        for (size_t k = 0; k < ins.columns.size(); k++) {
          int idx = target.info->FindColumn(ins.columns[k]);
          if (idx < 0) {
            std::vector<std::string> names;
            for (const auto& c : columns) names.push_back(c.name);
            std::string hint = SuggestName(ins.columns[k], names);
            throw Error(ErrorKind::kBinder,
                        "column '" + ins.columns[k] + "' not found in table '" +
                            ins.table.Joined() + "'" +
                            (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
                        ins.position);
          }
          if (source[idx] >= 0) {
            throw Error(ErrorKind::kBinder, "column '" + ins.columns[k] + "' is listed twice",
                        ins.position);
          }
          source[idx] = static_cast<int>(k);
        }
      }
      auto project = std::make_shared<LogicalProject>();
      for (size_t i = 0; i < columns.size(); i++) {
        ExprPtr e;
        if (source[i] < 0) {
          e = MakeConstant(Value::Null(columns[i].type));
        } else {
          const auto& out = query->output[source[i]];
          e = MakeColumnRef(source[i], out.type, out.name);
          if (out.type != columns[i].type) {
            if (!CanImplicitlyCoerce(out.type, columns[i].type) &&
                !(out.type.IsNumeric() && columns[i].type.IsNumeric())) {
              throw Error(ErrorKind::kBinder,
                          "cannot insert " + out.type.ToString() + " into column '" +
                              columns[i].name + "' of type " + columns[i].type.ToString(),
                          ins.position);
            }
            e = CastTo(e, columns[i].type);
          }
        }
        project->exprs.push_back(e);
        project->output.push_back({columns[i].name, columns[i].type});
      }
      project->children = {query};
      AddSource(target.catalog + " (" + target.connector->TypeName() + ")");
      result.plan = MakeInsertNode(project, target.catalog, target.connector, target.schema,
                                   target.info->name, false, columns);
      break;
    }
    case StatementKind::kCreateTableAs: {
      const auto& ctas = statement.As<CreateTableAsStatement>();
      ResolvedTable target = ResolveTable(ctas.name, false);
      if (target.info && ctas.if_not_exists) {
        // Trino: CREATE TABLE IF NOT EXISTS ... AS on an existing table does nothing (0 rows).
        auto values = std::make_shared<LogicalValues>();
        values->rows.push_back({MakeConstant(Value::BigInt(0))});
        values->output.push_back({"rows", LogicalType(TypeId::kBigInt)});
        result.plan = values;
        break;
      }
      if (target.info && !ctas.or_replace) {
        throw Error(ErrorKind::kCatalog, "table '" + ctas.name.Joined() + "' already exists",
                    ctas.name.position);
      }
      if (!target.connector->SupportsWrites()) {
        throw Error(ErrorKind::kUnsupported,
                    "catalog '" + target.catalog + "' (" + target.connector->TypeName() +
                        ") does not support CREATE TABLE",
                    ctas.name.position);
      }
      LogicalPtr query = BindQuery(*ctas.query);
      if (!ctas.column_names.empty() && ctas.column_names.size() != query->output.size()) {
        throw Error(ErrorKind::kBinder,
                    "CREATE TABLE names " + std::to_string(ctas.column_names.size()) +
                        " columns but the query produces " + std::to_string(query->output.size()),
                    ctas.position);
      }
      std::vector<ColumnInfo> columns;
      auto project = std::make_shared<LogicalProject>();
      for (size_t i = 0; i < query->output.size(); i++) {
        ColumnInfo c;
        c.name = ctas.column_names.empty() ? query->output[i].name : ctas.column_names[i];
        c.type = query->output[i].type.id == TypeId::kNull ? LogicalType(TypeId::kVarchar)
                                                           : query->output[i].type;
        project->exprs.push_back(
            CastTo(MakeColumnRef(static_cast<int>(i), query->output[i].type, query->output[i].name),
                   c.type));
        project->output.push_back({c.name, c.type});
        columns.push_back(c);
      }
      project->children = {query};
      LogicalPtr input = project;
      if (!ctas.with_data) {
        auto limit = std::make_shared<LogicalLimit>();
        limit->limit = 0;
        limit->output = project->output;
        limit->children = {project};
        input = limit;
      }
      std::vector<TableProperty> properties;
      for (const auto& clause : ctas.properties) {
        TableProperty p;
        p.name = clause.name;
        p.position = clause.position;
        p.is_array = clause.is_array;
        p.values = clause.values;
        p.value_positions = clause.value_positions;
        properties.push_back(std::move(p));
      }
      target.connector->CheckTableProperties(columns, properties);
      AddSource(target.catalog + " (" + target.connector->TypeName() + ")");
      result.plan = MakeInsertNode(input, target.catalog, target.connector, target.schema,
                                   target.table, true, columns);
      static_cast<LogicalInsert&>(*result.plan).properties = std::move(properties);
      break;
    }
    default:
      throw Error(
          ErrorKind::kUnsupported,
          std::string(StatementKindName(statement.kind)) + " is not a query the planner handles",
          statement.position);
  }
  // Every outer reference of a correlated subquery has been unnested into joins by now.
  if (PlanHasOuterRefs(*result.plan, [](int) { return true; })) {
    throw Error(ErrorKind::kInternal, "a correlated subquery was not unnested", statement.position);
  }
  result.plan = Optimize(result.plan, options_, &notices_);
  result.sources = sources_;
  result.notices = notices_;
  return result;
}

TableTarget Binder::ResolveTarget(const QualifiedName& name, bool must_exist) {
  ResolvedTable r = ResolveTable(name, must_exist);
  return {r.catalog, r.connector, r.info};
}

TableTarget ResolveTableTarget(const QualifiedName& name, CatalogRegistry& catalogs,
                               bool must_exist) {
  Binder binder(catalogs, PlannerOptions{});
  return binder.ResolveTarget(name, must_exist);
}

PlannedQuery PlanStatement(const Statement& statement, CatalogRegistry& catalogs,
                           const PlannerOptions& options) {
  Binder binder(catalogs, options);
  return binder.PlanStatement(statement);
}

std::map<std::string, LogicalType> ParseTypeMappings(const std::string& text) {
  std::map<std::string, LogicalType> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of(",\n;", pos);
    if (end == std::string::npos) end = text.size();
    std::string entry = TrimSpace(text.substr(pos, end - pos));
    pos = end + 1;
    if (entry.empty()) continue;
    auto bad = [&entry](const std::string& why) {
      return Error(ErrorKind::kConversion,
                   "federation.type_mappings: bad entry '" + entry + "' (" + why +
                       "); expected catalog.schema.table.column: type, e.g. "
                       "users-db.public.users.id: varchar");
    };
    size_t colon = entry.rfind(':');
    if (colon == std::string::npos) throw bad("no ': type'");
    std::string name = AsciiLower(TrimSpace(entry.substr(0, colon)));
    std::string type_text = AsciiLower(TrimSpace(entry.substr(colon + 1)));
    size_t dots = static_cast<size_t>(std::count(name.begin(), name.end(), '.'));
    if (dots < 2 || dots > 3 || name.front() == '.' || name.back() == '.' ||
        name.find("..") != std::string::npos)
      throw bad("the column needs catalog.table.column or catalog.schema.table.column");
    if (type_text == "string" || type_text == "text") type_text = "varchar";
    if (type_text == "int") type_text = "integer";
    auto type = ParseTypeName(type_text);
    if (!type) throw bad("unknown type '" + type_text + "'");
    out[name] = *type;
  }
  return out;
}

}  // namespace aishell
