#include "core/time.h"

#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

TEST(Time, ParsesDatesAndTimes) {
  EXPECT_EQ(*parse_timestamp("1970-01-01"), 0);
  EXPECT_EQ(*parse_timestamp("2026-03-01T12:34:56Z"), 1772368496);
  EXPECT_EQ(*parse_timestamp("2026-03-01 12:34:56"), 1772368496);
  EXPECT_EQ(*parse_timestamp("2026-03-01T14:34:56+02:00"), 1772368496);
  EXPECT_EQ(*parse_timestamp("2026-03-01T07:34:56.250-0500"), 1772368496);
  EXPECT_EQ(*parse_timestamp("2026-03-01T12:34"), 1772368440);
  EXPECT_EQ(*parse_date("2024-02-29"), 1709164800);
}

TEST(Time, RefusesImpossibleDates) {
  EXPECT_THAT(parse_timestamp("2026-02-30"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no such day")));
  EXPECT_THAT(parse_timestamp("2025-02-29"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no such day")));
  EXPECT_THAT(parse_timestamp("2026-01-01T25:00:00"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("time of day")));
  EXPECT_THAT(parse_timestamp("01/03/2026"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("YYYY-MM-DD")));
  EXPECT_THAT(parse_timestamp("2026-03-01T12:00:00+25:00"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("offset")));
  EXPECT_THAT(parse_timestamp(""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected an ISO 8601")));
  EXPECT_THAT(parse_date("2026-03-01T00:00:00Z"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("YYYY-MM-DD")));
}

TEST(Time, FormatsRoundTrip) {
  EXPECT_EQ(format_timestamp(1772368496), "2026-03-01T12:34:56Z");
  EXPECT_EQ(format_date(1772368496), "2026-03-01");
  EXPECT_EQ(*parse_timestamp(format_timestamp(-86401)), -86401);
}

TEST(Time, ParsesDurations) {
  EXPECT_EQ(*parse_duration_seconds("30d"), 30 * kSecondsPerDay);
  EXPECT_EQ(*parse_duration_seconds("2y"), 730 * kSecondsPerDay);
  EXPECT_EQ(*parse_duration_seconds("6mo"), 180 * kSecondsPerDay);
  EXPECT_THAT(parse_duration_seconds("d"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected a duration")));
  EXPECT_THAT(parse_duration_seconds("3 weeks"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unit")));
}

TEST(Time, ManualClockMoves) {
  ManualClock clock(100);
  clock.advance(5);
  EXPECT_EQ(clock.now(), 105);
}

}  // namespace
}  // namespace consentric
