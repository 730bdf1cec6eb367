// The progress display of a long query on a terminal (seed 002's "Step 1: Get active sessions
// from Redis ..... 0.3s → 89,234 sessions" and a progress bar): one line per source step (a
// scan, or a lookup join's key fetches), then the bar. Pure text: the caller draws it on stderr.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/query_types.h"

namespace aishell {

class ProgressSteps {
 public:
  // `catalog_type`: a catalog's connector type ("redis"), or "" (a table function).
  explicit ProgressSteps(std::function<std::string(const std::string&)> catalog_type)
      : catalog_type_(std::move(catalog_type)) {}
  // The lines to show for this report (the bar last), each at most `width` columns (0: any).
  std::vector<std::string> Render(const std::vector<SourceProgress>& progress, double elapsed,
                                  size_t width);

 private:
  struct StepTimes {
    double started = -1;
    double finished = -1;
  };
  std::function<std::string(const std::string&)> catalog_type_;
  std::vector<StepTimes> times_;
};

}  // namespace aishell
