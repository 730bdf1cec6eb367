// Hash aggregation: GROUP BY keys of any type (NULL is a group) with AggregateFunction states.
// Each worker aggregates its share of the input into a local table; the tables are then
// combined into one. DISTINCT aggregates feed a state only the first time a (group, arguments)
// pair is seen, and run on one shared table.
#include <mutex>

#include "common/exception.h"
#include "exec/key_table.h"
#include "exec/operator/operators.h"

namespace aishell {

namespace {

struct AggregateInfo {
  std::shared_ptr<const AggregateFunction> fn;
  std::vector<ExprPtr> args;
  bool distinct = false;
  size_t offset = 0;
};

class StateArena {
 public:
  uint8_t* Allocate(size_t bytes) {
    if (bytes == 0) bytes = 16;
    if (chunks_.empty() || used_ + bytes > chunk_size_) {
      chunk_size_ = std::max<size_t>(bytes, 1 << 16);
      chunks_.push_back(std::make_unique<uint8_t[]>(chunk_size_));
      used_ = 0;
      allocated_ += chunk_size_;
    }
    uint8_t* p = chunks_.back().get() + used_;
    used_ += bytes;
    return p;
  }
  size_t allocated() const { return allocated_; }

 private:
  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  size_t used_ = 0;
  size_t chunk_size_ = 0;
  size_t allocated_ = 0;
};

struct AggregateTable {
  AggregateTable(size_t group_count, const std::vector<LogicalType>& group_types,
                 MemoryTracker* tracker)
      : keys(group_count), memory(tracker, "building the hash table of an aggregation") {
    for (const auto& t : group_types) group_values.emplace_back(t, 1024);
  }
  KeyTable keys;
  std::vector<Vector> group_values;  // one row per group
  std::vector<uint8_t*> states;      // one block per group
  StateArena arena;
  std::vector<std::unique_ptr<KeyTable>> distinct_seen;  // per aggregate (DISTINCT only)
  MemoryReservation memory;
  std::vector<Vector> kept;  // string vectors that distinct keys point into
  bool destroyed = false;
};

class HashAggregateOperator : public PhysicalOperator {
 public:
  HashAggregateOperator(PhysicalPtr child, const LogicalAggregate& agg)
      : PhysicalOperator("HashAggregate", agg.OutputTypes()), groups_(agg.groups) {
    for (const auto& g : groups_) group_types_.push_back(g->type);
    size_t offset = 0;
    for (const auto& a : agg.aggregates) {
      if (a->kind != ExprKind::kAggregate || !a->aggregate) {
        throw Error(ErrorKind::kInternal,
                    "aggregate node holds a non-aggregate expression " + a->ToString());
      }
      AggregateInfo info;
      info.fn = a->aggregate;
      info.args = a->children;
      info.distinct = a->distinct;
      size_t align = std::max<size_t>(1, std::min<size_t>(info.fn->state_align, 16));
      offset = (offset + align - 1) / align * align;
      info.offset = offset;
      offset += info.fn->state_size;
      if (info.distinct) has_distinct_ = true;
      aggs_.push_back(std::move(info));
      agg_exprs_.push_back(a);
    }
    row_size_ = (offset + 15) / 16 * 16;
    if (row_size_ == 0) row_size_ = 16;
    if (groups_.empty()) name_ = "Aggregate";
    children.push_back(std::move(child));
  }

  ~HashAggregateOperator() override {
    if (result_) DestroyStates(*result_);
  }

  std::string Describe() const override {
    std::string d = name_;
    if (!groups_.empty()) {
      d += " group by";
      for (size_t i = 0; i < groups_.size(); i++) d += (i ? ", " : " ") + groups_[i]->ToString();
    }
    for (size_t i = 0; i < agg_exprs_.size(); i++)
      d += (i || !groups_.empty() ? ", " : " ") + agg_exprs_[i]->ToString();
    if (result_) d += " groups=" + std::to_string(result_->states.size());
    return d;
  }

