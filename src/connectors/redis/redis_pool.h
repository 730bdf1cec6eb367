// Idle connections of one Redis source, reused by its data sources (key lookups come once per
// probe batch).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/redis/resp_client.h"

namespace aishell {

class RedisPool {
 public:
  RedisPool(RedisAddress address, std::string where)
      : address_(std::move(address)), where_(std::move(where)) {}

  // An idle connection (PINGed first when idle for over 5 s), else a new one.
  std::unique_ptr<RespConnection> Acquire();
  // Keeps a healthy connection (every reply read) for the next data source; up to 8 stay idle.
  void Release(std::unique_ptr<RespConnection> conn);

 private:
  struct Idle {
    std::unique_ptr<RespConnection> conn;
    std::chrono::steady_clock::time_point since;
  };
  RedisAddress address_;
  std::string where_;
  std::mutex mutex_;
  std::vector<Idle> idle_;
};

}  // namespace aishell
