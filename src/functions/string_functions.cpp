// String functions (Trino semantics; positions and lengths count UTF-8 code points).
#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "common/exception.h"
#include "common/version.h"
#include "functions/function_registry.h"
#include "functions/scalar_kernels.h"

namespace aishell {

namespace {

using SV = std::string_view;
using Args = const std::vector<LogicalType>&;
using VecArgs = const std::vector<Vector>&;

const LogicalType kVarchar(TypeId::kVarchar);
const LogicalType kBigInt(TypeId::kBigInt);
const LogicalType kBool(TypeId::kBoolean);

bool IsAscii(SV s) {
  for (unsigned char c : s) {
    if (c & 0x80) return false;
  }
  return true;
}

// The bytes that start a code point: every byte but the continuation bytes (10xxxxxx), counted
// eight bytes at a time.
size_t CodePointCount(SV s) {
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t continuation = 0, i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    // 1 in each byte whose bit 7 is 1 and bit 6 is 0, summed into the top byte by the multiply.
    uint64_t ones = ((w & ~(w << 1)) & kHigh) >> 7;
    continuation += static_cast<size_t>((ones * 0x0101010101010101ULL) >> 56);
  }
  for (; i < s.size(); i++) continuation += (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  return s.size() - continuation;
}

// Byte offset of code point `cp` (0-based) in s; s.size() if past the end.
size_t ByteOffset(SV s, size_t cp) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i++) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == cp) return i;
      n++;
    }
  }
  return s.size();
}

// Trino substr: 1-based start, negative counts from the end; length in code points.
SV Substr(SV s, int64_t start, int64_t length) {
  if (start == 0 || length <= 0) return SV();
  bool ascii = IsAscii(s);
  int64_t total = ascii ? static_cast<int64_t>(s.size()) : static_cast<int64_t>(CodePointCount(s));
  if (start < 0) start = total + start + 1;
  if (start <= 0 || start > total) return SV();
  int64_t end =
      length >= total ? total : std::min<int64_t>(total, start - 1 + length);  // exclusive, 0-based
  if (ascii) return s.substr(start - 1, end - (start - 1));
  size_t b0 = ByteOffset(s, start - 1), b1 = ByteOffset(s, end);
  return s.substr(b0, b1 - b0);
}

template <class Op>
std::shared_ptr<ScalarFunction> StringToString(const char* name, Op op) {
  return MakeScalar(name, {kVarchar}, kVarchar, [op](VecArgs a, size_t n, Vector& out) {
    auto& heap = *out.heap();
    std::string buf;
    UnaryExecute<SV, SV>(a[0], n, out, [&](SV s) {
      buf.assign(s);
      op(buf);
      return heap.Add(buf);
    });
  });
}

void AsciiLower(std::string& s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
}
void AsciiUpper(std::string& s) {
  for (auto& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
}

bool InSet(char c, SV chars) { return chars.find(c) != SV::npos; }

SV TrimChars(SV s, SV chars, bool left, bool right) {
  if (left) {
    while (!s.empty() && InSet(s.front(), chars)) s.remove_prefix(1);
  }
  if (right) {
    while (!s.empty() && InSet(s.back(), chars)) s.remove_suffix(1);
  }
  return s;
}

// Compiled regular expressions: one per constant pattern, else compiled per row.
class RegexCache {
 public:
  const RE2& Get(SV pattern) {
    if (re_ && pattern == pattern_) return *re_;
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
    if (!re->ok())
      throw Error(ErrorKind::kExecution,
                  "invalid regular expression '" + std::string(pattern) + "': " + re->error());
    pattern_.assign(pattern);
    re_ = std::move(re);
    return *re_;
  }

 private:
  std::string pattern_;
  std::unique_ptr<RE2> re_;
};

// Trino replacement strings use $1 for groups; RE2 uses \1.
std::string ConvertReplacement(SV rep) {
  std::string out;
  for (size_t i = 0; i < rep.size(); i++) {
    char c = rep[i];
    if (c == '$' && i + 1 < rep.size() && std::isdigit(static_cast<unsigned char>(rep[i + 1]))) {
      out += '\\';
    } else if (c == '\\') {
      if (i + 1 < rep.size() && rep[i + 1] == '$') {
        out += '$';
        i++;
        continue;
      }
      out += "\\\\";
      continue;
    } else {
      out += c;
      continue;
    }
  }
  return out;
}

SV Pad(SV s, int64_t size, SV pad, bool left, StringHeap& heap) {
  if (size < 0)
    throw Error(ErrorKind::kExecution,
                "pad size must be non-negative, got " + std::to_string(size));
  if (size > (int64_t{1} << 28))
    throw Error(ErrorKind::kExecution,
                "pad size " + std::to_string(size) + " is too large (at most 268435456)");
  int64_t len = static_cast<int64_t>(CodePointCount(s));
  if (len >= size) return s.substr(0, ByteOffset(s, size));
  if (pad.empty()) throw Error(ErrorKind::kExecution, "padding string must not be empty");
  std::string fill;
  int64_t need = size - len;
  int64_t pad_cp = static_cast<int64_t>(CodePointCount(pad));
  while (need >= pad_cp) {
    fill.append(pad);
    need -= pad_cp;
  }
  fill.append(pad.substr(0, ByteOffset(pad, need)));
  std::string out = left ? fill + std::string(s) : std::string(s) + fill;
  return heap.Add(out);
}

int64_t StrPos(SV s, SV sub) {
  size_t p = s.find(sub);
  if (p == SV::npos) return 0;
  return static_cast<int64_t>(CodePointCount(s.substr(0, p))) + 1;
}

}  // namespace

