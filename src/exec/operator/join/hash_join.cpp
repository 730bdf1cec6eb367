// Hash join for every join type. The right child is the build side: its rows are stored
// columnar in one batch, its distinct keys in a KeyTable, and rows with equal keys are chained
// (head per key, next per row). A join without equi-keys puts every build row in one chain,
// which makes it a nested-loop join (CROSS JOIN, non-equi conditions). The residual condition
// is evaluated on candidate pairs; a pair that fails it is not a match (outer joins included).
//
// Grace hash join (federation.spill): when the build side would take the query over max_memory,
// both sides are written to disk split by the join keys' hash into kSpillPartitions files (rows
// with a NULL key too: they match nothing in any partition, so outer and anti joins still emit
// them), and each pair of partition files is joined by a HashJoin of its own, one after the
// other. A partition whose build side still does not fit is split again on the next hash bits,
// up to kMaxSpillLevels; then the query fails naming federation.max_memory. Null-aware anti
// joins (NOT IN) and joins without equi-keys do not spill.
#include <atomic>
#include <deque>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "common/exception.h"
#include "exec/key_table.h"
#include "exec/operator/join/lookup_join.h"
#include "exec/operator/operators.h"

namespace aishell {

namespace {

constexpr uint32_t kNone = 0xFFFFFFFFu;
constexpr int kSpillPartitionBits = 4;
constexpr size_t kSpillPartitions = size_t{1} << kSpillPartitionBits;
constexpr int kMaxSpillLevels = 3;

// Reads spill files back, one after the other (a spilled join's partition).
class SpillScanOperator : public PhysicalOperator {
 public:
  SpillScanOperator(std::vector<LogicalType> types, std::vector<SpillFile*> files)
      : PhysicalOperator("SpillScan", std::move(types)), files_(std::move(files)) {}

 protected:
  bool GetNext(OperatorState&, Batch& out) override {
    while (next_ < files_.size()) {
      if (files_[next_]->Read(types_, out)) return true;
      next_++;
    }
    return false;
  }

 private:
  std::vector<SpillFile*> files_;
  size_t next_ = 0;
};

// One side of a spilling join: per worker, a file and a batch being filled per partition.
struct JoinSpillSide {
  struct Worker {
    std::vector<std::unique_ptr<SpillFile>> files;
    std::vector<Batch> pending;
  };
  std::vector<Worker> workers;
  std::vector<LogicalType> types;
  int level = 0;

