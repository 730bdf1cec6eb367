#include "formats/avro/avro_reader.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <simdjson.h>
#include <cstring>

#include "common/exception.h"

namespace aishell::avro {

namespace {

constexpr char kMagic[4] = {'O', 'b', 'j', 1};

using SchemaPtr = std::shared_ptr<AvroSchema>;

struct SchemaParser {
  std::string context;
  std::map<std::string, SchemaPtr> named;

  [[noreturn]] void Fail(const std::string& message) const {
    throw Error(ErrorKind::kIo, context + ": invalid Avro schema: " + message);
  }

  static int IntAttr(simdjson::dom::object obj, const char* key, int fallback) {
    simdjson::dom::element e;
    if (obj[key].get(e) != simdjson::SUCCESS) return fallback;
    int64_t i;
    if (e.get(i) == simdjson::SUCCESS) return static_cast<int>(i);
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) {
      try {
        return std::stoi(std::string(s));
      } catch (...) {
        return fallback;
      }
    }
    return fallback;
  }

  static std::string StrAttr(simdjson::dom::object obj, const char* key) {
    std::string_view s;
    if (obj[key].get(s) == simdjson::SUCCESS) return std::string(s);
    return {};
  }

  SchemaPtr Primitive(std::string_view name) {
    auto s = std::make_shared<AvroSchema>();
    if (name == "null")
      s->kind = AvroKind::kNull;
    else if (name == "boolean")
      s->kind = AvroKind::kBoolean;
    else if (name == "int")
      s->kind = AvroKind::kInt;
    else if (name == "long")
      s->kind = AvroKind::kLong;
    else if (name == "float")
      s->kind = AvroKind::kFloat;
    else if (name == "double")
      s->kind = AvroKind::kDouble;
    else if (name == "bytes")
      s->kind = AvroKind::kBytes;
    else if (name == "string")
      s->kind = AvroKind::kString;
    else {
      auto it = named.find(std::string(name));
      if (it == named.end()) {
        // Names may be referenced without their namespace.
        for (const auto& [full, schema] : named) {
          auto dot = full.rfind('.');
          if (dot != std::string::npos && full.substr(dot + 1) == name) return schema;
        }
        Fail("unknown type '" + std::string(name) + "'");
      }
      return it->second;
    }
    return s;
  }

  SchemaPtr Parse(simdjson::dom::element e, const std::string& ns) {
    std::string_view str;
    if (e.get(str) == simdjson::SUCCESS) return Primitive(str);
    simdjson::dom::array arr;
    if (e.get(arr) == simdjson::SUCCESS) {
      auto s = std::make_shared<AvroSchema>();
      s->kind = AvroKind::kUnion;
      for (auto b : arr) s->branches.push_back(Parse(b, ns));
      if (s->branches.empty()) Fail("empty union");
      return s;
    }
    simdjson::dom::object obj;
    if (e.get(obj) != simdjson::SUCCESS) Fail("a type must be a string, array or object");
    std::string type = StrAttr(obj, "type");
    if (type.empty()) {
      // {"type": {...}} nests a schema.
      simdjson::dom::element inner;
      if (obj["type"].get(inner) == simdjson::SUCCESS) return Parse(inner, ns);
      Fail("missing \"type\"");
    }
    auto s = std::make_shared<AvroSchema>();
    s->logical_type = StrAttr(obj, "logicalType");
    s->precision = IntAttr(obj, "precision", 0);
    s->scale = IntAttr(obj, "scale", 0);
    auto register_name = [&](std::string* out_ns) {
      std::string name = StrAttr(obj, "name");
      std::string space = StrAttr(obj, "namespace");
      if (space.empty()) space = ns;
      s->name = name;
      std::string full =
          name.find('.') != std::string::npos || space.empty() ? name : space + "." + name;
      named[full] = s;
      named[name] = s;
      *out_ns = space;
    };
    if (type == "record" || type == "error") {
      s->kind = AvroKind::kRecord;
      std::string inner_ns;
      register_name(&inner_ns);
      simdjson::dom::array fields;
      if (obj["fields"].get(fields) != simdjson::SUCCESS) Fail("record without \"fields\"");
      for (auto f : fields) {
        simdjson::dom::object fo;
        if (f.get(fo) != simdjson::SUCCESS) Fail("a record field must be an object");
        AvroField field;
        field.name = StrAttr(fo, "name");
        field.field_id = IntAttr(fo, "field-id", -1);
        simdjson::dom::element ft;
        if (fo["type"].get(ft) != simdjson::SUCCESS) Fail("field '" + field.name + "' has no type");
        field.schema = Parse(ft, inner_ns);
        s->fields.push_back(std::move(field));
      }
    } else if (type == "enum") {
      s->kind = AvroKind::kEnum;
      std::string inner_ns;
      register_name(&inner_ns);
      simdjson::dom::array symbols;
      if (obj["symbols"].get(symbols) == simdjson::SUCCESS) {
        for (auto sym : symbols) {
          std::string_view v;
          if (sym.get(v) == simdjson::SUCCESS) s->symbols.emplace_back(v);
        }
      }
    } else if (type == "fixed") {
      s->kind = AvroKind::kFixed;
      std::string inner_ns;
      register_name(&inner_ns);
      s->fixed_size = IntAttr(obj, "size", -1);
      if (s->fixed_size < 0) Fail("fixed '" + s->name + "' without a size");
    } else if (type == "array") {
      s->kind = AvroKind::kArray;
      simdjson::dom::element items;
      if (obj["items"].get(items) != simdjson::SUCCESS) Fail("array without \"items\"");
      s->items = Parse(items, ns);
      s->element_id = IntAttr(obj, "element-id", -1);
    } else if (type == "map") {
      s->kind = AvroKind::kMap;
      simdjson::dom::element values;
      if (obj["values"].get(values) != simdjson::SUCCESS) Fail("map without \"values\"");
      s->items = Parse(values, ns);
      s->key_id = IntAttr(obj, "key-id", -1);
      s->value_id = IntAttr(obj, "value-id", -1);
    } else {
      // A primitive with attributes ({"type": "int", "logicalType": "date"}) or a named type.
      auto p = Primitive(type);
      if (p->kind == AvroKind::kRecord || p->kind == AvroKind::kEnum ||
          p->kind == AvroKind::kFixed) {
        return p;
      }
      s->kind = p->kind;
    }
    return s;
  }
};

// Binary decoding over a byte range; errors through the reader's Fail.
struct Decoder {
  const uint8_t* p;
  const uint8_t* end;
  const std::string* path;

