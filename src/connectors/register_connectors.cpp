// Registers every built-in connector type and table function.
#include "catalog/catalog_registry.h"
#include "connectors/file/file_connector.h"
#include "connectors/iceberg/iceberg_connector.h"
#include "connectors/postgres/postgres_connector.h"
#include "connectors/redis/redis_connector.h"
#include "connectors/sqlite/sqlite_connector.h"
#include "formats/file_format.h"

namespace aishell {

void RegisterBuiltinConnectors() {
  static bool done = [] {
    RegisterBuiltinFileFormats();
    RegisterFileConnector();
    RegisterFileTableFunctions();
    RegisterSqliteConnector();
    RegisterPostgresConnector();
    RegisterRedisConnector();
    iceberg::RegisterIcebergConnector();
    return true;
  }();
  (void)done;
}

}  // namespace aishell