  void Init(size_t n, std::vector<LogicalType> t, int lvl) {
    workers.resize(n);
    types = std::move(t);
    level = lvl;
  }
  void Add(ExecContext& ctx, int w, const std::vector<ExprPtr>& key_exprs, const Batch& b) {
    if (b.count == 0) return;
    Worker& ws = workers[w];
    if (ws.files.empty()) {
      ws.files.resize(kSpillPartitions);
      ws.pending.resize(kSpillPartitions);
    }
    std::vector<Vector> keys;
    for (const auto& e : key_exprs) keys.push_back(EvaluateExpr(*e, b));
    KeyBatch kb;
    kb.Load(keys, b.count);
    int shift = 64 - kSpillPartitionBits * (level + 1);
    std::vector<std::vector<uint32_t>> sel(kSpillPartitions);
    for (size_t i = 0; i < b.count; i++)
      sel[(kb.hashes[i] >> shift) & (kSpillPartitions - 1)].push_back(static_cast<uint32_t>(i));
    for (size_t p = 0; p < kSpillPartitions; p++) {
      if (sel[p].empty()) continue;
      Batch part = b.Gather(sel[p].data(), sel[p].size());
      Batch& pending = ws.pending[p];
      if (pending.columns.empty()) pending = Batch(types, kBatchSize);
      for (size_t c = 0; c < types.size(); c++)
        AppendRows(pending.columns[c], part.columns[c], 0, part.count);
      pending.count += part.count;
      if (pending.count >= kBatchSize) Write(ctx, ws, p);
    }
  }
  void Write(ExecContext& ctx, Worker& ws, size_t p) {
    if (ws.pending[p].count == 0) return;
    if (!ws.files[p]) ws.files[p] = ctx.spill.CreateFile();
    ws.files[p]->Write(ws.pending[p]);
    ws.pending[p] = Batch();
  }
  // Writes what is buffered; returns the bytes spilled.
  int64_t Finish(ExecContext& ctx) {
    int64_t bytes = 0;
    for (auto& ws : workers) {
      for (size_t p = 0; p < ws.pending.size(); p++) Write(ctx, ws, p);
      ws.pending.clear();
      for (auto& f : ws.files)
        if (f) bytes += f->bytes();
    }
    return bytes;
  }
  std::vector<SpillFile*> Files(size_t p) {
    std::vector<SpillFile*> out;
    for (auto& ws : workers)
      if (p < ws.files.size() && ws.files[p]) out.push_back(ws.files[p].get());
    return out;
  }
};

// Whether preparing `op` reads input: some operator below it builds, aggregates or sorts.
bool PrepareDoesWork(const PhysicalOperator& op) {
  static const std::set<std::string> kStreaming = {"TableScan", "Filter", "Project",
                                                   "Exchange",  "Values", "SourceFailureGuard"};
  if (!kStreaming.count(op.name())) return true;
  for (const auto& c : op.children)
    if (PrepareDoesWork(*c)) return true;
  return false;
}

void CollectScans(const PhysicalOperator& op, std::set<const TableScan*>& out) {
  if (const TableScan* scan = TableScanOf(op)) out.insert(scan);
  for (const auto& c : op.children) CollectScans(*c, out);
}

// Whether two inputs read through one TableScan object (its splits are not made for two readers
// at once).
bool SharesScans(const PhysicalOperator& a, const PhysicalOperator& b) {
  std::set<const TableScan*> left, right;
  CollectScans(a, left);
  CollectScans(b, right);
  for (const auto* s : left)
    if (right.count(s)) return true;
  return false;
}

class HashJoinOperator : public PhysicalOperator {
 public:
  HashJoinOperator(PhysicalPtr left, PhysicalPtr right, const LogicalJoin& join)
      : PhysicalOperator(std::string("HashJoin"), join.OutputTypes()),
        type_(join.join_type),
        left_keys_(join.left_keys),
        right_keys_(join.right_keys),
        condition_(join.condition),
        null_aware_(join.null_aware),
        table_(join.right_keys.size()),
        logical_(&join) {
    left_types_ = left->types();
    right_types_ = right->types();
    if (left_keys_.empty() && type_ != JoinType::kCross) name_ = "NestedLoopJoin";
    if (type_ == JoinType::kCross) name_ = "CrossJoin";
    if (left_keys_.size() != right_keys_.size())
      throw Error(ErrorKind::kInternal, "join has a different number of left and right keys");
    if (auto* filtered = dynamic_cast<const LogicalDynamicFilterJoin*>(&join)) {
      dynamic_filters_ = filtered->dynamic_filters;
      dynamic_filter_max_keys_ = filtered->max_keys;
    }
    children.push_back(std::move(left));
    children.push_back(std::move(right));
  }

  struct State : OperatorState {
    std::unique_ptr<OperatorState> child;
    Batch probe;
    bool has_probe = false;
    bool left_done = false;
    size_t n = 0;
    size_t row = 0;
    uint32_t cur = kNone;
    KeyBatch keys;
    std::vector<uint32_t> ids, heads;
    std::vector<uint8_t> matched;
    std::vector<uint32_t> pi, bi, sel;
    std::deque<Batch> pending;
    size_t unmatched_pos = 0;
  };

