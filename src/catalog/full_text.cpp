#include "catalog/full_text.h"

#include <map>
#include <mutex>

namespace aishell {

namespace {

std::mutex& RegistryMutex() {
  static std::mutex m;
  return m;
}

std::map<std::string, FullTextSearchFn>& Registry() {
  static std::map<std::string, FullTextSearchFn> r;
  return r;
}

}  // namespace

FullTextSearchFn FindFullTextSearch(const std::string& connector_type) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto it = Registry().find(connector_type);
  return it == Registry().end() ? FullTextSearchFn{} : it->second;
}

void RegisterFullTextSearch(const std::string& connector_type, FullTextSearchFn fn) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry()[connector_type] = std::move(fn);
}

}  // namespace aishell