  [[noreturn]] void Fail(const std::string& message) const {
    throw Error(ErrorKind::kIo, *path + ": corrupt Avro data: " + message);
  }

  int64_t Long() {
    uint64_t v = 0;
    int shift = 0;
    while (true) {
      if (p >= end) Fail("truncated varint");
      uint8_t b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
      if (shift > 63) Fail("varint too long");
    }
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }

  void Need(int64_t n) {
    if (n < 0 || end - p < n) Fail("truncated value");
  }

  std::string Bytes() {
    int64_t n = Long();
    Need(n);
    std::string s(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    p += n;
    return s;
  }

  void Decode(const AvroSchema& s, AvroValue* out) {
    out->schema = &s;
    out->kind = s.kind;
    switch (s.kind) {
      case AvroKind::kNull:
        return;
      case AvroKind::kBoolean:
        Need(1);
        out->boolean = *p++ != 0;
        return;
      case AvroKind::kInt:
      case AvroKind::kLong:
        out->integer = Long();
        return;
      case AvroKind::kFloat: {
        Need(4);
        float f;
        std::memcpy(&f, p, 4);
        p += 4;
        out->real = f;
        return;
      }
      case AvroKind::kDouble:
        Need(8);
        std::memcpy(&out->real, p, 8);
        p += 8;
        return;
      case AvroKind::kBytes:
      case AvroKind::kString:
        out->bytes = Bytes();
        return;
      case AvroKind::kFixed:
        Need(s.fixed_size);
        out->bytes.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(s.fixed_size));
        p += s.fixed_size;
        return;
      case AvroKind::kEnum: {
        out->integer = Long();
        if (out->integer < 0 || out->integer >= static_cast<int64_t>(s.symbols.size())) {
          Fail("enum index " + std::to_string(out->integer) + " out of range");
        }
        out->bytes = s.symbols[static_cast<size_t>(out->integer)];
        return;
      }
      case AvroKind::kRecord:
        out->items.resize(s.fields.size());
        for (size_t i = 0; i < s.fields.size(); i++) Decode(*s.fields[i].schema, &out->items[i]);
        return;
      case AvroKind::kArray:
      case AvroKind::kMap: {
        out->items.clear();
        out->keys.clear();
        while (true) {
          int64_t count = Long();
          if (count == 0) break;
          if (count < 0) {
            if (count == INT64_MIN) Fail("block count out of range");
            count = -count;
            Long();  // block size in bytes
          }
          if (count > end - p) Fail("block count " + std::to_string(count) + " too large");
          for (int64_t i = 0; i < count; i++) {
            if (s.kind == AvroKind::kMap) out->keys.push_back(Bytes());
            out->items.emplace_back();
            Decode(*s.items, &out->items.back());
          }
        }
        return;
      }
      case AvroKind::kUnion: {
        int64_t branch = Long();
        if (branch < 0 || branch >= static_cast<int64_t>(s.branches.size())) {
          Fail("union branch " + std::to_string(branch) + " out of range");
        }
        Decode(*s.branches[static_cast<size_t>(branch)], out);
        return;
      }
    }
  }
};

uint32_t Crc32(const uint8_t* data, size_t size) {
  return static_cast<uint32_t>(crc32(0L, data, static_cast<uInt>(size)));
}

}  // namespace

