#include "disclose/small_groups.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace consentric::disclose {
namespace {

std::vector<Group> sizes(std::vector<std::int64_t> s) {
  std::vector<Group> out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    out.push_back({static_cast<std::int32_t>(i), fmt::format("g{}", i), s[i]});
  }
  return out;
}

TEST(SmallGroups, SuppressLeavesOutEveryGroupBelowK) {
  const Release r = release_groups(sizes({10, 9, 50, 1, 0}), 10, SmallGroups::kSuppress);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].name, "g0");
  EXPECT_EQ(r.groups[0].size, 10);
  EXPECT_EQ(r.groups[1].name, "g2");
  EXPECT_EQ(r.suppressed, 2);  // g1 and g3; the empty g4 is not a group
  EXPECT_EQ(r.group_of(1), nullptr);
  EXPECT_EQ(r.group_of(2)->name, "g2");
}

TEST(SmallGroups, MergePoolsSmallGroupsIntoOneOtherWhenItReachesK) {
  const Release r = release_groups(sizes({4, 30, 6, 3}), 10, SmallGroups::kMerge);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[1].name, "other (3 small segments)");
  EXPECT_EQ(r.groups[1].size, 13);
  EXPECT_TRUE(r.groups[1].merged);
  EXPECT_EQ(r.groups[1].labels, (std::vector<std::int32_t>{0, 2, 3}));
  EXPECT_EQ(r.group_of(3), &r.groups[1]);
  EXPECT_EQ(r.suppressed, 0);
}

TEST(SmallGroups, MergedGroupStillBelowKIsSuppressed) {
  const Release r = release_groups(sizes({4, 30, 5}), 10, SmallGroups::kMerge);
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].name, "g1");
  EXPECT_EQ(r.suppressed, 2);
  EXPECT_EQ(r.group_of(0), nullptr);
}

TEST(SmallGroups, NothingBelowKReleasesEverything) {
  const Release r = release_groups(sizes({10, 11}), 10, SmallGroups::kMerge);
  EXPECT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.suppressed, 0);
}

}  // namespace
}  // namespace consentric::disclose
