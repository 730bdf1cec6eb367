#include "formats/parquet/parquet_writer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <unordered_map>

#include <unistd.h>

#include "common/exception.h"
#include "common/strings.h"
#include "formats/parquet/parquet_compression.h"
#include "formats/parquet/parquet_encoding.h"

namespace aishell {

using namespace parquet;  // NOLINT

namespace {

// Thrift compact protocol encoder.
class ThriftWriter {
 public:
  std::string& out() { return out_; }
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      Byte(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    Byte(static_cast<uint8_t>(v));
  }
  static uint64_t ZigZag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }
  void FieldHeader(int16_t id, uint8_t type) {
    int delta = id - last_.back();
    if (delta > 0 && delta <= 15) {
      Byte(static_cast<uint8_t>((delta << 4) | type));
    } else {
      Byte(type);
      Varint(ZigZag(id));
    }
    last_.back() = id;
  }
  void I8(int16_t id, int8_t v) {
    FieldHeader(id, 3);
    Byte(static_cast<uint8_t>(v));
  }
  void I32(int16_t id, int32_t v) {
    FieldHeader(id, 5);
    Varint(ZigZag(v));
  }
  void I64(int16_t id, int64_t v) {
    FieldHeader(id, 6);
    Varint(ZigZag(v));
  }
  void Binary(int16_t id, std::string_view s) {
    FieldHeader(id, 8);
    Varint(s.size());
    out_.append(s);
  }
  void Bool(int16_t id, bool b) { FieldHeader(id, b ? 1 : 2); }
  void BeginStruct(int16_t id) {
    FieldHeader(id, 12);
    last_.push_back(0);
  }
  void BeginListStruct() { last_.push_back(0); }  // a struct element of a list
  void EndStruct() {
    Byte(0);
    last_.pop_back();
  }
  void BeginList(int16_t id, uint8_t elem_type, size_t n) {
    FieldHeader(id, 9);
    if (n < 15) {
      Byte(static_cast<uint8_t>((n << 4) | elem_type));
    } else {
      Byte(static_cast<uint8_t>(0xf0 | elem_type));
      Varint(n);
    }
  }
  void ListI32(int32_t v) { Varint(ZigZag(v)); }
  void ListBinary(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  void Stop() { Byte(0); }

 private:
  std::string out_;
  std::vector<int16_t> last_{0};
};

// Bit-packed runs of the RLE/bit-packed hybrid encoding.
void AppendBitPacked(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  size_t groups = (n + 7) / 8;
  uint64_t header = (static_cast<uint64_t>(groups) << 1) | 1;
  while (header >= 0x80) {
    out->push_back(static_cast<char>(header | 0x80));
    header >>= 7;
  }
  out->push_back(static_cast<char>(header));
  size_t bytes = groups * static_cast<size_t>(bit_width);
  size_t start = out->size();
  out->resize(start + bytes, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out->data() + start);
  // LSB first through a 64-bit accumulator (bit_width <= 32, fewer than 8 bits pending).
  uint64_t acc = 0;
  int pending = 0;
  for (size_t i = 0; i < n; i++) {
    acc |= static_cast<uint64_t>(values[i]) << pending;
    pending += bit_width;
    while (pending >= 8) {
      *p++ = static_cast<uint8_t>(acc);
      acc >>= 8;
      pending -= 8;
    }
  }
  if (pending > 0) *p = static_cast<uint8_t>(acc);
}

// Definition levels (bit width 1) of a page: one RLE run when every value is present, else
// bit-packed.
void AppendLevels(const uint32_t* levels, size_t n, std::string* out) {
  bool all_present = n > 0;
  for (size_t i = 0; i < n && all_present; i++) all_present = levels[i] == 1;
  if (!all_present) {
    AppendBitPacked(levels, n, 1, out);
    return;
  }
  uint64_t header = static_cast<uint64_t>(n) << 1;
  while (header >= 0x80) {
    out->push_back(static_cast<char>(header | 0x80));
    header >>= 7;
  }
  out->push_back(static_cast<char>(header));
  out->push_back(1);
}

// Repetition or definition levels of `bit_width` bits: one RLE run when all are equal, else
// bit-packed.
void AppendLevelsOfWidth(const uint32_t* levels, size_t n, int bit_width, std::string* out) {
  bool same = n > 0;
  for (size_t i = 1; i < n && same; i++) same = levels[i] == levels[0];
  if (!same) {
    AppendBitPacked(levels, n, bit_width, out);
    return;
  }
  uint64_t header = static_cast<uint64_t>(n) << 1;
  while (header >= 0x80) {
    out->push_back(static_cast<char>(header | 0x80));
    header >>= 7;
  }
  out->push_back(static_cast<char>(header));
  uint32_t v = levels[0];
  for (int b = 0; b < (bit_width + 7) / 8; b++, v >>= 8)
    out->push_back(static_cast<char>(v & 0xff));
}

PhysicalType PhysicalFor(const LogicalType& t) {
  switch (t.id) {
    case TypeId::kBoolean:
      return PhysicalType::kBoolean;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kDate:
      return PhysicalType::kInt32;
    case TypeId::kDecimal:
      // Above 18 digits: 16-byte big-endian two's complement.
      return t.IsLongDecimal() ? PhysicalType::kFixedLenByteArray : PhysicalType::kInt64;
    case TypeId::kBigInt:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return PhysicalType::kInt64;
    case TypeId::kReal:
      return PhysicalType::kFloat;
    case TypeId::kDouble:
      return PhysicalType::kDouble;
    case TypeId::kUuid:
      return PhysicalType::kFixedLenByteArray;
    case TypeId::kVarchar:
    case TypeId::kVarbinary:
    case TypeId::kJson:
    case TypeId::kNull:
      return PhysicalType::kByteArray;
    case TypeId::kInterval:
    case TypeId::kArray:
    case TypeId::kMap:
    case TypeId::kRow:
      break;
  }
  throw Error(ErrorKind::kUnsupported, "unsupported: writing " + t.ToString() + " to Parquet");
}

void AppendPlain(PhysicalType pt, int64_t iv, double dv, std::string_view sv, std::string* out) {
  switch (pt) {
    case PhysicalType::kInt32: {
      int32_t v = static_cast<int32_t>(iv);
      out->append(reinterpret_cast<const char*>(&v), 4);
      return;
    }
    case PhysicalType::kInt64:
      out->append(reinterpret_cast<const char*>(&iv), 8);
      return;
    case PhysicalType::kFloat: {
      auto f = static_cast<float>(dv);
      out->append(reinterpret_cast<const char*>(&f), 4);
      return;
    }
    case PhysicalType::kDouble:
      out->append(reinterpret_cast<const char*>(&dv), 8);
      return;
    case PhysicalType::kFixedLenByteArray:
      out->append(sv);
      return;
    case PhysicalType::kByteArray: {
      uint32_t len = static_cast<uint32_t>(sv.size());
      out->append(reinterpret_cast<const char*>(&len), 4);
      out->append(sv);
      return;
    }
    default:
      return;
  }
}

std::string StatBytes(PhysicalType pt, int64_t iv, double dv, std::string_view sv) {
  std::string s;
  if (pt == PhysicalType::kBoolean) {
    s.push_back(static_cast<char>(iv ? 1 : 0));
  } else if (pt == PhysicalType::kByteArray) {
    s.assign(sv);
  } else {
    AppendPlain(pt, iv, dv, sv, &s);
  }
  return s;
}

}  // namespace

struct ParquetWriter::ColumnBuffer {
  PhysicalType physical;
  LogicalType type;
  std::vector<std::string> path;  // path_in_schema
  bool required = false;          // a MAP key
  uint32_t max_def = 1, max_rep = 0;
  std::vector<uint8_t> valid;                        // definition level of each entry (row)
  std::vector<uint8_t> reps;                         // repetition levels (max_rep > 0)
  std::vector<int64_t> ints;                         // non-null values: BOOLEAN, INT32, INT64
  std::vector<double> doubles;                       // FLOAT, DOUBLE
  std::string arena;                                 // (FIXED_LEN_)BYTE_ARRAY bytes
  std::vector<std::pair<uint32_t, uint32_t>> spans;  // (FIXED_LEN_)BYTE_ARRAY (offset, length)

