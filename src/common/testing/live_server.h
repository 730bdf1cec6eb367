// For the tests that run against a live server (scripts/services/*.sh), in their SetUp.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

// Sets `out` to the environment variable `var`. When it is unset or empty the test is skipped on
// a developer machine (the server is not running) and fails in CI (CI=true), where .ci/run starts
// every server; `start` says how to start it.
#define AISHELL_LIVE_SERVER_ENV(out, var, start)                       \
  do {                                                                 \
    const char* aishell_live_value_ = std::getenv(var);                \
    if (!aishell_live_value_ || !*aishell_live_value_) {               \
      const char* aishell_live_ci_ = std::getenv("CI");                \
      if (aishell_live_ci_ && std::string(aishell_live_ci_) == "true") \
        FAIL() << var << " is not set in CI (" << start << ")";        \
      GTEST_SKIP() << var << " is not set (" << start << ")";          \
    }                                                                  \
    out = aishell_live_value_;                                         \
  } while (0)
