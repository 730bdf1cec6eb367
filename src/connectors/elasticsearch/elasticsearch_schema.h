// Elasticsearch mappings as tables: each field of `_mapping` becomes a column (keyword/text ->
// VARCHAR, long/integer/short/byte -> BIGINT/INTEGER/SMALLINT/TINYINT, double -> DOUBLE,
// float/half_float -> REAL, scaled_float -> DOUBLE, boolean, date/date_nanos -> TIMESTAMP(3) WITH
// TIME ZONE (parsed by the mapping's `format`), ip -> VARCHAR, object -> ROW, nested ->
// ARRAY(ROW), anything else -> JSON). A field declared as an array (`--property
// array.<index>.<field>=true`, the mapping's `_meta.aishell.arrays`, or seen holding one in a
// sample) is ARRAY of its type. `_id`, `_score` and `_source` are hidden columns.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "catalog/connector.h"

namespace aishell {

struct EsField {
  std::string name;                  // key within its parent object
  std::string path;                  // dotted path from the document root
  std::string es_type;               // keyword, text, long, ..., object, nested
  std::vector<std::string> formats;  // date formats (the mapping's `format` split at ||)
  std::string keyword_subfield;      // a text field's keyword sub-field ("title.keyword"), or ""
  int subfield_ignore_above = -1;    // that sub-field's ignore_above (-1: none)
  int ignore_above = -1;             // a keyword field's ignore_above (-1: none)
  bool normalized = false;           // a keyword field with a normalizer (terms do not match text)
  bool is_array = false;             // the column is ARRAY of the field's type
  LogicalType type;                  // the SQL type (ARRAY-wrapped when is_array)
  std::vector<EsField> children;     // object and nested fields
};

enum class EsColumnKind : uint8_t { kField, kId, kScore, kSource };

struct EsColumn {
  EsColumnKind kind = EsColumnKind::kField;
  const EsField* field = nullptr;  // kField: into EsTable::fields
};

struct EsTable {
  std::string index;  // the index, alias, data stream or pattern as the server names it
  std::vector<std::string> indices;  // the concrete indices behind it (for messages)
  std::vector<EsField> fields;       // top-level fields, in column order
  std::vector<EsColumn> columns;     // one per TableInfo column
  std::shared_ptr<TableInfo> info;
  int64_t max_terms_count = 65536;
};

// The SQL type of an Elasticsearch field type (no array wrapping); JSON for types without one.
LogicalType EsScalarType(const std::string& es_type);

// Builds the table from a `GET /<index>/_mapping` body (one entry per concrete index: their
// properties are merged; a field mapped to different types in two indices is an error naming both
// indices and the field). `arrays` holds dotted paths declared as arrays. Throws Error(kCatalog).
std::shared_ptr<EsTable> BuildEsTable(const std::string& index, const std::string& mapping_json,
                                      const std::set<std::string>& arrays,
                                      const std::string& where);

// The dotted paths of fields that hold a JSON array in any of the hits of a `_search` body
// (inside objects too), for array detection while sampling.
std::set<std::string> ArrayPathsInSample(const std::string& search_json);

// Resolves a column by dotted path ("a.b.c") to its field, or nullptr.
const EsField* FindEsField(const EsTable& table, const std::string& path);

}  // namespace aishell