  size_t NonNull() const { return std::max({ints.size(), doubles.size(), spans.size()}); }
  std::string_view Str(size_t i) const {
    return std::string_view(arena.data() + spans[i].first, spans[i].second);
  }
  void Clear() {
    valid.clear();
    reps.clear();
    ints.clear();
    doubles.clear();
    arena.clear();
    spans.clear();
  }
};

struct ParquetWriter::Node {
  LogicalType type;
  std::string name;
  bool optional = true;
  int leaf = -1;               // a primitive: its buffer
  int field_id = -1;           // top-level columns: the Parquet field id, if any
  uint32_t def = 0;            // the definition level when the value is present (not NULL)
  uint32_t rep = 0;            // ARRAY, MAP: the repetition level of the repeated group
  std::vector<Node> children;  // ARRAY: element; MAP: key, value; ROW: the fields
  std::vector<int> leaves;     // every leaf under the node
};

void ParquetWriter::BuildNode(Node* node, const LogicalType& type, const std::string& name,
                              bool optional, uint32_t parent_def, uint32_t rep,
                              const std::vector<std::string>& path) {
  if (path.size() > 64) throw Error(ErrorKind::kUnsupported, "unsupported: nesting too deep");
  node->type = type;
  node->name = name;
  node->optional = optional;
  node->def = parent_def + (optional ? 1 : 0);
  std::vector<std::string> here = path;
  here.push_back(name);
  if (!type.IsNested()) {
    auto b = std::make_unique<ColumnBuffer>();
    b->physical = PhysicalFor(type);
    b->type = type;
    b->path = here;
    b->required = !optional;
    b->max_def = node->def;
    b->max_rep = rep;
    node->leaf = static_cast<int>(buffers_.size());
    node->leaves.push_back(node->leaf);
    buffers_.push_back(std::move(b));
    return;
  }
  if (node->def > 250 || rep > 250)
    throw Error(ErrorKind::kUnsupported, "unsupported: nesting too deep");
  const auto& kids = type.Children();
  if (type.id == TypeId::kRow) {
    const auto& names = type.FieldNames();
    node->children.resize(kids.size());
    for (size_t i = 0; i < kids.size(); i++) {
      std::string field =
          i < names.size() && !names[i].empty() ? names[i] : "field" + std::to_string(i);
      BuildNode(&node->children[i], kids[i], field, true, node->def, rep, here);
    }
  } else {
    node->rep = rep + 1;
    here.push_back(type.id == TypeId::kArray ? "list" : "key_value");
    if (type.id == TypeId::kArray) {
      node->children.resize(1);
      BuildNode(&node->children[0], kids.at(0), "element", true, node->def + 1, node->rep, here);
    } else {
      node->children.resize(2);
      BuildNode(&node->children[0], kids.at(0), "key", false, node->def + 1, node->rep, here);
      BuildNode(&node->children[1], kids.at(1), "value", true, node->def + 1, node->rep, here);
    }
  }
  for (const auto& c : node->children)
    node->leaves.insert(node->leaves.end(), c.leaves.begin(), c.leaves.end());
}

void ParquetWriter::AppendAbsent(const Node& node, uint32_t rep, uint32_t def) {
  for (int l : node.leaves) {
    ColumnBuffer& b = *buffers_[l];
    b.valid.push_back(static_cast<uint8_t>(def));
    b.reps.push_back(static_cast<uint8_t>(rep));
  }
}

void ParquetWriter::AppendNested(const Node& node, const Vector& vector, const UnifiedView& view,
                                 size_t i, uint32_t rep, uint32_t parent_def) {
  if (!view.IsValid(i) || node.type.id == TypeId::kNull) {
    if (!node.optional)
      throw Error(ErrorKind::kExecution,
                  "parquet: a MAP key is NULL (column path '" + node.name + "')");
    AppendAbsent(node, rep, parent_def);
    return;
  }
  if (node.leaf >= 0) {
    ColumnBuffer& b = *buffers_[node.leaf];
    b.valid.push_back(static_cast<uint8_t>(node.def));
    b.reps.push_back(static_cast<uint8_t>(rep));
    AppendValue(b, view, node.type, i);
    return;
  }
  if (node.type.id == TypeId::kRow) {
    uint32_t r = view.Get<uint32_t>(i);
    for (size_t k = 0; k < node.children.size(); k++) {
      const Vector& c = vector.child(k);
      UnifiedView cv = c.View();
      AppendNested(node.children[k], c, cv, r, rep, node.def);
    }
    return;
  }
  ArrayEntry e = view.Get<ArrayEntry>(i);
  if (e.length == 0) {  // empty: the repeated group is absent
    AppendAbsent(node, rep, node.def);
    return;
  }
  for (size_t k = 0; k < node.children.size(); k++) {
    const Vector& c = vector.child(k);
    UnifiedView cv = c.View();
    for (uint32_t j = 0; j < e.length; j++)
      AppendNested(node.children[k], c, cv, e.offset + j, j == 0 ? rep : node.rep, node.def + 1);
  }
}

ParquetWriteOptions ParquetWriteOptions::Parse(const FileOptions& options, const std::string& fn) {
  ParquetWriteOptions o;
  std::string codec = AsciiLower(OptionString(options, "compression", "snappy", fn));
  if (codec == "snappy")
    o.codec = Codec::kSnappy;
  else if (codec == "zstd")
    o.codec = Codec::kZstd;
  else if (codec == "gzip")
    o.codec = Codec::kGzip;
  else if (codec == "uncompressed" || codec == "none")
    o.codec = Codec::kUncompressed;
  else
    throw Error(ErrorKind::kBinder,
                fn + ": option 'compression' must be snappy, zstd, gzip or uncompressed, got '" +
                    codec + "'");
  o.row_group_rows = OptionInt(options, "row_group_size", o.row_group_rows, fn);
  if (o.row_group_rows < 1)
    throw Error(ErrorKind::kBinder, fn + ": option 'row_group_size' must be at least 1");
  o.dictionary = OptionBool(options, "dictionary", o.dictionary, fn);
  return o;
}

ParquetWriter::ParquetWriter(std::string path, std::vector<ColumnInfo> columns,
                             ParquetWriteOptions options)
    : path_(std::move(path)), columns_(std::move(columns)), options_(options) {
  if (options_.row_group_rows < 1) options_.row_group_rows = 1;
  if (options_.page_rows < 1) options_.page_rows = 1;
  roots_.resize(columns_.size());
  for (size_t c = 0; c < columns_.size(); c++) {
    BuildNode(&roots_[c], columns_[c].type, columns_[c].name, true, 0, 0, {});
    if (c < options_.field_ids.size()) roots_[c].field_id = options_.field_ids[c];
  }
  file_ = std::fopen(path_.c_str(), "wb");
  if (!file_)
    throw Error(ErrorKind::kIo, "parquet: cannot create " + path_ + ": " + std::strerror(errno));
  Write("PAR1");
}

ParquetWriter::~ParquetWriter() {
  if (file_) std::fclose(file_);
}

void ParquetWriter::Write(const std::string& bytes) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw Error(ErrorKind::kIo, "parquet: cannot write " + path_ + ": " + std::strerror(errno));
  }
  offset_ += static_cast<int64_t>(bytes.size());
}

