// Connection settings of a Redis source: the redis:// or rediss:// URL and the connection
// properties (timeouts, tls.*).
#pragma once

#include <map>
#include <string>

#include "connectors/redis/resp_client.h"

namespace aishell {

// Connection settings (struct RedisAddress in resp_client.h) from a redis:// or rediss:// URL.
RedisAddress ParseRedisUrl(const std::string& url, const std::string& where);

// Applies the properties connect_timeout and read_timeout (seconds) and tls.verify, tls.ca-file,
// tls.cert-file, tls.key-file (these only with a rediss:// URL) to `address`; Error(kConnector)
// naming `where` for a bad value or an unknown tls.* property.
void ApplyRedisConnectionProperties(const std::map<std::string, std::string>& properties,
                                    const std::string& where, RedisAddress* address);

}  // namespace aishell
