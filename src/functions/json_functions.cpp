// The JSON type's functions (Trino's names and semantics): json_parse, json_format,
// json_extract, json_extract_scalar, json_array_length, json_size, is_json_scalar; and typeof,
// to_utf8, from_utf8, to_hex, from_hex. JSON values are kept as canonical text (no insignificant
// whitespace); documents are parsed with simdjson, per row.
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "common/type_names.h"
#include "common/utf8.h"
#include "functions/cast.h"
#include "functions/function_registry.h"
#include "functions/scalar_kernels.h"

namespace aishell {

namespace {

using Args = const std::vector<LogicalType>&;
using VecArgs = const std::vector<Vector>&;
using SV = std::string_view;

const LogicalType kVarchar(TypeId::kVarchar);
const LogicalType kJsonType(TypeId::kJson);
const LogicalType kBigInt(TypeId::kBigInt);
const LogicalType kBool(TypeId::kBoolean);
const LogicalType kVarbinary(TypeId::kVarbinary);

// One step of a JSON path: a member name or an array index.
struct PathStep {
  bool is_index = false;
  std::string name;
  size_t index = 0;
};

// Parses Trino's JSON path subset: $ followed by .name, ["name"] and [index] steps.
std::vector<PathStep> ParseJsonPath(SV path) {
  auto fail = [&](const std::string& why) -> void {
    throw Error(ErrorKind::kExecution, "invalid JSON path '" + std::string(path) + "': " + why);
  };
  std::string p = TrimSpace(path);
  if (p.empty() || p[0] != '$') fail("it must start with $");
  std::vector<PathStep> steps;
  size_t i = 1;
  while (i < p.size()) {
    if (p[i] == '.') {
      size_t start = ++i;
      while (i < p.size() && p[i] != '.' && p[i] != '[') i++;
      if (i == start) fail("empty member name");
      if (p.substr(start, i - start) == "*") fail("wildcards are not supported");
      steps.push_back({false, std::string(p.substr(start, i - start)), 0});
    } else if (p[i] == '[') {
      size_t close = p.find(']', i);
      if (close == std::string::npos) fail("missing ]");
      std::string inner = TrimSpace(p.substr(i + 1, close - i - 1));
      if (inner.size() >= 2 && (inner.front() == '"' || inner.front() == '\'') &&
          inner.back() == inner.front()) {
        steps.push_back({false, std::string(inner.substr(1, inner.size() - 2)), 0});
      } else {
        if (inner.empty() || inner.find_first_not_of("0123456789") != std::string::npos)
          fail("an array subscript must be a non-negative integer");
        // An index past what size_t holds matches no element, as any index past the end.
        size_t index = SIZE_MAX;
        std::from_chars(inner.data(), inner.data() + inner.size(), index);
        steps.push_back({true, "", index});
      }
      i = close + 1;
    } else {
      fail("unexpected '" + std::string(1, p[i]) + "'");
    }
  }
  return steps;
}

// A parsed JSON path cached per kernel call when the path argument is constant.
class JsonPathCache {
 public:
  const std::vector<PathStep>& Get(SV path) {
    if (!valid_ || path != text_) {
      steps_ = ParseJsonPath(path);
      text_ = std::string(path);
      valid_ = true;
    }
    return steps_;
  }

