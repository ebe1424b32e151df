#include "disclose/dp_samplers.h"

#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "disclose/dp_test_stats.h"
#include "testing/status_matchers.h"

namespace consentric::disclose {
namespace {

using ::consentric::testing::StatusIs;
using testing::chi_square_symmetric;
using ::testing::HasSubstr;

// A correct sampler fails with a fixed seed only if the seed happens to be one in 10^4; the
// seed is fixed, so the outcome is deterministic.
constexpr double kRejectBelow = 1e-4;
constexpr int kDraws = 200000;

double laplace_pmf(double t, std::int64_t y) {
  const double r = std::exp(-1 / t);
  return (1 - r) / (1 + r) * std::pow(r, static_cast<double>(std::abs(y)));
}

double laplace_variance(double t) {
  const double r = std::exp(-1 / t);
  return 2 * r / ((1 - r) * (1 - r));
}

// The discrete Gaussian's pmf, normalized over +-60 sigma.
std::function<double(std::int64_t)> gaussian_pmf(double sigma2) {
  const auto reach = static_cast<std::int64_t>(60 * std::sqrt(sigma2)) + 10;
  double total = 0;
  for (std::int64_t y = -reach; y <= reach; ++y) {
    total += std::exp(-static_cast<double>(y * y) / (2 * sigma2));
  }
  return [sigma2, total](std::int64_t y) {
    return std::exp(-static_cast<double>(y * y) / (2 * sigma2)) / total;
  };
}

struct Moments {
  double mean = 0;
  double variance = 0;
};

template <typename Sampler>
std::map<std::int64_t, std::int64_t> histogram(Sampler& sampler, RandomSource& rng, int draws,
                                               Moments* moments) {
  std::map<std::int64_t, std::int64_t> counts;
  double sum = 0;
  double sum2 = 0;
  for (int i = 0; i < draws; ++i) {
    const std::int64_t y = sampler.sample(rng);
    ++counts[y];
    sum += static_cast<double>(y);
    sum2 += static_cast<double>(y) * static_cast<double>(y);
  }
  moments->mean = sum / draws;
  moments->variance = sum2 / draws - moments->mean * moments->mean;
  return counts;
}

TEST(UniformBelow, HasNoModuloBias) {
  // n = 3 * 2^62: a plain x % n would fold the words in [3 * 2^62, 2^64) onto [0, 2^62), so
  // P(x < 2^62) would be 1/2 instead of 1/3.
  SeededRandomSource rng(1);
  constexpr std::uint64_t kBlock = std::uint64_t{1} << 62;
  int low = 0;
  constexpr int kN = 100000;
  for (int i = 0; i < kN; ++i) low += static_cast<int>(uniform_below(rng, 3 * kBlock) < kBlock);
  EXPECT_NEAR(static_cast<double>(low) / kN, 1.0 / 3, 0.01);
  // The same in 128 bits: n = 3 * 2^126.
  const Uint128 block = Uint128{1} << 126;
  low = 0;
  for (int i = 0; i < kN; ++i) low += static_cast<int>(uniform_below_wide(rng, 3 * block) < block);
  EXPECT_NEAR(static_cast<double>(low) / kN, 1.0 / 3, 0.01);
}

TEST(UniformBelow, SmallRangeFitsUniform) {
  SeededRandomSource rng(2);
  std::map<std::int64_t, std::int64_t> counts;
  for (int i = 0; i < kDraws; ++i) ++counts[static_cast<std::int64_t>(uniform_below(rng, 7)) - 3];
  const auto fit = chi_square_symmetric(
      counts, kDraws, [](std::int64_t y) { return std::abs(y) <= 3 ? 1.0 / 7 : 0.0; });
  EXPECT_EQ(fit.degrees_of_freedom, 6);
  EXPECT_GT(fit.p_value, kRejectBelow) << "chi2 " << fit.statistic;
  EXPECT_EQ(uniform_below(rng, 1), 0u);
}

TEST(BernoulliExpNeg, FrequencyMatchesExpMinusGamma) {
  SeededRandomSource rng(3);
  EXPECT_TRUE(bernoulli_exp_neg(rng, 0, 5));  // exp(0) = 1: always
  const std::pair<std::uint64_t, std::uint64_t> gammas[] = {
      {1, 3}, {1, 1}, {5, 2}, {7, 1}, {123456789, 100000000}};
  for (const auto& [num, den] : gammas) {
    int hits = 0;
    for (int i = 0; i < kDraws; ++i) hits += static_cast<int>(bernoulli_exp_neg(rng, num, den));
    const double p = std::exp(-static_cast<double>(num) / static_cast<double>(den));
    const double sd = std::sqrt(p * (1 - p) / kDraws);
    const double freq = static_cast<double>(hits) / kDraws;
    EXPECT_NEAR(freq, p, 5 * sd) << "gamma " << num << "/" << den;
    std::cout << "bernoulli_exp_neg gamma=" << num << "/" << den << " freq=" << freq
              << " expected=" << p << " z=" << (freq - p) / sd << "\n";
  }
}

TEST(DiscreteLaplace, FitsItsDistribution) {
  const std::pair<std::uint64_t, std::uint64_t> scales[] = {{1, 1}, {7, 3}, {201, 2}};
  std::uint64_t seed = 10;
  for (const auto& [num, den] : scales) {
    auto laplace = DiscreteLaplace::Create(num, den);
    ASSERT_OK(laplace);
    SeededRandomSource rng(seed++);
    Moments m;
    const auto counts = histogram(*laplace, rng, kDraws, &m);
    const double t = static_cast<double>(num) / static_cast<double>(den);
    const auto fit =
        chi_square_symmetric(counts, kDraws, [t](std::int64_t y) { return laplace_pmf(t, y); });
    std::cout << "discrete_laplace t=" << t << " chi2=" << fit.statistic
              << " df=" << fit.degrees_of_freedom << " p=" << fit.p_value << " mean=" << m.mean
              << " var=" << m.variance << " expected_var=" << laplace_variance(t) << "\n";
    EXPECT_GT(fit.p_value, kRejectBelow) << "scale " << t;
    EXPECT_NEAR(m.mean, 0, 5 * std::sqrt(laplace_variance(t) / kDraws));
    EXPECT_NEAR(m.variance / laplace_variance(t), 1, 0.03);
  }
}

TEST(DiscreteLaplace, GridSizedScaleHasTheRightSpread) {
  // The sum mechanism's scales, about 2^40 in grid units, with a 2^72 numerator.
  const Uint128 num = Uint128{1} << 72;
  const Uint128 den = Uint128{3} << 30;  // t = 2^42 / 3
  auto laplace = DiscreteLaplace::Create(num, den);
  ASSERT_OK(laplace);
  SeededRandomSource rng(20);
  constexpr int kN = 50000;
  double sum = 0;
  double sum2 = 0;
  for (int i = 0; i < kN; ++i) {
    const auto y = static_cast<double>(laplace->sample(rng));
    sum += y;
    sum2 += y * y;
  }
  const double t = std::ldexp(1.0, 42) / 3;
  const double variance = 2 * t * t;  // 2e^(-1/t)/(1-e^(-1/t))^2 = 2t^2 (1 + O(1/t^2))
  EXPECT_NEAR(sum / kN, 0, 5 * std::sqrt(variance / kN));
  EXPECT_NEAR(sum2 / kN / variance, 1, 0.05);  // relative sd of the estimate: sqrt(5/N) = 0.01
}

TEST(DiscreteLaplace, ChiSquareCatchesAWrongScale) {
  // The goodness-of-fit test can fail: draws of scale 1 judged against scale 1.1.
  auto laplace = DiscreteLaplace::Create(1, 1);
  ASSERT_OK(laplace);
  SeededRandomSource rng(21);
  Moments m;
  const auto counts = histogram(*laplace, rng, kDraws, &m);
  const auto fit =
      chi_square_symmetric(counts, kDraws, [](std::int64_t y) { return laplace_pmf(1.1, y); });
  std::cout << "wrong-scale chi2=" << fit.statistic << " p=" << fit.p_value << "\n";
  EXPECT_LT(fit.p_value, kRejectBelow);
}

TEST(DiscreteLaplace, RefusesBadScales) {
  EXPECT_THAT(DiscreteLaplace::Create(0, 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("positive")));
  EXPECT_THAT(DiscreteLaplace::Create(1, 0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("positive")));
  EXPECT_THAT(DiscreteLaplace::Create((Uint128{1} << 53), 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("above 2^52")));
  EXPECT_OK(DiscreteLaplace::Create((Uint128{1} << 52), 1));
}

TEST(DiscreteGaussian, FitsItsDistribution) {
  const std::pair<std::uint64_t, std::uint64_t> variances[] = {
      {1, 1}, {25, 4}, {400, 1}, {24961, 1024}};
  std::uint64_t seed = 30;
  for (const auto& [num, den] : variances) {
    auto gaussian = DiscreteGaussian::Create(num, den);
    ASSERT_OK(gaussian);
    SeededRandomSource rng(seed++);
    Moments m;
    const auto counts = histogram(*gaussian, rng, kDraws, &m);
    const double sigma2 = static_cast<double>(num) / static_cast<double>(den);
    const auto pmf = gaussian_pmf(sigma2);
    double variance = 0;  // the discrete Gaussian's own variance (slightly below sigma^2)
    for (std::int64_t y = -2000; y <= 2000; ++y) variance += static_cast<double>(y * y) * pmf(y);
    const auto fit = chi_square_symmetric(counts, kDraws, pmf);
    std::cout << "discrete_gaussian sigma2=" << sigma2 << " chi2=" << fit.statistic
              << " df=" << fit.degrees_of_freedom << " p=" << fit.p_value << " mean=" << m.mean
              << " var=" << m.variance << " expected_var=" << variance << "\n";
    EXPECT_GT(fit.p_value, kRejectBelow) << "sigma^2 " << sigma2;
    EXPECT_NEAR(m.mean, 0, 5 * std::sqrt(variance / kDraws));
    EXPECT_NEAR(m.variance / variance, 1, 0.03);
  }
}

TEST(DiscreteGaussian, RefusesBadVariances) {
  EXPECT_THAT(DiscreteGaussian::Create(0, 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("positive")));
  EXPECT_THAT(DiscreteGaussian::Create((std::uint64_t{1} << 50) + 1, 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("2^50")));
  EXPECT_THAT(DiscreteGaussian::Create(1, (std::uint64_t{1} << 20) + 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("2^20")));
  EXPECT_OK(DiscreteGaussian::Create(6, 4));  // 3/2 after reduction
}

}  // namespace
}  // namespace consentric::disclose
