#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace consentric::config_test {
namespace {

TEST(QualitySection, DefaultsToTwoYearsWhenAbsent) {
  auto c = parse_config(kBase, "test.yaml");
  ASSERT_OK(c);
  EXPECT_EQ(c->quality.stale_after_seconds, 730 * 86400);
}

TEST(QualitySection, ReadsStaleAfter) {
  auto c = parse_config(base_plus("quality: {stale_after: 18mo}\n"), "test.yaml");
  ASSERT_OK(c);
  EXPECT_EQ(c->quality.stale_after_seconds, 18 * 30 * 86400);
}

TEST(QualitySection, RefusesBadDurationsAndUnknownKeysWithLineAndPath) {
  EXPECT_ONE_PROBLEM(base_plus("quality: {stale_after: never}\n"), 7, "quality.stale_after",
                     "expected a duration such as 30d");
  EXPECT_ONE_PROBLEM(base_plus("quality: {stale_after: 0d}\n"), 7, "quality.stale_after",
                     "expected a duration");
  EXPECT_ONE_PROBLEM(base_plus("quality:\n  stale_afer: 30d\n"), 8, "quality.stale_afer",
                     "did you mean \"stale_after\"?");
  EXPECT_ONE_PROBLEM(base_plus("quality: [30d]\n"), 7, "quality", "expected a mapping");
}

}  // namespace
}  // namespace consentric::config_test
