// CAST and TRY_CAST between logical types.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/types.h"
#include "common/value.h"
#include "common/vector.h"

namespace aishell {

// Casts every row of `input` (any form) to `target`. Returns a flat vector of input.size() rows
// (or `input` itself when the types are equal). A value that does not convert throws
// Error(kConversion) naming the value, or becomes NULL when `try_cast`.
Vector CastVector(const Vector& input, const LogicalType& target, bool try_cast);

Value CastValue(const Value& value, const LogicalType& target, bool try_cast);

// Whether CAST(from AS to) is supported at all.
bool CanCast(const LogicalType& from, const LogicalType& to);

// Decimal helpers (unscaled values: int64 for precision <= 18, Int128 up to 38).
// Rescales from one scale to another, rounding half away from zero when reducing the scale;
// returns false on overflow.
bool RescaleDecimal(int64_t value, int from_scale, int to_scale, int64_t* out);
bool RescaleDecimal128(Int128 value, int from_scale, int to_scale, Int128* out);
// Whether |value| fits in `precision` digits.
bool DecimalFits(int64_t value, int precision);
bool DecimalFits128(Int128 value, int precision);
// Parses a decimal literal ("-12.345", " 1e3 ") into the given precision/scale, rounding half up.
bool ParseDecimal(std::string_view text, int precision, int scale, int64_t* out);
bool ParseDecimal128(std::string_view text, int precision, int scale, Int128* out);

}  // namespace aishell
