#include "catalog/connector.h"

#include <algorithm>
#include <cctype>

#include "common/exception.h"

namespace aishell {

namespace {
bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

int TableInfo::FindColumn(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); i++) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  for (size_t i = 0; i < columns.size(); i++) {
    if (EqualsIgnoreCase(columns[i].name, column)) return static_cast<int>(i);
  }
  return -1;
}

std::unique_ptr<DataSource> TableScan::LookupKeys(const std::vector<int>&, const Batch&) {
  throw Error(ErrorKind::kUnsupported, "this source does not support key lookups");
}

std::shared_ptr<const TableInfo> Connector::GetTableVersion(const std::string&,
                                                            const std::string& table, bool,
                                                            const Value&) {
  throw Error(ErrorKind::kUnsupported,
              "source type '" + TypeName() +
                  "' does not support FOR VERSION/TIMESTAMP AS OF (table '" + table + "')");
}

std::unique_ptr<TableWriter> Connector::CreateTable(const std::string&, const std::string& table,
                                                    const std::vector<ColumnInfo>&) {
  throw Error(ErrorKind::kUnsupported,
              "source type '" + TypeName() + "' cannot create table '" + table + "'");
}

void Connector::CheckTableProperties(const std::vector<ColumnInfo>&,
                                     const std::vector<TableProperty>& properties) {
  if (properties.empty()) return;
  const auto& p = properties.front();
  throw Error(
      ErrorKind::kUnsupported,
      "table property '" + p.name + "' is not supported by source type '" + TypeName() + "'",
      p.position);
}

std::unique_ptr<TableWriter> Connector::CreateTableWithProperties(
    const std::string& schema, const std::string& table, const std::vector<ColumnInfo>& columns,
    const std::vector<TableProperty>& properties) {
  CheckTableProperties(columns, properties);
  return CreateTable(schema, table, columns);
}

std::unique_ptr<TableWriter> Connector::InsertInto(std::shared_ptr<const TableInfo> table) {
  throw Error(ErrorKind::kUnsupported,
              "source type '" + TypeName() + "' cannot insert into table '" + table->name + "'");
}

std::string RedactUrl(const std::string& url) {
  std::string out = url;
  // user:password@ in the authority.
  auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?#", start);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... query or keyword parameters.
  for (const char* key :
       {"password=", "pass=", "pwd=", "secret=", "secret-access-key=", "secret_access_key="}) {
    size_t pos = 0;
    std::string k(key);
    while ((pos = out.find(k, pos)) != std::string::npos) {
      size_t vstart = pos + k.size();
      size_t vend = out.find_first_of("& ;", vstart);
      if (vend == std::string::npos) vend = out.size();
      out.replace(vstart, vend - vstart, "***");
      pos = vstart + 3;
    }
  }
  return out;
}

}  // namespace aishell