void ParquetWriter::AppendValue(ColumnBuffer& b, const UnifiedView& view, const LogicalType& type,
                                size_t i) {
  switch (type.id) {
    case TypeId::kBoolean:
      b.ints.push_back(view.Get<uint8_t>(i) ? 1 : 0);
      break;
    case TypeId::kTinyInt:
      b.ints.push_back(view.Get<int8_t>(i));
      break;
    case TypeId::kSmallInt:
      b.ints.push_back(view.Get<int16_t>(i));
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      b.ints.push_back(view.Get<int32_t>(i));
      break;
    case TypeId::kDecimal:
      if (type.IsLongDecimal()) {
        auto u = static_cast<unsigned __int128>(view.Get<Int128>(i));
        char bytes[16];
        for (int k = 15; k >= 0; k--, u >>= 8) bytes[k] = static_cast<char>(u & 0xff);
        b.spans.emplace_back(static_cast<uint32_t>(b.arena.size()), 16u);
        b.arena.append(bytes, 16);
        break;
      }
      b.ints.push_back(view.Get<int64_t>(i));
      break;
    case TypeId::kBigInt:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      b.ints.push_back(view.Get<int64_t>(i));
      break;
    case TypeId::kReal:
      b.doubles.push_back(view.Get<float>(i));
      break;
    case TypeId::kDouble:
      b.doubles.push_back(view.Get<double>(i));
      break;
    case TypeId::kUuid: {
      const Uuid& u = view.Get<Uuid>(i);
      b.spans.emplace_back(static_cast<uint32_t>(b.arena.size()), 16u);
      b.arena.append(reinterpret_cast<const char*>(u.bytes), 16);
      break;
    }
    case TypeId::kVarchar:
    case TypeId::kVarbinary:
    case TypeId::kJson: {
      std::string_view s = view.Get<std::string_view>(i);
      if (b.arena.size() + s.size() > UINT32_MAX) {
        throw Error(ErrorKind::kUnsupported,
                    "unsupported: more than 4 GB of strings in one Parquet row group");
      }
      b.spans.emplace_back(static_cast<uint32_t>(b.arena.size()), static_cast<uint32_t>(s.size()));
      b.arena.append(s);
      break;
    }
    default:
      break;
  }
}

