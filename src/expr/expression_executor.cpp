// Vectorized expression evaluation.
//
// Every node is evaluated over a subset of the input rows: `sel` (row indices into the batch, or
// nullptr for rows 0..n). CASE, COALESCE, AND and OR evaluate later children only on the rows that
// still need them, so `CASE WHEN x <> 0 THEN 1 / x END` never divides by zero on rows not taken.
//
// Per-expression compiled state (the hash set of a constant IN list, the matcher of a constant
// LIKE pattern) lives in a small thread-local cache keyed by Expr*; each entry keeps a copy of
// the constants it was built from and is rebuilt if they differ (an address reused by another
// expression), so the cache never returns stale state.
#include "expr/expression_executor.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/exception.h"
#include "functions/cast.h"
#include "functions/scalar_kernels.h"

namespace aishell {

namespace {

using SV = std::string_view;

// ---------------------------------------------------------------- helpers

Vector NewFlat(const LogicalType& type, size_t n) {
  Vector v(type, std::max<size_t>(n, 1));
  v.Resize(n);
  return v;
}

Vector AllNull(const LogicalType& type, size_t n) {
  Vector v = NewFlat(type, n);
  for (size_t i = 0; i < n; i++) v.SetNull(i);
  return v;
}

// Row indices for positions `pos` of a subset described by `sel`.
std::vector<uint32_t> Compose(const uint32_t* sel, const std::vector<uint32_t>& pos) {
  std::vector<uint32_t> out(pos.size());
  for (size_t k = 0; k < pos.size(); k++) out[k] = sel ? sel[pos[k]] : pos[k];
  return out;
}

// Writes row k of `src` into row pos[k] of flat `dst` (same physical type).
void Scatter(const Vector& src, const std::vector<uint32_t>& pos, Vector& dst) {
  UnifiedView v = src.View();
  size_t w = dst.type().PhysicalSize();
  uint8_t* out = dst.RawData();
  if (src.type().id == TypeId::kNull) {
    for (uint32_t p : pos) dst.SetNull(p);
    return;
  }
  if (dst.type().IsNested()) {
    for (size_t k = 0; k < pos.size(); k++) dst.SetRowFrom(src, k, pos[k]);
    return;
  }
  for (size_t k = 0; k < pos.size(); k++) {
    if (!v.IsValid(k)) {
      dst.SetNull(pos[k]);
      continue;
    }
    std::memcpy(out + pos[k] * w, v.data + v.Index(k) * w, w);
  }
  if (dst.type().IsStringLike()) KeepStringsAlive(dst, src);
}

Vector Coerce(Vector v, const LogicalType& type) {
  if (v.type() == type || type.id == TypeId::kNull) return v;
  if (v.type().id == TypeId::kNull) return AllNull(type, v.size());
  return CastVector(v, type, false);
}

// Reads a BOOLEAN vector: 0 = false, 1 = true, 2 = null.
struct BoolReader {
  UnifiedView v;
  explicit BoolReader(const Vector& vec) : v(vec.View()) {
    null_type = vec.type().id == TypeId::kNull;
  }
  bool null_type = false;
  uint8_t Get(size_t i) const {
    if (null_type || !v.IsValid(i)) return 2;
    return v.Get<uint8_t>(i) ? 1 : 0;
  }
};

// ---------------------------------------------------------------- comparison kernels

inline int64_t IntervalKey(const Interval& iv) {
  return iv.months * 30LL * 86400000000LL + iv.days * 86400000000LL + iv.micros;
}

template <class T>
struct CmpEq {
  bool operator()(const T& a, const T& b) const { return a == b; }
};
template <class T>
struct CmpNe {
  bool operator()(const T& a, const T& b) const { return a != b; }
};
template <class T>
struct CmpLt {
  bool operator()(const T& a, const T& b) const { return a < b; }
};
template <class T>
struct CmpLe {
  bool operator()(const T& a, const T& b) const { return a <= b; }
};
template <class T>
struct CmpGt {
  bool operator()(const T& a, const T& b) const { return a > b; }
};
template <class T>
struct CmpGe {
  bool operator()(const T& a, const T& b) const { return a >= b; }
};

template <class T, class Cmp>
void CompareTyped(const Vector& a, const Vector& b, size_t n, uint8_t* out) {
  Cmp cmp;
  UnifiedView va = a.View(), vb = b.View();
  bool a_flat = a.kind() == VectorKind::kFlat, b_flat = b.kind() == VectorKind::kFlat;
  const T* x = reinterpret_cast<const T*>(va.data);
  const T* y = reinterpret_cast<const T*>(vb.data);
  if (a_flat && b_flat) {
    for (size_t i = 0; i < n; i++) out[i] = cmp(x[i], y[i]);
  } else if (a_flat && vb.is_constant) {
    T c = y[0];
    for (size_t i = 0; i < n; i++) out[i] = cmp(x[i], c);
  } else if (va.is_constant && b_flat) {
    T c = x[0];
    for (size_t i = 0; i < n; i++) out[i] = cmp(c, y[i]);
  } else {
    for (size_t i = 0; i < n; i++) out[i] = cmp(va.Get<T>(i), vb.Get<T>(i));
  }
}

template <class T>
void CompareDispatchOp(CompareOp op, const Vector& a, const Vector& b, size_t n, uint8_t* out) {
  switch (op) {
    case CompareOp::kEq:
    case CompareOp::kIsNotDistinctFrom:
      CompareTyped<T, CmpEq<T>>(a, b, n, out);
      break;
    case CompareOp::kNe:
    case CompareOp::kIsDistinctFrom:
      CompareTyped<T, CmpNe<T>>(a, b, n, out);
      break;
    case CompareOp::kLt:
      CompareTyped<T, CmpLt<T>>(a, b, n, out);
      break;
    case CompareOp::kLe:
      CompareTyped<T, CmpLe<T>>(a, b, n, out);
      break;
    case CompareOp::kGt:
      CompareTyped<T, CmpGt<T>>(a, b, n, out);
      break;
    case CompareOp::kGe:
      CompareTyped<T, CmpGe<T>>(a, b, n, out);
      break;
  }
}

Vector CompareVectors(CompareOp op, Vector a, Vector b, size_t n) {
  if (a.type() != b.type()) {
    if (a.type().id == TypeId::kNull || b.type().id == TypeId::kNull) {
      LogicalType t = a.type().id == TypeId::kNull ? b.type() : a.type();
      a = Coerce(std::move(a), t);
      b = Coerce(std::move(b), t);
    } else {
      auto common = CommonSuperType(a.type(), b.type());
      if (!common)
        throw Error(ErrorKind::kExecution,
                    "cannot compare " + a.type().ToString() + " with " + b.type().ToString());
      a = Coerce(std::move(a), *common);
      b = Coerce(std::move(b), *common);
    }
  }
  Vector result = NewFlat(LogicalType(TypeId::kBoolean), n);
  uint8_t* out = result.Data<uint8_t>();
  switch (a.type().Physical()) {
    case PhysicalKind::kNone:
      std::memset(out, 0, n);
      break;
    case PhysicalKind::kBool:
      CompareDispatchOp<uint8_t>(op, a, b, n, out);
      break;
    case PhysicalKind::kInt8:
      CompareDispatchOp<int8_t>(op, a, b, n, out);
      break;
    case PhysicalKind::kInt16:
      CompareDispatchOp<int16_t>(op, a, b, n, out);
      break;
    case PhysicalKind::kInt32:
      CompareDispatchOp<int32_t>(op, a, b, n, out);
      break;
    case PhysicalKind::kInt64:
      CompareDispatchOp<int64_t>(op, a, b, n, out);
      break;
    case PhysicalKind::kInt128:
      CompareDispatchOp<Int128>(op, a, b, n, out);
      break;
    case PhysicalKind::kFloat:
      CompareDispatchOp<float>(op, a, b, n, out);
      break;
    case PhysicalKind::kDouble:
      CompareDispatchOp<double>(op, a, b, n, out);
      break;
    case PhysicalKind::kString:
      CompareDispatchOp<SV>(op, a, b, n, out);
      break;
    case PhysicalKind::kUuid:
      CompareDispatchOp<Uuid>(op, a, b, n, out);
      break;
    case PhysicalKind::kList:
    case PhysicalKind::kStruct: {  // nested values: element by element (cold path)
      UnifiedView va = a.View(), vb = b.View();
      for (size_t i = 0; i < n; i++) {
        if (!va.IsValid(i) || !vb.IsValid(i)) {
          out[i] = 0;
          continue;
        }
        int c = a.GetValue(i).Compare(b.GetValue(i));
        bool r = false;
        switch (op) {
          case CompareOp::kEq:
          case CompareOp::kIsNotDistinctFrom:
            r = c == 0;
            break;
          case CompareOp::kNe:
          case CompareOp::kIsDistinctFrom:
            r = c != 0;
            break;
          case CompareOp::kLt:
            r = c < 0;
            break;
          case CompareOp::kLe:
            r = c <= 0;
            break;
          case CompareOp::kGt:
            r = c > 0;
            break;
          case CompareOp::kGe:
            r = c >= 0;
            break;
        }
        out[i] = r ? 1 : 0;
      }
      break;
    }
    case PhysicalKind::kInterval: {
      UnifiedView va = a.View(), vb = b.View();
      Vector ka = NewFlat(LogicalType(TypeId::kBigInt), n),
             kb = NewFlat(LogicalType(TypeId::kBigInt), n);
      for (size_t i = 0; i < n; i++) {
        ka.Data<int64_t>()[i] = IntervalKey(va.Get<Interval>(i));
        kb.Data<int64_t>()[i] = IntervalKey(vb.Get<Interval>(i));
      }
      CompareDispatchOp<int64_t>(op, ka, kb, n, out);
      break;
    }
  }
  bool distinct_op = op == CompareOp::kIsDistinctFrom || op == CompareOp::kIsNotDistinctFrom;
  if (!a.MayHaveNulls() && !b.MayHaveNulls() && a.kind() != VectorKind::kDictionary &&
      b.kind() != VectorKind::kDictionary && a.type().id != TypeId::kNull)
    return result;
  UnifiedView va = a.View(), vb = b.View();
  bool a_null_type = a.type().id == TypeId::kNull;
  for (size_t i = 0; i < n; i++) {
    bool an = a_null_type || !va.IsValid(i), bn = a_null_type || !vb.IsValid(i);
    if (!an && !bn) continue;
    if (distinct_op) {
      bool same = an && bn;  // both null: not distinct; one null: distinct
      out[i] = op == CompareOp::kIsDistinctFrom ? !same : same;
    } else {
      result.SetNull(i);
    }
  }
  return result;
}

// ---------------------------------------------------------------- compiled state cache

struct CompiledState {
  virtual ~CompiledState() = default;
};

struct InListState : CompiledState {
  std::vector<Value> source;  // the constants it was built from
  LogicalType type;
  bool has_null = false;
  std::unordered_set<int64_t> ints;
  std::unordered_set<double> doubles;
  struct SvHash {
    using is_transparent = void;
    size_t operator()(SV s) const { return std::hash<SV>()(s); }
  };
  std::unordered_set<std::string, SvHash, std::equal_to<>> strings;
};

enum class LikeKind { kExact, kPrefix, kSuffix, kInfix, kRegex, kAll };

struct LikeMatcher {
  LikeKind kind = LikeKind::kRegex;
  std::string literal;
  std::unique_ptr<RE2> re;
  bool Match(SV s) const {
    switch (kind) {
      case LikeKind::kAll:
        return true;
      case LikeKind::kExact:
        return s == literal;
      case LikeKind::kPrefix:
        return s.starts_with(literal);
      case LikeKind::kSuffix:
        return s.ends_with(literal);
      case LikeKind::kInfix:
        return s.size() >= literal.size() &&
               memmem(s.data(), s.size(), literal.data(), literal.size()) != nullptr;
      case LikeKind::kRegex:
        return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *re);
    }
    return false;
  }
};

struct LikeState : CompiledState {
  std::string pattern;
  std::string escape;
  LikeMatcher matcher;
};

std::unordered_map<const Expr*, std::unique_ptr<CompiledState>>& Cache() {
  thread_local std::unordered_map<const Expr*, std::unique_ptr<CompiledState>> cache;
  if (cache.size() > 4096) cache.clear();
  return cache;
}

LikeMatcher CompileLike(SV pattern, SV escape, bool case_insensitive) {
  if (escape.size() > 1)
    throw Error(ErrorKind::kExecution,
                "LIKE escape must be a single character, got '" + std::string(escape) + "'");
  char esc = escape.empty() ? '\0' : escape[0];
  bool has_esc = !escape.empty();
  // Tokens: literal chars, '%' (any run), '_' (any one char).
  struct Tok {
    char kind;  // 'c', '%', '_'
    char c;
  };
  std::vector<Tok> toks;
  for (size_t i = 0; i < pattern.size(); i++) {
    char c = pattern[i];
    if (has_esc && c == esc) {
      if (i + 1 >= pattern.size())
        throw Error(ErrorKind::kExecution,
                    "LIKE pattern '" + std::string(pattern) + "' ends with the escape character");
      char next = pattern[i + 1];
      if (next != '%' && next != '_' && next != esc)
        throw Error(ErrorKind::kExecution,
                    "LIKE pattern '" + std::string(pattern) +
                        "': escape character must be followed by '%', '_' or itself");
      toks.push_back({'c', next});
      i++;
    } else if (c == '%') {
      if (toks.empty() || toks.back().kind != '%') toks.push_back({'%', 0});
    } else if (c == '_') {
      toks.push_back({'_', 0});
    } else {
      toks.push_back({'c', c});
    }
  }
  LikeMatcher m;
  if (!case_insensitive) {
    size_t n = toks.size();
    bool any_underscore = false;
    size_t percent = 0;
    for (const auto& t : toks) {
      any_underscore |= t.kind == '_';
      percent += t.kind == '%';
    }
    auto literal = [&](size_t from, size_t to) {
      std::string s;
      for (size_t i = from; i < to; i++) s += toks[i].c;
      return s;
    };
    if (!any_underscore) {
      if (percent == 0) {
        m.kind = LikeKind::kExact;
        m.literal = literal(0, n);
        return m;
      }
      if (percent == 1 && n == 1) {
        m.kind = LikeKind::kAll;
        return m;
      }
      if (percent == 1 && toks[n - 1].kind == '%') {
        m.kind = LikeKind::kPrefix;
        m.literal = literal(0, n - 1);
        return m;
      }
      if (percent == 1 && toks[0].kind == '%') {
        m.kind = LikeKind::kSuffix;
        m.literal = literal(1, n);
        return m;
      }
      if (percent == 2 && n >= 2 && toks[0].kind == '%' && toks[n - 1].kind == '%') {
        m.kind = LikeKind::kInfix;
        m.literal = literal(1, n - 1);
        return m;
      }
    }
  }
  std::string re = "(?s)";
  for (const auto& t : toks) {
    if (t.kind == '%')
      re += ".*";
    else if (t.kind == '_')
      re += ".";
    else
      re += RE2::QuoteMeta(re2::StringPiece(&t.c, 1));
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_case_sensitive(!case_insensitive);
  m.kind = LikeKind::kRegex;
  m.re = std::make_unique<RE2>(re, opts);
  if (!m.re->ok())
    throw Error(ErrorKind::kExecution, "invalid LIKE pattern '" + std::string(pattern) + "'");
  return m;
}

// ---------------------------------------------------------------- evaluation

Vector Eval(const Expr& e, const Batch& in, const uint32_t* sel, size_t n);

Vector EvalSubset(const Expr& e, const Batch& in, const uint32_t* sel,
                  const std::vector<uint32_t>& pos, size_t n) {
  if (pos.size() == n) return Eval(e, in, sel, n);
  std::vector<uint32_t> rows = Compose(sel, pos);
  return Eval(e, in, rows.data(), rows.size());
}

Vector EvalColumn(const Expr& e, const Batch& in, const uint32_t* sel, size_t n) {
  if (e.column_index < 0 || static_cast<size_t>(e.column_index) >= in.columns.size())
    throw Error(ErrorKind::kInternal, "column reference #" + std::to_string(e.column_index) + " (" +
                                          e.name + ") is out of range: the input has " +
                                          std::to_string(in.columns.size()) + " columns");
  const Vector& col = in.columns[e.column_index];
  if (sel) return col.Gather(sel, n);
  if (col.kind() == VectorKind::kFlat && col.size() != n) {
    Vector v = col;
    v.Resize(n);
    return v;
  }
  return col;
}

Vector EvalConstant(const Expr& e, size_t n) {
  if (e.value.is_null()) {
    Vector v = Vector::Constant(Value::Null(e.type), n);
    return v;
  }
  if (e.value.type() != e.type && e.type.id != TypeId::kNull)
    return Vector::Constant(CastValue(e.value, e.type, false), n);
  return Vector::Constant(e.value, n);
}

Vector EvalFunction(const Expr& e, const Batch& in, const uint32_t* sel, size_t n) {
  if (!e.function) throw Error(ErrorKind::kInternal, "function call " + e.name + " is not bound");
  const ScalarFunction& fn = *e.function;
  std::vector<Vector> args;
  args.reserve(e.children.size());
  bool all_constant = true;
  for (size_t i = 0; i < e.children.size(); i++) {
    Vector a = Eval(*e.children[i], in, sel, n);
    if (i < fn.arg_types.size()) a = Coerce(std::move(a), fn.arg_types[i]);
    all_constant &= a.kind() == VectorKind::kConstant;
    args.push_back(std::move(a));
  }
  if (all_constant && fn.deterministic && n > 1 && !args.empty()) {
    for (auto& a : args) a.Resize(1);
    Vector one = NewFlat(fn.return_type, 1);
    fn.kernel(args, 1, one);
    return Vector::Constant(one.GetValue(0), n);
  }
  Vector out = NewFlat(fn.return_type, n);
  if (n == 0) return out;
  fn.kernel(args, n, out);
  return out;
}

Vector EvalAndOr(const Expr& e, const Batch& in, const uint32_t* sel, size_t n, bool is_and) {
  // result: 1 = true, 0 = false, 2 = null; a row is decided once it is FALSE (AND) / TRUE (OR).
  std::vector<uint8_t> state(n, is_and ? 1 : 0);
  std::vector<uint32_t> active(n);
  for (size_t i = 0; i < n; i++) active[i] = static_cast<uint32_t>(i);
  uint8_t decisive = is_and ? 0 : 1;
  for (const auto& child : e.children) {
    if (active.empty()) break;
    Vector v = EvalSubset(*child, in, sel, active, n);
    BoolReader r(v);
    std::vector<uint32_t> next;
    next.reserve(active.size());
    for (size_t k = 0; k < active.size(); k++) {
      uint8_t b = r.Get(k);
      uint32_t p = active[k];
      if (b == decisive) {
        state[p] = decisive;
        continue;
      }
      if (b == 2) state[p] = 2;
      next.push_back(p);
    }
    active.swap(next);
  }
  Vector out = NewFlat(LogicalType(TypeId::kBoolean), n);
  uint8_t* d = out.Data<uint8_t>();
  for (size_t i = 0; i < n; i++) {
    if (state[i] == 2) {
      out.SetNull(i);
      d[i] = 0;
    } else {
      d[i] = state[i];
    }
  }
  return out;
}

Vector EvalCase(const Expr& e, const Batch& in, const uint32_t* sel, size_t n) {
  size_t pairs = (e.children.size() - (e.has_else ? 1 : 0)) / 2;
  std::vector<uint32_t> remaining(n);
  for (size_t i = 0; i < n; i++) remaining[i] = static_cast<uint32_t>(i);
  Vector out = NewFlat(e.type, n);
  for (size_t w = 0; w < pairs && !remaining.empty(); w++) {
    Vector cond = EvalSubset(*e.children[2 * w], in, sel, remaining, n);
    BoolReader r(cond);
    std::vector<uint32_t> matched, rest;
    for (size_t k = 0; k < remaining.size(); k++) {
      if (r.Get(k) == 1)
        matched.push_back(remaining[k]);
      else
        rest.push_back(remaining[k]);
    }
    if (!matched.empty()) {
      if (matched.size() == n) return Coerce(Eval(*e.children[2 * w + 1], in, sel, n), e.type);
      Vector val = Coerce(EvalSubset(*e.children[2 * w + 1], in, sel, matched, n), e.type);
      Scatter(val, matched, out);
    }
    remaining.swap(rest);
  }
  if (!remaining.empty()) {
    if (e.has_else) {
      if (remaining.size() == n) return Coerce(Eval(*e.children.back(), in, sel, n), e.type);
      Vector val = Coerce(EvalSubset(*e.children.back(), in, sel, remaining, n), e.type);
      Scatter(val, remaining, out);
    } else {
      for (uint32_t p : remaining) out.SetNull(p);
    }
  }
  return out;
}

Vector EvalCoalesce(const Expr& e, const Batch& in, const uint32_t* sel, size_t n) {
  std::vector<uint32_t> remaining(n);
  for (size_t i = 0; i < n; i++) remaining[i] = static_cast<uint32_t>(i);
  Vector out = NewFlat(e.type, n);
  for (size_t c = 0; c < e.children.size() && !remaining.empty(); c++) {
    Vector v = Coerce(EvalSubset(*e.children[c], in, sel, remaining, n), e.type);
    if (c == 0 && !v.MayHaveNulls() && v.type().id != TypeId::kNull &&
        v.kind() != VectorKind::kDictionary)
      return v;
    UnifiedView view = v.View();
    std::vector<uint32_t> taken, rest;
    std::vector<uint32_t> taken_k;
    for (size_t k = 0; k < remaining.size(); k++) {
      if (v.type().id != TypeId::kNull && view.IsValid(k)) {
        taken.push_back(remaining[k]);
        taken_k.push_back(static_cast<uint32_t>(k));
      } else {
        rest.push_back(remaining[k]);
      }
    }
    if (!taken.empty()) {
      Vector picked =
          taken_k.size() == remaining.size() ? v : v.Gather(taken_k.data(), taken_k.size());
      Scatter(picked, taken, out);
    }
    remaining.swap(rest);
  }
  for (uint32_t p : remaining) out.SetNull(p);
  return out;
}

const InListState& GetInList(const Expr& e, const LogicalType& type) {
  auto& cache = Cache();
  auto it = cache.find(&e);
  if (it != cache.end()) {
    auto* st = dynamic_cast<InListState*>(it->second.get());
    if (st && st->type == type && st->source.size() == e.children.size() - 1) {
      bool same = true;
      for (size_t i = 1; i < e.children.size() && same; i++)
        same = st->source[i - 1] == e.children[i]->value;
      if (same) return *st;
    }
  }
  auto st = std::make_unique<InListState>();
  st->type = type;
  for (size_t i = 1; i < e.children.size(); i++) {
    const Value& v = e.children[i]->value;
    st->source.push_back(v);
    if (v.is_null()) {
      st->has_null = true;
      continue;
    }
    Value c;
    try {
      c = CastValue(v, type, false);
    } catch (const Error&) {
      continue;  // a constant that cannot be of x's type never equals x
    }
    if (c.is_null()) continue;
    switch (type.Physical()) {
      case PhysicalKind::kDouble:
      case PhysicalKind::kFloat:
        st->doubles.insert(c.GetDouble());
        break;
      case PhysicalKind::kString:
        st->strings.insert(c.GetString());
        break;
      default:
        st->ints.insert(c.GetInt64());
        break;
    }
  }
  auto* raw = st.get();
  cache[&e] = std::move(st);
  return *raw;
}

Vector EvalIn(const Expr& e, const Batch& in, const uint32_t* sel, size_t n) {
  Vector x = Eval(*e.children[0], in, sel, n);
  Vector out = NewFlat(LogicalType(TypeId::kBoolean), n);
  uint8_t* d = out.Data<uint8_t>();
  bool all_const = true;
  for (size_t i = 1; i < e.children.size(); i++)
    all_const &= e.children[i]->kind == ExprKind::kConstant;
  LogicalType t = x.type();
  if (t.id == TypeId::kNull) return AllNull(LogicalType(TypeId::kBoolean), n);
  PhysicalKind pk = t.Physical();
  if (all_const && pk != PhysicalKind::kInterval && pk != PhysicalKind::kInt128 &&
      pk != PhysicalKind::kUuid) {
    const InListState& st = GetInList(e, t);
    UnifiedView v = x.View();
    uint8_t hit = e.negated ? 0 : 1, miss = e.negated ? 1 : 0;
    auto finish = [&](size_t i, bool found) {
      if (found)
        d[i] = hit;
      else if (st.has_null)
        out.SetNull(i);
      else
        d[i] = miss;
    };
    for (size_t i = 0; i < n; i++) {
      if (!v.IsValid(i)) {
        out.SetNull(i);
        continue;
      }
      bool found;
      switch (pk) {
        case PhysicalKind::kDouble:
          found = st.doubles.count(v.Get<double>(i)) > 0;
          break;
        case PhysicalKind::kFloat:
          found = st.doubles.count(v.Get<float>(i)) > 0;
          break;
        case PhysicalKind::kString:
          found = st.strings.find(v.Get<SV>(i)) != st.strings.end();
          break;
        case PhysicalKind::kBool:
          found = st.ints.count(v.Get<uint8_t>(i)) > 0;
          break;
        case PhysicalKind::kInt8:
          found = st.ints.count(v.Get<int8_t>(i)) > 0;
          break;
        case PhysicalKind::kInt16:
          found = st.ints.count(v.Get<int16_t>(i)) > 0;
          break;
        case PhysicalKind::kInt32:
          found = st.ints.count(v.Get<int32_t>(i)) > 0;
          break;
        default:
          found = st.ints.count(v.Get<int64_t>(i)) > 0;
          break;
      }
      finish(i, found);
    }
    return out;
  }
  // General case: x = item1 OR x = item2 ... (three-valued), then NOT if negated.
  std::vector<uint8_t> state(n, 0);  // 0 false, 1 true, 2 null
  for (size_t c = 1; c < e.children.size(); c++) {
    Vector item = Eval(*e.children[c], in, sel, n);
    Vector eq = CompareVectors(CompareOp::kEq, x, item, n);
    BoolReader r(eq);
    for (size_t i = 0; i < n; i++) {
      uint8_t b = r.Get(i);
      if (state[i] == 1) continue;
      if (b == 1)
        state[i] = 1;
      else if (b == 2)
        state[i] = 2;
    }
  }
  for (size_t i = 0; i < n; i++) {
    if (state[i] == 2)
      out.SetNull(i);
    else
      d[i] = e.negated ? !state[i] : state[i];
  }
  return out;
}

Vector EvalLike(const Expr& e, const Batch& in, const uint32_t* sel, size_t n) {
  Vector x = Coerce(Eval(*e.children[0], in, sel, n), LogicalType(TypeId::kVarchar));
  Vector out = NewFlat(LogicalType(TypeId::kBoolean), n);
  uint8_t* d = out.Data<uint8_t>();
  const Expr& pat = *e.children[1];
  const Expr* esc = e.children.size() > 2 ? e.children[2].get() : nullptr;
  bool constant = pat.kind == ExprKind::kConstant && (!esc || esc->kind == ExprKind::kConstant);
  if (constant) {
    if (pat.value.is_null() || (esc && esc->value.is_null()))
      return AllNull(LogicalType(TypeId::kBoolean), n);
    std::string p =
        pat.value.type().id == TypeId::kVarchar ? pat.value.GetString() : pat.value.ToString();
    std::string es = esc ? esc->value.ToString() : std::string();
    auto& cache = Cache();
    auto it = cache.find(&e);
    LikeState* st = it == cache.end() ? nullptr : dynamic_cast<LikeState*>(it->second.get());
    if (!st || st->pattern != p || st->escape != es) {
      auto fresh = std::make_unique<LikeState>();
      fresh->pattern = p;
      fresh->escape = es;
      fresh->matcher = CompileLike(p, es, e.case_insensitive);
      st = fresh.get();
      cache[&e] = std::move(fresh);
    }
    const LikeMatcher& m = st->matcher;
    uint8_t neg = e.negated ? 1 : 0;
    if (IsFlatNoNulls(x)) {
      const SV* s = x.Data<SV>();
      for (size_t i = 0; i < n; i++) d[i] = m.Match(s[i]) ^ neg;
      return out;
    }
    UnifiedView v = x.View();
    for (size_t i = 0; i < n; i++) {
      if (!v.IsValid(i))
        out.SetNull(i);
      else
        d[i] = m.Match(v.Get<SV>(i)) ^ neg;
    }
    return out;
  }
  Vector pv = Coerce(Eval(pat, in, sel, n), LogicalType(TypeId::kVarchar));
  Vector ev = esc ? Coerce(Eval(*esc, in, sel, n), LogicalType(TypeId::kVarchar)) : Vector();
  UnifiedView vx = x.View(), vp = pv.View();
  UnifiedView ve = esc ? ev.View() : UnifiedView();
  std::string last_p, last_e;
  LikeMatcher m;
  bool have = false;
  for (size_t i = 0; i < n; i++) {
    if (!vx.IsValid(i) || !vp.IsValid(i) || (esc && !ve.IsValid(i))) {
      out.SetNull(i);
      continue;
    }
    SV p = vp.Get<SV>(i);
    SV es = esc ? ve.Get<SV>(i) : SV();
    if (!have || p != last_p || es != last_e) {
      m = CompileLike(p, es, e.case_insensitive);
      last_p.assign(p);
      last_e.assign(es);
      have = true;
    }
    d[i] = m.Match(vx.Get<SV>(i)) ^ (e.negated ? 1 : 0);
  }
  return out;
}

Vector EvalAt(const Expr& e, const Batch& in, const uint32_t* sel, size_t n);

// Evaluates `e`; an error raised without a SQL position (a cast that does not fit, an overflow,
// malformed JSON) gets the position of the innermost cast or function call that raised it.
Vector Eval(const Expr& e, const Batch& in, const uint32_t* sel, size_t n) {
  if (e.position < 0) return EvalAt(e, in, sel, n);
  try {
    return EvalAt(e, in, sel, n);
  } catch (const Error& error) {
    if (error.position() >= 0) throw;
    throw Error(error.kind(), error.what(), e.position);
  }
}

Vector EvalAt(const Expr& e, const Batch& in, const uint32_t* sel, size_t n) {
  switch (e.kind) {
    case ExprKind::kColumnRef:
      return EvalColumn(e, in, sel, n);
    case ExprKind::kConstant:
      return EvalConstant(e, n);
    case ExprKind::kCast: {
      Vector child = Eval(*e.children[0], in, sel, n);
      if (child.type() == e.type) return child;
      if (child.kind() == VectorKind::kConstant)
        return Vector::Constant(CastValue(child.GetValue(0), e.type, e.try_cast), n);
      return CastVector(child, e.type, e.try_cast);
    }
    case ExprKind::kFunction:
      return EvalFunction(e, in, sel, n);
    case ExprKind::kComparison: {
      Vector a = Eval(*e.children[0], in, sel, n);
      Vector b = Eval(*e.children[1], in, sel, n);
      if (a.kind() == VectorKind::kConstant && b.kind() == VectorKind::kConstant && n > 1) {
        a.Resize(1);
        b.Resize(1);
        Vector r = CompareVectors(e.op, a, b, 1);
        return Vector::Constant(r.GetValue(0), n);
      }
      return CompareVectors(e.op, std::move(a), std::move(b), n);
    }
    case ExprKind::kAnd:
      return EvalAndOr(e, in, sel, n, true);
    case ExprKind::kOr:
      return EvalAndOr(e, in, sel, n, false);
    case ExprKind::kNot: {
      Vector c = Eval(*e.children[0], in, sel, n);
      BoolReader r(c);
      Vector out = NewFlat(LogicalType(TypeId::kBoolean), n);
      uint8_t* d = out.Data<uint8_t>();
      for (size_t i = 0; i < n; i++) {
        uint8_t b = r.Get(i);
        if (b == 2)
          out.SetNull(i);
        else
          d[i] = !b;
      }
      return out;
    }
    case ExprKind::kIsNull:
    case ExprKind::kIsNotNull: {
      Vector c = Eval(*e.children[0], in, sel, n);
      Vector out = NewFlat(LogicalType(TypeId::kBoolean), n);
      uint8_t* d = out.Data<uint8_t>();
      bool want_null = e.kind == ExprKind::kIsNull;
      if (c.type().id == TypeId::kNull) {
        std::memset(d, want_null ? 1 : 0, n);
        return out;
      }
      UnifiedView v = c.View();
      for (size_t i = 0; i < n; i++) d[i] = (!v.IsValid(i)) == want_null;
      return out;
    }
    case ExprKind::kCase:
      return EvalCase(e, in, sel, n);
    case ExprKind::kIn:
      return EvalIn(e, in, sel, n);
    case ExprKind::kLike:
      return EvalLike(e, in, sel, n);
    case ExprKind::kCoalesce:
      return EvalCoalesce(e, in, sel, n);
    case ExprKind::kAggregate:
    case ExprKind::kWindow:
      throw Error(ErrorKind::kInternal, "aggregate or window function " + e.name +
                                            " cannot be evaluated as a scalar expression");
  }
  throw Error(ErrorKind::kInternal, "unknown expression kind");
}

// ---------------------------------------------------------------- selection

// Fast path: column <op> constant over a flat column; writes matching rows, no boolean vector.
template <class T, class Cmp>
size_t SelectColumnConst(const Vector& col, T c, const uint32_t* sel, size_t n, uint32_t* out) {
  Cmp cmp;
  const T* data = col.Data<T>();
  const uint64_t* valid = col.validity();
  size_t k = 0;
  if (!valid) {
    if (sel) {
      for (size_t i = 0; i < n; i++) {
        uint32_t r = sel[i];
        out[k] = r;
        k += cmp(data[r], c);
      }
    } else {
      for (size_t i = 0; i < n; i++) {
        out[k] = static_cast<uint32_t>(i);
        k += cmp(data[i], c);
      }
    }
    return k;
  }
  for (size_t i = 0; i < n; i++) {
    uint32_t r = sel ? sel[i] : static_cast<uint32_t>(i);
    out[k] = r;
    k += ((valid[r >> 6] >> (r & 63)) & 1) && cmp(data[r], c);
  }
  return k;
}

template <class T>
size_t SelectColumnConstOp(CompareOp op, const Vector& col, T c, const uint32_t* sel, size_t n,
                           uint32_t* out) {
  switch (op) {
    case CompareOp::kEq:
      return SelectColumnConst<T, CmpEq<T>>(col, c, sel, n, out);
    case CompareOp::kNe:
      return SelectColumnConst<T, CmpNe<T>>(col, c, sel, n, out);
    case CompareOp::kLt:
      return SelectColumnConst<T, CmpLt<T>>(col, c, sel, n, out);
    case CompareOp::kLe:
      return SelectColumnConst<T, CmpLe<T>>(col, c, sel, n, out);
    case CompareOp::kGt:
      return SelectColumnConst<T, CmpGt<T>>(col, c, sel, n, out);
    case CompareOp::kGe:
      return SelectColumnConst<T, CmpGe<T>>(col, c, sel, n, out);
    default:
      return SIZE_MAX;
  }
}

// A subtree without column references or non-deterministic calls: one value per batch.
bool IsConstantTree(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kConstant:
      return true;
    case ExprKind::kColumnRef:
    case ExprKind::kAggregate:
    case ExprKind::kWindow:
      return false;
    case ExprKind::kFunction:
      if (!e.function || !e.function->deterministic) return false;
      break;
    default:
      break;
  }
  for (const auto& c : e.children) {
    if (!IsConstantTree(*c)) return false;
  }
  return true;
}

// Returns SIZE_MAX when the fast path does not apply.
size_t TrySelectComparison(const Expr& e, const Batch& in, const uint32_t* sel, size_t n,
                           uint32_t* out) {
  const Expr* a = e.children[0].get();
  const Expr* b = e.children[1].get();
  CompareOp op = e.op;
  if (a->kind == ExprKind::kConstant && b->kind == ExprKind::kColumnRef) {
    std::swap(a, b);
    op = FlipCompareOp(op);
  }
  if (a->kind != ExprKind::kColumnRef && IsConstantTree(*a) && b->kind == ExprKind::kColumnRef) {
    std::swap(a, b);
    op = FlipCompareOp(op);
  }
  if (a->kind != ExprKind::kColumnRef || !IsConstantTree(*b)) return SIZE_MAX;
  if (op == CompareOp::kIsDistinctFrom || op == CompareOp::kIsNotDistinctFrom) return SIZE_MAX;
  if (a->column_index < 0 || static_cast<size_t>(a->column_index) >= in.columns.size())
    return SIZE_MAX;
  const Vector& col = in.columns[a->column_index];
  if (col.kind() != VectorKind::kFlat) return SIZE_MAX;
  Value folded;
  if (b->kind != ExprKind::kConstant) {
    Batch none;
    none.count = 1;
    folded = Eval(*b, none, nullptr, 1).GetValue(0);
  }
  const Value& v = b->kind == ExprKind::kConstant ? b->value : folded;
  if (v.is_null()) return 0;  // comparison with NULL is never TRUE
  if (v.type() != col.type()) return SIZE_MAX;
  switch (col.type().Physical()) {
    case PhysicalKind::kBool:
      return SelectColumnConstOp<uint8_t>(op, col, v.GetBool() ? 1 : 0, sel, n, out);
    case PhysicalKind::kInt8:
      return SelectColumnConstOp<int8_t>(op, col, static_cast<int8_t>(v.GetInt64()), sel, n, out);
    case PhysicalKind::kInt16:
      return SelectColumnConstOp<int16_t>(op, col, static_cast<int16_t>(v.GetInt64()), sel, n, out);
    case PhysicalKind::kInt32:
      return SelectColumnConstOp<int32_t>(op, col, static_cast<int32_t>(v.GetInt64()), sel, n, out);
    case PhysicalKind::kInt64:
      return SelectColumnConstOp<int64_t>(op, col, v.GetInt64(), sel, n, out);
    case PhysicalKind::kInt128:
      return SelectColumnConstOp<Int128>(op, col, v.GetInt128(), sel, n, out);
    case PhysicalKind::kFloat:
      return SelectColumnConstOp<float>(op, col, static_cast<float>(v.GetDouble()), sel, n, out);
    case PhysicalKind::kDouble:
      return SelectColumnConstOp<double>(op, col, v.GetDouble(), sel, n, out);
    case PhysicalKind::kString:
      return SelectColumnConstOp<SV>(op, col, SV(v.GetString()), sel, n, out);
    default:
      return SIZE_MAX;
  }
}

size_t SelectRows(const Expr& e, const Batch& in, const uint32_t* sel, size_t n, uint32_t* out) {
  if (n == 0) return 0;
  switch (e.kind) {
    case ExprKind::kAnd: {
      const uint32_t* cur = sel;
      size_t count = n;
      for (const auto& child : e.children) {
        count = SelectRows(*child, in, cur, count, out);
        cur = out;
        if (count == 0) break;
      }
      if (e.children.empty()) {
        for (size_t i = 0; i < n; i++) out[i] = sel ? sel[i] : static_cast<uint32_t>(i);
      }
      return count;
    }
    case ExprKind::kOr: {
      std::vector<uint32_t> remaining(n);
      for (size_t i = 0; i < n; i++) remaining[i] = sel ? sel[i] : static_cast<uint32_t>(i);
      std::vector<uint32_t> matched, tmp(n), rest;
      for (const auto& child : e.children) {
        if (remaining.empty()) break;
        size_t m = SelectRows(*child, in, remaining.data(), remaining.size(), tmp.data());
        if (m == 0) continue;
        rest.clear();
        size_t j = 0;
        for (uint32_t r : remaining) {
          if (j < m && tmp[j] == r) {
            matched.push_back(r);
            j++;
          } else {
            rest.push_back(r);
          }
        }
        remaining.swap(rest);
      }
      std::sort(matched.begin(), matched.end());
      std::copy(matched.begin(), matched.end(), out);
      return matched.size();
    }
    case ExprKind::kComparison: {
      size_t k = TrySelectComparison(e, in, sel, n, out);
      if (k != SIZE_MAX) return k;
      break;
    }
    case ExprKind::kConstant: {
      if (e.value.is_null() || !e.value.GetBool()) return 0;
      for (size_t i = 0; i < n; i++) out[i] = sel ? sel[i] : static_cast<uint32_t>(i);
      return n;
    }
    default:
      break;
  }
  Vector v = Eval(e, in, sel, n);
  BoolReader r(v);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t row = sel ? sel[i] : static_cast<uint32_t>(i);
    out[k] = row;
    k += r.Get(i) == 1;
  }
  return k;
}

}  // namespace

Vector ExpressionExecutor::Evaluate(const Expr& expr, const Batch& input) {
  return Eval(expr, input, nullptr, input.count);
}

size_t ExpressionExecutor::Select(const Expr& predicate, const Batch& input, uint32_t* sel) {
  return SelectRows(predicate, input, nullptr, input.count, sel);
}

Value ExpressionExecutor::EvaluateConstant(const Expr& expr) {
  Batch empty;
  empty.count = 1;
  Vector v = Eval(expr, empty, nullptr, 1);
  Value out = v.GetValue(0);
  if (out.is_null() && out.type() != expr.type) return Value::Null(expr.type);
  return out;
}

}  // namespace aishell
