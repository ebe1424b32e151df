#include "disclose/generalization.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace consentric::disclose {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

// Every level of `value`, "*" included.
std::vector<std::string> chain(const Hierarchy& h, std::string_view value) {
  std::vector<std::string> out;
  for (int level = 0; level < h.height(); ++level) {
    auto g = h.generalize(value, level);
    EXPECT_TRUE(g.ok()) << g.status().to_string();
    out.push_back(g.ok() ? *g : "<error>");
  }
  return out;
}

using Chain = std::vector<std::string>;

TEST(GeneralizationBands, BirthYearToNestedBands) {
  auto h = Hierarchy::bands({5, 10, 20});
  ASSERT_OK(h);
  EXPECT_EQ(h->height(), 5);
  EXPECT_EQ(chain(*h, "1987"), (Chain{"1987", "1985-1989", "1980-1989", "1980-1999", "*"}));
  EXPECT_EQ(h->describe(0), "as is");
  EXPECT_EQ(h->describe(1), "bands of 5");
  EXPECT_EQ(h->describe(3), "bands of 20");
  EXPECT_EQ(h->describe(4), "suppressed");
  EXPECT_EQ(h->describe(5), "no level 5");
  EXPECT_EQ(h->describe(-1), "no level -1");
}

TEST(GeneralizationBands, BoundariesBelongToTheBandTheyStart) {
  auto h = Hierarchy::bands({5, 10});
  ASSERT_OK(h);
  EXPECT_EQ(*h->generalize("1985", 1), "1985-1989");
  EXPECT_EQ(*h->generalize("1989", 1), "1985-1989");
  EXPECT_EQ(*h->generalize("1990", 1), "1990-1994");
  EXPECT_EQ(*h->generalize("1989.999", 1), "1985-1989");  // [1985, 1990)
  EXPECT_EQ(*h->generalize("0", 1), "0-4");
  EXPECT_EQ(*h->generalize("1e3", 2), "1000-1009");
}

TEST(GeneralizationBands, NegativeNumbersBandDownwards) {
  auto h = Hierarchy::bands({5, 10});
  ASSERT_OK(h);
  EXPECT_EQ(*h->generalize("-1", 1), "-5--1");
  EXPECT_EQ(*h->generalize("-5", 1), "-5--1");
  EXPECT_EQ(*h->generalize("-6", 1), "-10--6");
  EXPECT_EQ(*h->generalize("-0.5", 2), "-10--1");
  EXPECT_EQ(*h->generalize("-0", 1), "0-4");
}

TEST(GeneralizationBands, WidthOneAndFractionalWidths) {
  auto ones = Hierarchy::bands({1, 10});
  ASSERT_OK(ones);
  EXPECT_EQ(*ones->generalize("37.8", 1), "37");
  EXPECT_EQ(*ones->generalize("-0.2", 1), "-1");
  auto halves = Hierarchy::bands({0.5, 1.5});
  ASSERT_OK(halves);
  EXPECT_EQ(*halves->generalize("0.7", 1), "[0.5, 1)");
  EXPECT_EQ(*halves->generalize("-0.7", 1), "[-1, -0.5)");
  EXPECT_EQ(*halves->generalize("2", 2), "[1.5, 3)");
  EXPECT_EQ(halves->describe(1), "bands of 0.5");
  auto tenths = Hierarchy::bands({0.1, 0.3});  // 0.3 / 0.1 is 2.9999999999999996
  ASSERT_OK(tenths);
  EXPECT_EQ(*tenths->generalize("0.3", 1), "[0.3, 0.4)");
  EXPECT_EQ(*tenths->generalize("0.25", 2), "[0, 0.3)");
}

TEST(GeneralizationBands, MissingValueStaysEmptyBelowTheTop) {
  auto h = Hierarchy::bands({5});
  ASSERT_OK(h);
  EXPECT_EQ(chain(*h, ""), (Chain{"", "", "*"}));
}

TEST(GeneralizationBands, UnreadableValuesFailAtEveryLevel) {
  auto h = Hierarchy::bands({5, 10});
  ASSERT_OK(h);
  for (int level = 0; level < h->height(); ++level) {
    EXPECT_THAT(h->generalize("abc", level),
                StatusIs(StatusCode::kInvalidArgument, "bands: \"abc\" is not a number"));
  }
  for (const char* bad : {"12,5", " 12", "12 ", "nan", "inf", "+", "0x10", "1e999"}) {
    EXPECT_THAT(h->generalize(bad, 1), StatusIs(StatusCode::kInvalidArgument, HasSubstr(bad)))
        << bad;
  }
  EXPECT_THAT(h->generalize("2e15", 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("out of range")));
  EXPECT_EQ(*h->generalize("1e15", 2), "1000000000000000-1000000000000009");
  EXPECT_THAT(h->generalize("1987", 4),
              StatusIs(StatusCode::kInvalidArgument, "level 4 is out of range [0, 3]"));
  EXPECT_THAT(h->generalize("1987", -1), StatusIs(StatusCode::kInvalidArgument, HasSubstr("-1")));
}