  // RIGHT and FULL joins probe on every worker too: build rows are marked matched with atomic
  // stores, and the worker whose probe input ends last emits the unmatched build rows (a worker
  // creates its state before it reads any input, so when every state created so far has ended,
  // the probe input is done).
  bool IsParallel() const override { return children[0]->IsParallel(); }
  std::unique_ptr<OperatorState> CreateState() override {
    auto st = std::make_unique<State>();
    st->child = children[0]->CreateState();
    probes_started_.fetch_add(1, std::memory_order_acq_rel);
    return st;
  }

  std::string Describe() const override {
    std::string d = name_ + " " + JoinTypeName(type_);
    for (size_t i = 0; i < left_keys_.size(); i++) {
      d += (i ? " AND " : " ON ") + left_keys_[i]->ToString() + " = right." +
           right_keys_[i]->ToString();
    }
    if (condition_) d += " WHERE " + condition_->ToString();
    if (null_aware_) d += " (null-aware)";
    d += " build_rows=" + std::to_string(build_count_);
    if (built_) d += " build=concurrent";  // read while the probe side prepared
    if (!dynamic_filter_summary_.empty()) d += " " + dynamic_filter_summary_;
    if (spilled_) {
      d += " spilled=" + FormatBytes(spilled_bytes_) +
           " partitions=" + std::to_string(kSpillPartitions);
    }
    return d;
  }

  void FillStats(StepActual& stats) const override {
    PhysicalOperator::FillStats(stats);
    if (!spilled_) return;
    stats.spilled_bytes = spilled_bytes_;
    stats.spill_partitions = static_cast<int64_t>(kSpillPartitions);
  }

  void Build(ExecContext& ctx) override {
    if (!built_) BuildTable(ctx);
    if (!spilled_) return;
    // The probe side goes to disk too, split the same way.
    probe_spill_.Init(static_cast<size_t>(WorkerCount(ctx, *children[0])), left_types_,
                      spill_level_);
    RunParallel(ctx, *children[0], nullptr,
                [&](int w, Batch& b) { probe_spill_.Add(ctx, w, left_keys_, b); });
    spilled_bytes_ += probe_spill_.Finish(ctx);
  }

  // federation.parallel: when the probe side has blocking work of its own (a join build, an
  // aggregation, a sort), the build side is read and hashed on a thread of its own meanwhile, so
  // that independent sources (the build sides of a chain of joins) are fetched at the same time.
  void PrepareChildren(ExecContext& ctx) override {
    if (!ctx.options.parallel_fetch || !PrepareDoesWork(*children[0]) ||
        SharesScans(*children[0], *children[1])) {
      PhysicalOperator::PrepareChildren(ctx);
      return;
    }
    std::exception_ptr build_error;
    std::thread build([&] {
      try {
        children[1]->Prepare(ctx);
        BuildTable(ctx);
        built_ = true;
      } catch (...) {
        build_error = std::current_exception();
      }
    });
    std::exception_ptr probe_error;
    try {
      children[0]->Prepare(ctx);
    } catch (...) {
      probe_error = std::current_exception();
    }
    build.join();
    if (probe_error) std::rethrow_exception(probe_error);
    if (build_error) std::rethrow_exception(build_error);
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    if (spilled_) return NextSpilled(out);
    auto& st = static_cast<State&>(state);
    while (true) {
      if (!st.pending.empty()) {
        out = std::move(st.pending.front());
        st.pending.pop_front();
        return true;
      }
      if (!st.has_probe) {
        if (st.left_done) {
          if (!EmitUnmatchedBuild(st)) return false;
          continue;
        }
        Batch in;
        if (!children[0]->Next(*st.child, in)) {
          st.left_done = true;
          if (type_ != JoinType::kRight && type_ != JoinType::kFull) return false;
          // Only the last probe to end, once, emits the unmatched build rows.
          size_t ended = probes_ended_.fetch_add(1, std::memory_order_acq_rel) + 1;
          if (ended < probes_started_.load(std::memory_order_acquire) ||
              unmatched_claimed_.exchange(true, std::memory_order_acq_rel)) {
            return false;
          }
          continue;
        }
        LoadProbe(st, std::move(in));
        continue;
      }
      Produce(st);
    }
  }

