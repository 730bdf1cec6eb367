// Lookup join: the driving input is read in rounds of up to batch_size distinct keys; each round
// fetches the matching rows of the looked-up scan with one LookupKeys call and joins them with
// the round's rows by a small hash join (the same operator, keys, condition and join type as a
// plain hash join, so the semantics are identical).
#include "exec/operator/join/lookup_join.h"

#include <numeric>

#include "common/exception.h"
#include "exec/key_table.h"
#include "exec/operator/operators.h"
#include "functions/cast.h"

namespace aishell {

namespace {

// Hands out batches it was given (one round's input of the inner hash join).
class BatchListOperator : public PhysicalOperator {
 public:
  BatchListOperator(std::vector<LogicalType> types, std::vector<Batch> batches)
      : PhysicalOperator("Batches", std::move(types)), batches_(std::move(batches)) {}

 protected:
  bool GetNext(OperatorState&, Batch& out) override {
    while (pos_ < batches_.size()) {
      out = std::move(batches_[pos_++]);
      if (out.count > 0) return true;
    }
    return false;
  }

 private:
  std::vector<Batch> batches_;
  size_t pos_ = 0;
};

std::string TableName(const LogicalScan& scan) {
  std::string name = scan.catalog_name.empty() ? "" : scan.catalog_name + ".";
  if (scan.table) {
    if (!scan.table->schema.empty()) name += scan.table->schema + ".";
    name += scan.table->name;
  }
  return name;
}

class LookupJoinOperator : public PhysicalOperator {
 public:
  LookupJoinOperator(PhysicalPtr driving, const LogicalLookupJoin& join)
      : PhysicalOperator("LookupJoin", join.OutputTypes()),
        lookup_side_(join.lookup_side),
        scan_(join.scan ? join.scan->scan : nullptr),
        scan_filter_(join.scan_filter),
        projection_(join.projection),
        key_columns_(join.key_columns),
        batch_size_(static_cast<size_t>(std::max<int64_t>(1, join.batch_size))),
        dedupe_(join.key_columns.size()) {
    if (!scan_ || !join.scan->table)
      throw Error(ErrorKind::kInternal, "lookup join without a table scan to look up");
    table_ = TableName(*join.scan);
    catalog_ = join.scan->catalog_name;
    table_only_ = join.scan->table->schema.empty()
                      ? join.scan->table->name
                      : join.scan->table->schema + "." + join.scan->table->name;
    estimated_rows_ = join.estimated_rows;
    if (join.scan->estimated_rows >= 0 && estimated_rows_ > join.scan->estimated_rows)
      estimated_rows_ = join.scan->estimated_rows;
    inner_.output = join.output;
    inner_.join_type = join.join_type;
    inner_.left_keys = join.left_keys;
    inner_.right_keys = join.right_keys;
    inner_.condition = join.condition;
    inner_.null_aware = join.null_aware;
    driving_keys_ = lookup_side_ == 1 ? join.left_keys : join.right_keys;
    lookup_types_ = join.children.at(lookup_side_)->OutputTypes();
    driving_types_ = driving->types();
    for (int c : key_columns_) key_types_.push_back(join.scan->table->columns.at(c).type);
    std::vector<std::string> names;
    for (int c : key_columns_) names.push_back(join.scan->table->columns.at(c).name);
    for (size_t i = 0; i < names.size(); i++) key_names_ += (i ? ", " : "") + names[i];
    per_batch_ = scan_->DescribeLookup(key_columns_, batch_size_);
    std::string keys;
    for (size_t i = 0; i < join.left_keys.size(); i++) {
      keys += (i ? " AND " : " ON ") + join.left_keys[i]->ToString() + " = right." +
              join.right_keys[i]->ToString();
    }
    if (join.condition) keys += " WHERE " + join.condition->ToString();
    on_ = JoinTypeName(join.join_type) + keys;
    // The looked-up side of a LEFT join (RIGHT: left side) may be lost to a source failure under
    // on_source_failure = continue: its rows then do not match (SourceFailureWarning).
    optional_ = (join.join_type == JoinType::kLeft && lookup_side_ == 1) ||
                (join.join_type == JoinType::kRight && lookup_side_ == 0);
    std::string columns;
    for (const auto& c : join.children.at(lookup_side_)->output)
      columns += (columns.empty() ? "" : ", ") + c.name;
    missing_ = table_ + ": columns " + columns + " are NULL where its rows were not read";
    children.push_back(std::move(driving));
  }

