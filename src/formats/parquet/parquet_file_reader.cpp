#include "formats/parquet/parquet_file_reader.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <future>
#include <new>
#include <type_traits>

#include "common/exception.h"
#include "common/json_text.h"
#include "formats/json/json_reader.h"
#include "formats/parquet/parquet_compression.h"
#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/parquet_metadata.h"
#include "formats/parquet/parquet_stats.h"

namespace aishell {

using namespace parquet;  // NOLINT

namespace {

constexpr size_t kMaxPageValues = size_t{1} << 26;

std::atomic<int64_t> g_pages_decoded{0};
constexpr size_t kMaxPageBytes = size_t{256} << 20;

[[noreturn]] void Corrupt(const std::string& what) { throw Error(ErrorKind::kIo, what); }

// How a column's physical values become engine values.
enum class Conv : uint8_t {
  kBool,
  kInt8,   // INT32 annotated INT(8): TINYINT
  kInt16,  // INT32 annotated INT(16): SMALLINT
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat,
  kDouble,
  kDate,
  kDecimalInt,
  kDecimalBytes,
  kDecimalWide,  // precision 19..38: Int128 (from INT32/INT64 or big-endian bytes)
  kDecimalText,  // precision above 38: exact text
  kTimestampMillis,
  kTimestampMicros,
  kTimestampNanos,
  kInt96,
  kString,
  kUuid,
  kFloat16,
  kTimeMillis,
  kTimeMicros,
  kTimeNanos
};

struct ColumnDesc {
  std::string name;
  LogicalType type = TypeId::kVarchar;
  Conv conv = Conv::kString;
  std::string unsupported;  // non-empty: reading this column fails with this message
  int leaf = -1;            // index of the column chunk in a row group
  int field_id = -1;
  int scale = 0;     // DECIMAL
  std::string note;  // how the column is read, when not the obvious way
  int max_def = 0;
  int max_rep = 0;
  // Nested columns (ARRAY, MAP, ROW): the schema node and the leaves under it.
  bool nested = false;
  int node = -1;
  std::vector<ColumnDesc> leaves;
  std::vector<ParquetField> children;
  PhysicalType physical = PhysicalType::kByteArray;
  int type_length = 0;
};

struct SchemaNode {
  std::vector<int> children;  // schema element indices
  int def = 0, rep = 0;       // levels at this node (counting itself)
  int leaf_begin = 0, leaf_end = 0;
};

struct ParquetFile {
  std::string path;
  int64_t size = 0;
  FileMetaData meta;
  std::vector<ColumnDesc> columns;
  int leaf_count = 0;
  std::vector<SchemaNode> nodes;  // one per schema element
  std::vector<int> leaf_nodes;    // schema element index of each leaf
};

// Fills file->nodes for the subtree at `index`; returns the index after it.
size_t BuildNodes(ParquetFile* file, size_t index, int def, int rep) {
  const SchemaElement& e = file->meta.schema[index];
  SchemaNode& n = file->nodes[index];
  if (index > 0) {
    if (e.repetition == Repetition::kOptional) def++;
    if (e.repetition == Repetition::kRepeated) {
      def++;
      rep++;
    }
  }
  n.def = def;
  n.rep = rep;
  n.leaf_begin = static_cast<int>(file->leaf_nodes.size());
  if (e.num_children == 0) {
    file->leaf_nodes.push_back(static_cast<int>(index));
    n.leaf_end = n.leaf_begin + 1;
    return index + 1;
  }
  size_t next = index + 1;
  for (int c = 0; c < e.num_children; c++) {
    file->nodes[index].children.push_back(static_cast<int>(next));
    next = BuildNodes(file, next, def, rep);
  }
  file->nodes[index].leaf_end = static_cast<int>(file->leaf_nodes.size());
  return next;
}

std::string LeafTypeName(const SchemaElement& e) {
  static const char* kNames[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                 "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
  return e.type ? kNames[static_cast<int>(*e.type)] : "group";
}

// Maps a primitive schema element to an engine type; sets desc.unsupported when it cannot.
void MapPrimitive(const SchemaElement& e, ColumnDesc* d) {
  PhysicalType pt = *e.type;
  d->physical = pt;
  d->type_length = e.type_length;
  const LogicalTypeInfo& lt = e.logical;
  ConvertedType ct = e.converted_type;
  auto unsupported = [&](const std::string& what) {
    d->unsupported = "unsupported: " + what + " (column '" + d->name + "')";
    d->type = TypeId::kVarchar;
  };
  bool is_decimal = lt.kind == LogicalKind::kDecimal || ct == ConvertedType::kDecimal;
  if (is_decimal) {
    int precision = lt.kind == LogicalKind::kDecimal ? lt.precision : e.precision;
    int scale = lt.kind == LogicalKind::kDecimal ? lt.scale : e.scale;
    if (precision <= 0 || scale < 0 || scale > precision)
      return unsupported("decimal precision " + std::to_string(precision) + " scale " +
                         std::to_string(scale));
    if (precision > kMaxDecimalPrecision) {
      // Wider than DECIMAL(38) (Trino's limit): read as the exact text.
      if (pt != PhysicalType::kByteArray && pt != PhysicalType::kFixedLenByteArray)
        return unsupported("decimal stored as " + LeafTypeName(e));
      d->type = TypeId::kVarchar;
      d->conv = Conv::kDecimalText;
      d->scale = scale;
      d->note = "Parquet DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) +
                ") read as exact text (DECIMAL holds at most 38 digits)";
      return;
    }
    if (precision > kMaxShortDecimalPrecision) {
      if (pt != PhysicalType::kInt32 && pt != PhysicalType::kInt64 &&
          pt != PhysicalType::kByteArray && pt != PhysicalType::kFixedLenByteArray)
        return unsupported("decimal stored as " + LeafTypeName(e));
      d->type = LogicalType::Decimal(precision, scale);
      d->conv = Conv::kDecimalWide;
      d->scale = scale;
      return;
    }
    d->type = LogicalType::Decimal(precision, scale);
    if (pt == PhysicalType::kInt32 || pt == PhysicalType::kInt64)
      d->conv = Conv::kDecimalInt;
    else if (pt == PhysicalType::kByteArray || pt == PhysicalType::kFixedLenByteArray)
      d->conv = Conv::kDecimalBytes;
    else
      return unsupported("decimal stored as " + LeafTypeName(e));
    return;
  }
  switch (pt) {
    case PhysicalType::kBoolean:
      d->type = TypeId::kBoolean;
      d->conv = Conv::kBool;
      return;
    case PhysicalType::kInt32: {
      if (lt.kind == LogicalKind::kDate || ct == ConvertedType::kDate) {
        d->type = TypeId::kDate;
        d->conv = Conv::kDate;
        return;
      }
      if (lt.kind == LogicalKind::kTime || ct == ConvertedType::kTimeMillis) {
        d->type = TypeId::kTime;
        d->conv = Conv::kTimeMillis;
        return;
      }
      bool signed_int = (lt.kind == LogicalKind::kInteger && lt.is_signed) ||
                        ct == ConvertedType::kInt8 || ct == ConvertedType::kInt16;
      int bits = lt.kind == LogicalKind::kInteger ? lt.bit_width
                 : ct == ConvertedType::kInt8     ? 8
                 : ct == ConvertedType::kInt16    ? 16
                                                  : 32;
      if (signed_int && bits == 8) {
        d->type = TypeId::kTinyInt;
        d->conv = Conv::kInt8;
        return;
      }
      if (signed_int && bits == 16) {
        d->type = TypeId::kSmallInt;
        d->conv = Conv::kInt16;
        return;
      }
      bool is_unsigned = (lt.kind == LogicalKind::kInteger && !lt.is_signed) ||
                         ct == ConvertedType::kUint32 || ct == ConvertedType::kUint8 ||
                         ct == ConvertedType::kUint16;
      bool wide = (lt.kind == LogicalKind::kInteger && !lt.is_signed && lt.bit_width == 32) ||
                  ct == ConvertedType::kUint32;
      if (is_unsigned && wide) {
        d->type = TypeId::kBigInt;
        d->conv = Conv::kUInt32;
        return;
      }
      d->type = TypeId::kInteger;
      d->conv = Conv::kInt32;
      return;
    }
    case PhysicalType::kInt64: {
      if (lt.kind == LogicalKind::kTimestamp) {
        d->type = lt.adjusted_to_utc ? TypeId::kTimestampTz : TypeId::kTimestamp;
        d->conv = lt.unit == TimeUnit::kMillis  ? Conv::kTimestampMillis
                  : lt.unit == TimeUnit::kNanos ? Conv::kTimestampNanos
                                                : Conv::kTimestampMicros;
        return;
      }
      if (ct == ConvertedType::kTimestampMillis || ct == ConvertedType::kTimestampMicros) {
        d->type = TypeId::kTimestampTz;
        d->conv =
            ct == ConvertedType::kTimestampMillis ? Conv::kTimestampMillis : Conv::kTimestampMicros;
        return;
      }
      if (lt.kind == LogicalKind::kTime || ct == ConvertedType::kTimeMicros) {
        d->type = TypeId::kTime;
        d->conv = lt.kind == LogicalKind::kTime && lt.unit == TimeUnit::kNanos ? Conv::kTimeNanos
                                                                               : Conv::kTimeMicros;
        return;
      }
      bool is_unsigned =
          (lt.kind == LogicalKind::kInteger && !lt.is_signed) || ct == ConvertedType::kUint64;
      d->type = TypeId::kBigInt;
      d->conv = is_unsigned ? Conv::kUInt64 : Conv::kInt64;
      return;
    }
    case PhysicalType::kInt96:
      d->type = TypeId::kTimestamp;
      d->conv = Conv::kInt96;
      return;
    case PhysicalType::kFloat:
      d->type = TypeId::kReal;
      d->conv = Conv::kFloat;
      return;
    case PhysicalType::kDouble:
      d->type = TypeId::kDouble;
      d->conv = Conv::kDouble;
      return;
    case PhysicalType::kByteArray:
      if (ct == ConvertedType::kInterval) return unsupported("INTERVAL type");
      d->conv = Conv::kString;
      if (lt.kind == LogicalKind::kJson || ct == ConvertedType::kJson) {
        d->type = TypeId::kJson;
      } else if (lt.kind == LogicalKind::kString || lt.kind == LogicalKind::kEnum ||
                 ct == ConvertedType::kUtf8 || ct == ConvertedType::kEnum) {
        d->type = TypeId::kVarchar;
      } else {
        // No string annotation: bytes, as Trino and DuckDB read them.
        d->type = TypeId::kVarbinary;
      }
      return;
    case PhysicalType::kFixedLenByteArray:
      if (e.type_length < 0)
        Corrupt("negative FIXED_LEN_BYTE_ARRAY length for column '" + d->name + "'");
      if (ct == ConvertedType::kInterval) return unsupported("INTERVAL type");
      if (lt.kind == LogicalKind::kUuid) {
        if (e.type_length != 16) Corrupt("UUID column '" + d->name + "' is not 16 bytes wide");
        d->type = TypeId::kUuid;
        d->conv = Conv::kUuid;
        return;
      }
      if (lt.kind == LogicalKind::kFloat16) {
        if (e.type_length != 2) Corrupt("FLOAT16 column '" + d->name + "' is not 2 bytes wide");
        d->type = TypeId::kReal;
        d->conv = Conv::kFloat16;
        return;
      }
      d->type = TypeId::kVarbinary;
      d->conv = Conv::kString;
      return;
  }
}

// Walks the schema tree from element `index`; returns the index after the subtree. Counts leaves.
size_t WalkSchema(const std::vector<SchemaElement>& schema, size_t index, int depth, int* leaves) {
  if (depth > 100) Corrupt("schema nesting too deep");
  if (index >= schema.size()) Corrupt("schema ends inside a group");
  const SchemaElement& e = schema[index];
  if (e.num_children < 0) Corrupt("negative child count in schema element '" + e.name + "'");
  if (e.num_children == 0) {
    if (!e.type) Corrupt("schema element '" + e.name + "' has neither a type nor children");
    (*leaves)++;
    return index + 1;
  }
  size_t next = index + 1;
  for (int c = 0; c < e.num_children; c++) next = WalkSchema(schema, next, depth + 1, leaves);
  return next;
}

// How a schema node reads (the Parquet spec's LIST and MAP backward-compatibility rules).
enum class NodeShape : uint8_t {
  kLeaf,
  kRepeated,  // a bare repeated field: ARRAY of its instances (never NULL; empty when absent)
  kList3,     // LIST with the element under the repeated group (standard 3-level)
  kList2,     // LIST whose repeated node is itself the element (legacy 2-level)
  kMap,       // MAP with a key_value group of (key, value)
  kStruct,    // any other group: ROW
};

bool IsListAnnotated(const SchemaElement& e) {
  return e.logical.kind == LogicalKind::kList || e.converted_type == ConvertedType::kList;
}
bool IsMapAnnotated(const SchemaElement& e) {
  return e.logical.kind == LogicalKind::kMap || e.converted_type == ConvertedType::kMap ||
         e.converted_type == ConvertedType::kMapKeyValue;
}

// The reading plan of a nested column: one builder per output vector, built from the schema
// (which also gives the column's type) and filled by record assembly.
struct NestedBuilder {
  NodeShape shape = NodeShape::kLeaf;
  int node = -1;          // schema element index
  bool optional = false;  // a field that may be NULL (OPTIONAL repetition)
  int leaf = -1;          // kLeaf: leaf number relative to the column
  bool absent = false;    // no leaf under it is read (a field the query does not use): all NULL
  LogicalType type;
  std::vector<NestedBuilder> children;
  // Levels (SetLevels). A value of this builder (a "slot") starts at each level entry of its
  // first leaf with rep <= slot_rep and def >= slot_def (an element of the nearest repeated
  // ancestor, NULL structs included); it is NULL when def < valid_def. ARRAY and MAP: an element
  // exists when def >= elem_def and each further one starts at an entry with rep == elem_rep.
  size_t first_leaf = 0;
  uint32_t slot_rep = 0, slot_def = 0, valid_def = 0, elem_rep = 0, elem_def = 0;
  // Filled by assembly.
  size_t count = 0;
  std::vector<uint32_t> sel;        // kLeaf: the level entry of each row
  std::vector<ArrayEntry> entries;  // ARRAY and MAP rows
  std::vector<uint8_t> valid;       // non-leaf rows: 0 = NULL
};

NestedBuilder InstanceBuilder(const ParquetFile& file, int node, int column_node,
                              const std::vector<ColumnDesc>& leaves, int depth);

NestedBuilder FieldBuilder(const ParquetFile& file, int node, int column_node,
                           const std::vector<ColumnDesc>& leaves, int depth) {
  const SchemaElement& e = file.meta.schema[node];
  if (e.repetition == Repetition::kRepeated) {
    NestedBuilder b;
    b.shape = NodeShape::kRepeated;
    b.node = node;
    b.children.push_back(InstanceBuilder(file, node, column_node, leaves, depth + 1));
    b.type = LogicalType::Array(b.children[0].type);
    return b;
  }
  NestedBuilder b = InstanceBuilder(file, node, column_node, leaves, depth + 1);
  b.optional = e.repetition == Repetition::kOptional;
  return b;
}

NestedBuilder InstanceBuilder(const ParquetFile& file, int node, int column_node,
                              const std::vector<ColumnDesc>& leaves, int depth) {
  if (depth > 100) Corrupt("schema nesting too deep");
  const auto& schema = file.meta.schema;
  const SchemaElement& e = schema[node];
  const SchemaNode& n = file.nodes[node];
  NestedBuilder b;
  b.node = node;
  if (e.num_children == 0) {
    b.shape = NodeShape::kLeaf;
    b.leaf = n.leaf_begin - file.nodes[column_node].leaf_begin;
    b.type = leaves[b.leaf].type;
    return b;
  }
  if (n.children.size() == 1 && schema[n.children[0]].repetition == Repetition::kRepeated &&
      (IsListAnnotated(e) || IsMapAnnotated(e))) {
    int rep = n.children[0];
    const SchemaElement& re = schema[rep];
    const SchemaNode& rn = file.nodes[rep];
    if (IsMapAnnotated(e) && re.num_children == 2) {
      b.shape = NodeShape::kMap;
      b.children.push_back(FieldBuilder(file, rn.children[0], column_node, leaves, depth + 1));
      b.children.push_back(FieldBuilder(file, rn.children[1], column_node, leaves, depth + 1));
      b.type = LogicalType::Map(b.children[0].type, b.children[1].type);
      return b;
    }
    // Three-level unless a legacy two-level layout: the repeated node is a primitive, a group of
    // several fields, or a one-field group named "array" or "<list>_tuple". (A MAP whose
    // key_value group has only a key reads as the list of its keys, as pyarrow does.)
    bool three_level = re.num_children == 1 && re.name != "array" && re.name != e.name + "_tuple";
    if (three_level) {
      b.shape = NodeShape::kList3;
      b.children.push_back(FieldBuilder(file, rn.children[0], column_node, leaves, depth + 1));
    } else {
      b.shape = NodeShape::kList2;
      b.children.push_back(InstanceBuilder(file, rep, column_node, leaves, depth + 1));
    }
    b.type = LogicalType::Array(b.children[0].type);
    return b;
  }
  b.shape = NodeShape::kStruct;
  std::vector<std::string> names;
  std::vector<LogicalType> types;
  for (int c : n.children) {
    b.children.push_back(FieldBuilder(file, c, column_node, leaves, depth + 1));
    names.push_back(schema[c].name);
    types.push_back(b.children.back().type);
  }
  b.type = LogicalType::Row(std::move(names), std::move(types));
  return b;
}

// `wanted` (one entry per leaf of the column, empty: all) marks the leaves that are read; a
// builder takes its levels from its first wanted leaf and is absent when it has none.
void SetLevels(const ParquetFile& file, int column_node, uint32_t slot_rep, uint32_t slot_def,
               NestedBuilder* b, const std::vector<char>& wanted = {}) {
  const SchemaNode& n = file.nodes[b->node];
  int base = file.nodes[column_node].leaf_begin;
  b->first_leaf = static_cast<size_t>(n.leaf_begin - base);
  if (!wanted.empty()) {
    b->absent = true;
    for (int l = n.leaf_begin; l < n.leaf_end && b->absent; l++) {
      if (wanted[l - base]) {
        b->first_leaf = static_cast<size_t>(l - base);
        b->absent = false;
      }
    }
    if (b->absent) return;
  }
  b->slot_rep = slot_rep;
  b->slot_def = slot_def;
  b->valid_def = b->shape == NodeShape::kRepeated ? 0 : static_cast<uint32_t>(n.def);
  if (b->shape == NodeShape::kLeaf) return;
  if (b->shape == NodeShape::kStruct) {
    for (auto& c : b->children) SetLevels(file, column_node, slot_rep, slot_def, &c, wanted);
    return;
  }
  int rep = b->shape == NodeShape::kRepeated ? b->node : n.children[0];
  b->elem_rep = static_cast<uint32_t>(file.nodes[rep].rep);
  b->elem_def = static_cast<uint32_t>(file.nodes[rep].def);
  for (auto& c : b->children) SetLevels(file, column_node, b->elem_rep, b->elem_def, &c, wanted);
}

// `count` NULL rows of `type` (nested types with empty or NULL children).
Vector NullVector(const LogicalType& type, size_t count) {
  Vector out(type, std::max<size_t>(count, 1));
  out.Resize(count);
  if (count > 0) std::memset(out.RawData(), 0, count * type.PhysicalSize());
  if (type.id == TypeId::kRow) {
    auto* rows = out.Data<uint32_t>();
    for (size_t i = 0; i < count; i++) rows[i] = static_cast<uint32_t>(i);
    for (size_t c = 0; c < type.Children().size(); c++)
      out.Child(c) = NullVector(type.Children()[c], count);
  } else if (type.id == TypeId::kArray || type.id == TypeId::kMap) {
    for (size_t c = 0; c < type.Children().size(); c++)
      out.Child(c) = NullVector(type.Children()[c], 0);
  }
  for (size_t i = 0; i < count; i++) out.SetNull(i);
  return out;
}

// The leaves of a nested column under the fields `paths` (FieldSelection), one entry per leaf
// of the column; empty when every leaf is needed.
std::vector<char> WantedLeaves(const ParquetFile& file, const ColumnDesc& d,
                               const std::vector<std::vector<int>>& paths) {
  NestedBuilder root = FieldBuilder(file, d.node, d.node, d.leaves, 0);
  int base = file.nodes[d.node].leaf_begin;
  std::vector<char> wanted(d.leaves.size(), 0);
  bool any = false;
  for (const auto& path : paths) {
    const NestedBuilder* b = &root;
    for (int i : path) {
      if (b->shape != NodeShape::kStruct || i < 0 || static_cast<size_t>(i) >= b->children.size())
        break;
      b = &b->children[static_cast<size_t>(i)];
    }
    const SchemaNode& n = file.nodes[b->node];
    for (int l = n.leaf_begin; l < n.leaf_end; l++) wanted[l - base] = 1;
    any = any || n.leaf_end > n.leaf_begin;
  }
  bool all = true;
  for (char w : wanted) all = all && w;
  if (!any || all) wanted.clear();
  return wanted;
}

// The field tree under a builder: its children's names, field ids and types.
std::vector<ParquetField> FieldsOf(const ParquetFile& file, const NestedBuilder& b) {
  std::vector<ParquetField> out;
  for (const auto& c : b.children) {
    ParquetField f;
    f.name = file.meta.schema[c.node].name;
    f.field_id = file.meta.schema[c.node].field_id;
    f.type = c.type;
    f.children = FieldsOf(file, c);
    out.push_back(std::move(f));
  }
  return out;
}

constexpr int64_t kFooterReadSize = 64 << 10;

// Reads and checks the footer. Local (memory-mapped) files are read in place; other files with
// one ranged read of their tail (two when the footer is larger than kFooterReadSize).
ParquetFile OpenFile(RandomAccessFile& f, const std::string& fn) {
  ParquetFile file;
  const std::string& path = f.path();
  file.path = path;
  int64_t size = f.Size();
  file.size = size;
  if (size < 12)
    Corrupt(fn + ": " + path + " is not a Parquet file (only " + std::to_string(size) + " bytes)");
  const uint8_t* mapped = f.MappedData();
  std::string tail_buf;
  const uint8_t* tail;  // the last tail_len bytes of the file
  int64_t tail_len;
  if (mapped) {
    tail = mapped + size - std::min(size, kFooterReadSize);
    tail_len = std::min(size, kFooterReadSize);
  } else {
    tail_len = std::min(size, kFooterReadSize);
    tail_buf = f.ReadRange(size - tail_len, tail_len);
    tail = reinterpret_cast<const uint8_t*>(tail_buf.data());
  }
  const uint8_t* end = tail + tail_len;
  if (std::memcmp(end - 4, "PARE", 4) == 0) {
    throw Error(ErrorKind::kUnsupported,
                fn + ": " + path + ": unsupported: encrypted Parquet file");
  }
  // The leading magic is checked when it is at hand (always for local files).
  bool head_known = mapped || tail_len == size;
  const uint8_t* head = mapped ? mapped : tail;
  if ((head_known && std::memcmp(head, "PAR1", 4) != 0) || std::memcmp(end - 4, "PAR1", 4) != 0) {
    Corrupt(fn + ": " + path + " is not a Parquet file (no PAR1 magic)");
  }
  uint32_t footer_len;
  std::memcpy(&footer_len, end - 8, 4);
  if (footer_len > static_cast<uint64_t>(size) - 12) {
    Corrupt(fn + ": " + path + ": corrupt footer length " + std::to_string(footer_len) +
            " in a file of " + std::to_string(size) + " bytes");
  }
  const uint8_t* footer;
  if (static_cast<int64_t>(footer_len) + 8 <= tail_len) {
    footer = end - 8 - footer_len;
  } else {
    tail_buf = f.ReadRange(size - 8 - footer_len, footer_len);
    footer = reinterpret_cast<const uint8_t*>(tail_buf.data());
  }
  try {
    file.meta = DecodeFileMetaData(footer, footer_len);
  } catch (const Error& e) {
    throw Error(e.kind(), fn + ": " + path + ": corrupt footer: " + e.what());
  }
  const auto& schema = file.meta.schema;
  if (file.meta.encrypted)
    throw Error(ErrorKind::kUnsupported,
                fn + ": " + path + ": unsupported: encrypted Parquet file");
  if (schema.empty()) Corrupt(fn + ": " + path + ": corrupt footer: empty schema");
  try {
    int leaves = 0;
    size_t end = WalkSchema(schema, 0, 0, &leaves);
    if (end != schema.size())
      Corrupt("schema has " + std::to_string(schema.size() - end) + " elements outside the root");
    file.leaf_count = leaves;
    file.nodes.resize(schema.size());
    BuildNodes(&file, 0, 0, 0);
    size_t index = 1;
    int leaf = 0;
    for (int c = 0; c < schema[0].num_children; c++) {
      const SchemaElement& e = schema[index];
      ColumnDesc d;
      d.name = e.name;
      d.field_id = e.field_id;
      d.leaf = leaf;
      int sub_leaves = 0;
      size_t next = WalkSchema(schema, index, 1, &sub_leaves);
      if (e.num_children > 0 || e.repetition == Repetition::kRepeated) {
        d.nested = true;
        d.node = static_cast<int>(index);
        const SchemaNode& node = file.nodes[index];
        for (int l = node.leaf_begin; l < node.leaf_end; l++) {
          const SchemaElement& le = schema[file.leaf_nodes[l]];
          ColumnDesc ld;
          ld.name = e.name + "." + le.name;
          ld.leaf = l;
          ld.max_def = file.nodes[file.leaf_nodes[l]].def;
          ld.max_rep = file.nodes[file.leaf_nodes[l]].rep;
          MapPrimitive(le, &ld);
          if (!ld.unsupported.empty() && d.unsupported.empty()) d.unsupported = ld.unsupported;
          d.leaves.push_back(std::move(ld));
        }
        NestedBuilder root = FieldBuilder(file, d.node, d.node, d.leaves, 0);
        d.type = root.type;
        d.children = FieldsOf(file, root);
      } else {
        d.max_def = e.repetition == Repetition::kOptional ? 1 : 0;
        MapPrimitive(e, &d);
      }
      file.columns.push_back(std::move(d));
      leaf += sub_leaves;
      index = next;
    }
    for (size_t g = 0; g < file.meta.row_groups.size(); g++) {
      const RowGroup& rg = file.meta.row_groups[g];
      if (rg.num_rows < 0) Corrupt("row group " + std::to_string(g) + " has a negative row count");
      if (static_cast<int>(rg.columns.size()) != leaves) {
        Corrupt("row group " + std::to_string(g) + " has " + std::to_string(rg.columns.size()) +
                " column chunks, the schema has " + std::to_string(leaves) + " leaf columns");
      }
      for (const auto& cc : rg.columns) {
        if (cc.encrypted) throw Error(ErrorKind::kUnsupported, "unsupported: encrypted column");
      }
    }
  } catch (const Error& e) {
    std::string msg = e.what();
    if (msg.rfind(fn + ": ", 0) == 0) throw;
    throw Error(e.kind(), fn + ": " + path + ": " + msg);
  }
  return file;
}

// Physical values of one page (or a dictionary), widened.
struct PhysicalValues {
  std::vector<int64_t> ints;            // BOOLEAN, INT32, INT64
  std::vector<double> doubles;          // FLOAT, DOUBLE
  std::vector<std::string_view> views;  // BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY, INT96
  std::string owned;                    // storage for views that are not in the page
  size_t size() const { return std::max({ints.size(), doubles.size(), views.size()}); }
  void Clear() {
    ints.clear();
    doubles.clear();
    views.clear();
    owned.clear();
  }
};

int FixedWidth(PhysicalType t, int type_length) {
  switch (t) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble:
      return 8;
    case PhysicalType::kInt96:
      return 12;
    case PhysicalType::kFixedLenByteArray:
      return type_length;
    default:
      return -1;
  }
}

void DecodePlain(PhysicalType t, int type_length, const uint8_t* p, size_t size, size_t n,
                 PhysicalValues* out) {
  switch (t) {
    case PhysicalType::kBoolean: {
      if ((n + 7) / 8 > size) Corrupt("corrupt page: truncated PLAIN booleans");
      out->ints.resize(n);
      for (size_t i = 0; i < n; i++) out->ints[i] = (p[i >> 3] >> (i & 7)) & 1;
      return;
    }
    case PhysicalType::kInt32: {
      if (n * 4 > size) Corrupt("corrupt page: truncated PLAIN INT32 values");
      out->ints.resize(n);
      for (size_t i = 0; i < n; i++) {
        int32_t v;
        std::memcpy(&v, p + 4 * i, 4);
        out->ints[i] = v;
      }
      return;
    }
    case PhysicalType::kInt64: {
      if (n * 8 > size) Corrupt("corrupt page: truncated PLAIN INT64 values");
      out->ints.resize(n);
      if (n) std::memcpy(out->ints.data(), p, n * 8);
      return;
    }
    case PhysicalType::kFloat: {
      if (n * 4 > size) Corrupt("corrupt page: truncated PLAIN FLOAT values");
      out->doubles.resize(n);
      for (size_t i = 0; i < n; i++) {
        float v;
        std::memcpy(&v, p + 4 * i, 4);
        out->doubles[i] = v;
      }
      return;
    }
    case PhysicalType::kDouble: {
      if (n * 8 > size) Corrupt("corrupt page: truncated PLAIN DOUBLE values");
      out->doubles.resize(n);
      if (n) std::memcpy(out->doubles.data(), p, n * 8);
      return;
    }
    case PhysicalType::kInt96:
    case PhysicalType::kFixedLenByteArray: {
      size_t w = static_cast<size_t>(FixedWidth(t, type_length));
      if (n * w > size) Corrupt("corrupt page: truncated PLAIN fixed-width values");
      out->views.resize(n);
      for (size_t i = 0; i < n; i++)
        out->views[i] = std::string_view(reinterpret_cast<const char*>(p + i * w), w);
      return;
    }
    case PhysicalType::kByteArray: {
      out->views.resize(n);
      size_t pos = 0;
      for (size_t i = 0; i < n; i++) {
        if (size - pos < 4) Corrupt("corrupt page: truncated PLAIN BYTE_ARRAY length");
        uint32_t len;
        std::memcpy(&len, p + pos, 4);
        pos += 4;
        if (len > size - pos)
          Corrupt("corrupt page: BYTE_ARRAY value of " + std::to_string(len) +
                  " bytes past the page end");
        out->views[i] = std::string_view(reinterpret_cast<const char*>(p + pos), len);
        pos += len;
      }
      return;
    }
  }
}

// Builds views over `owned` after all values were appended (offsets, lengths).
void FinishOwnedViews(PhysicalValues* out, const std::vector<std::pair<size_t, size_t>>& spans) {
  out->views.resize(spans.size());
  for (size_t i = 0; i < spans.size(); i++)
    out->views[i] = std::string_view(out->owned.data() + spans[i].first, spans[i].second);
}

// DELTA_LENGTH_BYTE_ARRAY; returns bytes used.
size_t DecodeDeltaLength(const uint8_t* p, size_t size, size_t n,
                         std::vector<std::string_view>* views) {
  std::vector<int64_t> lengths;
  size_t pos = DecodeDeltaBinaryPacked(p, size, n, &lengths);
  views->resize(n);
  for (size_t i = 0; i < n; i++) {
    if (lengths[i] < 0 || static_cast<uint64_t>(lengths[i]) > size - pos)
      Corrupt("corrupt DELTA_LENGTH_BYTE_ARRAY value length");
    (*views)[i] =
        std::string_view(reinterpret_cast<const char*>(p + pos), static_cast<size_t>(lengths[i]));
    pos += static_cast<size_t>(lengths[i]);
  }
  return pos;
}

void DecodeValues(Encoding enc, const ColumnDesc& d, const uint8_t* p, size_t size, size_t n,
                  PhysicalValues* out) {
  PhysicalType t = d.physical;
  switch (enc) {
    case Encoding::kPlain:
      DecodePlain(t, d.type_length, p, size, n, out);
      return;
    case Encoding::kRle: {
      if (t != PhysicalType::kBoolean)
        throw Error(ErrorKind::kUnsupported, "unsupported: RLE encoding for non-boolean values");
      if (size < 4) Corrupt("corrupt page: truncated RLE boolean length");
      uint32_t len;
      std::memcpy(&len, p, 4);
      if (len > size - 4) Corrupt("corrupt page: RLE boolean length past the page end");
      std::vector<uint32_t> bits(n);
      DecodeRleHybrid(p + 4, len, 1, n, bits.data());
      out->ints.assign(bits.begin(), bits.end());
      return;
    }
    case Encoding::kDeltaBinaryPacked: {
      if (t != PhysicalType::kInt32 && t != PhysicalType::kInt64)
        Corrupt("corrupt page: DELTA_BINARY_PACKED for a non-integer column");
      DecodeDeltaBinaryPacked(p, size, n, &out->ints);
      if (t == PhysicalType::kInt32) {
        for (auto& v : out->ints)
          v = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
      }
      return;
    }
    case Encoding::kDeltaLengthByteArray:
      if (t != PhysicalType::kByteArray)
        Corrupt("corrupt page: DELTA_LENGTH_BYTE_ARRAY for a non-BYTE_ARRAY column");
      DecodeDeltaLength(p, size, n, &out->views);
      return;
    case Encoding::kDeltaByteArray: {
      if (t != PhysicalType::kByteArray && t != PhysicalType::kFixedLenByteArray)
        Corrupt("corrupt page: DELTA_BYTE_ARRAY for a non-binary column");
      std::vector<int64_t> prefixes;
      size_t pos = DecodeDeltaBinaryPacked(p, size, n, &prefixes);
      std::vector<std::string_view> suffixes;
      DecodeDeltaLength(p + pos, size - pos, n, &suffixes);
      std::vector<std::pair<size_t, size_t>> spans(n);
      size_t prev_off = 0, prev_len = 0;
      for (size_t i = 0; i < n; i++) {
        if (prefixes[i] < 0 || static_cast<uint64_t>(prefixes[i]) > prev_len)
          Corrupt("corrupt DELTA_BYTE_ARRAY prefix length");
        size_t plen = static_cast<size_t>(prefixes[i]);
        size_t off = out->owned.size();
        if (plen) out->owned.append(out->owned, prev_off, plen);
        out->owned.append(suffixes[i]);
        prev_off = off;
        prev_len = plen + suffixes[i].size();
        spans[i] = {off, prev_len};
        if (out->owned.size() > (size_t{1} << 31))
          Corrupt("corrupt DELTA_BYTE_ARRAY: values too large");
      }
      FinishOwnedViews(out, spans);
      return;
    }
    case Encoding::kByteStreamSplit: {
      int w = FixedWidth(t, d.type_length);
      if (w <= 0 || t == PhysicalType::kInt96)
        Corrupt("corrupt page: BYTE_STREAM_SPLIT for an unsupported type");
      size_t width = static_cast<size_t>(w);
      if (n * width > size) Corrupt("corrupt page: truncated BYTE_STREAM_SPLIT values");
      size_t streams = size / width;  // values in the page (streams are this long)
      std::string buf(n * width, '\0');
      for (size_t i = 0; i < n; i++) {
        for (size_t b = 0; b < width; b++)
          buf[i * width + b] = static_cast<char>(p[b * streams + i]);
      }
      if (t == PhysicalType::kFixedLenByteArray) {
        out->owned = std::move(buf);
        out->views.resize(n);
        for (size_t i = 0; i < n; i++)
          out->views[i] = std::string_view(out->owned.data() + i * width, width);
      } else {
        DecodePlain(t, d.type_length, reinterpret_cast<const uint8_t*>(buf.data()), buf.size(), n,
                    out);
      }
      return;
    }
    default:
      throw Error(ErrorKind::kUnsupported,
                  "unsupported: encoding " + std::to_string(static_cast<int>(enc)));
  }
}

double HalfToDouble(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? std::nan("") : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

// The bytes of one column chunk: [data, data + size) is the chunk; `available` (>= size) bytes
// may be read from `data` (the file's data after the chunk, for writers that under-reported
// chunk sizes).
struct ChunkBytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t available = 0;
};

// Inserts the decimal point `scale` digits from the right of a digit string (with a sign).
std::string PlaceDecimalPoint(bool negative, std::string digits, int scale) {
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale))
      digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(scale), 1, '.');
  }
  bool zero = digits.find_first_not_of("0.") == std::string::npos;
  return negative && !zero ? "-" + digits : digits;
}

