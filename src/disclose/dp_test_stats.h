#pragma once

// Test-only statistics for the differential-privacy tests: a chi-square goodness-of-fit test
// with its exact p-value, and a distinguishability check in the spirit of Google's stochastic
// tester (google/differential-privacy cc/testing): histograms of a mechanism's outputs on two
// neighbouring datasets, whose bucket probabilities may differ by at most e^epsilon (plus
// delta). Included by the *_test.cc files only.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>

namespace consentric::disclose::testing {

// The regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a): a power
// series for P = 1 - Q below x = a + 1, a continued fraction (evaluated by the modified Lentz
// method) for Q above it.
inline double upper_regularized_gamma(double a, double x) {
  if (x <= 0) return 1;
  const double log_prefactor = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1) {
    double term = 1 / a;
    double sum = term;
    for (int n = 1; n < 100000 && term > sum * 1e-17; ++n) {
      term *= x / (a + n);
      sum += term;
    }
    return std::max(0.0, 1 - sum * std::exp(log_prefactor));
  }
  constexpr double kTiny = 1e-300;
  double b = x + 1 - a;
  double c = 1 / kTiny;
  double d = 1 / b;
  double h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::abs(step - 1) < 1e-16) break;
  }
  return std::exp(log_prefactor) * h;
}

struct ChiSquare {
  double statistic = 0;
  int degrees_of_freedom = 0;
  double p_value = 0;
};

// Goodness of fit of integer draws to a pmf symmetric about 0: one bin per value in the central
// range where every bin expects at least 20 draws, and one bin for each tail beyond it.
inline ChiSquare chi_square_symmetric(const std::map<std::int64_t, std::int64_t>& counts,
                                      std::int64_t draws,
                                      const std::function<double(std::int64_t)>& pmf) {
  const auto n = static_cast<double>(draws);
  std::int64_t edge = 0;
  while (n * pmf(edge + 1) >= 20) ++edge;
  double central_mass = 0;
  double statistic = 0;
  std::int64_t central_draws = 0;
  for (std::int64_t y = -edge; y <= edge; ++y) {
    const double expected = n * pmf(y);
    const auto it = counts.find(y);
    const double observed = it == counts.end() ? 0 : static_cast<double>(it->second);
    statistic += (observed - expected) * (observed - expected) / expected;
    central_mass += pmf(y);
    central_draws += static_cast<std::int64_t>(observed);
  }
  int bins = static_cast<int>(2 * edge + 1);
  const double tail_expected = n * (1 - central_mass) / 2;
  if (tail_expected >= 5) {
    std::int64_t low = 0;
    for (const auto& [y, c] : counts) {
      if (y < -edge) low += c;
    }
    const auto high = static_cast<double>(draws - central_draws - low);
    statistic += (static_cast<double>(low) - tail_expected) *
                     (static_cast<double>(low) - tail_expected) / tail_expected +
                 (high - tail_expected) * (high - tail_expected) / tail_expected;
    bins += 2;
  }
  ChiSquare result;
  result.statistic = statistic;
  result.degrees_of_freedom = bins - 1;
  result.p_value = upper_regularized_gamma(result.degrees_of_freedom / 2.0, statistic / 2);
  return result;
}

struct Distinguishability {
  double max_ratio = 0;  // the largest p_a/p_b or p_b/p_a over the buckets checked
  int buckets_checked = 0;
  int violations = 0;  // buckets where p_x > e^epsilon (1 + tolerance) p_y + delta
};

// Histograms of `draws` outputs of each mechanism, bucketed by `bucket`; every bucket holding at
// least min_count draws of either is checked both ways.
template <typename DrawA, typename DrawB, typename Bucket>
Distinguishability distinguish(DrawA draw_a, DrawB draw_b, Bucket bucket, int draws, double epsilon,
                               double delta, double tolerance, std::int64_t min_count) {
  std::map<std::int64_t, std::int64_t> a;
  std::map<std::int64_t, std::int64_t> b;
  for (int i = 0; i < draws; ++i) {
    ++a[bucket(draw_a())];
    ++b[bucket(draw_b())];
  }
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> both;
  for (const auto& [key, count] : a) both[key].first = count;
  for (const auto& [key, count] : b) both[key].second = count;
  Distinguishability result;
  const double bound = std::exp(epsilon) * (1 + tolerance);
  for (const auto& [key, pair] : both) {
    const auto [ca, cb] = pair;
    if (std::max(ca, cb) < min_count) continue;
    ++result.buckets_checked;
    const double pa = static_cast<double>(ca) / draws;
    const double pb = static_cast<double>(cb) / draws;
    result.max_ratio =
        std::max({result.max_ratio, pa / std::max(pb, 1e-300), pb / std::max(pa, 1e-300)});
    if (pa > bound * pb + delta || pb > bound * pa + delta) ++result.violations;
  }
  return result;
}

}  // namespace consentric::disclose::testing
