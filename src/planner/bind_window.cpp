// The WINDOW clause: OVER w and OVER (w ORDER BY ... frame) resolved against the named windows
// of the SELECT being bound, with Trino's rules for refining a named window.
#include "common/exception.h"
#include "planner/binder.h"
#include "planner/optimizer/optimizer.h"

namespace aishell {

std::unique_ptr<WindowDefinition> Binder::ResolveWindow(const WindowDefinition& over,
                                                        int position) {
  if (over.existing_name.empty()) return over.Copy();
  int where = over.position >= 0 ? over.position : position;
  const NamedWindow* named = nullptr;
  if (named_windows_) {
    for (const auto& w : *named_windows_) {
      if (w.name == over.existing_name) named = &w;
    }
  }
  if (!named) {
    std::string known;
    if (named_windows_) {
      for (const auto& w : *named_windows_) known += (known.empty() ? "" : ", ") + w.name;
    }
    throw Error(ErrorKind::kBinder,
                "window '" + over.existing_name + "' is not defined" +
                    (known.empty() ? std::string(" (the query has no WINDOW clause)")
                                   : " (WINDOW defines: " + known + ")"),
                where);
  }
  // A named window may refine an earlier one (WINDOW w1 AS (...), w2 AS (w1 ORDER BY x)).
  if (named_windows_) {
    size_t index = static_cast<size_t>(named - named_windows_->data());
    const std::string& base_name = named->definition->existing_name;
    if (!base_name.empty()) {
      bool earlier = false;
      for (size_t i = 0; i < index; i++)
        earlier = earlier || (*named_windows_)[i].name == base_name;
      if (!earlier) {
        throw Error(ErrorKind::kBinder,
                    "window '" + named->name + "' refers to window '" + base_name +
                        "', which is not defined before it",
                    named->position);
      }
    }
  }
  std::unique_ptr<WindowDefinition> base = ResolveWindow(*named->definition, named->position);
  if (over.name_only) return base;
  if (!over.partition_by.empty()) {
    throw Error(ErrorKind::kBinder,
                "a window that refers to window '" + over.existing_name +
                    "' cannot have its own PARTITION BY",
                where);
  }
  if (!over.order_by.empty() && !base->order_by.empty()) {
    throw Error(
        ErrorKind::kBinder,
        "cannot add ORDER BY to window '" + over.existing_name + "', which has an ORDER BY already",
        over.order_by[0].position >= 0 ? over.order_by[0].position : where);
  }
  if (base->frame) {
    throw Error(ErrorKind::kBinder,
                "window '" + over.existing_name + "' has a frame: refer to it as OVER " +
                    over.existing_name +
                    " (without parentheses) or move the frame out of the WINDOW clause",
                where);
  }
  auto out = std::make_unique<WindowDefinition>();
  out->position = over.position;
  for (const auto& p : base->partition_by) out->partition_by.push_back(p->Copy());
  const auto& order = over.order_by.empty() ? base->order_by : over.order_by;
  for (const auto& o : order) out->order_by.push_back(o.Copy());
  if (over.frame) out->frame = std::move(over.Copy()->frame);
  return out;
}

}  // namespace aishell

