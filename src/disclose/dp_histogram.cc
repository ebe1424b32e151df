#include "disclose/dp_histogram.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace consentric::disclose {
namespace {

Status check_bounds(double lower, double upper) {
  if (!std::isfinite(lower) || !std::isfinite(upper) || !(lower < upper)) {
    return invalid_argument(fmt::format(
        "histogram bounds must be finite with lower below upper, got [{}, {}]", lower, upper));
  }
  return Status();
}

}  // namespace

Result<HistogramRelease> noisy_histogram(std::span<const double> values,
                                         const HistogramOptions& options, RandomSource& rng) {
  CONSENTRIC_RETURN_IF_ERROR(check_bounds(options.lower, options.upper));
  if (options.bins < 1 || options.bins > kMaxHistogramBins) {
    return invalid_argument(
        fmt::format("bins must be in [1, {}], got {}", kMaxHistogramBins, options.bins));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(const PrivacyCost cost,
                              privacy_cost(CountOptions{.epsilon = options.epsilon}));
  CONSENTRIC_ASSIGN_OR_RETURN(const DiscreteLaplace laplace,
                              discrete_laplace_for(1, options.epsilon));
  const auto bins = static_cast<std::size_t>(options.bins);
  const double width = (options.upper - options.lower) / options.bins;
  HistogramRelease out;
  out.counts.assign(bins, 0);
  for (double v : values) {
    if (std::isnan(v)) continue;
    const double at = std::floor((v - options.lower) / width);
    const double clamped = std::clamp(at, 0.0, static_cast<double>(bins - 1));
    ++out.counts[static_cast<std::size_t>(clamped)];
  }
  for (std::int64_t& c : out.counts) c += laplace.sample(rng);
  for (std::size_t i = 0; i <= bins; ++i) {
    out.edges.push_back(i == bins ? options.upper : options.lower + width * static_cast<double>(i));
  }
  out.noise = {NoiseMechanism::kDiscreteLaplace, 1 / options.epsilon, 1, cost};
  return out;
}

Result<std::vector<std::int64_t>> noisy_category_counts(std::span<const std::int32_t> codes,
                                                        std::int32_t categories, double epsilon,
                                                        RandomSource& rng,
                                                        NoiseDescription* noise) {
  if (categories < 1 || categories > kMaxHistogramBins) {
    return invalid_argument(
        fmt::format("categories must be in [1, {}], got {}", kMaxHistogramBins, categories));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(const PrivacyCost cost,
                              privacy_cost(CountOptions{.epsilon = epsilon}));
  CONSENTRIC_ASSIGN_OR_RETURN(const DiscreteLaplace laplace, discrete_laplace_for(1, epsilon));
  std::vector<std::int64_t> counts(static_cast<std::size_t>(categories), 0);
  for (std::int32_t c : codes) {
    if (c >= 0 && c < categories) ++counts[static_cast<std::size_t>(c)];
  }
  for (std::int64_t& c : counts) c += laplace.sample(rng);
  if (noise != nullptr) *noise = {NoiseMechanism::kDiscreteLaplace, 1 / epsilon, 1, cost};
  return counts;
}

std::vector<double> quantiles_from_histogram(const HistogramRelease& histogram,
                                             std::span<const double> quantiles) {
  double total = 0;
  for (std::int64_t c : histogram.counts)
    total += static_cast<double>(std::max<std::int64_t>(c, 0));
  std::vector<double> out;
  for (double q : quantiles) {
    if (total <= 0 || std::isnan(q)) {
      out.push_back(std::nan(""));
      continue;
    }
    const double target = std::clamp(q, 0.0, 1.0) * total;
    double before = 0;
    double value = histogram.edges.back();
    for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
      const auto c = static_cast<double>(std::max<std::int64_t>(histogram.counts[i], 0));
      if (c > 0 && before + c >= target) {
        const double within = (target - before) / c;
        value = histogram.edges[i] + within * (histogram.edges[i + 1] - histogram.edges[i]);
        break;
      }
      before += c;
    }
    out.push_back(value);
  }
  return out;
}

std::int64_t laplace_half_width(double scale, double confidence) {
  if (!(scale > 0) || !(confidence > 0 && confidence < 1)) return 0;
  const double s = 1 / scale;
  // P(|Z| > m) = P(|Z| >= m + 1) = 2 e^(-s (m + 1)) / (1 + e^(-s)) <= 1 - confidence
  //   <=>  m + 1 >= ln(2 / ((1 - confidence)(1 + e^-s))) / s.
  const double x = std::log(2 / ((1 - confidence) * (1 + std::exp(-s)))) / s;
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(x)) - 1);
}

}  // namespace consentric::disclose