void ParquetWriter::Append(const Batch& batch) {
  if (finished_) throw Error(ErrorKind::kInternal, "parquet: writer used after Finish");
  if (batch.columns.size() != columns_.size()) {
    throw Error(ErrorKind::kInternal, "parquet: batch has " + std::to_string(batch.columns.size()) +
                                          " columns, expected " + std::to_string(columns_.size()));
  }
  size_t offset = 0;
  while (offset < batch.count) {
    size_t n = std::min<size_t>(batch.count - offset,
                                static_cast<size_t>(options_.row_group_rows - group_rows_));
    for (size_t c = 0; c < columns_.size(); c++) {
      const Node& root = roots_[c];
      UnifiedView view = batch.columns[c].View();
      if (root.leaf < 0) {
        for (size_t i = offset; i < offset + n; i++)
          AppendNested(root, batch.columns[c], view, i, 0, 0);
        continue;
      }
      ColumnBuffer& b = *buffers_[root.leaf];
      TypeId id = columns_[c].type.id;
      bool bulk = id == TypeId::kDouble || id == TypeId::kInteger || id == TypeId::kDate ||
                  id == TypeId::kBigInt || id == TypeId::kTimestamp || id == TypeId::kTimestampTz ||
                  id == TypeId::kTime ||
                  (id == TypeId::kDecimal && !columns_[c].type.IsLongDecimal());
      if (bulk && !view.validity && !view.sel && !view.is_constant) {
        // Flat fixed-width values without NULLs: typed bulk appends.
        b.valid.insert(b.valid.end(), n, 1);
        if (id == TypeId::kDouble) {
          const double* d = reinterpret_cast<const double*>(view.data) + offset;
          b.doubles.insert(b.doubles.end(), d, d + n);
        } else if (id == TypeId::kInteger || id == TypeId::kDate) {
          const int32_t* d = reinterpret_cast<const int32_t*>(view.data) + offset;
          b.ints.insert(b.ints.end(), d, d + n);
        } else {
          const int64_t* d = reinterpret_cast<const int64_t*>(view.data) + offset;
          b.ints.insert(b.ints.end(), d, d + n);
        }
        continue;
      }
      for (size_t i = offset; i < offset + n; i++) {
        bool valid = view.IsValid(i) && id != TypeId::kNull;
        b.valid.push_back(valid ? 1 : 0);
        if (valid) AppendValue(b, view, columns_[c].type, i);
      }
    }
    group_rows_ += static_cast<int64_t>(n);
    total_rows_ += static_cast<int64_t>(n);
    offset += n;
    if (group_rows_ >= options_.row_group_rows) FlushRowGroup();
  }
}

