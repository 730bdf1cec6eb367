#include "formats/parquet/parquet_stats.h"

#include <cmath>
#include <cstring>

namespace aishell::parquet {

namespace {

std::optional<Value> StatValue(const std::string& bytes, PhysicalType physical,
                               const LogicalType& type) {
  switch (type.id) {
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

std::optional<RowGroupFilter> RowGroupFilter::FromExpr(const Expr& expr, size_t column_count) {
  if (expr.kind != ExprKind::kComparison || expr.children.size() != 2) return std::nullopt;
  const Expr* l = expr.children[0].get();
  const Expr* r = expr.children[1].get();
  CompareOp op = expr.op;
  if (l->kind == ExprKind::kConstant && r->kind == ExprKind::kColumnRef) {
    std::swap(l, r);
    op = FlipCompareOp(op);
  }
  if (l->kind != ExprKind::kColumnRef || r->kind != ExprKind::kConstant) return std::nullopt;
  if (op != CompareOp::kEq && op != CompareOp::kLt && op != CompareOp::kLe &&
      op != CompareOp::kGt && op != CompareOp::kGe) {
    return std::nullopt;
  }
  if (l->column_index < 0 || static_cast<size_t>(l->column_index) >= column_count)
    return std::nullopt;
  if (r->value.is_null() || r->value.type() != l->type) return std::nullopt;
  switch (l->type.id) {
    case TypeId::kInteger:
    case TypeId::kBigInt:
    case TypeId::kDate:
    case TypeId::kDecimal:
    case TypeId::kDouble:
    case TypeId::kVarchar:
      break;
    default:
      return std::nullopt;
  }
  if (l->type.id == TypeId::kDouble && std::isnan(r->value.GetDouble())) return std::nullopt;
  RowGroupFilter f;
  f.column = l->column_index;
  f.op = op;
  f.constant = r->value;
  return f;
}

bool RowGroupFilter::MayMatch(const StatsRange& range) const {
  if (range.all_null) return false;
  switch (op) {
    case CompareOp::kEq:
      return range.min.Compare(constant) <= 0 && range.max.Compare(constant) >= 0;
    case CompareOp::kLt:
      return range.min.Compare(constant) < 0;
    case CompareOp::kLe:
      return range.min.Compare(constant) <= 0;
    case CompareOp::kGt:
      return range.max.Compare(constant) > 0;
    case CompareOp::kGe:
      return range.max.Compare(constant) >= 0;
    default:
      return true;
  }
}

std::string RowGroupFilter::ToString(const std::vector<ColumnInfo>& columns) const {
  return columns[column].name + " " + CompareOpSymbol(op) + " " + constant.ToSqlLiteral();
}

}  // namespace aishell::parquet
