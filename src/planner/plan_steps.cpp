#include "planner/plan_steps.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/exception.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "planner/optimizer/lookup_join.h"

namespace aishell {

namespace {

// The defaults: a server on the same network (about 1 ms a round trip), each source at the
// rate its reader streams rows here (PostgreSQL's binary COPY fastest; MongoDB's and
// Elasticsearch's JSON pages slower). Kept in one text so that `config list` shows them.
constexpr const char* kDefaultModel =
    "postgres=1000000/2ms/0, sqlite=2000000/0ms/0, mongodb=150000/2ms/1000, "
    "elasticsearch=100000/3ms/1000, opensearch=100000/3ms/1000, redis=300000/1ms/1000, "
    "iceberg=5000000/5ms/0, file=5000000/0ms/0, engine=20000000/0ms/0";

std::string WithThousands(double value) {
  if (value < 0) return "?";
  if (value >= 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3g", value);
    return buf;
  }
  std::string digits = std::to_string(static_cast<long long>(std::llround(value)));
  std::string out;
  int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[static_cast<size_t>(i)]);
  }
  return out;
}

std::string Seconds(double s) {
  char buf[32];
  if (s < 0.001) return "<1ms";
  if (s < 1) {
    std::snprintf(buf, sizeof(buf), "%.0fms", s * 1000);
  } else if (s < 10) {
    std::snprintf(buf, sizeof(buf), "%.2fs", s);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1fs", s);
  }
  return buf;
}

std::string Bytes(int64_t b) {
  char buf[32];
  if (b < 1024) {
    std::snprintf(buf, sizeof(buf), "%lld B", static_cast<long long>(b));
  } else if (b < 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.1f KB", static_cast<double>(b) / 1024);
  } else if (b < 1024LL * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.1f MB", static_cast<double>(b) / (1024.0 * 1024));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2f GB", static_cast<double>(b) / (1024.0 * 1024 * 1024));
  }
  return buf;
}

std::string TableName(const LogicalScan& scan) {
  if (!scan.table) return scan.catalog_name;
  return scan.table->name;
}

std::string QualifiedName(const LogicalScan& scan) {
  std::string out = scan.catalog_name;
  if (scan.table) {
    if (!scan.table->schema.empty()) out += (out.empty() ? "" : ".") + scan.table->schema;
    out += (out.empty() ? "" : ".") + scan.table->name;
  }
  return out;
}

// A ratio of actual to estimated rows of 10 or more either way.
std::string Misestimate(double estimated, int64_t actual) {
  if (estimated < 0 || actual < 0) return {};
  double e = std::max(estimated, 1.0);
  double a = std::max(static_cast<double>(actual), 1.0);
  if (a / e >= 10) return WithThousands(a / e) + "x more rows than estimated";
  if (e / a >= 10) return WithThousands(e / a) + "x fewer rows than estimated";
  return {};
}

class StepCollector {
 public:
  StepCollector(const PlanStepsOptions& options, PlanSteps* out) : options_(options), out_(out) {}

  // Appends the steps of `op`'s subtree in the order they run; returns its estimated time.
  double Walk(const LogicalOperator& op, bool under_join) {
    switch (op.kind) {
      case LogicalOpKind::kScan:
        return ScanStep(static_cast<const LogicalScan&>(op));
      case LogicalOpKind::kProject:
      case LogicalOpKind::kValues:
        return WalkChildren(op, under_join);
      case LogicalOpKind::kFilter:
        return FilterStep(static_cast<const LogicalFilter&>(op), under_join);
      case LogicalOpKind::kJoin:
        if (const auto* lookup = dynamic_cast<const LogicalLookupJoin*>(&op))
          return LookupStep(*lookup, under_join);
        return JoinStep(static_cast<const LogicalJoin&>(op), under_join);
      case LogicalOpKind::kAggregate: {
        double t = WalkChildren(op, under_join);
        std::string title =
            under_join ? "Pre-aggregate in the engine before the join" : "Aggregate in the engine";
        if (under_join)
          optimizations.push_back("Pre-aggregating before the join: " + op.Describe());
        return t + EngineStep(op, "aggregate", title);
      }
      case LogicalOpKind::kSort:
        return WalkChildren(op, under_join) + EngineStep(op, "sort", "Sort in the engine");
      case LogicalOpKind::kLimit:
        return WalkChildren(op, under_join) + EngineStep(op, "limit", "Limit");
      case LogicalOpKind::kWindow:
        return WalkChildren(op, under_join) + EngineStep(op, "window", "Window functions");
      case LogicalOpKind::kUnnest:
        return WalkChildren(op, under_join) + EngineStep(op, "unnest", "Unnest");
      case LogicalOpKind::kSetOperation: {
        double total = 0;
        double slowest = 0;
        for (const auto& c : op.children) {
          if (!c) continue;
          double t = Walk(*c, under_join);
          total += t;
          slowest = std::max(slowest, t);
        }
        double t = options_.parallel_fetch ? slowest : total;
        return t + EngineStep(op, "union", "Combine in the engine");
      }
      case LogicalOpKind::kInsert: {
        double t = WalkChildren(op, under_join);
        return t + EngineStep(op, "write", "Write");
      }
    }
    return WalkChildren(op, under_join);
  }

