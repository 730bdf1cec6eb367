#include "catalog/metadata_connector.h"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "common/exception.h"
#include "common/strings.h"
#include "common/type_names.h"

namespace aishell {

namespace {

// What a scan's filters say about the listing: exact catalog, schema and table names.
struct ListingFilter {
  std::optional<std::string> catalog;
  std::optional<std::string> schema;
  std::optional<std::string> table;
};

// One metadata table: its columns, the roles of the columns that name a catalog, schema and table
// (-1: none), and how its rows are listed.
struct MetadataTable {
  std::vector<ColumnInfo> columns;
  int catalog_column = -1;
  int schema_column = -1;
  int table_column = -1;
  std::function<void(const ListingFilter&, std::vector<std::vector<Value>>*)> list;
};

Value Text(const std::string& s) { return Value::Varchar(s); }
Value NullText() { return Value::Null(LogicalType(TypeId::kVarchar)); }
Value NullBigInt() { return Value::Null(LogicalType(TypeId::kBigInt)); }
Value Big(int64_t v) { return Value::BigInt(v); }

ColumnInfo Col(const std::string& name, LogicalType type = LogicalType(TypeId::kVarchar)) {
  ColumnInfo c;
  c.name = name;
  c.type = type;
  return c;
}

// The text a LIKE pattern matches when it has no wildcard (escapes removed), or nullopt.
std::optional<std::string> LiteralPattern(const std::string& pattern, std::optional<char> escape) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); i++) {
    char c = pattern[i];
    if (escape && c == *escape && i + 1 < pattern.size()) {
      out += pattern[++i];
      continue;
    }
    if (c == '%' || c == '_') return std::nullopt;
    out += c;
  }
  return out;
}

// `column = 'text'` or `column LIKE 'text'` (no wildcard): the column and the text.
std::optional<std::pair<int, std::string>> NameEquality(const Expr& e) {
  auto constant_text = [](const Expr& c) -> std::optional<std::string> {
    if (c.kind != ExprKind::kConstant || c.value.is_null()) return std::nullopt;
    if (!c.value.type().IsStringLike()) return std::nullopt;
    return c.value.GetString();
  };
  if (e.kind == ExprKind::kComparison && e.op == CompareOp::kEq && e.children.size() == 2) {
    const Expr* column = e.children[0].get();
    const Expr* constant = e.children[1].get();
    if (column->kind != ExprKind::kColumnRef) std::swap(column, constant);
    if (column->kind != ExprKind::kColumnRef) return std::nullopt;
    auto text = constant_text(*constant);
    if (!text) return std::nullopt;
    return std::make_pair(column->column_index, *text);
  }
  if (e.kind == ExprKind::kLike && !e.negated && !e.case_insensitive && e.children.size() >= 2 &&
      e.children[0]->kind == ExprKind::kColumnRef) {
    auto pattern = constant_text(*e.children[1]);
    if (!pattern) return std::nullopt;
    std::optional<char> escape;
    if (e.children.size() > 2) {
      auto esc = constant_text(*e.children[2]);
      if (!esc || esc->size() != 1) return std::nullopt;
      escape = (*esc)[0];
    }
    auto literal = LiteralPattern(*pattern, escape);
    if (!literal) return std::nullopt;
    return std::make_pair(e.children[0]->column_index, *literal);
  }
  return std::nullopt;
}

class RowsSource : public DataSource {
 public:
  RowsSource(std::vector<LogicalType> types, std::vector<std::vector<Value>> rows,
             ScanCounters& counters)
      : types_(std::move(types)), rows_(std::move(rows)), counters_(counters) {}

  bool Next(Batch& out) override {
    if (next_ >= rows_.size()) return false;
    size_t n = std::min(kBatchSize, rows_.size() - next_);
    Batch batch(types_, n);
    for (size_t r = 0; r < n; r++) {
      for (size_t c = 0; c < types_.size(); c++) batch.columns[c].SetValue(r, rows_[next_ + r][c]);
    }
    batch.SetCount(n);
    next_ += n;
    counters_.rows_read += static_cast<int64_t>(n);
    out = std::move(batch);
    return true;
  }

 private:
  std::vector<LogicalType> types_;
  std::vector<std::vector<Value>> rows_;
  size_t next_ = 0;
  ScanCounters& counters_;
};

class MetadataScan : public TableScan {
 public:
  MetadataScan(std::shared_ptr<const TableInfo> info, std::shared_ptr<const MetadataTable> table)
      : info_(std::move(info)), table_(std::move(table)) {}