// A big-endian two's complement unscaled value of any width as decimal text.
std::string DecimalText(std::string_view bytes, int scale) {
  if (bytes.empty()) return PlaceDecimalPoint(false, "0", scale);
  bool negative = static_cast<uint8_t>(bytes[0]) & 0x80;
  std::vector<uint8_t> mag(bytes.begin(), bytes.end());
  if (negative) {  // magnitude = ~x + 1
    for (auto& b : mag) b = static_cast<uint8_t>(~b);
    for (size_t i = mag.size(); i-- > 0;) {
      if (++mag[i] != 0) break;
    }
  }
  std::string digits;
  size_t begin = 0;
  if (mag.size() <= 16) {
    unsigned __int128 x = 0;
    for (uint8_t b : mag) x = (x << 8) | b;
    do {
      digits.push_back(static_cast<char>('0' + static_cast<int>(x % 10)));
      x /= 10;
    } while (x != 0);
  } else {
    // Long division by 10 over the bytes.
    while (true) {
      while (begin < mag.size() && mag[begin] == 0) begin++;
      if (begin == mag.size()) break;
      unsigned rem = 0;
      for (size_t i = begin; i < mag.size(); i++) {
        unsigned cur = (rem << 8) | mag[i];
        mag[i] = static_cast<uint8_t>(cur / 10);
        rem = cur % 10;
      }
      digits.push_back(static_cast<char>('0' + rem));
    }
    if (digits.empty()) digits = "0";
  }
  std::reverse(digits.begin(), digits.end());
  return PlaceDecimalPoint(negative, std::move(digits), scale);
}

