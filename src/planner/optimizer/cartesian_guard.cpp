// Rule: cartesian product guard. Runs on the first cardinality estimates, after join keys are
// extracted and before columns are pruned. A join without equality keys (CROSS JOIN, a comma
// join, an ON condition that is not an equality between the two inputs) whose estimated pairs
// (left rows × right rows) exceed PlannerOptions::max_cartesian_rows is refused with the row
// arithmetic, the tables and a join condition suggested from the column names and types
// (users.id = orders.user_id, or same-named columns). With auto_fix_cartesian the suggestion is
// applied (the join gets it as its equality keys) and a notice says so. max_cartesian_rows 0
// turns the guard off; semi and anti joins (subqueries) are never refused, nor a join with a
// VALUES list or a side of at most one row (scalar subqueries), nor a join made by subquery
// unnesting (LogicalJoin::unnested).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "common/exception.h"
#include "common/strings.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {

namespace {

// Where an output column comes from: the table (alias) and its name there; table empty when
// it is computed.
struct Origin {
  std::string table;  // the alias, else the table name
  std::string base;   // the table's own name without folders and extension (users.csv: users)
};

std::string ScanLabel(const LogicalScan& scan) {
  if (!scan.alias.empty()) return scan.alias;
  return scan.table ? scan.table->name : std::string("?");
}

std::string BaseName(const LogicalScan& scan) {
  std::string name = scan.table ? scan.table->name : scan.alias;
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  return AsciiLower(name);
}

std::vector<Origin> Origins(const LogicalOperator& op) {
  std::vector<Origin> out(op.output.size());
  switch (op.kind) {
    case LogicalOpKind::kScan: {
      auto& scan = static_cast<const LogicalScan&>(op);
      Origin origin{ScanLabel(scan), BaseName(scan)};
      for (size_t i = 0; i < out.size(); i++) out[i] = origin;
      return out;
    }
    case LogicalOpKind::kFilter:
    case LogicalOpKind::kSort:
    case LogicalOpKind::kLimit: {
      auto in = Origins(*op.children[0]);
      for (size_t i = 0; i < out.size() && i < in.size(); i++) out[i] = in[i];
      return out;
    }
    case LogicalOpKind::kJoin: {
      auto l = Origins(*op.children[0]);
      auto r = Origins(*op.children[1]);
      l.insert(l.end(), r.begin(), r.end());
      for (size_t i = 0; i < out.size() && i < l.size(); i++) out[i] = l[i];
      return out;
    }
    case LogicalOpKind::kProject: {
      auto in = Origins(*op.children[0]);
      const auto& exprs = static_cast<const LogicalProject&>(op).exprs;
      for (size_t i = 0; i < out.size() && i < exprs.size(); i++) {
        const auto& e = *exprs[i];
        if (e.kind == ExprKind::kColumnRef && e.column_index >= 0 &&
            e.column_index < static_cast<int>(in.size())) {
          out[i] = in[e.column_index];
        }
      }
      return out;
    }
    default:
      return out;
  }
}

// The tables a join input reads, for messages: "users", "users, orders", "VALUES".
void CollectTables(const LogicalOperator& op, std::vector<std::string>& names) {
  if (op.kind == LogicalOpKind::kScan) {
    names.push_back(ScanLabel(static_cast<const LogicalScan&>(op)));
    return;
  }
  if (op.kind == LogicalOpKind::kValues) {
    names.push_back("VALUES");
    return;
  }
  for (const auto& c : op.children) CollectTables(*c, names);
}

std::string TablesOf(const LogicalOperator& op) {
  std::vector<std::string> names;
  CollectTables(op, names);
  if (names.empty()) return "(subquery)";
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return names.size() > 1 ? "(" + s + ")" : s;
}

// A side that is not a table's rows multiplied: a VALUES list the query spells out, or at most
// one row by construction (an aggregate without GROUP BY, as scalar subqueries are joined, or
// LIMIT 1). Joining it never explodes, whatever the other side's size.
bool IsFixedSide(const LogicalOperator& op) {
  switch (op.kind) {
    case LogicalOpKind::kValues:
      return true;
    case LogicalOpKind::kAggregate:
      return static_cast<const LogicalAggregate&>(op).groups.empty();
    case LogicalOpKind::kLimit: {
      int64_t limit = static_cast<const LogicalLimit&>(op).limit;
      return (limit >= 0 && limit <= 1) || IsFixedSide(*op.children[0]);
    }
    case LogicalOpKind::kProject:
    case LogicalOpKind::kFilter:
    case LogicalOpKind::kSort:
      return IsFixedSide(*op.children[0]);
    default:
      return false;
  }
}

std::string OneDecimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.resize(s.size() - 2);
  return s;
}

std::string Grouped(double v) {
  std::string digits = std::to_string(static_cast<long long>(std::llround(v)));
  std::string out;
  int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; i++) {
    out += digits[i];
    if ((n - i - 1) % 3 == 0 && i + 1 < n) out += ',';
  }
  return out;
}

// Seed 002's short counts: 950, 12.5K, 3.2M, 1.4B.
std::string ShortCount(double v) {
  if (v < 1e4) return Grouped(v);
  if (v < 1e6) return OneDecimal(v / 1e3) + "K";
  if (v < 1e9) return OneDecimal(v / 1e6) + "M";
  return OneDecimal(v / 1e9) + "B";
}

// "1,500,000", "39.7 trillion".
std::string LongCount(double v) {
  if (v < 1e6) return Grouped(v);
  if (v < 1e9) return OneDecimal(v / 1e6) + " million";
  if (v < 1e12) return OneDecimal(v / 1e9) + " billion";
  return OneDecimal(v / 1e12) + " trillion";
}

