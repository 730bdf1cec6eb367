// `aishell export-catalogs --to trino <dir>`: the saved sources as Trino catalog files, the views
// as Trino CREATE VIEW statements, and notes for what does not carry over (see trino_export.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "catalog/catalog_registry.h"
#include "catalog/connector.h"

namespace aishell {

struct TrinoExportOptions {
  // Where the files will live: absolute paths inside the properties files (Redis table
  // descriptions) point into it.
  std::string out_dir;
  // Write passwords and keys into the files; otherwise they are ${ENV:VAR} references.
  bool include_secrets = false;
  // The memory catalog that holds the views (a connection of that name gets a suffix).
  std::string views_catalog = "aishell_views";
};

struct TrinoExport {
  // Relative path -> content: etc/catalog/<name>.properties, etc/redis/<name>/<table>.json,
  // views.sql, NOTES.md.
  std::map<std::string, std::string> files;
  // What did not carry over, one line each (also in NOTES.md).
  std::vector<std::string> notes;
  // Environment variables the files reference, with what each must hold (never the value).
  std::vector<std::pair<std::string, std::string>> env_vars;
  // aishell connection name -> Trino catalog name (lower case, '-' as '_').
  std::map<std::string, std::string> catalog_names;
};

// The Trino catalog name of an aishell connection: lower case, '-' becomes '_'.
std::string TrinoCatalogName(const std::string& connection);

// `sql` (an aishell view's query) in Trino's terms: catalog names renamed, `catalog.table`
// given the connection's default schema, references to other views qualified with the views
// catalog. `default_schemas` maps each aishell connection name (lower case) to its default schema.
std::string TrinoViewSql(const std::string& sql,
                         const std::map<std::string, std::string>& default_schemas,
                         const std::vector<std::string>& view_names,
                         const std::string& views_catalog);

// Builds every file. Reads the sources' table lists where a Trino catalog needs them (Redis
// table descriptions); a source that cannot be reached becomes a note.
TrinoExport ExportTrinoCatalogs(CatalogRegistry& catalogs,
                                const std::vector<ConnectionConfig>& connections,
                                const std::vector<ViewDefinition>& views,
                                const TrinoExportOptions& options);

}  // namespace aishell