// Checks a column chunk's metadata against the column and returns its byte range in the file.
std::pair<int64_t, int64_t> ChunkRange(const ColumnDesc& d, const ColumnChunk& chunk,
                                       int64_t file_size) {
  const ColumnMetaData& m = chunk.meta;
  if (!chunk.has_meta) Corrupt("column chunk without metadata");
  if (!chunk.file_path.empty())
    throw Error(ErrorKind::kUnsupported,
                "unsupported: column chunk in another file (" + chunk.file_path + ")");
  if (m.type != d.physical) Corrupt("column chunk type differs from the schema");
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 &&
      *m.dictionary_page_offset < start)
    start = *m.dictionary_page_offset;
  int64_t len = m.total_compressed_size;
  if (start < 4 || len < 0 || start > file_size || len > file_size - start) {
    Corrupt("column chunk byte range [" + std::to_string(start) + ", +" + std::to_string(len) +
            ") is outside the file");
  }
  return {start, len};
}

// The row range [first, end) of each data page of a flat column chunk (one level entry per row),
// from the page headers: for chunks without an offset index. nullopt on any doubt (the chunk is
// then decoded whole and its problems reported there).
std::optional<ParquetFileReader::RowRanges> HeaderPageRows(const ChunkBytes& b, int64_t rows) {
  try {
    ParquetFileReader::RowRanges out;
    size_t pos = 0, size = b.size;
    int64_t done = 0;
    while (done < rows) {
      if (pos >= size) return std::nullopt;
      size_t header_len = 0;
      PageHeader h = DecodePageHeader(b.data + pos, size - pos, &header_len);
      pos += header_len;
      if (h.compressed_page_size < 0) return std::nullopt;
      if (static_cast<size_t>(h.compressed_page_size) > size - pos) {
        if (static_cast<size_t>(h.compressed_page_size) > b.available - pos) return std::nullopt;
        size = b.available;  // an under-reported chunk size, as ChunkReader allows
      }
      pos += static_cast<size_t>(h.compressed_page_size);
      if (h.type == PageType::kDataPage || h.type == PageType::kDataPageV2) {
        if (h.num_values < 0 || h.num_values > rows - done) return std::nullopt;
        out.push_back({done, done + h.num_values});
        done += h.num_values;
      }
    }
    return out;
  } catch (const Error&) {
    return std::nullopt;
  }
}

