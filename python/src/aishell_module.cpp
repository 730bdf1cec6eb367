// The Python extension module `aishell._aishell`: an Engine per connection and a result object
// whose batches leave through the Arrow C Data Interface (common/arrow_export.h) as PyCapsules
// that pyarrow imports without copying. Everything Pythonic (DB-API, pandas, parameters) is in
// python/aishell/*.py on top of this.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/arrow_export.h"
#include "common/exception.h"
#include "common/secrets.h"
#include "engine/arrow_stream.h"
#include "engine/config_store.h"
#include "engine/engine.h"

namespace py = pybind11;

namespace aishell {
namespace {

void ReleaseSchemaCapsule(PyObject* capsule) {
  auto* schema = static_cast<ArrowSchema*>(PyCapsule_GetPointer(capsule, "arrow_schema"));
  if (schema == nullptr) return;
  if (schema->release != nullptr) schema->release(schema);
  delete schema;  // NOLINT: owned by the capsule
}

void ReleaseArrayCapsule(PyObject* capsule) {
  auto* array = static_cast<ArrowArray*>(PyCapsule_GetPointer(capsule, "arrow_array"));
  if (array == nullptr) return;
  if (array->release != nullptr) array->release(array);
  delete array;  // NOLINT: owned by the capsule
}

void ReleaseStreamCapsule(PyObject* capsule) {
  auto* stream =
      static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule, "arrow_array_stream"));
  if (stream == nullptr) return;
  if (stream->release != nullptr) stream->release(stream);
  delete stream;  // NOLINT: owned by the capsule
}

// An Arrow stream that keeps the Engine alive as long as its consumer holds it.
struct OwningStream {
  std::shared_ptr<Engine> engine;
  ArrowArrayStream inner;
};

int OwningGetSchema(ArrowArrayStream* s, ArrowSchema* out) {
  auto* o = static_cast<OwningStream*>(s->private_data);
  return o->inner.get_schema(&o->inner, out);
}

int OwningGetNext(ArrowArrayStream* s, ArrowArray* out) {
  // Called without the GIL: pyarrow releases it around get_next.
  auto* o = static_cast<OwningStream*>(s->private_data);
  return o->inner.get_next(&o->inner, out);
}

const char* OwningGetLastError(ArrowArrayStream* s) {
  auto* o = static_cast<OwningStream*>(s->private_data);
  return o->inner.get_last_error(&o->inner);
}

void OwningRelease(ArrowArrayStream* s) {
  if (s == nullptr || s->release == nullptr) return;
  auto* o = static_cast<OwningStream*>(s->private_data);
  if (o->inner.release != nullptr) o->inner.release(&o->inner);
  delete o;  // NOLINT: owned through the C interface
  s->private_data = nullptr;
  s->release = nullptr;
}

// The Engine of one Python connection: the user's saved sources, views and settings.
std::shared_ptr<Engine> OpenEngine(const std::optional<std::string>& home, bool load_home) {
  EngineOptions options;
  std::string dir = home.value_or(ConfigStore::DefaultHome());
  ConfigStore store(dir);
  if (load_home) {
    options.home_dir = dir;
    ConfigStore::ApplySettings(store.LoadSettings(), options);
  }
  auto engine = std::make_shared<Engine>(options);
  if (load_home) {
    for (const auto& c : store.LoadConnections()) engine->catalogs().AddCatalog(c);
    engine->LoadViews();
  }
  return engine;
}

