// What the English translator knows about the connected sources: tables with their columns,
// types, row estimates and (lazily) sampled distinct values of text columns. Built from the live
// catalog by nl_catalog.h, or by hand in tests and benchmarks.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/types.h"

namespace aishell {

struct NlColumn {
  std::string name;
  LogicalType type;
};

struct NlTable {
  std::string catalog;      // the connection name
  std::string schema;       // the schema inside it
  std::string name;         // the table (collection, index, key pattern)
  std::string source_type;  // the connector type: postgres, mongodb, sqlite, ...
  // In the connection's default schema (PostgreSQL's public, the database of a MongoDB URL): a
  // name found in several schemas of one source means this one.
  bool in_default_schema = false;
  std::vector<NlColumn> columns;
  double row_count = -1;  // estimate, -1 if unknown
  // Declared references of one column (PostgreSQL FOREIGN KEY): column -> schema.table.column
  // of the same connection. Joins follow them before naming conventions.
  struct Reference {
    std::string column;
    std::string schema;
    std::string table;
    std::string referenced_column;
  };
  std::vector<Reference> references;

  int FindColumn(const std::string& column) const;  // case-insensitive, -1 if none
  std::string QualifiedName() const;                // "catalog"."schema"."name", quoted as needed
};

struct NlSchema {
  std::vector<NlTable> tables;
  // Extra synonyms, word -> table name (nl.synonyms.<word>), applied before the built-in ones.
  std::map<std::string, std::string> synonyms;
  // The distinct values of a text column (at most a few dozen; empty when it has more or none).
  // Called lazily, only for the tables a question touches; may be empty (no value matching).
  std::function<std::vector<std::string>(const NlTable&, const NlColumn&)> sample_values;
  // How many sources were read from the catalog cache (nl_catalog.h), and how many in all.
  int cached_sources = 0;
  int sources = 0;
};

}  // namespace aishell