void ParquetWriter::FlushRowGroup() {
  if (group_rows_ == 0) return;
  ThriftWriter rg;
  rg.BeginListStruct();
  rg.BeginList(1, 12, buffers_.size());
  int64_t group_bytes = 0, group_compressed = 0;
  int64_t group_start = offset_;
  for (size_t c = 0; c < buffers_.size(); c++) {
    ColumnBuffer& b = *buffers_[c];
    PhysicalType pt = b.physical;
    size_t non_null = b.NonNull();
    size_t rows = b.valid.size();  // level entries (rows, for a flat column)
    auto iv = [&](size_t i) { return b.ints.empty() ? 0 : b.ints[i]; };
    auto dv = [&](size_t i) { return b.doubles.empty() ? 0.0 : b.doubles[i]; };
    auto sv = [&](size_t i) { return b.spans.empty() ? std::string_view() : b.Str(i); };

    // Statistics.
    bool has_minmax = false;
    size_t min_i = 0, max_i = 0;
    bool floating = pt == PhysicalType::kDouble || pt == PhysicalType::kFloat;
    // FIXED_LEN_BYTE_ARRAY (long decimals, UUIDs): no min/max (a decimal's order is signed).
    for (size_t i = 0; i < non_null && pt != PhysicalType::kFixedLenByteArray; i++) {
      if (floating && std::isnan(dv(i))) continue;
      if (!has_minmax) {
        min_i = max_i = i;
        has_minmax = true;
        continue;
      }
      bool less, greater;
      if (floating) {
        less = dv(i) < dv(min_i);
        greater = dv(i) > dv(max_i);
      } else if (pt == PhysicalType::kByteArray) {
        less = sv(i) < sv(min_i);
        greater = sv(i) > sv(max_i);
      } else {
        less = iv(i) < iv(min_i);
        greater = iv(i) > iv(max_i);
      }
      if (less) min_i = i;
      if (greater) max_i = i;
    }

    // Dictionary.
    std::vector<uint32_t> indices;
    std::vector<size_t> dict_values;  // value index of each dictionary entry
    bool use_dict = false;
    if (options_.dictionary && pt != PhysicalType::kBoolean && non_null > 0) {
      indices.resize(non_null);
      size_t limit = std::min<size_t>(65536, std::max<size_t>(non_null / 2, 1));
      bool ok = true;
      // Nearly all distinct so far (more than 15 of every 16 values after 4096): give up early
      // instead of hashing up to `limit` values first.
      auto hopeless = [&](size_t seen) {
        return seen == 4096 && dict_values.size() * 16 > seen * 15;
      };
      if (pt == PhysicalType::kByteArray || pt == PhysicalType::kFixedLenByteArray) {
        std::unordered_map<std::string_view, uint32_t> map;
        for (size_t i = 0; i < non_null && ok; i++) {
          auto [it, inserted] = map.try_emplace(sv(i), static_cast<uint32_t>(dict_values.size()));
          if (inserted) {
            dict_values.push_back(i);
            if (dict_values.size() > limit) ok = false;
          }
          indices[i] = it->second;
          if (hopeless(i + 1)) ok = false;
        }
      } else {
        std::unordered_map<uint64_t, uint32_t> map;
        for (size_t i = 0; i < non_null && ok; i++) {
          uint64_t key;
          if (pt == PhysicalType::kDouble || pt == PhysicalType::kFloat) {
            double d = dv(i);
            std::memcpy(&key, &d, 8);
          } else {
            key = static_cast<uint64_t>(iv(i));
          }
          auto [it, inserted] = map.try_emplace(key, static_cast<uint32_t>(dict_values.size()));
          if (inserted) {
            dict_values.push_back(i);
            if (dict_values.size() > limit) ok = false;
          }
          indices[i] = it->second;
          if (hopeless(i + 1)) ok = false;
        }
      }
      use_dict = ok;
    }

    int64_t chunk_start = offset_;
    int64_t uncompressed_total = 0, compressed_total = 0;
    std::optional<int64_t> dict_offset;
    auto write_page = [&](PageType page_type, const std::string& body, int32_t num_values,
                          Encoding enc) {
      std::string compressed =
          Compress(options_.codec, reinterpret_cast<const uint8_t*>(body.data()), body.size());
      ThriftWriter h;
      h.I32(1, static_cast<int32_t>(page_type));
      h.I32(2, static_cast<int32_t>(body.size()));
      h.I32(3, static_cast<int32_t>(compressed.size()));
      if (page_type == PageType::kDictionaryPage) {
        h.BeginStruct(7);
        h.I32(1, num_values);
        h.I32(2, static_cast<int32_t>(Encoding::kPlain));
        h.EndStruct();
      } else {
        h.BeginStruct(5);
        h.I32(1, num_values);
        h.I32(2, static_cast<int32_t>(enc));
        h.I32(3, static_cast<int32_t>(Encoding::kRle));
        h.I32(4, static_cast<int32_t>(Encoding::kRle));
        h.EndStruct();
      }
      h.Stop();
      uncompressed_total += static_cast<int64_t>(h.out().size() + body.size());
      compressed_total += static_cast<int64_t>(h.out().size() + compressed.size());
      Write(h.out());
      Write(compressed);
    };
    int bit_width = 1;
    if (use_dict) {
      std::string body;
      for (size_t k : dict_values) AppendPlain(pt, iv(k), dv(k), sv(k), &body);
      dict_offset = offset_;
      write_page(PageType::kDictionaryPage, body, static_cast<int32_t>(dict_values.size()),
                 Encoding::kPlain);
      bit_width = std::max(1, BitWidthOf(dict_values.size() - 1));
    }
    int64_t data_offset = offset_;
    size_t value_pos = 0;
    std::vector<uint32_t> levels;
    // Page boundaries: every page_rows rows; a page of a repeated column starts a row.
    std::vector<size_t> page_starts;
    size_t page_rows = static_cast<size_t>(options_.page_rows);
    if (b.max_rep == 0) {
      for (size_t start = 0; start < rows; start += page_rows) page_starts.push_back(start);
    } else {
      size_t in_page = 0;
      for (size_t i = 0; i < rows; i++) {
        if (b.reps[i] != 0) continue;
        if (page_starts.empty() || in_page == page_rows) {
          page_starts.push_back(i);
          in_page = 0;
        }
        in_page++;
      }
    }
    if (page_starts.empty()) page_starts.push_back(0);
    for (size_t p = 0; p < page_starts.size(); p++) {
      size_t start = page_starts[p];
      size_t end = p + 1 < page_starts.size() ? page_starts[p + 1] : rows;
      size_t n = end - start;
      std::string body;
      auto append_levels = [&](const std::vector<uint8_t>& from, uint32_t max_level) {
        levels.assign(from.begin() + static_cast<std::ptrdiff_t>(start),
                      from.begin() + static_cast<std::ptrdiff_t>(end));
        std::string lv;
        if (max_level == 1)
          AppendLevels(levels.data(), n, &lv);
        else
          AppendLevelsOfWidth(levels.data(), n, BitWidthOf(max_level), &lv);
        uint32_t lv_len = static_cast<uint32_t>(lv.size());
        body.append(reinterpret_cast<const char*>(&lv_len), 4);
        body.append(lv);
      };
      if (b.max_rep > 0) append_levels(b.reps, b.max_rep);
      if (b.max_def > 0) append_levels(b.valid, b.max_def);
      size_t page_values = 0;
      for (size_t i = start; i < end; i++) page_values += b.valid[i] == b.max_def;
      if (use_dict) {
        body.push_back(static_cast<char>(bit_width));
        AppendBitPacked(indices.data() + value_pos, page_values, bit_width, &body);
      } else if (pt == PhysicalType::kBoolean) {
        std::string bits((page_values + 7) / 8, '\0');
        for (size_t i = 0; i < page_values; i++) {
          if (iv(value_pos + i)) bits[i >> 3] = static_cast<char>(bits[i >> 3] | (1 << (i & 7)));
        }
        body.append(bits);
      } else {
        for (size_t i = 0; i < page_values; i++)
          AppendPlain(pt, iv(value_pos + i), dv(value_pos + i), sv(value_pos + i), &body);
      }
      value_pos += page_values;
      write_page(PageType::kDataPage, body, static_cast<int32_t>(n),
                 use_dict ? Encoding::kRleDictionary : Encoding::kPlain);
      if (rows == 0) break;
    }
    group_bytes += uncompressed_total;
    group_compressed += compressed_total;

    // ColumnChunk.
    rg.BeginListStruct();
    rg.I64(2, chunk_start);
    rg.BeginStruct(3);
    rg.I32(1, static_cast<int32_t>(pt));
    if (use_dict) {
      rg.BeginList(2, 5, 3);
      rg.ListI32(static_cast<int32_t>(Encoding::kPlain));
      rg.ListI32(static_cast<int32_t>(Encoding::kRle));
      rg.ListI32(static_cast<int32_t>(Encoding::kRleDictionary));
    } else {
      rg.BeginList(2, 5, 2);
      rg.ListI32(static_cast<int32_t>(Encoding::kPlain));
      rg.ListI32(static_cast<int32_t>(Encoding::kRle));
    }
    rg.BeginList(3, 8, b.path.size());
    for (const auto& part : b.path) rg.ListBinary(part);
    rg.I32(4, static_cast<int32_t>(options_.codec));
    rg.I64(5, static_cast<int64_t>(rows));
    rg.I64(6, uncompressed_total);
    rg.I64(7, compressed_total);
    rg.I64(9, data_offset);
    if (dict_offset) rg.I64(11, *dict_offset);
    rg.BeginStruct(12);
    rg.I64(3, static_cast<int64_t>(rows - non_null));
    if (has_minmax) {
      rg.Binary(5, StatBytes(pt, iv(max_i), dv(max_i), sv(max_i)));
      rg.Binary(6, StatBytes(pt, iv(min_i), dv(min_i), sv(min_i)));
    }
    rg.EndStruct();  // statistics
    rg.EndStruct();  // meta_data
    rg.EndStruct();  // ColumnChunk
    b.Clear();
  }
  rg.I64(2, group_bytes);
  rg.I64(3, group_rows_);
  rg.I64(5, group_start);
  rg.I64(6, group_compressed);
  rg.EndStruct();
  row_groups_ += rg.out();
  row_group_count_++;
  group_rows_ = 0;
}

