// Schema inference for MongoDB collections: the value kinds seen per field over a sample of
// documents, unified into one column type each (Trino's type names), with what was seen kept
// for DESCRIBE ("int32 in 97%, string in 3%") and for pushdown (a filter goes to the server only
// on a field whose values all have one BSON type class).
#pragma once

#include <bson/bson.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/connector.h"
#include "common/types.h"

namespace aishell {

// BSON value kinds as the schema tells them apart.
enum class BsonKind : uint8_t {
  kNull,  // null and undefined
  kInt32,
  kInt64,
  kDouble,
  kDecimal,
  kString,
  kBool,
  kDate,
  kObjectId,
  kBinary,
  kUuid,  // binary subtype 4 (or 3) of 16 bytes
  kDocument,
  kArray,
  kOther,  // regex, code, timestamp, min/max key, ...
  kCount
};
const char* BsonKindName(BsonKind kind);
BsonKind KindOf(const bson_iter_t& it);

// One bit per BsonKind.
using BsonKindSet = uint32_t;
inline BsonKindSet KindBit(BsonKind k) { return 1u << static_cast<unsigned>(k); }

// What a sample showed for one field (or the elements of an array field).
struct FieldObservation {
  std::array<int64_t, static_cast<size_t>(BsonKind::kCount)> seen{};
  int64_t present = 0;  // documents (or elements) holding the field, null included
  int max_decimal_scale = 0;
  // Sub-documents: their fields, in the order first seen.
  std::vector<std::string> child_order;
  std::map<std::string, std::unique_ptr<FieldObservation>> children;
  // Arrays: their elements.
  std::unique_ptr<FieldObservation> element;

  void Observe(const bson_iter_t& it);
  // Every field of `doc` (a top-level document, or a sub-document of this field).
  void ObserveDocument(const bson_t& doc);
  FieldObservation* Child(const std::string& name);
  BsonKindSet Kinds() const;  // kinds seen, null excluded
};

// The column type for what was seen: equal kinds keep their type; int32 + int64 is BIGINT; any
// number with a double is DOUBLE; numbers with Decimal128 are DECIMAL(34, s); a string with
// anything is VARCHAR; documents are ROW (fields merged), arrays ARRAY of their elements' type;
// other mixes, and arrays whose elements disagree, are JSON text. Nothing seen: VARCHAR.
LogicalType UnifiedType(const FieldObservation& field);

// "int32 in 97%, string in 3%; missing in 12%", of `documents` sampled.
std::string DescribeObservation(const FieldObservation& field, int64_t documents);

// One column of a collection: its field path (one name, or several with schema.flatten) and the
// BSON kinds its values were seen with (for pushdown).
struct MongoColumn {
  std::vector<std::string> path;
  std::string dotted;  // "address.city"
  BsonKindSet kinds = 0;
  // ROW columns: the kinds seen at each nested field, by dotted path below the column ("city",
  // "geo.lat").
  std::map<std::string, BsonKindSet> nested_kinds;
  bool overridden = false;  // the type came from a schema.<collection>.<field> property
};

struct MongoTable {
  std::string database;
  std::string collection;
  std::shared_ptr<TableInfo> info;
  std::vector<MongoColumn> columns;  // parallel to info->columns
  std::string sampling;              // how the schema was inferred, for EXPLAIN
};

struct MongoSchemaOptions {
  bool flatten = false;  // sub-documents as dotted columns instead of ROW
  // Column types fixed by properties (schema.<collection>.<field>=<type>), by lower-case name.
  std::map<std::string, LogicalType> overrides;
};

// The columns for a sampled collection: `_id` first, then fields in the order first seen.
// Overrides replace a sampled type or add a column nothing in the sample had.
void BuildColumns(const FieldObservation& root, int64_t documents,
                  const MongoSchemaOptions& options, MongoTable* table);

}  // namespace aishell