// Hot loops GCC vectorizes only from -O3 (builds use -O2).
#if defined(__GNUC__) && !defined(__clang__)
#define AISHELL_VECTORIZE __attribute__((optimize("O3")))
#else
#define AISHELL_VECTORIZE
#endif

// How many of v[0..n) equal `value`; *above is set when one is greater.
AISHELL_VECTORIZE size_t CountEqual(const uint32_t* v, size_t n, uint32_t value, bool* above) {
  size_t count = 0;
  uint32_t greater = 0;
  for (size_t i = 0; i < n; i++) {
    count += v[i] == value;
    greater |= v[i] > value;
  }
  *above = greater != 0;
  return count;
}

AISHELL_VECTORIZE uint32_t MaxOf(const uint32_t* v, size_t n) {
  uint32_t m = 0;
  for (size_t i = 0; i < n; i++) m = v[i] > m ? v[i] : m;
  return m;
}

// Reads one column chunk of one row group into a flat vector.
class ChunkReader {
 public:
  // `bytes` holds the chunk's byte range (see ChunkRange) and, when available, the file's bytes
  // after it.
  ChunkReader(const ColumnDesc& desc, const ColumnChunk& chunk, int64_t rows, ChunkBytes bytes)
      : d_(desc), chunk_(chunk), rows_(rows), bytes_(bytes) {}

  Vector Read() {
    const ColumnMetaData& m = chunk_.meta;
    const uint8_t* p = bytes_.data;
    // Some old writers (parquet-mr before 1.2.9) under-reported the chunk size: pages may run past
    // it, but never past the file's data (the footer follows it).
    size_t size = bytes_.size;
    size_t file_limit = bytes_.available;
    size_t pos = 0;
    int64_t done = 0;
    size_t out_row = 0;
    // Flat columns have one level entry per row; nested leaves have num_values entries.
    int64_t target = d_.max_rep > 0 ? m.num_values : rows_;
    if (target < 0 || static_cast<uint64_t>(target) > (uint64_t{1} << 31))
      Corrupt("column chunk of " + std::to_string(target) + " values");
    // Strings that are dictionary encoded throughout the chunk stay a dictionary vector.
    dict_mode_ = d_.conv == Conv::kString && d_.max_rep == 0 && !keep_levels && rows_ > 0 &&
                 AllDictionaryEncoded(p, size, file_limit, target);
    if (dict_mode_) {
      row_indices_buf_ = std::make_shared<Buffer>(static_cast<size_t>(rows_) * sizeof(uint32_t));
      row_indices_ = reinterpret_cast<uint32_t*>(row_indices_buf_->data());
    }
    // Room for every row up front (none in dictionary mode): no regrowth while pages are
    // appended.
    Vector out(d_.type, dict_mode_ ? 1 : static_cast<size_t>(std::max<int64_t>(rows_, 1)));
    while (done < target) {
      if (pos >= size)
        Corrupt("column chunk ended after " + std::to_string(done) + " of " +
                std::to_string(rows_) + " rows");
      size_t header_len = 0;
      PageHeader h = DecodePageHeader(p + pos, size - pos, &header_len);
      pos += header_len;
      if (h.compressed_page_size >= 0 && static_cast<size_t>(h.compressed_page_size) > size - pos &&
          static_cast<size_t>(h.compressed_page_size) <= file_limit - pos) {
        size = file_limit;
      }
      if (h.compressed_page_size < 0 || static_cast<size_t>(h.compressed_page_size) > size - pos) {
        Corrupt("page of " + std::to_string(h.compressed_page_size) +
                " bytes runs past the column chunk");
      }
      if (h.uncompressed_page_size < 0) Corrupt("negative uncompressed page size");
      const uint8_t* page = p + pos;
      size_t page_size = static_cast<size_t>(h.compressed_page_size);
      pos += page_size;
      switch (h.type) {
        case PageType::kDictionaryPage:
          ReadDictionary(h, page, page_size);
          break;
        case PageType::kDataPage:
        case PageType::kDataPageV2: {
          if (!h.has_data_header) Corrupt("data page without its header");
          if (h.num_values < 0 || static_cast<size_t>(h.num_values) > kMaxPageValues)
            Corrupt("page of " + std::to_string(h.num_values) + " values");
          if (h.num_values > target - done)
            Corrupt("pages hold more values than the column chunk's " + std::to_string(target));
          if (!page_wanted.empty()) {
            // Page-index skipping: pages outside the selected rows are not decoded.
            if (data_page >= page_wanted.size())
              Corrupt("the column chunk has more data pages than its offset index");
            if (!page_wanted[data_page++]) {
              done += h.num_values;
              break;
            }
          }
          ReadDataPage(h, page, page_size, out, out_row);
          g_pages_decoded.fetch_add(1, std::memory_order_relaxed);
          out_row += static_cast<size_t>(h.num_values);
          done += h.num_values;
          break;
        }
        default:
          break;  // index pages: skipped
      }
    }
    if (!page_wanted.empty()) out.Resize(out_row);
    if (dict_mode_) {
      if (!dict_vector_) Corrupt("dictionary-encoded chunk without a dictionary");
      return Vector::Dictionary(dict_vector_, row_indices_buf_, out_row);
    }
    return out;
  }

 private:
  // Whether the chunk is one dictionary page followed only by dictionary-encoded data pages
  // (headers only; any doubt answers false and the flat path reports problems).
  bool AllDictionaryEncoded(const uint8_t* p, size_t size, size_t file_limit,
                            int64_t target) const {
    try {
      size_t pos = 0;
      int64_t done = 0;
      int dictionaries = 0;
      while (done < target) {
        if (pos >= size) return false;
        size_t header_len = 0;
        PageHeader h = DecodePageHeader(p + pos, size - pos, &header_len);
        pos += header_len;
        if (h.compressed_page_size < 0) return false;
        if (static_cast<size_t>(h.compressed_page_size) > size - pos) {
          if (static_cast<size_t>(h.compressed_page_size) > file_limit - pos) return false;
          size = file_limit;
        }
        pos += static_cast<size_t>(h.compressed_page_size);
        if (h.type == PageType::kDictionaryPage) {
          if (++dictionaries > 1 || done > 0) return false;
        } else if (h.type == PageType::kDataPage || h.type == PageType::kDataPageV2) {
          if (dictionaries != 1 || h.num_values < 0) return false;
          if (h.encoding != Encoding::kPlainDictionary && h.encoding != Encoding::kRleDictionary)
            return false;
          done += h.num_values;
        }
      }
      return dictionaries == 1;
    } catch (const Error&) {
      return false;
    }
  }

