#include "exec/key_table.h"

#include <xxhash.h>
#include <cmath>
#include <cstring>

#include "common/exception.h"

namespace aishell {

uint64_t HashInt64(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  return x;
}

namespace {
constexpr uint64_t kNullHash = 0x9e3779b97f4a7c15ULL;

inline uint64_t Combine(uint64_t h, uint64_t v) {
  return (h ^ v) * 0x9ddfea08eb382d69ULL + (h >> 29);
}

inline uint64_t HashDouble(double d) {
  if (d == 0) d = 0;  // -0.0 == 0.0
  if (std::isnan(d)) d = std::nan("");
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return HashInt64(bits);
}
}  // namespace

KeyClass KeyClassOf(const LogicalType& type) {
  switch (type.Physical()) {
    case PhysicalKind::kFloat:
    case PhysicalKind::kDouble:
      return KeyClass::kDouble;
    case PhysicalKind::kString:
      return KeyClass::kString;
    case PhysicalKind::kInterval:
      return KeyClass::kInterval;
    case PhysicalKind::kInt128:
    case PhysicalKind::kUuid:
      return KeyClass::kWide;
    case PhysicalKind::kList:
    case PhysicalKind::kStruct:
      return KeyClass::kString;
    default:
      return KeyClass::kInt;
  }
}

namespace {
// A UUID as an Int128 whose signed order is the unsigned order of its bytes.
Int128 UuidKey(const Uuid& u) {
  unsigned __int128 v = 0;
  for (uint8_t b : u.bytes) v = (v << 8) | b;
  v ^= static_cast<unsigned __int128>(1) << 127;
  return static_cast<Int128>(v);
}
}  // namespace

void KeyColumn::Clear() {
  ints.clear();
  doubles.clear();
  strings.clear();
  intervals.clear();
  wides.clear();
  nulls.clear();
  encoded.reset();
  kept.clear();
  nested_values.clear();
  has_nulls = false;
}

void KeyColumn::Load(const Vector& v, size_t count) {
  key_class = KeyClassOf(v.type());
  nulls.assign(count, 0);
  has_nulls = false;
  UnifiedView view = v.View();
  if (v.type().id == TypeId::kNull) {
    ints.assign(count, 0);
    std::fill(nulls.begin(), nulls.end(), 1);
    has_nulls = count > 0;
    return;
  }
  if (view.validity) {
    for (size_t i = 0; i < count; i++) {
      if (!view.IsValid(i)) {
        nulls[i] = 1;
        has_nulls = true;
      }
    }
  }
  switch (v.type().Physical()) {
    case PhysicalKind::kBool:
      ints.resize(count);
      for (size_t i = 0; i < count; i++) ints[i] = view.Get<uint8_t>(i);
      break;
    case PhysicalKind::kInt8:
      ints.resize(count);
      for (size_t i = 0; i < count; i++) ints[i] = view.Get<int8_t>(i);
      break;
    case PhysicalKind::kInt16:
      ints.resize(count);
      for (size_t i = 0; i < count; i++) ints[i] = view.Get<int16_t>(i);
      break;
    case PhysicalKind::kInt32:
      ints.resize(count);
      if (!view.sel && !view.is_constant) {
        const int32_t* d = reinterpret_cast<const int32_t*>(view.data);
        for (size_t i = 0; i < count; i++) ints[i] = d[i];
      } else {
        for (size_t i = 0; i < count; i++) ints[i] = view.Get<int32_t>(i);
      }
      break;
    case PhysicalKind::kInt64:
      ints.resize(count);
      if (!view.sel && !view.is_constant) {
        std::memcpy(ints.data(), view.data, count * 8);
      } else {
        for (size_t i = 0; i < count; i++) ints[i] = view.Get<int64_t>(i);
      }
      break;
    case PhysicalKind::kFloat:
      doubles.resize(count);
      for (size_t i = 0; i < count; i++) doubles[i] = view.Get<float>(i);
      break;
    case PhysicalKind::kDouble:
      doubles.resize(count);
      for (size_t i = 0; i < count; i++) doubles[i] = view.Get<double>(i);
      break;
    case PhysicalKind::kString:
      strings.resize(count);
      for (size_t i = 0; i < count; i++) strings[i] = view.Get<std::string_view>(i);
      break;
    case PhysicalKind::kInterval:
      intervals.resize(count);
      for (size_t i = 0; i < count; i++) intervals[i] = view.Get<Interval>(i);
      break;
    case PhysicalKind::kInt128:
      wides.resize(count);
      for (size_t i = 0; i < count; i++) wides[i] = view.Get<Int128>(i);
      break;
    case PhysicalKind::kUuid:
      wides.resize(count);
      for (size_t i = 0; i < count; i++) wides[i] = UuidKey(view.Get<Uuid>(i));
      break;
    case PhysicalKind::kList:
    case PhysicalKind::kStruct: {
      // Equal nested values have equal SQL literals (elements in order, NULLs spelled out).
      encoded = std::make_shared<StringHeap>();
      strings.resize(count);
      nested_values.resize(count);
      for (size_t i = 0; i < count; i++) {
        if (!view.IsValid(i)) {
          strings[i] = std::string_view();
          nested_values[i] = Value();
          continue;
        }
        nested_values[i] = v.GetValue(i);
        strings[i] = encoded->Add(nested_values[i].ToSqlLiteral());
      }
      break;
    }
    case PhysicalKind::kNone:
      break;
  }
  if (has_nulls) {  // canonical values under NULLs so stored keys compare cleanly
    for (size_t i = 0; i < count; i++) {
      if (!nulls[i]) continue;
      switch (key_class) {
        case KeyClass::kInt:
          ints[i] = 0;
          break;
        case KeyClass::kDouble:
          doubles[i] = 0;
          break;
        case KeyClass::kString:
          strings[i] = std::string_view();
          break;
        case KeyClass::kInterval:
          intervals[i] = Interval{};
          break;
        case KeyClass::kWide:
          wides[i] = 0;
          break;
      }
    }
  }
}

void KeyColumn::AppendRow(const KeyColumn& other, size_t row) {
  key_class = other.key_class;
  nulls.push_back(other.nulls[row]);
  if (other.nulls[row]) has_nulls = true;
  switch (key_class) {
    case KeyClass::kInt:
      ints.push_back(other.ints[row]);
      break;
    case KeyClass::kDouble:
      doubles.push_back(other.doubles[row]);
      break;
    case KeyClass::kString:
      strings.push_back(other.strings[row]);
      if (other.encoded && (kept.empty() || kept.back() != other.encoded))
        kept.push_back(other.encoded);
      if (!other.nested_values.empty()) nested_values.push_back(other.nested_values[row]);
      break;
    case KeyClass::kInterval:
      intervals.push_back(other.intervals[row]);
      break;
    case KeyClass::kWide:
      wides.push_back(other.wides[row]);
      break;
  }
}

bool KeyColumn::Equal(size_t row, const KeyColumn& other, size_t other_row) const {
  if (nulls[row] != other.nulls[other_row]) return false;
  if (nulls[row]) return true;
  switch (key_class) {
    case KeyClass::kInt:
      if (other.key_class == KeyClass::kDouble)
        return static_cast<double>(ints[row]) == other.doubles[other_row];
      return ints[row] == other.ints[other_row];
    case KeyClass::kDouble: {
      double a = doubles[row];
      double b = other.key_class == KeyClass::kInt ? static_cast<double>(other.ints[other_row])
                                                   : other.doubles[other_row];
      return a == b || (std::isnan(a) && std::isnan(b));
    }
    case KeyClass::kString:
      return strings[row] == other.strings[other_row];
    case KeyClass::kInterval:
      return intervals[row] == other.intervals[other_row];
    case KeyClass::kWide:
      return wides[row] == other.wides[other_row];
  }
  return false;
}

int KeyColumn::Compare(size_t row, const KeyColumn& other, size_t other_row) const {
  switch (key_class) {
    case KeyClass::kInt: {
      int64_t a = ints[row], b = other.ints[other_row];
      return a < b ? -1 : (a > b ? 1 : 0);
    }
    case KeyClass::kDouble: {
      double a = doubles[row], b = other.doubles[other_row];
      bool na = std::isnan(a), nb = std::isnan(b);
      if (na || nb) return na == nb ? 0 : (na ? 1 : -1);  // NaN sorts last, like Trino
      return a < b ? -1 : (a > b ? 1 : 0);
    }
    case KeyClass::kString: {
      if (!nested_values.empty() && !other.nested_values.empty())
        return nested_values[row].Compare(other.nested_values[other_row]);
      int c = strings[row].compare(other.strings[other_row]);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case KeyClass::kInterval: {
      const Interval& a = intervals[row];
      const Interval& b = other.intervals[other_row];
      if (a.months != b.months) return a.months < b.months ? -1 : 1;
      if (a.days != b.days) return a.days < b.days ? -1 : 1;
      if (a.micros != b.micros) return a.micros < b.micros ? -1 : 1;
      return 0;
    }
    case KeyClass::kWide: {
      Int128 a = wides[row], b = other.wides[other_row];
      return a < b ? -1 : (a > b ? 1 : 0);
    }
  }
  return 0;
}

size_t KeyColumn::MemoryUsage() const {
  return ints.capacity() * 8 + doubles.capacity() * 8 +
         strings.capacity() * sizeof(std::string_view) + intervals.capacity() * sizeof(Interval) +
         wides.capacity() * sizeof(Int128) + nulls.capacity();
}

void KeyBatch::Load(const std::vector<Vector>& keys, size_t n) {
  count = n;
  columns.resize(keys.size());
  hashes.assign(n, 0x2545F4914F6CDD1DULL);
  any_null.assign(n, 0);
  for (size_t c = 0; c < keys.size(); c++) {
    KeyColumn& col = columns[c];
    col.Load(keys[c], n);
    uint64_t* h = hashes.data();
    switch (col.key_class) {
      case KeyClass::kInt:
        for (size_t i = 0; i < n; i++)
          h[i] = Combine(h[i], HashInt64(static_cast<uint64_t>(col.ints[i])));
        break;
      case KeyClass::kDouble:
        for (size_t i = 0; i < n; i++) {
          double d = col.doubles[i];
          // Integral doubles hash like integers so INTEGER = DOUBLE keys can match.
          if (d == std::trunc(d) && std::fabs(d) < 9.2e18)
            h[i] = Combine(h[i], HashInt64(static_cast<uint64_t>(static_cast<int64_t>(d))));
          else
            h[i] = Combine(h[i], HashDouble(d));
        }
        break;
      case KeyClass::kString:
        for (size_t i = 0; i < n; i++)
          h[i] = Combine(h[i], XXH3_64bits(col.strings[i].data(), col.strings[i].size()));
        break;
      case KeyClass::kInterval:
        for (size_t i = 0; i < n; i++) {
          const Interval& v = col.intervals[i];
          h[i] = Combine(h[i],
                         HashInt64((static_cast<uint64_t>(static_cast<uint32_t>(v.months)) << 32) ^
                                   static_cast<uint32_t>(v.days)) ^
                             HashInt64(static_cast<uint64_t>(v.micros)));
        }
        break;
      case KeyClass::kWide:
        for (size_t i = 0; i < n; i++) {
          auto v = static_cast<unsigned __int128>(col.wides[i]);
          h[i] = Combine(h[i], HashInt64(static_cast<uint64_t>(v)) ^
                                   HashInt64(static_cast<uint64_t>(v >> 64) + 0x51ed27));
        }
        break;
    }
    if (col.has_nulls) {
      for (size_t i = 0; i < n; i++) {
        if (col.nulls[i]) {
          any_null[i] = 1;
          h[i] = Combine(h[i], kNullHash);
        }
      }
    }
  }
  // Finalize so that the low bits (slot index) and high bits (tag) are both well mixed.
  for (size_t i = 0; i < n; i++) hashes[i] = HashInt64(hashes[i]);
}

KeyTable::KeyTable(size_t key_count) : stored_(key_count) {
  slots_.assign(1024, 0);
  mask_ = slots_.size() - 1;
}

bool KeyTable::RowEquals(uint32_t id, const KeyBatch& keys, size_t row) const {
  for (size_t c = 0; c < stored_.size(); c++) {
    if (!stored_[c].Equal(id, keys.columns[c], row)) return false;
  }
  return true;
}

void KeyTable::Grow() {
  // Re-inserts by id, reading the stored hashes in order (the slots are written at random).
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  const uint64_t* hashes = stored_hashes_.data();
  for (size_t id = 0; id < size_; id++) {
    uint64_t h = hashes[id];
    size_t pos = h & mask_;
    while (slots_[pos]) pos = (pos + 1) & mask_;
    slots_[pos] = (h & 0xFFFFFFFF00000000ULL) | (static_cast<uint64_t>(id) + 1);
  }
}

uint32_t KeyTable::FindOrInsertRow(const KeyBatch& keys, size_t row, bool* is_new) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  uint64_t h = keys.hashes[row];
  uint64_t tag = h & 0xFFFFFFFF00000000ULL;
  size_t pos = h & mask_;
  while (true) {
    uint64_t s = slots_[pos];
    if (!s) break;
    if ((s & 0xFFFFFFFF00000000ULL) == tag) {
      uint32_t id = static_cast<uint32_t>(s) - 1;
      if (RowEquals(id, keys, row)) {
        *is_new = false;
        return id;
      }
    }
    pos = (pos + 1) & mask_;
  }
  if (size_ >= 0xFFFFFFF0u)
    throw Error(ErrorKind::kExecution, "too many distinct keys in a hash table");
  uint32_t id = static_cast<uint32_t>(size_);
  slots_[pos] = tag | (static_cast<uint64_t>(id) + 1);
  for (size_t c = 0; c < stored_.size(); c++) stored_[c].AppendRow(keys.columns[c], row);
  stored_hashes_.push_back(h);
  size_++;
  *is_new = true;
  return id;
}

void KeyTable::FindOrInsert(const KeyBatch& keys, uint32_t* ids, std::vector<uint32_t>* new_rows) {
  if (stored_.size() == 1 && keys.columns[0].key_class == KeyClass::kInt &&
      (stored_[0].key_class == KeyClass::kInt || size_ == 0) && !keys.columns[0].has_nulls &&
      !stored_[0].has_nulls) {
    // Fast path: one non-null integer key column.
    KeyColumn& stored = stored_[0];
    stored.key_class = KeyClass::kInt;
    const int64_t* in = keys.columns[0].ints.data();
    // Room for every row up front, so the slots do not move during the batch and the probes
    // can be prefetched.
    while ((size_ + keys.count) * 2 > slots_.size()) Grow();
    const uint64_t* hashes = keys.hashes.data();
    constexpr size_t kAhead = 16;
    for (size_t i = 0; i < keys.count; i++) {
      if (i + kAhead < keys.count) __builtin_prefetch(&slots_[hashes[i + kAhead] & mask_]);
      uint64_t h = hashes[i];
      uint64_t tag = h & 0xFFFFFFFF00000000ULL;
      size_t pos = h & mask_;
      int64_t v = in[i];
      uint32_t found = kNotFound;
      while (true) {
        uint64_t s = slots_[pos];
        if (!s) break;
        if ((s & 0xFFFFFFFF00000000ULL) == tag) {
          uint32_t id = static_cast<uint32_t>(s) - 1;
          if (stored.ints[id] == v) {
            found = id;
            break;
          }
        }
        pos = (pos + 1) & mask_;
      }
      if (found == kNotFound) {
        found = static_cast<uint32_t>(size_);
        slots_[pos] = tag | (static_cast<uint64_t>(found) + 1);
        stored.ints.push_back(v);
        stored.nulls.push_back(0);
        stored_hashes_.push_back(h);
        size_++;
        if (new_rows) new_rows->push_back(static_cast<uint32_t>(i));
      }
      ids[i] = found;
    }
    return;
  }
  for (size_t i = 0; i < keys.count; i++) {
    bool is_new;
    ids[i] = FindOrInsertRow(keys, i, &is_new);
    if (is_new && new_rows) new_rows->push_back(static_cast<uint32_t>(i));
  }
}

uint32_t KeyTable::FindRow(const KeyBatch& keys, size_t row) const {
  uint64_t h = keys.hashes[row];
  uint64_t tag = h & 0xFFFFFFFF00000000ULL;
  size_t pos = h & mask_;
  while (true) {
    uint64_t s = slots_[pos];
    if (!s) return kNotFound;
    if ((s & 0xFFFFFFFF00000000ULL) == tag) {
      uint32_t id = static_cast<uint32_t>(s) - 1;
      if (RowEquals(id, keys, row)) return id;
    }
    pos = (pos + 1) & mask_;
  }
}

void KeyTable::Find(const KeyBatch& keys, uint32_t* ids) const {
  if (stored_.size() == 1 && keys.columns[0].key_class == KeyClass::kInt &&
      stored_[0].key_class == KeyClass::kInt && !stored_[0].has_nulls) {
    const int64_t* in = keys.columns[0].ints.data();
    const uint8_t* nulls = keys.columns[0].nulls.data();
    const int64_t* stored = stored_[0].ints.data();
    for (size_t i = 0; i < keys.count; i++) {
      uint32_t found = kNotFound;
      if (!nulls[i]) {
        uint64_t h = keys.hashes[i];
        uint64_t tag = h & 0xFFFFFFFF00000000ULL;
        size_t pos = h & mask_;
        while (true) {
          uint64_t s = slots_[pos];
          if (!s) break;
          if ((s & 0xFFFFFFFF00000000ULL) == tag && stored[static_cast<uint32_t>(s) - 1] == in[i]) {
            found = static_cast<uint32_t>(s) - 1;
            break;
          }
          pos = (pos + 1) & mask_;
        }
      }
      ids[i] = found;
    }
    return;
  }
  for (size_t i = 0; i < keys.count; i++) ids[i] = FindRow(keys, i);
}

size_t KeyTable::MemoryUsage() const {
  size_t bytes = slots_.capacity() * 8 + stored_hashes_.capacity() * 8;
  for (const auto& c : stored_) bytes += c.MemoryUsage();
  return bytes;
}

}  // namespace aishell
