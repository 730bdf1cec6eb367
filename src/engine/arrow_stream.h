// A query's result stream through the Arrow C stream interface
// (https://arrow.apache.org/docs/format/CStreamInterface.html): what a Python package or a
// server hands to pyarrow, DuckDB or polars without copying the column buffers.
#pragma once

#include <memory>

#include "common/arrow_export.h"

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

extern "C" {

struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

}  // extern "C"

#endif  // ARROW_C_STREAM_INTERFACE

namespace aishell {

class ResultStream;

// Moves `stream` into `out`. The schema is a struct whose children are the columns; each
// get_next returns one batch exported by ExportBatch (zero-copy for fixed-width columns), and a
// released array (release == nullptr) at the end. A failure returns an errno code (EIO, or
// EINTR when the query was cancelled) with the message from get_last_error. The consumer calls
// out->release; the Engine that made the stream must outlive it.
void ExportArrowStream(std::unique_ptr<ResultStream> stream, ArrowArrayStream* out);

}  // namespace aishell