void RegisterStringFunctions(FunctionRegistryImpl& r) {
  // version(): the engine's version, as Trino clients ask for the server's.
  r.AddScalar("version", {{}, false, [](Args) {
                            return MakeScalar("version", {}, kVarchar,
                                              [](VecArgs, size_t n, Vector& out) {
                                                for (size_t i = 0; i < n; i++)
                                                  out.SetString(i, kAishellVersion);
                                              });
                          }});
  r.AddScalar("lower",
              {{kVarchar}, false, [](Args) { return StringToString("lower", AsciiLower); }});
  r.AddScalar("upper",
              {{kVarchar}, false, [](Args) { return StringToString("upper", AsciiUpper); }});
  r.AddScalar("reverse", {{kVarchar}, false, [](Args) {
                            return StringToString("reverse", [](std::string& s) {
                              if (IsAscii(s)) {
                                std::reverse(s.begin(), s.end());
                                return;
                              }
                              std::string out;
                              size_t i = s.size();
                              while (i > 0) {
                                size_t j = i - 1;
                                while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80)
                                  j--;
                                out.append(s, j, i - j);
                                i = j;
                              }
                              s = out;
                            });
                          }});
  auto length = [](Args) {
    return MakeScalar("length", {kVarchar}, kBigInt, [](VecArgs a, size_t n, Vector& out) {
      UnaryExecute<SV, int64_t>(a[0], n, out,
                                [](SV s) { return static_cast<int64_t>(CodePointCount(s)); });
    });
  };
  r.AddScalar("length", {{kVarchar}, false, length});
  // match(column, 'text'): a full-text predicate that only a search source can answer (it is
  // pushed to Elasticsearch as a `match` query, with its analyzer); evaluated here it is an error.
  r.AddScalar("match", {{kVarchar, kVarchar}, false, [](Args) {
                          return MakeScalar("match", {kVarchar, kVarchar}, kBool,
                                            [](VecArgs, size_t n, Vector&) {
                                              if (n == 0) return;
                                              throw Error(ErrorKind::kUnsupported,
                                                          "match(column, text) is a full-text "
                                                          "search that only Elasticsearch runs: "
                                                          "it must be a WHERE condition on a text "
                                                          "field of an Elasticsearch table, with "
                                                          "pushdown on");
                                            });
                        }});
  r.AddScalar("char_length", {{kVarchar}, false, length});
  r.AddScalar("character_length", {{kVarchar}, false, length});

  auto substr2 = [](Args) {
    return MakeScalar("substr", {kVarchar, kBigInt}, kVarchar,
                      [](VecArgs a, size_t n, Vector& out) {
                        KeepStringsAlive(out, a[0]);
                        BinaryExecute<SV, int64_t, SV>(a[0], a[1], n, out, [](SV s, int64_t start) {
                          return Substr(s, start, INT64_MAX / 2);
                        });
                      });
  };
  auto substr3 = [](Args) {
    return MakeScalar(
        "substr", {kVarchar, kBigInt, kBigInt}, kVarchar, [](VecArgs a, size_t n, Vector& out) {
          KeepStringsAlive(out, a[0]);
          auto* res = out.Data<SV>();
          RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
            res[i] = Substr(v[0].Get<SV>(i), v[1].Get<int64_t>(i), v[2].Get<int64_t>(i));
          });
        });
  };
  for (const char* name : {"substr", "substring"}) {
    r.AddScalar(name, {{kVarchar, kBigInt}, false, substr2});
    r.AddScalar(name, {{kVarchar, kBigInt, kBigInt}, false, substr3});
  }
  r.AddScalar("left", {{kVarchar, kBigInt}, false, [](Args) {
                         return MakeScalar("left", {kVarchar, kBigInt}, kVarchar,
                                           [](VecArgs a, size_t n, Vector& out) {
                                             KeepStringsAlive(out, a[0]);
                                             BinaryExecute<SV, int64_t, SV>(
                                                 a[0], a[1], n, out,
                                                 [](SV s, int64_t k) { return Substr(s, 1, k); });
                                           });
                       }});
  r.AddScalar("right",
              {{kVarchar, kBigInt}, false, [](Args) {
                 return MakeScalar(
                     "right", {kVarchar, kBigInt}, kVarchar, [](VecArgs a, size_t n, Vector& out) {
                       KeepStringsAlive(out, a[0]);
                       BinaryExecute<SV, int64_t, SV>(a[0], a[1], n, out, [](SV s, int64_t k) {
                         if (k <= 0) return SV();
                         int64_t total = static_cast<int64_t>(CodePointCount(s));
                         return Substr(s, std::max<int64_t>(1, total - k + 1), k);
                       });
                     });
               }});

  struct TrimSpec {
    const char* name;
    bool left, right;
  };
  for (TrimSpec t : {TrimSpec{"trim", true, true}, TrimSpec{"ltrim", true, false},
                     TrimSpec{"rtrim", false, true}}) {
    r.AddScalar(t.name, {{kVarchar}, false, [t](Args) {
                           return MakeScalar(
                               t.name, {kVarchar}, kVarchar, [t](VecArgs a, size_t n, Vector& out) {
                                 KeepStringsAlive(out, a[0]);
                                 UnaryExecute<SV, SV>(a[0], n, out, [&](SV s) {
                                   return TrimChars(s, " \t\n\r\f\v", t.left, t.right);
                                 });
                               });
                         }});
    r.AddScalar(t.name, {{kVarchar, kVarchar}, false, [t](Args) {
                           return MakeScalar(t.name, {kVarchar, kVarchar}, kVarchar,
                                             [t](VecArgs a, size_t n, Vector& out) {
                                               KeepStringsAlive(out, a[0]);
                                               BinaryExecute<SV, SV, SV>(
                                                   a[0], a[1], n, out, [&](SV s, SV chars) {
                                                     return TrimChars(s, chars, t.left, t.right);
                                                   });
                                             });
                         }});
  }

  auto replace = [](VecArgs a, size_t n, Vector& out) {
    auto* res = out.Data<SV>();
    auto& heap = *out.heap();
    std::string buf;
    RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
      SV s = v[0].Get<SV>(i), from = v[1].Get<SV>(i);
      SV to = a.size() > 2 ? v[2].Get<SV>(i) : SV();
      buf.clear();
      if (from.empty()) {
        // Trino inserts `to` before every code point and at the end.
        for (size_t k = 0; k < s.size(); k++) {
          if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80) buf.append(to);
          buf.push_back(s[k]);
        }
        buf.append(to);
      } else {
        size_t pos = 0;
        while (true) {
          size_t p = s.find(from, pos);
          if (p == SV::npos) break;
          buf.append(s.substr(pos, p - pos));
          buf.append(to);
          pos = p + from.size();
        }
        buf.append(s.substr(pos));
      }
      res[i] = heap.Add(buf);
    });
  };
  r.AddScalar("replace", {{kVarchar, kVarchar}, false, [replace](Args) {
                            return MakeScalar("replace", {kVarchar, kVarchar}, kVarchar, replace);
                          }});
  r.AddScalar("replace",
              {{kVarchar, kVarchar, kVarchar}, false, [replace](Args) {
                 return MakeScalar("replace", {kVarchar, kVarchar, kVarchar}, kVarchar, replace);
               }});

  r.AddScalar("strpos", {{kVarchar, kVarchar}, false, [](Args) {
                           return MakeScalar("strpos", {kVarchar, kVarchar}, kBigInt,
                                             [](VecArgs a, size_t n, Vector& out) {
                                               BinaryExecute<SV, SV, int64_t>(a[0], a[1], n, out,
                                                                              StrPos);
                                             });
                         }});
  // position(substring IN string): arguments in SQL order (substring, string).
  r.AddScalar("position", {{kVarchar, kVarchar}, false, [](Args) {
                             return MakeScalar("position", {kVarchar, kVarchar}, kBigInt,
                                               [](VecArgs a, size_t n, Vector& out) {
                                                 BinaryExecute<SV, SV, int64_t>(
                                                     a[0], a[1], n, out,
                                                     [](SV sub, SV s) { return StrPos(s, sub); });
                                               });
                           }});
  r.AddScalar("starts_with", {{kVarchar, kVarchar}, false, [](Args) {
                                return MakeScalar(
                                    "starts_with", {kVarchar, kVarchar}, kBool,
                                    [](VecArgs a, size_t n, Vector& out) {
                                      BinaryExecute<SV, SV, uint8_t>(
                                          a[0], a[1], n, out,
                                          [](SV s, SV p) -> uint8_t { return s.starts_with(p); });
                                    });
                              }});
  r.AddScalar("ends_with", {{kVarchar, kVarchar}, false, [](Args) {
                              return MakeScalar(
                                  "ends_with", {kVarchar, kVarchar}, kBool,
                                  [](VecArgs a, size_t n, Vector& out) {
                                    BinaryExecute<SV, SV, uint8_t>(
                                        a[0], a[1], n, out,
                                        [](SV s, SV p) -> uint8_t { return s.ends_with(p); });
                                  });
                            }});
  r.AddScalar("split_part",
              {{kVarchar, kVarchar, kBigInt}, false, [](Args) {
                 return MakeScalar(
                     "split_part", {kVarchar, kVarchar, kBigInt}, kVarchar,
                     [](VecArgs a, size_t n, Vector& out) {
                       KeepStringsAlive(out, a[0]);
                       auto* res = out.Data<SV>();
                       RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
                         SV s = v[0].Get<SV>(i), d = v[1].Get<SV>(i);
                         int64_t idx = v[2].Get<int64_t>(i);
                         if (idx <= 0)
                           throw Error(ErrorKind::kExecution,
                                       "split_part index must be greater than zero, got " +
                                           std::to_string(idx));
                         if (d.empty()) {
                           if (idx == 1)
                             res[i] = s;
                           else
                             out.SetNull(i);
                           return;
                         }
                         size_t pos = 0;
                         for (int64_t k = 1;; k++) {
                           size_t p = s.find(d, pos);
                           if (k == idx) {
                             res[i] = s.substr(pos, p == SV::npos ? SV::npos : p - pos);
                             return;
                           }
                           if (p == SV::npos) {
                             out.SetNull(i);
                             return;
                           }
                           pos = p + d.size();
                         }
                       });
                     });
               }});
  for (bool left : {true, false}) {
    const char* name = left ? "lpad" : "rpad";
    r.AddScalar(name, {{kVarchar, kBigInt, kVarchar}, false, [name, left](Args) {
                         return MakeScalar(
                             name, {kVarchar, kBigInt, kVarchar}, kVarchar,
                             [left](VecArgs a, size_t n, Vector& out) {
                               KeepStringsAlive(out, a[0]);
                               auto* res = out.Data<SV>();
                               auto& heap = *out.heap();
                               RowExecute(a, n, out,
                                          [&](size_t i, const std::vector<UnifiedView>& v) {
                                            res[i] = Pad(v[0].Get<SV>(i), v[1].Get<int64_t>(i),
                                                         v[2].Get<SV>(i), left, heap);
                                          });
                             });
                       }});
  }
  r.AddScalar("concat_ws", {{kVarchar, kVarchar}, true, [](Args args) {
                              return MakeScalar(
                                  "concat_ws", args, kVarchar,
                                  [](VecArgs a, size_t n, Vector& out) {
                                    std::vector<UnifiedView> views;
                                    for (const auto& x : a) views.push_back(x.View());
                                    auto* res = out.Data<SV>();
                                    auto& heap = *out.heap();
                                    std::string buf;
                                    for (size_t i = 0; i < n; i++) {
                                      if (!views[0].IsValid(i)) {
                                        out.SetNull(i);
                                        continue;
                                      }
                                      SV sep = views[0].Get<SV>(i);
                                      buf.clear();
                                      bool first = true;
                                      for (size_t k = 1; k < views.size(); k++) {
                                        if (!views[k].IsValid(i)) continue;
                                        if (!first) buf.append(sep);
                                        buf.append(views[k].Get<SV>(i));
                                        first = false;
                                      }
                                      res[i] = heap.Add(buf);
                                    }
                                  },
                                  /*null_propagating=*/false);
                            }});

  // Regular expressions (RE2 syntax).
  r.AddScalar(
      "regexp_like",
      {{kVarchar, kVarchar}, false, [](Args) {
         return MakeScalar(
             "regexp_like", {kVarchar, kVarchar}, kBool, [](VecArgs a, size_t n, Vector& out) {
               RegexCache cache;
               BinaryExecute<SV, SV, uint8_t>(a[0], a[1], n, out, [&](SV s, SV p) -> uint8_t {
                 return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), cache.Get(p));
               });
             });
       }});
  auto extract = [](VecArgs a, size_t n, Vector& out) {
    KeepStringsAlive(out, a[0]);
    RegexCache cache;
    auto* res = out.Data<SV>();
    RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
      SV s = v[0].Get<SV>(i);
      const RE2& re = cache.Get(v[1].Get<SV>(i));
      int64_t group = a.size() > 2 ? v[2].Get<int64_t>(i) : 0;
      if (group < 0 || group > re.NumberOfCapturingGroups())
        throw Error(ErrorKind::kExecution,
                    "regexp_extract: pattern has " + std::to_string(re.NumberOfCapturingGroups()) +
                        " groups, cannot access group " + std::to_string(group));
      std::vector<re2::StringPiece> groups(group + 1);
      re2::StringPiece input(s.data(), s.size());
      if (!re.Match(input, 0, s.size(), RE2::UNANCHORED, groups.data(),
                    static_cast<int>(group + 1)) ||
          groups[group].data() == nullptr) {
        out.SetNull(i);
        return;
      }
      res[i] = SV(groups[group].data(), groups[group].size());
    });
  };
  r.AddScalar("regexp_extract",
              {{kVarchar, kVarchar}, false, [extract](Args) {
                 return MakeScalar("regexp_extract", {kVarchar, kVarchar}, kVarchar, extract);
               }});
  r.AddScalar(
      "regexp_extract",
      {{kVarchar, kVarchar, kBigInt}, false, [extract](Args) {
         return MakeScalar("regexp_extract", {kVarchar, kVarchar, kBigInt}, kVarchar, extract);
       }});
  auto rreplace = [](VecArgs a, size_t n, Vector& out) {
    RegexCache cache;
    auto* res = out.Data<SV>();
    auto& heap = *out.heap();
    std::string rep_src = "\x01";
    std::string rep;
    RowExecute(a, n, out, [&](size_t i, const std::vector<UnifiedView>& v) {
      SV s = v[0].Get<SV>(i);
      const RE2& re = cache.Get(v[1].Get<SV>(i));
      SV r2 = a.size() > 2 ? v[2].Get<SV>(i) : SV();
      if (rep_src != r2) {
        rep_src.assign(r2);
        rep = ConvertReplacement(r2);
      }
      std::string str(s);
      RE2::GlobalReplace(&str, re, re2::StringPiece(rep));
      res[i] = heap.Add(str);
    });
  };
  r.AddScalar("regexp_replace",
              {{kVarchar, kVarchar}, false, [rreplace](Args) {
                 return MakeScalar("regexp_replace", {kVarchar, kVarchar}, kVarchar, rreplace);
               }});
  r.AddScalar(
      "regexp_replace",
      {{kVarchar, kVarchar, kVarchar}, false, [rreplace](Args) {
         return MakeScalar("regexp_replace", {kVarchar, kVarchar, kVarchar}, kVarchar, rreplace);
       }});
}

}  // namespace aishell
