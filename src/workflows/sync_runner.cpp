#include "workflows/sync_runner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xxhash.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "common/exception.h"
#include "common/strings.h"

namespace aishell {

namespace {

std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string QuoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> VisibleColumns(const TableInfo& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns)
    if (!c.hidden) out.push_back(c.name);
  return out;
}

std::string ColumnList(const TableInfo& t) {
  std::string out;
  for (const auto& c : VisibleColumns(t)) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// The connector and table of one end of a job; throws naming the end and suggesting names.
struct ResolvedTable {
  std::shared_ptr<Connector> connector;
  std::string schema;
  std::shared_ptr<const TableInfo> table;  // null: no such table
  std::string from;
};

ResolvedTable Resolve(Engine& engine, const SyncTableRef& ref, const std::string& what) {
  ResolvedTable r;
  try {
    r.connector = engine.catalogs().GetCatalog(ref.connection);
  } catch (const Error& e) {
    throw Error(e.kind(), "sync " + what + " " + ref.ToString() + ": " + e.what());
  }
  r.schema = ref.schema.empty() ? r.connector->DefaultSchema() : ref.schema;
  r.table = r.connector->GetTable(r.schema, ref.table);
  r.from = QuoteIdent(ref.connection) + "." + QuoteIdent(r.schema) + "." + QuoteIdent(ref.table);
  return r;
}

[[noreturn]] void NoColumn(const std::string& what, const std::string& column,
                           const std::string& table, const TableInfo& info,
                           const std::string& hint_option) {
  std::string hint = SuggestName(column, VisibleColumns(info));
  throw Error(ErrorKind::kBinder, what + ": " + table + " has no column '" + column + "'" +
                                      (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                                      " (columns: " + ColumnList(info) + ")" + hint_option);
}

}  // namespace

SyncPlan PlanSync(Engine& engine, const SyncJob& job) {
  ResolvedTable src = Resolve(engine, job.source, "source");
  if (!src.table) {
    auto tables = src.connector->ListTables(src.schema);
    std::string hint = SuggestName(job.source.table, tables);
    throw Error(ErrorKind::kCatalog, "sync source " + job.source.ToString() +
                                         ": no such table in " + job.source.connection + "." +
                                         src.schema +
                                         (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  const TableInfo& st = *src.table;
  std::string src_name = job.source.ToString();
  std::vector<std::string> columns = job.columns.empty() ? VisibleColumns(st) : job.columns;
  for (auto& c : columns) {
    int i = st.FindColumn(c);
    if (i < 0) NoColumn("--columns", c, src_name, st, "");
    c = st.columns[i].name;
  }
  for (const auto& x : job.excludes) {
    int i = st.FindColumn(x);
    if (i < 0) NoColumn("--exclude", x, src_name, st, "");
    std::erase_if(columns, [&](const std::string& c) { return EqualsIgnoreCase(c, x); });
  }
  if (columns.empty() && job.add_fields.empty())
    throw Error(ErrorKind::kBinder, "sync " + src_name + ": no columns left to copy");
  // (target name, source expression)
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : columns) out.push_back({c, QuoteIdent(c)});
  // The default key is the source's `id`, under its new name when renamed.
  std::optional<size_t> id_index;
  for (size_t i = 0; i < out.size(); i++)
    if (EqualsIgnoreCase(out[i].first, "id")) id_index = i;
  for (const auto& [from, to] : job.renames) {
    bool found = false;
    for (auto& o : out) {
      if (EqualsIgnoreCase(o.first, from)) {
        o.first = to;
        found = true;
      }
    }
    if (!found) {
      if (st.FindColumn(from) < 0) NoColumn("--rename", from, src_name, st, "");
      throw Error(ErrorKind::kBinder, "--rename " + from + "=" + to + ": column '" + from +
                                          "' is not synced (left out by --columns or --exclude)");
    }
  }
  for (const auto& [name, expr] : job.add_fields) out.push_back({name, expr});
  std::set<std::string> seen;
  for (const auto& o : out) {
    if (!seen.insert(AsciiLower(o.first)).second) {
      throw Error(ErrorKind::kBinder,
                  "sync " + src_name + ": the target would get column '" + o.first + "' twice");
    }
  }
  if (job.mode == SyncMode::kIncremental && st.FindColumn(job.sync_key) < 0) {
    NoColumn("incremental sync needs a monotonic --sync-key", job.sync_key, src_name, st,
             "; name one with --sync-key <column>, or use --mode full");
  }
  SyncPlan plan;
  plan.source_from = src.from;
  plan.key = !job.key.empty() ? job.key : id_index ? out[*id_index].first : "id";
  {
    bool found = false;
    for (const auto& o : out) {
      if (EqualsIgnoreCase(o.first, plan.key)) {
        plan.key = o.first;
        plan.key_source = o.second;
        found = true;
      }
    }
    if (!found) {
      std::string names;
      for (const auto& o : out) names += (names.empty() ? "" : ", ") + o.first;
      throw Error(ErrorKind::kBinder, "sync " + src_name + ": the target key '" + plan.key +
                                          "' is not among the synced columns (" + names +
                                          "); name the key with --key <target column>");
    }
  }
  ResolvedTable tgt = Resolve(engine, job.target, "target");
  plan.target_from = tgt.from;
  if (!tgt.connector->SupportsWrites()) {
    throw Error(ErrorKind::kUnsupported, "sync target " + job.target.ToString() +
                                             ": source type '" + tgt.connector->TypeName() +
                                             "' cannot be written");
  }
  if (!tgt.table) {
    for (const auto& o : out) {
      plan.select_list +=
          (plan.select_list.empty() ? "" : ", ") + o.second + " AS " + QuoteIdent(o.first);
      plan.names.push_back(o.first);
      plan.exprs.push_back(o.second);
    }
    return plan;
  }
  plan.target_exists = true;
  const TableInfo& tt = *tgt.table;
  std::map<std::string, std::string> by_name;
  for (const auto& o : out) {
    if (tt.FindColumn(o.first) < 0) {
      NoColumn("sync target", o.first, job.target.ToString(), tt,
               "; rename it with --rename or leave it out with --exclude");
    }
    by_name[AsciiLower(o.first)] = o.second;
  }
  for (const auto& c : tt.columns) {
    auto it = by_name.find(AsciiLower(c.name));
    std::string expr = "CAST(" + (it == by_name.end() ? std::string("NULL") : it->second) + " AS " +
                       c.type.ToString() + ")";
    plan.select_list += (plan.select_list.empty() ? "" : ", ") + expr + " AS " + QuoteIdent(c.name);
    plan.names.push_back(c.name);
    plan.exprs.push_back(expr);
    if (EqualsIgnoreCase(c.name, plan.key)) plan.key = c.name;
  }
  return plan;
}

namespace {

// An exclusive lock on home/sync/<name>.lock for one run.
class JobLock {
 public:
  JobLock(const SyncJobStore& store, const std::string& name) {
    std::filesystem::create_directories(store.dir());
    std::string path = store.dir() + "/" + name + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
    if (fd_ < 0) throw Error(ErrorKind::kIo, "cannot open " + path);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw Error(
          ErrorKind::kExecution,
          "sync job '" + name + "' is already running (another process holds " + path + ")");
    }
  }
  ~JobLock() { ::close(fd_); }

 private:
  int fd_ = -1;
};

}  // namespace

SyncRunResult RunSyncJob(Engine& engine, const SyncJobStore& store, const SyncJob& job,
                         int64_t scheduled_slot) {
  JobLock lock(store, job.name);
  auto start = std::chrono::steady_clock::now();
  SyncState state = store.LoadState(job.name);
  if (state.registered_at == 0) state.registered_at = NowSeconds();
  state.last_run_start = NowSeconds();
  if (scheduled_slot > 0) state.last_slot = scheduled_slot;
  state.runs++;
  SyncRunResult result;
  std::unique_ptr<TableWriter> writer;
  try {
    SyncPlan plan = PlanSync(engine, job);
    bool incremental = job.mode == SyncMode::kIncremental;
    {
      ResolvedTable tgt = Resolve(engine, job.target, "target");
      // Elasticsearch keys documents by _id, which must be the sync key from the first write on:
      // a new index is created empty first, then written like an existing one (a crash in
      // between leaves an empty index and the watermark where it was). Other sources write a new
      // table's rows in the same write that creates it (MongoDB infers columns from documents).
      if (!tgt.table && tgt.connector->SupportsUpsert() &&
          tgt.connector->TypeName() == "elasticsearch") {
        auto probe =
            engine.Query("SELECT " + plan.select_list + " FROM " + plan.source_from + " LIMIT 0");
        std::vector<ColumnInfo> info;
        for (const auto& c : probe->columns()) info.push_back(ColumnInfo{c.name, c.type});
        probe.reset();
        auto create = tgt.connector->CreateTable(tgt.schema, job.target.table, info);
        create->Commit();
        result.created_target = true;
        plan = PlanSync(engine, job);
      }
    }
    std::string sql = "SELECT " + plan.select_list;
    if (incremental) sql += ", " + QuoteIdent(job.sync_key) + " AS \"__aishell_sync_key\"";
    sql += " FROM " + plan.source_from;
    if (incremental && state.watermark) {
      // At or after: rows that share the watermark's value but came later are read again, and the
      // upsert keyed by the target key writes them once.
      sql += " WHERE " + QuoteIdent(job.sync_key) +
             (job.conflict == UpsertConflict::kError ? " > " : " >= ") + "CAST(" +
             QuoteLiteral(*state.watermark) + " AS " + state.watermark_type + ")";
      result.watermark_before = *state.watermark;
    }
    result.source_sql = sql;
    auto stream = engine.Query(sql);
    std::vector<OutputColumn> cols = stream->columns();
    size_t n = plan.names.size();
    ResolvedTable tgt = Resolve(engine, job.target, "target");
    if (tgt.table) {
      if (!tgt.connector->SupportsUpsert()) {
        throw Error(ErrorKind::kUnsupported,
                    "sync target " + job.target.ToString() + ": source type '" +
                        tgt.connector->TypeName() +
                        "' cannot replace rows by key (upsert), which sync into an existing "
                        "table needs; sync into a new table, or into another source");
      }
      std::vector<int> key{tgt.table->FindColumn(plan.key)};
      writer = tgt.connector->UpsertInto(tgt.table, key, job.conflict);
    } else {
      std::vector<ColumnInfo> info;
      for (size_t i = 0; i < n; i++) info.push_back(ColumnInfo{cols[i].name, cols[i].type});
      writer = tgt.connector->CreateTable(tgt.schema, job.target.table, info);
      result.created_target = true;  // a source that cannot upsert: later runs say so
    }
    Value max_key;
    Batch batch;
    while (stream->Next(batch)) {
      Batch out;
      out.columns.assign(batch.columns.begin(), batch.columns.begin() + n);
      out.count = batch.count;
      writer->Append(out);
      result.rows += static_cast<int64_t>(batch.count);
      if (incremental) {
        for (size_t r = 0; r < batch.count; r++) {
          Value v = batch.columns[n].GetValue(r);
          if (!v.is_null() && (max_key.is_null() || v.Compare(max_key) > 0)) max_key = v;
        }
      }
    }
    writer->Commit();
    writer.reset();
    // Only now, with the rows in the target, does the watermark move.
    if (incremental && !max_key.is_null()) {
      state.watermark = max_key.ToString();
      state.watermark_type = cols[n].type.ToString();
    }
    result.watermark_after = state.watermark.value_or("");
    state.last_status = "ok";
    state.last_error.clear();
    state.last_rows = result.rows;
    state.total_rows += result.rows;
    state.last_run_end = state.last_success = NowSeconds();
    store.SaveState(job.name, state);
  } catch (const Error& e) {
    if (writer) writer->Abort();
    state.last_status = "failed";
    state.last_error = e.what();
    state.last_rows = 0;
    state.failures++;
    state.last_run_end = NowSeconds();
    store.SaveState(job.name, state);
    throw;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

namespace {

struct SideScan {
  std::map<int, std::pair<int64_t, uint64_t>> ranges;  // range -> (rows, sum of row hashes)
  int64_t rows = 0;
};

uint64_t RowHash(const Batch& b, size_t r, size_t n) {
  std::string text;
  for (size_t c = 0; c < n; c++) {
    Value v = b.columns[c].GetValue(r);
    text += v.is_null() ? std::string("\x01NULL") : v.ToString();
    text += '\x1f';
  }
  return XXH64(text.data(), text.size(), 0);
}

}  // namespace

SyncValidation ValidateSync(Engine& engine, const SyncJobStore& store, const SyncJob& job,
                            size_t max_keys) {
  SyncPlan plan = PlanSync(engine, job);
  if (!plan.target_exists) {
    throw Error(ErrorKind::kCatalog, "validate-sync " + job.name + ": the target " +
                                         job.target.ToString() +
                                         " does not exist yet (run the job first: aishell sync "
                                         "run " +
                                         job.name + ")");
  }
  // Compare the synced columns but not the added ones (synced_at differs by nature).
  std::set<std::string> added;
  for (const auto& [name, expr] : job.add_fields) added.insert(AsciiLower(name));
  std::vector<std::string> names;
  std::string target_cols, source_cols;
  for (size_t i = 0; i < plan.names.size(); i++) {
    if (added.count(AsciiLower(plan.names[i]))) continue;
    if (plan.exprs[i].rfind("CAST(NULL AS", 0) == 0) continue;  // not fed by the source
    names.push_back(plan.names[i]);
    source_cols +=
        (source_cols.empty() ? "" : ", ") + plan.exprs[i] + " AS " + QuoteIdent(plan.names[i]);
    target_cols += (target_cols.empty() ? "" : ", ") + QuoteIdent(plan.names[i]);
  }
  size_t key_index = 0;
  for (size_t i = 0; i < names.size(); i++)
    if (EqualsIgnoreCase(names[i], plan.key)) key_index = i;
  std::string source_sql = "SELECT " + source_cols + " FROM " + plan.source_from;
  std::string target_sql = "SELECT " + target_cols + " FROM " + plan.target_from;
  constexpr int kRanges = 16;
  // Integer keys: ranges of equal width between the smallest and largest key of both sides.
  bool numeric_key = false;
  int64_t lo = 0, width = 1;
  {
    auto probe = [&](const std::string& from, const std::string& key_expr) {
      return engine.Execute("SELECT min(" + key_expr + "), max(" + key_expr + ") FROM " + from);
    };
    auto s = probe("(" + source_sql + ") s", QuoteIdent(names[key_index]));
    auto t = probe("(" + target_sql + ") t", QuoteIdent(names[key_index]));
    if (!s.columns.empty() && s.columns[0].type.IsIntegral()) {
      numeric_key = true;
      std::optional<int64_t> mn, mx;
      for (auto* r : {&s, &t}) {
        if (r->batches.empty() || r->batches[0].count == 0) continue;
        Value a = r->batches[0].columns[0].GetValue(0), b = r->batches[0].columns[1].GetValue(0);
        if (!a.is_null()) mn = mn ? std::min(*mn, a.GetInt64()) : a.GetInt64();
        if (!b.is_null()) mx = mx ? std::max(*mx, b.GetInt64()) : b.GetInt64();
      }
      if (mn && mx) {
        lo = *mn;
        width = std::max<int64_t>(1, (*mx - *mn) / kRanges + 1);
      }
    }
  }
  auto range_of = [&](const Value& key) -> int {
    if (key.is_null()) return -1;
    if (numeric_key) return static_cast<int>((key.GetInt64() - lo) / width);
    std::string t = key.ToString();
    return static_cast<int>(XXH64(t.data(), t.size(), 0) % kRanges);
  };
  size_t n = names.size();
  auto scan = [&](const std::string& sql, SideScan& side) {
    auto stream = engine.Query(sql);
    Batch b;
    while (stream->Next(b)) {
      for (size_t r = 0; r < b.count; r++) {
        auto& slot = side.ranges[range_of(b.columns[key_index].GetValue(r))];
        slot.first++;
        slot.second += RowHash(b, r, n);
        side.rows++;
      }
    }
  };
  SideScan src, tgt;
  scan(source_sql, src);
  scan(target_sql, tgt);
  SyncValidation v;
  v.source_rows = src.rows;
  v.target_rows = tgt.rows;
  std::set<int> all;
  for (auto& [k, _] : src.ranges) all.insert(k);
  for (auto& [k, _] : tgt.ranges) all.insert(k);
  std::set<int> differing;
  for (int k : all) {
    SyncValidation::Range range;
    if (k < 0) {
      range.label = plan.key + " NULL";
    } else if (numeric_key) {
      range.label = plan.key + " " + std::to_string(lo + k * width) + ".." +
                    std::to_string(lo + (k + 1) * width - 1);
    } else {
      range.label = plan.key + " hash bucket " + std::to_string(k);
    }
    auto s = src.ranges.count(k) ? src.ranges[k] : std::pair<int64_t, uint64_t>{0, 0};
    auto t = tgt.ranges.count(k) ? tgt.ranges[k] : std::pair<int64_t, uint64_t>{0, 0};
    range.source_rows = s.first;
    range.target_rows = t.first;
    range.equal = s == t;
    if (!range.equal) differing.insert(k);
    v.ranges.push_back(range);
  }
  if (!differing.empty()) {
    // Second pass over the differing ranges only: per key, the row hashes of each side.
    std::map<std::string, std::pair<std::vector<uint64_t>, std::vector<uint64_t>>> keys;
    auto collect = [&](const std::string& sql, bool is_source) {
      auto stream = engine.Query(sql);
      Batch b;
      while (stream->Next(b)) {
        for (size_t r = 0; r < b.count; r++) {
          Value key = b.columns[key_index].GetValue(r);
          if (!differing.count(range_of(key))) continue;
          auto& e = keys[key.is_null() ? "NULL" : key.ToString()];
          (is_source ? e.first : e.second).push_back(RowHash(b, r, n));
        }
      }
    };
    collect(source_sql, true);
    collect(target_sql, false);
    for (auto& [key, sides] : keys) {
      std::sort(sides.first.begin(), sides.first.end());
      std::sort(sides.second.begin(), sides.second.end());
      if (sides.first == sides.second) continue;
      std::string why;
      if (sides.second.empty()) {
        why = "missing in the target";
      } else if (sides.first.empty()) {
        why = "only in the target";
      } else if (sides.second.size() > 1 && sides.second.size() != sides.first.size()) {
        why = std::to_string(sides.second.size()) + " rows in the target";
      } else {
        why = "values differ";
      }
      v.differing_key_count++;
      if (v.differing_keys.size() < max_keys)
        v.differing_keys.push_back(plan.key + "=" + key + ": " + why);
    }
  }
  // The lag: source rows after the stored watermark.
  SyncState state = store.LoadState(job.name);
  if (job.mode == SyncMode::kIncremental) {
    std::string where;
    if (state.watermark) {
      where = " WHERE " + QuoteIdent(job.sync_key) + " > CAST(" + QuoteLiteral(*state.watermark) +
              " AS " + state.watermark_type + ")";
    }
    QueryResult r = engine.Execute("SELECT count(*), max(" + QuoteIdent(job.sync_key) + ") FROM " +
                                   plan.source_from + where);
    int64_t pending = 0;
    std::string newest;
    if (!r.batches.empty() && r.batches[0].count) {
      pending = r.batches[0].columns[0].GetValue(0).GetInt64();
      Value m = r.batches[0].columns[1].GetValue(0);
      if (!m.is_null()) newest = m.ToString();
    }
    if (pending == 0) {
      v.lag = "up to date (watermark " + state.watermark.value_or("none") + ")";
    } else {
      v.lag = std::to_string(pending) + " source row(s) newer than the watermark (" +
              state.watermark.value_or("none") + "; newest " + job.sync_key + " " + newest + ")";
    }
  } else {
    v.lag = state.last_success ? "full sync; last successful run " +
                                     std::to_string(NowSeconds() - state.last_success) + " s ago"
                               : "full sync; never ran";
  }
  return v;
}

}  // namespace aishell
