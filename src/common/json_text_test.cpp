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

}  // namespace
}  // namespace aishell
