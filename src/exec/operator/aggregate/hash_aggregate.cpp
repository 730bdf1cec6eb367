// Hash aggregation: GROUP BY keys of any type (NULL is a group) with AggregateFunction states.
// Each worker aggregates its share of the input into a local table; the tables are then
// combined into one. DISTINCT aggregates feed a state only the first time a (group, arguments)
// pair is seen, and run on one shared table.
//
// Spilling (federation.spill): when a worker's table would take the query over max_memory, the
// table is frozen and from then on that worker writes its input rows (group keys and aggregate
// arguments, evaluated) to disk, split by the group keys' hash into kSpillPartitions files. After
// the input, the tables are merged as usual into one table M; then each partition p is
// aggregated on its own: M's groups of p are combined into a fresh table, the spilled rows of p
// are fed into it (a DISTINCT tuple already counted in M is skipped), its rows are finalized into
// a result spill file and its states freed. The aggregate states never go to disk, so every
// aggregate function can spill without a serialization of its own.
#include <algorithm>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

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
  int position = -1;  // of the call in the SQL text
};

// Runs `f`; an error it raises without a SQL position gets the aggregate call's (a sum that
// overflows points at its sum(...)).
template <class F>
void AtPosition(const AggregateInfo& info, F&& f) {
  if (info.position < 0) {
    f();
    return;
  }
  try {
    f();
  } catch (const Error& e) {
    if (e.position() >= 0) throw;
    throw Error(e.kind(), e.what(), info.position);
  }
}

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
  // Per aggregate: DISTINCT tuples kept for after the merge (several workers), and their bytes.
  std::vector<std::vector<Batch>> distinct_rows;
  size_t distinct_rows_bytes = 0;
  MemoryReservation memory;
  std::vector<Vector> kept;  // string vectors that distinct keys point into
  bool destroyed = false;
  // How UpdateMemory reserves: within the limit or throw (kStrict), freeze the table when the
  // limit is reached (kSpill: an input table of a spilling aggregation), or past the limit
  // (kForce: merges and partitions of a spilling aggregation; bounded by the partition size).
  enum class Mode : uint8_t { kStrict, kSpill, kForce } mode = Mode::kStrict;
  bool frozen = false;
  bool partition = false;  // a spilled partition's table: DISTINCT tuples are never deferred

  // Scratch reused across batches (one table per worker).
  std::vector<uint32_t> ids;
  std::vector<uint8_t*> ptrs;
  std::vector<uint32_t> new_rows;
  KeyBatch key_batch;

  // Group keys that are all dictionary vectors: group id per combination of dictionary
  // entries (code = sum of index * stride), valid while the same dictionaries come in.
  std::vector<std::shared_ptr<const Vector>> dicts;
  std::vector<uint32_t> dict_groups;  // code -> group id, or kNotFound
  std::vector<uint32_t> codes;
  std::vector<uint32_t> miss_rows;
};

// A spilling aggregation's worker: a file and a batch being filled per partition.
struct WorkerSpill {
  std::vector<std::unique_ptr<SpillFile>> files;
  std::vector<Batch> pending;
};

