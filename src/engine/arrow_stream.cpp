#include "engine/arrow_stream.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "common/exception.h"
#include "engine/engine.h"

namespace aishell {

namespace {

struct StreamHolder {
  std::unique_ptr<ResultStream> stream;
  std::vector<std::string> names;
  std::vector<LogicalType> types;
  std::string last_error;
};

StreamHolder& HolderOf(ArrowArrayStream* s) { return *static_cast<StreamHolder*>(s->private_data); }

int Fail(StreamHolder& h, const Error& e) {
  h.last_error = e.what();
  return e.kind() == ErrorKind::kInterrupted ? EINTR : EIO;
}

int GetSchema(ArrowArrayStream* s, ArrowSchema* out) {
  StreamHolder& h = HolderOf(s);
  try {
    // The schema of an empty batch of the result's types.
    Batch empty(h.types, 1);
    empty.SetCount(0);
    ArrowArray array;
    ExportBatch(empty, h.names, &array, out);
    array.release(&array);
    return 0;
  } catch (const Error& e) {
    return Fail(h, e);
  } catch (const std::exception& e) {
    return Fail(h, Error(ErrorKind::kInternal, e.what()));
  }
}

int GetNext(ArrowArrayStream* s, ArrowArray* out) {
  StreamHolder& h = HolderOf(s);
  try {
    Batch batch;
    if (!h.stream->Next(batch)) {
      std::memset(out, 0, sizeof(ArrowArray));  // release == nullptr: the end
      return 0;
    }
    ArrowSchema schema;
    ExportBatch(batch, h.names, out, &schema);
    schema.release(&schema);
    return 0;
  } catch (const Error& e) {
    return Fail(h, e);
  } catch (const std::exception& e) {
    return Fail(h, Error(ErrorKind::kInternal, e.what()));
  }
}

const char* GetLastError(ArrowArrayStream* s) {
  StreamHolder& h = HolderOf(s);
  return h.last_error.empty() ? nullptr : h.last_error.c_str();
}

void Release(ArrowArrayStream* s) {
  if (!s || !s->release) return;
  delete static_cast<StreamHolder*>(s->private_data);  // NOLINT: owned through the C interface
  s->private_data = nullptr;
  s->release = nullptr;
}

}  // namespace

void ExportArrowStream(std::unique_ptr<ResultStream> stream, ArrowArrayStream* out) {
  auto holder = std::make_unique<StreamHolder>();
  for (const auto& c : stream->columns()) {
    holder->names.push_back(c.name);
    holder->types.push_back(c.type);
  }
  holder->stream = std::move(stream);
  out->get_schema = GetSchema;
  out->get_next = GetNext;
  out->get_last_error = GetLastError;
  out->release = Release;
  out->private_data = holder.release();
}

}  // namespace aishell
