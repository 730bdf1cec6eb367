// Hashing and matching of composite keys of any type, shared by joins, aggregation, DISTINCT and
// set operations. Keys are normalized per column into typed arrays (integers of every width,
// dates, timestamps and short decimals as int64; doubles; strings; intervals; 128-bit values) so
// that hashing and comparison are tight loops, and INTEGER keys match BIGINT keys.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/vector.h"

namespace aishell {

// kWide: 128-bit keys (DECIMAL above 18 digits; UUID, mapped to an order-preserving Int128).
enum class KeyClass : uint8_t { kInt, kDouble, kString, kInterval, kWide };

KeyClass KeyClassOf(const LogicalType& type);

// One key column, normalized: a typed array plus null flags.
struct KeyColumn {
  KeyClass key_class = KeyClass::kInt;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string_view> strings;
  std::vector<Interval> intervals;
  std::vector<Int128> wides;
  std::vector<uint8_t> nulls;  // 1 = NULL
  bool has_nulls = false;
  // ARRAY, MAP and ROW keys are kString keys holding a canonical encoding of the value: the bytes
  // live in `encoded` (this batch's) and stay alive in the columns that keep copies (`kept`).
  std::shared_ptr<StringHeap> encoded;
  std::vector<std::shared_ptr<StringHeap>> kept;
  std::vector<Value> nested_values;  // nested keys only: for ordering (Compare)

  size_t size() const { return nulls.size(); }
  void Clear();
  // Replaces the contents with rows [0, count) of `v` (any form).
  void Load(const Vector& v, size_t count);
  // Appends row `row` of `other` (same class).
  void AppendRow(const KeyColumn& other, size_t row);
  bool Equal(size_t row, const KeyColumn& other, size_t other_row) const;
  int Compare(size_t row, const KeyColumn& other, size_t other_row) const;  // non-null rows
  size_t MemoryUsage() const;
};

// The keys of one batch, with per-row hashes.
struct KeyBatch {
  std::vector<KeyColumn> columns;
  std::vector<uint64_t> hashes;
  std::vector<uint8_t> any_null;  // row has a NULL in some key column
  size_t count = 0;

  // Normalizes `keys` (count rows each) and computes hashes.
  void Load(const std::vector<Vector>& keys, size_t count);
};

// Distinct composite keys -> dense ids 0..size-1, in a flat open-addressing table of
// (hash tag, id). NULLs compare equal to each other here (a GROUP BY groups them);
// callers that need SQL equality (joins) skip rows with NULL keys.
class KeyTable {
 public:
  explicit KeyTable(size_t key_count = 0);

  size_t size() const { return size_; }
  // For each row: the id of its key, inserting new keys (ids of new keys are size() before).
  // `new_rows` receives the rows that created a new key, in order.
  void FindOrInsert(const KeyBatch& keys, uint32_t* ids, std::vector<uint32_t>* new_rows);
  // Inserts one row, returns its id and whether it was new.
  uint32_t FindOrInsertRow(const KeyBatch& keys, size_t row, bool* is_new);
  // Looks rows up without inserting: id or kNotFound.
  void Find(const KeyBatch& keys, uint32_t* ids) const;
  uint32_t FindRow(const KeyBatch& keys, size_t row) const;

  const std::vector<KeyColumn>& keys() const { return stored_; }
  size_t MemoryUsage() const;

  static constexpr uint32_t kNotFound = 0xFFFFFFFFu;

 private:
  void Grow();
  bool RowEquals(uint32_t id, const KeyBatch& keys, size_t row) const;

  std::vector<KeyColumn> stored_;
  std::vector<uint64_t> stored_hashes_;
  std::vector<uint64_t> slots_;  // (hash high 32 bits << 32) | (id + 1); 0 = empty
  uint64_t mask_ = 0;
  size_t size_ = 0;
};

uint64_t HashInt64(uint64_t x);

}  // namespace aishell