  std::vector<std::string> optimizations;

 private:
  double WalkChildren(const LogicalOperator& op, bool under_join) {
    double t = 0;
    for (const auto& c : op.children)
      if (c) t += Walk(*c, under_join);
    return t;
  }

  SourceThroughput Model(const std::string& type) const {
    if (auto it = options_.model.find(type); it != options_.model.end()) return it->second;
    if (auto it = options_.model.find("engine"); it != options_.model.end()) return it->second;
    return {};
  }

  std::string TypeOf(const std::string& catalog) const {
    return options_.catalog_type ? options_.catalog_type(catalog) : std::string();
  }

  void Attach(PlanStep& step, const LogicalOperator& node) {
    step.node = &node;
    if (options_.actuals) step.actual = options_.actuals(node);
  }

  double ScanStep(const LogicalScan& scan) {
    PlanStep step;
    step.kind = "scan";
    step.source = scan.catalog_name;
    step.source_type = TypeOf(scan.catalog_name);
    step.table = TableName(scan);
    std::string where = QualifiedName(scan);
    if (!step.source_type.empty()) {
      step.title = "Query " + SourceTypeDisplayName(step.source_type) + " (" + where + ")";
    } else {
      step.title =
          "Read " + (scan.table && !scan.table->location.empty() ? scan.table->location : where);
    }
    step.request = scan.scan ? scan.scan->Describe() : std::string();
    if (step.request.empty()) step.request = scan.Describe();
    step.estimated_rows = scan.estimated_rows;
    SourceThroughput m = Model(step.source_type.empty() ? "file" : step.source_type);
    double rows = std::max(scan.estimated_rows, 0.0);
    step.estimated_round_trips =
        m.rows_per_round_trip > 0 ? 1 + std::floor(rows / m.rows_per_round_trip) : 1;
    step.estimated_seconds =
        step.estimated_round_trips * m.latency_seconds + rows / std::max(m.rows_per_second, 1.0);
    Attach(step, scan);
    NoteScanOptimizations(scan, step);
    return Add(std::move(step));
  }

  void NoteScanOptimizations(const LogicalScan& scan, const PlanStep& step) {
    std::string name = QualifiedName(scan);
    std::string type = step.source_type.empty() ? std::string("the reader")
                                                : SourceTypeDisplayName(step.source_type);
    if (!scan.pushed_filters.empty()) {
      size_t n = scan.pushed_filters.size();
      optimizations.push_back("Filtering in " + type +
                              " before anything moves: " + std::to_string(n) +
                              (n == 1 ? " filter" : " filters") + " on " + name);
    }
    if (scan.pushed_limit >= 0)
      optimizations.push_back("LIMIT " + std::to_string(scan.pushed_limit) + " pushed into " +
                              type + " (" + name + ")");
    if (scan.table && scan.column_ids.size() < scan.table->columns.size())
      optimizations.push_back("Reading " + std::to_string(scan.column_ids.size()) + " of " +
                              std::to_string(scan.table->columns.size()) + " columns of " + name);
    const std::string& r = step.request;
    if (r.find("GROUP BY") != std::string::npos || r.find("$group") != std::string::npos ||
        r.find("\"aggs\"") != std::string::npos || r.find("\"aggregations\"") != std::string::npos)
      optimizations.push_back("Aggregation pushed into " + type + " (" + name + ")");
  }

