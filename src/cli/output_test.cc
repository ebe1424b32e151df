#include "cli/output.h"

#include "testing/status_matchers.h"

namespace consentric::cli {
namespace {

TEST(Output, ExitCodesFollowTheStatus) {
  EXPECT_EQ(exit_code(Status()), 0);
  EXPECT_EQ(exit_code(invalid_argument("x")), 1);
  EXPECT_EQ(exit_code(unauthenticated("x")), 1);
  EXPECT_EQ(exit_code(internal_error("x")), 2);
  EXPECT_EQ(exit_code(data_loss("x")), 2);
}

TEST(Output, TableAlignsAndRightAlignsNumbers) {
  Table t({"purpose", "granted"});
  t.add_row({"segmentation", "5,512"});
  t.add_row({"email_marketing", "12"});
  EXPECT_EQ(t.render(),
            "purpose          granted\n"
            "segmentation       5,512\n"
            "email_marketing       12\n");
}

TEST(Output, CountsOfPeopleBelowKAreNotShown) {
  EXPECT_EQ(people_count(0, 10), "0");
  EXPECT_EQ(people_count(1, 10), "< 10");
  EXPECT_EQ(people_count(9, 10), "< 10");
  EXPECT_EQ(people_count(10, 10), "10");
  EXPECT_EQ(people_count(12345, 10), "12,345");
  EXPECT_TRUE(released_count(3, 10).is_null());
  EXPECT_EQ(released_count(10, 10), 10);
  Table t({"held", "count"});
  t.add_row({"subjects", "12,345"});
  t.add_row({"suppressed", people_count(3, 10)});
  EXPECT_EQ(t.render(),
            "held        count\n"
            "subjects    12,345\n"
            "suppressed    < 10\n");
}

}  // namespace
}  // namespace consentric::cli