TEST(GeneralizationBands, FactoryRefusesWidthsThatDoNotNest) {
  EXPECT_THAT(Hierarchy::bands({5, 7}),
              StatusIs(StatusCode::kInvalidArgument,
                       "bands: width 7 is not a multiple (at least twice) of the width before it, "
                       "5"));
  EXPECT_THAT(Hierarchy::bands({5, 5}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("5")));
  EXPECT_THAT(Hierarchy::bands({10, 5}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("5")));
  EXPECT_THAT(Hierarchy::bands({0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("width 0 must be positive")));
  EXPECT_THAT(Hierarchy::bands({-5}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("width -5")));
  EXPECT_THAT(Hierarchy::bands({5, std::numeric_limits<double>::infinity()}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("inf")));
  EXPECT_THAT(Hierarchy::bands({std::numeric_limits<double>::quiet_NaN()}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("nan")));
  auto empty = Hierarchy::bands({});
  ASSERT_OK(empty);
  EXPECT_EQ(chain(*empty, "12"), (Chain{"12", "*"}));
  EXPECT_FALSE(empty->generalize("x", 1).ok());
}

TEST(GeneralizationPrefix, PostalCodeKeepsShorterPrefixes) {
  auto h = Hierarchy::prefix({3, 2, 1});
  ASSERT_OK(h);
  EXPECT_EQ(h->height(), 5);
  EXPECT_EQ(chain(*h, "10115"), (Chain{"10115", "101**", "10***", "1****", "*"}));
  EXPECT_EQ(chain(*h, "10"), (Chain{"10", "10", "10", "1*", "*"}));
  EXPECT_EQ(chain(*h, ""), (Chain{"", "", "", "", "*"}));
  EXPECT_EQ(h->describe(1), "first 3 characters");
  EXPECT_EQ(h->describe(3), "first character");
  auto zero = Hierarchy::prefix({0});
  ASSERT_OK(zero);
  EXPECT_EQ(*zero->generalize("abc", 1), "***");
  EXPECT_EQ(zero->describe(1), "all characters masked");
}

TEST(GeneralizationPrefix, CountsCodePointsNotBytes) {
  auto h = Hierarchy::prefix({2, 1});
  ASSERT_OK(h);
  // "Zürich" is 7 bytes, 6 code points; "東京都" 9 bytes, 3 code points; 😀 is 4 bytes.
  EXPECT_EQ(*h->generalize("Zürich", 1), "Zü****");
  EXPECT_EQ(*h->generalize("東京都", 1), "東京*");
  EXPECT_EQ(*h->generalize("東京都", 2), "東**");
  EXPECT_EQ(*h->generalize("😀a😀", 2), "😀**");
}

TEST(GeneralizationPrefix, InvalidUtf8IsRefusedAndEscaped) {
  auto h = Hierarchy::prefix({1});
  ASSERT_OK(h);
  for (const std::string& bad :
       {std::string("a\xff"), std::string("\xc3"), std::string("\xc0\xaf"),
        std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"), std::string("\xe2\x82")}) {
    EXPECT_THAT(h->generalize(bad, 0),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("is not valid UTF-8")))
        << quoted(bad);
  }
  EXPECT_THAT(h->generalize("a\xff", 1),
              StatusIs(StatusCode::kInvalidArgument, "prefix: \"a\\xff\" is not valid UTF-8"));
  EXPECT_EQ(quoted("x\"\\\n\x01é"), "\"x\\\"\\\\\\n\\x01é\"");
}

TEST(GeneralizationPrefix, FactoryRefusesLengthsThatDoNotDecrease) {
  EXPECT_THAT(Hierarchy::prefix({3, 3}),
              StatusIs(StatusCode::kInvalidArgument,
                       "prefix: kept lengths must be strictly decreasing, got 3 after 3"));
  EXPECT_THAT(Hierarchy::prefix({2, 3}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("3")));
  EXPECT_THAT(Hierarchy::prefix({2, -1}), StatusIs(StatusCode::kInvalidArgument,
                                                   "prefix: kept length -1 must not be negative"));
}

TEST(GeneralizationDates, DayToMonthYearDecade) {
  auto h = Hierarchy::dates({DateLevel::kMonth, DateLevel::kYear, DateLevel::kDecade});
  ASSERT_OK(h);
  EXPECT_EQ(h->height(), 5);
  EXPECT_EQ(chain(*h, "2026-03-14"), (Chain{"2026-03-14", "2026-03", "2026", "2020s", "*"}));
  EXPECT_EQ(chain(*h, "2029-12-31T23:59:59Z"),
            (Chain{"2029-12-31T23:59:59Z", "2029-12", "2029", "2020s", "*"}));
  EXPECT_EQ(*h->generalize("0007-01-01 10:00", 3), "0000s");
  EXPECT_EQ(*h->generalize("2024-02-29", 1), "2024-02");
  EXPECT_EQ(chain(*h, ""), (Chain{"", "", "", "", "*"}));
  EXPECT_EQ(h->describe(1), "month");
  EXPECT_EQ(h->describe(2), "year");
  EXPECT_EQ(h->describe(3), "decade");
  auto years = Hierarchy::dates({DateLevel::kYear});
  ASSERT_OK(years);
  EXPECT_EQ(chain(*years, "1999-07-01"), (Chain{"1999-07-01", "1999", "*"}));
}

TEST(GeneralizationDates, BadDatesAreRefused) {
  auto h = Hierarchy::dates({DateLevel::kYear});
  ASSERT_OK(h);
  for (const char* bad :
       {"2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-3-14",
        "26-03-14", "2026/03/14", "2026-03-14x", "14.03.2026", "2026-03", "abcd-ef-gh"}) {
    EXPECT_THAT(h->generalize(bad, 1),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("is not a date (YYYY-MM-DD)")))
        << bad;
    EXPECT_FALSE(h->generalize(bad, 0).ok()) << bad;
  }
  EXPECT_OK(h->generalize("2000-02-29", 1));
  EXPECT_THAT(
      h->generalize("2026-02-30", 2),
      StatusIs(StatusCode::kInvalidArgument, "dates: \"2026-02-30\" is not a date (YYYY-MM-DD)"));
}