  double FilterStep(const LogicalFilter& filter, bool under_join) {
    size_t before = out_->steps.size();
    double t = WalkChildren(filter, under_join);
    // A filter the source refused runs in the engine as rows arrive: part of the step below.
    if (out_->steps.size() == before + 1 && out_->steps.back().kind == "scan") {
      PlanStep& step = out_->steps.back();
      step.request += "\n  then in the engine: " + filter.Describe();
      step.estimated_rows = filter.estimated_rows;
      if (step.actual && options_.actuals) {
        if (auto f = options_.actuals(filter)) {
          step.actual->rows = f->rows;
          if (f->seconds > 0) step.actual->seconds += f->seconds;
        }
      }
      return t;
    }
    return t + EngineStep(filter, "filter", "Filter in the engine");
  }

  double LookupStep(const LogicalLookupJoin& join, bool under_join) {
    int drive_side = join.lookup_side == 1 ? 0 : 1;
    double t = 0;
    if (static_cast<size_t>(drive_side) < join.children.size() && join.children[drive_side])
      t = Walk(*join.children[drive_side], true);
    const LogicalScan* scan = join.scan.get();
    PlanStep step;
    step.kind = "lookup";
    if (!scan) return t + EngineStep(join, "join", "Join in the engine");
    step.source = scan->catalog_name;
    step.source_type = TypeOf(scan->catalog_name);
    step.table = TableName(*scan);
    std::string type = step.source_type.empty() ? std::string("the source")
                                                : SourceTypeDisplayName(step.source_type);
    step.title = "Fetch " + step.table + " from " + type + " (" + QualifiedName(*scan) + ")";
    std::string per_batch = scan->scan ? scan->scan->DescribeLookup(
                                             join.key_columns, static_cast<size_t>(join.batch_size))
                                       : std::string();
    step.request = "per batch: " + (per_batch.empty() ? std::string("LookupKeys") : per_batch);
    double keys = 0;
    if (static_cast<size_t>(drive_side) < join.children.size() && join.children[drive_side])
      keys = std::max(join.children[drive_side]->estimated_rows, 0.0);
    double table_rows = scan->estimated_rows;
    double rows = join.estimated_rows;
    if (table_rows >= 0 && rows > table_rows) rows = table_rows;
    step.estimated_rows = rows;
    double batch = static_cast<double>(std::max<int64_t>(join.batch_size, 1));
    // A source that splits a batch (its per-request cap) answers in more, smaller requests.
    size_t cap = scan->scan ? scan->scan->MaxKeysPerRequest(join.key_columns) : 0;
    double per_query = cap > 0 ? std::min(batch, static_cast<double>(cap)) : batch;
    step.estimated_round_trips = std::max(1.0, std::ceil(keys / per_query));
    std::string keys_text;
    if (scan->table) {
      for (int k : join.key_columns) {
        if (k < 0 || static_cast<size_t>(k) >= scan->table->columns.size()) continue;
        keys_text += (keys_text.empty() ? "" : ", ") + scan->table->columns[k].name;
      }
    }
    std::string per = per_query < batch
                          ? WithThousands(batch) + " keys per batch, " + WithThousands(per_query) +
                                " per request (" + type + "'s cap)"
                          : WithThousands(batch) + " keys per query";
    step.strategy = "batch fetch, " + per + ", est. " + WithThousands(step.estimated_round_trips) +
                    (step.estimated_round_trips == 1 ? " query" : " queries") + " for est. " +
                    WithThousands(keys) + " keys on " + keys_text;
    SourceThroughput m = Model(step.source_type.empty() ? "file" : step.source_type);
    step.estimated_seconds = step.estimated_round_trips * m.latency_seconds +
                             std::max(rows, 0.0) / std::max(m.rows_per_second, 1.0);
    Attach(step, join);
    optimizations.push_back("Batch fetch of " + QualifiedName(*scan) + " by " + keys_text + " (" +
                            per + ") instead of reading " +
                            (table_rows >= 0 ? "its est. " + WithThousands(table_rows) + " rows"
                                             : std::string("all of it")));
    if (!scan->pushed_filters.empty())
      optimizations.push_back("Filtering in " + type + " during the key fetch: " +
                              std::to_string(scan->pushed_filters.size()) + " filter(s) on " +
                              QualifiedName(*scan));
    double own = Add(std::move(step));
    // Rows joined in memory per batch: part of the lookup step.
    return t + own;
  }