 private:
  // Joins the spilled partitions one after the other, each by a HashJoin of its own.
  bool NextSpilled(Batch& out) {
    std::lock_guard<std::mutex> lock(spill_mutex_);
    while (true) {
      if (!sub_join_) {
        if (next_partition_ >= kSpillPartitions) return false;
        size_t p = next_partition_++;
        std::vector<SpillFile*> build_files = build_spill_.Files(p);
        std::vector<SpillFile*> probe_files = probe_spill_.Files(p);
        for (auto* f : build_files) f->Rewind();
        for (auto* f : probe_files) f->Rewind();
        auto sub = std::make_unique<HashJoinOperator>(
            std::make_unique<SpillScanOperator>(left_types_, probe_files),
            std::make_unique<SpillScanOperator>(right_types_, build_files), *logical_);
        sub->dynamic_filters_.clear();
        sub->spill_level_ = spill_level_ + 1;
        sub->Prepare(*ctx_);
        sub_state_ = sub->CreateState();
        sub_join_ = std::move(sub);
      }
      if (sub_join_->Next(*sub_state_, out)) return true;
      spilled_bytes_ += sub_join_->spilled_bytes_;
      sub_state_.reset();
      sub_join_.reset();
      // This partition's files are done: close them (their bytes go away).
      size_t p = next_partition_ - 1;
      for (auto* side : {&build_spill_, &probe_spill_})
        for (auto& ws : side->workers)
          if (p < ws.files.size()) ws.files[p].reset();
    }
  }

