// A hand-written Thrift compact protocol decoder for the Parquet footer and page headers.
#include "formats/parquet/parquet_metadata.h"

#include <cstring>

#include "common/exception.h"

namespace aishell::parquet {

namespace {

enum CompactType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12
};

constexpr int kMaxDepth = 64;
constexpr uint64_t kMaxListSize = 1u << 28;

class CompactReader {
 public:
  CompactReader(const uint8_t* data, size_t size) : p_(data), begin_(data), end_(data + size) {}

  size_t consumed() const { return static_cast<size_t>(p_ - begin_); }

  [[noreturn]] void Fail(const std::string& what) const {
    throw Error(ErrorKind::kIo,
                "malformed Thrift metadata at byte " + std::to_string(consumed()) + ": " + what);
  }

  uint8_t Byte() {
    if (p_ >= end_) Fail("unexpected end of data");
    return *p_++;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      uint8_t b = Byte();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    Fail("varint too long");
  }
  int64_t ZigZag() {
    uint64_t v = Varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  int32_t I32() {
    int64_t v = ZigZag();
    if (v < INT32_MIN || v > INT32_MAX) Fail("i32 out of range");
    return static_cast<int32_t>(v);
  }
  std::string Binary() {
    uint64_t n = Varint();
    if (n > static_cast<uint64_t>(end_ - p_))
      Fail("string length " + std::to_string(n) + " past the end");
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }

  // Field iteration: returns false at STOP. `bool_value` is set for boolean fields.
  bool NextField(int16_t* last_id, int16_t* id, uint8_t* type) {
    uint8_t b = Byte();
    if (b == kStop) return false;
    *type = b & 0x0f;
    int delta = b >> 4;
    if (delta) {
      *id = static_cast<int16_t>(*last_id + delta);
    } else {
      int64_t v = ZigZag();
      if (v < INT16_MIN || v > INT16_MAX) Fail("field id out of range");
      *id = static_cast<int16_t>(v);
    }
    *last_id = *id;
    if (*type > kStruct) Fail("unknown field type " + std::to_string(*type));
    return true;
  }
  // List header: element type and size.
  uint64_t ListHeader(uint8_t* elem_type) {
    uint8_t b = Byte();
    uint64_t n = b >> 4;
    *elem_type = b & 0x0f;
    if (n == 15) n = Varint();
    if (n > kMaxListSize || n > static_cast<uint64_t>(end_ - p_))
      Fail("list size " + std::to_string(n) + " too large");
    return n;
  }
  bool BoolField(uint8_t type) {
    if (type == kBoolTrue) return true;
    if (type == kBoolFalse) return false;
    Fail("expected a boolean");
  }
  void Expect(uint8_t type, uint8_t want) {
    if (type != want)
      Fail("field type " + std::to_string(type) + " where " + std::to_string(want) +
           " was expected");
  }

  void Skip(uint8_t type, int depth = 0) {
    if (depth > kMaxDepth) Fail("nesting too deep");
    switch (type) {
      case kBoolTrue:
      case kBoolFalse:
        return;
      case kByte:
        Byte();
        return;
      case kI16:
      case kI32:
      case kI64:
        Varint();
        return;
      case kDouble:
        if (end_ - p_ < 8) Fail("unexpected end of data");
        p_ += 8;
        return;
      case kBinary: {
        uint64_t n = Varint();
        if (n > static_cast<uint64_t>(end_ - p_)) Fail("binary length past the end");
        p_ += n;
        return;
      }
      case kList:
      case kSet: {
        uint8_t et;
        uint64_t n = ListHeader(&et);
        for (uint64_t i = 0; i < n; i++) {
          if (et == kBoolTrue || et == kBoolFalse)
            Byte();
          else
            Skip(et, depth + 1);
        }
        return;
      }
      case kMap: {
        uint64_t n = Varint();
        if (n > kMaxListSize) Fail("map too large");
        if (n == 0) return;
        uint8_t kv = Byte();
        for (uint64_t i = 0; i < n; i++) {
          uint8_t kt = kv >> 4, vt = kv & 0x0f;
          if (kt == kBoolTrue || kt == kBoolFalse)
            Byte();
          else
            Skip(kt, depth + 1);
          if (vt == kBoolTrue || vt == kBoolFalse)
            Byte();
          else
            Skip(vt, depth + 1);
        }
        return;
      }
      case kStruct: {
        int16_t last = 0, id;
        uint8_t t;
        while (NextField(&last, &id, &t)) Skip(t, depth + 1);
        return;
      }
      default:
        Fail("unknown type " + std::to_string(type));
    }
  }

  // Calls fn(id, type) for each field of a struct.
  template <class Fn>
  void Struct(Fn fn) {
    if (++depth_ > kMaxDepth) Fail("nesting too deep");
    int16_t last = 0, id;
    uint8_t t;
    while (NextField(&last, &id, &t)) fn(id, t);
    depth_--;
  }
  template <class Fn>
  void List(uint8_t type, Fn fn) {
    if (type != kList && type != kSet) Fail("expected a list");
    uint8_t et;
    uint64_t n = ListHeader(&et);
    for (uint64_t i = 0; i < n; i++) fn(et);
  }

 private:
  const uint8_t* p_;
  const uint8_t* begin_;
  const uint8_t* end_;
  int depth_ = 0;
};

int32_t ReadI32(CompactReader& r, uint8_t t) {
  if (t != kI32 && t != kI16 && t != kByte) r.Fail("expected an integer field");
  if (t == kByte) return static_cast<int8_t>(r.Byte());
  return r.I32();
}
int64_t ReadI64(CompactReader& r, uint8_t t) {
  if (t != kI64 && t != kI32 && t != kI16) r.Fail("expected an integer field");
  return r.ZigZag();
}
std::string ReadBinary(CompactReader& r, uint8_t t) {
  r.Expect(t, kBinary);
  return r.Binary();
}

TimeUnit ReadTimeUnit(CompactReader& r) {
  TimeUnit unit = TimeUnit::kMicros;
  r.Struct([&](int16_t id, uint8_t t) {
    if (id >= 1 && id <= 3) unit = static_cast<TimeUnit>(id);
    r.Skip(t);
  });
  return unit;
}

LogicalTypeInfo ReadLogicalType(CompactReader& r) {
  LogicalTypeInfo info;
  r.Struct([&](int16_t id, uint8_t t) {
    if (t != kStruct) {
      r.Skip(t);
      return;
    }
    switch (id) {
      case 5:
        info.kind = LogicalKind::kDecimal;
        r.Struct([&](int16_t fid, uint8_t ft) {
          if (fid == 1)
            info.scale = ReadI32(r, ft);
          else if (fid == 2)
            info.precision = ReadI32(r, ft);
          else
            r.Skip(ft);
        });
        return;
      case 7:
      case 8:
        info.kind = id == 7 ? LogicalKind::kTime : LogicalKind::kTimestamp;
        r.Struct([&](int16_t fid, uint8_t ft) {
          if (fid == 1)
            info.adjusted_to_utc = r.BoolField(ft);
          else if (fid == 2 && ft == kStruct)
            info.unit = ReadTimeUnit(r);
          else
            r.Skip(ft);
        });
        return;
      case 10:
        info.kind = LogicalKind::kInteger;
        r.Struct([&](int16_t fid, uint8_t ft) {
          if (fid == 1)
            info.bit_width = ft == kByte ? static_cast<int8_t>(r.Byte()) : ReadI32(r, ft);
          else if (fid == 2)
            info.is_signed = r.BoolField(ft);
          else
            r.Skip(ft);
        });
        return;
      default:
        if ((id >= 1 && id <= 6) || (id >= 11 && id <= 18))
          info.kind = static_cast<LogicalKind>(id);
        else
          info.kind = LogicalKind::kOther;
        r.Skip(t);
        return;
    }
  });
  return info;
}

SchemaElement ReadSchemaElement(CompactReader& r) {
  SchemaElement e;
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1: {
        int32_t v = ReadI32(r, t);
        if (v < 0 || v > 7) r.Fail("unknown physical type " + std::to_string(v));
        e.type = static_cast<PhysicalType>(v);
        break;
      }
      case 2:
        e.type_length = ReadI32(r, t);
        break;
      case 3: {
        int32_t v = ReadI32(r, t);
        if (v < 0 || v > 2) r.Fail("unknown repetition type " + std::to_string(v));
        e.repetition = static_cast<Repetition>(v);
        e.has_repetition = true;
        break;
      }
      case 4:
        e.name = ReadBinary(r, t);
        break;
      case 5:
        e.num_children = ReadI32(r, t);
        break;
      case 6:
        e.converted_type = static_cast<ConvertedType>(ReadI32(r, t));
        break;
      case 7:
        e.scale = ReadI32(r, t);
        break;
      case 8:
        e.precision = ReadI32(r, t);
        break;
      case 9:
        e.field_id = ReadI32(r, t);
        break;
      case 10:
        r.Expect(t, kStruct);
        e.logical = ReadLogicalType(r);
        break;
      default:
        r.Skip(t);
    }
  });
  return e;
}