std::string Singular(const std::string& name) {
  std::string n = AsciiLower(name);
  if (n == "people") return "person";
  if (n.size() > 3 && n.substr(n.size() - 3) == "ies") return n.substr(0, n.size() - 3) + "y";
  if (n.size() > 1 && n.back() == 's' && n[n.size() - 2] != 's') return n.substr(0, n.size() - 1);
  return n;
}

struct Suggestion {
  int left = -1;   // column of the left input
  int right = -1;  // column of the right input
  std::string text;
};

bool Comparable(const LogicalType& a, const LogicalType& b) {
  return a == b || CommonSuperType(a, b).has_value();
}

// users.id = orders.user_id (a column named <singular table>_id or <table>_id against an `id`),
// else same-named columns other than `id`, of comparable types.
std::optional<Suggestion> Suggest(const LogicalJoin& join) {
  const auto& lo = join.children[0]->output;
  const auto& ro = join.children[1]->output;
  auto lorig = Origins(*join.children[0]);
  auto rorig = Origins(*join.children[1]);
  auto text = [&](int l, int r) {
    auto side = [](const Origin& o, const std::string& name) {
      return o.table.empty() ? name : o.table + "." + name;
    };
    return side(lorig[l], lo[l].name) + " = " + side(rorig[r], ro[r].name);
  };
  auto refers = [](const Origin& id_side, const std::string& other_column) {
    std::string c = AsciiLower(other_column);
    for (const std::string& t : {id_side.table, id_side.base}) {
      if (!t.empty() && (c == Singular(t) + "_id" || c == AsciiLower(t) + "_id")) return true;
    }
    return false;
  };
  for (int pass = 0; pass < 2; pass++) {
    for (size_t l = 0; l < lo.size(); l++) {
      for (size_t r = 0; r < ro.size(); r++) {
        if (!Comparable(lo[l].type, ro[r].type)) continue;
        std::string ln = AsciiLower(lo[l].name), rn = AsciiLower(ro[r].name);
        bool match = false;
        if (pass == 0) {
          match = (ln == "id" && refers(lorig[l], rn)) || (rn == "id" && refers(rorig[r], ln));
        } else {
          match = ln == rn && ln != "id";
        }
        if (match) {
          int li = static_cast<int>(l), ri = static_cast<int>(r);
          return Suggestion{li, ri, text(li, ri)};
        }
      }
    }
  }
  return std::nullopt;
}

class Guard {
 public:
  Guard(const PlannerOptions& options, std::vector<std::string>* notices)
      : options_(options), notices_(notices) {}

  bool changed = false;

  void Visit(const LogicalPtr& op) {
    for (const auto& c : op->children) Visit(c);
    if (op->kind != LogicalOpKind::kJoin) return;
    auto& join = static_cast<LogicalJoin&>(*op);
    if (join.join_type == JoinType::kSemi || join.join_type == JoinType::kAnti) return;
    if (join.unnested) return;
    if (!join.left_keys.empty()) return;
    double l = std::max(0.0, join.children[0]->estimated_rows);
    double r = std::max(0.0, join.children[1]->estimated_rows);
    double pairs = l * r;
    if (pairs <= static_cast<double>(options_.max_cartesian_rows)) return;
    if (std::min(l, r) <= 1 || IsFixedSide(*join.children[0]) || IsFixedSide(*join.children[1]))
      return;
    std::string left = TablesOf(*join.children[0]), right = TablesOf(*join.children[1]);
    std::string arithmetic = left + " (" + ShortCount(l) + ") × " + right + " (" + ShortCount(r) +
                             ") = " + LongCount(pairs) + " rows";
    auto suggestion = Suggest(join);
    if (options_.auto_fix_cartesian && suggestion) {
      Apply(join, *suggestion);
      if (notices_) {
        notices_->push_back("Potential cartesian product fixed (--auto-fix): " + arithmetic +
                            "; added ON " + suggestion->text);
      }
      return;
    }
    std::string message = "potential cartesian product refused: " + arithmetic +
                          ", over federation.max_cartesian_rows (" +
                          Grouped(static_cast<double>(options_.max_cartesian_rows)) +
                          "). The join of " + left + " and " + right +
                          " has no equality condition. ";
    if (suggestion) {
      message +=
          "Suggestion: add ON " + suggestion->text + " (aishell query --auto-fix applies it)";
    } else {
      message += "Missing join condition? No matching columns were found to suggest one";
    }
    message +=
        "; to run it anyway: aishell query --allow-cartesian, or SET SESSION max_cartesian_rows "
        "= 0";
    throw Error(ErrorKind::kExecution, message);
  }

 private:
  void Apply(LogicalJoin& join, const Suggestion& s) {
    const auto& lc = join.children[0]->output[s.left];
    const auto& rc = join.children[1]->output[s.right];
    ExprPtr lk = MakeColumnRef(s.left, lc.type, lc.name);
    ExprPtr rk = MakeColumnRef(s.right, rc.type, rc.name);
    if (lk->type != rk->type) {
      auto common = CommonSuperType(lk->type, rk->type);
      lk = MakeCast(lk, *common);
      rk = MakeCast(rk, *common);
    }
    join.left_keys.push_back(lk);
    join.right_keys.push_back(rk);
    if (join.join_type == JoinType::kCross) join.join_type = JoinType::kInner;
    changed = true;
  }

  const PlannerOptions& options_;
  std::vector<std::string>* notices_;
};

}  // namespace

LogicalPtr GuardCartesianProducts(LogicalPtr plan, const PlannerOptions& options,
                                  std::vector<std::string>* notices) {
  if (options.max_cartesian_rows <= 0) return plan;
  Guard guard(options, notices);
  guard.Visit(plan);
  if (guard.changed) EstimateCardinality(*plan);
  return plan;
}

}  // namespace aishell
