// Trino's client protocol encodings of types and values: the `columns` of a result (the type's
// display name and its TypeSignature as JSON, nested types included) and the `data` rows (each
// value in Trino's JSON encoding: numbers as numbers, DECIMAL as a string, VARBINARY as base64,
// timestamps as "2024-01-02 03:04:05.000000", ARRAY as a list, MAP as an object, ROW as a list).
#pragma once

#include <string>
#include <vector>

#include "common/query_types.h"
#include "common/vector.h"

namespace aishell {

// The type as the protocol names it: "varchar", "decimal(12,2)", "timestamp(6)",
// "array(row(id integer, name varchar))".
std::string TrinoProtocolTypeName(const LogicalType& type);
// The TypeSignature JSON object: {"rawType":"varchar","arguments":[{"kind":"LONG",...}]}.
std::string TrinoTypeSignatureJson(const LogicalType& type);
// The `columns` array of a result.
std::string TrinoColumnsJson(const std::vector<OutputColumn>& columns);
// Appends rows [begin, end) of `batch`, each as a JSON array of values, separated by commas.
void AppendTrinoRows(const Batch& batch, size_t begin, size_t end, std::string* out);
// Appends one value (null included) of a vector.
void AppendTrinoValue(const Vector& vector, size_t row, std::string* out);
// The same through a view of the vector made once for many rows.
void AppendTrinoCell(const UnifiedView& view, const Vector& vector, size_t row, std::string* out);

}  // namespace aishell
