// Window functions: the input is buffered, then for each window expression the rows are sorted
// by (partition keys, order keys) and the function is computed partition by partition. The
// output keeps the input order: input columns, then one column per window expression.
#include <cstring>
#include <functional>
#include <mutex>

#include "common/exception.h"
#include "exec/operator/operators.h"
#include "exec/operator/order/sort_util.h"

namespace aishell {

namespace {

struct WindowInfo {
  ExprPtr expr;
  const WindowSpec* spec = nullptr;
  size_t first_column = 0;  // in the buffered rows: partition keys, order keys, args
};

class WindowOperator : public PhysicalOperator {
 public:
  WindowOperator(PhysicalPtr child, const LogicalWindow& window)
      : PhysicalOperator("Window", window.OutputTypes()) {
    data_columns_ = child->types().size();
    buffered_types_ = child->types();
    for (const auto& e : window.window_exprs) {
      if (e->kind != ExprKind::kWindow || !e->window) {
        throw Error(ErrorKind::kInternal,
                    "window node holds a non-window expression " + e->ToString());
      }
      WindowInfo info;
      info.expr = e;
      info.spec = e->window.get();
      info.first_column = buffered_types_.size();
      for (const auto& p : info.spec->partition_by) {
        buffered_exprs_.push_back(p);
        buffered_types_.push_back(p->type);
      }
      for (const auto& o : info.spec->order_by) {
        buffered_exprs_.push_back(o.expr);
        buffered_types_.push_back(o.expr->type);
      }
      for (const auto& a : e->children) {
        buffered_exprs_.push_back(a);
        buffered_types_.push_back(a->type);
      }
      windows_.push_back(std::move(info));
    }
    children.push_back(std::move(child));
  }

  std::string Describe() const override {
    std::string d = "Window";
    for (size_t i = 0; i < windows_.size(); i++)
      d += (i ? ", " : " ") + windows_[i].expr->ToString();
    return d;
  }

  struct State : OperatorState {
    size_t next = 0;
  };
  std::unique_ptr<OperatorState> CreateState() override { return std::make_unique<State>(); }

  void Build(ExecContext& ctx) override {
    rows_ = Batch(buffered_types_, kBatchSize);
    memory_ = MemoryReservation(&ctx.memory, "computing window functions");
    std::mutex m;
    RunParallel(ctx, *children[0], nullptr, [&](int, Batch& b) {
      std::vector<Vector> extra;
      for (const auto& e : buffered_exprs_) extra.push_back(EvaluateExpr(*e, b));
      std::lock_guard<std::mutex> lock(m);
      for (size_t c = 0; c < data_columns_; c++)
        AppendRows(rows_.columns[c], b.columns[c], 0, b.count);
      for (size_t c = 0; c < extra.size(); c++)
        AppendRows(rows_.columns[data_columns_ + c], extra[c], 0, b.count);
      rows_.count += b.count;
      memory_.Resize(static_cast<int64_t>(rows_.MemoryUsage()));
    });
    for (const auto& w : windows_) results_.push_back(Compute(w));
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    if (st.next >= rows_.count) return false;
    size_t n = std::min(kBatchSize, rows_.count - st.next);
    out = Batch();
    out.count = n;
    for (size_t c = 0; c < data_columns_; c++)
      out.columns.push_back(rows_.columns[c].Slice(st.next, n));
    for (const auto& r : results_) out.columns.push_back(r.Slice(st.next, n));
    st.next += n;
    return true;
  }