  struct State : OperatorState {
    std::unique_ptr<OperatorState> child;
  };
  std::unique_ptr<OperatorState> CreateState() override {
    auto st = std::make_unique<State>();
    st->child = children[0]->CreateState();
    return st;
  }

  std::string Describe() const override {
    std::string d = "LookupJoin " + on_ + " lookup=" + table_ + " by (" + key_names_ + ")" +
                    " side=" + (lookup_side_ == 1 ? "right" : "left") +
                    " batch_size=" + std::to_string(batch_size_);
    d += " [per batch: " + (per_batch_.empty() ? std::string("LookupKeys") : per_batch_) + "]";
    d += " batches=" + std::to_string(batches_.load()) + " keys=" + std::to_string(keys_.load()) +
         " rows_fetched=" + std::to_string(rows_fetched_.load());
    return d;
  }

  // The step's rows are those fetched (its time leaves out the driving input's, as for all).
  bool ReportProgress(SourceProgress& progress) const override {
    progress.source = catalog_;
    progress.table = table_only_;
    progress.kind = "lookup";
    progress.rows_read = rows_fetched_.load();
    progress.bytes_read = scan_->counters().bytes_read.load();
    progress.estimated_rows = estimated_rows_;
    progress.done = done_.load();
    return true;
  }

  void FillStats(StepActual& stats) const override {
    PhysicalOperator::FillStats(stats);
    stats.rows = rows_fetched_.load();
    stats.batches = batches_.load();
    stats.round_trips = batches_.load();
    int64_t bytes = scan_->counters().bytes_read.load();
    stats.bytes = bytes > 0 ? bytes : -1;
  }

 protected:
  bool GetNext(OperatorState& state, Batch& out) override {
    auto& st = static_cast<State&>(state);
    while (true) {
      if (round_) {
        if (round_->Next(*round_state_, out)) return true;
        round_state_.reset();
        round_.reset();
      }
      if (driving_done_ && leftover_.count == 0) {
        done_ = true;
        return false;
      }
      StartRound(st);
    }
  }

