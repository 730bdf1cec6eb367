#include "exec/testing/test_aggregates.h"

#include <new>
#include <string>

namespace aishell {

std::shared_ptr<const AggregateFunction> TestCountStar() {
  auto f = std::make_shared<AggregateFunction>();
  f->name = "count";
  f->return_type = TypeId::kBigInt;
  f->init = [](uint8_t* s) { *reinterpret_cast<int64_t*>(s) = 0; };
  f->update = [](const std::vector<Vector>&, uint8_t** states, size_t n) {
    for (size_t i = 0; i < n; i++) (*reinterpret_cast<int64_t*>(states[i]))++;
  };
  f->combine = [](const uint8_t* src, uint8_t* dst) {
    *reinterpret_cast<int64_t*>(dst) += *reinterpret_cast<const int64_t*>(src);
  };
  f->finalize = [](uint8_t** states, size_t n, Vector& out) {
    for (size_t i = 0; i < n; i++) out.Data<int64_t>()[i] = *reinterpret_cast<int64_t*>(states[i]);
  };
  return f;
}

std::shared_ptr<const AggregateFunction> TestCount(LogicalType arg) {
  auto base = TestCountStar();
  auto f = std::make_shared<AggregateFunction>(*base);
  f->arg_types = {arg};
  f->update = [](const std::vector<Vector>& args, uint8_t** states, size_t n) {
    UnifiedView v = args[0].View();
    for (size_t i = 0; i < n; i++) {
      if (v.IsValid(i)) (*reinterpret_cast<int64_t*>(states[i]))++;
    }
  };
  return f;
}

namespace {
struct SumState {
  int64_t sum;
  bool seen;
};
}  // namespace

std::shared_ptr<const AggregateFunction> TestSumBigInt() {
  auto f = std::make_shared<AggregateFunction>();
  f->name = "sum";
  f->arg_types = {TypeId::kBigInt};
  f->return_type = TypeId::kBigInt;
  f->state_size = sizeof(SumState);
  f->init = [](uint8_t* s) { *reinterpret_cast<SumState*>(s) = SumState{0, false}; };
  f->update = [](const std::vector<Vector>& args, uint8_t** states, size_t n) {
    UnifiedView v = args[0].View();
    for (size_t i = 0; i < n; i++) {
      if (!v.IsValid(i)) continue;
      auto* s = reinterpret_cast<SumState*>(states[i]);
      s->sum += v.Get<int64_t>(i);
      s->seen = true;
    }
  };
  f->combine = [](const uint8_t* src, uint8_t* dst) {
    auto* a = reinterpret_cast<const SumState*>(src);
    auto* b = reinterpret_cast<SumState*>(dst);
    b->sum += a->sum;
    b->seen = b->seen || a->seen;
  };
  f->finalize = [](uint8_t** states, size_t n, Vector& out) {
    for (size_t i = 0; i < n; i++) {
      auto* s = reinterpret_cast<SumState*>(states[i]);
      if (s->seen)
        out.Data<int64_t>()[i] = s->sum;
      else
        out.SetNull(i);
    }
  };
  return f;
}

namespace {
struct MinState {
  std::string* value;
};
}  // namespace

std::shared_ptr<const AggregateFunction> TestMinVarchar() {
  auto f = std::make_shared<AggregateFunction>();
  f->name = "min";
  f->arg_types = {TypeId::kVarchar};
  f->return_type = TypeId::kVarchar;
  f->state_size = sizeof(MinState);
  f->init = [](uint8_t* s) { reinterpret_cast<MinState*>(s)->value = nullptr; };
  f->update = [](const std::vector<Vector>& args, uint8_t** states, size_t n) {
    UnifiedView v = args[0].View();
    for (size_t i = 0; i < n; i++) {
      if (!v.IsValid(i)) continue;
      auto* s = reinterpret_cast<MinState*>(states[i]);
      std::string_view x = v.Get<std::string_view>(i);
      if (!s->value)
        s->value = new std::string(x);  // NOLINT: owned by the state, freed in destroy
      else if (x < *s->value)
        s->value->assign(x);
    }
  };
  f->combine = [](const uint8_t* src, uint8_t* dst) {
    auto* a = reinterpret_cast<const MinState*>(src);
    auto* b = reinterpret_cast<MinState*>(dst);
    if (!a->value) return;
    if (!b->value)
      b->value = new std::string(*a->value);  // NOLINT
    else if (*a->value < *b->value)
      *b->value = *a->value;
  };
  f->finalize = [](uint8_t** states, size_t n, Vector& out) {
    for (size_t i = 0; i < n; i++) {
      auto* s = reinterpret_cast<MinState*>(states[i]);
      if (s->value)
        out.SetString(i, *s->value);
      else
        out.SetNull(i);
    }
  };
  f->destroy = [](uint8_t* s) {
    auto* m = reinterpret_cast<MinState*>(s);
    delete m->value;  // NOLINT
    m->value = nullptr;
  };
  return f;
}

}  // namespace aishell
