#include "disclose/dp_mechanisms.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "disclose/dp_test_stats.h"
#include "testing/status_matchers.h"

namespace consentric::disclose {
namespace {

using ::consentric::testing::StatusIs;
using testing::distinguish;
using ::testing::HasSubstr;

// The distinguishability checks: 200,000 outputs per dataset, buckets holding at least 1,000 of
// either, a 25% allowance over e^epsilon for sampling error (a bucket of 1,000 against its
// neighbour's ~333 has a ratio with a relative standard deviation of about 6%).
constexpr int kDraws = 200000;
constexpr double kTolerance = 0.25;
constexpr std::int64_t kMinBucket = 1000;

std::int64_t count_value(RandomSource& rng, std::int64_t n, double epsilon) {
  auto release = noisy_count(n, {.epsilon = epsilon}, rng);
  EXPECT_TRUE(release.ok());
  return release->value;
}

TEST(NoisyCount, NeighbouringCountsAreEpsilonIndistinguishable) {
  SeededRandomSource rng(100);
  const auto result = distinguish([&] { return count_value(rng, 100, kDefaultEpsilon); },
                                  [&] { return count_value(rng, 101, kDefaultEpsilon); },
                                  [](std::int64_t v) { return v; }, kDraws, kDefaultEpsilon, 0,
                                  kTolerance, kMinBucket);
  std::cout << "count: buckets=" << result.buckets_checked << " max_ratio=" << result.max_ratio
            << " e^eps=" << std::exp(kDefaultEpsilon) << "\n";
  EXPECT_GE(result.buckets_checked, 8);
  EXPECT_EQ(result.violations, 0) << "max ratio " << result.max_ratio;
}

TEST(NoisyCount, TheCheckCatchesHalvedNoise) {
  // A broken mechanism: noise for 2 epsilon (scale halved), checked against epsilon.
  SeededRandomSource rng(101);
  const auto result = distinguish([&] { return count_value(rng, 100, 2 * kDefaultEpsilon); },
                                  [&] { return count_value(rng, 101, 2 * kDefaultEpsilon); },
                                  [](std::int64_t v) { return v; }, kDraws, kDefaultEpsilon, 0,
                                  kTolerance, kMinBucket);
  std::cout << "count, halved noise: max_ratio=" << result.max_ratio << "\n";
  EXPECT_GT(result.violations, 0);
  EXPECT_GT(result.max_ratio, std::exp(kDefaultEpsilon) * (1 + kTolerance));
}

TEST(NoisyCount, ScaleFollowsPartitionsContributed) {
  SeededRandomSource rng(102);
  const CountOptions options{.epsilon = 0.5, .max_partitions_contributed = 3};
  double sum2 = 0;
  constexpr int kN = 100000;
  CountRelease release;
  for (int i = 0; i < kN; ++i) {
    auto r = noisy_count(1000, options, rng);
    ASSERT_OK(r);
    release = *r;
    sum2 += static_cast<double>((r->value - 1000) * (r->value - 1000));
  }
  EXPECT_EQ(release.noise.mechanism, NoiseMechanism::kDiscreteLaplace);
  EXPECT_DOUBLE_EQ(release.noise.scale, 6);
  EXPECT_EQ(release.noise.granularity, 1);
  EXPECT_EQ(release.noise.cost.epsilon, 0.5);
  EXPECT_EQ(release.noise.cost.delta, 0);
  const double r = std::exp(-1 / 6.0);
  EXPECT_NEAR(sum2 / kN / (2 * r / ((1 - r) * (1 - r))), 1, 0.05);
}

TEST(NoisyCountGaussian, NeighbouringCountsPassTheEpsilonDeltaCheck) {
  SeededRandomSource rng(103);
  const GaussianCountOptions options;  // ln 3, 1e-6
  auto draw = [&](std::int64_t n) {
    auto r = noisy_count_gaussian(n, options, rng);
    EXPECT_TRUE(r.ok());
    return r->value;
  };
  const auto result = distinguish([&] { return draw(100); }, [&] { return draw(101); },
                                  [](std::int64_t v) { return v; }, kDraws, kDefaultEpsilon,
                                  kDefaultDelta, kTolerance, kMinBucket);
  std::cout << "gaussian count: buckets=" << result.buckets_checked
            << " max_ratio=" << result.max_ratio << "\n";
  EXPECT_GE(result.buckets_checked, 20);
  EXPECT_EQ(result.violations, 0);
  auto release = noisy_count_gaussian(0, options, rng);
  ASSERT_OK(release);
  EXPECT_EQ(release->noise.mechanism, NoiseMechanism::kDiscreteGaussian);
  // sigma = 1 / sqrt(2 rho), sqrt(rho) = eps / (sqrt(ln(1/delta) + eps) + sqrt(ln(1/delta))).
  const double l = std::log(1e6);
  const double sqrt_rho = kDefaultEpsilon / (std::sqrt(l + kDefaultEpsilon) + std::sqrt(l));
  EXPECT_NEAR(release->noise.scale, 1 / (std::sqrt(2.0) * sqrt_rho), 1e-3);
  EXPECT_GE(release->noise.scale, 1 / (std::sqrt(2.0) * sqrt_rho));  // rounded up, never down
  EXPECT_EQ(release->noise.cost.delta, kDefaultDelta);
}

TEST(NoisyCountGaussian, TheCheckCatchesTooLittleNoise) {
  // A broken mechanism: sigma calibrated for 4 epsilon, checked against epsilon.
  SeededRandomSource rng(111);
  auto draw = [&](std::int64_t n) {
    auto r = noisy_count_gaussian(n, {.epsilon = 4 * kDefaultEpsilon}, rng);
    EXPECT_TRUE(r.ok());
    return r->value;
  };
  const auto result = distinguish([&] { return draw(100); }, [&] { return draw(101); },
                                  [](std::int64_t v) { return v; }, kDraws, kDefaultEpsilon,
                                  kDefaultDelta, kTolerance, kMinBucket);
  std::cout << "gaussian count, sigma for 4 eps: max_ratio=" << result.max_ratio << "\n";
  EXPECT_GT(result.violations, 0);
}

TEST(Granularity, IsTheSmallestPowerOfTwoAtLeastScaleOver2To40) {
  EXPECT_EQ(granularity_exponent(std::ldexp(1.0, 40)), 0);
  EXPECT_EQ(granularity_exponent(std::nextafter(std::ldexp(1.0, 40), 1e300)), 1);
  EXPECT_EQ(granularity_exponent(1), -40);
  EXPECT_EQ(granularity_exponent(3), -38);  // 3 / 2^40 <= 2^-38 = 4 / 2^40
  EXPECT_EQ(granularity_exponent(0.75), -40);
}

std::vector<double> spread_values(int n, double lower, double upper) {
  std::vector<double> values;
  for (int i = 0; i < n; ++i) values.push_back(lower + (upper - lower) * ((i * 37) % 101) / 100.0);
  return values;
}

TEST(BoundedSum, ReleasesOnlyMultiplesOfTheGranularity) {
  SeededRandomSource rng(104);
  // Values whose low bits differ: 0.1 and friends are not on any power-of-two grid.
  const std::vector<double> values = {0.1, 0.2, 0.30000000000000004, 7.77, 9.999};
  for (const double epsilon : {0.1, kDefaultEpsilon, 3.0}) {
    const BoundedOptions options{.lower = 0, .upper = 10, .epsilon = epsilon};
    for (int i = 0; i < 2000; ++i) {
      auto r = bounded_sum(values, options, rng);
      ASSERT_OK(r);
      const double g = r->noise.granularity;
      int exponent = 0;
      ASSERT_EQ(std::frexp(g, &exponent), 0.5) << "not a power of two: " << g;
      const double units = r->value / g;  // exact: dividing by a power of two
      ASSERT_EQ(units, std::nearbyint(units)) << r->value << " is off the grid of " << g;
      ASSERT_GE(r->noise.scale / g, std::ldexp(1.0, 39));
      ASSERT_LE(r->noise.scale / g, std::ldexp(1.0, 40) * 1.001);
    }
  }
}

TEST(BoundedSum, ClampsAndIgnoresNaN) {
  SeededRandomSource rng(105);
  // Epsilon 1000: noise scale 0.01, so the clamped sum shows through.
  const BoundedOptions options{.lower = -1, .upper = 2, .epsilon = 1000};
  const std::vector<double> values = {-50, 100, 1.5, std::nan(""), 1e300, -1e300};
  auto r = bounded_sum(values, options, rng);  // -1 + 2 + 1.5 + 2 - 1
  ASSERT_OK(r);
  EXPECT_NEAR(r->value, 3.5, 0.5);
  EXPECT_EQ(r->noise.cost.epsilon, 1000);
}

TEST(BoundedSum, OrderOfTheValuesCannotChangeTheRelease) {
  // Summing in integers: the same noise (same seed) gives the same release in any order, while a
  // floating-point sum of these values depends on the order. Epsilon 1024 puts the grid at 2^-10,
  // fine enough for every value here to count.
  std::vector<double> values = {1e12, 1.0, -1e12, 0.5, 1e-3, 3.25};
  const BoundedOptions options{.lower = -1e12, .upper = 1e12, .epsilon = 1024};
  double forward = 0;
  for (const double v : values) forward += v;
  SeededRandomSource rng_a(106);
  auto a = bounded_sum(values, options, rng_a);
  std::reverse(values.begin(), values.end());
  double backward = 0;
  for (const double v : values) backward += v;
  SeededRandomSource rng_b(106);
  auto b = bounded_sum(values, options, rng_b);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_NE(forward, backward);  // the data does expose floating-point order dependence
  EXPECT_EQ(a->noise.granularity, std::ldexp(1.0, -10));
  EXPECT_EQ(a->value, b->value);
}

double sum_value(RandomSource& rng, const std::vector<double>& values, double epsilon) {
  auto r = bounded_sum(values, {.lower = 0, .upper = 10, .epsilon = epsilon}, rng);
  EXPECT_TRUE(r.ok());
  return r->value;
}

TEST(BoundedSum, OneRecordAtTheBoundIsEpsilonIndistinguishable) {
  SeededRandomSource rng(107);
  const std::vector<double> without = spread_values(50, 0, 10);
  std::vector<double> with = without;
  with.push_back(10);  // the neighbour: one more subject, at the upper bound
  const double scale = 10 / kDefaultEpsilon;
  const auto result = distinguish(
      [&] { return sum_value(rng, without, kDefaultEpsilon); },
      [&] { return sum_value(rng, with, kDefaultEpsilon); },
      [scale](double v) { return static_cast<std::int64_t>(std::floor(v / (scale / 2))); }, kDraws,
      kDefaultEpsilon, 0, kTolerance, kMinBucket);
  std::cout << "sum: buckets=" << result.buckets_checked << " max_ratio=" << result.max_ratio
            << " e^eps=" << std::exp(kDefaultEpsilon) << "\n";
  EXPECT_GE(result.buckets_checked, 10);
  EXPECT_EQ(result.violations, 0) << "max ratio " << result.max_ratio;
}

TEST(BoundedSum, TheCheckCatchesHalvedNoise) {
  SeededRandomSource rng(108);
  const std::vector<double> without = spread_values(50, 0, 10);
  std::vector<double> with = without;
  with.push_back(10);
  const double scale = 10 / kDefaultEpsilon;
  const auto result = distinguish(
      [&] { return sum_value(rng, without, 2 * kDefaultEpsilon); },
      [&] { return sum_value(rng, with, 2 * kDefaultEpsilon); },
      [scale](double v) { return static_cast<std::int64_t>(std::floor(v / (scale / 2))); }, kDraws,
      kDefaultEpsilon, 0, kTolerance, kMinBucket);
  std::cout << "sum, halved noise: max_ratio=" << result.max_ratio << "\n";
  EXPECT_GT(result.violations, 0);
}

TEST(BoundedMean, StaysInBoundsAndSplitsTheBudget) {
  SeededRandomSource rng(109);
  const std::vector<double> values = spread_values(10000, 2, 4);  // mean 3
  const BoundedOptions options{.lower = 0, .upper = 10, .epsilon = 1};
  auto r = bounded_mean(values, options, rng);
  ASSERT_OK(r);
  EXPECT_NEAR(r->value, 3, 0.05);
  EXPECT_EQ(r->cost.epsilon, 1);
  EXPECT_EQ(r->sum_noise.cost.epsilon, 0.5);
  EXPECT_EQ(r->count_noise.cost.epsilon, 0.5);
  EXPECT_DOUBLE_EQ(r->count_noise.scale, 2);
  // Few values and little budget: the noisy mean is clamped, never outside [lower, upper].
  const std::vector<double> few = {9.5, 10};
  for (int i = 0; i < 2000; ++i) {
    auto m = bounded_mean(few, {.lower = 0, .upper = 10, .epsilon = 0.01}, rng);
    ASSERT_OK(m);
    ASSERT_GE(m->value, 0);
    ASSERT_LE(m->value, 10);
  }
  auto empty = bounded_mean({}, options, rng);
  ASSERT_OK(empty);
  EXPECT_GE(empty->value, 0);
  EXPECT_LE(empty->value, 10);
}

TEST(BoundedMean, OneRecordAtTheBoundIsEpsilonIndistinguishable) {
  SeededRandomSource rng(112);
  const std::vector<double> without = spread_values(20, 0, 10);
  std::vector<double> with = without;
  with.push_back(10);
  auto draw = [&](const std::vector<double>& values) {
    auto r = bounded_mean(values, {.lower = 0, .upper = 10}, rng);
    EXPECT_TRUE(r.ok());
    return r->value;
  };
  const auto result =
      distinguish([&] { return draw(without); }, [&] { return draw(with); },
                  [](double v) { return static_cast<std::int64_t>(std::floor(v / 0.25)); }, kDraws,
                  kDefaultEpsilon, 0, kTolerance, kMinBucket);
  std::cout << "mean: buckets=" << result.buckets_checked << " max_ratio=" << result.max_ratio
            << "\n";
  EXPECT_GE(result.buckets_checked, 10);
  EXPECT_EQ(result.violations, 0) << "max ratio " << result.max_ratio;
}

TEST(Mechanisms, RefuseInvalidParameters) {
  SeededRandomSource rng(110);
  const auto invalid = StatusCode::kInvalidArgument;
  for (const double epsilon : {0.0, -1.0, std::nan(""), HUGE_VAL, 1e-9, 2000.0}) {
    EXPECT_THAT(noisy_count(1, {.epsilon = epsilon}, rng),
                StatusIs(invalid, HasSubstr("epsilon must be finite and in [2^-20, 1024]")));
  }
  for (const std::int64_t count : {std::numeric_limits<std::int64_t>::min(), std::int64_t{1} << 62,
                                   -(std::int64_t{1} << 62)}) {
    EXPECT_THAT(noisy_count(count, {}, rng), StatusIs(invalid, HasSubstr("out of range")));
    EXPECT_THAT(noisy_count_gaussian(count, {}, rng), StatusIs(invalid, HasSubstr("out of range")));
  }
  EXPECT_THAT(noisy_count(1, {.max_partitions_contributed = 0}, rng),
              StatusIs(invalid, HasSubstr("max_partitions_contributed must be in [1, 2^20], "
                                          "got 0")));
  for (const double delta : {0.0, 1.0, -0.1, std::nan("")}) {
    EXPECT_THAT(noisy_count_gaussian(1, {.delta = delta}, rng),
                StatusIs(invalid, HasSubstr("delta must be in (0, 1)")));
  }
  const std::vector<double> values = {1, 2};
  EXPECT_THAT(bounded_sum(values, {.lower = 5, .upper = 1}, rng),
              StatusIs(invalid, HasSubstr("lower bound 5 is above upper bound 1")));
  EXPECT_THAT(bounded_sum(values, {.lower = 0, .upper = HUGE_VAL}, rng),
              StatusIs(invalid, HasSubstr("bounds must be finite")));
  EXPECT_THAT(bounded_mean(values, {.lower = std::nan(""), .upper = 1}, rng),
              StatusIs(invalid, HasSubstr("bounds must be finite")));
  EXPECT_THAT(bounded_sum(values, {.lower = 0, .upper = 0}, rng),
              StatusIs(invalid, HasSubstr("every sum 0")));
  EXPECT_THAT(privacy_cost(BoundedOptions{.lower = 0, .upper = 1, .epsilon = -2}),
              StatusIs(invalid, HasSubstr("got -2")));
  auto cost = privacy_cost(GaussianCountOptions{});
  ASSERT_OK(cost);
  EXPECT_EQ(cost->epsilon, kDefaultEpsilon);
  EXPECT_EQ(cost->delta, kDefaultDelta);
}

}  // namespace
}  // namespace consentric::disclose
