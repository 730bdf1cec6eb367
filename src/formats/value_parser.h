// Fast text -> typed value parsers shared by the file readers (CSV, JSON) and embedded
// connectors. They never allocate and never throw: they return false on bad input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/types.h"

namespace aishell {

// Optional sign, digits; surrounding spaces allowed. False on overflow.
bool ParseBigIntText(std::string_view text, int64_t* out);
// Decimal or scientific notation, inf, nan; surrounding spaces allowed.
bool ParseDoubleText(std::string_view text, double* out);
// true/false (any case); when `lenient`, also t/f, yes/no, y/n, 1/0.
bool ParseBooleanText(std::string_view text, bool lenient, bool* out);
// YYYY-MM-DD (fast path) and the forms ParseDate accepts.
bool ParseDateText(std::string_view text, int32_t* out);
bool ParseTimestampText(std::string_view text, int64_t* out);
// Exact decimal text ("-12.345", "1e3" is rejected) to an unscaled value of `scale` digits;
// extra fraction digits round half away from zero; false if it does not fit `precision`.
bool ParseDecimalText(std::string_view text, int precision, int scale, int64_t* out);

// Parses `text` as `type` into `out` (a slot of the type's physical width). VARCHAR is not
// handled here. Returns false if the text does not parse.
bool ParseTypedText(std::string_view text, const LogicalType& type, void* out);

std::string_view TrimSpaces(std::string_view text);

}  // namespace aishell