Statistics ReadStatistics(CompactReader& r) {
  Statistics s;
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1:
        s.max = ReadBinary(r, t);
        break;
      case 2:
        s.min = ReadBinary(r, t);
        break;
      case 3:
        s.null_count = ReadI64(r, t);
        break;
      case 5:
        s.max_value = ReadBinary(r, t);
        break;
      case 6:
        s.min_value = ReadBinary(r, t);
        break;
      default:
        r.Skip(t);
    }
  });
  return s;
}

ColumnMetaData ReadColumnMetaData(CompactReader& r) {
  ColumnMetaData m;
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1: {
        int32_t v = ReadI32(r, t);
        if (v < 0 || v > 7) r.Fail("unknown physical type " + std::to_string(v));
        m.type = static_cast<PhysicalType>(v);
        break;
      }
      case 3:
        r.List(t, [&](uint8_t et) { m.path_in_schema.push_back(ReadBinary(r, et)); });
        break;
      case 4:
        m.codec = static_cast<Codec>(ReadI32(r, t));
        break;
      case 5:
        m.num_values = ReadI64(r, t);
        break;
      case 6:
        m.total_uncompressed_size = ReadI64(r, t);
        break;
      case 7:
        m.total_compressed_size = ReadI64(r, t);
        break;
      case 9:
        m.data_page_offset = ReadI64(r, t);
        break;
      case 11:
        m.dictionary_page_offset = ReadI64(r, t);
        break;
      case 12:
        r.Expect(t, kStruct);
        m.statistics = ReadStatistics(r);
        break;
      default:
        r.Skip(t);
    }
  });
  return m;
}

