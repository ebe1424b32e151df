#include "synth/text_out.h"

#include <gtest/gtest.h>

#include <string>

namespace consentric::synth {
namespace {

std::string text(const Buffer& b) { return {b.data(), b.size()}; }

TEST(TextOut, TimestampsMatchCore) {
  for (UnixSeconds t : {UnixSeconds{0}, UnixSeconds{951782400} /* 2000-02-29 */,
                        UnixSeconds{1772368496}, UnixSeconds{4102444799}}) {
    Buffer b;
    put_timestamp(b, t);
    EXPECT_EQ(text(b), format_timestamp(t));
  }
  // Every day of a leap year and the next, at a time of day that moves.
  for (UnixSeconds t = 1704067200; t < 1704067200 + 2 * 366 * 86400; t += 86400 + 3607) {
    Buffer b;
    put_timestamp(b, t);
    ASSERT_EQ(text(b), format_timestamp(t));
    Buffer d;
    put_date(d, t);
    ASSERT_EQ(text(d), format_date(t));
  }
}

TEST(TextOut, DateTableMatchesCoreInsideAndOutsideItsSpan) {
  const UnixSeconds from = 1764028800;  // 2025-11-25
  const DateTable table(from, from + 365 * 86400);
  for (UnixSeconds t = from - 3 * 86400; t < from + 370 * 86400; t += 86400 / 3 + 17) {
    Buffer b;
    table.put_timestamp(b, t);
    ASSERT_EQ(text(b), format_timestamp(t));
    Buffer d;
    table.put_date(d, t);
    ASSERT_EQ(text(d), format_date(t));
  }
}

TEST(TextOut, CsvQuotesOnlyWhenNeeded) {
  Buffer b;
  put_csv_field(b, "plain");
  put(b, '|');
  put_csv_field(b, "Bluepeak Analytics, Inc.");
  put(b, '|');
  put_csv_field(b, R"(say "hi")");
  put(b, '|');
  put_csv_field(b, "");
  EXPECT_EQ(text(b), R"(plain|"Bluepeak Analytics, Inc."|"say ""hi"""|)");
}

TEST(TextOut, JsonStringsAreEscaped) {
  Buffer b;
  put_json_string(b, "a\"b\\c\n\x01 Müller");
  EXPECT_EQ(text(b), "\"a\\\"b\\\\c\\u000a\\u0001 Müller\"");
}

TEST(TextOut, NumbersAndMoney) {
  Buffer b;
  put_padded(b, 42, 8);
  put(b, ' ');
  put_cents(b, 123405);
  put(b, ' ');
  put_cents(b, 7);
  put(b, ' ');
  put_int(b, -12);
  EXPECT_EQ(text(b), "00000042 1234.05 0.07 -12");
}

}  // namespace
}  // namespace consentric::synth