  double JoinStep(const LogicalJoin& join, bool under_join) {
    (void)under_join;
    if (join.children.size() < 2 || !join.children[0] || !join.children[1])
      return WalkChildren(join, true);
    // The executor builds its hash table on the right input and reads it first.
    size_t build_first = out_->steps.size();
    double build = Walk(*join.children[1], true);
    size_t probe_first = out_->steps.size();
    double probe = Walk(*join.children[0], true);
    int build_source = FirstSourceStep(build_first, probe_first);
    int probe_source = FirstSourceStep(probe_first, out_->steps.size());
    bool parallel = options_.parallel_fetch && build_source > 0 && probe_source > 0;
    if (parallel) {
      out_->steps[static_cast<size_t>(build_source - 1)].parallel_with = probe_source;
      out_->steps[static_cast<size_t>(probe_source - 1)].parallel_with = build_source;
      optimizations.push_back("Independent sources read in parallel (steps " +
                              std::to_string(build_source) + " and " +
                              std::to_string(probe_source) + ")");
    }
    PlanStep step;
    step.kind = "join";
    step.title = "Join in memory";
    std::string d = join.Describe();
    step.request = d.rfind("Join ", 0) == 0 ? "JOIN " + d.substr(5) : d;
    if (join.join_type == JoinType::kCross ||
        (join.left_keys.empty() && join.join_type != JoinType::kSemi &&
         join.join_type != JoinType::kAnti)) {
      step.strategy = "nested loop (no equality condition)";
    } else {
      step.strategy = "hash join, build side: " + Summary(*join.children[1]) + " (est. " +
                      WithThousands(join.children[1]->estimated_rows) + " rows)";
    }
    if (const auto* dynamic = dynamic_cast<const LogicalDynamicFilterJoin*>(&join)) {
      std::string targets;
      for (const auto& f : dynamic->dynamic_filters)
        targets += (targets.empty() ? "" : ", ") + f.name;
      step.strategy += "; build keys sent to " + targets + " as a filter";
      optimizations.push_back("Dynamic filter: the join's build keys (up to " +
                              WithThousands(static_cast<double>(dynamic->max_keys)) + ") sent to " +
                              targets + " before it is read");
    }
    step.estimated_rows = join.estimated_rows;
    double in_rows = std::max(join.children[0]->estimated_rows, 0.0) +
                     std::max(join.children[1]->estimated_rows, 0.0);
    step.estimated_seconds = in_rows / std::max(Model("engine").rows_per_second, 1.0);
    Attach(step, join);
    double own = Add(std::move(step));
    return (parallel ? std::max(build, probe) : build + probe) + own;
  }

  double EngineStep(const LogicalOperator& op, const std::string& kind, const std::string& title) {
    PlanStep step;
    step.kind = kind;
    step.title = title;
    step.request = op.Describe();
    step.estimated_rows = op.estimated_rows;
    double in_rows = 0;
    for (const auto& c : op.children)
      if (c) in_rows += std::max(c->estimated_rows, 0.0);
    step.estimated_seconds = in_rows / std::max(Model("engine").rows_per_second, 1.0);
    Attach(step, op);
    return Add(std::move(step));
  }

  // The name of the table(s) a subtree reads, for "build side: ...".
  static std::string Summary(const LogicalOperator& op) {
    std::vector<std::string> names;
    CollectTables(op, &names);
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : " + ") + n;
    return out.empty() ? std::string("computed rows") : out;
  }

  static void CollectTables(const LogicalOperator& op, std::vector<std::string>* names) {
    if (op.kind == LogicalOpKind::kScan) {
      names->push_back(TableName(static_cast<const LogicalScan&>(op)));
      return;
    }
    for (const auto& c : op.children)
      if (c) CollectTables(*c, names);
  }

  int FirstSourceStep(size_t from, size_t to) const {
    for (size_t i = from; i < to && i < out_->steps.size(); i++) {
      const std::string& k = out_->steps[i].kind;
      if (k == "scan" || k == "lookup") return out_->steps[i].number;
    }
    return 0;
  }

  double Add(PlanStep step) {
    step.number = static_cast<int>(out_->steps.size()) + 1;
    double t = step.estimated_seconds;
    out_->steps.push_back(std::move(step));
    return t;
  }

  const PlanStepsOptions& options_;
  PlanSteps* out_;
};

