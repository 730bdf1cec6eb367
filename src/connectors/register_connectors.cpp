// Registers every connector type and table function this build has (CMake's AISHELL_WITH_<NAME>
// options define AISHELL_WITH_<NAME> here for each connector built).
#include "catalog/catalog_registry.h"
#include "formats/file_format.h"
#ifdef AISHELL_WITH_ELASTICSEARCH
#include "connectors/elasticsearch/elasticsearch_connector.h"
#endif
#ifdef AISHELL_WITH_FILE
#include "connectors/file/file_connector.h"
#endif
#ifdef AISHELL_WITH_HTTP
#include "connectors/http/http_connector.h"
#endif
#ifdef AISHELL_WITH_ICEBERG
#include "connectors/iceberg/iceberg_connector.h"
#endif
#ifdef AISHELL_WITH_MONGODB
#include "connectors/mongodb/mongodb_connector.h"
#endif
#ifdef AISHELL_WITH_POSTGRES
#include "connectors/postgres/postgres_connector.h"
#endif
#ifdef AISHELL_WITH_REDIS
#include "connectors/redis/redis_connector.h"
#endif
#ifdef AISHELL_WITH_SQLITE
#include "connectors/sqlite/sqlite_connector.h"
#endif

namespace aishell {

void RegisterBuiltinConnectors() {
  static bool done = [] {
    RegisterBuiltinFileFormats();
#ifdef AISHELL_WITH_FILE
    RegisterFileConnector();
    RegisterFileTableFunctions();
#endif
#ifdef AISHELL_WITH_SQLITE
    RegisterSqliteConnector();
#endif
#ifdef AISHELL_WITH_POSTGRES
    RegisterPostgresConnector();
#endif
#ifdef AISHELL_WITH_REDIS
    RegisterRedisConnector();
#endif
#ifdef AISHELL_WITH_MONGODB
    RegisterMongoConnector();
#endif
#ifdef AISHELL_WITH_ELASTICSEARCH
    RegisterElasticsearchConnector();
#endif
#ifdef AISHELL_WITH_HTTP
    RegisterHttpConnector();
#endif
#ifdef AISHELL_WITH_ICEBERG
    iceberg::RegisterIcebergConnector();
#endif
    return true;
  }();
  (void)done;
}

}  // namespace aishell
