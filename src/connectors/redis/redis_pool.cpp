#include "connectors/redis/redis_pool.h"

#include "common/exception.h"

namespace aishell {

std::unique_ptr<RespConnection> RedisPool::Acquire() {
  while (true) {
    Idle idle;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (idle_.empty()) break;
      idle = std::move(idle_.back());
      idle_.pop_back();
    }
    // A connection idle for a while may have been dropped (server restart, timeout): PING it.
    if (std::chrono::steady_clock::now() - idle.since < std::chrono::seconds(5))
      return std::move(idle.conn);
    try {
      if (!idle.conn->Command({"PING"}).is_error()) {
        idle.conn->Discard();
        return std::move(idle.conn);
      }
    } catch (const Error&) {
    }
  }
  return std::make_unique<RespConnection>(address_, where_);
}

void RedisPool::Release(std::unique_ptr<RespConnection> conn) {
  if (!conn || conn->broken()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < 8) idle_.push_back(Idle{std::move(conn), std::chrono::steady_clock::now()});
}

}  // namespace aishell