std::string Pad(const std::string& title, const std::string& right, size_t width) {
  size_t len = title.size() + right.size() + 2;
  size_t dots = len < width ? width - len : 3;
  return title + " " + std::string(dots, '.') + " " + right;
}

}  // namespace

std::string DefaultThroughputModel() { return kDefaultModel; }

std::vector<IndexCandidate> IndexCandidates(const PlanSteps& steps) {
  std::vector<IndexCandidate> out;
  auto add = [&out](IndexCandidate c) {
    for (const auto& o : out)
      if (o.catalog == c.catalog && o.table == c.table && o.columns == c.columns) return;
    out.push_back(std::move(c));
  };
  for (const auto& s : steps.steps) {
    if (!s.node) continue;
    if (s.kind == "scan" && s.node->kind == LogicalOpKind::kScan) {
      const auto& scan = static_cast<const LogicalScan&>(*s.node);
      if (!scan.table) continue;
      for (const auto& f : scan.pushed_filters) {
        std::vector<int> refs;
        CollectColumnRefs(*f, &refs);
        for (int r : refs) {
          if (r < 0 || static_cast<size_t>(r) >= scan.table->columns.size()) continue;
          const std::string& name = scan.table->columns[static_cast<size_t>(r)].name;
          add({scan.catalog_name, scan.table, {name}, "filter on " + name});
        }
      }
    } else if (s.kind == "lookup") {
      const auto* join = dynamic_cast<const LogicalLookupJoin*>(s.node);
      if (!join || !join->scan || !join->scan->table) continue;
      IndexCandidate c{join->scan->catalog_name, join->scan->table, {}, "lookup key "};
      for (int k : join->key_columns) {
        if (k < 0 || static_cast<size_t>(k) >= join->scan->table->columns.size()) continue;
        c.columns.push_back(join->scan->table->columns[static_cast<size_t>(k)].name);
      }
      if (c.columns.empty()) continue;
      for (size_t i = 0; i < c.columns.size(); i++) c.reason += (i ? ", " : "") + c.columns[i];
      add(std::move(c));
    }
  }
  return out;
}

ThroughputModel ParseThroughputModel(const std::string& text) {
  ThroughputModel model;
  auto parse = [&model](const std::string& spec, bool user) {
    size_t pos = 0;
    while (pos <= spec.size()) {
      size_t comma = spec.find(',', pos);
      if (comma == std::string::npos) comma = spec.size();
      std::string entry = TrimSpace(spec.substr(pos, comma - pos));
      pos = comma + 1;
      if (entry.empty()) continue;
      auto bad = [&](const std::string& why) {
        return Error(ErrorKind::kConversion,
                     "federation.source_throughput: bad entry '" + entry + "' (" + why +
                         "); expected type=ROWS_PER_SECOND[/LATENCY[/ROWS_PER_ROUND_TRIP]], e.g. "
                         "postgres=1000000/2ms/0");
      };
      size_t eq = entry.find('=');
      if (eq == std::string::npos || eq == 0) throw bad("no type=");
      std::string type = AsciiLower(TrimSpace(entry.substr(0, eq)));
      SourceThroughput t = model.count(type) ? model[type] : SourceThroughput{};
      std::vector<std::string> parts;
      std::string rest = entry.substr(eq + 1);
      size_t p = 0;
      while (p <= rest.size()) {
        size_t slash = rest.find('/', p);
        if (slash == std::string::npos) slash = rest.size();
        parts.push_back(TrimSpace(rest.substr(p, slash - p)));
        p = slash + 1;
      }
      if (parts.empty() || parts.size() > 3) throw bad("one to three values");
      auto number = [&](const std::string& s, const char* what) {
        char* end = nullptr;
        double v = std::strtod(s.c_str(), &end);
        if (s.empty() || end == s.c_str() || v < 0 || !std::isfinite(v))
          throw bad(std::string("bad ") + what);
        return std::make_pair(v, std::string(end));
      };
      auto [rps, rps_unit] = number(parts[0], "rows per second");
      if (!rps_unit.empty() || rps <= 0) throw bad("rows per second must be a positive number");
      t.rows_per_second = rps;
      if (parts.size() > 1) {
        auto [lat, unit] = number(parts[1], "latency");
        if (unit == "ms") {
          t.latency_seconds = lat / 1000;
        } else if (unit == "s" || unit.empty()) {
          t.latency_seconds = lat;
        } else if (unit == "us") {
          t.latency_seconds = lat / 1e6;
        } else {
          throw bad("latency unit: ms, s or us");
        }
      }
      if (parts.size() > 2) {
        auto [page, unit] = number(parts[2], "rows per round trip");
        if (!unit.empty()) throw bad("rows per round trip must be a number");
        t.rows_per_round_trip = page;
      }
      (void)user;
      model[type] = t;
    }
  };
  parse(kDefaultModel, false);
  parse(text, true);
  return model;
}