void ParquetWriter::Finish() {
  if (finished_) return;
  FlushRowGroup();
  ThriftWriter m;
  m.I32(1, 1);
  // Schema elements: a column's nodes, plus the repeated group of each ARRAY and MAP.
  std::function<size_t(const Node&)> count = [&](const Node& node) {
    size_t n = node.type.id == TypeId::kArray || node.type.id == TypeId::kMap ? 2 : 1;
    for (const auto& child : node.children) n += count(child);
    return n;
  };
  size_t elements = 1;
  for (const auto& root : roots_) elements += count(root);
  m.BeginList(2, 12, elements);
  m.BeginListStruct();
  m.Binary(4, "schema");
  m.I32(5, static_cast<int32_t>(columns_.size()));
  m.EndStruct();
  // The schema elements of a column, depth first.
  std::function<void(const Node&)> emit = [&](const Node& node) {
    m.BeginListStruct();
    if (node.leaf < 0) {
      m.I32(3, static_cast<int32_t>(node.optional ? Repetition::kOptional : Repetition::kRequired));
      m.Binary(4, node.name);
      if (node.type.id == TypeId::kRow) {
        m.I32(5, static_cast<int32_t>(node.children.size()));
        if (node.field_id >= 0) m.I32(9, node.field_id);
        m.EndStruct();
        for (const auto& child : node.children) emit(child);
        return;
      }
      bool list = node.type.id == TypeId::kArray;
      m.I32(5, 1);
      m.I32(6, static_cast<int32_t>(list ? ConvertedType::kList : ConvertedType::kMap));
      m.BeginStruct(10);
      m.BeginStruct(list ? 3 : 2);  // LIST, MAP
      m.EndStruct();
      m.EndStruct();
      if (node.field_id >= 0) m.I32(9, node.field_id);
      m.EndStruct();
      // The repeated group.
      m.BeginListStruct();
      m.I32(3, static_cast<int32_t>(Repetition::kRepeated));
      m.Binary(4, list ? "list" : "key_value");
      m.I32(5, static_cast<int32_t>(node.children.size()));
      m.EndStruct();
      for (const auto& child : node.children) emit(child);
      return;
    }
    const LogicalType& t = node.type;
    const ColumnBuffer& leaf = *buffers_[node.leaf];
    m.I32(1, static_cast<int32_t>(leaf.physical));
    if (leaf.physical == PhysicalType::kFixedLenByteArray) m.I32(2, 16);
    m.I32(3, static_cast<int32_t>(node.optional ? Repetition::kOptional : Repetition::kRequired));
    m.Binary(4, node.name);
    // converted_type (6), scale (7), precision (8), logicalType (10)
    auto logical = [&m](int16_t member) {  // a LogicalType union member without fields
      m.BeginStruct(10);
      m.BeginStruct(member);
      m.EndStruct();
      m.EndStruct();
    };
    switch (t.id) {
      case TypeId::kTinyInt:
      case TypeId::kSmallInt: {
        bool tiny = t.id == TypeId::kTinyInt;
        m.I32(6, static_cast<int32_t>(tiny ? ConvertedType::kInt8 : ConvertedType::kInt16));
        m.BeginStruct(10);
        m.BeginStruct(10);  // INTEGER
        m.I8(1, tiny ? 8 : 16);
        m.Bool(2, true);
        m.EndStruct();
        m.EndStruct();
        break;
      }
      case TypeId::kJson:
        m.I32(6, static_cast<int32_t>(ConvertedType::kJson));
        logical(12);
        break;
      case TypeId::kUuid:
        logical(14);
        break;
      case TypeId::kTime:
        m.I32(6, static_cast<int32_t>(ConvertedType::kTimeMicros));
        m.BeginStruct(10);
        m.BeginStruct(7);
        m.Bool(1, false);
        m.BeginStruct(2);
        m.BeginStruct(2);  // MICROS
        m.EndStruct();
        m.EndStruct();
        m.EndStruct();
        m.EndStruct();
        break;
      case TypeId::kVarchar:
        m.I32(6, static_cast<int32_t>(ConvertedType::kUtf8));
        logical(1);
        break;
      case TypeId::kDate:
        m.I32(6, static_cast<int32_t>(ConvertedType::kDate));
        logical(6);
        break;
      case TypeId::kDecimal:
        m.I32(6, static_cast<int32_t>(ConvertedType::kDecimal));
        m.I32(7, t.scale);
        m.I32(8, t.precision);
        m.BeginStruct(10);
        m.BeginStruct(5);
        m.I32(1, t.scale);
        m.I32(2, t.precision);
        m.EndStruct();
        m.EndStruct();
        break;
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
        if (t.id == TypeId::kTimestampTz)
          m.I32(6, static_cast<int32_t>(ConvertedType::kTimestampMicros));
        m.BeginStruct(10);
        m.BeginStruct(8);
        m.Bool(1, t.id == TypeId::kTimestampTz);
        m.BeginStruct(2);
        m.BeginStruct(2);  // MICROS
        m.EndStruct();
        m.EndStruct();
        m.EndStruct();
        m.EndStruct();
        break;
      default:
        break;
    }
    if (node.field_id >= 0) m.I32(9, node.field_id);
    m.EndStruct();
  };
  for (const auto& root : roots_) emit(root);
  m.I64(3, total_rows_);
  m.BeginList(4, 12, static_cast<size_t>(row_group_count_));
  m.out() += row_groups_;
  m.Binary(6, "aishell");
  // column_orders: TYPE_ORDER for every column (readers trust min_value/max_value only then).
  m.BeginList(7, 12, buffers_.size());
  for (size_t c = 0; c < buffers_.size(); c++) {
    m.BeginListStruct();
    m.BeginStruct(1);
    m.EndStruct();
    m.EndStruct();
  }
  m.Stop();
  Write(m.out());
  uint32_t len = static_cast<uint32_t>(m.out().size());
  Write(std::string(reinterpret_cast<const char*>(&len), 4));
  Write("PAR1");
  finished_ = true;
  bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok)
    throw Error(ErrorKind::kIo, "parquet: cannot write " + path_ + ": " + std::strerror(errno));
}