// Runs ResultStream::Next on a thread of its own (one per result, reused for every batch), so that
// the Python thread can wait with the GIL released and still notice Ctrl-C.
class NextWorker {
 public:
  explicit NextWorker(ResultStream* stream) : stream_(stream), thread_([this]() { Loop(); }) {}
  ~NextWorker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  void Start(Batch* batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    batch_ = batch;
    pending_ = true;
    done_ = false;
    error_ = nullptr;
    wake_.notify_all();
  }
  // True once the batch is ready (or failed).
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return finished_.wait_for(lock, timeout, [this]() { return done_; });
  }
  // Next's answer, or its exception.
  bool Result() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_) std::rethrow_exception(error_);
    return more_;
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      wake_.wait(lock, [this]() { return pending_ || stop_; });
      if (stop_) return;
      pending_ = false;
      Batch* batch = batch_;
      lock.unlock();
      bool more = false;
      std::exception_ptr error;
      try {
        more = stream_->Next(*batch);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      more_ = more;
      error_ = error;
      done_ = true;
      finished_.notify_all();
    }
  }

  ResultStream* stream_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  Batch* batch_ = nullptr;
  bool pending_ = false;
  bool done_ = false;
  bool stop_ = false;
  bool more_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts once the members above exist
};

// One statement's result, read batch by batch.
class PyResult {
 public:
  PyResult(std::shared_ptr<Engine> engine, std::unique_ptr<ResultStream> stream)
      : engine_(std::move(engine)), stream_(std::move(stream)) {
    for (const auto& c : stream_->columns()) {
      names_.push_back(c.name);
      type_names_.push_back(c.type.ToString());
    }
    has_rows_ = stream_->has_rows();
    message_ = stream_->message();
    warnings_ = stream_->warnings();
    notices_ = stream_->notices();
  }

  const std::vector<std::string>& names() const { return names_; }
  const std::vector<std::string>& type_names() const { return type_names_; }
  bool has_rows() const { return has_rows_; }
  const std::string& message() const { return message_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::vector<std::string>& notices() const { return notices_; }
  int64_t row_count() const { return stream_ ? stream_->row_count() : row_count_; }
  bool consumed() const { return !stream_; }

  // The next batch as (schema capsule, array capsule): a struct array whose children are the
  // columns. None at the end.
  py::object NextBatch() {
    if (!stream_) return py::none();
    Batch batch;
    // The batch is made on another thread while this one looks for Ctrl-C (a pending signal is
    // only seen by the thread that holds the GIL): an interrupt cancels the query, then raises.
    if (!worker_) worker_ = std::make_unique<NextWorker>(stream_.get());
    worker_->Start(&batch);
    bool interrupted = false;
    while (true) {
      bool ready;
      {
        py::gil_scoped_release release;
        ready = worker_->WaitFor(std::chrono::milliseconds(50));
      }
      if (ready) break;
      if (!interrupted && PyErr_CheckSignals() != 0) {
        interrupted = true;
        engine_->Cancel();
      }
    }
    bool more = false;
    try {
      more = worker_->Result();
    } catch (const Error&) {
      if (!interrupted) throw;
    }
    if (interrupted) {
      Close();
      throw py::error_already_set();  // the KeyboardInterrupt PyErr_CheckSignals raised
    }
    if (!more) {
      Close();
      return py::none();
    }
    auto schema = std::make_unique<ArrowSchema>();
    auto array = std::make_unique<ArrowArray>();
    ExportBatch(batch, names_, array.get(), schema.get());
    py::capsule schema_capsule(schema.release(), "arrow_schema", ReleaseSchemaCapsule);
    py::capsule array_capsule(array.release(), "arrow_array", ReleaseArrayCapsule);
    return py::make_tuple(schema_capsule, array_capsule);
  }

  // An empty batch of the result's columns, for the schema of a result without rows.
  py::object SchemaCapsule() const {
    auto schema = std::make_unique<ArrowSchema>();
    ArrowArray array;
    std::vector<LogicalType> types;
    for (const auto& c : columns_or_empty()) types.push_back(c.type);
    Batch empty(types, 1);
    empty.SetCount(0);
    ExportBatch(empty, names_, &array, schema.get());
    array.release(&array);
    return py::capsule(schema.release(), "arrow_schema", ReleaseSchemaCapsule);
  }

  // The rest of the result as an Arrow C stream (the result is consumed: its stream moves).
  py::object StreamCapsule() {
    if (!stream_) throw Error(ErrorKind::kExecution, "the result was already read");
    worker_.reset();
    columns_ = stream_->columns();
    auto owning = std::make_unique<OwningStream>();
    owning->engine = engine_;
    ExportArrowStream(std::move(stream_), &owning->inner);
    auto out = std::make_unique<ArrowArrayStream>();
    out->get_schema = OwningGetSchema;
    out->get_next = OwningGetNext;
    out->get_last_error = OwningGetLastError;
    out->release = OwningRelease;
    out->private_data = owning.release();
    return py::capsule(out.release(), "arrow_array_stream", ReleaseStreamCapsule);
  }

  void Close() {
    if (!stream_) return;
    worker_.reset();  // idle here: every Start was waited for
    columns_ = stream_->columns();
    row_count_ = stream_->row_count();
    stream_.reset();
  }

 private:
  const std::vector<OutputColumn>& columns_or_empty() const {
    return stream_ ? stream_->columns() : columns_;
  }

  std::shared_ptr<Engine> engine_;
  std::unique_ptr<ResultStream> stream_;
  std::unique_ptr<NextWorker> worker_;  // made by the first NextBatch
  std::vector<OutputColumn> columns_;
  std::vector<std::string> names_;
  std::vector<std::string> type_names_;
  bool has_rows_ = true;
  std::string message_;
  std::vector<std::string> warnings_;
  std::vector<std::string> notices_;
  int64_t row_count_ = 0;
};

class PyEngine {
 public:
  PyEngine(const std::optional<std::string>& home, bool load_home)
      : engine_(OpenEngine(home, load_home)) {}