  void SetProjection(const std::vector<int>& column_ids) override { projection_ = column_ids; }
  bool PushFilter(const Expr& conjunct) override {
    auto eq = NameEquality(conjunct);
    if (!eq) return false;
    if (eq->first == table_->catalog_column) filter_.catalog = eq->second;
    if (eq->first == table_->schema_column) filter_.schema = eq->second;
    if (eq->first == table_->table_column) filter_.table = eq->second;
    return false;  // the engine applies it too: it only narrows the listing
  }
  std::string Describe() const override {
    std::string d = "metadata " + info_->schema + "." + info_->name;
    if (filter_.catalog) d += " catalog=" + *filter_.catalog;
    if (filter_.schema) d += " schema=" + *filter_.schema;
    if (filter_.table) d += " table=" + *filter_.table;
    return d;
  }
  std::vector<std::shared_ptr<Split>> CreateSplits(int max_parallelism) override {
    return {std::make_shared<Split>()};
  }
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split> split) override {
    std::vector<std::vector<Value>> rows;
    table_->list(filter_, &rows);
    std::vector<LogicalType> types;
    for (int c : projection_) types.push_back(info_->columns[c].type);
    std::vector<std::vector<Value>> projected;
    projected.reserve(rows.size());
    for (auto& row : rows) {
      std::vector<Value> out;
      for (int c : projection_) out.push_back(row[c]);
      projected.push_back(std::move(out));
    }
    return std::make_unique<RowsSource>(std::move(types), std::move(projected), counters_);
  }

 private:
  std::shared_ptr<const TableInfo> info_;
  std::shared_ptr<const MetadataTable> table_;
  std::vector<int> projection_;
  ListingFilter filter_;
};

// Walks the registry: catalogs, their schemas and tables, narrowed by a filter. A source that
// cannot be reached is left out (a metadata listing never fails for one bad source).
class Walker {
 public:
  Walker(CatalogRegistry* registry, std::optional<std::string> only_catalog)
      : registry_(registry), only_catalog_(std::move(only_catalog)) {}