namespace {

class ParquetTableWriter : public TableWriter {
 public:
  ParquetTableWriter(std::string path, const std::vector<ColumnInfo>& columns,
                     const ParquetWriteOptions& options)
      : path_(std::move(path)) {
    auto slash = path_.find_last_of('/');
    std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
    std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    temp_ = dir + "/." + base + ".tmp-" + std::to_string(::getpid());
    writer_ = std::make_unique<ParquetWriter>(temp_, columns, options);
  }
  ~ParquetTableWriter() override {
    if (writer_) Abort();
  }
  void Append(const Batch& batch) override {
    if (!writer_) throw Error(ErrorKind::kInternal, "parquet writer used after Commit/Abort");
    writer_->Append(batch);
  }
  void Commit() override {
    if (!writer_) throw Error(ErrorKind::kInternal, "parquet writer used after Commit/Abort");
    try {
      writer_->Finish();
    } catch (...) {
      Abort();
      throw;
    }
    writer_.reset();
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
      int err = errno;
      ::unlink(temp_.c_str());
      throw Error(ErrorKind::kIo, "parquet: cannot write " + path_ + ": " + std::strerror(err));
    }
  }
  void Abort() override {
    writer_.reset();
    ::unlink(temp_.c_str());
  }

 private:
  std::string path_, temp_;
  std::unique_ptr<ParquetWriter> writer_;
};

}  // namespace

std::unique_ptr<TableWriter> CreateParquetTableWriter(const std::string& path,
                                                      const std::vector<ColumnInfo>& columns,
                                                      const ParquetWriteOptions& options) {
  return std::make_unique<ParquetTableWriter>(path, columns, options);
}

}  // namespace aishell
