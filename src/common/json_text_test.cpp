#include "common/json_text.h"

#include <gtest/gtest.h>

namespace aishell {
namespace {

// Found by test/fuzz/json_functions_fuzzer.cpp: byte sequences that look like UTF-8 but are not
// (overlong forms, UTF-16 surrogates, code points past U+10FFFF) were copied into the JSON string
// as they were, and a JSON parser refused the result.
TEST(JsonTextTest, NonUtf8SequencesBecomeReplacementCharacters) {
  EXPECT_EQ(JsonString("\xC1\x8B"), "\"\\ufffd\"");           // overlong 'K'
  EXPECT_EQ(JsonString("a\xE0\x80\xAF"), "\"a\\ufffd\"");     // overlong '/'
  EXPECT_EQ(JsonString("\xED\xA0\x80z"), "\"\\ufffdz\"");     // a lone surrogate
  EXPECT_EQ(JsonString("\xF4\x90\x80\x80"), "\"\\ufffd\"");   // U+110000
  EXPECT_EQ(JsonString("\xEF\xBF\xBD"), "\"\xEF\xBF\xBD\"");  // U+FFFD itself stays as it is
  EXPECT_EQ(JsonString("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");
  for (const char* text : {"\xC1\x8B"
                           "A\x8B\xDB\xFF\xDB\x10",
                           "\xC0\x80", "\xED\xBF\xBF"}) {
    EXPECT_TRUE(CanonicalJson(JsonString(text)).has_value()) << JsonString(text);
  }
}

// Found by test/fuzz/bson_fuzzer.cpp: JSON with an integer past 64 bits (a large double written
// in full, a PostgreSQL numeric in jsonb) was refused as not JSON, as simdjson's DOM parser refuses
// such integers.
TEST(JsonTextTest, CanonicalJsonKeepsIntegersPast64Bits) {
  EXPECT_EQ(CanonicalJson("{\"lat\": 901123448000711622656}"), "{\"lat\":901123448000711622656}");
  EXPECT_EQ(CanonicalJson(" [ -123456789012345678901234567890 , 1.123456789012345678901 ,\n 2 ]"),
            "[-123456789012345678901234567890,1.123456789012345678901,2]");
  EXPECT_EQ(CanonicalJson("{\"s 12345678901234567890123\": 12345678901234567890123}"),
            "{\"s 12345678901234567890123\":12345678901234567890123}");
  EXPECT_EQ(CanonicalJson("18446744073709551615"), "18446744073709551615");
  // Still not JSON.
  EXPECT_FALSE(CanonicalJson("[0123456789012345678901234]"));
  EXPECT_FALSE(CanonicalJson("[123456789012345678901234, ]"));
  EXPECT_FALSE(CanonicalJson("[123456789012345678901234"));
  EXPECT_FALSE(CanonicalJson("[01]"));
}

}  // namespace
}  // namespace aishell
