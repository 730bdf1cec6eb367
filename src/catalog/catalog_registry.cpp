#include "catalog/catalog_registry.h"

#include <algorithm>
#include <cctype>

#include "common/exception.h"
#include "common/strings.h"

namespace aishell {

namespace {
struct FactoryEntry {
  std::vector<std::string> schemes;
  ConnectorFactory::Create create;
};

std::mutex& FactoryMutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, FactoryEntry>& Factories() {
  static std::map<std::string, FactoryEntry> f;
  return f;
}
std::map<std::string, TableFunction>& TableFunctions() {
  static std::map<std::string, TableFunction> f;
  return f;
}
}  // namespace

void ConnectorFactory::Register(const std::string& type,
                                const std::vector<std::string>& url_schemes, Create create) {
  std::lock_guard<std::mutex> lock(FactoryMutex());
  Factories()[AsciiLower(type)] = FactoryEntry{url_schemes, std::move(create)};
}

std::string ConnectorFactory::TypeForUrl(const std::string& url) {
  auto pos = url.find("://");
  if (pos == std::string::npos) return "";
  std::string scheme = AsciiLower(url.substr(0, pos));
  std::lock_guard<std::mutex> lock(FactoryMutex());
  for (const auto& [type, entry] : Factories()) {
    for (const auto& s : entry.schemes) {
      if (s == scheme) return type;
    }
  }
  return "";
}

std::shared_ptr<Connector> ConnectorFactory::Make(const ConnectionConfig& config) {
  Create create;
  {
    std::lock_guard<std::mutex> lock(FactoryMutex());
    auto it = Factories().find(AsciiLower(config.type));
    if (it == Factories().end()) {
      std::vector<std::string> types;
      for (const auto& [t, e] : Factories()) types.push_back(t);
      std::string hint = SuggestName(config.type, types);
      throw Error(ErrorKind::kCatalog, "unknown connector type '" + config.type + "' for source '" +
                                           config.name + "'" +
                                           (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
    create = it->second.create;
  }
  return create(config);
}

std::vector<std::string> ConnectorFactory::Types() {
  std::lock_guard<std::mutex> lock(FactoryMutex());
  std::vector<std::string> out;
  for (const auto& [t, e] : Factories()) out.push_back(t);
  return out;
}

void TableFunctionRegistry::Register(const std::string& name, TableFunction function) {
  std::lock_guard<std::mutex> lock(FactoryMutex());
  TableFunctions()[AsciiLower(name)] = std::move(function);
}

const TableFunction* TableFunctionRegistry::Find(const std::string& name) {
  std::lock_guard<std::mutex> lock(FactoryMutex());
  auto it = TableFunctions().find(AsciiLower(name));
  return it == TableFunctions().end() ? nullptr : &it->second;
}

std::vector<std::string> TableFunctionRegistry::Names() {
  std::lock_guard<std::mutex> lock(FactoryMutex());
  std::vector<std::string> out;
  for (const auto& [n, f] : TableFunctions()) out.push_back(n);
  return out;
}

void CatalogRegistry::AddCatalog(const ConnectionConfig& config) {
  std::lock_guard<std::mutex> lock(mutex_);
  catalogs_[AsciiLower(config.name)] = Entry{config, nullptr};
}

void CatalogRegistry::AddCatalog(const std::string& name, std::shared_ptr<Connector> connector) {
  std::lock_guard<std::mutex> lock(mutex_);
  ConnectionConfig config;
  config.name = name;
  config.type = connector->TypeName();
  catalogs_[AsciiLower(name)] = Entry{config, std::move(connector)};
}

void CatalogRegistry::RemoveCatalog(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  catalogs_.erase(AsciiLower(name));
}

bool CatalogRegistry::HasCatalog(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return catalogs_.count(AsciiLower(name)) > 0;
}

std::shared_ptr<Connector> CatalogRegistry::GetCatalog(const std::string& name) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto it = catalogs_.find(AsciiLower(name));
  if (it == catalogs_.end()) {
    std::vector<std::string> names;
    for (const auto& [k, e] : catalogs_) names.push_back(e.config.name);
    std::string hint = SuggestName(name, names);
    throw Error(ErrorKind::kCatalog, "catalog '" + name + "' not found" +
                                         (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  if (!it->second.connector) {
    ConnectionConfig config = it->second.config;
    lock.unlock();
    auto connector = ConnectorFactory::Make(config);
    lock.lock();
    it = catalogs_.find(AsciiLower(name));
    if (it == catalogs_.end())
      throw Error(ErrorKind::kCatalog, "catalog '" + name + "' was removed");
    if (!it->second.connector) it->second.connector = connector;
  }
  return it->second.connector;
}

const ConnectionConfig* CatalogRegistry::GetConfig(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = catalogs_.find(AsciiLower(name));
  return it == catalogs_.end() ? nullptr : &it->second.config;
}

std::vector<std::string> CatalogRegistry::CatalogNames() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [k, e] : catalogs_) out.push_back(e.config.name);
  return out;
}

void CatalogRegistry::PutView(const ViewDefinition& view) {
  std::lock_guard<std::mutex> lock(mutex_);
  views_[AsciiLower(view.name)] = view;
}

bool CatalogRegistry::DropView(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  return views_.erase(AsciiLower(name)) > 0;
}

const ViewDefinition* CatalogRegistry::FindView(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = views_.find(AsciiLower(name));
  return it == views_.end() ? nullptr : &it->second;
}

namespace {
std::string CachedTableKey(const std::string& catalog, const std::string& schema,
                           const std::string& table) {
  return AsciiLower(catalog) + '\0' + AsciiLower(schema) + '\0' + AsciiLower(table);
}
}  // namespace

void CatalogRegistry::PutCachedTable(const CachedTableEntry& entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  cached_tables_[CachedTableKey(entry.catalog, entry.schema, entry.table)] = entry;
}

void CatalogRegistry::RemoveCachedTable(const std::string& catalog, const std::string& schema,
                                        const std::string& table) {
  std::lock_guard<std::mutex> lock(mutex_);
  cached_tables_.erase(CachedTableKey(catalog, schema, table));
}

std::optional<CachedTableEntry> CatalogRegistry::FindCachedTable(const std::string& catalog,
                                                                 const std::string& schema,
                                                                 const std::string& table,
                                                                 int64_t now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = cached_tables_.find(CachedTableKey(catalog, schema, table));
  if (it == cached_tables_.end() || now >= it->second.created_at + it->second.ttl_seconds)
    return std::nullopt;
  return it->second;
}

std::vector<ViewDefinition> CatalogRegistry::Views() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ViewDefinition> out;
  for (const auto& [k, v] : views_) out.push_back(v);
  return out;
}

std::string SuggestName(const std::string& name, const std::vector<std::string>& candidates) {
  std::string target = AsciiLower(name);
  std::string best;
  size_t best_distance = std::string::npos;
  for (const auto& candidate : candidates) {
    std::string c = AsciiLower(candidate);
    std::vector<size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (size_t j = 0; j <= c.size(); j++) prev[j] = j;
    for (size_t i = 1; i <= target.size(); i++) {
      cur[0] = i;
      for (size_t j = 1; j <= c.size(); j++) {
        size_t cost = target[i - 1] == c[j - 1] ? 0 : 1;
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      }
      std::swap(prev, cur);
    }
    size_t d = prev[c.size()];
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  size_t limit = std::max<size_t>(2, target.size() / 3);
  if (best_distance == 0 || best_distance > limit) return "";
  return best;
}

}  // namespace aishell