 private:
  Vector Compute(const WindowInfo& w) {
    const WindowSpec& spec = *w.spec;
    size_t n = rows_.count;
    size_t np = spec.partition_by.size();
    size_t no = spec.order_by.size();
    std::vector<SortColumn> keys(np + no);
    for (size_t k = 0; k < np + no; k++) {
      keys[k].key.Load(rows_.columns[w.first_column + k], n);
      if (k >= np) {
        keys[k].ascending = spec.order_by[k - np].ascending;
        keys[k].nulls_first = spec.order_by[k - np].nulls_first;
      }
    }
    std::vector<uint32_t> perm = SortPermutation(keys, n, -1, ctx_ ? ctx_->threads : 1);
    std::vector<Vector> args;
    for (size_t a = 0; a < w.expr->children.size(); a++) {
      args.push_back(rows_.columns[w.first_column + np + no + a].Gather(perm.data(), n));
    }
    Vector result(w.expr->type, std::max<size_t>(n, 1));
    result.Resize(n);
    // RANGE frames with offsets: the order key and each bound's value, in sorted order.
    FrameData fd;
    frame_data_ = &fd;
    if (spec.range_key) {
      Vector key = rows_.columns[w.first_column + np].Gather(perm.data(), n);
      fd.keys = EvaluateChunked(*spec.range_key, key, n);
      if (spec.frame_start.range_value)
        fd.start_values = EvaluateChunked(*spec.frame_start.range_value, key, n);
      if (spec.frame_end.range_value)
        fd.end_values = EvaluateChunked(*spec.frame_end.range_value, key, n);
      fd.ascending = spec.order_by[0].ascending;
    }
    auto same = [&](size_t from, size_t to, uint32_t a, uint32_t b) {
      for (size_t k = from; k < to; k++) {
        if (!keys[k].key.Equal(a, keys[k].key, b)) return false;
      }
      return true;
    };
    size_t ps = 0;
    while (ps < n) {
      size_t pe = ps + 1;
      while (pe < n && same(0, np, perm[ps], perm[pe])) pe++;
      // Peer groups inside [ps, pe).
      std::vector<size_t> group_end(pe - ps);
      std::vector<size_t> group_start(pe - ps);
      size_t gs = ps;
      while (gs < pe) {
        size_t ge = gs + 1;
        while (ge < pe && same(np, np + no, perm[gs], perm[ge])) ge++;
        for (size_t i = gs; i < ge; i++) {
          group_start[i - ps] = gs;
          group_end[i - ps] = ge;
        }
        gs = ge;
      }
      if (spec.groups_frame) {
        // Peer groups by number, for GROUPS offsets.
        fd.group_ordinal.assign(pe - ps, 0);
        fd.group_first.clear();
        fd.group_last.clear();
        for (size_t i = ps; i < pe; i++) {
          if (i == group_start[i - ps]) {
            fd.group_first.push_back(i);
            fd.group_last.push_back(group_end[i - ps] - 1);
          }
          fd.group_ordinal[i - ps] = fd.group_first.size() - 1;
        }
      }
      if (spec.range_key) {
        // The rows with a non-NULL key: NULLs sort together at one end of the partition.
        fd.valid_start = ps;
        fd.valid_end = pe;
        while (fd.valid_start < pe && !fd.keys.IsValid(fd.valid_start)) fd.valid_start++;
        while (fd.valid_end > fd.valid_start && !fd.keys.IsValid(fd.valid_end - 1)) fd.valid_end--;
      }
      ComputePartition(w, perm, args, ps, pe, group_start, group_end, result);
      ps = pe;
    }
    frame_data_ = nullptr;
    return result;
  }

  // The frame state of the window being computed, beyond the peer groups: RANGE keys and bound
  // values (sorted positions), GROUPS numbering (positions relative to the partition).
  struct FrameData {
    Vector keys{LogicalType(TypeId::kBigInt), 1};
    Vector start_values{LogicalType(TypeId::kBigInt), 1};
    Vector end_values{LogicalType(TypeId::kBigInt), 1};
    bool ascending = true;
    size_t valid_start = 0, valid_end = 0;  // the partition's rows with a non-NULL key
    std::vector<size_t> group_ordinal;      // row - partition start -> its peer group's number
    std::vector<size_t> group_first, group_last;  // peer group number -> its first/last row
  };

  static Vector EvaluateChunked(const Expr& expr, const Vector& column, size_t n) {
    Vector out(expr.type, std::max<size_t>(n, 1));
    out.Resize(0);
    for (size_t start = 0; start < n; start += kBatchSize) {
      size_t count = std::min(kBatchSize, n - start);
      Batch b;
      b.count = count;
      b.columns.push_back(column.Slice(start, count));
      Vector v = EvaluateExpr(expr, b);
      AppendRows(out, v, 0, count);
    }
    return out;
  }