 private:
  // Reads driving rows until batch_size distinct keys (or the end), fetches their matches, and
  // sets up the round's hash join.
  void StartRound(State& st) {
    std::vector<Batch> rows;
    std::vector<Vector> key_values;
    for (const auto& e : driving_keys_) key_values.emplace_back(e->type, batch_size_);
    size_t distinct = 0;
    dedupe_ = KeyTable(driving_keys_.size());
    KeyBatch kb;
    std::vector<Vector> kv(driving_keys_.size());
    std::vector<uint32_t> new_rows;
    std::vector<std::vector<Vector>> keep_alive;
    while (distinct < batch_size_ || leftover_.count > 0) {
      Batch in;
      if (leftover_.count > 0) {
        in = std::move(leftover_);
        leftover_ = Batch();
      } else if (driving_done_ || !children[0]->Next(*st.child, in)) {
        driving_done_ = true;
        break;
      }
      if (in.count == 0) continue;
      for (size_t c = 0; c < driving_keys_.size(); c++) kv[c] = EvaluateExpr(*driving_keys_[c], in);
      keep_alive.push_back(kv);  // dedupe_ keeps views into string keys
      kb.Load(kv, in.count);
      new_rows.clear();
      size_t cutoff = in.count;
      for (size_t i = 0; i < in.count; i++) {
        if (kb.any_null[i]) continue;  // a NULL key never matches: not asked for
        bool is_new = false;
        dedupe_.FindOrInsertRow(kb, i, &is_new);
        if (!is_new) continue;
        if (distinct == batch_size_) {
          cutoff = i;  // this key starts the next round
          break;
        }
        new_rows.push_back(static_cast<uint32_t>(i));
        distinct++;
      }
      for (size_t c = 0; c < kv.size(); c++) {
        if (new_rows.empty()) break;
        Vector g = kv[c].Gather(new_rows.data(), new_rows.size());
        AppendRows(key_values[c], g, 0, new_rows.size());
      }
      if (cutoff < in.count) {
        std::vector<uint32_t> sel(in.count - cutoff);
        std::iota(sel.begin(), sel.end(), static_cast<uint32_t>(cutoff));
        leftover_ = in.Gather(sel.data(), sel.size());
        sel.resize(cutoff);
        std::iota(sel.begin(), sel.end(), 0u);
        if (cutoff > 0) rows.push_back(in.Gather(sel.data(), cutoff));
        break;
      }
      rows.push_back(std::move(in));
    }
    dedupe_ = KeyTable(driving_keys_.size());  // its keys point into this round's batches
    if (rows.empty()) return;
    std::vector<Batch> fetched;
    if (distinct > 0) fetched = Fetch(key_values, distinct);
    PhysicalPtr drive = std::make_unique<BatchListOperator>(driving_types_, std::move(rows));
    PhysicalPtr found = std::make_unique<BatchListOperator>(lookup_types_, std::move(fetched));
    if (lookup_side_ == 1)
      round_ = MakeHashJoinOperator(std::move(drive), std::move(found), inner_);
    else
      round_ = MakeHashJoinOperator(std::move(found), std::move(drive), inner_);
    round_->Prepare(*ctx_);
    round_state_ = round_->CreateState();
  }

  // One LookupKeys call for `count` distinct keys; the rows after the lookup side's filter and
  // projection.
  std::vector<Batch> Fetch(std::vector<Vector>& key_values, size_t count) {
    Batch keys;
    keys.count = count;
    for (size_t c = 0; c < key_values.size(); c++) {
      key_values[c].Resize(count);
      keys.columns.push_back(key_types_[c] == key_values[c].type()
                                 ? key_values[c]
                                 : CastVector(key_values[c], key_types_[c], /*try_cast=*/true));
    }
    // A key that does not convert to the column's type cannot equal any of its values.
    std::vector<uint32_t> sel;
    for (size_t r = 0; r < count; r++) {
      bool ok = true;
      for (const auto& col : keys.columns) ok = ok && col.IsValid(r);
      if (ok) sel.push_back(static_cast<uint32_t>(r));
    }
    if (sel.size() < count) keys = keys.Gather(sel.data(), sel.size());
    std::vector<Batch> out;
    if (keys.count == 0) return out;
    if (source_failed_) return out;
    batches_++;
    keys_ += static_cast<int64_t>(keys.count);
    try {
      FetchInto(keys, out);
    } catch (const Error& e) {
      if (!optional_ || !ctx_->options.continue_on_source_failure || !IsSourceFailure(e)) throw;
      source_failed_ = true;
      ctx_->AddWarning(SourceFailureWarning(e, missing_));
      out.clear();  // this round's driving rows find no match, as in the rounds after it
    }
    return out;
  }

