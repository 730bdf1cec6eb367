// Key selection: which keys a Redis scan reads, from the filters pushed into it. A filter that the
// shared predicate-domain helper (catalog/predicate_domain.h) captures exactly as a list of values
// of `_key` or of one placeholder column (`=`, `IN`, `OR` of equalities, IS NOT DISTINCT FROM,
// order-keeping casts of the column), and a join's build keys, are exact constraints: when they
// fix `_key` or every placeholder the scan reads those keys directly (no SCAN); otherwise they and
// `LIKE` on a placeholder or `_key` narrow the SCAN MATCH glob.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "catalog/connector.h"
#include "connectors/redis/redis_key_pattern.h"

namespace aishell {

// Where the keys of a scan come from.
struct RedisKeyPlan {
  bool lookup = false;            // direct keys (no SCAN)
  std::vector<std::string> keys;  // lookup keys
  std::string glob;               // SCAN MATCH
};

// Placeholder or constant values as key text; false for types that have no canonical key text.
bool RedisKeyText(const Value& v, std::string* out);

// The filters pushed into one scan of a table whose columns are the placeholders of `pattern`,
// the value columns, `_key` and `_ttl` (in that order).
class RedisKeySelection {
 public:
  RedisKeySelection() = default;
  RedisKeySelection(std::shared_ptr<const TableInfo> table, RedisKeyPattern pattern);

  // Exact (true): a filter whose domain is a list of non-null values of a placeholder column or
  // _key, or no row at all (`k = NULL`: no key can match). Narrowing only (false): LIKE on a
  // placeholder or _key, which sets the glob of the SCAN. Ranges (`k <> 'x'`) are left alone.
  bool PushFilter(const Expr& e);
  // A join's build keys on _key or a placeholder column: the same exact filter as `IN (...)`.
  bool PushDynamicFilter(int column, const Batch& values);
  // True for lookups on _key alone or on all placeholder columns (of key-text types).
  bool SupportsKeyLookup(const std::vector<int>& key_columns) const;
  // The keys composed from each row of `keys` (columns `key_columns`), without duplicates; rows
  // with a NULL never match.
  RedisKeyPlan LookupPlan(const std::vector<int>& key_columns, const Batch& keys) const;
  // The keys to read: direct keys when _key or every placeholder is constrained (up to 100,000
  // combinations), else the SCAN MATCH glob.
  RedisKeyPlan Plan() const;
  // True if a key that fits the pattern (its placeholder values `parts`) passes the exact filters.
  bool Accepts(std::string_view key, const std::vector<std::string_view>& parts) const;

 private:
  int KeyColumn() const { return static_cast<int>(table_->columns.size()) - 2; }
  // _key or a placeholder column of a type with key text (VARCHAR, BIGINT, INTEGER).
  bool IsKeyTextColumn(int column) const;
  // LIKE on a VARCHAR placeholder or _key: the SCAN MATCH glob.
  void PushLike(const Expr& e);
  // Intersects the allowed key texts of `column` with `texts`.
  void Constrain(int column, std::unordered_set<std::string> texts);

  std::shared_ptr<const TableInfo> table_;
  RedisKeyPattern pattern_;
  // Exact filters: column -> allowed key texts (placeholder columns and _key).
  std::map<int, std::unordered_set<std::string>> constraints_;
  std::vector<std::string> globs_;  // per placeholder, from LIKE
  std::string key_glob_;            // from _key LIKE
};

}  // namespace aishell