  // RANGE offset bound of row i (sorted position) whose key is not NULL: the first row at or
  // after the bound's value (a start), or the last row at or before it (an end). NULL keys sort
  // before or after every value, as ORDER BY puts them.
  int64_t RangeBound(const Vector& values, size_t i, bool is_start) const {
    const FrameData& fd = *frame_data_;
    Value v = values.GetValue(i);
    size_t lo = fd.valid_start, hi = fd.valid_end;
    // Rows [valid_start, p) are before the value: key < v (ascending) or key > v (descending);
    // for an end, rows [valid_start, p) are at or before it.
    auto before = [&](size_t j) {
      int c = fd.keys.GetValue(j).Compare(v);
      if (!fd.ascending) c = -c;
      return is_start ? c < 0 : c <= 0;
    };
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (before(mid)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return is_start ? static_cast<int64_t>(lo) : static_cast<int64_t>(lo) - 1;
  }

  // Inclusive frame [*s, *e] (in sorted positions) of row i; empty when *s > *e.
  void Frame(const WindowSpec& spec, size_t i, size_t ps, size_t pe, size_t gs, size_t ge,
             int64_t* s, int64_t* e) const {
    if (!spec.has_frame) {
      *s = static_cast<int64_t>(ps);
      *e = spec.order_by.empty() ? static_cast<int64_t>(pe) - 1 : static_cast<int64_t>(ge) - 1;
      return;
    }
    auto bound = [&](const FrameBound& b, bool is_start) -> int64_t {
      switch (b.kind) {
        case FrameBoundKind::kUnboundedPreceding:
          return static_cast<int64_t>(ps);
        case FrameBoundKind::kUnboundedFollowing:
          return static_cast<int64_t>(pe) - 1;
        case FrameBoundKind::kCurrentRow:
          if (spec.rows_frame) return static_cast<int64_t>(i);
          return is_start ? static_cast<int64_t>(gs) : static_cast<int64_t>(ge) - 1;
        case FrameBoundKind::kPreceding:
        case FrameBoundKind::kFollowing: {
          int64_t sign = b.kind == FrameBoundKind::kPreceding ? -1 : 1;
          if (spec.rows_frame) return static_cast<int64_t>(i) + sign * b.offset;
          const FrameData& fd = *frame_data_;
          if (spec.groups_frame) {
            int64_t target = static_cast<int64_t>(fd.group_ordinal[i - ps]) + sign * b.offset;
            int64_t groups = static_cast<int64_t>(fd.group_first.size());
            if (target < 0)
              return is_start ? static_cast<int64_t>(ps) : static_cast<int64_t>(ps) - 1;
            if (target >= groups)
              return is_start ? static_cast<int64_t>(pe) : static_cast<int64_t>(pe) - 1;
            return static_cast<int64_t>(is_start ? fd.group_first[target] : fd.group_last[target]);
          }
          // RANGE: a row with a NULL key has its NULL peers as the offset bounds.
          if (!fd.keys.IsValid(i))
            return is_start ? static_cast<int64_t>(gs) : static_cast<int64_t>(ge) - 1;
          return RangeBound(is_start ? fd.start_values : fd.end_values, i, is_start);
        }
      }
      return 0;
    };
    *s = std::max<int64_t>(bound(spec.frame_start, true), static_cast<int64_t>(ps));
    *e = std::min<int64_t>(bound(spec.frame_end, false), static_cast<int64_t>(pe) - 1);
  }

  static void CopyCell(const Vector& src, size_t src_row, Vector& dst, size_t dst_row) {
    if (!src.IsValid(src_row)) {
      dst.SetNull(dst_row);
      return;
    }
    dst.SetValue(dst_row, src.GetValue(src_row));
  }

  void ComputePartition(const WindowInfo& w, const std::vector<uint32_t>& perm,
                        const std::vector<Vector>& args, size_t ps, size_t pe,
                        const std::vector<size_t>& group_start,
                        const std::vector<size_t>& group_end, Vector& result) {
    const WindowSpec& spec = *w.spec;
    size_t count = pe - ps;
    switch (spec.function) {
      case WindowFunctionKind::kRowNumber:
        for (size_t i = ps; i < pe; i++)
          result.SetValue(perm[i], Value::BigInt(static_cast<int64_t>(i - ps + 1)));
        return;
      case WindowFunctionKind::kRank:
        for (size_t i = ps; i < pe; i++) {
          result.SetValue(perm[i],
                          Value::BigInt(static_cast<int64_t>(group_start[i - ps] - ps + 1)));
        }
        return;
      case WindowFunctionKind::kDenseRank: {
        int64_t rank = 0;
        for (size_t i = ps; i < pe; i++) {
          if (i == group_start[i - ps]) rank++;
          result.SetValue(perm[i], Value::BigInt(rank));
        }
        return;
      }
      case WindowFunctionKind::kNtile: {
        if (args.empty()) throw Error(ErrorKind::kExecution, "ntile needs a bucket count");
        Value v = args[0].GetValue(ps);
        if (v.is_null() || v.GetInt64() <= 0)
          throw Error(ErrorKind::kExecution, "ntile bucket count must be positive");
        int64_t buckets = v.GetInt64();
        int64_t size = static_cast<int64_t>(count) / buckets;
        int64_t extra = static_cast<int64_t>(count) % buckets;
        for (size_t i = 0; i < count; i++) {
          int64_t r = static_cast<int64_t>(i);
          int64_t bucket;
          int64_t big = extra * (size + 1);
          if (r < big)
            bucket = r / (size + 1);
          else
            bucket = extra + (size > 0 ? (r - big) / size : 0);
          result.SetValue(perm[ps + i], Value::BigInt(bucket + 1));
        }
        return;
      }
      case WindowFunctionKind::kLag:
      case WindowFunctionKind::kLead: {
        if (args.empty()) throw Error(ErrorKind::kExecution, "lag/lead need an argument");
        for (size_t i = ps; i < pe; i++) {
          int64_t offset = 1;
          if (args.size() > 1) {
            Value o = args[1].GetValue(i);
            if (o.is_null()) {
              result.SetNull(perm[i]);
              continue;
            }
            offset = o.GetInt64();
          }
          int64_t target = spec.function == WindowFunctionKind::kLag
                               ? static_cast<int64_t>(i) - offset
                               : static_cast<int64_t>(i) + offset;
          if (target >= static_cast<int64_t>(ps) && target < static_cast<int64_t>(pe)) {
            CopyCell(args[0], static_cast<size_t>(target), result, perm[i]);
          } else if (args.size() > 2) {
            CopyCell(args[2], i, result, perm[i]);
          } else {
            result.SetNull(perm[i]);
          }
        }
        return;
      }
      case WindowFunctionKind::kFirstValue:
      case WindowFunctionKind::kLastValue: {
        if (args.empty())
          throw Error(ErrorKind::kExecution, "first_value/last_value need an argument");
        for (size_t i = ps; i < pe; i++) {
          int64_t s, e;
          Frame(spec, i, ps, pe, group_start[i - ps], group_end[i - ps], &s, &e);
          if (s > e) {
            result.SetNull(perm[i]);
            continue;
          }
          size_t src =
              static_cast<size_t>(spec.function == WindowFunctionKind::kFirstValue ? s : e);
          CopyCell(args[0], src, result, perm[i]);
        }
        return;
      }
      case WindowFunctionKind::kAggregate:
        ComputeAggregate(w, perm, args, ps, pe, group_start, group_end, result);
        return;
    }
  }

  void ComputeAggregate(const WindowInfo& w, const std::vector<uint32_t>& perm,
                        const std::vector<Vector>& args, size_t ps, size_t pe,
                        const std::vector<size_t>& group_start,
                        const std::vector<size_t>& group_end, Vector& result) {
    const WindowSpec& spec = *w.spec;
    const AggregateFunction* fn = w.expr->aggregate.get();
    if (!fn)
      throw Error(ErrorKind::kInternal,
                  "window aggregate without a function: " + w.expr->ToString());
    std::unique_ptr<uint8_t[]> block(new uint8_t[fn->state_size + 32]);
    uint8_t* state = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(block.get()) + 15) &
                                                ~uintptr_t{15});
    Vector tmp(fn->return_type, 1);
    auto feed = [&](size_t from, size_t to) {  // [from, to) sorted positions
      if (from >= to) return;
      std::vector<Vector> slice;
      for (const auto& a : args) slice.push_back(a.Slice(from, to - from));
      std::vector<uint8_t*> ptrs(to - from, state);
      fn->update(slice, ptrs.data(), to - from);
    };
    auto emit = [&](size_t sorted_pos) {
      tmp = Vector(fn->return_type, 1);
      tmp.Resize(1);
      uint8_t* p = state;
      fn->finalize(&p, 1, tmp);
      CopyCell(tmp, 0, result, perm[sorted_pos]);
    };
    // Running frames: start at the partition start, end never moves backwards.
    bool running =
        !spec.has_frame || (spec.frame_start.kind == FrameBoundKind::kUnboundedPreceding &&
                            (spec.frame_end.kind == FrameBoundKind::kCurrentRow ||
                             spec.frame_end.kind == FrameBoundKind::kUnboundedFollowing ||
                             spec.frame_end.kind == FrameBoundKind::kFollowing ||
                             spec.frame_end.kind == FrameBoundKind::kPreceding));
    if (running) {
      fn->init(state);
      size_t fed = ps;  // rows [ps, fed) are in the state
      for (size_t i = ps; i < pe; i++) {
        int64_t s, e;
        Frame(spec, i, ps, pe, group_start[i - ps], group_end[i - ps], &s, &e);
        size_t want = e < static_cast<int64_t>(ps) ? ps : static_cast<size_t>(e + 1);
        if (want > fed) {
          feed(fed, want);
          fed = want;
        }
        if (s > e) {
          // Empty frame: the value over no rows.
          std::unique_ptr<uint8_t[]> b2(new uint8_t[fn->state_size + 32]);
          uint8_t* s2 = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(b2.get()) + 15) &
                                                   ~uintptr_t{15});
          fn->init(s2);
          Vector t2(fn->return_type, 1);
          t2.Resize(1);
          fn->finalize(&s2, 1, t2);
          if (fn->destroy) fn->destroy(s2);
          CopyCell(t2, 0, result, perm[i]);
          continue;
        }
        emit(i);
      }
      if (fn->destroy) fn->destroy(state);
      return;
    }
    // Sliding frames over a big partition: a segment tree of states over blocks of rows, so
    // that each frame combines O(log n) block states plus at most two partial blocks.
    constexpr size_t kBlock = 32;
    size_t blocks = (pe - ps + kBlock - 1) / kBlock;
    if (blocks < 4 || !fn->combine) {
      for (size_t i = ps; i < pe; i++) {
        int64_t s, e;
        Frame(spec, i, ps, pe, group_start[i - ps], group_end[i - ps], &s, &e);
        fn->init(state);
        if (s <= e) feed(static_cast<size_t>(s), static_cast<size_t>(e + 1));
        emit(i);
        if (fn->destroy) fn->destroy(state);
      }
      return;
    }
    size_t leaves = 1;
    while (leaves < blocks) leaves *= 2;
    size_t stride = (fn->state_size + 15) / 16 * 16;
    if (stride == 0) stride = 16;
    std::unique_ptr<uint8_t[]> tree_block(new uint8_t[2 * leaves * stride + 16]);
    uint8_t* tree = reinterpret_cast<uint8_t*>(
        (reinterpret_cast<uintptr_t>(tree_block.get()) + 15) & ~uintptr_t{15});
    auto node = [&](size_t k) { return tree + k * stride; };
    memory_.Grow(static_cast<int64_t>(2 * leaves * stride));
    for (size_t k = 1; k < 2 * leaves; k++) fn->init(node(k));
    struct TreeGuard {
      const AggregateFunction* fn;
      std::function<uint8_t*(size_t)> node;
      size_t count;
      MemoryReservation* memory;
      int64_t bytes;
      ~TreeGuard() {
        if (fn->destroy) {
          for (size_t k = 1; k < count; k++) fn->destroy(node(k));
        }
        memory->Grow(-bytes);
      }
    } guard{fn, node, 2 * leaves, &memory_, static_cast<int64_t>(2 * leaves * stride)};
    for (size_t b = 0; b < blocks; b++) {
      size_t from = ps + b * kBlock, to = std::min(pe, from + kBlock);
      std::vector<Vector> slice;
      for (const auto& a : args) slice.push_back(a.Slice(from, to - from));
      std::vector<uint8_t*> ptrs(to - from, node(leaves + b));
      fn->update(slice, ptrs.data(), to - from);
    }
    for (size_t k = leaves - 1; k >= 1; k--) {
      fn->combine(node(2 * k), node(k));
      fn->combine(node(2 * k + 1), node(k));
    }
    for (size_t i = ps; i < pe; i++) {
      int64_t s, e;
      Frame(spec, i, ps, pe, group_start[i - ps], group_end[i - ps], &s, &e);
      fn->init(state);
      if (s <= e) {
        size_t from = static_cast<size_t>(s), to = static_cast<size_t>(e + 1);  // [from, to)
        size_t first = (from - ps + kBlock - 1) / kBlock;                       // first whole block
        size_t last = (to - ps) / kBlock;  // one past the last whole block
        if (first >= last) {
          feed(from, to);
        } else {
          feed(from, ps + first * kBlock);
          feed(ps + last * kBlock, to);
          for (size_t lo = first + leaves, hi = last + leaves; lo < hi; lo /= 2, hi /= 2) {
            if (lo & 1) fn->combine(node(lo++), state);
            if (hi & 1) fn->combine(node(--hi), state);
          }
        }
      }
      emit(i);
      if (fn->destroy) fn->destroy(state);
    }
  }

  size_t data_columns_ = 0;
  std::vector<LogicalType> buffered_types_;
  std::vector<ExprPtr> buffered_exprs_;
  std::vector<WindowInfo> windows_;
  Batch rows_;
  std::vector<Vector> results_;
  MemoryReservation memory_;
  const FrameData* frame_data_ = nullptr;  // while Compute runs
};

}  // namespace

PhysicalPtr MakeWindowOperator(PhysicalPtr child, const LogicalWindow& window) {
  return std::make_unique<WindowOperator>(std::move(child), window);
}

}  // namespace aishell