std::string SourceTypeDisplayName(const std::string& type) {
  static const std::map<std::string, std::string> kNames = {
      {"postgres", "PostgreSQL"},
      {"postgresql", "PostgreSQL"},
      {"mongodb", "MongoDB"},
      {"elasticsearch", "Elasticsearch"},
      {"opensearch", "OpenSearch"},
      {"redis", "Redis"},
      {"sqlite", "SQLite"},
      {"iceberg", "Iceberg"},
      {"nessie", "Iceberg (Nessie)"},
      {"file", "files"},
      {"mysql", "MySQL"},
      {"trino", "Trino"},
  };
  auto it = kNames.find(AsciiLower(type));
  return it == kNames.end() ? type : it->second;
}

PlanSteps CollectPlanSteps(const LogicalOperator& root, const PlanStepsOptions& options) {
  PlanSteps out;
  StepCollector collector(options, &out);
  out.estimated_seconds = collector.Walk(root, false);
  out.estimated_result_rows = root.estimated_rows;
  // Optimizations, each once, in the order found.
  for (const auto& o : collector.optimizations) {
    if (std::find(out.optimizations.begin(), out.optimizations.end(), o) == out.optimizations.end())
      out.optimizations.push_back(o);
  }
  // The order and why: the first source read, against the sizes of the others.
  const PlanStep* first = nullptr;
  double smallest_other = -1;
  int sources = 0;
  for (const auto& s : out.steps) {
    if (s.kind != "scan" && s.kind != "lookup") continue;
    sources++;
    double size = s.estimated_rows;
    if (s.kind == "lookup") {
      // The size of a looked-up table is what reading it whole would cost.
      if (const auto* lj = dynamic_cast<const LogicalLookupJoin*>(s.node); lj && lj->scan)
        size = lj->scan->estimated_rows;
    }
    if (!first) {
      first = &s;
      continue;
    }
    if (size >= 0 && (smallest_other < 0 || size < smallest_other)) smallest_other = size;
  }
  if (first && sources > 1) {
    std::string what = first->table + ", est. " + WithThousands(first->estimated_rows) + " rows";
    if (first->estimated_rows >= 0 &&
        (smallest_other < 0 || first->estimated_rows <= smallest_other))
      out.strategy = "Start with smallest dataset (" + what + ")";
    else
      out.strategy = "Start with " + what;
    bool lookups = std::any_of(out.steps.begin(), out.steps.end(),
                               [](const PlanStep& s) { return s.kind == "lookup"; });
    if (lookups) out.strategy += ", then fetch the other sources by its keys";
  } else if (first) {
    out.strategy = "One source: " + first->table;
  }
  return out;
}

