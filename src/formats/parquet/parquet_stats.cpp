#include "formats/parquet/parquet_stats.h"

#include <cmath>
#include <cstring>
#include <utility>

namespace aishell::parquet {

namespace {

std::optional<Value> StatValue(const std::string& bytes, PhysicalType physical,
                               const LogicalType& type) {
  switch (type.id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt: {
      if (physical != PhysicalType::kInt32 || bytes.size() != 4) return std::nullopt;
      int32_t v;
      std::memcpy(&v, bytes.data(), 4);
      if (type.id == TypeId::kTinyInt) return Value::TinyInt(static_cast<int8_t>(v));
      return Value::SmallInt(static_cast<int16_t>(v));
    }
    case TypeId::kReal: {
      if (physical != PhysicalType::kFloat || bytes.size() != 4) return std::nullopt;
      float f;
      std::memcpy(&f, bytes.data(), 4);
      if (std::isnan(f)) return std::nullopt;
      return Value::Real(f);
    }
    case TypeId::kInteger:
    case TypeId::kDate: {
      if (physical != PhysicalType::kInt32 || bytes.size() != 4) return std::nullopt;
      int32_t v;
      std::memcpy(&v, bytes.data(), 4);
      return type.id == TypeId::kDate ? Value::Date(v) : Value::Integer(v);
    }
    case TypeId::kBigInt: {
      if (physical != PhysicalType::kInt64 || bytes.size() != 8) return std::nullopt;
      int64_t v;
      std::memcpy(&v, bytes.data(), 8);
      return Value::BigInt(v);
    }
    case TypeId::kDecimal: {
      if (type.IsLongDecimal()) return std::nullopt;
      int64_t v;
      if (physical == PhysicalType::kInt32 && bytes.size() == 4) {
        int32_t x;
        std::memcpy(&x, bytes.data(), 4);
        v = x;
      } else if (physical == PhysicalType::kInt64 && bytes.size() == 8) {
        std::memcpy(&v, bytes.data(), 8);
      } else {
        return std::nullopt;
      }
      return Value::Decimal(v, type.precision, type.scale);
    }
    case TypeId::kDouble: {
      double d;
      if (physical == PhysicalType::kFloat && bytes.size() == 4) {
        float f;
        std::memcpy(&f, bytes.data(), 4);
        d = f;
      } else if (physical == PhysicalType::kDouble && bytes.size() == 8) {
        std::memcpy(&d, bytes.data(), 8);
      } else {
        return std::nullopt;
      }
      if (std::isnan(d)) return std::nullopt;
      return Value::Double(d);
    }
    case TypeId::kVarchar:
      if (physical != PhysicalType::kByteArray) return std::nullopt;
      return Value::Varchar(bytes);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<StatsRange> StatisticsRange(const Statistics& stats, PhysicalType physical,
                                          const LogicalType& type, bool raw, int64_t num_rows) {
  StatsRange range;
  if (stats.null_count && *stats.null_count == num_rows && num_rows > 0) {
    range.all_null = true;
    return range;
  }
  if (!raw) return std::nullopt;
  const std::optional<std::string>* min = &stats.min_value;
  const std::optional<std::string>* max = &stats.max_value;
  if (!min->has_value() || !max->has_value()) {
    // Legacy min/max use signed byte order: wrong for strings.
    if (type.id == TypeId::kVarchar) return std::nullopt;
    min = &stats.min;
    max = &stats.max;
  }
  if (!min->has_value() || !max->has_value()) return std::nullopt;
  auto lo = StatValue(**min, physical, type);
  auto hi = StatValue(**max, physical, type);
  if (!lo || !hi) return std::nullopt;
  range.min = *lo;
  range.max = *hi;
  return range;
}

RowGroupFilter::RowGroupFilter(int column, CompareOp op, const Value& constant)
    : column(column), domain(Domain::FromComparison(op, constant).value_or(Domain::All())) {}

std::optional<RowGroupFilter> RowGroupFilter::ForColumn(int column, const LogicalType& type,
                                                        const Domain& domain) {
  switch (type.id) {
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kDate:
    case TypeId::kDecimal:
    case TypeId::kReal:
    case TypeId::kDouble:
    case TypeId::kVarchar:
      break;
    default:
      return std::nullopt;
  }
  for (const auto& r : domain.ranges()) {
    for (const RangeBound* b : {&r.low, &r.high}) {
      if (b->value && b->value->type() != type) return std::nullopt;
    }
  }
  return RowGroupFilter(column, domain);
}

std::vector<RowGroupFilter> RowGroupFilter::FromDomain(const TupleDomain& domain,
                                                       const std::vector<ColumnInfo>& columns) {
  std::vector<RowGroupFilter> out;
  for (const auto& [column, d] : domain.domains()) {
    if (column < 0 || static_cast<size_t>(column) >= columns.size()) continue;
    if (auto f = ForColumn(column, columns[column].type, d)) out.push_back(std::move(*f));
  }
  return out;
}

bool RowGroupFilter::MayMatch(const StatsRange& range) const {
  if (range.all_null) return domain.null_allowed();
  return domain.MayMatch(range.min, range.max, /*may_have_null=*/true);
}

std::string RowGroupFilter::ToString(const std::vector<ColumnInfo>& columns) const {
  return columns[column].name + " IN " + domain.ToString();
}

}  // namespace aishell::parquet
