// Trino's spelling of a type, as typeof(), DESCRIBE and SHOW COLUMNS print it.
#pragma once

#include <string>

#include "common/types.h"

namespace aishell {

// Lower-case type keywords (array(row(product_id varchar, quantity integer))), with ROW field
// names kept as declared and unquoted, as Trino's RowType.getDisplayName prints them: a field
// named "productId" in a Parquet file prints as productId, not productid.
std::string TrinoTypeName(const LogicalType& type);

}  // namespace aishell