 private:
  bool valid_ = false;
  std::string text_;
  std::vector<PathStep> steps_;
};

// Parses `text` as a JSON document; nullopt when it is not valid JSON (Trino: NULL for
// json_extract on invalid text).
bool ParseDoc(simdjson::dom::parser& parser, SV text, simdjson::dom::element* out) {
  simdjson::padded_string padded(text);
  return parser.parse(padded).get(*out) == simdjson::SUCCESS;
}

// Follows `steps` from `root`; false when a step does not exist.
bool Walk(simdjson::dom::element root, const std::vector<PathStep>& steps,
          simdjson::dom::element* out) {
  simdjson::dom::element cur = root;
  for (const auto& s : steps) {
    if (s.is_index) {
      simdjson::dom::array arr;
      if (cur.get(arr) != simdjson::SUCCESS) return false;
      if (arr.at(s.index).get(cur) != simdjson::SUCCESS) return false;
    } else {
      simdjson::dom::object obj;
      if (cur.get(obj) != simdjson::SUCCESS) return false;
      if (obj.at_key(s.name).get(cur) != simdjson::SUCCESS) return false;
    }
  }
  *out = cur;
  return true;
}

// out[i] = op(row i) for the valid rows of a string-like vector; NULL elsewhere.
template <class Op>
void ToStrings(const Vector& in, size_t n, Vector& out, Op op) {
  UnifiedView v = in.View();
  for (size_t i = 0; i < n; i++) {
    if (!v.IsValid(i)) {
      out.SetNull(i);
      continue;
    }
    out.SetString(i, op(v.Get<SV>(i)));
  }
}

bool IsScalar(simdjson::dom::element e) {
  auto t = e.type();
  return t != simdjson::dom::element_type::ARRAY && t != simdjson::dom::element_type::OBJECT;
}

// The text of a scalar as json_extract_scalar returns it (strings unquoted; null is NULL).
bool ScalarText(simdjson::dom::element e, std::string* out) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::STRING:
      *out = std::string(e.get_string().value_unsafe());
      return true;
    case T::NULL_VALUE:
    case T::ARRAY:
    case T::OBJECT:
      return false;
    default:
      *out = simdjson::minify(e);
      return true;
  }
}

// json_extract / json_extract_scalar over (json or varchar, varchar path).
std::shared_ptr<ScalarFunction> Extract(const char* name, const LogicalType& input, bool scalar) {
  LogicalType ret = scalar ? kVarchar : kJsonType;
  return MakeScalar(name, {input, kVarchar}, ret, [scalar](VecArgs a, size_t n, Vector& out) {
    simdjson::dom::parser parser;
    JsonPathCache paths;
    RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
      const auto& steps = paths.Get(v[1].Get<SV>(i));
      simdjson::dom::element root, hit;
      if (!ParseDoc(parser, v[0].Get<SV>(i), &root) || !Walk(root, steps, &hit)) {
        out.SetNull(i);
        return;
      }
      if (scalar) {
        std::string text;
        if (!ScalarText(hit, &text)) {
          out.SetNull(i);
          return;
        }
        out.SetString(i, text);
      } else {
        out.SetString(i, simdjson::minify(hit));
      }
    });
  });
}

}  // namespace

