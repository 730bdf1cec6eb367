#include "nl/nl_catalog.h"

#include "common/secrets.h"
#include "common/strings.h"

namespace aishell {

NlSchema LoadNlSchema(Engine& engine, const std::map<std::string, std::string>& settings,
                      std::vector<std::string>* warnings) {
  NlSchema schema;
  for (const auto& name : engine.catalogs().CatalogNames()) {
    try {
      auto connector = engine.catalogs().GetCatalog(name);
      const ConnectionConfig* config = engine.catalogs().GetConfig(name);
      std::string type = config ? config->type : "";
      std::string default_schema = connector->DefaultSchema();
      for (const auto& s : connector->ListSchemas()) {
        std::string ls = AsciiLower(s);
        if (ls == "information_schema" || ls == "pg_catalog") continue;
        for (const auto& t : connector->ListTables(s)) {
          auto info = connector->GetTable(s, t);
          if (!info) continue;
          NlTable table;
          table.catalog = name;
          table.schema = s;
          table.name = t;
          table.source_type = type;
          table.in_default_schema = s == default_schema;
          table.row_count = info->stats.row_count.value_or(-1);
          for (const auto& c : info->columns)
            if (!c.hidden) table.columns.push_back({c.name, c.type});
          for (const auto& fk : info->foreign_keys) {
            if (fk.columns.size() != 1) continue;  // single-column references only
            table.references.push_back({fk.columns[0], fk.referenced_schema, fk.referenced_table,
                                        fk.referenced_columns[0]});
          }
          schema.tables.push_back(std::move(table));
        }
      }
    } catch (const Error& e) {
      if (warnings) warnings->push_back(name + ": " + RedactText(e.what()));
    }
  }
  for (const auto& [key, value] : settings) {
    std::string k = AsciiLower(key);
    const std::string prefix = "nl.synonyms.";
    if (k.starts_with(prefix) && k.size() > prefix.size())
      schema.synonyms[k.substr(prefix.size())] = value;
  }
  schema.sample_values = [&engine](const NlTable& table, const NlColumn& column) {
    std::vector<std::string> values;
    std::string sql = "SELECT DISTINCT " + std::string("\"");
    for (char c : column.name) {
      if (c == '"') sql += '"';
      sql += c;
    }
    sql += "\" FROM " + table.QualifiedName() + " LIMIT " + std::to_string(kNlMaxSampledValues + 1);
    QueryResult result = engine.Execute(sql);
    for (const auto& batch : result.batches)
      for (size_t i = 0; i < batch.count; i++) {
        Value v = batch.columns[0].GetValue(i);
        if (!v.is_null()) values.push_back(v.ToString());
      }
    if (static_cast<int>(values.size()) > kNlMaxSampledValues) values.clear();
    return values;
  };
  return schema;
}

}  // namespace aishell