const char* AvroKindName(AvroKind kind) {
  switch (kind) {
    case AvroKind::kNull:
      return "null";
    case AvroKind::kBoolean:
      return "boolean";
    case AvroKind::kInt:
      return "int";
    case AvroKind::kLong:
      return "long";
    case AvroKind::kFloat:
      return "float";
    case AvroKind::kDouble:
      return "double";
    case AvroKind::kBytes:
      return "bytes";
    case AvroKind::kString:
      return "string";
    case AvroKind::kRecord:
      return "record";
    case AvroKind::kEnum:
      return "enum";
    case AvroKind::kArray:
      return "array";
    case AvroKind::kMap:
      return "map";
    case AvroKind::kUnion:
      return "union";
    case AvroKind::kFixed:
      return "fixed";
  }
  return "?";
}

int AvroSchema::FieldIndex(const std::string& field_name) const {
  for (size_t i = 0; i < fields.size(); i++) {
    if (fields[i].name == field_name) return static_cast<int>(i);
  }
  return -1;
}

std::shared_ptr<AvroSchema> ParseAvroSchema(const std::string& json, const std::string& context) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto error = parser.parse(json).get(root);
  if (error) {
    throw Error(ErrorKind::kIo, context + ": invalid Avro schema JSON: " +
                                    std::string(simdjson::error_message(error)));
  }
  SchemaParser sp{context, {}};
  return sp.Parse(root, "");
}

const AvroValue* AvroValue::Find(const std::string& field_name) const {
  if (kind != AvroKind::kRecord || !schema) return nullptr;
  int i = schema->FieldIndex(field_name);
  if (i < 0 || static_cast<size_t>(i) >= items.size()) return nullptr;
  return &items[static_cast<size_t>(i)];
}

int64_t AvroValue::AsInt(int64_t fallback) const {
  if (kind == AvroKind::kInt || kind == AvroKind::kLong || kind == AvroKind::kEnum) return integer;
  return fallback;
}

std::string AvroValue::ToString() const {
  switch (kind) {
    case AvroKind::kNull:
      return "null";
    case AvroKind::kBoolean:
      return boolean ? "true" : "false";
    case AvroKind::kInt:
    case AvroKind::kLong:
      return std::to_string(integer);
    case AvroKind::kFloat:
    case AvroKind::kDouble:
      return std::to_string(real);
    case AvroKind::kString:
    case AvroKind::kEnum:
      return "\"" + bytes + "\"";
    case AvroKind::kBytes:
    case AvroKind::kFixed:
      return "<" + std::to_string(bytes.size()) + " bytes>";
    case AvroKind::kRecord: {
      std::string s = "{";
      for (size_t i = 0; i < items.size(); i++) {
        if (i) s += ", ";
        s += (schema && i < schema->fields.size() ? schema->fields[i].name : "?") + ": " +
             items[i].ToString();
      }
      return s + "}";
    }
    case AvroKind::kArray:
    case AvroKind::kMap: {
      std::string s = kind == AvroKind::kMap ? "{" : "[";
      for (size_t i = 0; i < items.size(); i++) {
        if (i) s += ", ";
        if (kind == AvroKind::kMap) s += "\"" + keys[i] + "\": ";
        s += items[i].ToString();
      }
      return s + (kind == AvroKind::kMap ? "}" : "]");
    }
    case AvroKind::kUnion:
      return "?";
  }
  return "?";
}

void AvroFileReader::Fail(const std::string& message) const {
  throw Error(ErrorKind::kIo, path_ + ": " + message);
}