  // The page's uncompressed bytes: in place when not compressed, else decompressed into *buf.
  // With `heap_owner`, always copied (or decompressed) into that vector's string heap instead, so
  // that string views into the page need no per-value copy.
  const uint8_t* Decompressed(const uint8_t* data, size_t size, size_t out_size,
                              std::vector<uint8_t>* buf, Vector* heap_owner = nullptr,
                              bool compressed = true) {
    Codec codec = compressed ? chunk_.meta.codec : Codec::kUncompressed;
    if (codec == Codec::kUncompressed) {
      if (size < out_size) Corrupt("page shorter than its uncompressed size");
      if (heap_owner && out_size > 0) {
        char* dst = heap_owner->heap()->Allocate(out_size);
        std::memcpy(dst, data, out_size);
        return reinterpret_cast<const uint8_t*>(dst);
      }
      return data;
    }
    if (out_size > kMaxPageBytes) {
      throw Error(ErrorKind::kUnsupported, "unsupported: a page of " + std::to_string(out_size) +
                                               " bytes (the limit is " +
                                               std::to_string(kMaxPageBytes >> 20) + " MB)");
    }
    if (heap_owner && out_size > 0) {
      auto* dst = reinterpret_cast<uint8_t*>(heap_owner->heap()->Allocate(out_size));
      Decompress(codec, data, size, dst, out_size);
      return dst;
    }
    buf->resize(out_size);
    if (out_size == 0) return buf->data();
    Decompress(codec, data, size, buf->data(), out_size);
    return buf->data();
  }

  void ReadDictionary(const PageHeader& h, const uint8_t* page, size_t size) {
    if (!h.has_dictionary_header) Corrupt("dictionary page without its header");
    if (h.encoding != Encoding::kPlain && h.encoding != Encoding::kPlainDictionary) {
      throw Error(ErrorKind::kUnsupported, "unsupported: dictionary page encoding " +
                                               std::to_string(static_cast<int>(h.encoding)));
    }
    if (h.num_values < 0 || static_cast<size_t>(h.num_values) > kMaxPageValues)
      Corrupt("dictionary of " + std::to_string(h.num_values) + " values");
    const uint8_t* data =
        Decompressed(page, size, static_cast<size_t>(h.uncompressed_page_size), &dict_buf_);
    if (data != dict_buf_.data()) dict_buf_.assign(data, data + h.uncompressed_page_size);
    dict_.Clear();
    DecodePlain(d_.physical, d_.type_length, dict_buf_.data(), dict_buf_.size(),
                static_cast<size_t>(h.num_values), &dict_);
    have_dict_ = true;
    if (dict_mode_) {
      // The values, then one NULL entry that null rows point at.
      size_t n = dict_.views.size();
      auto v = std::make_shared<Vector>(d_.type, n + 1);
      v->Resize(n + 1);
      for (size_t i = 0; i < n; i++) v->SetString(i, dict_.views[i]);
      v->SetNull(n);
      dict_vector_ = std::move(v);
    }
  }

  void ReadDataPage(const PageHeader& h, const uint8_t* page, size_t size, Vector& out,
                    size_t row) {
    size_t n = static_cast<size_t>(h.num_values);
    const uint8_t* data;
    size_t data_size;
    defs_.resize(n);
    bool has_defs = d_.max_def > 0;
    bool has_reps = d_.max_rep > 0;
    if (has_reps) reps_.resize(n);
    size_t non_null = n;
    bool all_defined = false;  // every definition level is the maximum (defs_ not filled)
    // PLAIN strings: the page lands in the output's string heap and the values point into it.
    Vector* heap_owner =
        d_.conv == Conv::kString && !dict_mode_ && h.encoding == Encoding::kPlain ? &out : nullptr;
    if (h.type == PageType::kDataPage) {
      data_size = static_cast<size_t>(h.uncompressed_page_size);
      data = Decompressed(page, size, data_size, &page_buf_, heap_owner);
      size_t pos = 0;
      if (has_reps) {
        if (h.repetition_level_encoding != Encoding::kRle)
          throw Error(ErrorKind::kUnsupported, "unsupported: BIT_PACKED repetition levels");
        if (data_size < 4) Corrupt("corrupt page: truncated repetition levels");
        uint32_t len;
        std::memcpy(&len, data, 4);
        if (len > data_size - 4) Corrupt("corrupt page: repetition levels past the page end");
        DecodeRleHybrid(data + 4, len, BitWidthOf(static_cast<uint64_t>(d_.max_rep)), n,
                        reps_.data());
        pos = 4 + len;
      }
      if (has_defs) {
        if (h.definition_level_encoding != Encoding::kRle)
          throw Error(ErrorKind::kUnsupported, "unsupported: BIT_PACKED definition levels");
        if (data_size - pos < 4) Corrupt("corrupt page: truncated definition levels");
        uint32_t len;
        std::memcpy(&len, data + pos, 4);
        if (len > data_size - pos - 4) Corrupt("corrupt page: definition levels past the page end");
        all_defined = DecodeDefs(data + pos + 4, len, n);
        pos += 4 + len;
      }
      data += pos;
      data_size -= pos;
    } else {
      int32_t rl = h.repetition_levels_byte_length, dl = h.definition_levels_byte_length;
      if (rl < 0 || dl < 0 || static_cast<size_t>(rl) + static_cast<size_t>(dl) > size ||
          static_cast<int64_t>(rl) + dl > h.uncompressed_page_size) {
        Corrupt("corrupt DATA_PAGE_V2 level lengths");
      }
      if (has_reps)
        DecodeRleHybrid(page, static_cast<size_t>(rl),
                        BitWidthOf(static_cast<uint64_t>(d_.max_rep)), n, reps_.data());
      if (has_defs) all_defined = DecodeDefs(page + rl, static_cast<size_t>(dl), n);
      size_t skip = static_cast<size_t>(rl) + static_cast<size_t>(dl);
      size_t out_size = static_cast<size_t>(h.uncompressed_page_size) - skip;
      data =
          Decompressed(page + skip, size - skip, out_size, &page_buf_, heap_owner, h.is_compressed);
      data_size = out_size;
    }
    if (keep_levels) {
      for (size_t i = 0; i < n; i++) {
        if (has_reps && reps_[i] > static_cast<uint32_t>(d_.max_rep))
          Corrupt("repetition level above the maximum");
        all_reps.push_back(static_cast<uint16_t>(has_reps ? reps_[i] : 0));
        all_defs.push_back(
            static_cast<uint16_t>(has_defs ? std::min<uint32_t>(defs_[i], 0xffff) : 0));
      }
    }
    if (all_defined) has_defs = false;  // no NULLs in this page
    if (has_defs) {
      bool above = false;
      non_null = CountEqual(defs_.data(), n, static_cast<uint32_t>(d_.max_def), &above);
      if (above) Corrupt("definition level above the maximum");
    }
    if (!dict_mode_ && h.encoding == Encoding::kPlain) {
      out.Resize(row + n);
      if (heap_owner) {
        // Views into the page bytes now owned by the output's heap: no copy per value.
        values_.Clear();
        DecodePlain(d_.physical, d_.type_length, data, data_size, non_null, &values_);
        const std::string_view* v = values_.views.data();
        Scatter<std::string_view>(out, row, n, non_null, nullptr, [v](size_t k) { return v[k]; });
        return;
      }
      if (PlainDirect(data, data_size, n, non_null, out, row)) return;
    }
    values_.Clear();
    const PhysicalValues* src = &values_;
    std::vector<uint32_t>& idx = indices_;
    bool dictionary =
        h.encoding == Encoding::kPlainDictionary || h.encoding == Encoding::kRleDictionary;
    if (dictionary) {
      if (!have_dict_) Corrupt("dictionary-encoded page without a dictionary page");
      // Without NULLs a dictionary vector's indices are decoded straight into place.
      bool in_place = dict_mode_ && non_null == n;
      uint32_t* target = in_place ? row_indices_ + row : nullptr;
      if (!in_place) {
        idx.resize(non_null);
        target = idx.data();
      }
      if (non_null > 0) {
        if (data_size < 1) Corrupt("corrupt page: missing dictionary index bit width");
        DecodeRleHybrid(data + 1, data_size - 1, data[0], non_null, target);
      }
      uint32_t dict_size = static_cast<uint32_t>(dict_.size());
      if (non_null > 0 && MaxOf(target, non_null) >= dict_size) {
        for (size_t i = 0; i < non_null; i++) {
          if (target[i] >= dict_size)
            Corrupt("dictionary index " + std::to_string(target[i]) + " out of range (" +
                    std::to_string(dict_size) + " entries)");
        }
      }
      if (in_place) return;
      src = &dict_;
    } else {
      DecodeValues(h.encoding, d_, data, data_size, non_null, &values_);
    }
    if (dict_mode_) {
      if (!dictionary) Corrupt("page encoding changed within a dictionary-encoded chunk");
      uint32_t null_index = static_cast<uint32_t>(dict_.views.size());
      size_t j = 0;
      for (size_t i = 0; i < n; i++) {
        bool is_null = has_defs && defs_[i] != static_cast<uint32_t>(d_.max_def);
        row_indices_[row + i] = is_null ? null_index : idx[j++];
      }
      return;
    }
    // Scatter into the output with nulls: typed loops for the common conversions.
    out.Resize(row + n);
    const uint32_t* ix = dictionary ? idx.data() : nullptr;
    switch (d_.conv) {
      case Conv::kInt32:
      case Conv::kDate: {
        const int64_t* v = src->ints.data();
        Scatter<int32_t>(out, row, n, non_null, ix,
                         [v](size_t k) { return static_cast<int32_t>(v[k]); });
        return;
      }
      case Conv::kInt64:
      case Conv::kDecimalInt:
      case Conv::kTimestampMicros: {
        const int64_t* v = src->ints.data();
        Scatter<int64_t>(out, row, n, non_null, ix, [v](size_t k) { return v[k]; });
        return;
      }
      case Conv::kDouble: {
        const double* v = src->doubles.data();
        Scatter<double>(out, row, n, non_null, ix, [v](size_t k) { return v[k]; });
        return;
      }
      case Conv::kFloat: {
        const double* v = src->doubles.data();
        Scatter<float>(out, row, n, non_null, ix,
                       [v](size_t k) { return static_cast<float>(v[k]); });
        return;
      }
      case Conv::kBool: {
        const int64_t* v = src->ints.data();
        Scatter<uint8_t>(out, row, n, non_null, ix,
                         [v](size_t k) { return static_cast<uint8_t>(v[k] ? 1 : 0); });
        return;
      }
      default:
        break;
    }
    size_t j = 0;
    auto at = [&](size_t k) -> size_t { return dictionary ? idx[k] : k; };
    for (size_t i = 0; i < n; i++) {
      size_t r = row + i;
      if (has_defs && defs_[i] != static_cast<uint32_t>(d_.max_def)) {
        out.SetNull(r);
        continue;
      }
      size_t k = at(j++);
      Store(out, r, *src, k);
    }
  }

