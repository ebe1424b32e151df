#include "core/text.h"

#include "testing/status_matchers.h"

namespace consentric {
namespace {

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(Text, Numbers) {
  std::int64_t i = 0;
  double d = 0;
  EXPECT_TRUE(parse_int64("-42", &i));
  EXPECT_EQ(i, -42);
  EXPECT_FALSE(parse_int64("42x", &i));
  EXPECT_FALSE(parse_int64("", &i));
  EXPECT_FALSE(parse_int64("99999999999999999999", &i));
  EXPECT_TRUE(parse_double("12.5", &d));
  EXPECT_DOUBLE_EQ(d, 12.5);
  EXPECT_FALSE(parse_double("12,50", &d));
  EXPECT_FALSE(parse_double("nan", &d));
}

TEST(Text, TrimLowerQuote) {
  EXPECT_EQ(trim("  a b \t"), "a b");
  EXPECT_EQ(to_lower_ascii("Ann@Example.COM"), "ann@example.com");
  EXPECT_EQ(quote_for_message("a\"b\n"), "\"a\\\"b\\x0a\"");
}

TEST(Text, ThousandsSeparators) {
  EXPECT_EQ(with_thousands(0), "0");
  EXPECT_EQ(with_thousands(999), "999");
  EXPECT_EQ(with_thousands(1000), "1,000");
  EXPECT_EQ(with_thousands(-1234567), "-1,234,567");
  EXPECT_EQ(with_thousands(INT64_MIN), "-9,223,372,036,854,775,808");
}

TEST(Text, HtmlEscapeReplacesEveryMarkupCharacter) {
  EXPECT_EQ(html_escape("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d&#39;");
  EXPECT_EQ(html_escape("plain"), "plain");
}

}  // namespace
}  // namespace consentric
