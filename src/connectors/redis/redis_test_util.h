// Helpers shared by the Redis connector's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/exception.h"
#include "common/testing/expect_error.h"

namespace aishell::redis_testing {

using testing::ExpectError;

}  // namespace aishell::redis_testing
