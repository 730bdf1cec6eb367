// The WINDOW clause: OVER w and OVER (w ORDER BY ... frame) resolved against the named windows
// of the SELECT being bound, with Trino's rules for refining a named window.
#include "common/exception.h"
#include "planner/binder.h"

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