  // The result groups are handed out in chunks, so several threads may read them at once.
  bool IsParallel() const override { return true; }

  void Build(ExecContext& ctx) override {
    int workers = WorkerCount(ctx, *children[0]);
    std::vector<std::unique_ptr<AggregateTable>> locals;
    std::mutex shared_mutex;
    int tables = has_distinct_ ? 1 : workers;
    try {
      for (int w = 0; w < tables; w++) locals.push_back(NewTable(ctx));
      RunParallel(ctx, *children[0], nullptr, [&](int w, Batch& b) {
        if (has_distinct_) {
          std::lock_guard<std::mutex> lock(shared_mutex);
          Consume(*locals[0], b);
        } else {
          Consume(*locals[w], b);
        }
      });
      for (size_t i = 1; i < locals.size(); i++) {
        Merge(*locals[0], *locals[i]);
        DestroyStates(*locals[i]);
        locals[i].reset();
      }
    } catch (...) {
      for (auto& l : locals) {
        if (l) DestroyStates(*l);
      }
      throw;
    }
    result_ = std::move(locals[0]);
  }

 protected:
  bool GetNext(OperatorState&, Batch& out) override {
    AggregateTable& t = *result_;
    size_t total = t.states.size();
    size_t start = next_group_.fetch_add(kBatchSize);
    if (start >= total) return false;
    size_t n = std::min(kBatchSize, total - start);
    out = Batch();
    out.count = n;
    for (auto& g : t.group_values) out.columns.push_back(g.Slice(start, n));
    std::vector<uint8_t*> ptrs(n);
    for (const auto& a : aggs_) {
      for (size_t i = 0; i < n; i++) ptrs[i] = t.states[start + i] + a.offset;
      Vector res(a.fn->return_type, n);
      res.Resize(n);
      a.fn->finalize(ptrs.data(), n, res);
      out.columns.push_back(std::move(res));
    }
    return true;
  }

 private:
  std::unique_ptr<AggregateTable> NewTable(ExecContext& ctx) {
    auto t = std::make_unique<AggregateTable>(groups_.size(), group_types_, &ctx.memory);
    for (const auto& a : aggs_) {
      if (a.distinct)
        t->distinct_seen.push_back(std::make_unique<KeyTable>(a.args.size() + 1));
      else
        t->distinct_seen.push_back(nullptr);
    }
    if (groups_.empty()) AddGroup(*t);  // no groups: exactly one row, even for empty input
    return t;
  }

  uint8_t* AddGroup(AggregateTable& t) {
    uint8_t* s = t.arena.Allocate(row_size_);
    for (const auto& a : aggs_) a.fn->init(s + a.offset);
    t.states.push_back(s);
    return s;
  }

  void DestroyStates(AggregateTable& t) {
    if (t.destroyed) return;
    t.destroyed = true;
    for (const auto& a : aggs_) {
      if (!a.fn->destroy) continue;
      for (uint8_t* s : t.states) a.fn->destroy(s + a.offset);
    }
  }

  void UpdateMemory(AggregateTable& t) {
    int64_t bytes =
        static_cast<int64_t>(t.keys.MemoryUsage() + t.arena.allocated() + t.states.capacity() * 8);
    for (const auto& g : t.group_values) {
      bytes += static_cast<int64_t>(g.capacity() * g.type().PhysicalSize());
      if (g.type().id == TypeId::kVarchar && g.heap_ref())
        bytes += static_cast<int64_t>(g.heap_ref()->bytes_allocated());
    }
    for (const auto& d : t.distinct_seen) {
      if (d) bytes += static_cast<int64_t>(d->MemoryUsage());
    }
    t.memory.Resize(bytes);
  }