  std::unique_ptr<PyResult> Query(const std::string& sql) {
    std::unique_ptr<ResultStream> stream;
    {
      py::gil_scoped_release release;
      stream = engine_->Query(sql);
    }
    return std::make_unique<PyResult>(engine_, std::move(stream));
  }

  std::vector<std::string> Catalogs() {
    std::vector<std::string> names;
    for (const auto& c : engine_->ListConnections()) names.push_back(c.name);
    return names;
  }

  void Set(const std::string& name, const std::string& value) { engine_->SetSetting(name, value); }
  void Cancel() { engine_->Cancel(); }
  std::string home() const { return engine_->options().home_dir; }

 private:
  std::shared_ptr<Engine> engine_;
};

}  // namespace
}  // namespace aishell

PYBIND11_MODULE(_aishell, m) {
  using aishell::PyEngine;
  using aishell::PyResult;
  m.doc() = "aishell's engine (use the aishell package, not this module)";

  // Raised with args (message, kind, position): kind is ErrorKindName (e.g. "Binder Error"),
  // position a 0-based byte offset into the SQL or -1.
  static py::exception<aishell::Error> engine_error(m, "EngineError");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const aishell::Error& e) {
      py::tuple args = py::make_tuple(aishell::RedactText(e.what()),
                                      aishell::ErrorKindName(e.kind()), e.position());
      PyErr_SetObject(engine_error.ptr(), args.ptr());
    }
  });

  py::class_<PyResult>(m, "Result")
      .def_property_readonly("names", &PyResult::names)
      .def_property_readonly("type_names", &PyResult::type_names)
      .def_property_readonly("has_rows", &PyResult::has_rows)
      .def_property_readonly("message", &PyResult::message)
      .def_property_readonly("warnings", &PyResult::warnings)
      .def_property_readonly("notices", &PyResult::notices)
      .def_property_readonly("row_count", &PyResult::row_count)
      .def_property_readonly("consumed", &PyResult::consumed)
      .def("next_batch", &PyResult::NextBatch)
      .def("schema_capsule", &PyResult::SchemaCapsule)
      .def("stream_capsule", &PyResult::StreamCapsule)
      .def("close", &PyResult::Close);

  py::class_<PyEngine>(m, "Engine")
      .def(py::init<const std::optional<std::string>&, bool>(), py::arg("home") = py::none(),
           py::arg("load_home") = true)
      .def("query", &PyEngine::Query)
      .def("catalogs", &PyEngine::Catalogs)
      .def("set", &PyEngine::Set)
      .def("cancel", &PyEngine::Cancel)
      .def_property_readonly("home", &PyEngine::home);
}
