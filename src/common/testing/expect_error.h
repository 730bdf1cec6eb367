// ExpectError: a GoogleTest check that running `fn` throws an Error of one kind whose message
// contains a given text (what went wrong, and where). Header-only; tests only.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/exception.h"

namespace aishell::testing {

// Runs `fn`, expecting an Error of `kind` whose message contains `needle`.
template <class Fn>
void ExpectError(Fn fn, ErrorKind kind, const std::string& needle) {
  try {
    fn();
    FAIL() << "expected an error containing: " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what();
  }
}

}  // namespace aishell::testing
