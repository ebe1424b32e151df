#include "disclose/dp_histogram.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "disclose/dp_test_stats.h"
#include "testing/status_matchers.h"

namespace consentric::disclose {
namespace {

using ::consentric::testing::StatusIs;
using testing::distinguish;

TEST(NoisyHistogram, BinsClampAndSkipNaNAtHugeEpsilon) {
  // At epsilon 1024 the noise is 0 with probability 1 - 2e-445: the counts are exact.
  SeededRandomSource rng(1);
  const std::vector<double> values = {-5, 0, 0.5, 1.0, 2.5, 9.99, 10, 42, std::nan("")};
  auto h = noisy_histogram(values, {.lower = 0, .upper = 10, .bins = 4, .epsilon = 1024}, rng);
  ASSERT_TRUE(h.ok()) << h.status().to_string();
  EXPECT_EQ(h->edges, (std::vector<double>{0, 2.5, 5, 7.5, 10}));
  EXPECT_EQ(h->counts, (std::vector<std::int64_t>{4, 1, 0, 3}));
  EXPECT_EQ(h->noise.mechanism, NoiseMechanism::kDiscreteLaplace);
  EXPECT_DOUBLE_EQ(h->noise.cost.epsilon, 1024);
}

TEST(NoisyHistogram, RefusesDataIndependentParametersOutOfRange) {
  SeededRandomSource rng(1);
  const std::vector<double> v = {1};
  EXPECT_THAT(noisy_histogram(v, {.lower = 1, .upper = 1, .bins = 3}, rng).status(),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("lower below upper")));
  EXPECT_THAT(noisy_histogram(v, {.lower = 0, .upper = 1, .bins = 0}, rng).status(),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("bins")));
  EXPECT_THAT(noisy_histogram(v, {.lower = 0, .upper = 1, .bins = 2, .epsilon = -1}, rng).status(),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("epsilon")));
}

// One subject more moves one bin by one: the pair (bin 0, bin 1) of the two releases must stay
// within e^epsilon, bucketed jointly.
TEST(NoisyHistogram, NeighbouringDatasetsAreEpsilonIndistinguishable) {
  SeededRandomSource rng(7);
  const std::vector<double> a = {0.1, 0.2, 0.7, 0.8, 0.9};
  std::vector<double> b = a;
  b.push_back(0.3);
  constexpr double kEpsilon = 1.0;
  const auto draw = [&](const std::vector<double>& data) {
    auto h = noisy_histogram(data, {.lower = 0, .upper = 1, .bins = 2, .epsilon = kEpsilon}, rng);
    EXPECT_TRUE(h.ok());
    return (h->counts[0] + 50) * 1000 + (h->counts[1] + 50);
  };
  const auto r = distinguish([&] { return draw(a); }, [&] { return draw(b); },
                             [](std::int64_t v) { return v; }, 200000, kEpsilon, 0, 0.25, 1000);
  EXPECT_GT(r.buckets_checked, 3);
  EXPECT_EQ(r.violations, 0) << "max ratio " << r.max_ratio;
}

TEST(NoisyCategoryCounts, CountsCodesInTheDomainOnly) {
  SeededRandomSource rng(3);
  const std::vector<std::int32_t> codes = {0, 0, 2, -1, 5, 1, 2, 2};
  NoiseDescription noise;
  auto c = noisy_category_counts(codes, 3, 1024, rng, &noise);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(*c, (std::vector<std::int64_t>{2, 1, 3}));
  EXPECT_DOUBLE_EQ(noise.scale, 1.0 / 1024);
  EXPECT_FALSE(noisy_category_counts(codes, 0, 1, rng, &noise).ok());
}

TEST(QuantilesFromHistogram, InterpolateWithinBinsAndIgnoreNegativeCounts) {
  HistogramRelease h;
  h.edges = {0, 10, 20, 30, 40};
  h.counts = {10, -3, 30, 0};
  const std::vector<double> q = {0, 0.25, 0.5, 1};
  const auto v = quantiles_from_histogram(h, q);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_DOUBLE_EQ(v[0], 0);             // target 0: the lower edge of the first positive bin
  EXPECT_DOUBLE_EQ(v[1], 10);            // 10 of 40: the top of bin 0
  EXPECT_DOUBLE_EQ(v[2], 23 + 1.0 / 3);  // 20 of 40: 10 into bin 2's 30
  EXPECT_DOUBLE_EQ(v[3], 30);
  h.counts = {-1, 0, -2, 0};
  EXPECT_TRUE(std::isnan(quantiles_from_histogram(h, q)[1]));
}

TEST(QuantilesFromHistogram, MedianOfManyDrawsIsNearTheTruth) {
  SeededRandomSource rng(11);
  std::vector<double> values;
  for (int i = 0; i < 20000; ++i) values.push_back(i % 1000);  // uniform on 0..999
  auto h = noisy_histogram(values, {.lower = 0, .upper = 1000, .bins = 64, .epsilon = 1}, rng);
  ASSERT_TRUE(h.ok());
  const std::vector<double> q = {0.1, 0.5, 0.9};
  const auto v = quantiles_from_histogram(*h, q);
  EXPECT_NEAR(v[0], 100, 5);
  EXPECT_NEAR(v[1], 500, 5);
  EXPECT_NEAR(v[2], 900, 5);
}

TEST(LaplaceHalfWidth, CoversTheConfidenceAndNoMore) {
  SeededRandomSource rng(5);
  for (double scale : {0.5, 1.0, 2.0, 10.0}) {
    auto laplace = discrete_laplace_for(1, 1 / scale);
    ASSERT_TRUE(laplace.ok());
    const std::int64_t m = laplace_half_width(scale, 0.95);
    int inside = 0, inside_narrower = 0;
    constexpr int kDraws = 100000;
    for (int i = 0; i < kDraws; ++i) {
      const std::int64_t z = std::llabs(laplace->sample(rng));
      inside += z <= m;
      inside_narrower += z <= m - 1;
    }
    EXPECT_GE(inside, 0.95 * kDraws - 300) << "scale " << scale;  // 300: ~4 sd of sampling
    if (m > 0) {
      EXPECT_LT(inside_narrower, 0.95 * kDraws + 300) << "scale " << scale;
    }
  }
}

}  // namespace
}  // namespace consentric::disclose
