// The /ui page of `aishell serve`: running and recent queries and per-source latency and errors,
// read from /v1/query every two seconds. One static page, no script from elsewhere.
#pragma once

#include <string>

namespace aishell {

const std::string& DashboardHtml();

}  // namespace aishell
