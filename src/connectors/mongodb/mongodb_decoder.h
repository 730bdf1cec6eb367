// BSON to the engine's vectors, and the engine's values to BSON. Documents decode straight into
// the projected columns (nested documents and arrays into the children of ROW and ARRAY vectors):
// no per-document intermediate objects.
#pragma once

#include <bson/bson.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/value.h"
#include "common/vector.h"
#include "connectors/mongodb/mongodb_options.h"
#include "connectors/mongodb/mongodb_schema.h"

namespace aishell {

class MongoDecoder {
 public:
  // `columns`: indices into table.columns, in output order. `mismatches` counts values read as
  // NULL under MismatchPolicy::kNull (may be null).
  MongoDecoder(std::shared_ptr<const MongoTable> table, const std::vector<int>& columns,
               MismatchPolicy policy, std::string where, std::atomic<int64_t>* mismatches);
  ~MongoDecoder();

  // Decodes `doc` into row `row` of `out` (its columns sized to more than `row`). Throws
  // Error(kConversion) naming the collection, the document's _id and the field on a mismatch.
  void Decode(const bson_t& doc, Batch& out, size_t row);

  // The value of `column` in `doc` (NULL when missing) as `type`; a mismatch throws (or is NULL)
  // as in Decode.
  Value DecodeField(const bson_t& doc, const MongoColumn& column, const LogicalType& type);

  // One value (`it`) into row `row` of `v` of `type` (NULL for BSON null). `path` names the field.
  void DecodeValue(const bson_iter_t& it, const LogicalType& type, Vector& v, size_t row,
                   const std::string& path);

 private:
  struct Node;
  // The path of the value being decoded, spelled out only for a message: a field of a parent
  // (`name`), an element of an array (`name` empty, `element` true), or the root (`text`).
  struct Path {
    const Path* parent = nullptr;
    std::string_view name;
    bool element = false;
    const std::string* text = nullptr;
    std::string ToString() const;
  };
  void Decode(const bson_iter_t& it, const LogicalType& type, Vector& v, size_t row,
              const Path& path);
  void DecodeDocument(bson_iter_t* it, const Node& node, Batch& out, size_t row);
  [[noreturn]] void Mismatch(const bson_iter_t& it, const LogicalType& type,
                             const std::string& path, const std::string& detail = {});
  bool Fail(const bson_iter_t& it, const LogicalType& type, const Path& path,
            const std::string& detail = {});

  std::shared_ptr<const MongoTable> table_;
  std::unique_ptr<Node> root_;
  std::vector<int> output_of_column_;
  MismatchPolicy policy_;
  std::string where_;
  std::atomic<int64_t>* mismatches_;
  const bson_t* current_ = nullptr;  // the document being decoded, for messages
  std::vector<uint8_t> seen_;        // per output column: found in the current document
};

// A BSON value as JSON text (strings quoted, ObjectId as its hex string, dates as ISO-8601 text
// in UTC, binary as base64, Decimal128 as its exact number text).
void AppendBsonJson(const bson_iter_t& it, std::string* out);
// The value as VARCHAR: strings as they are, ObjectId hex, dates ISO-8601, the rest JSON text.
std::string BsonText(const bson_iter_t& it);

// Appends `value` to `doc` under `key` as the BSON type that matches it: integers as int32/int64,
// DOUBLE/REAL as double, DECIMAL as Decimal128, VARCHAR as string (as an ObjectId when `kinds`
// says the field holds ObjectIds and the text is one), TIMESTAMP* as a date (milliseconds),
// DATE as a date at midnight UTC, VARBINARY as binary, UUID as binary subtype 4, JSON parsed as
// JSON, ARRAY as an array, ROW as a sub-document, MAP with VARCHAR keys as a sub-document.
// Returns false for a value that has no exact BSON form (the caller refuses the pushdown).
bool AppendBsonValue(bson_t* doc, const char* key, const Value& value, BsonKindSet kinds = 0);

}  // namespace aishell
