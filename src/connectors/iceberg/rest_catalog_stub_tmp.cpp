// TEMPORARY: stands in for rest_catalog.cpp (the `storage` branch) so that this branch links.
// Delete this file when merging `storage`.
#include "common/exception.h"
#include "connectors/iceberg/iceberg_catalog.h"

namespace aishell::iceberg {

std::unique_ptr<IcebergCatalog> CreateRestCatalog(const ConnectionConfig& config) {
  throw Error(ErrorKind::kUnsupported, "iceberg catalog '" + config.name + "': the REST catalog (" +
                                           RedactUrl(config.url) + ") is not built in yet");
}

}  // namespace aishell::iceberg