AvroFileReader::AvroFileReader(std::string data, std::string path)
    : data_(std::move(data)), path_(std::move(path)) {
  if (data_.size() < 4 || std::memcmp(data_.data(), kMagic, 4) != 0) {
    Fail("not an Avro object container file (bad magic)");
  }
  Decoder d{reinterpret_cast<const uint8_t*>(data_.data()) + 4,
            reinterpret_cast<const uint8_t*>(data_.data()) + data_.size(), &path_};
  // The metadata map<bytes>.
  while (true) {
    int64_t count = d.Long();
    if (count == 0) break;
    if (count < 0) {
      if (count == INT64_MIN) d.Fail("metadata block count out of range");
      count = -count;
      d.Long();
    }
    for (int64_t i = 0; i < count; i++) {
      std::string key = d.Bytes();
      metadata_[key] = d.Bytes();
    }
  }
  d.Need(16);
  sync_.assign(reinterpret_cast<const char*>(d.p), 16);
  d.p += 16;
  pos_ = static_cast<size_t>(d.p - reinterpret_cast<const uint8_t*>(data_.data()));
  auto it = metadata_.find("avro.schema");
  if (it == metadata_.end()) Fail("Avro header without avro.schema");
  schema_ = ParseAvroSchema(it->second, path_);
  auto c = metadata_.find("avro.codec");
  codec_ = c == metadata_.end() || c->second.empty() ? "null" : c->second;
  if (codec_ != "null" && codec_ != "deflate" && codec_ != "snappy" && codec_ != "zstandard") {
    throw Error(ErrorKind::kUnsupported, path_ + ": unsupported Avro codec '" + codec_ + "'");
  }
}

bool AvroFileReader::LoadBlock() {
  if (pos_ >= data_.size()) return false;
  Decoder d{reinterpret_cast<const uint8_t*>(data_.data()) + pos_,
            reinterpret_cast<const uint8_t*>(data_.data()) + data_.size(), &path_};
  int64_t count = d.Long();
  int64_t size = d.Long();
  if (count < 0 || size < 0) d.Fail("negative block count or size");
  d.Need(size);
  const uint8_t* raw = d.p;
  d.p += size;
  d.Need(16);
  if (std::memcmp(d.p, sync_.data(), 16) != 0) d.Fail("sync marker mismatch after a block");
  d.p += 16;
  pos_ = static_cast<size_t>(d.p - reinterpret_cast<const uint8_t*>(data_.data()));
  if (codec_ == "null") {
    block_.assign(reinterpret_cast<const char*>(raw), static_cast<size_t>(size));
  } else if (codec_ == "deflate") {
    block_.clear();
    z_stream zs{};
    if (inflateInit2(&zs, -15) != Z_OK) Fail("zlib init failed");
    zs.next_in = const_cast<Bytef*>(raw);
    zs.avail_in = static_cast<uInt>(size);
    char buf[65536];
    int rc;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof(buf);
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) {
        inflateEnd(&zs);
        d.Fail("deflate block does not decompress");
      }
      block_.append(buf, sizeof(buf) - zs.avail_out);
      if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) break;
    } while (rc != Z_STREAM_END);
    inflateEnd(&zs);
  } else if (codec_ == "snappy") {
    if (size < 4) d.Fail("snappy block too short");
    size_t n = 0;
    const char* src = reinterpret_cast<const char*>(raw);
    if (!snappy::GetUncompressedLength(src, static_cast<size_t>(size - 4), &n) ||
        !snappy::Uncompress(src, static_cast<size_t>(size - 4), &block_)) {
      d.Fail("snappy block does not decompress");
    }
    const uint8_t* c = raw + size - 4;
    uint32_t expected =
        (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | uint32_t{c[3]};
    if (Crc32(reinterpret_cast<const uint8_t*>(block_.data()), block_.size()) != expected) {
      d.Fail("snappy block CRC mismatch");
    }
  } else {  // zstandard
    block_.clear();
    ZSTD_DStream* zs = ZSTD_createDStream();
    ZSTD_initDStream(zs);
    ZSTD_inBuffer in{raw, static_cast<size_t>(size), 0};
    char buf[65536];
    while (true) {
      ZSTD_outBuffer out{buf, sizeof(buf), 0};
      size_t rc = ZSTD_decompressStream(zs, &out, &in);
      if (ZSTD_isError(rc)) {
        ZSTD_freeDStream(zs);
        d.Fail(std::string("zstandard block does not decompress: ") + ZSTD_getErrorName(rc));
      }
      block_.append(buf, out.pos);
      if (in.pos >= in.size && out.pos < out.size) break;
    }
    ZSTD_freeDStream(zs);
  }
  block_pos_ = 0;
  block_remaining_ = count;
  return true;
}

bool AvroFileReader::Next(AvroValue* out) {
  while (block_remaining_ == 0) {
    if (!LoadBlock()) return false;
  }
  Decoder d{reinterpret_cast<const uint8_t*>(block_.data()) + block_pos_,
            reinterpret_cast<const uint8_t*>(block_.data()) + block_.size(), &path_};
  *out = AvroValue{};
  d.Decode(*schema_, out);
  block_pos_ = static_cast<size_t>(d.p - reinterpret_cast<const uint8_t*>(block_.data()));
  block_remaining_--;
  return true;
}

std::vector<AvroValue> AvroFileReader::ReadAll() {
  std::vector<AvroValue> out;
  AvroValue v;
  while (Next(&v)) out.push_back(std::move(v));
  return out;
}

}  // namespace aishell::avro