TEST(GeneralizationDates, FactoryRefusesLevelsOutOfOrder) {
  EXPECT_THAT(Hierarchy::dates({DateLevel::kYear, DateLevel::kMonth}),
              StatusIs(StatusCode::kInvalidArgument,
                       "dates: levels must go from finer to coarser (month, year, decade), got "
                       "month after year"));
  EXPECT_FALSE(Hierarchy::dates({DateLevel::kYear, DateLevel::kYear}).ok());
  EXPECT_THAT(Hierarchy::dates({static_cast<DateLevel>(7)}),
              StatusIs(StatusCode::kInvalidArgument, "dates: unknown date level 7"));
}

Result<Hierarchy> regions() {
  return Hierarchy::categories({
      {{"AT", "DACH"}, {"DE", "DACH"}, {"CH", "DACH"}, {"IT", "South"}, {"ES", "South"}},
      {{"DACH", "Europe"}, {"South", "Europe"}},
  });
}

TEST(GeneralizationCategories, ValuesClimbToTheirParents) {
  auto h = regions();
  ASSERT_OK(h);
  EXPECT_EQ(h->height(), 4);
  EXPECT_EQ(chain(*h, "AT"), (Chain{"AT", "DACH", "Europe", "*"}));
  EXPECT_EQ(chain(*h, "IT"), (Chain{"IT", "South", "Europe", "*"}));
  EXPECT_EQ(chain(*h, ""), (Chain{"", "", "", "*"}));
  EXPECT_EQ(h->describe(1), "parent category (level 1)");
  EXPECT_EQ(h->describe(2), "parent category (level 2)");
}

TEST(GeneralizationCategories, UnknownValueIsAnErrorNamingIt) {
  auto h = regions();
  ASSERT_OK(h);
  for (int level = 0; level < h->height(); ++level) {
    EXPECT_THAT(
        h->generalize("FR", level),
        StatusIs(StatusCode::kInvalidArgument, "categories: \"FR\" has no parent at level 1"));
  }
  // A parent name is not a level-0 value.
  EXPECT_FALSE(h->generalize("DACH", 1).ok());
}

TEST(GeneralizationCategories, FactoryChecksEveryParentHasAParent) {
  EXPECT_THAT(Hierarchy::categories({{{"AT", "DACH"}, {"IT", "South"}}, {{"DACH", "Europe"}}}),
              StatusIs(StatusCode::kInvalidArgument,
                       "categories: level 2 has no parent for \"South\" (a parent at level 1)"));
  EXPECT_THAT(Hierarchy::categories({{{"AT", "DACH"}}, {}}),
              StatusIs(StatusCode::kInvalidArgument, "categories: level 2 maps no values"));
  EXPECT_THAT(Hierarchy::categories({{{"AT", ""}}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("reserved")));
  EXPECT_THAT(Hierarchy::categories({{{"*", "x"}}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("reserved")));
  auto flat = Hierarchy::categories({});
  ASSERT_OK(flat);
  EXPECT_EQ(chain(*flat, "anything"), (Chain{"anything", "*"}));
}

TEST(GeneralizationSuppressOnly, ValueOrStar) {
  const Hierarchy h = Hierarchy::suppress_only();
  EXPECT_EQ(h.height(), 2);
  EXPECT_EQ(chain(h, "F"), (Chain{"F", "*"}));
  EXPECT_EQ(chain(h, ""), (Chain{"", "*"}));
  EXPECT_EQ(h.describe(0), "as is");
  EXPECT_EQ(h.describe(1), "suppressed");
  EXPECT_EQ(Hierarchy().height(), 2);
}

}  // namespace
}  // namespace consentric::disclose