  std::vector<std::string> Catalogs(const ListingFilter& f) const {
    std::vector<std::string> out;
    for (const auto& name : registry_->CatalogNames()) {
      if (only_catalog_ && !EqualsIgnoreCase(name, *only_catalog_)) continue;
      if (f.catalog && !EqualsIgnoreCase(name, *f.catalog)) continue;
      out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // The schemas of a catalog (information_schema included, as Trino lists it).
  std::vector<std::string> Schemas(const std::string& catalog, const ListingFilter& f) const {
    std::vector<std::string> out;
    try {
      for (const auto& s : registry_->GetCatalog(catalog)->ListSchemas()) {
        if (EqualsIgnoreCase(s, kInformationSchema)) continue;
        if (f.schema && s != *f.schema) continue;
        out.push_back(s);
      }
    } catch (const Error&) {
    }
    if (!f.schema || *f.schema == kInformationSchema) out.push_back(kInformationSchema);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> Tables(const std::string& catalog, const std::string& schema,
                                  const ListingFilter& f) const;
  std::shared_ptr<const TableInfo> Table(const std::string& catalog, const std::string& schema,
                                         const std::string& table) const;

 private:
  CatalogRegistry* registry_;
  std::optional<std::string> only_catalog_;
};

std::vector<std::string> Walker::Tables(const std::string& catalog, const std::string& schema,
                                        const ListingFilter& f) const {
  std::vector<std::string> out;
  if (schema == kInformationSchema) {
    for (const char* t : {"columns", "schemata", "tables"}) out.push_back(t);
  } else {
    try {
      out = registry_->GetCatalog(catalog)->ListTables(schema);
    } catch (const Error&) {
    }
  }
  if (f.table) {
    std::vector<std::string> kept;
    for (auto& t : out)
      if (t == *f.table) kept.push_back(t);
    out = std::move(kept);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Columns of a listed table; nullptr when it cannot be read.
std::shared_ptr<const TableInfo> Walker::Table(const std::string& catalog,
                                               const std::string& schema,
                                               const std::string& table) const {
  try {
    return registry_->GetCatalog(catalog)->GetTable(schema, table);
  } catch (const Error&) {
    return nullptr;
  }
}

std::vector<ColumnInfo> InformationSchemaColumnsOf(const std::string& table);

// Calls `each(catalog, schema, table, info)` for every table (and its columns) a filter allows.
void ForEachTable(const Walker& w, const ListingFilter& f, bool with_columns,
                  const std::function<void(const std::string&, const std::string&,
                                           const std::string&, const TableInfo*)>& each) {
  for (const auto& c : w.Catalogs(f)) {
    for (const auto& s : w.Schemas(c, f)) {
      for (const auto& t : w.Tables(c, s, f)) {
        if (!with_columns) {
          each(c, s, t, nullptr);
          continue;
        }
        if (s == kInformationSchema) {
          TableInfo info;
          info.schema = s;
          info.name = t;
          info.columns = InformationSchemaColumnsOf(t);
          each(c, s, t, &info);
          continue;
        }
        auto info = w.Table(c, s, t);
        if (info) each(c, s, t, info.get());
      }
    }
  }
}

std::vector<ColumnInfo> InformationSchemaColumnsOf(const std::string& table) {
  if (table == "schemata") return {Col("catalog_name"), Col("schema_name")};
  if (table == "tables")
    return {Col("table_catalog"), Col("table_schema"), Col("table_name"), Col("table_type")};
  if (table == "columns")
    return {Col("table_catalog"),
            Col("table_schema"),
            Col("table_name"),
            Col("column_name"),
            Col("ordinal_position", LogicalType(TypeId::kBigInt)),
            Col("column_default"),
            Col("is_nullable"),
            Col("data_type"),
            Col("comment"),
            Col("extra_info")};
  return {};
}

std::shared_ptr<MetadataTable> MakeTable(
    std::vector<ColumnInfo> columns, int catalog_column, int schema_column, int table_column,
    std::function<void(const ListingFilter&, std::vector<std::vector<Value>>*)> list) {
  auto t = std::make_shared<MetadataTable>();
  t->columns = std::move(columns);
  t->catalog_column = catalog_column;
  t->schema_column = schema_column;
  t->table_column = table_column;
  t->list = std::move(list);
  return t;
}

std::map<std::string, std::shared_ptr<MetadataTable>> MakeInformationSchema(
    CatalogRegistry* registry, std::optional<std::string> catalog) {
  auto w = std::make_shared<Walker>(registry, catalog);
  std::map<std::string, std::shared_ptr<MetadataTable>> out;
  out["schemata"] = MakeTable(InformationSchemaColumnsOf("schemata"), 0, 1, -1,
                              [w](const ListingFilter& f, std::vector<std::vector<Value>>* rows) {
                                for (const auto& c : w->Catalogs(f))
                                  for (const auto& s : w->Schemas(c, f))
                                    rows->push_back({Text(c), Text(s)});
                              });
  out["tables"] =
      MakeTable(InformationSchemaColumnsOf("tables"), 0, 1, 2,
                [w](const ListingFilter& f, std::vector<std::vector<Value>>* rows) {
                  ForEachTable(*w, f, false,
                               [&](const std::string& c, const std::string& s, const std::string& t,
                                   const TableInfo*) {
                                 rows->push_back({Text(c), Text(s), Text(t), Text("BASE TABLE")});
                               });
                });
  out["columns"] = MakeTable(
      InformationSchemaColumnsOf("columns"), 0, 1, 2,
      [w](const ListingFilter& f, std::vector<std::vector<Value>>* rows) {
        ForEachTable(*w, f, true,
                     [&](const std::string& c, const std::string& s, const std::string& t,
                         const TableInfo* info) {
                       int64_t ordinal = 0;
                       for (const auto& col : info->columns) {
                         if (col.hidden) continue;
                         rows->push_back(
                             {Text(c), Text(s), Text(t), Text(col.name), Big(++ordinal), NullText(),
                              Text(col.nullable ? "YES" : "NO"), Text(TrinoTypeName(col.type)),
                              col.comment.empty() ? NullText() : Text(col.comment), NullText()});
                       }
                     });
      });
  return out;
}

// Digits or characters a type holds (JDBC COLUMN_SIZE), or nullopt.
std::optional<int64_t> ColumnSize(const LogicalType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return 1;
    case TypeId::kTinyInt:
      return 3;
    case TypeId::kSmallInt:
      return 5;
    case TypeId::kInteger:
      return 10;
    case TypeId::kBigInt:
      return 19;
    case TypeId::kReal:
      return 24;
    case TypeId::kDouble:
      return 53;
    case TypeId::kDecimal:
      return t.precision;
    case TypeId::kVarchar:
    case TypeId::kVarbinary:
    case TypeId::kJson:
      return 2147483647;
    case TypeId::kDate:
      return 14;
    default:
      return std::nullopt;
  }
}

std::map<std::string, std::shared_ptr<MetadataTable>> MakeJdbcSchema(CatalogRegistry* registry) {
  auto w = std::make_shared<Walker>(registry, std::nullopt);
  std::map<std::string, std::shared_ptr<MetadataTable>> out;
  auto none = [](const ListingFilter&, std::vector<std::vector<Value>>*) {};
  out["catalogs"] = MakeTable({Col("table_cat")}, 0, -1, -1,
                              [w](const ListingFilter& f, std::vector<std::vector<Value>>* rows) {
                                for (const auto& c : w->Catalogs(f)) rows->push_back({Text(c)});
                              });
  out["schemas"] = MakeTable({Col("table_schem"), Col("table_catalog")}, 1, 0, -1,
                             [w](const ListingFilter& f, std::vector<std::vector<Value>>* rows) {
                               for (const auto& c : w->Catalogs(f))
                                 for (const auto& s : w->Schemas(c, f))
                                   rows->push_back({Text(s), Text(c)});
                             });
  out["table_types"] = MakeTable({Col("table_type")}, -1, -1, -1,
                                 [](const ListingFilter&, std::vector<std::vector<Value>>* rows) {
                                   rows->push_back({Text("TABLE")});
                                   rows->push_back({Text("VIEW")});
                                 });
  out["tables"] =
      MakeTable({Col("table_cat"), Col("table_schem"), Col("table_name"), Col("table_type"),
                 Col("remarks"), Col("type_cat"), Col("type_schem"), Col("type_name"),
                 Col("self_referencing_col_name"), Col("ref_generation")},
                0, 1, 2, [w](const ListingFilter& f, std::vector<std::vector<Value>>* rows) {
                  ForEachTable(*w, f, false,
                               [&](const std::string& c, const std::string& s, const std::string& t,
                                   const TableInfo*) {
                                 rows->push_back({Text(c), Text(s), Text(t), Text("TABLE"),
                                                  NullText(), NullText(), NullText(), NullText(),
                                                  NullText(), NullText()});
                               });
                });
  LogicalType big(TypeId::kBigInt);
  out["columns"] = MakeTable(
      {Col("table_cat"),
       Col("table_schem"),
       Col("table_name"),
       Col("column_name"),
       Col("data_type", big),
       Col("type_name"),
       Col("column_size", big),
       Col("buffer_length", big),
       Col("decimal_digits", big),
       Col("num_prec_radix", big),
       Col("nullable", big),
       Col("remarks"),
       Col("column_def"),
       Col("sql_data_type", big),
       Col("sql_datetime_sub", big),
       Col("char_octet_length", big),
       Col("ordinal_position", big),
       Col("is_nullable"),
       Col("scope_catalog"),
       Col("scope_schema"),
       Col("scope_table"),
       Col("source_data_type", big),
       Col("is_autoincrement"),
       Col("is_generatedcolumn")},
      0, 1, 2, [w](const ListingFilter& f, std::vector<std::vector<Value>>* rows) {
        ForEachTable(
            *w, f, true,
            [&](const std::string& c, const std::string& s, const std::string& t,
                const TableInfo* info) {
              int64_t ordinal = 0;
              for (const auto& col : info->columns) {
                if (col.hidden) continue;
                auto size = ColumnSize(col.type);
                bool numeric = col.type.IsNumeric();
                Value digits = col.type.id == TypeId::kDecimal ? Big(col.type.scale)
                               : col.type.IsIntegral()         ? Big(0)
                                                               : NullBigInt();
                rows->push_back({Text(c),
                                 Text(s),
                                 Text(t),
                                 Text(col.name),
                                 Big(JdbcTypeCode(col.type)),
                                 Text(TrinoTypeName(col.type)),
                                 size ? Big(*size) : NullBigInt(),
                                 NullBigInt(),
                                 digits,
                                 numeric ? Big(col.type.IsFloating() ? 2 : 10) : NullBigInt(),
                                 Big(col.nullable ? 1 : 0),
                                 col.comment.empty() ? NullText() : Text(col.comment),
                                 NullText(),
                                 NullBigInt(),
                                 NullBigInt(),
                                 col.type.IsStringLike() && size ? Big(*size) : NullBigInt(),
                                 Big(++ordinal),
                                 Text(col.nullable ? "YES" : "NO"),
                                 NullText(),
                                 NullText(),
                                 NullText(),
                                 NullBigInt(),
                                 Text("NO"),
                                 Text("NO")});
              }
            });
      });
  out["types"] = MakeTable(
      {Col("type_name"), Col("data_type", big), Col("precision", big), Col("literal_prefix"),
       Col("literal_suffix"), Col("create_params"), Col("nullable", big),
       Col("case_sensitive", LogicalType(TypeId::kBoolean)), Col("searchable", big),
       Col("unsigned_attribute", LogicalType(TypeId::kBoolean)),
       Col("fixed_prec_scale", LogicalType(TypeId::kBoolean)),
       Col("auto_increment", LogicalType(TypeId::kBoolean)), Col("local_type_name"),
       Col("minimum_scale", big), Col("maximum_scale", big), Col("sql_data_type", big),
       Col("sql_datetime_sub", big), Col("num_prec_radix", big)},
      -1, -1, -1, [](const ListingFilter&, std::vector<std::vector<Value>>* rows) {
        for (TypeId id : {TypeId::kBoolean, TypeId::kTinyInt, TypeId::kSmallInt, TypeId::kInteger,
                          TypeId::kBigInt, TypeId::kReal, TypeId::kDouble, TypeId::kDecimal,
                          TypeId::kVarchar, TypeId::kVarbinary, TypeId::kJson, TypeId::kDate,
                          TypeId::kTime, TypeId::kTimestamp, TypeId::kTimestampTz, TypeId::kUuid}) {
          LogicalType t = id == TypeId::kDecimal ? LogicalType::Decimal(38, 0) : LogicalType(id);
          std::string name = id == TypeId::kDecimal ? "decimal" : TrinoTypeName(t);
          auto p = name.find('(');
          if (p != std::string::npos) name = name.substr(0, p);
          auto size = ColumnSize(t);
          rows->push_back({Text(name), Big(JdbcTypeCode(t)), size ? Big(*size) : NullBigInt(),
                           NullText(), NullText(), NullText(), Big(1),
                           Value::Boolean(t.IsStringLike()), Big(3), Value::Boolean(false),
                           Value::Boolean(false), Value::Boolean(false), NullText(), Big(0),
                           Big(id == TypeId::kDecimal ? 38 : 0), NullBigInt(), NullBigInt(),
                           t.IsNumeric() ? Big(10) : NullBigInt()});
        }
      });
  // Read by DatabaseMetaData methods; aishell has none of these objects.
  out["procedures"] =
      MakeTable({Col("procedure_cat"), Col("procedure_schem"), Col("procedure_name"),
                 Col("remarks"), Col("procedure_type", big), Col("specific_name")},
                0, 1, 2, none);
  out["udts"] = MakeTable({Col("type_cat"), Col("type_schem"), Col("type_name"), Col("class_name"),
                           Col("data_type", big), Col("remarks"), Col("base_type", big)},
                          0, 1, 2, none);
  out["super_tables"] =
      MakeTable({Col("table_cat"), Col("table_schem"), Col("table_name"), Col("supertable_name")},
                0, 1, 2, none);
  out["pseudo_columns"] =
      MakeTable({Col("table_cat"), Col("table_schem"), Col("table_name"), Col("column_name"),
                 Col("data_type", big), Col("column_size", big), Col("decimal_digits", big),
                 Col("num_prec_radix", big), Col("column_usage"), Col("remarks"),
                 Col("char_octet_length", big), Col("is_nullable")},
                0, 1, 2, none);
  return out;
}

// A connector over named schemas of metadata tables.
class MetadataConnector : public Connector {
 public:
  using Schemas = std::map<std::string, std::map<std::string, std::shared_ptr<MetadataTable>>>;
  MetadataConnector(std::string type, std::string default_schema, Schemas schemas)
      : type_(std::move(type)),
        default_schema_(std::move(default_schema)),
        schemas_(std::move(schemas)) {}

  std::string TypeName() const override { return type_; }
  std::string DefaultSchema() const override { return default_schema_; }
  std::vector<std::string> ListSchemas() override {
    std::vector<std::string> out;
    for (const auto& [name, tables] : schemas_) out.push_back(name);
    return out;
  }
  std::vector<std::string> ListTables(const std::string& schema) override {
    std::vector<std::string> out;
    auto it = schemas_.find(AsciiLower(schema));
    if (it == schemas_.end()) return out;
    for (const auto& [name, table] : it->second) out.push_back(name);
    return out;
  }
  std::shared_ptr<const TableInfo> GetTable(const std::string& schema,
                                            const std::string& table) override {
    auto s = schemas_.find(AsciiLower(schema));
    if (s == schemas_.end()) return nullptr;
    auto t = s->second.find(AsciiLower(table));
    if (t == s->second.end()) return nullptr;
    auto info = std::make_shared<TableInfo>();
    info->schema = s->first;
    info->name = t->first;
    info->columns = t->second->columns;
    info->location = s->first + "." + t->first;
    std::lock_guard<std::mutex> lock(mutex_);
    tables_[info.get()] = t->second;
    infos_.push_back(info);
    return info;
  }
  std::unique_ptr<TableScan> CreateScan(std::shared_ptr<const TableInfo> table) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tables_.find(table.get());
    if (it == tables_.end())
      throw Error(ErrorKind::kInternal, "metadata table " + table->name + " was not looked up");
    return std::make_unique<MetadataScan>(table, it->second);
  }

 private:
  std::string type_;
  std::string default_schema_;
  Schemas schemas_;
  std::mutex mutex_;
  std::map<const TableInfo*, std::shared_ptr<const MetadataTable>> tables_;
  std::vector<std::shared_ptr<const TableInfo>> infos_;  // keeps the keys of tables_ alive
};

}  // namespace

int JdbcTypeCode(const LogicalType& type) {
  switch (type.id) {
    case TypeId::kBoolean:
      return 16;
    case TypeId::kTinyInt:
      return -6;
    case TypeId::kSmallInt:
      return 5;
    case TypeId::kInteger:
      return 4;
    case TypeId::kBigInt:
      return -5;
    case TypeId::kReal:
      return 7;
    case TypeId::kDouble:
      return 8;
    case TypeId::kDecimal:
      return 3;
    case TypeId::kVarchar:
    case TypeId::kJson:
      return 12;
    case TypeId::kVarbinary:
      return -3;
    case TypeId::kDate:
      return 91;
    case TypeId::kTime:
      return 92;
    case TypeId::kTimestamp:
      return 93;
    case TypeId::kTimestampTz:
      return 2014;
    case TypeId::kArray:
      return 2003;
    default:
      return 2000;  // JAVA_OBJECT: uuid, interval, map, row
  }
}

std::shared_ptr<Connector> MakeInformationSchemaConnector(CatalogRegistry* registry,
                                                          const std::string& catalog) {
  MetadataConnector::Schemas schemas;
  schemas[kInformationSchema] = MakeInformationSchema(registry, catalog);
  return std::make_shared<MetadataConnector>("information_schema", kInformationSchema,
                                             std::move(schemas));
}

namespace {

// system.metadata: the tables SQLAlchemy's trino dialect reads (table comments) and catalogs.
std::map<std::string, std::shared_ptr<MetadataTable>> MakeMetadataSchema(
    CatalogRegistry* registry) {
  auto w = std::make_shared<Walker>(registry, std::nullopt);
  std::map<std::string, std::shared_ptr<MetadataTable>> out;
  out["catalogs"] =
      MakeTable({Col("catalog_name"), Col("connector_id"), Col("connector_name")}, 0, -1, -1,
                [w, registry](const ListingFilter& f, std::vector<std::vector<Value>>* rows) {
                  for (const auto& c : w->Catalogs(f)) {
                    std::string type;
                    if (const ConnectionConfig* config = registry->GetConfig(c))
                      type = config->type;
                    rows->push_back({Text(c), Text(c), Text(type)});
                  }
                });
  out["table_comments"] =
      MakeTable({Col("catalog_name"), Col("schema_name"), Col("table_name"), Col("comment")}, 0, 1,
                2, [w](const ListingFilter& f, std::vector<std::vector<Value>>* rows) {
                  ForEachTable(*w, f, false,
                               [&](const std::string& c, const std::string& s, const std::string& t,
                                   const TableInfo*) {
                                 rows->push_back({Text(c), Text(s), Text(t), NullText()});
                               });
                });
  return out;
}

}  // namespace

std::shared_ptr<Connector> MakeSystemConnector(CatalogRegistry* registry) {
  MetadataConnector::Schemas schemas;
  schemas["jdbc"] = MakeJdbcSchema(registry);
  schemas["metadata"] = MakeMetadataSchema(registry);
  schemas[kInformationSchema] = MakeInformationSchema(registry, std::string("system"));
  return std::make_shared<MetadataConnector>("system", "jdbc", std::move(schemas));
}

}  // namespace aishell
