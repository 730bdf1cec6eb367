#include "server/monitor_client.h"

#include <httplib.h>

#include "common/exception.h"

namespace aishell {

std::string FetchFederationSummary(const std::string& base_url, const std::string& user) {
  httplib::Client client(base_url);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  auto res = client.Get("/v1/federation", {{"X-Trino-User", user}});
  if (!res)
    throw Error(ErrorKind::kConnector, "cannot reach aishell serve at " + base_url + " (" +
                                           httplib::to_string(res.error()) + ")");
  if (res->status != 200)
    throw Error(ErrorKind::kConnector, "aishell serve at " + base_url + " answered " +
                                           std::to_string(res->status) + ": " + res->body);
  return res->body;
}

}  // namespace aishell
