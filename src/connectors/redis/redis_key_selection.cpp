#include "connectors/redis/redis_key_selection.h"

#include <algorithm>
#include <functional>

#include "catalog/predicate_domain.h"
#include "expr/expression.h"

namespace aishell {

namespace {

bool IsKeyTextType(TypeId t) {
  return t == TypeId::kVarchar || t == TypeId::kBigInt || t == TypeId::kInteger;
}

// A value of type `value` compares with a column of type `column` as key text: VARCHAR with
// VARCHAR, integers with integers.
bool KeyTextTypesFit(TypeId column, TypeId value) {
  if (column == TypeId::kVarchar) return value == TypeId::kVarchar;
  return value == TypeId::kBigInt || value == TypeId::kInteger;
}

}  // namespace

bool RedisKeyText(const Value& v, std::string* out) {
  if (v.is_null()) return false;
  switch (v.type().id) {
    case TypeId::kVarchar:
      *out = v.GetString();
      return true;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      *out = std::to_string(v.GetInt64());
      return true;
    default:
      return false;
  }
}

RedisKeySelection::RedisKeySelection(std::shared_ptr<const TableInfo> table,
                                     RedisKeyPattern pattern)
    : table_(std::move(table)), pattern_(std::move(pattern)) {
  globs_.assign(pattern_.placeholders.size(), "");
}

bool RedisKeySelection::IsKeyTextColumn(int column) const {
  int np = static_cast<int>(pattern_.placeholders.size());
  if (column != KeyColumn() && (column < 0 || column >= np)) return false;
  return IsKeyTextType(table_->columns[column].type.id);
}

void RedisKeySelection::Constrain(int column, std::unordered_set<std::string> texts) {
  auto it = constraints_.find(column);
  if (it == constraints_.end()) {
    constraints_[column] = std::move(texts);
  } else {
    std::unordered_set<std::string> both;
    for (const auto& t : texts) {
      if (it->second.count(t)) both.insert(t);
    }
    it->second = std::move(both);
  }
}

bool RedisKeySelection::PushFilter(const Expr& e) {
  if (e.kind == ExprKind::kLike) {
    PushLike(e);
    return false;  // narrows the SCAN; the engine still applies the LIKE
  }
  std::vector<LogicalType> types;
  types.reserve(table_->columns.size());
  for (const auto& c : table_->columns) types.push_back(c.type);
  ConjunctDomain x = ExtractConjunctDomain(e, types);
  if (!x.exact) return false;  // not captured exactly: the engine applies it
  if (x.domain.IsNone()) {
    // No row passes (e.g. `k = NULL`, `k IN (NULL)`): no key can match.
    Constrain(KeyColumn(), {});
    return true;
  }
  if (x.domain.domains().size() != 1) return false;
  const auto& [c, d] = *x.domain.domains().begin();
  if (!IsKeyTextColumn(c)) return false;
  // Only a list of values is a lookup; ranges (`k <> 'x'`, `k > 5`) and NULL are not.
  auto points = d.PointValues();
  if (!points || d.null_allowed()) return false;
  std::unordered_set<std::string> texts;
  for (const auto& v : *points) {
    std::string t;
    if (!RedisKeyText(v, &t)) return false;
    texts.insert(std::move(t));
  }
  Constrain(c, std::move(texts));
  return true;
}

void RedisKeySelection::PushLike(const Expr& e) {
  if (e.negated || e.case_insensitive || e.children.size() < 2) return;
  const Expr& col = *e.children[0];
  if (col.kind != ExprKind::kColumnRef || !IsKeyTextColumn(col.column_index)) return;
  int lc = col.column_index;
  if (table_->columns[lc].type.id != TypeId::kVarchar) return;
  const Expr& p = *e.children[1];
  if (p.kind != ExprKind::kConstant || p.value.is_null() || p.value.type().id != TypeId::kVarchar)
    return;
  char escape = 0;
  if (e.children.size() == 3) {
    const Expr& x = *e.children[2];
    if (x.kind != ExprKind::kConstant || x.value.is_null() || x.value.GetString().size() != 1)
      return;
    escape = x.value.GetString()[0];
  }
  std::string glob = RedisLikeToGlob(p.value.GetString(), escape);
  if (lc == KeyColumn()) {
    if (!glob.empty() && key_glob_.empty()) key_glob_ = glob;  // _key LIKE: the glob itself
  } else if (!glob.empty() && globs_[lc].empty()) {
    globs_[lc] = glob;
  }
}

bool RedisKeySelection::PushDynamicFilter(int column, const Batch& values) {
  if (values.ColumnCount() != 1 || !IsKeyTextColumn(column)) return false;
  TypeId t = table_->columns[column].type.id;
  std::unordered_set<std::string> texts;
  for (size_t r = 0; r < values.count; r++) {
    Value v = values.columns[0].GetValue(r);
    if (!KeyTextTypesFit(t, v.type().id)) return false;
    std::string text;
    if (RedisKeyText(v, &text)) texts.insert(std::move(text));
  }
  Constrain(column, std::move(texts));
  return true;
}

bool RedisKeySelection::SupportsKeyLookup(const std::vector<int>& key_columns) const {
  if (key_columns.empty()) return false;
  if (key_columns.size() == 1 && key_columns[0] == KeyColumn()) return true;
  size_t np = pattern_.placeholders.size();
  if (key_columns.size() != np) return false;
  std::vector<int> sorted = key_columns;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < np; i++) {
    if (sorted[i] != static_cast<int>(i)) return false;
    if (!IsKeyTextType(table_->columns[i].type.id)) return false;
  }
  return true;
}

