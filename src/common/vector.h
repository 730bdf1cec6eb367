// The one columnar batch type: typed vectors with a validity bitmap, in flat, constant and
// dictionary forms. Fixed-width data and validity use Arrow's layouts (little-endian values,
// LSB-first bitmap, 1 = valid), so they export to the Arrow C Data Interface without copying.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "common/value.h"

namespace aishell {

inline constexpr size_t kBatchSize = 2048;

// A 64-byte aligned, growable byte buffer.
class Buffer {
 public:
  explicit Buffer(size_t bytes = 0);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t capacity() const { return capacity_; }
  void Reserve(size_t bytes);  // keeps the contents; new bytes are zero
  // Like Reserve, but new bytes are left uninitialized (for buffers overwritten next).
  void ReserveUninitialized(size_t bytes);
  // A read-mostly window of `bytes` bytes at `offset` into `parent`, sharing its memory and
  // keeping it alive. Growing the view (Reserve) copies it into memory of its own first.
  static std::shared_ptr<Buffer> View(std::shared_ptr<Buffer> parent, size_t offset, size_t bytes);

 private:
  void Grow(size_t bytes, bool zero_fill);

  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
  std::shared_ptr<Buffer> parent_;  // set for views: owns data_
};

// An append-only arena holding string bytes that std::string_views in vectors point into.
class StringHeap {
 public:
  // Copies `s` into the heap. Inline: the common case bumps a pointer in the current block.
  std::string_view Add(std::string_view s) {
    if (s.size() - 1 < block_size_ - block_used_) {  // non-empty and fits (no block: size 0)
      char* p = blocks_.back().get() + block_used_;
      block_used_ += s.size();
      std::memcpy(p, s.data(), s.size());
      return std::string_view(p, s.size());
    }
    return AddToNewBlock(s);
  }
  char* Allocate(size_t bytes);
  // Keeps another heap alive as long as this one (for vectors that gather from several).
  void KeepAlive(std::shared_ptr<const StringHeap> other);
  size_t bytes_allocated() const { return bytes_allocated_; }

 private:
  std::string_view AddToNewBlock(std::string_view s);

  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0;
  size_t block_size_ = 0;
  size_t bytes_allocated_ = 0;
  std::vector<std::shared_ptr<const StringHeap>> kept_;
};

enum class VectorKind : uint8_t { kFlat, kConstant, kDictionary };

// A read-only view that handles every vector form through one code path
// (like Velox's DecodedVector): row i lives at data[Index(i)].
struct UnifiedView {
  const uint8_t* data = nullptr;
  const uint64_t* validity = nullptr;  // of the underlying data; nullptr = all valid
  const uint32_t* sel = nullptr;       // dictionary indices; nullptr = identity
  bool is_constant = false;

  size_t Index(size_t i) const { return is_constant ? 0 : (sel ? sel[i] : i); }
  bool IsValid(size_t i) const {
    if (!validity) return true;
    size_t k = Index(i);
    return (validity[k >> 6] >> (k & 63)) & 1;
  }
  template <class T>
  const T& Get(size_t i) const {
    return reinterpret_cast<const T*>(data)[Index(i)];
  }
};

class Vector {
 public:
  Vector() = default;
  // A flat vector with room for `capacity` rows, all valid, size 0.
  explicit Vector(LogicalType type, size_t capacity = kBatchSize);

  // A constant vector: one value standing for `count` rows.
  static Vector Constant(const Value& value, size_t count);
  // A dictionary vector: row i is dictionary[indices[i]]; `dictionary` must be flat.
  static Vector Dictionary(std::shared_ptr<const Vector> dictionary,
                           std::shared_ptr<Buffer> indices, size_t count);

