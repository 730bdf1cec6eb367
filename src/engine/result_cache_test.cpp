#include "engine/result_cache.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

TEST(ResultCacheTest, NormalizesSpacingCaseAndComments) {
  EXPECT_EQ(ResultCache::NormalizeSql("SELECT  *\n FROM t -- note\n WHERE a = 'X  Y';"),
            "select * from t where a = 'X  Y'");
  EXPECT_EQ(ResultCache::NormalizeSql("select * /* c */ from \"Users\" u join [users-db].Orders o"),
            "select * from \"Users\" u join [users-db].orders o");
  EXPECT_EQ(ResultCache::NormalizeSql("SELECT 'it''s'"), "select 'it''s'");
  EXPECT_NE(ResultCache::Key("select 1", {{"on_source_failure", "fail"}}),
            ResultCache::Key("select 1", {{"on_source_failure", "continue"}}));
}

TEST(ResultCacheTest, VolatileQueriesAreNotCached) {
  EXPECT_TRUE(ResultCache::IsVolatile("select now()"));
  EXPECT_TRUE(ResultCache::IsVolatile("select * from t where ts > current_date"));
  EXPECT_TRUE(ResultCache::IsVolatile("select random()"));
  EXPECT_FALSE(ResultCache::IsVolatile("select count(*) from orders"));
}

}  // namespace
}  // namespace aishell
