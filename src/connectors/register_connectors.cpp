// Registers every built-in connector type and table function.
#include "catalog/catalog_registry.h"

namespace aishell {

void RegisterBuiltinConnectors() {
  static bool done = [] {
    // Each connector folder adds its registration here.
    return true;
  }();
  (void)done;
}

}  // namespace aishell
