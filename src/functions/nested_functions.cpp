// ARRAY, MAP and ROW: constructors (ARRAY[...], MAP(keys, values), ROW(...)), element access
// (subscript, element_at, field access), and the functions users reach for first: cardinality,
// contains, array_join, array_max/min, array_sort, array_distinct, slice, flatten, sequence,
// map_keys, map_values. Kernels work row by row on Values: these are not hot paths yet.
#include <algorithm>
#include <string>
#include <vector>

#include "common/exception.h"
#include "functions/cast.h"
#include "functions/function_registry.h"
#include "functions/nested_functions.h"
#include "functions/scalar_kernels.h"

namespace aishell {

namespace {

using Args = const std::vector<LogicalType>&;
using VecArgs = const std::vector<Vector>&;

const LogicalType kBigInt(TypeId::kBigInt);
const LogicalType kVarchar(TypeId::kVarchar);
const LogicalType kBool(TypeId::kBoolean);

// Runs op(row, values) -> Value for each row whose arguments are all non-null (when
// null_propagating) and stores the result.
template <class Op>
void ValueExecute(VecArgs args, size_t n, Vector& out, bool null_propagating, Op op) {
  std::vector<Value> values(args.size());
  for (size_t i = 0; i < n; i++) {
    bool null = false;
    for (size_t a = 0; a < args.size(); a++) {
      values[a] = args[a].GetValue(i);
      null |= values[a].is_null();
    }
    if (null && null_propagating) {
      out.SetNull(i);
      continue;
    }
    Value r = op(i, values);
    if (r.is_null())
      out.SetNull(i);
    else
      out.SetValue(i, r);
  }
}

std::shared_ptr<ScalarFunction> ValueFunction(const std::string& name,
                                              std::vector<LogicalType> args, LogicalType ret,
                                              std::function<Value(const std::vector<Value>&)> op,
                                              bool null_propagating = true) {
  return MakeScalar(
      name, std::move(args), ret,
      [op, null_propagating](VecArgs a, size_t n, Vector& out) {
        ValueExecute(a, n, out, null_propagating,
                     [&](size_t, const std::vector<Value>& v) { return op(v); });
      },
      null_propagating);
}

[[noreturn]] void Fail(const std::string& message) { throw Error(ErrorKind::kExecution, message); }

int64_t CheckedIndex(const Value& v) { return v.GetInt64(); }

// Whether two non-null values are equal (numbers across types by value).
bool SameValue(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return false;
  return a.Compare(b) == 0;
}

Value MapLookup(const Value& map, const Value& key, bool strict) {
  const auto& keys = map.Children();
  for (size_t i = 0; i < keys.size(); i++) {
    if (SameValue(keys[i], key)) return map.MapValues()[i];
  }
  if (strict) Fail("Key not present in map: " + key.ToString());
  return Value::Null(map.type().Children()[1]);
}

// Sorts values ascending with NULLs last (array_sort's order).
void SortValues(std::vector<Value>& v) {
  std::stable_sort(v.begin(), v.end(), [](const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return !a.is_null() && b.is_null();
    return a.Compare(b) < 0;
  });
}

}  // namespace

std::shared_ptr<ScalarFunction> MakeRowConstructor(const std::vector<LogicalType>& types) {
  std::vector<LogicalType> fields;
  for (const auto& t : types) fields.push_back(t);
  LogicalType ret = LogicalType::Row({}, fields);
  return ValueFunction(
      "row", types, ret, [ret](const std::vector<Value>& v) { return Value::Row(ret, v); },
      /*null_propagating=*/false);
}

std::shared_ptr<ScalarFunction> MakeFieldAccess(const LogicalType& row_type, size_t field) {
  if (row_type.id != TypeId::kRow || field >= row_type.Children().size())
    throw Error(ErrorKind::kBinder,
                "no field " + std::to_string(field + 1) + " in " + row_type.ToString());
  const LogicalType ret = row_type.Children()[field];
  auto fn = MakeScalar("$field", {row_type}, ret, [field](VecArgs a, size_t n, Vector& out) {
    // The field's child rows, gathered by the row entries (no Values).
    const Vector& row = a[0];
    UnifiedView v = row.View();
    const Vector& child = row.child(field);
    for (size_t i = 0; i < n; i++) {
      if (!v.IsValid(i)) {
        out.SetNull(i);
        continue;
      }
      out.SetRowFrom(child, v.Get<uint32_t>(i), i);
    }
  });
  fn->field_index = static_cast<int>(field);
  return fn;
}

void RegisterNestedFunctions(FunctionRegistryImpl& r) {
  // ARRAY[a, b, ...]: the elements coerced to their common type.
  r.AddScalar("array_constructor",
              {{kAnyType}, true, [](Args args) {
                 LogicalType element = args.empty() ? LogicalType(TypeId::kNull) : args[0];
                 LogicalType ret = LogicalType::Array(element);
                 return MakeScalar(
                     "array_constructor", args, ret,
                     [](VecArgs a, size_t n, Vector& out) {
                       Vector& elements = out.Child(0);
                       size_t k = a.size();
                       elements.Reserve(n * k);
                       for (size_t i = 0; i < n; i++) {
                         size_t base = elements.size();
                         for (size_t j = 0; j < k; j++) elements.Append(a[j], i, 1);
                         out.Data<ArrayEntry>()[i] =
                             ArrayEntry{static_cast<uint32_t>(base), static_cast<uint32_t>(k)};
                       }
                     },
                     /*null_propagating=*/false);
               }});
  // MAP(ARRAY[keys], ARRAY[values]); MAP() is empty.
  r.AddScalar("map", {{}, false, [](Args) {
                        LogicalType unknown(TypeId::kNull);
                        LogicalType ret = LogicalType::Map(unknown, unknown);
                        return ValueFunction("map", {}, ret, [ret](const std::vector<Value>&) {
                          return Value::Map(ret, {}, {});
                        });
                      }});
  r.AddScalar("map",
              {{kAnyArray, kAnyArray}, false, [](Args args) {
                 LogicalType ret = LogicalType::Map(args[0].ElementType(), args[1].ElementType());
                 return ValueFunction("map", args, ret, [ret](const std::vector<Value>& v) {
                   const auto& keys = v[0].Children();
                   const auto& values = v[1].Children();
                   if (keys.size() != values.size())
                     Fail("map: key and value arrays must have the same length (" +
                          std::to_string(keys.size()) + " keys, " + std::to_string(values.size()) +
                          " values)");
                   for (size_t i = 0; i < keys.size(); i++) {
                     if (keys[i].is_null()) Fail("map key cannot be null");
                     for (size_t j = 0; j < i; j++) {
                       if (SameValue(keys[i], keys[j]))
                         Fail("Duplicate map keys (" + keys[i].ToString() + ") are not allowed");
                     }
                   }
                   return Value::Map(ret, keys, values);
                 });
               }});
  // a[i] (1-based; out of range is an error), m[key] (a missing key is an error).
  r.AddScalar("subscript",
              {{kAnyArray, kBigInt}, false, [](Args args) {
                 return ValueFunction(
                     "subscript", args, args[0].ElementType(), [](const std::vector<Value>& v) {
                       int64_t i = CheckedIndex(v[1]);
                       int64_t len = static_cast<int64_t>(v[0].Children().size());
                       // Trino's messages.
                       if (i == 0) Fail("SQL array indices start at 1");
                       if (i < 0) Fail("Array subscript is negative: " + std::to_string(i));
                       if (i > len)
                         Fail("Array subscript must be less than or equal to array length: " +
                              std::to_string(i) + " > " + std::to_string(len));
                       return v[0].Children()[i - 1];
                     });
               }});
  r.AddScalar("subscript", {{kAnyMap, kAnyType}, false, [](Args args) {
                              return ValueFunction("subscript", args, args[0].Children()[1],
                                                   [](const std::vector<Value>& v) {
                                                     return MapLookup(v[0], v[1], true);
                                                   });
                            }});
  r.AddScalar("element_at", {{kAnyArray, kBigInt}, false, [](Args args) {
                               return ValueFunction(
                                   "element_at", args, args[0].ElementType(),
                                   [t = args[0].ElementType()](const std::vector<Value>& v) {
                                     int64_t i = CheckedIndex(v[1]);
                                     int64_t len = static_cast<int64_t>(v[0].Children().size());
                                     if (i == 0) Fail("SQL array indices start at 1");
                                     if (i < 0) i = len + i + 1;  // from the end
                                     if (i < 1 || i > len) return Value::Null(t);
                                     return v[0].Children()[i - 1];
                                   });
                             }});
  r.AddScalar("element_at", {{kAnyMap, kAnyType}, false, [](Args args) {
                               return ValueFunction("element_at", args, args[0].Children()[1],
                                                    [](const std::vector<Value>& v) {
                                                      return MapLookup(v[0], v[1], false);
                                                    });
                             }});
  for (const LogicalType& any : {kAnyArray, kAnyMap}) {
    // The length of each row's entry (ARRAY and MAP rows are ArrayEntry): no Values.
    r.AddScalar(
        "cardinality",
        {{any}, false, [](Args args) {
           return MakeScalar("cardinality", args, kBigInt, [](VecArgs a, size_t n, Vector& out) {
             UnaryExecute<ArrayEntry, int64_t>(
                 a[0], n, out, [](const ArrayEntry& e) { return static_cast<int64_t>(e.length); });
           });
         }});
  }
  // contains(array, x): true if found; NULL if not found and the array holds a NULL.
  r.AddScalar("contains", {{kAnyArray, kAnyType}, false, [](Args args) {
                             return ValueFunction(
                                 "contains", args, kBool, [](const std::vector<Value>& v) {
                                   bool has_null = false;
                                   for (const auto& e : v[0].Children()) {
                                     if (e.is_null()) {
                                       has_null = true;
                                       continue;
                                     }
                                     if (SameValue(e, v[1])) return Value::Boolean(true);
                                   }
                                   return has_null ? Value::Null(kBool) : Value::Boolean(false);
                                 });
                           }});
  auto array_join = [](Args args) {
    return ValueFunction("array_join", args, kVarchar, [](const std::vector<Value>& v) {
      std::string out;
      bool first = true;
      for (const auto& e : v[0].Children()) {
        std::string text;
        if (e.is_null()) {
          if (v.size() < 3) continue;  // NULLs are skipped unless a replacement is given
          text = v[2].GetString();
        } else {
          text = CastValue(e, kVarchar, false).GetString();
        }
        if (!first) out += v[1].GetString();
        first = false;
        out += text;
      }
      return Value::Varchar(out);
    });
  };
  r.AddScalar("array_join", {{kAnyArray, kVarchar}, false, array_join});
  r.AddScalar("array_join", {{kAnyArray, kVarchar, kVarchar}, false, array_join});
  for (bool is_max : {true, false}) {
    const char* name = is_max ? "array_max" : "array_min";
    r.AddScalar(name,
                {{kAnyArray}, false, [name, is_max](Args args) {
                   LogicalType t = args[0].ElementType();
                   return ValueFunction(name, args, t, [t, is_max](const std::vector<Value>& v) {
                     Value best = Value::Null(t);
                     for (const auto& e : v[0].Children()) {
                       if (e.is_null()) return Value::Null(t);  // Trino: NULL if any NULL
                       if (best.is_null() || (is_max ? e.Compare(best) > 0 : e.Compare(best) < 0))
                         best = e;
                     }
                     return best;
                   });
                 }});
  }
  r.AddScalar("array_sort", {{kAnyArray}, false, [](Args args) {
                               return ValueFunction("array_sort", args, args[0],
                                                    [t = args[0]](const std::vector<Value>& v) {
                                                      std::vector<Value> e = v[0].Children();
                                                      SortValues(e);
                                                      return Value::Array(t, std::move(e));
                                                    });
                             }});
  r.AddScalar("array_distinct", {{kAnyArray}, false, [](Args args) {
                                   return ValueFunction(
                                       "array_distinct", args, args[0],
                                       [t = args[0]](const std::vector<Value>& v) {
                                         std::vector<Value> out;
                                         for (const auto& e : v[0].Children()) {
                                           bool seen = false;
                                           for (const auto& o : out) {
                                             if ((o.is_null() && e.is_null()) || SameValue(o, e)) {
                                               seen = true;
                                               break;
                                             }
                                           }
                                           if (!seen) out.push_back(e);
                                         }
                                         return Value::Array(t, std::move(out));
                                       });
                                 }});
  // slice(array, start, length): start is 1-based, negative counts from the end.
  r.AddScalar(
      "slice",
      {{kAnyArray, kBigInt, kBigInt}, false, [](Args args) {
         return ValueFunction("slice", args, args[0], [t = args[0]](const std::vector<Value>& v) {
           const auto& e = v[0].Children();
           int64_t len = static_cast<int64_t>(e.size());
           int64_t start = v[1].GetInt64(), count = v[2].GetInt64();
           if (start == 0) Fail("slice: SQL array indices start at 1");
           if (count < 0)
             Fail("slice: the length must be non-negative (got " + std::to_string(count) + ")");
           if (start < 0) start = len + start + 1;
           std::vector<Value> out;
           for (int64_t i = std::max<int64_t>(start, 1); i <= len && i < start + count; i++)
             out.push_back(e[i - 1]);
           return Value::Array(t, std::move(out));
         });
       }});
  r.AddScalar("flatten",
              {{kAnyArray}, false, [](Args args) {
                 if (args[0].ElementType().id != TypeId::kArray)
                   throw Error(ErrorKind::kBinder,
                               "flatten needs an array of arrays, not " + args[0].ToString());
                 LogicalType ret = args[0].ElementType();
                 return ValueFunction("flatten", args, ret, [ret](const std::vector<Value>& v) {
                   std::vector<Value> out;
                   for (const auto& inner : v[0].Children()) {
                     if (inner.is_null()) continue;
                     for (const auto& e : inner.Children()) out.push_back(e);
                   }
                   return Value::Array(ret, std::move(out));
                 });
               }});
  auto sequence = [](Args args) {
    LogicalType ret = LogicalType::Array(kBigInt);
    return ValueFunction("sequence", args, ret, [ret](const std::vector<Value>& v) {
      int64_t start = v[0].GetInt64(), stop = v[1].GetInt64();
      int64_t step = v.size() > 2 ? v[2].GetInt64() : (start <= stop ? 1 : -1);
      if (step == 0) Fail("sequence: step must not be zero");
      if ((step > 0 && start > stop) || (step < 0 && start < stop))
        Fail("sequence: the sequence stop value should be reached by the step");
      int64_t count = (stop - start) / step + 1;
      if (count > 10000)
        Fail("sequence: result has " + std::to_string(count) + " entries, more than 10000");
      std::vector<Value> out;
      for (int64_t k = 0; k < count; k++) out.push_back(Value::BigInt(start + k * step));
      return Value::Array(ret, std::move(out));
    });
  };
  r.AddScalar("sequence", {{kBigInt, kBigInt}, false, sequence});
  r.AddScalar("sequence", {{kBigInt, kBigInt, kBigInt}, false, sequence});
  r.AddScalar("map_keys", {{kAnyMap}, false, [](Args args) {
                             LogicalType ret = LogicalType::Array(args[0].Children()[0]);
                             return ValueFunction("map_keys", args, ret,
                                                  [ret](const std::vector<Value>& v) {
                                                    return Value::Array(ret, v[0].Children());
                                                  });
                           }});
  r.AddScalar("map_values", {{kAnyMap}, false, [](Args args) {
                               LogicalType ret = LogicalType::Array(args[0].Children()[1]);
                               return ValueFunction("map_values", args, ret,
                                                    [ret](const std::vector<Value>& v) {
                                                      return Value::Array(ret, v[0].MapValues());
                                                    });
                             }});
}

}  // namespace aishell
