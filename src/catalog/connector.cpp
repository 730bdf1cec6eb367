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

std::unique_ptr<TableWriter> Connector::UpsertInto(std::shared_ptr<const TableInfo> table,
                                                   const std::vector<int>& key_columns,
                                                   UpsertConflict conflict) {
  throw Error(ErrorKind::kUnsupported, "source type '" + TypeName() +
                                           "' cannot upsert (replace rows by key) into table '" +
                                           table->name + "'");
}

void Connector::DropTable(std::shared_ptr<const TableInfo> table) {
  throw Error(ErrorKind::kUnsupported,
              "source type '" + TypeName() + "' cannot drop table '" + table->name + "'");
}

SourceOverview Connector::Overview(size_t max_objects) {
  SourceOverview o;
  std::string summary = Summary();
  std::string head = summary.substr(0, summary.find(','));
  size_t sp = head.rfind(' ');
  if (sp != std::string::npos && sp + 1 < head.size() &&
      std::isdigit(static_cast<unsigned char>(head[sp + 1]))) {
    o.engine = head.substr(0, sp);
    o.version = head.substr(sp + 1);
  } else {
    o.engine = TypeName();
  }
  for (const auto& schema : ListSchemas()) {
    for (const auto& table : ListTables(schema)) {
      if (o.objects.size() >= max_objects) return o;
      SourceObject obj;
      obj.schema = schema;
      obj.name = table;
      try {
        auto info = GetTable(schema, table);
        if (info && info->stats.row_count) {
          obj.rows = static_cast<int64_t>(*info->stats.row_count);
          obj.rows_estimated = true;
        }
      } catch (const Error&) {
      }
      o.objects.push_back(std::move(obj));
    }
  }
  return o;
}

}  // namespace aishell