std::string RenderPlanSteps(const PlanSteps& plan, const std::string& tree) {
  std::string out = "Execution Plan\n";
  out += "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\n\n";
  if (!plan.strategy.empty()) out += "Strategy: " + plan.strategy + "\n\n";
  for (const auto& s : plan.steps) {
    std::string time = "est. " + Seconds(s.estimated_seconds);
    if (s.actual && s.actual->seconds >= 0) time += ", actual " + Seconds(s.actual->seconds);
    out += Pad("Step " + std::to_string(s.number) + ": " + s.title, time, 72) + "\n";
    if (!s.request.empty()) {
      std::string req = s.request;
      size_t pos = 0;
      while (pos <= req.size()) {
        size_t nl = req.find('\n', pos);
        if (nl == std::string::npos) nl = req.size();
        std::string line = req.substr(pos, nl - pos);
        out += (line.rfind("  ", 0) == 0 ? "" : "  ") + line + "\n";
        pos = nl + 1;
      }
    }
    if (!s.strategy.empty()) out += "  Strategy: " + s.strategy + "\n";
    out += "  → est. " + WithThousands(s.estimated_rows) + " rows";
    if (s.estimated_round_trips >= 0)
      out += ", " + WithThousands(s.estimated_round_trips) +
             (s.estimated_round_trips == 1 ? " round trip" : " round trips");
    if (s.parallel_with > 0)
      out += " (in parallel with step " + std::to_string(s.parallel_with) + ")";
    out += "\n";
    if (s.actual) {
      const StepActual& a = *s.actual;
      std::string line = "  ✓ actual " + WithThousands(static_cast<double>(a.rows)) + " rows";
      if (a.bytes >= 0) line += ", " + Bytes(a.bytes);
      if (a.batches >= 0)
        line += ", " + std::to_string(a.batches) + (a.batches == 1 ? " batch" : " batches");
      if (a.round_trips >= 0)
        line += ", " + std::to_string(a.round_trips) +
                (a.round_trips == 1 ? " round trip" : " round trips");
      if (a.spilled_bytes > 0) {
        line += ", spilled " + Bytes(a.spilled_bytes) + " to disk";
        if (a.spill_partitions > 0)
          line += " (" + std::to_string(a.spill_partitions) + " " + a.spill_unit + ")";
      }
      out += line + "\n";
      std::string mis = Misestimate(s.estimated_rows, a.rows);
      if (!mis.empty()) out += "  ⚠️ misestimate: " + mis + "\n";
    }
    out += "\n";
  }
  if (!plan.optimizations.empty()) {
    out += "Optimizations:\n";
    for (const auto& o : plan.optimizations) out += "  ✓ " + o + "\n";
    out += "\n";
  }
  out += "Estimated time: " + Seconds(plan.estimated_seconds) +
         " (per-source model: round trips x latency + rows / throughput; "
         "federation.source_throughput)\n";
  if (!tree.empty()) {
    out += "\nOperator tree:\n";
    out += tree;
    if (out.back() != '\n') out += '\n';
  }
  return out;
}

std::string PlanStepsJson(const PlanSteps& plan, const std::string& tree) {
  auto num = [](double v) {
    if (v < 0 || !std::isfinite(v)) return std::string("null");
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    return std::string(buf);
  };
  std::string out = "{\"steps\":[";
  for (size_t i = 0; i < plan.steps.size(); i++) {
    const PlanStep& s = plan.steps[i];
    if (i) out += ",";
    out += "{\"step\":" + std::to_string(s.number) + ",\"kind\":" + JsonString(s.kind) +
           ",\"title\":" + JsonString(s.title) + ",\"source\":" + JsonString(s.source) +
           ",\"source_type\":" + JsonString(s.source_type) + ",\"table\":" + JsonString(s.table) +
           ",\"request\":" + JsonString(s.request) + ",\"strategy\":" + JsonString(s.strategy) +
           ",\"estimated_rows\":" + num(s.estimated_rows) +
           ",\"estimated_round_trips\":" + num(s.estimated_round_trips) +
           ",\"estimated_seconds\":" + num(s.estimated_seconds) +
           ",\"parallel_with\":" + (s.parallel_with > 0 ? std::to_string(s.parallel_with) : "null");
    if (s.actual) {
      const StepActual& a = *s.actual;
      auto i64 = [](int64_t v) { return v < 0 ? std::string("null") : std::to_string(v); };
      out += ",\"actual\":{\"rows\":" + i64(a.rows) + ",\"bytes\":" + i64(a.bytes) +
             ",\"batches\":" + i64(a.batches) + ",\"round_trips\":" + i64(a.round_trips) +
             ",\"seconds\":" + num(a.seconds) +
             (a.spilled_bytes > 0 ? ",\"spilled_bytes\":" + i64(a.spilled_bytes) +
                                        ",\"spill_partitions\":" + i64(a.spill_partitions)
                                  : std::string()) +
             "}";
      std::string mis = Misestimate(s.estimated_rows, a.rows);
      out += ",\"misestimate\":" + (mis.empty() ? std::string("null") : JsonString(mis));
    }
    out += "}";
  }
  out += "],\"strategy\":" + JsonString(plan.strategy) + ",\"optimizations\":[";
  for (size_t i = 0; i < plan.optimizations.size(); i++)
    out += (i ? "," : "") + JsonString(plan.optimizations[i]);
  out += "],\"estimated_seconds\":" + num(plan.estimated_seconds) +
         ",\"estimated_rows\":" + num(plan.estimated_result_rows) +
         ",\"plan\":" + JsonString(tree) + "}\n";
  return out;
}

}  // namespace aishell