  // Decodes n definition levels into defs_, except when they are one RLE run of the maximum
  // level (a page without NULLs): then returns true and leaves defs_ alone.
  bool DecodeDefs(const uint8_t* p, size_t len, size_t n) {
    int width = BitWidthOf(static_cast<uint64_t>(d_.max_def));
    if (!keep_levels && n > 0) {
      size_t pos = 0;
      uint64_t header = 0;
      bool ok = true;
      for (int shift = 0;; shift += 7) {
        if (pos >= len || shift >= 63) {
          ok = false;
          break;
        }
        uint8_t b = p[pos++];
        header |= static_cast<uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
      }
      size_t bytes = static_cast<size_t>((width + 7) / 8);
      if (ok && !(header & 1) && (header >> 1) >= n && bytes <= len - pos) {
        uint32_t v = 0;
        for (size_t b = 0; b < bytes; b++) v |= static_cast<uint32_t>(p[pos + b]) << (8 * b);
        if (v == static_cast<uint32_t>(d_.max_def)) return true;
      }
    }
    DecodeRleHybrid(p, len, width, n, defs_.data());
    return false;
  }

  // PLAIN fixed-width values whose engine form is the physical value (or a plain widening):
  // straight from the page bytes into the output. False when the column needs the general path.
  bool PlainDirect(const uint8_t* data, size_t size, size_t n, size_t non_null, Vector& out,
                   size_t row) {
    PhysicalType t = d_.physical;
    switch (d_.conv) {
      case Conv::kInt32:
      case Conv::kDate:
        if (t != PhysicalType::kInt32) return false;
        PlainCopy<int32_t, int32_t>(data, size, n, non_null, out, row);
        return true;
      case Conv::kInt64:
      case Conv::kDecimalInt:
      case Conv::kTimestampMicros:
        if (t == PhysicalType::kInt64) {
          PlainCopy<int64_t, int64_t>(data, size, n, non_null, out, row);
          return true;
        }
        if (t == PhysicalType::kInt32 && d_.conv == Conv::kDecimalInt) {
          PlainCopy<int32_t, int64_t>(data, size, n, non_null, out, row);
          return true;
        }
        return false;
      case Conv::kDouble:
        if (t != PhysicalType::kDouble) return false;
        PlainCopy<double, double>(data, size, n, non_null, out, row);
        return true;
      case Conv::kFloat:
        if (t != PhysicalType::kFloat) return false;
        PlainCopy<float, float>(data, size, n, non_null, out, row);
        return true;
      default:
        return false;
    }
  }

  template <class P, class T>
  void PlainCopy(const uint8_t* data, size_t size, size_t n, size_t non_null, Vector& out,
                 size_t row) {
    if (non_null * sizeof(P) > size) Corrupt("corrupt page: truncated PLAIN values");
    if (std::is_same_v<P, T> && non_null == n) {
      if (n) std::memcpy(out.Data<T>() + row, data, n * sizeof(T));
      return;
    }
    Scatter<T>(out, row, n, non_null, nullptr, [data](size_t k) {
      P v;
      std::memcpy(&v, data + k * sizeof(P), sizeof(P));
      return static_cast<T>(v);
    });
  }

  // out[row + i] for the n level entries of a page: get(k) for the k-th non-null value (k through
  // the dictionary indices `ix` when not null), NULL where the definition level is below the max.
  template <class T, class Get>
  void Scatter(Vector& out, size_t row, size_t n, size_t non_null, const uint32_t* ix, Get get) {
    T* o = out.Data<T>() + row;
    if (non_null == n) {
      if (ix) {
        for (size_t i = 0; i < n; i++) o[i] = get(ix[i]);
      } else {
        for (size_t i = 0; i < n; i++) o[i] = get(i);
      }
      return;
    }
    const uint32_t max_def = static_cast<uint32_t>(d_.max_def);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
      if (defs_[i] != max_def) {
        out.SetNull(row + i);
        continue;
      }
      size_t k = ix ? ix[j] : j;
      j++;
      o[i] = get(k);
    }
  }

  void Store(Vector& out, size_t r, const PhysicalValues& v, size_t k) {
    switch (d_.conv) {
      case Conv::kBool:
        out.Data<uint8_t>()[r] = v.ints[k] ? 1 : 0;
        return;
      case Conv::kInt8:
        out.Data<int8_t>()[r] = static_cast<int8_t>(v.ints[k]);
        return;
      case Conv::kInt16:
        out.Data<int16_t>()[r] = static_cast<int16_t>(v.ints[k]);
        return;
      case Conv::kInt32:
        out.Data<int32_t>()[r] = static_cast<int32_t>(v.ints[k]);
        return;
      case Conv::kUInt32:
        out.Data<int64_t>()[r] = static_cast<int64_t>(static_cast<uint32_t>(v.ints[k]));
        return;
      case Conv::kInt64:
        out.Data<int64_t>()[r] = v.ints[k];
        return;
      case Conv::kUInt64:
        if (v.ints[k] < 0)
          throw Error(ErrorKind::kConversion,
                      "UINT64 value " + std::to_string(static_cast<uint64_t>(v.ints[k])) +
                          " in column '" + d_.name + "' does not fit BIGINT");
        out.Data<int64_t>()[r] = v.ints[k];
        return;
      case Conv::kFloat:
        out.Data<float>()[r] = static_cast<float>(v.doubles[k]);
        return;
      case Conv::kDouble:
        out.Data<double>()[r] = v.doubles[k];
        return;
      case Conv::kDate:
        out.Data<int32_t>()[r] = static_cast<int32_t>(v.ints[k]);
        return;
      case Conv::kDecimalInt:
        out.Data<int64_t>()[r] = v.ints[k];
        return;
      case Conv::kDecimalBytes: {
        std::string_view s = v.views[k];
        if (s.empty()) {
          out.Data<int64_t>()[r] = 0;
          return;
        }
        int64_t x = static_cast<int8_t>(s[0]) < 0 ? -1 : 0;
        size_t skip = 0;
        if (s.size() > 8) {
          skip = s.size() - 8;
          for (size_t b = 0; b < skip; b++) {
            if (static_cast<uint8_t>(s[b]) != static_cast<uint8_t>(x & 0xff)) {
              throw Error(ErrorKind::kConversion,
                          "decimal value in column '" + d_.name + "' exceeds 18 digits");
            }
          }
        }
        uint64_t u = static_cast<uint64_t>(x);
        for (size_t b = skip; b < s.size(); b++) u = (u << 8) | static_cast<uint8_t>(s[b]);
        out.Data<int64_t>()[r] = static_cast<int64_t>(u);
        return;
      }
      case Conv::kDecimalText:
        out.SetString(r, DecimalText(v.views[k], d_.scale));
        return;
      case Conv::kDecimalWide: {
        if (d_.physical == PhysicalType::kInt32 || d_.physical == PhysicalType::kInt64) {
          out.Data<Int128>()[r] = v.ints[k];
          return;
        }
        std::string_view s = v.views[k];  // big-endian two's complement
        if (s.size() > 16) {
          size_t skip = s.size() - 16;
          char sign = static_cast<int8_t>(s[0]) < 0 ? '\xff' : 0;
          for (size_t b = 0; b < skip; b++) {
            if (s[b] != sign)
              throw Error(ErrorKind::kConversion,
                          "decimal value in column '" + d_.name + "' exceeds 38 digits");
          }
          s.remove_prefix(skip);
        }
        unsigned __int128 u =
            !s.empty() && static_cast<int8_t>(s[0]) < 0 ? ~static_cast<unsigned __int128>(0) : 0;
        for (char c : s) u = (u << 8) | static_cast<uint8_t>(c);
        out.Data<Int128>()[r] = static_cast<Int128>(u);
        return;
      }
      case Conv::kTimestampMillis: {
        int64_t us;
        if (__builtin_mul_overflow(v.ints[k], int64_t{1000}, &us)) OutOfRange();
        out.Data<int64_t>()[r] = us;
        return;
      }
      case Conv::kTimestampMicros:
        out.Data<int64_t>()[r] = v.ints[k];
        return;
      case Conv::kTimestampNanos:
        out.Data<int64_t>()[r] = FloorDiv(v.ints[k], 1000);
        return;
      case Conv::kInt96: {
        std::string_view s = v.views[k];
        int64_t nanos;
        uint32_t julian;
        std::memcpy(&nanos, s.data(), 8);
        std::memcpy(&julian, s.data() + 8, 4);
        int64_t us;
        if (__builtin_mul_overflow(static_cast<int64_t>(julian) - 2440588, int64_t{86400000000LL},
                                   &us) ||
            __builtin_add_overflow(us, FloorDiv(nanos, 1000), &us)) {
          OutOfRange();
        }
        out.Data<int64_t>()[r] = us;
        return;
      }
      case Conv::kString:
        out.SetString(r, v.views[k]);
        return;
      case Conv::kUuid:
        std::memcpy(out.Data<Uuid>()[r].bytes, v.views[k].data(), 16);
        return;
      case Conv::kFloat16: {
        uint16_t h;
        std::memcpy(&h, v.views[k].data(), 2);
        out.Data<float>()[r] = static_cast<float>(HalfToDouble(h));
        return;
      }
      case Conv::kTimeMillis:
        out.Data<int64_t>()[r] = v.ints[k] * 1000;
        return;
      case Conv::kTimeMicros:
        out.Data<int64_t>()[r] = v.ints[k];
        return;
      case Conv::kTimeNanos:
        out.Data<int64_t>()[r] = FloorDiv(v.ints[k], 1000);  // microseconds, as TIME(6)
        return;
    }
  }

  [[noreturn]] void OutOfRange() const {
    throw Error(ErrorKind::kUnsupported,
                "unsupported: timestamp in column '" + d_.name +
                    "' beyond the range of TIMESTAMP (microseconds in 64 bits)");
  }

  const ColumnDesc& d_;
  const ColumnChunk& chunk_;
  int64_t rows_;
  ChunkBytes bytes_;
  std::vector<uint8_t> page_buf_, dict_buf_;
  PhysicalValues dict_, values_;
  bool have_dict_ = false;
  std::vector<uint32_t> defs_, indices_, reps_;
  bool dict_mode_ = false;
  std::shared_ptr<Vector> dict_vector_;
  std::shared_ptr<Buffer> row_indices_buf_;  // dictionary mode: one index per row
  uint32_t* row_indices_ = nullptr;

 public:
  // Nested leaves: every level entry's repetition and definition level.
  bool keep_levels = false;
  // Flat columns: when not empty, only the data pages (in order) marked here are decoded and the
  // result holds only their rows.
  std::vector<char> page_wanted;
  size_t data_page = 0;
  std::vector<uint16_t> all_reps, all_defs;
};

// Assembles a nested column (LIST, MAP, STRUCT, repeated fields) from its leaves' levels and
// values into nested vectors (ARRAY, MAP, ROW), one value per row (Dremel record assembly): NULL,
// empty and NULL elements stay distinct.
class NestedAssembler {
 public:
  // `wanted`: the leaves to read (WantedLeaves; empty: all).
  NestedAssembler(const ParquetFile& file, const ColumnDesc& desc, std::vector<char> wanted = {})
      : file_(file), d_(desc), wanted_(std::move(wanted)) {}

