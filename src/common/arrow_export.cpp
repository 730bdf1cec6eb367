#include "common/arrow_export.h"

#include <cstring>
#include <memory>

#include "common/exception.h"

namespace aishell {

namespace {

// Owns everything an exported ArrowArray points to.
struct ArrayHolder {
  std::vector<const void*> buffers;
  std::vector<ArrowArray*> child_ptrs;
  std::vector<std::unique_ptr<ArrowArray>> children;
  Vector keep_alive;                           // shared (zero-copy) column buffers
  std::vector<std::unique_ptr<Buffer>> owned;  // converted buffers
};

struct SchemaHolder {
  std::string format;
  std::string name;
  std::string metadata;  // Arrow's binary key/value encoding; empty = none
  std::vector<ArrowSchema*> child_ptrs;
  std::vector<std::unique_ptr<ArrowSchema>> children;
};

void ReleaseArray(ArrowArray* array) {
  if (!array || !array->release) return;
  auto* holder = static_cast<ArrayHolder*>(array->private_data);
  for (auto& child : holder->children) {
    if (child->release) child->release(child.get());
  }
  delete holder;  // NOLINT: ownership passed through the C interface
  array->release = nullptr;
  array->private_data = nullptr;
}

void ReleaseSchema(ArrowSchema* schema) {
  if (!schema || !schema->release) return;
  auto* holder = static_cast<SchemaHolder*>(schema->private_data);
  for (auto& child : holder->children) {
    if (child->release) child->release(child.get());
  }
  delete holder;  // NOLINT: ownership passed through the C interface
  schema->release = nullptr;
  schema->private_data = nullptr;
}

Buffer* NewBuffer(ArrayHolder& h, size_t bytes) {
  h.owned.push_back(std::make_unique<Buffer>(std::max<size_t>(bytes, 1)));
  return h.owned.back().get();
}

int64_t CountNulls(const uint64_t* validity, size_t count) {
  if (!validity) return 0;
  int64_t valid = 0;
  size_t full = count / 64;
  for (size_t w = 0; w < full; w++) valid += __builtin_popcountll(validity[w]);
  size_t rest = count % 64;
  if (rest) valid += __builtin_popcountll(validity[full] & ((uint64_t{1} << rest) - 1));
  return static_cast<int64_t>(count) - valid;
}

void ExportColumn(const Vector& column, size_t count, ArrowArray* out);

// An exported child array owned by `h`.
ArrowArray* AddChildArray(ArrayHolder& h, const Vector& child, size_t count) {
  auto a = std::make_unique<ArrowArray>();
  std::memset(a.get(), 0, sizeof(ArrowArray));
  ExportColumn(child, count, a.get());
  h.child_ptrs.push_back(a.get());
  h.children.push_back(std::move(a));
  return h.child_ptrs.back();
}

// ARRAY and MAP as Arrow lists (int32 offsets over a child holding the rows' elements in order),
// ROW as a struct whose children hold each row's fields. Children are compacted copies.
void ExportNested(const Vector& v, size_t count, const uint64_t* validity, ArrayHolder& h,
                  ArrowArray* out) {
  const LogicalType& t = v.type();
  UnifiedView view = v.View();
  if (t.id == TypeId::kRow) {
    h.buffers = {validity};
    for (size_t f = 0; f < v.ChildCount(); f++) {
      Vector field(t.Children()[f], std::max<size_t>(count, 1));
      field.Resize(count);
      for (size_t i = 0; i < count; i++) {
        if (view.IsValid(i))
          field.SetRowFrom(v.child(f), view.Get<uint32_t>(i), i);
        else
          field.SetNull(i);
      }
      AddChildArray(h, field, count);
    }
    return;
  }
  Buffer* offsets = NewBuffer(h, (count + 1) * sizeof(int32_t));
  auto* off = reinterpret_cast<int32_t*>(offsets->data());
  std::vector<uint32_t> sel;
  for (size_t i = 0; i < count; i++) {
    off[i] = static_cast<int32_t>(sel.size());
    if (!view.IsValid(i)) continue;
    const ArrayEntry& e = view.Get<ArrayEntry>(i);
    for (uint32_t k = 0; k < e.length; k++) sel.push_back(e.offset + k);
  }
  off[count] = static_cast<int32_t>(sel.size());
  h.buffers = {validity, offsets->data()};
  if (t.id == TypeId::kArray) {
    AddChildArray(h, v.child(0).Gather(sel.data(), sel.size()), sel.size());
    return;
  }
  // MAP: one "entries" struct child of (key, value).
  Vector entries(LogicalType::Row({"key", "value"}, t.Children()), std::max<size_t>(sel.size(), 1));
  entries.Resize(sel.size());
  Vector keys = v.child(0).Gather(sel.data(), sel.size());
  Vector values = v.child(1).Gather(sel.data(), sel.size());
  entries.Child(0) = keys;
  entries.Child(1) = values;
  for (size_t i = 0; i < sel.size(); i++) entries.Data<uint32_t>()[i] = static_cast<uint32_t>(i);
  AddChildArray(h, entries, sel.size());
}

void ExportColumn(const Vector& column, size_t count, ArrowArray* out) {
  auto holder = std::make_unique<ArrayHolder>();
  Vector v = column;
  if (v.kind() != VectorKind::kFlat) v.Flatten();
  if (v.kind() == VectorKind::kFlat && v.size() < count) v.Resize(count);
  const LogicalType& t = v.type();
  const uint64_t* validity = v.validity();
  out->length = static_cast<int64_t>(count);
  out->offset = 0;
  out->n_children = 0;
  out->children = nullptr;
  out->dictionary = nullptr;
  out->null_count = CountNulls(validity, count);
  if (out->null_count == 0) validity = nullptr;
  if (t.IsNested()) {
    ExportNested(v, count, validity, *holder, out);
    holder->keep_alive = std::move(v);
    out->n_buffers = static_cast<int64_t>(holder->buffers.size());
    out->buffers = holder->buffers.data();
    out->n_children = static_cast<int64_t>(holder->child_ptrs.size());
    out->children = holder->child_ptrs.data();
    out->release = ReleaseArray;
    out->private_data = holder.release();
    return;
  }
  switch (t.id) {
    case TypeId::kNull:
      out->null_count = static_cast<int64_t>(count);
      break;  // null layout: no buffers
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kReal:
    case TypeId::kDouble:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kUuid:
      holder->buffers = {validity, v.RawData()};
      break;
    case TypeId::kBoolean: {
      Buffer* bits = NewBuffer(*holder, (count + 7) / 8);
      std::memset(bits->data(), 0, (count + 7) / 8);
      const uint8_t* src = v.RawData();
      for (size_t i = 0; i < count; i++) {
        if (src[i]) bits->data()[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
      }
      holder->buffers = {validity, bits->data()};
      break;
    }
    case TypeId::kDecimal: {
      if (t.IsLongDecimal()) {  // Int128 is Arrow's decimal128 layout already
        holder->buffers = {validity, v.RawData()};
        break;
      }
      Buffer* wide = NewBuffer(*holder, count * 16);
      const int64_t* src = v.Data<int64_t>();
      auto* dst = reinterpret_cast<int64_t*>(wide->data());
      for (size_t i = 0; i < count; i++) {
        dst[2 * i] = src[i];                   // low word (little-endian)
        dst[2 * i + 1] = src[i] < 0 ? -1 : 0;  // sign extension
      }
      holder->buffers = {validity, wide->data()};
      break;
    }
    case TypeId::kVarchar:
    case TypeId::kVarbinary:
    case TypeId::kJson: {
      const auto* strings = v.Data<std::string_view>();
      UnifiedView view = v.View();
      size_t total = 0;
      for (size_t i = 0; i < count; i++) {
        if (view.IsValid(i)) total += strings[i].size();
      }
      if (total > static_cast<size_t>(INT32_MAX))
        throw Error(ErrorKind::kUnsupported,
                    "Arrow export: a VARCHAR column holds more than 2 GB in one batch");
      Buffer* offsets = NewBuffer(*holder, (count + 1) * sizeof(int32_t));
      Buffer* data = NewBuffer(*holder, total);
      auto* off = reinterpret_cast<int32_t*>(offsets->data());
      char* d = reinterpret_cast<char*>(data->data());
      int32_t pos = 0;
      for (size_t i = 0; i < count; i++) {
        off[i] = pos;
        if (view.IsValid(i) && !strings[i].empty()) {
          std::memcpy(d + pos, strings[i].data(), strings[i].size());
          pos += static_cast<int32_t>(strings[i].size());
        }
      }
      off[count] = pos;
      holder->buffers = {validity, offsets->data(), data->data()};
      break;
    }
    case TypeId::kInterval: {
      Buffer* buf = NewBuffer(*holder, count * 16);
      const Interval* src = v.Data<Interval>();
      for (size_t i = 0; i < count; i++) {
        uint8_t* p = buf->data() + i * 16;
        int64_t nanos = src[i].micros * 1000;
        std::memcpy(p, &src[i].months, 4);
        std::memcpy(p + 4, &src[i].days, 4);
        std::memcpy(p + 8, &nanos, 8);
      }
      holder->buffers = {validity, buf->data()};
      break;
    }
    case TypeId::kArray:
    case TypeId::kMap:
    case TypeId::kRow:
      break;  // ExportNested, above
  }
  holder->keep_alive = std::move(v);
  out->n_buffers = static_cast<int64_t>(holder->buffers.size());
  out->buffers = holder->buffers.empty() ? nullptr : holder->buffers.data();
  out->release = ReleaseArray;
  out->private_data = holder.release();
}

// The field metadata naming Arrow's canonical extension type for JSON and UUID columns.
std::string ExtensionMetadata(const LogicalType& type) {
  const char* name = type.id == TypeId::kJson   ? "arrow.json"
                     : type.id == TypeId::kUuid ? "arrow.uuid"
                                                : nullptr;
  if (!name) return "";
  std::string out;
  auto put_int = [&out](int32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  auto put_str = [&](std::string_view s) {
    put_int(static_cast<int32_t>(s.size()));
    out.append(s);
  };
  put_int(2);  // pairs
  put_str("ARROW:extension:name");
  put_str(name);
  put_str("ARROW:extension:metadata");
  put_str("");
  return out;
}

void ExportField(const LogicalType& type, const std::string& name, ArrowSchema* out,
                 bool nullable = true) {
  auto holder = std::make_unique<SchemaHolder>();
  holder->format = ArrowFormat(type);
  holder->name = name;
  out->format = holder->format.c_str();
  out->name = holder->name.c_str();
  holder->metadata = ExtensionMetadata(type);
  out->metadata = holder->metadata.empty() ? nullptr : holder->metadata.data();
  out->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
  // Nested types: list<item>, map<entries: struct<key, value>>, struct<fields>.
  auto add_child = [&](const LogicalType& t, const std::string& n, bool child_nullable) {
    auto child = std::make_unique<ArrowSchema>();
    ExportField(t, n, child.get(), child_nullable);
    holder->child_ptrs.push_back(child.get());
    holder->children.push_back(std::move(child));
  };
  if (type.id == TypeId::kArray) {
    add_child(type.ElementType(), "item", true);
  } else if (type.id == TypeId::kMap) {
    add_child(LogicalType::Row({"key", "value"}, type.Children()), "entries", false);
    holder->children.back()->children[0]->flags = 0;  // map keys are never null
  } else if (type.id == TypeId::kRow) {
    for (size_t i = 0; i < type.Children().size(); i++) {
      const std::string& n = type.FieldNames()[i];
      add_child(type.Children()[i], n.empty() ? "field" + std::to_string(i) : n, true);
    }
  }
  out->n_children = static_cast<int64_t>(holder->child_ptrs.size());
  out->children = holder->child_ptrs.empty() ? nullptr : holder->child_ptrs.data();
  out->dictionary = nullptr;
  out->release = ReleaseSchema;
  out->private_data = holder.release();
}

}  // namespace

std::string ArrowFormat(const LogicalType& type) {
  switch (type.id) {
    case TypeId::kNull:
      return "n";
    case TypeId::kBoolean:
      return "b";
    case TypeId::kTinyInt:
      return "c";
    case TypeId::kSmallInt:
      return "s";
    case TypeId::kInteger:
      return "i";
    case TypeId::kBigInt:
      return "l";
    case TypeId::kReal:
      return "f";
    case TypeId::kDouble:
      return "g";
    case TypeId::kDecimal:
      return "d:" + std::to_string(type.precision) + "," + std::to_string(type.scale);
    case TypeId::kVarchar:
    case TypeId::kJson:  // with the arrow.json extension name in the field's metadata
      return "u";
    case TypeId::kVarbinary:
      return "z";
    case TypeId::kUuid:  // with the arrow.uuid extension name in the field's metadata
      return "w:16";
    case TypeId::kDate:
      return "tdD";
    case TypeId::kTime:
      return "ttu";
    case TypeId::kTimestamp:
      return "tsu:";
    case TypeId::kTimestampTz:
      return "tsu:UTC";
    case TypeId::kInterval:
      return "tin";
    case TypeId::kArray:
      return "+l";
    case TypeId::kMap:
      return "+m";
    case TypeId::kRow:
      return "+s";
  }
  throw Error(ErrorKind::kUnsupported, "type " + type.ToString() + " has no Arrow mapping");
}

void ExportBatch(const Batch& batch, const std::vector<std::string>& names, ArrowArray* out_array,
                 ArrowSchema* out_schema) {
  if (names.size() != batch.columns.size())
    throw Error(ErrorKind::kInternal, "Arrow export: " + std::to_string(names.size()) +
                                          " names for " + std::to_string(batch.columns.size()) +
                                          " columns");
  size_t ncol = batch.columns.size();
  // Array.
  auto array_holder = std::make_unique<ArrayHolder>();
  array_holder->buffers = {nullptr};
  for (size_t c = 0; c < ncol; c++) {
    auto child = std::make_unique<ArrowArray>();
    std::memset(child.get(), 0, sizeof(ArrowArray));
    try {
      ExportColumn(batch.columns[c], batch.count, child.get());
    } catch (...) {
      for (auto& done : array_holder->children) ReleaseArray(done.get());
      throw;
    }
    array_holder->child_ptrs.push_back(child.get());
    array_holder->children.push_back(std::move(child));
  }
  // Schema.
  auto schema_holder = std::make_unique<SchemaHolder>();
  schema_holder->format = "+s";
  for (size_t c = 0; c < ncol; c++) {
    auto child = std::make_unique<ArrowSchema>();
    ExportField(batch.columns[c].type(), names[c], child.get());
    schema_holder->child_ptrs.push_back(child.get());
    schema_holder->children.push_back(std::move(child));
  }

  out_array->length = static_cast<int64_t>(batch.count);
  out_array->null_count = 0;
  out_array->offset = 0;
  out_array->n_buffers = 1;
  out_array->n_children = static_cast<int64_t>(ncol);
  out_array->buffers = array_holder->buffers.data();
  out_array->children =
      array_holder->child_ptrs.empty() ? nullptr : array_holder->child_ptrs.data();
  out_array->dictionary = nullptr;
  out_array->release = ReleaseArray;
  out_array->private_data = array_holder.release();

  out_schema->format = schema_holder->format.c_str();
  out_schema->name = "";
  out_schema->metadata = nullptr;
  out_schema->flags = 0;
  out_schema->n_children = static_cast<int64_t>(ncol);
  out_schema->children =
      schema_holder->child_ptrs.empty() ? nullptr : schema_holder->child_ptrs.data();
  out_schema->dictionary = nullptr;
  out_schema->release = ReleaseSchema;
  out_schema->private_data = schema_holder.release();
}

}  // namespace aishell