namespace aishell {

namespace {

FrameBoundKind ToFrameBoundKind(WindowFrameBoundKind kind) {
  switch (kind) {
    case WindowFrameBoundKind::kUnboundedPreceding:
      return FrameBoundKind::kUnboundedPreceding;
    case WindowFrameBoundKind::kPreceding:
      return FrameBoundKind::kPreceding;
    case WindowFrameBoundKind::kCurrentRow:
      return FrameBoundKind::kCurrentRow;
    case WindowFrameBoundKind::kFollowing:
      return FrameBoundKind::kFollowing;
    case WindowFrameBoundKind::kUnboundedFollowing:
      return FrameBoundKind::kUnboundedFollowing;
  }
  return FrameBoundKind::kCurrentRow;
}

const char* FrameTypeName(WindowFrameType type) {
  return type == WindowFrameType::kRows    ? "ROWS"
         : type == WindowFrameType::kRange ? "RANGE"
                                           : "GROUPS";
}

bool IsNegative(const Value& v) {
  if (v.type().id == TypeId::kInterval) {
    const Interval& i = v.GetInterval();
    return i.months < 0 || i.days < 0 || i.micros < 0;
  }
  return v.AsDouble() < 0;
}

}  // namespace

void Binder::BindWindowFrame(const WindowFrame& f, WindowSpec& spec) {
  spec.has_frame = true;
  spec.rows_frame = f.type == WindowFrameType::kRows;
  spec.groups_frame = f.type == WindowFrameType::kGroups;
  const char* type = FrameTypeName(f.type);
  LogicalType range_type =
      spec.order_by.empty() ? LogicalType(TypeId::kNull) : spec.order_by[0].expr->type;
  // The SQL standard's (and Trino's) order of bounds: a frame cannot end before it starts.
  auto rank = [](WindowFrameBoundKind k) { return static_cast<int>(k); };
  if (rank(f.end.kind) < rank(f.start.kind) || (f.start.kind == WindowFrameBoundKind::kFollowing &&
                                                f.end.kind == WindowFrameBoundKind::kCurrentRow)) {
    const auto* at = f.end.offset ? f.end.offset.get() : f.start.offset.get();
    auto name = [](WindowFrameBoundKind k) {
      return k == WindowFrameBoundKind::kCurrentRow  ? "CURRENT ROW"
             : k == WindowFrameBoundKind::kFollowing ? "FOLLOWING"
                                                     : "PRECEDING";
    };
    throw Error(ErrorKind::kBinder,
                std::string("a window frame starting from ") + name(f.start.kind) +
                    " cannot end with " + name(f.end.kind),
                at ? at->position : -1);
  }
  for (const WindowFrameBound* b : {&f.start, &f.end}) {
    FrameBound out;
    out.kind = ToFrameBoundKind(b->kind);
    if (b->offset) {
      int position = b->offset->position;
      BindContext none;
      none.clause = "a window frame offset";
      ExprPtr off = FoldConstantExpr(BindExpr(*b->offset, none));
      if (off->kind != ExprKind::kConstant)
        throw Error(ErrorKind::kBinder, std::string(type) + " frame offset must be a constant",
                    position);
      if (off->value.is_null())
        throw Error(ErrorKind::kBinder, std::string(type) + " frame offset must not be NULL",
                    position);
      if (f.type != WindowFrameType::kRange) {
        if (!off->type.IsIntegral())
          throw Error(
              ErrorKind::kBinder,
              std::string(type) + " frame offset must be an integer, not " + off->type.ToString(),
              position);
        if (off->value.GetInt64() < 0)
          throw Error(
              ErrorKind::kBinder,
              std::string(type) + " frame offset must not be negative: " + b->offset->ToString(),
              position);
        if (f.type == WindowFrameType::kGroups && spec.order_by.empty())
          throw Error(ErrorKind::kBinder,
                      "a GROUPS frame with an offset PRECEDING or FOLLOWING needs ORDER BY in "
                      "the window",
                      position);
        out.offset = off->value.GetInt64();
      } else {
        if (spec.order_by.size() != 1) {
          throw Error(ErrorKind::kBinder,
                      "a RANGE frame with an offset PRECEDING or FOLLOWING needs exactly one "
                      "ORDER BY key in the window (it has " +
                          std::to_string(spec.order_by.size()) + ")",
                      position);
        }
        const SortKey& key = spec.order_by[0];
        const LogicalType& kt = key.expr->type;
        bool numeric = kt.IsNumeric();
        bool temporal = kt.id == TypeId::kDate || kt.id == TypeId::kTimestamp ||
                        kt.id == TypeId::kTimestampTz || kt.id == TypeId::kTime;
        if (!numeric && !temporal)
          throw Error(ErrorKind::kBinder,
                      "a RANGE frame with an offset needs a numeric, date or time ORDER BY key, "
                      "not " +
                          kt.ToString(),
                      key.expr->position >= 0 ? key.expr->position : position);
        if (numeric ? !off->type.IsNumeric() : off->type.id != TypeId::kInterval) {
          throw Error(ErrorKind::kBinder,
                      "a RANGE frame offset over an ORDER BY key of type " + kt.ToString() +
                          " must be " + (numeric ? "a number" : "an INTERVAL") + ", not " +
                          off->type.ToString(),
                      position);
        }
        if (IsNegative(off->value))
          throw Error(ErrorKind::kBinder,
                      "RANGE frame offset must not be negative: " + b->offset->ToString(),
                      position);
        // The bound's value: key - offset (ascending PRECEDING, descending FOLLOWING) or
        // key + offset, over one column: the order key. Small integers widen to BIGINT so
        // that key + offset does not overflow.
        ExprPtr k = MakeColumnRef(0, kt, "key");
        if (kt.IsIntegral() && kt.id != TypeId::kBigInt)
          k = CastTo(k, LogicalType(TypeId::kBigInt));
        bool minus = (out.kind == FrameBoundKind::kPreceding) == key.ascending;
        ExprPtr value;
        try {
          value = BindScalarCall(minus ? "subtract" : "add", {k, off}, position);
        } catch (const Error& e) {
          throw Error(ErrorKind::kBinder,
                      "a RANGE frame offset of type " + off->type.ToString() +
                          " does not apply to an ORDER BY key of type " + kt.ToString() + ": " +
                          e.what(),
                      position);
        }
        auto common = CommonSuperType(range_type, value->type);
        if (!common)
          throw Error(ErrorKind::kBinder,
                      "a RANGE frame offset of type " + off->type.ToString() +
                          " does not apply to an ORDER BY key of type " + kt.ToString(),
                      position);
        range_type = *common;
        out.range_value = value;
        out.offset_text = b->offset->ToString();
      }
    }
    if (b == &f.start) {
      spec.frame_start = std::move(out);
    } else {
      spec.frame_end = std::move(out);
    }
  }
  // Keys and bound values compare in one type.
  if (spec.frame_start.range_value || spec.frame_end.range_value) {
    spec.range_key = CastTo(MakeColumnRef(0, spec.order_by[0].expr->type, "key"), range_type);
    for (FrameBound* b : {&spec.frame_start, &spec.frame_end}) {
      if (b->range_value) b->range_value = CastTo(b->range_value, range_type);
    }
  }
}

}  // namespace aishell