  void Consume(AggregateTable& t, const Batch& b) {
    size_t n = b.count;
    if (n == 0) return;
    std::vector<uint32_t> ids(n, 0);
    if (!groups_.empty()) {
      std::vector<Vector> keys;
      keys.reserve(groups_.size());
      for (const auto& g : groups_) keys.push_back(EvaluateExpr(*g, b));
      KeyBatch kb;
      kb.Load(keys, n);
      std::vector<uint32_t> new_rows;
      t.keys.FindOrInsert(kb, ids.data(), &new_rows);
      if (!new_rows.empty()) {
        for (size_t c = 0; c < keys.size(); c++) {
          Vector g = keys[c].Gather(new_rows.data(), new_rows.size());
          AppendRows(t.group_values[c], g, 0, new_rows.size());
        }
        for (size_t i = 0; i < new_rows.size(); i++) AddGroup(t);
      }
    }
    std::vector<uint8_t*> ptrs(n);
    for (size_t a = 0; a < aggs_.size(); a++) {
      const AggregateInfo& info = aggs_[a];
      std::vector<Vector> args;
      args.reserve(info.args.size());
      for (const auto& e : info.args) args.push_back(EvaluateExpr(*e, b));
      if (info.distinct) {
        std::vector<Vector> dkeys;
        Vector gid(LogicalType(TypeId::kBigInt), n);
        gid.Resize(n);
        for (size_t i = 0; i < n; i++) gid.Data<int64_t>()[i] = ids[i];
        dkeys.push_back(std::move(gid));
        for (const auto& v : args) dkeys.push_back(v);
        KeyBatch kb;
        kb.Load(dkeys, n);
        std::vector<uint32_t> seen_ids(n);
        std::vector<uint32_t> new_rows;
        t.distinct_seen[a]->FindOrInsert(kb, seen_ids.data(), &new_rows);
        for (auto& v : args) {  // the distinct table points into these strings
          if (v.type().id == TypeId::kVarchar && !new_rows.empty()) t.kept.push_back(v);
        }
        if (new_rows.empty()) continue;
        std::vector<Vector> dargs;
        for (auto& v : args) dargs.push_back(v.Gather(new_rows.data(), new_rows.size()));
        for (size_t i = 0; i < new_rows.size(); i++)
          ptrs[i] = t.states[ids[new_rows[i]]] + info.offset;
        info.fn->update(dargs, ptrs.data(), new_rows.size());
      } else {
        for (size_t i = 0; i < n; i++) ptrs[i] = t.states[ids[i]] + info.offset;
        info.fn->update(args, ptrs.data(), n);
      }
    }
    UpdateMemory(t);
  }

  void Merge(AggregateTable& target, AggregateTable& source) {
    size_t n = source.states.size();
    if (n == 0) return;
    std::vector<uint32_t> ids(n, 0);
    if (!groups_.empty()) {
      KeyBatch kb;
      kb.Load(source.group_values, n);
      std::vector<uint32_t> new_rows;
      target.keys.FindOrInsert(kb, ids.data(), &new_rows);
      if (!new_rows.empty()) {
        for (size_t c = 0; c < groups_.size(); c++) {
          Vector g = source.group_values[c].Gather(new_rows.data(), new_rows.size());
          AppendRows(target.group_values[c], g, 0, new_rows.size());
        }
        for (size_t i = 0; i < new_rows.size(); i++) AddGroup(target);
      }
    }
    for (const auto& a : aggs_) {
      for (size_t i = 0; i < n; i++)
        a.fn->combine(source.states[i] + a.offset, target.states[ids[i]] + a.offset);
    }
    UpdateMemory(target);
  }

  std::vector<ExprPtr> groups_;
  std::vector<LogicalType> group_types_;
  std::vector<AggregateInfo> aggs_;
  std::vector<ExprPtr> agg_exprs_;
  size_t row_size_ = 16;
  bool has_distinct_ = false;
  std::unique_ptr<AggregateTable> result_;
  std::atomic<size_t> next_group_{0};
};

}  // namespace

PhysicalPtr MakeHashAggregateOperator(PhysicalPtr child, const LogicalAggregate& aggregate) {
  return std::make_unique<HashAggregateOperator>(std::move(child), aggregate);
}

}  // namespace aishell