RedisKeyPlan RedisKeySelection::LookupPlan(const std::vector<int>& key_columns,
                                           const Batch& keys) const {
  int key_col = KeyColumn();
  RedisKeyPlan plan;
  plan.lookup = true;
  std::unordered_set<std::string> seen;
  std::vector<std::string> parts(pattern_.placeholders.size());
  for (size_t r = 0; r < keys.count; r++) {
    bool ok = true;
    std::string key;
    for (size_t k = 0; k < key_columns.size() && ok; k++) {
      std::string text;
      ok = RedisKeyText(keys.columns[k].GetValue(r), &text);
      if (key_columns[k] == key_col)
        key = text;
      else
        parts[key_columns[k]] = text;
    }
    if (!ok) continue;
    if (key_columns[0] != key_col) key = pattern_.Compose(parts);
    if (seen.insert(key).second) plan.keys.push_back(std::move(key));
  }
  return plan;
}

RedisKeyPlan RedisKeySelection::Plan() const {
  RedisKeyPlan plan;
  auto kc = constraints_.find(KeyColumn());
  if (kc != constraints_.end()) {
    plan.lookup = true;
    plan.keys.assign(kc->second.begin(), kc->second.end());
    std::sort(plan.keys.begin(), plan.keys.end());
    return plan;
  }
  size_t np = pattern_.placeholders.size();
  bool all = np > 0;
  double product = 1;
  for (size_t i = 0; i < np; i++) {
    auto it = constraints_.find(static_cast<int>(i));
    if (it == constraints_.end()) {
      all = false;
      break;
    }
    product *= static_cast<double>(it->second.size());
  }
  if (all && product <= 100000) {
    plan.lookup = true;
    std::vector<std::vector<std::string>> choices(np);
    for (size_t i = 0; i < np; i++) {
      const auto& set = constraints_.at(static_cast<int>(i));
      choices[i].assign(set.begin(), set.end());
      std::sort(choices[i].begin(), choices[i].end());
    }
    std::vector<std::string> current(np);
    std::function<void(size_t)> rec = [&](size_t i) {
      if (i == np) {
        plan.keys.push_back(pattern_.Compose(current));
        return;
      }
      for (const auto& v : choices[i]) {
        current[i] = v;
        rec(i + 1);
      }
    };
    rec(0);
    return plan;
  }
  std::vector<std::string> parts(np);
  for (size_t i = 0; i < np; i++) {
    auto it = constraints_.find(static_cast<int>(i));
    if (it != constraints_.end() && it->second.size() == 1)
      parts[i] = RedisGlobEscape(*it->second.begin());
    else
      parts[i] = globs_[i];
  }
  plan.glob = key_glob_.empty() ? pattern_.Glob(parts) : key_glob_;
  return plan;
}

bool RedisKeySelection::Accepts(std::string_view key,
                                const std::vector<std::string_view>& parts) const {
  int key_col = KeyColumn();
  for (const auto& [col, allowed] : constraints_) {
    std::string_view text = col == key_col ? key : parts[col];
    if (!allowed.count(std::string(text))) return false;
  }
  return true;
}

}  // namespace aishell