ColumnChunk ReadColumnChunk(CompactReader& r) {
  ColumnChunk c;
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1:
        c.file_path = ReadBinary(r, t);
        break;
      case 3:
        r.Expect(t, kStruct);
        c.meta = ReadColumnMetaData(r);
        c.has_meta = true;
        break;
      case 4:
        c.offset_index_offset = ReadI64(r, t);
        break;
      case 5:
        c.offset_index_length = ReadI32(r, t);
        break;
      case 6:
        c.column_index_offset = ReadI64(r, t);
        break;
      case 7:
        c.column_index_length = ReadI32(r, t);
        break;
      case 8:
      case 9:
        c.encrypted = true;
        r.Skip(t);
        break;
      default:
        r.Skip(t);
    }
  });
  return c;
}

RowGroup ReadRowGroup(CompactReader& r) {
  RowGroup g;
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1:
        r.List(t, [&](uint8_t et) {
          r.Expect(et, kStruct);
          g.columns.push_back(ReadColumnChunk(r));
        });
        break;
      case 2:
        g.total_byte_size = ReadI64(r, t);
        break;
      case 3:
        g.num_rows = ReadI64(r, t);
        break;
      default:
        r.Skip(t);
    }
  });
  return g;
}

}  // namespace

FileMetaData DecodeFileMetaData(const uint8_t* data, size_t size) {
  CompactReader r(data, size);
  FileMetaData m;
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1:
        m.version = ReadI32(r, t);
        break;
      case 2:
        r.List(t, [&](uint8_t et) {
          r.Expect(et, kStruct);
          m.schema.push_back(ReadSchemaElement(r));
        });
        break;
      case 3:
        m.num_rows = ReadI64(r, t);
        break;
      case 4:
        r.List(t, [&](uint8_t et) {
          r.Expect(et, kStruct);
          m.row_groups.push_back(ReadRowGroup(r));
        });
        break;
      case 6:
        m.created_by = ReadBinary(r, t);
        break;
      case 8:
        m.encrypted = true;
        r.Skip(t);
        break;
      default:
        r.Skip(t);
    }
  });
  return m;
}