  void FetchInto(const Batch& keys, std::vector<Batch>& out) {
    std::unique_ptr<DataSource> source = scan_->LookupKeys(key_columns_, keys);
    Batch b;
    std::vector<uint32_t> pass;
    while (source->Next(b)) {
      ctx_->CheckInterrupted();
      if (b.count == 0) continue;
      for (auto& c : b.columns) {
        if (c.size() < b.count && c.kind() == VectorKind::kFlat) c.Resize(b.count);
      }
      rows_fetched_ += static_cast<int64_t>(b.count);
      if (scan_filter_) {
        size_t n = SelectRows(*scan_filter_, b, pass);
        if (n == 0) {
          b = Batch();
          continue;
        }
        if (n < b.count) b = b.Gather(pass.data(), n);
      }
      if (!projection_.empty()) {
        Batch p;
        p.count = b.count;
        for (const auto& e : projection_) p.columns.push_back(EvaluateExpr(*e, b));
        b = std::move(p);
      }
      if (b.columns.size() != lookup_types_.size()) {
        throw Error(ErrorKind::kInternal,
                    "lookup of " + table_ + " returned " + std::to_string(b.columns.size()) +
                        " columns, expected " + std::to_string(lookup_types_.size()));
      }
      out.push_back(std::move(b));
      b = Batch();
    }
  }

  int lookup_side_;
  std::shared_ptr<TableScan> scan_;
  ExprPtr scan_filter_;
  std::vector<ExprPtr> projection_;
  std::vector<int> key_columns_;
  size_t batch_size_;
  LogicalJoin inner_;
  std::vector<ExprPtr> driving_keys_;
  std::vector<LogicalType> lookup_types_, driving_types_, key_types_;
  std::string table_, key_names_, per_batch_, on_;

  KeyTable dedupe_;
  Batch leftover_;
  bool driving_done_ = false;
  PhysicalPtr round_;
  std::unique_ptr<OperatorState> round_state_;
  std::atomic<int64_t> batches_{0}, keys_{0}, rows_fetched_{0};
  std::atomic<bool> done_{false};
  std::string catalog_, table_only_;
  double estimated_rows_ = -1;
  bool optional_ = false;       // the looked-up side may be lost (see the constructor)
  bool source_failed_ = false;  // it was: no more lookups
  std::string missing_;
};

}  // namespace

PhysicalPtr MakeLookupJoinOperator(PhysicalPtr driving, const LogicalLookupJoin& join) {
  return std::make_unique<LookupJoinOperator>(std::move(driving), join);
}

std::string OfferDynamicFilters(const std::vector<DynamicFilterTarget>& targets, int64_t max_keys,
                                const Batch& build, const std::vector<uint32_t>& key_rows,
                                const std::vector<ExprPtr>& build_keys) {
  if (targets.empty() || key_rows.empty()) return {};
  if (static_cast<int64_t>(key_rows.size()) > max_keys) {
    return "dynamic filter not offered: " + std::to_string(key_rows.size()) + " keys > " +
           std::to_string(max_keys);
  }
  std::string summary;
  // One build row per distinct (composite) key; one key column may still repeat values.
  Batch rows = build.Gather(key_rows.data(), key_rows.size());
  for (const auto& t : targets) {
    if (!t.scan || t.key_index >= build_keys.size()) continue;
    Vector values = EvaluateExpr(*build_keys[t.key_index], rows);
    if (!(values.type() == t.column_type))
      values = CastVector(values, t.column_type, /*try_cast=*/true);
    Batch batch;
    batch.columns.emplace_back(t.column_type, key_rows.size());
    Vector& dst = batch.columns[0];
    KeyTable seen(1);
    KeyBatch kb;
    kb.Load({values}, key_rows.size());
    std::vector<uint32_t> keep;
    for (size_t r = 0; r < key_rows.size(); r++) {
      if (kb.any_null[r]) continue;
      bool is_new = false;
      seen.FindOrInsertRow(kb, r, &is_new);
      if (is_new) keep.push_back(static_cast<uint32_t>(r));
    }
    if (keep.empty()) continue;
    dst = values.Gather(keep.data(), keep.size());
    batch.count = keep.size();
    bool accepted = t.scan->PushDynamicFilter(t.table_column, batch);
    summary += (summary.empty() ? "" : ", ") + std::string("dynamic filter ") + t.name + " IN " +
               std::to_string(batch.count) + " key(s) " + (accepted ? "accepted" : "refused");
  }
  return summary;
}

}  // namespace aishell