  // `bytes` holds the byte range of each leaf column chunk of the row group (by leaf index).
  Vector Read(const RowGroup& rg, const std::vector<ChunkBytes>& bytes, ScanCounters* counters) {
    size_t leaf_count = d_.leaves.size();
    values_.clear();
    reps_.resize(leaf_count);
    defs_.resize(leaf_count);
    for (size_t l = 0; l < leaf_count; l++) {
      const ColumnDesc& ld = d_.leaves[l];
      if (!wanted_.empty() && !wanted_[l]) {
        values_.emplace_back();
        continue;
      }
      const ColumnChunk& chunk = rg.columns[ld.leaf];
      ChunkReader reader(ld, chunk, rg.num_rows, bytes[ld.leaf]);
      reader.keep_levels = true;
      values_.push_back(reader.Read());
      reps_[l] = std::move(reader.all_reps);
      defs_[l] = std::move(reader.all_defs);
      if (counters) counters->bytes_read += chunk.meta.total_compressed_size;
    }
    // Every leaf holds one entry with repetition level 0 per row, and one value per entry.
    size_t rows = static_cast<size_t>(rg.num_rows);
    for (size_t l = 0; l < leaf_count; l++) {
      if (!wanted_.empty() && !wanted_[l]) continue;
      size_t starts = 0;
      for (uint16_t r : reps_[l]) starts += r == 0;
      if (starts != rows || (!reps_[l].empty() && reps_[l][0] != 0)) {
        Corrupt("nested column '" + d_.name + "': leaf " + d_.leaves[l].name + " holds " +
                std::to_string(starts) + " rows, the row group " + std::to_string(rows));
      }
      if (values_[l].size() != reps_[l].size() || defs_[l].size() != reps_[l].size())
        Corrupt("nested column '" + d_.name + "': leaf " + d_.leaves[l].name +
                ": levels and values disagree");
    }
    NestedBuilder root = FieldBuilder(file_, d_.node, d_.node, d_.leaves, 0);
    SetLevels(file_, d_.node, 0, 0, &root, wanted_);
    Assemble(&root);
    if (root.count != rows) Corrupt("nested column '" + d_.name + "': inconsistent levels");
    return Finish(&root);
  }

 private:
  // Fills a builder and its children from the levels of their first leaves, in one pass each.
  void Assemble(NestedBuilder* b) {
    const std::vector<uint16_t>& reps = reps_[b->first_leaf];
    const std::vector<uint16_t>& defs = defs_[b->first_leaf];
    size_t n = reps.size();
    const uint32_t slot_rep = b->slot_rep, slot_def = b->slot_def;
    switch (b->shape) {
      case NodeShape::kLeaf:
        for (size_t i = 0; i < n; i++) {
          if (reps[i] <= slot_rep && defs[i] >= slot_def)
            b->sel.push_back(static_cast<uint32_t>(i));
        }
        b->count = b->sel.size();
        return;
      case NodeShape::kStruct:
        for (size_t i = 0; i < n; i++) {
          if (reps[i] <= slot_rep && defs[i] >= slot_def)
            b->valid.push_back(defs[i] >= b->valid_def);
        }
        b->count = b->valid.size();
        for (auto& c : b->children) {
          if (c.absent) {
            c.count = b->count;
            continue;
          }
          Assemble(&c);
          if (c.count != b->count) Corrupt("nested column '" + d_.name + "': inconsistent levels");
        }
        return;
      default: {
        uint32_t total = 0;
        bool in_slot = false;
        for (size_t i = 0; i < n; i++) {
          if (reps[i] <= slot_rep) {
            in_slot = defs[i] >= slot_def;
            if (!in_slot) continue;
            uint32_t len = defs[i] >= b->elem_def ? 1 : 0;
            b->entries.push_back({total, len});
            b->valid.push_back(defs[i] >= b->valid_def);
            total += len;
          } else if (reps[i] == b->elem_rep && in_slot) {
            b->entries.back().length++;
            total++;
          }
        }
        b->count = b->entries.size();
        for (auto& c : b->children) {
          Assemble(&c);
          if (c.count != total) Corrupt("nested column '" + d_.name + "': inconsistent levels");
        }
        return;
      }
    }
  }

  Vector Finish(NestedBuilder* b) {
    if (b->absent) return NullVector(b->type, b->count);
    if (b->shape == NodeShape::kLeaf) return values_[b->leaf].Gather(b->sel.data(), b->count);
    Vector out(b->type, std::max<size_t>(b->count, 1));
    out.Resize(b->count);
    if (b->shape == NodeShape::kStruct) {
      auto* rows = out.Data<uint32_t>();
      for (size_t i = 0; i < b->count; i++) rows[i] = static_cast<uint32_t>(i);
    } else if (b->count > 0) {
      std::memcpy(out.Data<ArrayEntry>(), b->entries.data(), b->count * sizeof(ArrayEntry));
    }
    for (size_t i = 0; i < b->count; i++) {
      if (!b->valid[i]) out.SetNull(i);
    }
    for (size_t c = 0; c < b->children.size(); c++) out.Child(c) = Finish(&b->children[c]);
    return out;
  }

  const ParquetFile& file_;
  const ColumnDesc& d_;
  std::vector<char> wanted_;
  std::vector<Vector> values_;
  std::vector<std::vector<uint16_t>> reps_, defs_;
};

// Whether a column's statistics compare like the engine's values (no unit conversion).
bool ConvIsRaw(const ColumnDesc& d) {
  switch (d.conv) {
    case Conv::kInt8:
    case Conv::kInt16:
    case Conv::kInt32:
    case Conv::kInt64:
    case Conv::kDate:
    case Conv::kDouble:
    case Conv::kFloat:
    case Conv::kDecimalInt:
    case Conv::kString:
      return true;
    default:
      return false;
  }
}

class ParquetFileReaderImpl : public ParquetFileReader {
 public:
  ParquetFileReaderImpl(std::shared_ptr<RandomAccessFile> file, std::string context,
                        ParquetFile parsed)
      : file_(std::move(file)), context_(std::move(context)), pf_(std::move(parsed)) {
    mapped_ = file_->MappedData();
    for (const auto& d : pf_.columns) {
      ParquetColumn c;
      c.name = d.name;
      c.type = d.type;
      c.field_id = d.field_id;
      c.unsupported = d.unsupported;
      c.nested = d.nested;
      c.children = d.children;
      c.note = d.note;
      c.nullable = d.max_def > 0 || d.nested || !d.unsupported.empty();
      columns_.push_back(std::move(c));
    }
    int64_t first = 0;
    for (const auto& rg : pf_.meta.row_groups) {
      ParquetRowGroupInfo info;
      info.num_rows = rg.num_rows;
      info.first_row = first;
      for (const auto& cc : rg.columns) {
        if (cc.has_meta && cc.meta.total_compressed_size > 0)
          info.compressed_bytes += cc.meta.total_compressed_size;
      }
      first += rg.num_rows;
      row_groups_.push_back(info);
    }
    num_rows_ = first;
  }

  const std::string& path() const override { return pf_.path; }
  const std::vector<ParquetColumn>& columns() const override { return columns_; }
  int64_t num_rows() const override { return num_rows_; }
  int row_group_count() const override { return static_cast<int>(row_groups_.size()); }
  const ParquetRowGroupInfo& row_group(int index) const override {
    CheckRowGroup(index);
    return row_groups_[index];
  }

  std::optional<StatsRange> ColumnRange(int row_group, int column) const override {
    CheckRowGroup(row_group);
    if (column < 0 || column >= static_cast<int>(pf_.columns.size())) return std::nullopt;
    const ColumnDesc& d = pf_.columns[column];
    if (!d.unsupported.empty() || d.nested || d.leaf < 0) return std::nullopt;
    const RowGroup& rg = pf_.meta.row_groups[row_group];
    const ColumnChunk& cc = rg.columns[d.leaf];
    if (!cc.has_meta || !cc.meta.statistics) return std::nullopt;
    try {
      return StatisticsRange(*cc.meta.statistics, d.physical, d.type, ConvIsRaw(d), rg.num_rows);
    } catch (const Error&) {
      return std::nullopt;
    }
  }

  std::vector<Vector> ReadRowGroup(int row_group, const std::vector<int>& columns,
                                   ScanCounters* counters,
                                   const FieldSelection* fields = nullptr) const override {
    CheckRowGroup(row_group);
    return Wrap(row_group, [&] { return Read(row_group, columns, counters, nullptr, fields); });
  }

  std::vector<Vector> ReadRowGroupRows(int row_group, const std::vector<int>& columns,
                                       const RowRanges& rows, ScanCounters* counters,
                                       const FieldSelection* fields = nullptr) const override {
    CheckRowGroup(row_group);
    int64_t n = pf_.meta.row_groups[row_group].num_rows;
    int64_t prev = 0;
    for (const auto& [b, e] : rows) {
      if (b < prev || e <= b || e > n) {
        throw Error(ErrorKind::kInternal, Prefix(row_group) + "row ranges out of order or range");
      }
      prev = e;
    }
    return Wrap(row_group, [&] {
      if (rows.empty()) return EmptyColumns(columns);
      if (rows.size() == 1 && rows[0] == std::pair<int64_t, int64_t>{0, n})
        return Read(row_group, columns, counters, nullptr, fields);
      return Read(row_group, columns, counters, &rows, fields);
    });
  }

  std::vector<Vector> ReadRowGroupFiltered(int row_group, const std::vector<int>& columns,
                                           const std::vector<RowGroupFilter>& filters,
                                           ScanCounters* counters, RowRanges* kept,
                                           const FieldSelection* fields = nullptr) const override {
    CheckRowGroup(row_group);
    return Wrap(row_group, [&] {
      int64_t n = pf_.meta.row_groups[row_group].num_rows;
      auto selection = SelectRows(row_group, filters);
      if (!selection) {
        if (kept) *kept = {{0, n}};
        return Read(row_group, columns, counters, nullptr, fields);
      }
      if (kept) *kept = *selection;
      if (selection->empty()) return EmptyColumns(columns);
      return Read(row_group, columns, counters, &*selection, fields);
    });
  }

 private:
  std::vector<Vector> EmptyColumns(const std::vector<int>& columns) const {
    std::vector<Vector> out;
    for (int c : columns) {
      CheckColumn(c);
      out.emplace_back(pf_.columns[c].type, 1);
      out.back().Resize(0);
    }
    return out;
  }

  template <class Fn>
  std::vector<Vector> Wrap(int row_group, Fn fn) const {
    try {
      return fn();
    } catch (const Error& e) {
      throw Error(e.kind(), Prefix(row_group) + e.what());
    } catch (const std::bad_alloc&) {
      throw Error(ErrorKind::kIo, Prefix(row_group) + "corrupt file: sizes too large to allocate");
    } catch (const std::length_error&) {
      throw Error(ErrorKind::kIo, Prefix(row_group) + "corrupt file: sizes too large to allocate");
    }
  }

  void CheckColumn(int c) const {
    if (c < 0 || c >= static_cast<int>(pf_.columns.size()))
      throw Error(ErrorKind::kInternal, "column " + std::to_string(c) + " out of range");
    if (!pf_.columns[c].unsupported.empty())
      throw Error(ErrorKind::kUnsupported, pf_.columns[c].unsupported);
  }

  // The bytes of a page index structure, or empty when its range is not inside the file.
  std::string IndexBytes(const std::optional<int64_t>& offset, int32_t length) const {
    if (!offset || *offset < 4 || length <= 0 || *offset > pf_.size - length) return {};
    if (mapped_) return std::string(reinterpret_cast<const char*>(mapped_ + *offset), length);
    return file_->ReadRange(*offset, length);
  }

  // The row range [first, end) of each data page of a chunk, from its offset index; nullopt
  // when the chunk has none (or an inconsistent one).
  std::optional<RowRanges> PageRows(const ColumnChunk& cc, int64_t rows) const {
    std::string bytes = IndexBytes(cc.offset_index_offset, cc.offset_index_length);
    if (bytes.empty()) return std::nullopt;
    std::vector<PageLocation> pages;
    try {
      pages = DecodeOffsetIndex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const Error&) {
      return std::nullopt;  // a broken page index only costs the skipping
    }
    if (pages.empty() || pages[0].first_row_index != 0) return std::nullopt;
    RowRanges out;
    for (size_t k = 0; k < pages.size(); k++) {
      int64_t end = k + 1 < pages.size() ? pages[k + 1].first_row_index : rows;
      if (end <= pages[k].first_row_index || end > rows) return std::nullopt;
      out.push_back({pages[k].first_row_index, end});
    }
    return out;
  }

