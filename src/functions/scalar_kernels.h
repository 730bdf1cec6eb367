// Templates that run a per-row operation over vectors of any form (flat, constant, dictionary),
// with NULL propagation and a fast path for flat, null-free inputs. Used by the function
// kernels and the expression executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/vector.h"

namespace aishell {

// The string heap holding the bytes of a VARCHAR vector of any form.
inline const std::shared_ptr<StringHeap>& HeapOf(const Vector& v) {
  if (v.kind() == VectorKind::kDictionary) return v.dictionary()->heap_ref();
  return v.heap_ref();
}

// Makes `result` keep the string bytes of `input` alive (for results that point into inputs).
inline void KeepStringsAlive(Vector& result, const Vector& input) {
  const auto& h = HeapOf(input);
  if (h) result.heap()->KeepAlive(h);
}

inline bool IsFlatNoNulls(const Vector& v) {
  return v.kind() == VectorKind::kFlat && !v.MayHaveNulls();
}

// Sets result row i NULL where any argument is NULL; returns whether any row is NULL.
inline bool PropagateNulls(const std::vector<Vector>& args, size_t count, Vector& result) {
  bool any = false;
  for (const auto& a : args) {
    if (a.kind() == VectorKind::kFlat && !a.MayHaveNulls()) continue;
    UnifiedView v = a.View();
    if (!v.validity) continue;
    if (v.is_constant) {
      if (!v.IsValid(0)) {
        for (size_t i = 0; i < count; i++) result.SetNull(i);
        return true;
      }
      continue;
    }
    for (size_t i = 0; i < count; i++) {
      if (!v.IsValid(i)) {
        result.SetNull(i);
        any = true;
      }
    }
  }
  return any;
}

// result[i] = op(a[i]) for non-null rows. Op: R(A); may throw.
template <class A, class R, class Op>
void UnaryExecute(const Vector& a, size_t count, Vector& result, Op op) {
  R* out = result.Data<R>();
  if (IsFlatNoNulls(a)) {
    const A* in = a.Data<A>();
    for (size_t i = 0; i < count; i++) out[i] = op(in[i]);
    return;
  }
  UnifiedView v = a.View();
  if (v.is_constant) {
    if (!v.IsValid(0)) {
      for (size_t i = 0; i < count; i++) result.SetNull(i);
      return;
    }
    R r = op(v.Get<A>(0));
    for (size_t i = 0; i < count; i++) out[i] = r;
    return;
  }
  for (size_t i = 0; i < count; i++) {
    if (!v.IsValid(i)) {
      result.SetNull(i);
      continue;
    }
    out[i] = op(v.Get<A>(i));
  }
}

// result[i] = op(a[i], b[i]) for rows where both are non-null. Op: R(A, B); may throw.
template <class A, class B, class R, class Op>
void BinaryExecute(const Vector& a, const Vector& b, size_t count, Vector& result, Op op) {
  R* out = result.Data<R>();
  bool a_flat = IsFlatNoNulls(a), b_flat = IsFlatNoNulls(b);
  if (a_flat && b_flat) {
    const A* x = a.Data<A>();
    const B* y = b.Data<B>();
    for (size_t i = 0; i < count; i++) out[i] = op(x[i], y[i]);
    return;
  }
  UnifiedView va = a.View(), vb = b.View();
  if (a_flat && vb.is_constant && vb.IsValid(0)) {
    const A* x = a.Data<A>();
    B y = vb.Get<B>(0);
    for (size_t i = 0; i < count; i++) out[i] = op(x[i], y);
    return;
  }
  if (b_flat && va.is_constant && va.IsValid(0)) {
    A x = va.Get<A>(0);
    const B* y = b.Data<B>();
    for (size_t i = 0; i < count; i++) out[i] = op(x, y[i]);
    return;
  }
  for (size_t i = 0; i < count; i++) {
    if (!va.IsValid(i) || !vb.IsValid(i)) {
      result.SetNull(i);
      continue;
    }
    out[i] = op(va.Get<A>(i), vb.Get<B>(i));
  }
}

// Generic n-ary row loop for non-hot functions: calls op(i, views) for rows where all args are
// non-null (null_propagating) and writes nothing for the others (they are set NULL).
template <class Op>
void RowExecute(const std::vector<Vector>& args, size_t count, Vector& result, Op op) {
  std::vector<UnifiedView> views;
  views.reserve(args.size());
  for (const auto& a : args) views.push_back(a.View());
  for (size_t i = 0; i < count; i++) {
    bool null = false;
    for (const auto& v : views) {
      if (!v.IsValid(i)) {
        null = true;
        break;
      }
    }
    if (null) {
      result.SetNull(i);
      continue;
    }
    op(i, views);
  }
}

}  // namespace aishell
