#include "disclose/partition_selection.h"

#include <cmath>
#include <iostream>
#include <optional>

#include <gtest/gtest.h>

#include "disclose/dp_test_stats.h"
#include "testing/status_matchers.h"

namespace consentric::disclose {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

// P(1 + Z >= tau) for Z discrete Laplace with scale partitions / epsilon, summed from the pmf
// (an independent route to the closed form in partition_selection.cc).
double pass_probability(double epsilon, std::int64_t partitions, std::int64_t tau) {
  const double r = std::exp(-epsilon / static_cast<double>(partitions));
  double p = 0;
  for (std::int64_t z = tau - 1; z < tau + 5000; ++z) {
    p += (1 - r) / (1 + r) * std::pow(r, static_cast<double>(std::abs(z)));
  }
  return p;
}

TEST(LaplacePartitionSelector, ThresholdIsTheSmallestThatHoldsDelta) {
  for (const std::int64_t partitions : {1, 4, 20}) {
    for (const double delta : {1e-6, 1e-3}) {
      auto selector = LaplacePartitionSelector::Create(
          {.epsilon = kDefaultEpsilon, .delta = delta, .max_partitions_contributed = partitions});
      ASSERT_OK(selector);
      const std::int64_t tau = selector->threshold();
      const double delta_p = 1 - std::pow(1 - delta, 1.0 / static_cast<double>(partitions));
      EXPECT_NEAR(selector->per_partition_delta() / delta_p, 1, 1e-6);
      // A lone subject's group passes with probability at most delta_p, and tau - 1 would not do.
      EXPECT_LE(pass_probability(kDefaultEpsilon, partitions, tau), delta_p * (1 + 1e-9));
      EXPECT_GT(pass_probability(kDefaultEpsilon, partitions, tau - 1), delta_p);
      EXPECT_NEAR(selector->lone_subject_release_probability() /
                      pass_probability(kDefaultEpsilon, partitions, tau),
                  1, 1e-6);
      std::cout << "partitions=" << partitions << " delta=" << delta << " threshold=" << tau
                << " lone_release=" << selector->lone_subject_release_probability() << "\n";
    }
  }
}

TEST(LaplacePartitionSelector, LoneSubjectIsReleasedAtTheDerivedRate) {
  // delta 0.05 so that the rate is measurable in 200,000 trials.
  auto selector =
      LaplacePartitionSelector::Create({.epsilon = kDefaultEpsilon, .delta = 0.05, .min_size = 0});
  ASSERT_OK(selector);
  SeededRandomSource rng(200);
  constexpr int kTrials = 200000;
  int released = 0;
  for (int i = 0; i < kTrials; ++i)
    released += static_cast<int>(selector->select(1, rng).has_value());
  const double p = selector->lone_subject_release_probability();
  const double freq = static_cast<double>(released) / kTrials;
  std::cout << "lone subject: threshold=" << selector->threshold() << " released=" << freq
            << " derived=" << p << " delta=0.05\n";
  EXPECT_LE(p, 0.05);
  EXPECT_NEAR(freq, p, 5 * std::sqrt(p * (1 - p) / kTrials));
}

TEST(LaplacePartitionSelector, NeighbouringGroupsAreIndistinguishable) {
  // Outputs: the noisy count, or "suppressed" (bucket -1). Groups of 10 and 11 subjects.
  auto selector = LaplacePartitionSelector::Create({.delta = 1e-3, .min_size = 10});
  ASSERT_OK(selector);
  SeededRandomSource rng(201);
  auto draw = [&](std::int64_t n) { return selector->select(n, rng).value_or(-1); };
  const auto result = testing::distinguish([&] { return draw(10); }, [&] { return draw(11); },
                                           [](std::int64_t v) { return v; }, 200000,
                                           kDefaultEpsilon, 1e-3, 0.25, 1000);
  std::cout << "partition selection: buckets=" << result.buckets_checked
            << " max_ratio=" << result.max_ratio << "\n";
  EXPECT_GE(result.buckets_checked, 5);
  EXPECT_EQ(result.violations, 0);
}

TEST(SelectPartitions, KeepsLargeGroupsAndAppliesTheMinimumSizeToTheNoisyCount) {
  SeededRandomSource rng(202);
  const PartitionCount groups[] = {{1, 5000}, {2, 1}, {3, 40}, {4, 0}, {5, 2500}};
  const PartitionSelectionOptions options{.max_partitions_contributed = 2, .min_size = 50};
  int kept_40 = 0;
  for (int i = 0; i < 500; ++i) {
    auto selection = select_partitions(groups, options, rng);
    ASSERT_OK(selection);
    ASSERT_GE(selection->kept.size(), 2u);
    EXPECT_EQ(selection->kept.front().label, 1);  // input order
    EXPECT_EQ(selection->kept.back().label, 5);
    for (const SelectedPartition& p : selection->kept) {
      ASSERT_NE(p.label, 2);  // one subject, far below the threshold at delta 1e-6
      ASSERT_NE(p.label, 4);
      ASSERT_GE(p.noisy_count, 50);
      ASSERT_GE(p.noisy_count, selection->threshold);
      kept_40 += static_cast<int>(p.label == 3);
    }
    EXPECT_EQ(selection->noise.cost.epsilon, kDefaultEpsilon);
    EXPECT_EQ(selection->noise.cost.delta, kDefaultDelta);
    EXPECT_DOUBLE_EQ(selection->noise.scale, 2 / kDefaultEpsilon);
  }
  // 40 subjects against k = 50 with noise of scale 1.8: now and then, never often.
  EXPECT_LT(kept_40, 25);
}

TEST(SelectPartitions, RefusesBadOptionsAndCounts) {
  SeededRandomSource rng(203);
  const PartitionCount ok[] = {{1, 10}};
  EXPECT_THAT(select_partitions(ok, {.delta = 0}, rng),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("delta must be in (0, 1)")));
  EXPECT_THAT(select_partitions(ok, {.epsilon = std::nan("")}, rng),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("epsilon")));
  EXPECT_THAT(select_partitions(ok, {.min_size = -1}, rng),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("min_size must be >= 0, got -1")));
  const PartitionCount bad[] = {{7, -3}};
  EXPECT_THAT(select_partitions(bad, {}, rng),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("group 7: subject count -3")));
}

}  // namespace
}  // namespace consentric::disclose