  const LogicalType& type() const { return type_; }
  VectorKind kind() const { return kind_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

  // Sets the number of rows (flat: grows the buffers as needed). Rows beyond the old capacity
  // start valid; rows within it keep their validity bits (readers set nulls, then the count).
  void Resize(size_t rows);
  void Reserve(size_t rows);

  // Flat access.
  template <class T>
  T* Data() {
    return reinterpret_cast<T*>(data_->data());
  }
  template <class T>
  const T* Data() const {
    return reinterpret_cast<const T*>(data_->data());
  }
  uint8_t* RawData() { return data_ ? data_->data() : nullptr; }
  const uint8_t* RawData() const { return data_ ? data_->data() : nullptr; }

  // Validity (flat and constant forms). nullptr means every row is valid.
  const uint64_t* validity() const {
    return validity_ ? reinterpret_cast<const uint64_t*>(validity_->data()) : nullptr;
  }
  uint64_t* MutableValidity();  // allocates an all-valid bitmap on first use
  bool IsValid(size_t i) const {
    const uint64_t* v = validity();
    size_t k = kind_ == VectorKind::kConstant ? 0 : i;
    return !v || ((v[k >> 6] >> (k & 63)) & 1);
  }
  void SetNull(size_t i, bool is_null = true);
  bool MayHaveNulls() const { return validity_ != nullptr; }

  // Strings (VARCHAR): copies `s` into this vector's heap.
  void SetString(size_t i, std::string_view s);
  std::shared_ptr<StringHeap>& heap();
  const std::shared_ptr<StringHeap>& heap_ref() const { return heap_; }

  // Any form. GetValue is for tests and cold paths only.
  Value GetValue(size_t i) const;
  void SetValue(size_t i, const Value& value);  // flat only

  UnifiedView View() const;

  // Converts constant and dictionary forms to flat, in place.
  void Flatten();
  // A flat vector holding rows sel[0..count) of this one (any form).
  Vector Gather(const uint32_t* sel, size_t count) const;
  // Rows sel[0..count) in the cheapest form: a dictionary vector stays a dictionary over the
  // same values (only its indices are gathered), a constant stays constant, a flat one is
  // gathered.
  Vector Select(const uint32_t* sel, size_t count) const;
  // Rows [offset, offset+count). A flat input gives a flat vector sharing this vector's memory
  // (no copy; its capacity is exactly `count`, so growing it copies first): treat it as
  // read-only, like any copy of a Vector. A dictionary input stays a dictionary (its indices
  // shared); a constant one is flattened. CopySlice always gives a flat copy.
  Vector Slice(size_t offset, size_t count) const;
  Vector CopySlice(size_t offset, size_t count) const;
  // Appends rows [offset, offset+count) of `other` (same type) to this flat vector.
  void Append(const Vector& other, size_t offset, size_t count);
  // Sets row dst_row of this flat vector to row src_row of `src` (same type, any form); nested
  // values are copied into this vector's children.
  void SetRowFrom(const Vector& src, size_t src_row, size_t dst_row);

  // Nested types (ARRAY, MAP, ROW): each row is a fixed-width entry (ArrayEntry, or a uint32_t
  // row index for ROW) into child vectors that copies of the vector share: ARRAY has one child
  // (the elements), MAP two (keys, values), ROW one per field. Child(i) is writable (creating it
  // on first use); children() of a dictionary or constant vector are its source's.
  Vector& Child(size_t i);
  const Vector& child(size_t i) const;
  size_t ChildCount() const { return SourceChildren().size(); }
  // Appends rows [offset, offset + count) of `source` (same type) to child i and returns the
  // child's row count before (the new rows' first index).
  size_t AppendToChild(size_t i, const Vector& source, size_t offset, size_t count);

  // Dictionary form.
  const std::shared_ptr<const Vector>& dictionary() const { return dictionary_; }
  const uint32_t* indices() const { return reinterpret_cast<const uint32_t*>(indices_->data()); }

 private:
  LogicalType type_;
  VectorKind kind_ = VectorKind::kFlat;
  size_t size_ = 0;
  size_t capacity_ = 0;
  std::shared_ptr<Buffer> data_;
  std::shared_ptr<Buffer> validity_;
  std::shared_ptr<StringHeap> heap_;
  std::shared_ptr<const Vector> dictionary_;
  std::shared_ptr<Buffer> indices_;
  std::vector<std::shared_ptr<Vector>> children_;  // nested types only

  const std::vector<std::shared_ptr<Vector>>& SourceChildren() const {
    return kind_ == VectorKind::kDictionary ? dictionary_->children_ : children_;
  }
  void InitChildren();
  // Appends rows of `other` whose entries point into other children than this vector's: the
  // referenced child rows are copied and the entries rebased.
  void AppendNested(const UnifiedView& view, const Vector& other, size_t offset, size_t count,
                    size_t start);
};

// A set of equally long vectors: what flows between every operator, scan and function.
struct Batch {
  std::vector<Vector> columns;
  size_t count = 0;

  Batch() = default;
  // Flat vectors of the given types, with room for `capacity` rows, count 0.
  explicit Batch(const std::vector<LogicalType>& types, size_t capacity = kBatchSize);

  size_t ColumnCount() const { return columns.size(); }
  std::vector<LogicalType> Types() const;
  // Sets count and every column's size.
  void SetCount(size_t rows);
  // A batch of flat vectors holding rows sel[0..n).
  Batch Gather(const uint32_t* sel, size_t n) const;
  // Rows sel[0..n), each column through Vector::Select (dictionaries and constants kept).
  Batch Select(const uint32_t* sel, size_t n) const;
  Batch Slice(size_t offset, size_t n) const;
  void Flatten();
  // Approximate bytes held, for memory accounting.
  size_t MemoryUsage() const;
};

}  // namespace aishell