PageHeader DecodePageHeader(const uint8_t* data, size_t size, size_t* consumed) {
  CompactReader r(data, size);
  PageHeader h;
  auto encoding = [&](uint8_t t) {
    int32_t v = ReadI32(r, t);
    return static_cast<Encoding>(v);
  };
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1:
        h.type = static_cast<PageType>(ReadI32(r, t));
        break;
      case 2:
        h.uncompressed_page_size = ReadI32(r, t);
        break;
      case 3:
        h.compressed_page_size = ReadI32(r, t);
        break;
      case 5:
        r.Expect(t, kStruct);
        h.has_data_header = true;
        r.Struct([&](int16_t fid, uint8_t ft) {
          switch (fid) {
            case 1:
              h.num_values = ReadI32(r, ft);
              break;
            case 2:
              h.encoding = encoding(ft);
              break;
            case 3:
              h.definition_level_encoding = encoding(ft);
              break;
            case 4:
              h.repetition_level_encoding = encoding(ft);
              break;
            default:
              r.Skip(ft);
          }
        });
        break;
      case 7:
        r.Expect(t, kStruct);
        h.has_dictionary_header = true;
        r.Struct([&](int16_t fid, uint8_t ft) {
          switch (fid) {
            case 1:
              h.num_values = ReadI32(r, ft);
              break;
            case 2:
              h.encoding = encoding(ft);
              break;
            default:
              r.Skip(ft);
          }
        });
        break;
      case 8:
        r.Expect(t, kStruct);
        h.has_data_header = true;
        r.Struct([&](int16_t fid, uint8_t ft) {
          switch (fid) {
            case 1:
              h.num_values = ReadI32(r, ft);
              break;
            case 2:
              h.num_nulls = ReadI32(r, ft);
              break;
            case 3:
              h.num_rows = ReadI32(r, ft);
              break;
            case 4:
              h.encoding = encoding(ft);
              break;
            case 5:
              h.definition_levels_byte_length = ReadI32(r, ft);
              break;
            case 6:
              h.repetition_levels_byte_length = ReadI32(r, ft);
              break;
            case 7:
              h.is_compressed = r.BoolField(ft);
              break;
            default:
              r.Skip(ft);
          }
        });
        break;
      default:
        r.Skip(t);
    }
  });
  *consumed = r.consumed();
  return h;
}

std::vector<PageLocation> DecodeOffsetIndex(const uint8_t* data, size_t size) {
  CompactReader r(data, size);
  std::vector<PageLocation> pages;
  r.Struct([&](int16_t id, uint8_t t) {
    if (id != 1) {
      r.Skip(t);
      return;
    }
    r.List(t, [&](uint8_t et) {
      r.Expect(et, kStruct);
      PageLocation loc;
      r.Struct([&](int16_t fid, uint8_t ft) {
        if (fid == 1)
          loc.offset = ReadI64(r, ft);
        else if (fid == 2)
          loc.compressed_page_size = ReadI32(r, ft);
        else if (fid == 3)
          loc.first_row_index = ReadI64(r, ft);
        else
          r.Skip(ft);
      });
      pages.push_back(loc);
    });
  });
  return pages;
}

ColumnIndex DecodeColumnIndex(const uint8_t* data, size_t size) {
  CompactReader r(data, size);
  ColumnIndex index;
  r.Struct([&](int16_t id, uint8_t t) {
    switch (id) {
      case 1:
        r.List(t, [&](uint8_t et) {
          if (et == kBoolTrue || et == kBoolFalse) {
            // Compact protocol list elements: one byte each (1 = true).
            index.null_pages.push_back(r.Byte() == kBoolTrue);
          } else {
            r.Fail("expected a list of booleans");
          }
        });
        break;
      case 2:
        r.List(t, [&](uint8_t et) { index.min_values.push_back(ReadBinary(r, et)); });
        break;
      case 3:
        r.List(t, [&](uint8_t et) { index.max_values.push_back(ReadBinary(r, et)); });
        break;
      case 5:
        r.List(t, [&](uint8_t et) { index.null_counts.push_back(ReadI64(r, et)); });
        break;
      default:
        r.Skip(t);
    }
  });
  return index;
}

}  // namespace aishell::parquet