  void BuildTable(ExecContext& ctx) {
    int workers = WorkerCount(ctx, *children[1]);
    std::vector<std::vector<Batch>> parts(workers);
    std::vector<MemoryReservation> reservations;
    for (int w = 0; w < workers; w++) reservations.emplace_back(&ctx.memory, kWhat);
    const bool can_spill =
        ctx.spill.enabled() && !left_keys_.empty() && !null_aware_ && type_ != JoinType::kCross;
    std::atomic<bool> spilling{false};
    if (can_spill) build_spill_.Init(static_cast<size_t>(workers), right_types_, spill_level_);
    std::atomic<int64_t> own_bytes{0};
    RunParallel(ctx, *children[1], nullptr, [&](int w, Batch& b) {
      int64_t bytes = static_cast<int64_t>(b.MemoryUsage());
      int64_t own = own_bytes.fetch_add(bytes) + bytes;
      if (can_spill && !spilling.load(std::memory_order_relaxed) &&
          !reservations[w].TryResize(reservations[w].bytes() + bytes)) {
        if (spill_level_ >= kMaxSpillLevels) {
          // The last level builds what it has (other operators may hold the rest of the
          // budget) unless this partition alone is over the limit.
          if (own > ctx.memory.limit()) {
            throw Error(ErrorKind::kOutOfMemory,
                        "a partition of a spilled hash join still exceeds the memory limit of " +
                            FormatBytes(ctx.memory.limit()) + " (federation.max_memory) after " +
                            std::to_string(kMaxSpillLevels) +
                            " rounds of partitioning: too many rows share one join key; raise "
                            "it with SET SESSION max_memory");
          }
          reservations[w].ForceResize(reservations[w].bytes() + bytes);
          parts[w].push_back(std::move(b));
          return;
        }
        spilling.store(true);
      }
      if (spilling.load(std::memory_order_relaxed)) {
        for (auto& held : parts[w]) build_spill_.Add(ctx, w, right_keys_, held);
        parts[w].clear();
        reservations[w].Reset();
        build_spill_.Add(ctx, w, right_keys_, b);
        return;
      }
      if (!can_spill) reservations[w].Grow(static_cast<int64_t>(b.MemoryUsage()));
      parts[w].push_back(std::move(b));
    });
    if (spilling.load()) {
      for (int w = 0; w < workers; w++) {
        for (auto& held : parts[w]) build_spill_.Add(ctx, w, right_keys_, held);
        parts[w].clear();
      }
      reservations.clear();
      spilled_bytes_ += build_spill_.Finish(ctx);
      spilled_ = true;
      return;
    }
    size_t total = 0;
    for (auto& p : parts) {
      for (auto& b : p) total += b.count;
    }
    if (total >= kNone) throw Error(ErrorKind::kExecution, "join build side has too many rows");
    build_ = Batch(right_types_, std::max<size_t>(total, 1));
    next_.assign(total, kNone);
    KeyBatch kb;
    std::vector<Vector> key_vectors(right_keys_.size());
    std::vector<uint32_t> ids;
    size_t offset = 0;
    for (auto& p : parts) {
      for (auto& b : p) {
        for (size_t c = 0; c < right_keys_.size(); c++)
          key_vectors[c] = EvaluateExpr(*right_keys_[c], b);
        kb.Load(key_vectors, b.count);
        for (size_t c = 0; c < key_vectors.size();
             c++) {  // stored string keys point into these heaps
          if (key_vectors[c].type().IsStringLike() &&
              right_keys_[c]->kind != ExprKind::kColumnRef) {
            key_heaps_.push_back(key_vectors[c]);
          }
        }
        bool has_null = false;
        for (size_t c = 0; c < kb.columns.size(); c++)
          has_null = has_null || kb.columns[c].has_nulls;
        ids.resize(b.count);
        if (!has_null) {
          table_.FindOrInsert(kb, ids.data(), nullptr);
        } else {
          for (size_t i = 0; i < b.count; i++) {
            if (kb.any_null[i]) {
              build_has_null_key_ = true;
              ids[i] = kNone;
              continue;
            }
            bool is_new;
            ids[i] = table_.FindOrInsertRow(kb, i, &is_new);
          }
        }
        if (head_.size() < table_.size()) head_.resize(table_.size(), kNone);
        for (size_t i = 0; i < b.count; i++) {
          uint32_t id = ids[i];
          if (id == kNone) continue;
          uint32_t r = static_cast<uint32_t>(offset + i);
          next_[r] = head_[id];
          head_[id] = r;
        }
        for (size_t c = 0; c < right_types_.size(); c++)
          AppendRows(build_.columns[c], b.columns[c], 0, b.count);
        offset += b.count;
        b = Batch();
      }
    }
    build_.count = total;
    build_count_ = total;
    if (type_ == JoinType::kRight || type_ == JoinType::kFull)
      build_matched_ = std::vector<std::atomic<uint8_t>>(total);
    reservations.clear();
    memory_ = MemoryReservation(&ctx.memory, kWhat);
    int64_t table_bytes =
        static_cast<int64_t>(build_.MemoryUsage() + table_.MemoryUsage() + next_.capacity() * 4 +
                             head_.capacity() * 4 + build_matched_.capacity());
    // A join that may spill checked its input against the limit; the table built from it may
    // take somewhat more (bounded by that input).
    if (can_spill)
      memory_.ForceResize(table_bytes);
    else
      memory_.Resize(table_bytes);
    // Dynamic filtering: the probe scan has not created its splits yet (table scans create them
    // on their first Next), so it can still read less. head_ holds one build row per key.
    if (!dynamic_filters_.empty() && table_.size() > 0) {
      std::vector<uint32_t> key_rows(head_.begin(), head_.begin() + table_.size());
      dynamic_filter_summary_ = OfferDynamicFilters(dynamic_filters_, dynamic_filter_max_keys_,
                                                    build_, key_rows, right_keys_);
    }
  }