// Largest number of dictionary-entry combinations the dictionary path maps directly.
constexpr size_t kMaxDictionaryCodes = 1 << 14;
// Fewer groups than this (over all workers) merge on one thread.
constexpr size_t kParallelMergeMinGroups = 1 << 16;
// Partitions of a spilling aggregation (the top bits of the group keys' hash).
constexpr int kSpillPartitionBits = 5;
constexpr size_t kSpillPartitions = size_t{1} << kSpillPartitionBits;

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
      info.position = a->position;
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
    empty_input_groups_ = agg.empty_input_groups;
    children.push_back(std::move(child));
  }

  ~HashAggregateOperator() override {
    for (auto& r : results_) DestroyStates(*r);
  }

  std::string Describe() const override {
    std::string d = name_;
    if (!groups_.empty()) {
      d += " group by";
      for (size_t i = 0; i < groups_.size(); i++) d += (i ? ", " : " ") + groups_[i]->ToString();
    }
    for (size_t i = 0; i < agg_exprs_.size(); i++)
      d += (i || !groups_.empty() ? ", " : " ") + agg_exprs_[i]->ToString();
    if (!results_.empty()) {
      size_t groups = 0;
      for (const auto& r : results_) groups += r->states.size();
      d += " groups=" + std::to_string(groups);
    }
    if (result_file_) {
      d += " groups=" + std::to_string(result_file_->rows()) +
           " spilled=" + FormatBytes(spilled_bytes_) +
           " partitions=" + std::to_string(kSpillPartitions);
    }
    return d;
  }

  void FillStats(StepActual& stats) const override {
    PhysicalOperator::FillStats(stats);
    if (!result_file_) return;
    stats.spilled_bytes = spilled_bytes_;
    stats.spill_partitions = static_cast<int64_t>(kSpillPartitions);
  }

  // The result groups are handed out in chunks, so several threads may read them at once.
  bool IsParallel() const override { return true; }

  void Build(ExecContext& ctx) override {
    int workers = WorkerCount(ctx, *children[0]);
    std::vector<std::unique_ptr<AggregateTable>> locals;
    // DISTINCT aggregates with several workers: each worker keeps the (group keys, arguments)
    // tuples new to it, without a lock; after the merge they are fed, deduplicated once more,
    // into the merged states.
    defer_distinct_ = has_distinct_ && workers > 1;
    can_spill_ = ctx.spill.enabled() && !groups_.empty();
    std::vector<std::vector<std::vector<Batch>>> deferred;  // [table][aggregate] tuples
    if (can_spill_) {
      spill_types_ = group_types_;
      for (const auto& a : aggs_)
        for (const auto& e : a.args) spill_types_.push_back(e->type);
      spill_.resize(workers);
    }
    try {
      for (int w = 0; w < workers; w++) {
        locals.push_back(NewTable(ctx));
        if (can_spill_) locals.back()->mode = AggregateTable::Mode::kSpill;
      }
      RunParallel(ctx, *children[0], nullptr, [&](int w, Batch& b) {
        if (locals[w]->frozen)
          SpillRows(ctx, w, b);
        else
          Consume(*locals[w], b);
      });
      bool spilled = false;
      for (auto& w : spill_) spilled |= !w.files.empty();
      if (spilled) {
        for (auto& w : spill_) FlushSpill(ctx, w, true);
        for (auto& l : locals) l->mode = AggregateTable::Mode::kForce;
      }
      if (defer_distinct_) {
        for (auto& l : locals) deferred.push_back(std::move(l->distinct_rows));
      }
      size_t total = 0;
      for (const auto& l : locals) total += l->states.size();
      if (locals.size() > 1 && !groups_.empty() && !defer_distinct_ && !spilled &&
          total >= kParallelMergeMinGroups) {
        results_ = PartitionedMerge(ctx, locals);
        for (auto& l : locals) {
          DestroyStates(*l);
          l.reset();
        }
      } else {
        for (size_t i = 1; i < locals.size(); i++) {
          Merge(*locals[0], *locals[i]);
          DestroyStates(*locals[i]);
          locals[i].reset();
        }
        results_.push_back(std::move(locals[0]));
      }
      if (defer_distinct_) {
        for (size_t a = 0; a < aggs_.size(); a++) {
          if (!aggs_[a].distinct) continue;
          auto seen = std::make_unique<KeyTable>(aggs_[a].args.size() + 1);
          for (auto& table : deferred) {
            for (const Batch& tuples : table[a]) FeedDistinct(*results_[0], a, *seen, tuples);
          }
          // The partitions skip tuples counted here (they point into `deferred`, kept below).
          if (spilled) results_[0]->distinct_seen[a] = std::move(seen);
        }
        if (!spilled) deferred.clear();
      }
      if (spilled) AggregatePartitions(ctx);
    } catch (...) {
      for (auto& l : locals) {
        if (l) DestroyStates(*l);
      }
      for (auto& r : results_) DestroyStates(*r);
      results_.clear();
      throw;
    }
    if (result_file_) {
      result_file_->Rewind();
      return;
    }
    size_t total_groups = 0;
    for (const auto& r : results_) total_groups += r->states.size();
    if (total_groups == 0 && !empty_input_groups_.empty()) {
      // Global grouping sets over an empty input: one row each, as a global aggregate.
      AggregateTable& t = *results_[0];
      for (const auto& row : empty_input_groups_) {
        size_t k = t.states.size();
        for (size_t g = 0; g < t.group_values.size() && g < row.size(); g++) {
          t.group_values[g].Resize(k + 1);
          t.group_values[g].SetValue(k, row[g]);
        }
        AddGroup(t);
      }
    }
    for (size_t r = 0; r < results_.size(); r++) {
      size_t groups = results_[r]->states.size();
      for (size_t start = 0; start < groups; start += kBatchSize)
        chunks_.push_back({r, start, std::min(kBatchSize, groups - start)});
    }
  }

 protected:
  bool GetNext(OperatorState&, Batch& out) override {
    if (result_file_) {
      std::lock_guard<std::mutex> lock(result_mutex_);
      return result_file_->Read(types_, out);
    }
    size_t c = next_chunk_.fetch_add(1);
    if (c >= chunks_.size()) return false;
    const Chunk& chunk = chunks_[c];
    out = FinalizeRows(*results_[chunk.table], chunk.start, chunk.count);
    return true;
  }

 private:
  // Output rows [start, start + n) of table t: group keys, then the finalized aggregates.
  Batch FinalizeRows(AggregateTable& t, size_t start, size_t n) const {
    Batch out;
    out.count = n;
    for (auto& g : t.group_values) out.columns.push_back(g.Slice(start, n));
    std::vector<uint8_t*> ptrs(n);
    for (const auto& a : aggs_) {
      for (size_t i = 0; i < n; i++) ptrs[i] = t.states[start + i] + a.offset;
      Vector res(a.fn->return_type, n);
      res.Resize(n);
      AtPosition(a, [&] { a.fn->finalize(ptrs.data(), n, res); });
      out.columns.push_back(std::move(res));
    }
    return out;
  }

  // A frozen worker's input rows go to disk: group keys and aggregate arguments, split by the
  // keys' hash into partitions (buffered to whole batches).
  void SpillRows(ExecContext& ctx, int w, const Batch& b) {
    size_t n = b.count;
    if (n == 0) return;
    WorkerSpill& ws = spill_[w];
    if (ws.files.empty()) {
      ws.files.resize(kSpillPartitions);
      ws.pending.resize(kSpillPartitions);
    }
    Batch rows;
    rows.count = n;
    for (const auto& g : groups_) rows.columns.push_back(EvaluateExpr(*g, b));
    for (const auto& a : aggs_)
      for (const auto& e : a.args) rows.columns.push_back(EvaluateExpr(*e, b));
    std::vector<Vector> keys(rows.columns.begin(), rows.columns.begin() + groups_.size());
    KeyBatch kb;
    kb.Load(keys, n);
    std::vector<std::vector<uint32_t>> sel(kSpillPartitions);
    for (size_t i = 0; i < n; i++)
      sel[kb.hashes[i] >> (64 - kSpillPartitionBits)].push_back(static_cast<uint32_t>(i));
    for (size_t p = 0; p < kSpillPartitions; p++) {
      if (sel[p].empty()) continue;
      Batch part = rows.Gather(sel[p].data(), sel[p].size());
      Batch& pending = ws.pending[p];
      if (pending.columns.empty()) pending = Batch(spill_types_, kBatchSize);
      for (size_t c = 0; c < spill_types_.size(); c++)
        AppendRows(pending.columns[c], part.columns[c], 0, part.count);
      pending.count += part.count;
      if (pending.count >= kBatchSize) WritePending(ctx, ws, p);
    }
  }

  void WritePending(ExecContext& ctx, WorkerSpill& ws, size_t p) {
    Batch& pending = ws.pending[p];
    if (pending.count == 0) return;
    if (!ws.files[p]) ws.files[p] = ctx.spill.CreateFile();
    ws.files[p]->Write(pending);
    pending = Batch();
  }

  void FlushSpill(ExecContext& ctx, WorkerSpill& ws, bool) {
    for (size_t p = 0; p < ws.pending.size(); p++) WritePending(ctx, ws, p);
    ws.pending.clear();
    for (const auto& f : ws.files)
      if (f) spilled_bytes_ += f->bytes();
  }

  // The spilled partitions, one at a time, with the groups of the merged table results_[0] (see
  // the top of the file); the finalized rows go to result_file_.
  void AggregatePartitions(ExecContext& ctx) {
    AggregateTable& m = *results_[0];
    std::vector<std::vector<uint32_t>> m_rows(kSpillPartitions);
    {
      size_t total = m.states.size();
      KeyBatch kb;
      std::vector<Vector> slices(groups_.size());
      constexpr size_t kChunk = 1 << 16;
      for (size_t start = 0; start < total; start += kChunk) {
        size_t cnt = std::min(kChunk, total - start);
        for (size_t c = 0; c < groups_.size(); c++) slices[c] = m.group_values[c].Slice(start, cnt);
        kb.Load(slices, cnt);
        for (size_t i = 0; i < cnt; i++)
          m_rows[kb.hashes[i] >> (64 - kSpillPartitionBits)].push_back(
              static_cast<uint32_t>(start + i));
      }
    }
    result_file_ = ctx.spill.CreateFile();
    const size_t key_count = groups_.size();
    std::vector<size_t> arg_offsets;
    size_t offset = key_count;
    for (const auto& a : aggs_) {
      arg_offsets.push_back(offset);
      offset += a.args.size();
    }
    for (size_t p = 0; p < kSpillPartitions; p++) {
      ctx.CheckInterrupted();
      std::unique_ptr<AggregateTable> t = NewTable(ctx);
      t->mode = AggregateTable::Mode::kForce;
      t->partition = true;
      try {
        const std::vector<uint32_t>& mine = m_rows[p];
        std::vector<Vector> sub(key_count);
        std::vector<uint32_t> ids(kBatchSize);
        for (size_t start = 0; start < mine.size(); start += kBatchSize) {
          size_t cnt = std::min(kBatchSize, mine.size() - start);
          const uint32_t* sel = mine.data() + start;
          for (size_t c = 0; c < key_count; c++) sub[c] = m.group_values[c].Gather(sel, cnt);
          LookUpGroups(*t, sub, cnt, ids.data());
          for (const auto& a : aggs_) {
            AtPosition(a, [&] {
              for (size_t i = 0; i < cnt; i++)
                a.fn->combine(m.states[sel[i]] + a.offset, t->states[ids[i]] + a.offset);
            });
          }
        }
        UpdateMemory(*t);
        for (auto& ws : spill_) {
          if (ws.files.empty() || !ws.files[p]) continue;
          SpillFile& file = *ws.files[p];
          file.Rewind();
          Batch b;
          while (file.Read(spill_types_, b)) {
            ctx.CheckInterrupted();
            std::vector<Vector> keys(b.columns.begin(), b.columns.begin() + key_count);
            ConsumeVectors(
                *t, keys, b.count,
                [&](size_t a, std::vector<Vector>& args) {
                  for (size_t i = 0; i < aggs_[a].args.size(); i++)
                    args.push_back(b.columns[arg_offsets[a] + i]);
                },
                &m);
          }
          ws.files[p].reset();
        }
        size_t groups = t->states.size();
        for (size_t start = 0; start < groups; start += kBatchSize)
          result_file_->Write(FinalizeRows(*t, start, std::min(kBatchSize, groups - start)));
      } catch (...) {
        DestroyStates(*t);
        throw;
      }
      DestroyStates(*t);
    }
    for (auto& r : results_) DestroyStates(*r);
    results_.clear();
    spill_.clear();
  }

  std::unique_ptr<AggregateTable> NewTable(ExecContext& ctx) {
    auto t = std::make_unique<AggregateTable>(groups_.size(), group_types_, &ctx.memory);
    for (const auto& a : aggs_) {
      if (a.distinct)
        t->distinct_seen.push_back(std::make_unique<KeyTable>(a.args.size() + 1));
      else
        t->distinct_seen.push_back(nullptr);
    }
    t->distinct_rows.resize(aggs_.size());
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
      if (g.type().IsStringLike() && g.heap_ref())
        bytes += static_cast<int64_t>(g.heap_ref()->bytes_allocated());
    }
    for (const auto& d : t.distinct_seen) {
      if (d) bytes += static_cast<int64_t>(d->MemoryUsage());
    }
    bytes += static_cast<int64_t>(t.distinct_rows_bytes);
    switch (t.mode) {
      case AggregateTable::Mode::kStrict:
        t.memory.Resize(bytes);
        break;
      case AggregateTable::Mode::kSpill:
        if (!t.memory.TryResize(bytes)) {
          t.memory.ForceResize(bytes);  // this batch's groups stay; the next batches spill
          t.frozen = true;
        }
        break;
      case AggregateTable::Mode::kForce:
        t.memory.ForceResize(bytes);
        break;
    }
  }

  // Adds the groups of rows `new_rows` of `keys` (new keys just inserted into t.keys).
  void AddNewGroups(AggregateTable& t, const std::vector<Vector>& keys,
                    const std::vector<uint32_t>& new_rows) {
    if (new_rows.empty()) return;
    for (size_t c = 0; c < keys.size(); c++) {
      Vector g = keys[c].Gather(new_rows.data(), new_rows.size());
      AppendRows(t.group_values[c], g, 0, new_rows.size());
    }
    for (size_t i = 0; i < new_rows.size(); i++) AddGroup(t);
  }

  // Group ids through the key table.
  void LookUpGroups(AggregateTable& t, const std::vector<Vector>& keys, size_t n, uint32_t* ids) {
    t.key_batch.Load(keys, n);
    t.new_rows.clear();
    t.keys.FindOrInsert(t.key_batch, ids, &t.new_rows);
    AddNewGroups(t, keys, t.new_rows);
  }

  // Group ids when every key is a dictionary vector with few entry combinations: each
  // combination goes through the key table once per dictionary. Returns false when the
  // keys do not qualify.
  bool DictionaryGroups(AggregateTable& t, const std::vector<Vector>& keys, size_t n,
                        uint32_t* ids) {
    size_t product = 1;
    for (const auto& k : keys) {
      if (k.kind() != VectorKind::kDictionary || !k.dictionary()) return false;
      size_t d = k.dictionary()->size();
      if (d == 0) return false;
      product *= d;
      if (product > kMaxDictionaryCodes) return false;
    }
    bool same = t.dicts.size() == keys.size();
    for (size_t c = 0; same && c < keys.size(); c++) same = t.dicts[c] == keys[c].dictionary();
    if (!same) {
      t.dicts.clear();
      for (const auto& k : keys) t.dicts.push_back(k.dictionary());
      t.dict_groups.assign(product, KeyTable::kNotFound);
    }
    t.codes.resize(n);
    uint32_t* codes = t.codes.data();
    size_t stride = 1;
    for (size_t c = 0; c < keys.size(); c++) {
      const uint32_t* idx = keys[c].indices();
      uint32_t d = static_cast<uint32_t>(keys[c].dictionary()->size());
      uint32_t bad = 0;
      if (c == 0) {
        for (size_t i = 0; i < n; i++) {
          bad |= idx[i] >= d;
          codes[i] = idx[i];
        }
      } else {
        uint32_t s = static_cast<uint32_t>(stride);
        for (size_t i = 0; i < n; i++) {
          bad |= idx[i] >= d;
          codes[i] += idx[i] * s;
        }
      }
      if (bad) return false;  // out-of-range index: let the generic path deal with it
      stride *= d;
    }
    uint32_t* map = t.dict_groups.data();
    constexpr uint32_t kPending = KeyTable::kNotFound - 1;
    t.miss_rows.clear();
    for (size_t i = 0; i < n; i++) {
      uint32_t g = map[codes[i]];
      if (g == KeyTable::kNotFound) {
        map[codes[i]] = kPending;
        t.miss_rows.push_back(static_cast<uint32_t>(i));
      }
    }
    if (!t.miss_rows.empty()) {
      size_t m = t.miss_rows.size();
      std::vector<Vector> sub;
      sub.reserve(keys.size());
      for (const auto& k : keys) sub.push_back(k.Gather(t.miss_rows.data(), m));
      std::vector<uint32_t> sub_ids(m);
      LookUpGroups(t, sub, m, sub_ids.data());
      for (size_t j = 0; j < m; j++) map[codes[t.miss_rows[j]]] = sub_ids[j];
    }
    for (size_t i = 0; i < n; i++) ids[i] = map[codes[i]];
    return true;
  }

  void Consume(AggregateTable& t, const Batch& b) {
    size_t n = b.count;
    if (n == 0) return;
    if (groups_.empty() && !has_distinct_) {
      // One state: fold each batch straight into it.
      uint8_t* state = t.states[0];
      std::vector<Vector> args;
      for (const auto& info : aggs_) {
        args.clear();
        for (const auto& e : info.args) args.push_back(EvaluateExpr(*e, b));
        AtPosition(info, [&] {
          if (info.fn->update_single) {
            info.fn->update_single(args, state + info.offset, n);
          } else {
            t.ptrs.assign(n, state + info.offset);
            info.fn->update(args, t.ptrs.data(), n);
          }
        });
      }
      UpdateMemory(t);
      return;
    }
    std::vector<Vector> keys;
    keys.reserve(groups_.size());
    for (const auto& g : groups_) keys.push_back(EvaluateExpr(*g, b));
    ConsumeVectors(t, keys, n, [&](size_t a, std::vector<Vector>& args) {
      args.reserve(aggs_[a].args.size());
      for (const auto& e : aggs_[a].args) args.push_back(EvaluateExpr(*e, b));
    });
  }

  // Folds `n` rows into `t`: their group keys, and the arguments of aggregate a from
  // `args_of(a, args)`. `parent` (a spilled partition): the table whose DISTINCT tuples count
  // already; rows of a DISTINCT aggregate seen there are skipped.
  void ConsumeVectors(AggregateTable& t, const std::vector<Vector>& keys, size_t n,
                      const std::function<void(size_t, std::vector<Vector>&)>& args_of,
                      AggregateTable* parent = nullptr) {
    t.ids.resize(n);
    uint32_t* ids = t.ids.data();
    if (!groups_.empty()) {
      if (!DictionaryGroups(t, keys, n, ids)) LookUpGroups(t, keys, n, ids);
    } else {
      std::fill(ids, ids + n, 0);
    }
    std::vector<uint32_t> parent_ids;
    if (parent && has_distinct_) {
      parent_ids.resize(n);
      KeyBatch kb;
      kb.Load(keys, n);
      parent->keys.Find(kb, parent_ids.data());
    }
    t.ptrs.resize(n);
    uint8_t** ptrs = t.ptrs.data();
    for (size_t a = 0; a < aggs_.size(); a++) {
      const AggregateInfo& info = aggs_[a];
      std::vector<Vector> args;
      args_of(a, args);
      if (info.distinct) {
        if (parent && parent->distinct_seen[a]) {
          // Drop the tuples the parent table has counted.
          std::vector<Vector> pkeys;
          Vector gid(LogicalType(TypeId::kBigInt), n);
          gid.Resize(n);
          for (size_t i = 0; i < n; i++) {
            if (parent_ids[i] == KeyTable::kNotFound)
              gid.SetNull(i);
            else
              gid.Data<int64_t>()[i] = parent_ids[i];
          }
          pkeys.push_back(std::move(gid));
          for (const auto& v : args) pkeys.push_back(v);
          KeyBatch pkb;
          pkb.Load(pkeys, n);
          std::vector<uint32_t> found(n);
          parent->distinct_seen[a]->Find(pkb, found.data());
          std::vector<uint32_t> keep;
          for (size_t i = 0; i < n; i++) {
            if (parent_ids[i] == KeyTable::kNotFound || found[i] == KeyTable::kNotFound)
              keep.push_back(static_cast<uint32_t>(i));
          }
          if (keep.size() < n) {
            std::vector<Vector> sub_keys;
            for (const auto& k : keys) sub_keys.push_back(k.Gather(keep.data(), keep.size()));
            std::vector<Vector> sub_args;
            for (const auto& v : args) sub_args.push_back(v.Gather(keep.data(), keep.size()));
            std::vector<uint32_t> all_ids(ids, ids + n);
            if (!keep.empty()) {
              std::vector<uint32_t> sub_ids(keep.size());
              for (size_t i = 0; i < keep.size(); i++) sub_ids[i] = all_ids[keep[i]];
              UpdateDistinct(t, a, sub_keys, sub_args, sub_ids.data(), keep.size());
            }
            continue;
          }
        }
        UpdateDistinct(t, a, keys, args, ids, n);
      } else {
        uint8_t* const* states = t.states.data();
        size_t off = info.offset;
        for (size_t i = 0; i < n; i++) ptrs[i] = states[ids[i]] + off;
        AtPosition(info, [&] { info.fn->update(args, ptrs, n); });
      }
    }
    UpdateMemory(t);
  }

  // DISTINCT aggregate a: rows whose (group, arguments) tuple is new to `t` update its states
  // (or are kept for after the merge).
  void UpdateDistinct(AggregateTable& t, size_t a, const std::vector<Vector>& keys,
                      std::vector<Vector>& args, const uint32_t* ids, size_t n) {
    const AggregateInfo& info = aggs_[a];
    std::vector<uint8_t*> ptr_buf(n);
    uint8_t** ptrs = ptr_buf.data();
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
      if (v.type().IsStringLike() && !new_rows.empty()) t.kept.push_back(v);
    }
    if (new_rows.empty()) return;
    std::vector<Vector> dargs;
    for (auto& v : args) dargs.push_back(v.Gather(new_rows.data(), new_rows.size()));
    if (defer_distinct_ && !t.partition) {
      // The tuples new to this worker: group keys, then arguments (FeedDistinct).
      Batch tuples;
      tuples.count = new_rows.size();
      for (const auto& k : keys) tuples.columns.push_back(k.Gather(new_rows.data(), tuples.count));
      for (auto& v : dargs) tuples.columns.push_back(std::move(v));
      t.distinct_rows_bytes += tuples.MemoryUsage();
      t.distinct_rows[a].push_back(std::move(tuples));
      return;
    }
    for (size_t i = 0; i < new_rows.size(); i++) ptrs[i] = t.states[ids[new_rows[i]]] + info.offset;
    AtPosition(info, [&] { info.fn->update(dargs, ptrs, new_rows.size()); });
  }

  // Combines the workers' tables in parallel: their groups are split by key hash into
  // partitions, and each partition becomes one result table, built by one thread.
  std::vector<std::unique_ptr<AggregateTable>> PartitionedMerge(
      ExecContext& ctx, std::vector<std::unique_ptr<AggregateTable>>& locals) {
    size_t partitions = 1;
    int bits = 0;
    while (partitions < static_cast<size_t>(ctx.threads) * 4) {
      partitions *= 2;
      bits++;
    }
    // The top bits pick the partition (the low bits pick slots inside each table).
    int shift = 64 - bits;
    // rows[l][p]: the groups of local table l in partition p.
    std::vector<std::vector<std::vector<uint32_t>>> rows(locals.size());
    RunThreads(ctx, locals.size(), [&](size_t l) {
      AggregateTable& t = *locals[l];
      rows[l].resize(partitions);
      size_t total = t.states.size();
      KeyBatch kb;
      std::vector<Vector> slices(groups_.size());
      constexpr size_t kChunk = 1 << 16;
      for (size_t start = 0; start < total; start += kChunk) {
        size_t m = std::min(kChunk, total - start);
        for (size_t c = 0; c < groups_.size(); c++) slices[c] = t.group_values[c].Slice(start, m);
        kb.Load(slices, m);
        for (size_t i = 0; i < m; i++)
          rows[l][bits ? kb.hashes[i] >> shift : 0].push_back(static_cast<uint32_t>(start + i));
      }
    });
    std::vector<std::unique_ptr<AggregateTable>> results(partitions);
    for (auto& r : results) r = NewTable(ctx);
    try {
      RunThreads(ctx, partitions, [&](size_t p) {
        AggregateTable& target = *results[p];
        std::vector<Vector> sub(groups_.size());
        std::vector<uint32_t> ids(kBatchSize);
        for (size_t l = 0; l < locals.size(); l++) {
          const std::vector<uint32_t>& mine = rows[l][p];
          AggregateTable& source = *locals[l];
          for (size_t start = 0; start < mine.size(); start += kBatchSize) {
            size_t m = std::min(kBatchSize, mine.size() - start);
            const uint32_t* sel = mine.data() + start;
            for (size_t c = 0; c < groups_.size(); c++)
              sub[c] = source.group_values[c].Gather(sel, m);
            LookUpGroups(target, sub, m, ids.data());
            for (const auto& a : aggs_) {
              AtPosition(a, [&] {
                for (size_t i = 0; i < m; i++)
                  a.fn->combine(source.states[sel[i]] + a.offset, target.states[ids[i]] + a.offset);
              });
            }
          }
        }
        UpdateMemory(target);
      });
    } catch (...) {
      for (auto& r : results) DestroyStates(*r);
      throw;
    }
    return results;
  }

  // Runs fn(0..count-1) on up to ctx.threads threads; rethrows the first error.
  static void RunThreads(ExecContext& ctx, size_t count, const std::function<void(size_t)>& fn) {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&] {
      try {
        while (!failed.load()) {
          size_t i = next.fetch_add(1);
          if (i >= count) return;
          fn(i);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    };
    size_t n_threads = std::min<size_t>(count, static_cast<size_t>(std::max(ctx.threads, 1)));
    std::vector<std::thread> threads;
    try {
      for (size_t i = 1; i < n_threads; i++) threads.emplace_back(work);
    } catch (...) {
      failed = true;
      for (auto& t : threads) t.join();
      throw Error(ErrorKind::kExecution, "cannot start worker threads");
    }
    work();
    for (auto& t : threads) t.join();
    if (error) std::rethrow_exception(error);
  }

  // Deferred DISTINCT tuples (group keys, then the arguments of aggregate a) into `target`:
  // the ones `seen` has not had yet update the states of their groups.
  void FeedDistinct(AggregateTable& target, size_t a, KeyTable& seen, const Batch& tuples) {
    const AggregateInfo& info = aggs_[a];
    size_t n = tuples.count;
    if (n == 0) return;
    std::vector<uint32_t> ids(n, 0);
    if (!groups_.empty()) {
      std::vector<Vector> keys(tuples.columns.begin(), tuples.columns.begin() + groups_.size());
      LookUpGroups(target, keys, n, ids.data());
    }
    std::vector<Vector> args(tuples.columns.begin() + groups_.size(), tuples.columns.end());
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
    seen.FindOrInsert(kb, seen_ids.data(), &new_rows);
    if (new_rows.empty()) return;
    std::vector<Vector> dargs;
    for (auto& v : args) dargs.push_back(v.Gather(new_rows.data(), new_rows.size()));
    std::vector<uint8_t*> ptrs(new_rows.size());
    for (size_t i = 0; i < new_rows.size(); i++)
      ptrs[i] = target.states[ids[new_rows[i]]] + info.offset;
    AtPosition(info, [&] { info.fn->update(dargs, ptrs.data(), new_rows.size()); });
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
      AtPosition(a, [&] {
        for (size_t i = 0; i < n; i++)
          a.fn->combine(source.states[i] + a.offset, target.states[ids[i]] + a.offset);
      });
    }
    UpdateMemory(target);
  }

  std::vector<ExprPtr> groups_;
  std::vector<LogicalType> group_types_;
  std::vector<AggregateInfo> aggs_;
  std::vector<ExprPtr> agg_exprs_;
  size_t row_size_ = 16;
  bool has_distinct_ = false;
  bool defer_distinct_ = false;  // DISTINCT tuples are fed after the merge (Build)
  std::vector<std::vector<Value>> empty_input_groups_;
  struct Chunk {
    size_t table;
    size_t start;
    size_t count;
  };
  std::vector<std::unique_ptr<AggregateTable>> results_;
  std::vector<Chunk> chunks_;  // the output batches
  bool can_spill_ = false;
  std::vector<LogicalType> spill_types_;  // group keys, then every aggregate's arguments
  std::vector<WorkerSpill> spill_;
  std::atomic<int64_t> spilled_bytes_{0};
  std::unique_ptr<SpillFile> result_file_;  // the finalized rows, when spilled
  std::mutex result_mutex_;
  std::atomic<size_t> next_chunk_{0};
};

}  // namespace

PhysicalPtr MakeHashAggregateOperator(PhysicalPtr child, const LogicalAggregate& aggregate) {
  return std::make_unique<HashAggregateOperator>(std::move(child), aggregate);
}

}  // namespace aishell
