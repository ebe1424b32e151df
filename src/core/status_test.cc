#include "consentric/status.h"

#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

Result<int> half(int x) {
  if (x % 2 != 0) return invalid_argument("odd");
  return x / 2;
}

Result<int> quarter(int x) {
  CONSENTRIC_ASSIGN_OR_RETURN(int h, half(x));
  return half(h);
}

TEST(Status, OkByDefaultAndNamesItsCode) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(not_found("no subject 7").to_string(), "NOT_FOUND: no subject 7");
}

TEST(Status, ContextIsPrefixed) {
  EXPECT_EQ(invalid_argument("bad").with_context("file.csv:3").message(), "file.csv:3: bad");
  EXPECT_TRUE(Status().with_context("x").ok());
}

TEST(Result, AssignOrReturnPropagates) {
  EXPECT_EQ(*quarter(8), 2);
  EXPECT_THAT(quarter(6), StatusIs(StatusCode::kInvalidArgument, HasSubstr("odd")));
}

}  // namespace
}  // namespace consentric
