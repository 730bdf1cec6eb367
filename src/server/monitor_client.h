// What `aishell monitor federation` reads from a running `aishell serve`: its per-source summary
// (/v1/federation) as text.
#pragma once

#include <string>

namespace aishell {

// GET <base_url>/v1/federation as `user`. Throws Error(kConnector) naming the URL when the server
// cannot be reached or answers with an error.
std::string FetchFederationSummary(const std::string& base_url, const std::string& user);

}  // namespace aishell
