#include "connectors/mongodb/mongodb_decoder.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/date_time.h"
#include "common/exception.h"
#include "common/json_text.h"
#include "common/type_names.h"
#include "functions/cast.h"

namespace aishell {

namespace {

constexpr int64_t kMicrosPerMilli = 1000;

// A sub-document or array value as a bson_t over the iterator's bytes (no copy).
bool SubDocument(const bson_iter_t& it, bson_t* out) {
  uint32_t length = 0;
  const uint8_t* data = nullptr;
  if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
    bson_iter_document(&it, &length, &data);
  } else if (BSON_ITER_HOLDS_ARRAY(&it)) {
    bson_iter_array(&it, &length, &data);
  } else {
    return false;
  }
  return bson_init_static(out, data, length);
}

std::string IsoDate(int64_t millis) {
  int64_t micros;
  // A date past what a TIMESTAMP holds (about 292,000 years from 1970): its milliseconds since the
  // epoch, as MongoDB's extended JSON writes such dates.
  if (__builtin_mul_overflow(millis, kMicrosPerMilli, &micros)) return std::to_string(millis);
  int32_t days = TimestampDays(micros);
  int64_t in_day = micros - static_cast<int64_t>(days) * kMicrosPerDay;
  CivilDate d = CivilFromDays(days);
  int64_t ms = in_day / 1000;
  char buf[64];
  snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
           static_cast<int>(ms / 3600000), static_cast<int>(ms / 60000 % 60),
           static_cast<int>(ms / 1000 % 60), static_cast<int>(ms % 1000));
  return buf;
}

std::string OidHex(const bson_iter_t& it) {
  char hex[25];
  bson_oid_to_string(bson_iter_oid(&it), hex);
  return hex;
}