  void LoadProbe(State& st, Batch in) {
    st.probe = std::move(in);
    st.n = st.probe.count;
    st.has_probe = true;
    st.row = 0;
    st.heads.assign(st.n, kNone);
    st.matched.assign(st.n, 0);
    if (build_count_ > 0) {
      std::vector<Vector> key_vectors(left_keys_.size());
      for (size_t c = 0; c < left_keys_.size(); c++)
        key_vectors[c] = EvaluateExpr(*left_keys_[c], st.probe);
      st.keys.Load(key_vectors, st.n);
      st.ids.resize(st.n);
      table_.Find(st.keys, st.ids.data());
      for (size_t i = 0; i < st.n; i++) {
        if (st.keys.any_null[i]) continue;
        uint32_t id = st.ids[i];
        if (id != KeyTable::kNotFound) st.heads[i] = head_[id];
      }
    } else {
      st.keys.any_null.assign(st.n, 0);  // probe keys are irrelevant against an empty build
    }
    st.cur = st.n > 0 ? st.heads[0] : kNone;
  }

  bool OutputsPairs() const {
    return type_ == JoinType::kInner || type_ == JoinType::kLeft || type_ == JoinType::kRight ||
           type_ == JoinType::kFull || type_ == JoinType::kCross;
  }

  void Produce(State& st) {
    bool semi_like = type_ == JoinType::kSemi || type_ == JoinType::kAnti;
    if (semi_like && !condition_) {
      for (size_t i = 0; i < st.n; i++) st.matched[i] = st.heads[i] != kNone;
      FinishProbe(st);
      return;
    }
    st.pi.clear();
    st.bi.clear();
    while (st.row < st.n && st.pi.size() < kBatchSize) {
      while (st.cur != kNone && st.pi.size() < kBatchSize) {
        st.pi.push_back(static_cast<uint32_t>(st.row));
        st.bi.push_back(st.cur);
        st.cur = next_[st.cur];
      }
      if (st.cur == kNone) {
        st.row++;
        if (st.row < st.n) st.cur = st.heads[st.row];
      }
    }
    size_t m = st.pi.size();
    if (m > 0) {
      Batch cand;
      cand.count = m;
      cand.columns.reserve(left_types_.size() + right_types_.size());
      for (const auto& c : st.probe.columns) cand.columns.push_back(c.Gather(st.pi.data(), m));
      for (const auto& c : build_.columns) cand.columns.push_back(c.Gather(st.bi.data(), m));
      size_t passed = m;
      if (condition_) {
        passed = SelectRows(*condition_, cand, st.sel);
        for (size_t k = 0; k < passed; k++) {
          st.matched[st.pi[st.sel[k]]] = 1;
          if (!build_matched_.empty())
            build_matched_[st.bi[st.sel[k]]].store(1, std::memory_order_relaxed);
        }
      } else {
        for (size_t k = 0; k < m; k++) st.matched[st.pi[k]] = 1;
        if (!build_matched_.empty()) {
          for (size_t k = 0; k < m; k++)
            build_matched_[st.bi[k]].store(1, std::memory_order_relaxed);
        }
      }
      if (OutputsPairs() && passed > 0) {
        if (passed == m)
          st.pending.push_back(std::move(cand));
        else
          st.pending.push_back(cand.Gather(st.sel.data(), passed));
      }
    }
    if (st.row >= st.n) FinishProbe(st);
  }

