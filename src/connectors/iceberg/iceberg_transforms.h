// Iceberg partition transforms applied to engine values (for partition pruning): identity,
// bucket (Murmur3 x86 32-bit per the spec), truncate, year, month, day, hour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/value.h"
#include "connectors/iceberg/iceberg_metadata.h"

namespace aishell::iceberg {

// Murmur3 x86 32-bit, seed 0.
int32_t Murmur3Hash32(const uint8_t* data, size_t size);

// The spec's hash of a value of the Iceberg type `type` (nullopt if not hashable here).
std::optional<int32_t> BucketHash(const IcebergType& type, const Value& value);

// The transform applied to a (non-null) engine value of the source column, as an engine value
// comparable with the partition values of a manifest; nullopt when not computable.
std::optional<Value> ApplyTransform(const Transform& transform, const IcebergType& source,
                                    const Value& value);

// Whether the transform preserves order (x <= y implies T(x) <= T(y)).
bool IsMonotonic(TransformKind kind);

}  // namespace aishell::iceberg
