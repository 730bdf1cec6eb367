// Iceberg catalogs: where a table's current metadata file is found, and how a new one is
// committed. One IcebergCatalog per `aishell connect ... --type iceberg` connection:
//
//   file:///warehouse or s3://bucket/warehouse   FileSystemCatalog  (Hadoop-style: a warehouse
//                                                directory, <table>/metadata/vN.metadata.json
//                                                and version-hint.text)
//   sqlite:///catalog.db, postgres://...         SqlCatalog  (iceberg_tables and
//                                                iceberg_namespace_properties, as Iceberg's JDBC
//                                                catalog and pyiceberg's SqlCatalog lay them out)
//   http(s)://host:port/<prefix>                 RestCatalog (the Iceberg REST specification)
//
// Properties use pyiceberg's names: warehouse, s3.endpoint, s3.access-key-id,
// s3.secret-access-key, s3.region, s3.path-style-access, token, credential, prefix.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/connector.h"
#include "common/exception.h"
#include "storage/file_system.h"

namespace aishell::iceberg {

using Namespace = std::vector<std::string>;

// "a.b" from {"a", "b"}; the REST protocol's multi-level form uses the separator "\x1f".
std::string JoinNamespace(const Namespace& ns, std::string_view separator = ".");
// {"a", "b"} from "a.b" (empty parts are dropped).
Namespace SplitNamespace(std::string_view dotted);

struct TableIdentifier {
  Namespace ns;
  std::string name;
  std::string ToString() const;  // "ns1.ns2.name"
};

struct LoadedTable {
  std::string metadata_location;  // the current metadata JSON file
  std::string metadata_json;      // its content
  // Storage settings to use for this table's files (the catalog's own, plus any a REST server
  // returned in its "config"), never printed.
  StorageOptions storage;
};

// A commit: the table moves from `base_metadata_location` (empty for a new table) to
// `new_metadata_json`. File and SQL catalogs write the new metadata file themselves (at
// `new_metadata_location`) and swap the pointer; a REST catalog sends `rest_request_json`
// (a CommitTableRequest / CreateTableRequest body: requirements and updates) instead.
struct TableCommit {
  TableIdentifier id;
  std::string base_metadata_location;
  std::string new_metadata_location;
  std::string new_metadata_json;
  std::string rest_request_json;
};

enum class CommitResult { kCommitted, kConflict };

// What a catalog decides for a new table before its files are written (a REST staged create,
// `stage-create: true`): where the files go, the table uuid, and the storage settings
// (vended credentials included) to write them with.
struct StagedTable {
  std::string location;
  std::string table_uuid;
  StorageOptions storage;
};

class IcebergCatalog {
 public:
  virtual ~IcebergCatalog() = default;
  // For messages and `aishell connections`: the kind and the endpoint, passwords redacted.
  virtual std::string Describe() const = 0;
  virtual std::vector<Namespace> ListNamespaces() = 0;
  virtual std::vector<TableIdentifier> ListTables(const Namespace& ns) = 0;
  // nullopt when there is no such table. Errors name the table and the file or endpoint.
  virtual std::optional<LoadedTable> LoadTable(const TableIdentifier& id) = 0;
  // The table as of a named ref or commit hash (Nessie: a branch, tag, `name@hash` or a hash).
  // Catalogs without refs throw Error(kUnsupported).
  virtual std::optional<LoadedTable> LoadTableAtRef(const TableIdentifier& id,
                                                    const std::string& ref) {
    throw Error(ErrorKind::kUnsupported,
                Describe() + ": table " + id.ToString() + ": FOR VERSION AS OF '" + ref +
                    "' names a ref, which only a Nessie catalog has (use a snapshot id)");
  }
  virtual void CreateNamespace(const Namespace& ns) = 0;
  // Where a new table's files go (warehouse/ns/name).
  virtual std::string DefaultTableLocation(const TableIdentifier& id) = 0;
  // A staged create (REST): nullopt when the catalog has no such step (then
  // DefaultTableLocation and storage() apply).
  // `schema_json` is the new table's schema (Iceberg JSON).
  virtual std::optional<StagedTable> StageCreate(const TableIdentifier& id,
                                                 const std::string& schema_json) {
    (void)id;
    (void)schema_json;
    return std::nullopt;
  }
  // Whether the catalog writes metadata files itself (REST) or the writer does (file, SQL).
  virtual bool ServerWritesMetadata() const { return false; }
  // Atomic compare-and-swap of the table's metadata pointer. kConflict when another writer
  // committed first (the base is no longer current): the caller retries or fails cleanly.
  virtual CommitResult CommitTable(const TableCommit& commit) = 0;
  // The storage settings of this catalog (for files of tables it holds).
  virtual const StorageOptions& storage() const = 0;
};

// Picks the catalog kind by the connection URL's scheme (see above).
std::unique_ptr<IcebergCatalog> CreateIcebergCatalog(const ConnectionConfig& config);
// Implemented by rest_catalog.cpp.
std::unique_ptr<IcebergCatalog> CreateRestCatalog(const ConnectionConfig& config);
// Implemented by nessie_catalog.cpp: Nessie's native API (v1 or v2), `--type nessie`.
std::unique_ptr<IcebergCatalog> CreateNessieCatalog(const ConnectionConfig& config);

// A table location a writer may use: absolute (a URI with a scheme, or an absolute local path)
// and not a filesystem root. Otherwise Error(kConnector) naming the table and the catalog.
void CheckWritableLocation(const std::string& location, const std::string& table,
                           const std::string& catalog);

}  // namespace aishell::iceberg