void RegisterJsonFunctions(FunctionRegistryImpl& r) {
  r.AddScalar("json_parse", {{kVarchar}, false, [](Args) {
                               return MakeScalar(
                                   "json_parse", {kVarchar}, kJsonType,
                                   [](VecArgs a, size_t n, Vector& out) {
                                     RowExecute(a, n, out, [&](size_t i, const auto& v) {
                                       SV text = v[0].template Get<SV>(i);
                                       auto canonical = CanonicalJson(text);
                                       if (!canonical) {
                                         std::string shown(text.substr(0, 60));
                                         throw Error(ErrorKind::kConversion,
                                                     "json_parse: not valid JSON: '" + shown +
                                                         (text.size() > 60 ? "...'" : "'"));
                                       }
                                       out.SetString(i, *canonical);
                                     });
                                   });
                             }});
  r.AddScalar("json_format", {{kJsonType}, false, [](Args) {
                                return MakeScalar(
                                    "json_format", {kJsonType}, kVarchar,
                                    [](VecArgs a, size_t n, Vector& out) {
                                      // The JSON text itself (a CAST to VARCHAR
                                      // takes only scalars, as Trino's).
                                      RowExecute(a, n, out, [&](size_t i, const auto& v) {
                                        out.SetString(i, v[0].template Get<SV>(i));
                                      });
                                    });
                              }});
  for (const LogicalType& input : {kJsonType, kVarchar}) {
    r.AddScalar("json_extract", {{input, kVarchar}, false, [input](Args) {
                                   return Extract("json_extract", input, false);
                                 }});
    r.AddScalar("json_extract_scalar", {{input, kVarchar}, false, [input](Args) {
                                          return Extract("json_extract_scalar", input, true);
                                        }});
    r.AddScalar("json_array_length",
                {{input}, false, [input](Args) {
                   return MakeScalar("json_array_length", {input}, kBigInt,
                                     [](VecArgs a, size_t n, Vector& out) {
                                       simdjson::dom::parser parser;
                                       RowExecute(a, n, out, [&](size_t i, const auto& v) {
                                         simdjson::dom::element root;
                                         simdjson::dom::array arr;
                                         if (!ParseDoc(parser, v[0].template Get<SV>(i), &root) ||
                                             root.get(arr) != simdjson::SUCCESS) {
                                           out.SetNull(i);
                                           return;
                                         }
                                         out.Data<int64_t>()[i] = static_cast<int64_t>(arr.size());
                                       });
                                     });
                 }});
    r.AddScalar("json_size", {{input, kVarchar}, false, [input](Args) {
                                return MakeScalar(
                                    "json_size", {input, kVarchar}, kBigInt,
                                    [](VecArgs a, size_t n, Vector& out) {
                                      simdjson::dom::parser parser;
                                      JsonPathCache paths;
                                      RowExecute(a, n, out, [&](size_t i, const auto& v) {
                                        const auto& steps = paths.Get(v[1].template Get<SV>(i));
                                        simdjson::dom::element root, hit;
                                        if (!ParseDoc(parser, v[0].template Get<SV>(i), &root) ||
                                            !Walk(root, steps, &hit)) {
                                          out.SetNull(i);
                                          return;
                                        }
                                        int64_t size = 0;
                                        simdjson::dom::array arr;
                                        simdjson::dom::object obj;
                                        if (hit.get(arr) == simdjson::SUCCESS)
                                          size = static_cast<int64_t>(arr.size());
                                        else if (hit.get(obj) == simdjson::SUCCESS)
                                          size = static_cast<int64_t>(obj.size());
                                        out.Data<int64_t>()[i] = size;
                                      });
                                    });
                              }});
    r.AddScalar("is_json_scalar",
                {{input}, false, [input](Args) {
                   return MakeScalar("is_json_scalar", {input}, kBool,
                                     [](VecArgs a, size_t n, Vector& out) {
                                       simdjson::dom::parser parser;
                                       RowExecute(a, n, out, [&](size_t i, const auto& v) {
                                         simdjson::dom::element root;
                                         SV text = v[0].template Get<SV>(i);
                                         if (!ParseDoc(parser, text, &root))
                                           throw Error(ErrorKind::kConversion,
                                                       "is_json_scalar: not valid JSON: '" +
                                                           std::string(text.substr(0, 60)) + "'");
                                         out.Data<uint8_t>()[i] = IsScalar(root) ? 1 : 0;
                                       });
                                     });
                 }});
  }

  // typeof(x): Trino's spelling of the argument's type.
  r.AddScalar("typeof", {{kAnyType}, false, [](Args args) {
                           std::string name = TrinoTypeName(args[0]);
                           if (args[0].id == TypeId::kNull) name = "unknown";
                           auto fn = MakeScalar(
                               "typeof", args, kVarchar,
                               [name](VecArgs, size_t n, Vector& out) {
                                 for (size_t i = 0; i < n; i++) out.SetString(i, name);
                               },
                               /*null_propagating=*/false);
                           return fn;
                         }});
  // Bytes and text.
  r.AddScalar("to_utf8", {{kVarchar}, false, [](Args) {
                            return MakeScalar("to_utf8", {kVarchar}, kVarbinary,
                                              [](VecArgs a, size_t n, Vector& out) {
                                                out = CastVector(a[0], kVarbinary, false);
                                              });
                          }});
  r.AddScalar("from_utf8", {{kVarbinary}, false, [](Args) {
                              // Invalid sequences become U+FFFD, as Trino's from_utf8.
                              return MakeScalar(
                                  "from_utf8", {kVarbinary}, kVarchar,
                                  [](VecArgs a, size_t n, Vector& out) {
                                    UnifiedView v = a[0].View();
                                    for (size_t i = 0; i < n; i++) {
                                      if (!v.IsValid(i)) {
                                        out.SetNull(i);
                                        continue;
                                      }
                                      SV bytes = v.Get<SV>(i);
                                      if (IsValidUtf8(bytes)) {
                                        out.SetString(i, bytes);
                                        continue;
                                      }
                                      std::string fixed;
                                      size_t k = 0;
                                      while (k < bytes.size()) {
                                        size_t start = k;
                                        uint32_t cp = NextCodePoint(bytes, k);
                                        if (cp == 0xFFFD && k == start + 1 &&
                                            static_cast<unsigned char>(bytes[start]) >= 0x80) {
                                          fixed += "\xEF\xBF\xBD";
                                        } else {
                                          fixed.append(bytes.substr(start, k - start));
                                        }
                                      }
                                      out.SetString(i, fixed);
                                    }
                                  });
                            }});
  // VARBINARY: length in bytes, substr by bytes (1-based, negative from the end), || concatenates.
  r.AddScalar("length", {{kVarbinary}, false, [](Args) {
                           return MakeScalar("length", {kVarbinary}, kBigInt,
                                             [](VecArgs a, size_t n, Vector& out) {
                                               UnaryExecute<SV, int64_t>(a[0], n, out, [](SV b) {
                                                 return static_cast<int64_t>(b.size());
                                               });
                                             });
                         }});
  auto substr = [](Args args) {
    return MakeScalar("substr", args, kVarbinary, [](VecArgs a, size_t n, Vector& out) {
      RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
        SV b = v[0].Get<SV>(i);
        auto size = static_cast<int64_t>(b.size());
        int64_t start = v[1].Get<int64_t>(i);
        int64_t len = a.size() > 2 ? v[2].Get<int64_t>(i) : size;
        if (start < 0) start = size + start + 1;
        if (start < 1 || start > size || len <= 0) {
          out.SetString(i, SV());
          return;
        }
        int64_t take = std::min(len, size - start + 1);
        out.SetString(i, b.substr(static_cast<size_t>(start - 1), static_cast<size_t>(take)));
      });
    });
  };
  r.AddScalar("substr", {{kVarbinary, kBigInt}, false, substr});
  r.AddScalar("substr", {{kVarbinary, kBigInt, kBigInt}, false, substr});
  r.AddScalar("concat", {{kVarbinary}, true, [](Args args) {
                           return MakeScalar("concat", args, kVarbinary,
                                             [](VecArgs a, size_t n, Vector& out) {
                                               RowExecute(a, n, out, [&](size_t i, const auto& v) {
                                                 std::string bytes;
                                                 for (const auto& view : v)
                                                   bytes.append(view.template Get<SV>(i));
                                                 out.SetString(i, bytes);
                                               });
                                             });
                         }});
  r.AddScalar(
      "to_hex",
      {{kVarbinary}, false, [](Args) {
         return MakeScalar("to_hex", {kVarbinary}, kVarchar, [](VecArgs a, size_t n, Vector& out) {
           ToStrings(a[0], n, out, [](SV b) {
             std::string h = FormatVarbinary(b);
             std::string up;
             for (char c : h)
               if (c != ' ')
                 up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
             return up;
           });
         });
       }});
  r.AddScalar(
      "from_hex",
      {{kVarchar}, false, [](Args) {
         return MakeScalar(
             "from_hex", {kVarchar}, kVarbinary, [](VecArgs a, size_t n, Vector& out) {
               ToStrings(a[0], n, out, [](SV h) {
                 auto nib = [&](char c) -> int {
                   if (c >= '0' && c <= '9') return c - '0';
                   if (c >= 'a' && c <= 'f') return c - 'a' + 10;
                   if (c >= 'A' && c <= 'F') return c - 'A' + 10;
                   throw Error(ErrorKind::kExecution, "from_hex: invalid hex digit in '" +
                                                          std::string(h.substr(0, 60)) + "'");
                 };
                 if (h.size() % 2)
                   throw Error(ErrorKind::kExecution, "from_hex: odd number of hex digits in '" +
                                                          std::string(h.substr(0, 60)) + "'");
                 std::string out;
                 for (size_t k = 0; k < h.size(); k += 2)
                   out.push_back(static_cast<char>(nib(h[k]) * 16 + nib(h[k + 1])));
                 return out;
               });
             });
       }});
}

}  // namespace aishell