void AppendDouble(double d, std::string* out) {
  if (!std::isfinite(d)) {
    AppendJsonString(std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"), out);
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  out->append(buf, r.ptr);
}

std::string Decimal128Text(const bson_iter_t& it) {
  bson_decimal128_t d;
  bson_iter_decimal128(&it, &d);
  char text[BSON_DECIMAL128_STRING];
  bson_decimal128_to_string(&d, text);
  return text;
}

std::string BinaryBytes(const bson_iter_t& it) {
  bson_subtype_t subtype;
  uint32_t length = 0;
  const uint8_t* data = nullptr;
  bson_iter_binary(&it, &subtype, &length, &data);
  return std::string(reinterpret_cast<const char*>(data), length);
}

// A value that has no JSON form of its own (regex, code, timestamp, ...): libbson's relaxed
// extended JSON of {"v": value}, without the wrapper.
void AppendExtendedJson(const bson_iter_t& it, std::string* out) {
  bson_t wrapper;
  bson_init(&wrapper);
  bson_append_iter(&wrapper, "v", 1, &it);
  size_t length = 0;
  char* text = bson_as_relaxed_extended_json(&wrapper, &length);
  bson_destroy(&wrapper);
  std::string s = text ? std::string(text, length) : std::string();
  bson_free(text);
  size_t colon = s.find(':');
  size_t close = s.rfind('}');
  if (colon == std::string::npos || close == std::string::npos || close <= colon) {
    out->append("null");
    return;
  }
  std::string inner = s.substr(colon + 1, close - colon - 1);
  auto canonical = CanonicalJson(inner);
  out->append(canonical ? *canonical : std::string("null"));
}

}  // namespace

void AppendBsonJson(const bson_iter_t& it, std::string* out) {
  switch (bson_iter_type(&it)) {
    case BSON_TYPE_NULL:
    case BSON_TYPE_UNDEFINED:
      out->append("null");
      return;
    case BSON_TYPE_BOOL:
      out->append(bson_iter_bool(&it) ? "true" : "false");
      return;
    case BSON_TYPE_INT32:
      out->append(std::to_string(bson_iter_int32(&it)));
      return;
    case BSON_TYPE_INT64:
      out->append(std::to_string(bson_iter_int64(&it)));
      return;
    case BSON_TYPE_DOUBLE:
      AppendDouble(bson_iter_double(&it), out);
      return;
    case BSON_TYPE_DECIMAL128: {
      std::string text = Decimal128Text(it);
      if (text.find_first_of("NI") != std::string::npos) {  // NaN, Infinity
        AppendJsonString(text, out);
      } else {
        auto canonical = CanonicalJson(text);
        out->append(canonical ? *canonical : "\"" + text + "\"");
      }
      return;
    }
    case BSON_TYPE_UTF8:
    case BSON_TYPE_SYMBOL: {
      uint32_t length = 0;
      const char* s = bson_iter_utf8(&it, &length);
      AppendJsonString(std::string_view(s, length), out);
      return;
    }
    case BSON_TYPE_OID:
      AppendJsonString(OidHex(it), out);
      return;
    case BSON_TYPE_DATE_TIME:
      AppendJsonString(IsoDate(bson_iter_date_time(&it)), out);
      return;
    case BSON_TYPE_BINARY:
      AppendJsonString(Base64(BinaryBytes(it)), out);
      return;
    case BSON_TYPE_DOCUMENT:
    case BSON_TYPE_ARRAY: {
      bool is_array = BSON_ITER_HOLDS_ARRAY(&it);
      bson_t sub;
      out->push_back(is_array ? '[' : '{');
      bson_iter_t child;
      bool first = true;
      if (SubDocument(it, &sub) && bson_iter_init(&child, &sub)) {
        while (bson_iter_next(&child)) {
          if (!first) out->push_back(',');
          first = false;
          if (!is_array) {
            AppendJsonString(bson_iter_key(&child), out);
            out->push_back(':');
          }
          AppendBsonJson(child, out);
        }
      }
      out->push_back(is_array ? ']' : '}');
      return;
    }
    default:
      AppendExtendedJson(it, out);
      return;
  }
}

std::string BsonText(const bson_iter_t& it) {
  switch (bson_iter_type(&it)) {
    case BSON_TYPE_UTF8:
    case BSON_TYPE_SYMBOL: {
      uint32_t length = 0;
      const char* s = bson_iter_utf8(&it, &length);
      return std::string(s, length);
    }
    case BSON_TYPE_OID:
      return OidHex(it);
    case BSON_TYPE_DATE_TIME:
      return IsoDate(bson_iter_date_time(&it));
    case BSON_TYPE_DECIMAL128:
      return Decimal128Text(it);
    default: {
      std::string s;
      AppendBsonJson(it, &s);
      return s;
    }
  }
}

namespace {

// Whether a field name equals a document's key (`length` bytes): field names are short, so a
// byte loop beats a call to memcmp.
inline bool SameKey(const std::string& name, const char* key, size_t length) {
  if (name.size() != length) return false;
  const char* n = name.data();
  for (size_t i = 0; i < length; i++) {
    if (n[i] != key[i]) return false;
  }
  return true;
}

}  // namespace

// The projected columns as a tree of field names: a document's keys are matched against the
// children of the node for its path.
struct MongoDecoder::Node {
  std::string name;
  int output = -1;  // output column, or -1
  std::vector<Node> children;
  Node* Find(const char* key, size_t length) {
    for (auto& c : children) {
      if (SameKey(c.name, key, length)) return &c;
    }
    return nullptr;
  }
};

MongoDecoder::MongoDecoder(std::shared_ptr<const MongoTable> table, const std::vector<int>& columns,
                           MismatchPolicy policy, std::string where,
                           std::atomic<int64_t>* mismatches)
    : table_(std::move(table)),
      root_(std::make_unique<Node>()),
      policy_(policy),
      where_(std::move(where)),
      mismatches_(mismatches) {
  output_of_column_ = columns;
  for (size_t out = 0; out < columns.size(); out++) {
    const MongoColumn& column = table_->columns.at(columns[out]);
    Node* node = root_.get();
    for (const auto& part : column.path) {
      Node* next = node->Find(part.data(), part.size());
      if (!next) {
        node->children.push_back(Node{part, -1, {}});
        next = &node->children.back();
      }
      node = next;
    }
    node->output = static_cast<int>(out);
  }
}

MongoDecoder::~MongoDecoder() = default;

void MongoDecoder::Decode(const bson_t& doc, Batch& out, size_t row) {
  current_ = &doc;
  // Rows start valid: only the columns the document lacks are set NULL afterwards, so a column
  // that is never NULL gets no validity bitmap (and the engine's no-NULL fast paths).
  seen_.assign(out.columns.size(), 0);
  bson_iter_t it;
  if (bson_iter_init(&it, &doc)) DecodeDocument(&it, *root_, out, row);
  for (size_t c = 0; c < seen_.size(); c++) {
    if (!seen_[c]) out.columns[c].SetNull(row);
  }
  current_ = nullptr;
}

Value MongoDecoder::DecodeField(const bson_t& doc, const MongoColumn& column,
                                const LogicalType& type) {
  current_ = &doc;
  bson_iter_t it, found;
  Vector v(type, 1);
  v.Resize(1);
  v.SetNull(0);
  if (bson_iter_init(&it, &doc) && bson_iter_find_descendant(&it, column.dotted.c_str(), &found))
    DecodeValue(found, type, v, 0, column.dotted);
  current_ = nullptr;
  return v.GetValue(0);
}

void MongoDecoder::DecodeDocument(bson_iter_t* it, const Node& node, Batch& out, size_t row) {
  while (bson_iter_next(it)) {
    uint32_t key_length = bson_iter_key_len(it);
    Node* child = const_cast<Node&>(node).Find(bson_iter_key(it), key_length);
    if (!child) continue;
    if (child->output >= 0) {
      int output = child->output;
      seen_[output] = 1;
      const MongoColumn& column = table_->columns[output_of_column_[output]];
      DecodeValue(*it, out.columns[output].type(), out.columns[output], row, column.dotted);
    }
    if (!child->children.empty() && BSON_ITER_HOLDS_DOCUMENT(it)) {
      bson_iter_t sub;
      if (bson_iter_recurse(it, &sub)) DecodeDocument(&sub, *child, out, row);
    }
  }
}

void MongoDecoder::Mismatch(const bson_iter_t& it, const LogicalType& type, const std::string& path,
                            const std::string& detail) {
  std::string id = "?";
  bson_iter_t id_it;
  if (current_ && bson_iter_init_find(&id_it, current_, "_id")) id = BsonText(id_it);
  std::string what = std::string(BsonKindName(KindOf(it)));
  std::string value = BsonText(it);
  if (value.size() > 60) value = value.substr(0, 57) + "...";
  throw Error(
      ErrorKind::kConversion,
      where_ + ": collection '" + table_->database + "." + table_->collection + "', document _id " +
          id + ", field '" + path + "': " + what + " value " + value +
          " does not fit the column type " + TrinoTypeName(type) +
          (detail.empty() ? "" : " (" + detail + ")") +
          " (the schema was inferred from a sample; set --property schema." + table_->collection +
          "." + path +
          "=<type> to fix the type, or schema.on_mismatch=null to read such values as NULL)");
}

bool MongoDecoder::Fail(const bson_iter_t& it, const LogicalType& type, const Path& path,
                        const std::string& detail) {
  if (policy_ == MismatchPolicy::kError) Mismatch(it, type, path.ToString(), detail);
  if (mismatches_) mismatches_->fetch_add(1, std::memory_order_relaxed);
  return false;
}

std::string MongoDecoder::Path::ToString() const {
  std::string s = parent ? parent->ToString() : std::string();
  if (text) s += *text;
  if (element) {
    s += "[]";
  } else if (!name.empty()) {
    if (!s.empty()) s += '.';
    s.append(name);
  }
  return s;
}

void MongoDecoder::DecodeValue(const bson_iter_t& it, const LogicalType& type, Vector& v,
                               size_t row, const std::string& path) {
  Path root;
  root.text = &path;
  Decode(it, type, v, row, root);
}

void MongoDecoder::Decode(const bson_iter_t& it, const LogicalType& type, Vector& v, size_t row,
                          const Path& path) {
  bson_type_t bt = bson_iter_type(&it);
  if (bt == BSON_TYPE_NULL || bt == BSON_TYPE_UNDEFINED) {
    v.SetNull(row);
    return;
  }
  bool ok = true;
  auto set_valid = [&] { v.SetNull(row, false); };
  auto integral = [&](int64_t lo, int64_t hi, int64_t* out) -> bool {
    switch (bt) {
      case BSON_TYPE_INT32:
        *out = bson_iter_int32(&it);
        break;
      case BSON_TYPE_INT64:
        *out = bson_iter_int64(&it);
        break;
      case BSON_TYPE_DOUBLE: {
        double d = bson_iter_double(&it);
        if (!(d == std::floor(d)) || d < -9.2e18 || d > 9.2e18) return false;
        *out = static_cast<int64_t>(d);
        break;
      }
      case BSON_TYPE_BOOL:
      default:
        return false;
    }
    return *out >= lo && *out <= hi;
  };
  switch (type.id) {
    case TypeId::kBoolean:
      if (bt != BSON_TYPE_BOOL) {
        ok = Fail(it, type, path);
        break;
      }
      v.Data<uint8_t>()[row] = bson_iter_bool(&it) ? 1 : 0;
      set_valid();
      break;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt: {
      int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
      if (type.id == TypeId::kTinyInt) lo = -128, hi = 127;
      if (type.id == TypeId::kSmallInt) lo = -32768, hi = 32767;
      if (type.id == TypeId::kInteger) lo = INT32_MIN, hi = INT32_MAX;
      int64_t n = 0;
      if (!integral(lo, hi, &n)) {
        ok = Fail(it, type, path);
        break;
      }
      if (type.id == TypeId::kTinyInt) v.Data<int8_t>()[row] = static_cast<int8_t>(n);
      if (type.id == TypeId::kSmallInt) v.Data<int16_t>()[row] = static_cast<int16_t>(n);
      if (type.id == TypeId::kInteger) v.Data<int32_t>()[row] = static_cast<int32_t>(n);
      if (type.id == TypeId::kBigInt) v.Data<int64_t>()[row] = n;
      set_valid();
      break;
    }
    case TypeId::kReal:
    case TypeId::kDouble: {
      double d;
      if (bt == BSON_TYPE_DOUBLE) {
        d = bson_iter_double(&it);
      } else if (bt == BSON_TYPE_INT32) {
        d = bson_iter_int32(&it);
      } else if (bt == BSON_TYPE_INT64) {
        d = static_cast<double>(bson_iter_int64(&it));
      } else if (bt == BSON_TYPE_DECIMAL128) {
        d = std::strtod(Decimal128Text(it).c_str(), nullptr);
      } else {
        ok = Fail(it, type, path);
        break;
      }
      if (type.id == TypeId::kReal) {
        v.Data<float>()[row] = static_cast<float>(d);
      } else {
        v.Data<double>()[row] = d;
      }
      set_valid();
      break;
    }
    case TypeId::kDecimal: {
      std::string text;
      if (bt == BSON_TYPE_DECIMAL128) {
        text = Decimal128Text(it);
      } else if (bt == BSON_TYPE_INT32 || bt == BSON_TYPE_INT64 || bt == BSON_TYPE_DOUBLE) {
        text = BsonText(it);
      } else {
        ok = Fail(it, type, path);
        break;
      }
      Int128 unscaled;
      if (!ParseDecimal128(text, type.precision, type.scale, &unscaled)) {
        ok = Fail(it, type, path, "out of range or not a number");
        break;
      }
      if (type.IsLongDecimal()) {
        v.Data<Int128>()[row] = unscaled;
      } else {
        v.Data<int64_t>()[row] = static_cast<int64_t>(unscaled);
      }
      set_valid();
      break;
    }
    case TypeId::kVarchar:
      if (bt == BSON_TYPE_UTF8 || bt == BSON_TYPE_SYMBOL) {
        uint32_t length = 0;
        const char* s = bson_iter_utf8(&it, &length);
        v.SetString(row, std::string_view(s, length));
      } else {
        v.SetString(row, BsonText(it));
      }
      set_valid();
      break;
    case TypeId::kJson: {
      std::string json;
      AppendBsonJson(it, &json);
      v.SetString(row, json);
      set_valid();
      break;
    }
    case TypeId::kVarbinary:
      if (bt != BSON_TYPE_BINARY) {
        ok = Fail(it, type, path);
        break;
      }
      v.SetString(row, BinaryBytes(it));
      set_valid();
      break;
    case TypeId::kUuid: {
      Uuid u;
      if (bt == BSON_TYPE_BINARY) {
        std::string bytes = BinaryBytes(it);
        if (bytes.size() != 16) {
          ok = Fail(it, type, path);
          break;
        }
        std::memcpy(u.bytes, bytes.data(), 16);
      } else {
        ok = Fail(it, type, path);
        break;
      }
      v.Data<Uuid>()[row] = u;
      set_valid();
      break;
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kDate: {
      if (bt != BSON_TYPE_DATE_TIME) {
        ok = Fail(it, type, path);
        break;
      }
      int64_t micros;
      if (__builtin_mul_overflow(bson_iter_date_time(&it), kMicrosPerMilli, &micros)) {
        ok = Fail(it, type, path, "the date is out of the TIMESTAMP range");
        break;
      }
      if (type.id == TypeId::kDate) {
        v.Data<int32_t>()[row] = TimestampDays(micros);
      } else {
        v.Data<int64_t>()[row] = micros;
      }
      set_valid();
      break;
    }
    case TypeId::kArray: {
      if (bt != BSON_TYPE_ARRAY) {
        ok = Fail(it, type, path);
        break;
      }
      bson_iter_t e;
      uint32_t count = 0;
      if (bson_iter_recurse(&it, &e)) {
        while (bson_iter_next(&e)) count++;
      }
      Vector& elements = v.Child(0);
      size_t base = elements.size();
      elements.Resize(base + count);
      Path element_path;
      element_path.parent = &path;
      element_path.element = true;
      const LogicalType& element_type = type.ElementType();
      size_t k = 0;
      if (bson_iter_recurse(&it, &e)) {
        while (bson_iter_next(&e)) Decode(e, element_type, elements, base + k++, element_path);
      }
      v.Data<ArrayEntry>()[row] = ArrayEntry{static_cast<uint32_t>(base), count};
      set_valid();
      break;
    }
    case TypeId::kMap: {
      if (bt != BSON_TYPE_DOCUMENT || type.Children()[0].id != TypeId::kVarchar) {
        ok = Fail(it, type, path);
        break;
      }
      bson_iter_t e;
      uint32_t count = 0;
      if (bson_iter_recurse(&it, &e)) {
        while (bson_iter_next(&e)) count++;
      }
      Vector& keys = v.Child(0);
      Vector& values = v.Child(1);
      size_t base = keys.size();
      keys.Resize(base + count);
      values.Resize(base + count);
      size_t k = 0;
      if (bson_iter_recurse(&it, &e)) {
        while (bson_iter_next(&e)) {
          keys.SetString(base + k, std::string_view(bson_iter_key(&e), bson_iter_key_len(&e)));
          keys.SetNull(base + k, false);
          Path value_path;
          value_path.parent = &path;
          value_path.name = std::string_view(bson_iter_key(&e), bson_iter_key_len(&e));
          Decode(e, type.Children()[1], values, base + k, value_path);
          k++;
        }
      }
      v.Data<ArrayEntry>()[row] = ArrayEntry{static_cast<uint32_t>(base), count};
      set_valid();
      break;
    }
    case TypeId::kRow: {
      if (bt != BSON_TYPE_DOCUMENT) {
        ok = Fail(it, type, path);
        break;
      }
      const auto& names = type.FieldNames();
      const auto& types = type.Children();
      size_t index = v.Child(0).size();
      // The field vectors, looked up once per document.
      Vector* small[16];
      std::vector<Vector*> large;
      Vector** fields = small;
      if (names.size() > 16) {
        large.resize(names.size());
        fields = large.data();
      }
      // Fields the document lacks are set NULL afterwards (rows start valid).
      bool masked = names.size() <= 64;
      uint64_t seen = 0;
      for (size_t f = 0; f < names.size(); f++) {
        fields[f] = &v.Child(f);
        fields[f]->Resize(index + 1);
        if (!masked) fields[f]->SetNull(index);
      }
      bson_iter_t e;
      if (bson_iter_recurse(&it, &e)) {
        // Documents mostly keep one field order: look for each key after the last one found.
        size_t next = 0;
        while (bson_iter_next(&e)) {
          const char* key = bson_iter_key(&e);
          size_t key_length = bson_iter_key_len(&e);
          for (size_t k = 0; k < names.size(); k++) {
            size_t f = next + k < names.size() ? next + k : next + k - names.size();
            if (SameKey(names[f], key, key_length)) {
              if (masked) seen |= uint64_t{1} << f;
              Path field_path;
              field_path.parent = &path;
              field_path.name = names[f];
              Decode(e, types[f], *fields[f], index, field_path);
              next = f + 1;
              break;
            }
          }
        }
      }
      if (masked) {
        for (size_t f = 0; f < names.size(); f++) {
          if (!((seen >> f) & 1)) fields[f]->SetNull(index);
        }
      }
      v.Data<uint32_t>()[row] = static_cast<uint32_t>(index);
      set_valid();
      break;
    }
    default:
      ok = Fail(it, type, path, "no BSON mapping for this type");
      break;
  }
  if (!ok) v.SetNull(row);
}

bool AppendBsonValue(bson_t* doc, const char* key, const Value& value, BsonKindSet kinds) {
  if (value.is_null()) return bson_append_null(doc, key, -1);
  const LogicalType& t = value.type();
  switch (t.id) {
    case TypeId::kBoolean:
      return bson_append_bool(doc, key, -1, value.GetBool());
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
      return bson_append_int32(doc, key, -1, static_cast<int32_t>(value.GetInt64()));
    case TypeId::kBigInt:
      return bson_append_int64(doc, key, -1, value.GetInt64());
    case TypeId::kReal:
    case TypeId::kDouble:
      return bson_append_double(doc, key, -1, value.GetDouble());
    case TypeId::kDecimal: {
      std::string text = FormatDecimal(value.GetInt128(), t.scale);
      bson_decimal128_t d;
      if (!bson_decimal128_from_string(text.c_str(), &d)) return false;
      return bson_append_decimal128(doc, key, -1, &d);
    }
    case TypeId::kVarchar: {
      const std::string& s = value.GetString();
      if (kinds == KindBit(BsonKind::kObjectId)) {
        if (!bson_oid_is_valid(s.c_str(), s.size()) || s.size() != 24) return false;
        bson_oid_t oid;
        bson_oid_init_from_string(&oid, s.c_str());
        return bson_append_oid(doc, key, -1, &oid);
      }
      if (!bson_utf8_validate(s.data(), s.size(), false)) return false;
      return bson_append_utf8(doc, key, -1, s.data(), static_cast<int>(s.size()));
    }
    case TypeId::kVarbinary: {
      const std::string& s = value.GetString();
      return bson_append_binary(doc, key, -1, BSON_SUBTYPE_BINARY,
                                reinterpret_cast<const uint8_t*>(s.data()),
                                static_cast<uint32_t>(s.size()));
    }
    case TypeId::kUuid: {
      Uuid u = value.GetUuid();
      return bson_append_binary(doc, key, -1, BSON_SUBTYPE_UUID, u.bytes, 16);
    }
    case TypeId::kJson: {
      std::string wrapped = "{\"v\":" + value.GetString() + "}";
      bson_error_t error;
      bson_t* parsed = bson_new_from_json(reinterpret_cast<const uint8_t*>(wrapped.data()),
                                          static_cast<ssize_t>(wrapped.size()), &error);
      if (!parsed) return false;
      bson_iter_t it;
      bool ok = bson_iter_init_find(&it, parsed, "v") && bson_append_iter(doc, key, -1, &it);
      bson_destroy(parsed);
      return ok;
    }
    case TypeId::kDate:
      return bson_append_date_time(doc, key, -1,
                                   static_cast<int64_t>(value.GetInt64()) * 86400000LL);
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      int64_t micros = value.GetInt64();
      int64_t millis = micros / kMicrosPerMilli - (micros % kMicrosPerMilli < 0 ? 1 : 0);
      return bson_append_date_time(doc, key, -1, millis);
    }
    case TypeId::kArray: {
      bson_t child;
      if (!bson_append_array_begin(doc, key, -1, &child)) return false;
      bool ok = true;
      const auto& elements = value.Children();
      for (size_t i = 0; i < elements.size() && ok; i++) {
        std::string index = std::to_string(i);
        ok = AppendBsonValue(&child, index.c_str(), elements[i]);
      }
      return bson_append_array_end(doc, &child) && ok;
    }
    case TypeId::kRow: {
      bson_t child;
      if (!bson_append_document_begin(doc, key, -1, &child)) return false;
      bool ok = true;
      const auto& names = t.FieldNames();
      const auto& fields = value.Children();
      for (size_t i = 0; i < fields.size() && ok; i++) {
        std::string name =
            i < names.size() && !names[i].empty() ? names[i] : "field" + std::to_string(i);
        ok = AppendBsonValue(&child, name.c_str(), fields[i]);
      }
      return bson_append_document_end(doc, &child) && ok;
    }
    case TypeId::kMap: {
      if (t.Children()[0].id != TypeId::kVarchar) return false;
      bson_t child;
      if (!bson_append_document_begin(doc, key, -1, &child)) return false;
      bool ok = true;
      const auto& keys = value.Children();
      const auto& values = value.MapValues();
      for (size_t i = 0; i < keys.size() && ok; i++)
        ok = !keys[i].is_null() && AppendBsonValue(&child, keys[i].GetString().c_str(), values[i]);
      return bson_append_document_end(doc, &child) && ok;
    }
    default:
      return false;
  }
}

}  // namespace aishell
