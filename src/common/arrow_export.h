// Export of batches through the Arrow C Data Interface
// (https://arrow.apache.org/docs/format/CDataInterface.html).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/vector.h"

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

extern "C" {

struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};

}  // extern "C"

#endif  // ARROW_C_DATA_INTERFACE

namespace aishell {

// Exports `batch` as an Arrow struct array whose children are the columns, named `names`
// (one per column). Fixed-width columns and validity bitmaps are shared without copying (constant
// and dictionary vectors are flattened first); VARCHAR becomes utf8 (offsets + data), DECIMAL
// decimal128(p,s), DATE date32, TIMESTAMP timestamp[us], TIMESTAMP WITH TIME ZONE
// timestamp[us, UTC], BOOLEAN a bit-packed array, INTERVAL month_day_nano.
// The consumer must call release on both structs. Throws Error(kUnsupported) for a type
// without an Arrow mapping.
void ExportBatch(const Batch& batch, const std::vector<std::string>& names, ArrowArray* out_array,
                 ArrowSchema* out_schema);

// Arrow format string for a logical type, e.g. "l" for BIGINT, "d:12,2" for DECIMAL(12,2).
std::string ArrowFormat(const LogicalType& type);

}  // namespace aishell