  void FinishProbe(State& st) {
    st.has_probe = false;
    st.sel.clear();
    switch (type_) {
      case JoinType::kLeft:
      case JoinType::kFull:
        for (size_t i = 0; i < st.n; i++) {
          if (!st.matched[i]) st.sel.push_back(static_cast<uint32_t>(i));
        }
        if (!st.sel.empty()) {
          Batch out = st.probe.Gather(st.sel.data(), st.sel.size());
          for (const auto& t : right_types_) out.columns.push_back(NullVector(t, out.count));
          st.pending.push_back(std::move(out));
        }
        break;
      case JoinType::kSemi:
        for (size_t i = 0; i < st.n; i++) {
          if (st.matched[i]) st.sel.push_back(static_cast<uint32_t>(i));
        }
        break;
      case JoinType::kAnti: {
        bool build_empty = build_count_ == 0;
        if (null_aware_ && !build_empty && build_has_null_key_)
          break;  // x NOT IN (.., NULL): never TRUE
        for (size_t i = 0; i < st.n; i++) {
          if (st.matched[i]) continue;
          if (null_aware_ && !build_empty && st.keys.any_null.size() == st.n && st.keys.any_null[i])
            continue;
          st.sel.push_back(static_cast<uint32_t>(i));
        }
        break;
      }
      default:
        break;
    }
    if ((type_ == JoinType::kSemi || type_ == JoinType::kAnti) && !st.sel.empty()) {
      if (st.sel.size() == st.n)
        st.pending.push_back(std::move(st.probe));
      else
        st.pending.push_back(st.probe.Gather(st.sel.data(), st.sel.size()));
    }
    st.probe = Batch();
  }

  bool EmitUnmatchedBuild(State& st) {
    if (type_ != JoinType::kRight && type_ != JoinType::kFull) return false;
    st.sel.clear();
    while (st.unmatched_pos < build_count_ && st.sel.size() < kBatchSize) {
      if (!build_matched_[st.unmatched_pos].load(std::memory_order_relaxed))
        st.sel.push_back(static_cast<uint32_t>(st.unmatched_pos));
      st.unmatched_pos++;
    }
    if (st.sel.empty()) return false;
    Batch out;
    out.count = st.sel.size();
    for (const auto& t : left_types_) out.columns.push_back(NullVector(t, out.count));
    for (const auto& c : build_.columns) out.columns.push_back(c.Gather(st.sel.data(), out.count));
    st.pending.push_back(std::move(out));
    return true;
  }

  static constexpr const char* kWhat = "building the hash table of a join";

  JoinType type_;
  bool built_ = false;  // the build ran during PrepareChildren (federation.parallel)
  std::vector<ExprPtr> left_keys_;
  std::vector<ExprPtr> right_keys_;
  ExprPtr condition_;
  bool null_aware_;
  std::vector<LogicalType> left_types_;
  std::vector<LogicalType> right_types_;

  Batch build_;
  size_t build_count_ = 0;
  bool build_has_null_key_ = false;
  KeyTable table_;
  std::vector<uint32_t> head_;
  std::vector<uint32_t> next_;
  std::vector<std::atomic<uint8_t>> build_matched_;  // RIGHT/FULL: build row matched by a probe
  std::atomic<size_t> probes_started_{0};
  std::atomic<size_t> probes_ended_{0};
  std::atomic<bool> unmatched_claimed_{false};
  std::vector<Vector> key_heaps_;
  MemoryReservation memory_;
  std::vector<DynamicFilterTarget> dynamic_filters_;
  int64_t dynamic_filter_max_keys_ = 0;
  std::string dynamic_filter_summary_;
  // Grace hash join (see the top of the file).
  const LogicalJoin* logical_;
  int spill_level_ = 0;
  bool spilled_ = false;
  std::atomic<int64_t> spilled_bytes_{0};
  JoinSpillSide build_spill_;
  JoinSpillSide probe_spill_;
  std::mutex spill_mutex_;
  size_t next_partition_ = 0;
  std::unique_ptr<HashJoinOperator> sub_join_;
  std::unique_ptr<OperatorState> sub_state_;
};

}  // namespace

PhysicalPtr MakeHashJoinOperator(PhysicalPtr left, PhysicalPtr right, const LogicalJoin& join) {
  return std::make_unique<HashJoinOperator>(std::move(left), std::move(right), join);
}

}  // namespace aishell
