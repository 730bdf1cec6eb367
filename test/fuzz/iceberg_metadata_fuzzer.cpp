// The Iceberg table metadata JSON reader (src/connectors/iceberg/iceberg_metadata.h
// ParseTableMetadata): parses the input, then walks what the scan planner reads from it (the
// current schema and snapshot, every schema's types as engine types, every partition spec's
// transforms and result types, the snapshot log). Malformed metadata must throw Error(kIo) naming
// what is wrong, never crash.
#include <string>

#include "connectors/iceberg/iceberg_metadata.h"
#include "fuzz_util.h"

namespace {

using namespace aishell::iceberg;

void WalkType(const IcebergType& type, int depth) {
  if (depth > 10000) aishell::fuzz::Fail("type nesting deeper than the parser allows");
  (void)EngineType(type).ToString();
  for (const auto& f : type.fields) WalkType(f.type, depth + 1);
}

void Walk(const TableMetadata& m) {
  const IcebergSchema& current = m.CurrentSchema();
  (void)current.FindByName("id");
  for (const auto& schema : m.schemas) {
    for (const auto& f : schema.fields) {
      WalkType(f.type, 0);
      if (f.initial_default) (void)f.initial_default->ToString();
      if (schema.FindById(f.id) == nullptr) aishell::fuzz::Fail("a top-level field is not found");
    }
    for (const auto& [id, type] : schema.all_types) (void)EngineType(type);
  }
  for (const auto& spec : m.specs) {
    for (const auto& pf : spec.fields) {
      (void)ParseTransform(pf.transform.text);
      const IcebergField* source = current.FindById(pf.source_id);
      if (source && !source->type.IsNested()) {
        try {
          (void)EngineType(TransformResultType(pf.transform, source->type));
        } catch (const aishell::Error& e) {
          aishell::fuzz::CheckError(e);
        }
      }
    }
  }
  (void)m.SpecById(m.default_spec_id);
  if (const Snapshot* s = m.CurrentSnapshot()) (void)s->operation();
  for (const auto& s : m.snapshots) {
    (void)m.SnapshotById(s.snapshot_id);
    (void)m.SnapshotAsOf(s.timestamp_ms);
  }
  (void)m.SnapshotAsOf(INT64_MAX);
  (void)m.SnapshotAsOf(INT64_MIN);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    TableMetadata m = ParseTableMetadata(std::string(aishell::fuzz::AsText(data, size)),
                                         "fuzz/metadata/00000.metadata.json");
    Walk(m);
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
  return 0;
}