  static RowRanges Intersect(const RowRanges& a, const RowRanges& b) {
    RowRanges out;
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      int64_t lo = std::max(a[i].first, b[j].first), hi = std::min(a[i].second, b[j].second);
      if (lo < hi) out.push_back({lo, hi});
      if (a[i].second < b[j].second)
        i++;
      else
        j++;
    }
    return out;
  }

  // The rows of a row group that may satisfy every filter according to the page index, or
  // nullopt for all rows.
  std::optional<RowRanges> SelectRows(int row_group,
                                      const std::vector<RowGroupFilter>& filters) const {
    const RowGroup& rg = pf_.meta.row_groups[row_group];
    int64_t n = rg.num_rows;
    std::optional<RowRanges> selection;
    for (const auto& f : filters) {
      if (f.column < 0 || f.column >= static_cast<int>(pf_.columns.size())) continue;
      const ColumnDesc& d = pf_.columns[f.column];
      if (!d.unsupported.empty() || d.nested || d.leaf < 0 || !ConvIsRaw(d)) continue;
      const ColumnChunk& cc = rg.columns[d.leaf];
      auto pages = PageRows(cc, n);
      if (!pages) continue;
      std::string bytes = IndexBytes(cc.column_index_offset, cc.column_index_length);
      if (bytes.empty()) continue;
      ColumnIndex index;
      try {
        index = DecodeColumnIndex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      } catch (const Error&) {
        continue;
      }
      size_t count = pages->size();
      if (index.null_pages.size() != count || index.min_values.size() != count ||
          index.max_values.size() != count)
        continue;
      RowRanges matching;
      for (size_t k = 0; k < count; k++) {
        bool may = f.domain.null_allowed();
        if (!index.null_pages[k]) {
          Statistics st;
          st.min_value = index.min_values[k];
          st.max_value = index.max_values[k];
          std::optional<StatsRange> range;
          try {
            range = StatisticsRange(st, d.physical, d.type, true,
                                    (*pages)[k].second - (*pages)[k].first);
          } catch (const Error&) {
          }
          may = !range || f.MayMatch(*range);
        }
        if (!may) continue;
        if (!matching.empty() && matching.back().second == (*pages)[k].first)
          matching.back().second = (*pages)[k].second;
        else
          matching.push_back((*pages)[k]);
      }
      selection = selection ? Intersect(*selection, matching) : matching;
    }
    if (selection && selection->size() == 1 && (*selection)[0] == std::pair<int64_t, int64_t>{0, n})
      return std::nullopt;
    return selection;
  }

  // Rows `selection` of a vector holding rows `decoded` (both sorted; selection within decoded).
  static Vector Select(const Vector& v, const RowRanges& decoded, const RowRanges& selection) {
    if (decoded == selection) return v;
    std::vector<uint32_t> sel;
    size_t j = 0;
    int64_t base = 0;  // position in v of decoded[j].first
    for (const auto& [b, e] : selection) {
      for (int64_t r = b; r < e; r++) {
        while (j < decoded.size() && r >= decoded[j].second) {
          base += decoded[j].second - decoded[j].first;
          j++;
        }
        if (j >= decoded.size() || r < decoded[j].first)
          throw Error(ErrorKind::kInternal, "page selection outside the decoded pages");
        sel.push_back(static_cast<uint32_t>(base + (r - decoded[j].first)));
      }
    }
    return v.Gather(sel.data(), sel.size());
  }

  std::string Prefix(int row_group) const {
    return context_ + ": " + pf_.path + " (row group " + std::to_string(row_group) + "): ";
  }

  void CheckRowGroup(int index) const {
    if (index < 0 || index >= static_cast<int>(row_groups_.size())) {
      throw Error(ErrorKind::kInternal, context_ + ": " + pf_.path + ": row group " +
                                            std::to_string(index) + " out of range");
    }
  }

  std::vector<Vector> Read(int row_group, const std::vector<int>& columns, ScanCounters* counters,
                           const RowRanges* selection,
                           const FieldSelection* fields = nullptr) const {
    const RowGroup& rg = pf_.meta.row_groups[row_group];
    for (int c : columns) CheckColumn(c);
    // The leaves read of each nested column narrowed to some fields (empty: all).
    std::vector<std::vector<char>> wanted(columns.size());
    if (fields) {
      for (size_t i = 0; i < columns.size(); i++) {
        auto it = fields->find(columns[i]);
        const ColumnDesc& d = pf_.columns[columns[i]];
        if (it != fields->end() && d.nested) wanted[i] = WantedLeaves(pf_, d, it->second);
      }
    }
    RowRanges all = {{0, rg.num_rows}};
    // The byte ranges of the leaf chunks to read.
    std::vector<ChunkBytes> bytes(rg.columns.size());
    std::vector<std::pair<int64_t, int64_t>> ranges(rg.columns.size(), {-1, -1});
    std::vector<int> leaves;
    auto need = [&](const ColumnDesc& d) {
      if (ranges[d.leaf].first >= 0) return;
      ranges[d.leaf] = ChunkRange(d, rg.columns[d.leaf], pf_.size);
      leaves.push_back(d.leaf);
    };
    for (size_t i = 0; i < columns.size(); i++) {
      const ColumnDesc& d = pf_.columns[columns[i]];
      if (d.nested) {
        for (size_t l = 0; l < d.leaves.size(); l++) {
          if (wanted[i].empty() || wanted[i][l]) need(d.leaves[l]);
        }
      } else {
        need(d);
      }
    }
    std::vector<std::string> buffers;
    if (mapped_) {
      for (int l : leaves) {
        auto [start, len] = ranges[l];
        bytes[l] = {mapped_ + start, static_cast<size_t>(len),
                    static_cast<size_t>(pf_.size - start)};
      }
    } else {
      // One ranged read per chunk, issued in parallel.
      buffers.resize(leaves.size());
      auto fetch = [&](size_t i) {
        auto [start, len] = ranges[leaves[i]];
        buffers[i] = file_->ReadRange(start, len);
      };
      if (leaves.size() == 1) {
        fetch(0);
      } else {
        std::vector<std::future<void>> pending;
        for (size_t i = 0; i < leaves.size(); i++)
          pending.push_back(std::async(std::launch::async, fetch, i));
        std::exception_ptr error;
        for (auto& f : pending) {
          try {
            f.get();
          } catch (...) {
            if (!error) error = std::current_exception();
          }
        }
        if (error) std::rethrow_exception(error);
      }
      for (size_t i = 0; i < leaves.size(); i++) {
        const auto* p = reinterpret_cast<const uint8_t*>(buffers[i].data());
        bytes[leaves[i]] = {p, buffers[i].size(), buffers[i].size()};
      }
    }
    std::vector<Vector> out;
    out.reserve(columns.size());
    for (size_t i = 0; i < columns.size(); i++) {
      const ColumnDesc& d = pf_.columns[columns[i]];
      if (d.nested) {
        NestedAssembler assembler(pf_, d, wanted[i]);
        out.push_back(assembler.Read(rg, bytes, counters));
        if (selection) out.back() = Select(out.back(), all, *selection);
        continue;
      }
      const ColumnChunk& chunk = rg.columns[d.leaf];
      ChunkReader reader(d, chunk, rg.num_rows, bytes[d.leaf]);
      RowRanges decoded = all;
      if (selection) {
        auto pages = PageRows(chunk, rg.num_rows);
        if (!pages && d.max_rep == 0) pages = HeaderPageRows(bytes[d.leaf], rg.num_rows);
        if (pages) {
          // Decode only the pages that hold selected rows.
          decoded.clear();
          for (const auto& page : *pages) {
            bool want = !Intersect({page}, *selection).empty();
            reader.page_wanted.push_back(want ? 1 : 0);
            if (!want) continue;
            if (!decoded.empty() && decoded.back().second == page.first)
              decoded.back().second = page.second;
            else
              decoded.push_back(page);
          }
        }
      }
      out.push_back(reader.Read());
      if (selection) out.back() = Select(out.back(), decoded, *selection);
      if (counters) counters->bytes_read += chunk.meta.total_compressed_size;
    }
    return out;
  }

  std::shared_ptr<RandomAccessFile> file_;
  std::string context_;
  ParquetFile pf_;
  const uint8_t* mapped_ = nullptr;
  std::vector<ParquetColumn> columns_;
  std::vector<ParquetRowGroupInfo> row_groups_;
  int64_t num_rows_ = 0;
};

}  // namespace

namespace parquet {

std::shared_ptr<ParquetFileReader> ParquetFileReader::Open(std::shared_ptr<RandomAccessFile> file,
                                                           const std::string& context) {
  if (!file) throw Error(ErrorKind::kInternal, context + ": no file to open");
  std::string path = file->path();
  try {
    ParquetFile parsed = OpenFile(*file, context);
    return std::make_shared<ParquetFileReaderImpl>(std::move(file), context, std::move(parsed));
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::kIo,
                context + ": " + path + ": corrupt footer: sizes too large to allocate");
  } catch (const std::length_error&) {
    throw Error(ErrorKind::kIo,
                context + ": " + path + ": corrupt footer: sizes too large to allocate");
  } catch (const Error& e) {
    std::string msg = e.what();
    if (msg.rfind(context + ": ", 0) == 0) throw;
    throw Error(e.kind(), context + ": " + path + ": " + msg);
  }
}

bool ParquetFileReader::RowGroupMayMatch(int row_group,
                                         const std::vector<RowGroupFilter>& filters) const {
  for (const auto& filter : filters) {
    auto range = ColumnRange(row_group, filter.column);
    if (range && !filter.MayMatch(*range)) return false;
  }
  return true;
}

std::vector<Vector> ParquetFileReader::ReadRowGroupFiltered(int row_group,
                                                            const std::vector<int>& columns,
                                                            const std::vector<RowGroupFilter>&,
                                                            ScanCounters* counters, RowRanges* kept,
                                                            const FieldSelection* fields) const {
  if (kept) *kept = {{0, this->row_group(row_group).num_rows}};
  return ReadRowGroup(row_group, columns, counters, fields);
}

std::vector<Vector> ParquetFileReader::ReadRowGroupRows(int row_group,
                                                        const std::vector<int>& columns,
                                                        const RowRanges& rows,
                                                        ScanCounters* counters,
                                                        const FieldSelection* fields) const {
  std::vector<Vector> all = ReadRowGroup(row_group, columns, counters, fields);
  std::vector<uint32_t> sel;
  for (const auto& [b, e] : rows) {
    for (int64_t r = b; r < e; r++) sel.push_back(static_cast<uint32_t>(r));
  }
  for (auto& v : all) v = v.Gather(sel.data(), sel.size());
  return all;
}

int64_t DecodedPageCount() { return g_pages_decoded.load(); }

std::string FieldPathName(const std::string& column, const LogicalType& type,
                          const std::vector<int>& path) {
  std::string s = column;
  const LogicalType* t = &type;
  for (int i : path) {
    if (t->id != TypeId::kRow || i < 0 || static_cast<size_t>(i) >= t->Children().size()) break;
    const std::string& name = t->FieldNames()[static_cast<size_t>(i)];
    s += "." + (name.empty() ? "field" + std::to_string(i + 1) : name);
    t = &t->Children()[static_cast<size_t>(i)];
  }
  return s;
}

std::string DescribeFieldProjection(const std::vector<ColumnInfo>& columns,
                                    const std::vector<int>& projection,
                                    const FieldSelection& fields) {
  std::string s = " columns=[";
  bool first = true;
  for (int c : projection) {
    const ColumnInfo& info = columns[static_cast<size_t>(c)];
    auto it = fields.find(c);
    if (it == fields.end()) {
      s += (first ? "" : ", ") + info.name;
      first = false;
      continue;
    }
    for (const auto& path : it->second) {
      s += (first ? "" : ", ") + FieldPathName(info.name, info.type, path);
      first = false;
    }
  }
  return s + "]";
}

}  // namespace parquet

}  // namespace aishell
