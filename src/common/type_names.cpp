#include "common/type_names.h"

#include <vector>

#include "common/strings.h"

namespace aishell {

std::string TrinoTypeName(const LogicalType& type) {
  if (!type.IsNested() || !type.nested) return AsciiLower(type.ToString());
  const std::vector<LogicalType>& children = type.Children();
  switch (type.id) {
    case TypeId::kArray:
      return "array(" + TrinoTypeName(children[0]) + ")";
    case TypeId::kMap:
      return "map(" + TrinoTypeName(children[0]) + ", " + TrinoTypeName(children[1]) + ")";
    default: {
      std::string out = "row(";
      for (size_t i = 0; i < children.size(); i++) {
        if (i) out += ", ";
        const std::string& name = type.FieldNames()[i];
        if (!name.empty()) out += name + " ";
        out += TrinoTypeName(children[i]);
      }
      return out + ")";
    }
  }
}

}  // namespace aishell
