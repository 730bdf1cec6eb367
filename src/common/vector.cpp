#include "common/vector.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "common/exception.h"

namespace aishell {

// ---- Buffer ----

Buffer::Buffer(size_t bytes) { Reserve(bytes); }

Buffer::~Buffer() {
  if (!parent_) std::free(data_);
}

void Buffer::Reserve(size_t bytes) {
  if (bytes <= capacity_) return;
  Grow(bytes, true);
}

void Buffer::ReserveUninitialized(size_t bytes) {
  if (bytes <= capacity_) return;
  Grow(bytes, false);
}

void Buffer::Grow(size_t bytes, bool zero_fill) {
  size_t cap = std::max<size_t>(64, (bytes + 63) & ~size_t{63});
  if (capacity_ > 0) cap = std::max(cap, capacity_ * 2);
  auto* p = static_cast<uint8_t*>(std::aligned_alloc(64, cap));
  if (!p) throw Error(ErrorKind::kOutOfMemory, "cannot allocate " + std::to_string(cap) + " bytes");
  if (data_) {
    std::memcpy(p, data_, capacity_);
    if (!parent_) std::free(data_);
  }
  if (zero_fill) std::memset(p + capacity_, 0, cap - capacity_);
  data_ = p;
  capacity_ = cap;
  parent_.reset();
}

std::shared_ptr<Buffer> Buffer::View(std::shared_ptr<Buffer> parent, size_t offset, size_t bytes) {
  auto view = std::make_shared<Buffer>();
  std::free(view->data_);
  view->data_ = parent->data() + offset;
  view->capacity_ = bytes;
  view->parent_ = parent->parent_ ? parent->parent_ : std::move(parent);
  return view;
}

// ---- StringHeap ----

char* StringHeap::Allocate(size_t bytes) {
  if (blocks_.empty() || block_used_ + bytes > block_size_) {
    size_t size =
        std::max<size_t>(bytes, std::min<size_t>(block_size_ ? block_size_ * 2 : 4096, 1 << 20));
    blocks_.emplace_back(new char[size]);
    block_size_ = size;
    block_used_ = 0;
    bytes_allocated_ += size;
  }
  char* p = blocks_.back().get() + block_used_;
  block_used_ += bytes;
  return p;
}

std::string_view StringHeap::AddToNewBlock(std::string_view s) {
  if (s.empty()) return std::string_view();
  char* p = Allocate(s.size());
  std::memcpy(p, s.data(), s.size());
  return std::string_view(p, s.size());
}

void StringHeap::KeepAlive(std::shared_ptr<const StringHeap> other) {
  if (!other || other.get() == this) return;
  for (auto& k : kept_) {
    if (k == other) return;
  }
  kept_.push_back(std::move(other));
}

// ---- Vector ----

Vector::Vector(LogicalType type, size_t capacity) : type_(std::move(type)) {
  Reserve(std::max<size_t>(capacity, 1));
  InitChildren();
}

void Vector::InitChildren() {
  if (!type_.IsNested()) return;
  children_.clear();
  size_t n = type_.id == TypeId::kArray ? 1 : type_.Children().size();
  for (size_t i = 0; i < n; i++) {
    LogicalType t = i < type_.Children().size() ? type_.Children()[i] : LogicalType();
    children_.push_back(std::make_shared<Vector>(t, 0));
  }
}

Vector& Vector::Child(size_t i) {
  if (kind_ != VectorKind::kFlat) Flatten();
  if (children_.size() <= i) InitChildren();
  // A child shared with other vectors is copied before it is written (copy on write).
  if (children_[i].use_count() > 1)
    children_[i] = std::make_shared<Vector>(children_[i]->CopySlice(0, children_[i]->size()));
  return *children_[i];
}

const Vector& Vector::child(size_t i) const { return *SourceChildren().at(i); }

size_t Vector::AppendToChild(size_t i, const Vector& source, size_t offset, size_t count) {
  Vector& c = Child(i);
  size_t before = c.size();
  c.Append(source, offset, count);
  return before;
}

void Vector::Reserve(size_t rows) {
  if (kind_ != VectorKind::kFlat) Flatten();
  if (rows <= capacity_ && data_) return;
  size_t width = type_.PhysicalSize();
  // Fixed-width values are written before they are read (rows under NULL are never read), so
  // only string views, which code may dereference, start zeroed.
  bool zero = type_.Physical() == PhysicalKind::kString;
  if (!data_) {
    data_ = std::make_shared<Buffer>();
    if (zero)
      data_->Reserve(rows * width);
    else
      data_->ReserveUninitialized(rows * width);
  } else if (zero) {
    data_->Reserve(rows * width);
  } else {
    data_->ReserveUninitialized(rows * width);
  }
  if (validity_) {
    // New validity bytes must read as valid (1 bits); Buffer::Reserve zero-fills.
    size_t old_bytes = validity_->capacity();
    validity_->Reserve(((rows + 63) / 64) * 8);
    std::memset(validity_->data() + old_bytes, 0xFF, validity_->capacity() - old_bytes);
  }
  capacity_ = std::max(rows, capacity_);
  if (data_->capacity() / width > capacity_) capacity_ = data_->capacity() / width;
  if (validity_) capacity_ = std::min(capacity_, validity_->capacity() * 8);
}

void Vector::Resize(size_t rows) {
  if (kind_ == VectorKind::kFlat) {
    if (rows > capacity_) Reserve(std::max(rows, capacity_ * 2));
  }
  size_ = rows;
}

uint64_t* Vector::MutableValidity() {
  if (!validity_) {
    size_t words = (std::max<size_t>(capacity_, 1) + 63) / 64;
    validity_ = std::make_shared<Buffer>(words * 8);
    std::memset(validity_->data(), 0xFF, validity_->capacity());
    capacity_ = std::min(capacity_, validity_->capacity() * 8);
  }
  return reinterpret_cast<uint64_t*>(validity_->data());
}

void Vector::SetNull(size_t i, bool is_null) {
  if (!is_null && !validity_) return;
  uint64_t* v = MutableValidity();
  if (is_null)
    v[i >> 6] &= ~(uint64_t{1} << (i & 63));
  else
    v[i >> 6] |= uint64_t{1} << (i & 63);
}

std::shared_ptr<StringHeap>& Vector::heap() {
  if (!heap_) heap_ = std::make_shared<StringHeap>();
  return heap_;
}

void Vector::SetString(size_t i, std::string_view s) {
  Data<std::string_view>()[i] = heap()->Add(s);
}

Vector Vector::Constant(const Value& value, size_t count) {
  LogicalType t = value.type();
  Vector v(t, 1);
  v.SetValue(0, value);
  v.kind_ = VectorKind::kConstant;
  v.size_ = count;
  return v;
}

Vector Vector::Dictionary(std::shared_ptr<const Vector> dictionary, std::shared_ptr<Buffer> indices,
                          size_t count) {
  if (dictionary->kind() != VectorKind::kFlat)
    throw Error(ErrorKind::kInternal, "dictionary values must be a flat vector");
  Vector v;
  v.type_ = dictionary->type();
  v.kind_ = VectorKind::kDictionary;
  v.size_ = count;
  v.capacity_ = count;
  v.dictionary_ = std::move(dictionary);
  v.indices_ = std::move(indices);
  return v;
}

UnifiedView Vector::View() const {
  UnifiedView view;
  switch (kind_) {
    case VectorKind::kFlat:
      view.data = RawData();
      view.validity = validity();
      break;
    case VectorKind::kConstant:
      view.data = RawData();
      view.validity = validity();
      view.is_constant = true;
      break;
    case VectorKind::kDictionary:
      view.data = dictionary_->RawData();
      view.validity = dictionary_->validity();
      view.sel = indices();
      break;
  }
  return view;
}

Value Vector::GetValue(size_t i) const {
  UnifiedView v = View();
  if (!v.IsValid(i)) return Value::Null(type_);
  switch (type_.id) {
    case TypeId::kNull:
      return Value::Null();
    case TypeId::kBoolean:
      return Value::Boolean(v.Get<uint8_t>(i) != 0);
    case TypeId::kTinyInt:
      return Value::TinyInt(v.Get<int8_t>(i));
    case TypeId::kSmallInt:
      return Value::SmallInt(v.Get<int16_t>(i));
    case TypeId::kInteger:
      return Value::Integer(v.Get<int32_t>(i));
    case TypeId::kBigInt:
      return Value::BigInt(v.Get<int64_t>(i));
    case TypeId::kReal:
      return Value::Real(v.Get<float>(i));
    case TypeId::kDouble:
      return Value::Double(v.Get<double>(i));
    case TypeId::kDecimal:
      if (type_.IsLongDecimal())
        return Value::Decimal(v.Get<Int128>(i), type_.precision, type_.scale);
      return Value::Decimal(v.Get<int64_t>(i), type_.precision, type_.scale);
    case TypeId::kVarchar:
      return Value::Varchar(std::string(v.Get<std::string_view>(i)));
    case TypeId::kVarbinary:
      return Value::Varbinary(std::string(v.Get<std::string_view>(i)));
    case TypeId::kJson:
      return Value::Json(std::string(v.Get<std::string_view>(i)));
    case TypeId::kUuid:
      return Value::UuidValue(v.Get<Uuid>(i));
    case TypeId::kDate:
      return Value::Date(v.Get<int32_t>(i));
    case TypeId::kTime:
      return Value::Time(v.Get<int64_t>(i));
    case TypeId::kTimestamp:
      return Value::Timestamp(v.Get<int64_t>(i));
    case TypeId::kTimestampTz:
      return Value::TimestampTz(v.Get<int64_t>(i));
    case TypeId::kInterval:
      return Value::IntervalValue(v.Get<Interval>(i));
    case TypeId::kArray: {
      const ArrayEntry& e = v.Get<ArrayEntry>(i);
      std::vector<Value> elements;
      elements.reserve(e.length);
      const Vector& c = child(0);
      for (uint32_t k = 0; k < e.length; k++) elements.push_back(c.GetValue(e.offset + k));
      return Value::Array(type_, std::move(elements));
    }
    case TypeId::kMap: {
      const ArrayEntry& e = v.Get<ArrayEntry>(i);
      std::vector<Value> keys, values;
      const Vector& kc = child(0);
      const Vector& vc = child(1);
      for (uint32_t k = 0; k < e.length; k++) {
        keys.push_back(kc.GetValue(e.offset + k));
        values.push_back(vc.GetValue(e.offset + k));
      }
      return Value::Map(type_, std::move(keys), std::move(values));
    }
    case TypeId::kRow: {
      uint32_t index = v.Get<uint32_t>(i);
      std::vector<Value> fields;
      for (size_t f = 0; f < ChildCount(); f++) fields.push_back(child(f).GetValue(index));
      return Value::Row(type_, std::move(fields));
    }
  }
  return Value::Null(type_);
}

void Vector::SetValue(size_t i, const Value& value) {
  if (kind_ != VectorKind::kFlat)
    throw Error(ErrorKind::kInternal, "SetValue on a non-flat vector");
  if (value.is_null() || type_.id == TypeId::kNull) {
    SetNull(i);
    return;
  }
  SetNull(i, false);
  switch (type_.id) {
    case TypeId::kNull:
      break;
    case TypeId::kBoolean:
      Data<uint8_t>()[i] = value.GetBool() ? 1 : 0;
      break;
    case TypeId::kTinyInt:
      Data<int8_t>()[i] = static_cast<int8_t>(value.GetInt64());
      break;
    case TypeId::kSmallInt:
      Data<int16_t>()[i] = static_cast<int16_t>(value.GetInt64());
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      Data<int32_t>()[i] = static_cast<int32_t>(value.GetInt64());
      break;
    case TypeId::kDecimal:
      if (type_.IsLongDecimal()) {
        Data<Int128>()[i] = value.GetInt128();
        break;
      }
      Data<int64_t>()[i] = static_cast<int64_t>(value.GetInt128());
      break;
    case TypeId::kBigInt:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      Data<int64_t>()[i] = value.GetInt64();
      break;
    case TypeId::kReal:
      Data<float>()[i] = static_cast<float>(value.GetDouble());
      break;
    case TypeId::kDouble:
      Data<double>()[i] = value.GetDouble();
      break;
    case TypeId::kVarchar:
    case TypeId::kVarbinary:
    case TypeId::kJson:
      SetString(i, value.GetString());
      break;
    case TypeId::kUuid:
      Data<Uuid>()[i] = value.GetUuid();
      break;
    case TypeId::kArray:
    case TypeId::kMap: {
      const auto& keys = value.Children();
      auto append = [&](size_t c, const std::vector<Value>& values) {
        Vector& ch = Child(c);
        size_t base = ch.size();
        ch.Resize(base + values.size());
        for (size_t k = 0; k < values.size(); k++) ch.SetValue(base + k, values[k]);
        return base;
      };
      size_t base = append(0, keys);
      if (type_.id == TypeId::kMap) append(1, value.MapValues());
      Data<ArrayEntry>()[i] =
          ArrayEntry{static_cast<uint32_t>(base), static_cast<uint32_t>(keys.size())};
      break;
    }
    case TypeId::kRow: {
      const auto& fields = value.Children();
      size_t base = 0;
      for (size_t f = 0; f < type_.Children().size(); f++) {
        Vector& ch = Child(f);
        base = ch.size();
        ch.Resize(base + 1);
        if (f < fields.size())
          ch.SetValue(base, fields[f]);
        else
          ch.SetNull(base);
      }
      Data<uint32_t>()[i] = static_cast<uint32_t>(base);
      break;
    }
    case TypeId::kInterval:
      Data<Interval>()[i] = value.GetInterval();
      break;
  }
}

Vector Vector::Gather(const uint32_t* sel, size_t count) const {
  Vector out(type_, std::max<size_t>(count, 1));
  out.Resize(count);
  UnifiedView view = View();
  size_t width = type_.PhysicalSize();
  uint8_t* dst = out.RawData();
  if (view.is_constant) {
    for (size_t i = 0; i < count; i++) std::memcpy(dst + i * width, view.data, width);
  } else if (view.sel) {
    for (size_t i = 0; i < count; i++)
      std::memcpy(dst + i * width, view.data + view.sel[sel[i]] * width, width);
  } else {
    switch (width) {
      case 1:
        for (size_t i = 0; i < count; i++) dst[i] = view.data[sel[i]];
        break;
      case 2:
        for (size_t i = 0; i < count; i++)
          reinterpret_cast<uint16_t*>(dst)[i] =
              reinterpret_cast<const uint16_t*>(view.data)[sel[i]];
        break;
      case 4:
        for (size_t i = 0; i < count; i++)
          reinterpret_cast<uint32_t*>(dst)[i] =
              reinterpret_cast<const uint32_t*>(view.data)[sel[i]];
        break;
      case 8:
        for (size_t i = 0; i < count; i++)
          reinterpret_cast<uint64_t*>(dst)[i] =
              reinterpret_cast<const uint64_t*>(view.data)[sel[i]];
        break;
      default:
        for (size_t i = 0; i < count; i++)
          std::memcpy(dst + i * width, view.data + sel[i] * width, width);
    }
  }
  if (view.validity) {
    for (size_t i = 0; i < count; i++) {
      if (!view.IsValid(sel[i])) out.SetNull(i);
    }
  }
  if (type_.Physical() == PhysicalKind::kString) {
    const std::shared_ptr<StringHeap>& src_heap =
        kind_ == VectorKind::kDictionary ? dictionary_->heap_ref() : heap_;
    out.heap()->KeepAlive(src_heap);
  }
  if (type_.IsNested()) out.children_ = SourceChildren();
  return out;
}

Vector Vector::Select(const uint32_t* sel, size_t count) const {
  if (kind_ == VectorKind::kConstant) {
    Vector out = *this;
    out.size_ = count;
    return out;
  }
  if (kind_ == VectorKind::kDictionary && count > 0) {
    auto indices = std::make_shared<Buffer>();
    indices->ReserveUninitialized(count * sizeof(uint32_t));
    uint32_t* dst = reinterpret_cast<uint32_t*>(indices->data());
    const uint32_t* src = this->indices();
    for (size_t i = 0; i < count; i++) dst[i] = src[sel[i]];
    return Dictionary(dictionary_, std::move(indices), count);
  }
  return Gather(sel, count);
}

Vector Vector::Slice(size_t offset, size_t count) const {
  if (kind_ == VectorKind::kDictionary && indices_ && dictionary_ && count > 0 &&
      offset + count <= size_) {
    return Dictionary(dictionary_,
                      Buffer::View(indices_, offset * sizeof(uint32_t), count * sizeof(uint32_t)),
                      count);
  }
  if (kind_ != VectorKind::kFlat || !data_ || count == 0 || offset + count > size_ ||
      type_.id == TypeId::kNull)
    return CopySlice(offset, count);
  size_t width = type_.PhysicalSize();
  Vector out;
  out.type_ = type_;
  out.kind_ = VectorKind::kFlat;
  out.size_ = count;
  out.capacity_ = count;
  out.data_ = Buffer::View(data_, offset * width, count * width);
  out.heap_ = heap_;
  out.children_ = children_;
  if (validity_) {
    // The bitmap is small (a bit per row): copy it, with every bit past `count` valid, so the
    // slice can grow without inheriting the parent's bits.
    size_t words = (count + 63) / 64;
    out.validity_ = std::make_shared<Buffer>(words * 8);
    uint64_t* dst = reinterpret_cast<uint64_t*>(out.validity_->data());
    std::memset(dst, 0xFF, out.validity_->capacity());
    const uint64_t* src = validity();
    if (offset % 64 == 0) {
      std::memcpy(dst, src + offset / 64, words * 8);
      if (count % 64) dst[words - 1] |= ~uint64_t{0} << (count % 64);
    } else {
      for (size_t i = 0; i < count; i++) {
        size_t k = offset + i;
        if (!((src[k >> 6] >> (k & 63)) & 1)) dst[i >> 6] &= ~(uint64_t{1} << (i & 63));
      }
    }
    out.capacity_ = std::min(out.capacity_, out.validity_->capacity() * 8);
  }
  return out;
}

Vector Vector::CopySlice(size_t offset, size_t count) const {
  Vector out(type_, std::max<size_t>(count, 1));
  out.Append(*this, offset, count);
  return out;
}

void Vector::Append(const Vector& other, size_t offset, size_t count) {
  if (kind_ != VectorKind::kFlat) Flatten();
  size_t start = size_;
  UnifiedView view = other.View();
  if (type_.IsNested()) {
    const auto& theirs = other.SourceChildren();
    bool empty_children = true;
    for (const auto& c : children_) empty_children &= c->size() == 0;
    // An empty vector adopts the other's children (shared); otherwise entries are rebased.
    if (start == 0 && empty_children && !theirs.empty()) children_ = theirs;
    if (children_ != theirs) {
      Resize(size_ + count);
      AppendNested(view, other, offset, count, start);
      return;
    }
  }
  Resize(size_ + count);
  size_t width = type_.PhysicalSize();
  uint8_t* dst = RawData() + start * width;
  if (!view.is_constant && !view.sel) {
    std::memcpy(dst, view.data + offset * width, count * width);
  } else {
    for (size_t i = 0; i < count; i++)
      std::memcpy(dst + i * width, view.data + view.Index(offset + i) * width, width);
  }
  if (view.validity) {
    for (size_t i = 0; i < count; i++) {
      if (!view.IsValid(offset + i)) SetNull(start + i);
    }
  }
  if (type_.Physical() == PhysicalKind::kString) {
    const std::shared_ptr<StringHeap>& src =
        other.kind_ == VectorKind::kDictionary ? other.dictionary_->heap_ref() : other.heap_;
    heap()->KeepAlive(src);
  }
}

void Vector::SetRowFrom(const Vector& src, size_t src_row, size_t dst_row) {
  UnifiedView v = src.View();
  if (!v.IsValid(src_row)) {
    SetNull(dst_row);
    return;
  }
  SetNull(dst_row, false);
  if (type_.IsNested()) {
    const auto& theirs = src.SourceChildren();
    if (type_.id == TypeId::kRow) {
      uint32_t index = v.Get<uint32_t>(src_row);
      size_t base = 0;
      for (size_t f = 0; f < theirs.size(); f++) base = AppendToChild(f, *theirs[f], index, 1);
      Data<uint32_t>()[dst_row] = static_cast<uint32_t>(base);
    } else {
      ArrayEntry e = v.Get<ArrayEntry>(src_row);
      size_t base = 0;
      for (size_t c = 0; c < theirs.size(); c++)
        base = AppendToChild(c, *theirs[c], e.offset, e.length);
      Data<ArrayEntry>()[dst_row] = ArrayEntry{static_cast<uint32_t>(base), e.length};
    }
    return;
  }
  size_t width = type_.PhysicalSize();
  std::memcpy(RawData() + dst_row * width, v.data + v.Index(src_row) * width, width);
  if (type_.Physical() == PhysicalKind::kString) {
    const auto& h =
        src.kind() == VectorKind::kDictionary ? src.dictionary()->heap_ref() : src.heap_ref();
    if (h) heap()->KeepAlive(h);
  }
}

void Vector::AppendNested(const UnifiedView& view, const Vector& other, size_t offset, size_t count,
                          size_t start) {
  const auto& theirs = other.SourceChildren();
  for (size_t i = 0; i < count; i++) {
    size_t row = offset + i;
    if (!view.IsValid(row)) {
      SetNull(start + i);
      if (type_.id == TypeId::kRow)
        Data<uint32_t>()[start + i] = 0;
      else
        Data<ArrayEntry>()[start + i] = ArrayEntry{0, 0};
      continue;
    }
    if (type_.id == TypeId::kRow) {
      uint32_t index = view.Get<uint32_t>(row);
      size_t base = 0;
      for (size_t f = 0; f < theirs.size(); f++) base = AppendToChild(f, *theirs[f], index, 1);
      Data<uint32_t>()[start + i] = static_cast<uint32_t>(base);
    } else {
      ArrayEntry e = view.Get<ArrayEntry>(row);
      size_t base = 0;
      for (size_t c = 0; c < theirs.size(); c++)
        base = AppendToChild(c, *theirs[c], e.offset, e.length);
      Data<ArrayEntry>()[start + i] = ArrayEntry{static_cast<uint32_t>(base), e.length};
    }
  }
}

void Vector::Flatten() {
  if (kind_ == VectorKind::kFlat) return;
  size_t n = size_;
  std::vector<uint32_t> sel(n);
  for (size_t i = 0; i < n; i++) sel[i] = static_cast<uint32_t>(i);
  Vector flat = Gather(sel.data(), n);
  *this = std::move(flat);
}

// ---- Batch ----

Batch::Batch(const std::vector<LogicalType>& types, size_t capacity) {
  columns.reserve(types.size());
  for (const auto& t : types) columns.emplace_back(t, capacity);
}

std::vector<LogicalType> Batch::Types() const {
  std::vector<LogicalType> types;
  types.reserve(columns.size());
  for (const auto& c : columns) types.push_back(c.type());
  return types;
}

void Batch::SetCount(size_t rows) {
  count = rows;
  for (auto& c : columns) c.Resize(rows);
}

Batch Batch::Gather(const uint32_t* sel, size_t n) const {
  Batch out;
  out.columns.reserve(columns.size());
  for (const auto& c : columns) out.columns.push_back(c.Gather(sel, n));
  out.count = n;
  return out;
}

Batch Batch::Select(const uint32_t* sel, size_t n) const {
  Batch out;
  out.columns.reserve(columns.size());
  for (const auto& c : columns) out.columns.push_back(c.Select(sel, n));
  out.count = n;
  return out;
}

Batch Batch::Slice(size_t offset, size_t n) const {
  Batch out;
  out.columns.reserve(columns.size());
  for (const auto& c : columns) out.columns.push_back(c.Slice(offset, n));
  out.count = n;
  return out;
}

void Batch::Flatten() {
  for (auto& c : columns) c.Flatten();
}

size_t Batch::MemoryUsage() const {
  size_t bytes = 0;
  for (const auto& c : columns) {
    bytes += c.capacity() * c.type().PhysicalSize() + c.capacity() / 8;
    if (c.heap_ref()) bytes += c.heap_ref()->bytes_allocated();
    for (size_t k = 0; c.type().IsNested() && k < c.ChildCount(); k++) {
      const Vector& ch = c.child(k);
      bytes += ch.capacity() * ch.type().PhysicalSize();
      if (ch.heap_ref()) bytes += ch.heap_ref()->bytes_allocated();
    }
  }
  return bytes;
}

}  // namespace aishell
