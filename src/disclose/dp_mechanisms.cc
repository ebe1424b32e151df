#include "disclose/dp_mechanisms.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "disclose/dp_samplers.h"

namespace consentric::disclose {
namespace {

// Epsilon enters the samplers as floor(epsilon * 2^32) / 2^32: rounding down only adds noise.
constexpr int kEpsilonFractionBits = 32;
// Bounds whose magnitude is outside this range would put the grid outside double's range.
constexpr double kMinBoundMagnitude = 1e-200;
constexpr double kMaxBoundMagnitude = 1e200;

Status check_bounds(double lower, double upper) {
  if (!std::isfinite(lower) || !std::isfinite(upper)) {
    return invalid_argument(
        fmt::format("bounds must be finite, got lower {} and upper {}", lower, upper));
  }
  if (lower > upper) {
    return invalid_argument(fmt::format("lower bound {} is above upper bound {}", lower, upper));
  }
  const double magnitude = std::max(std::abs(lower), std::abs(upper));
  if (magnitude > kMaxBoundMagnitude || (magnitude != 0 && magnitude < kMinBoundMagnitude)) {
    return invalid_argument(fmt::format(
        "bounds [{}, {}]: their magnitude must be 0 or in [1e-200, 1e200]", lower, upper));
  }
  return Status();
}

// |count| < 2^62, leaving room for the noise (written without std::abs, whose INT64_MIN is UB).
bool count_in_range(std::int64_t count) {
  constexpr std::int64_t kLimit = std::int64_t{1} << 62;
  return count > -kLimit && count < kLimit;
}

// What a sum of values in [lower, upper] becomes on the grid of 2^k.
std::int64_t to_grid(double value, int k) { return std::llround(std::ldexp(value, -k)); }

}  // namespace

Status check_epsilon(double epsilon) {
  if (!std::isfinite(epsilon) || epsilon < kMinEpsilon || epsilon > kMaxEpsilon) {
    return invalid_argument(
        fmt::format("epsilon must be finite and in [2^-20, 1024], got {}", epsilon));
  }
  return Status();
}

Status check_delta(double delta) {
  if (!(delta > 0 && delta < 1)) {  // also refuses NaN
    return invalid_argument(fmt::format("delta must be in (0, 1), got {}", delta));
  }
  return Status();
}

Status check_max_partitions(std::int64_t max_partitions) {
  if (max_partitions < 1 || max_partitions > kMaxPartitionsContributedLimit) {
    return invalid_argument(
        fmt::format("max_partitions_contributed must be in [1, 2^20], got {}", max_partitions));
  }
  return Status();
}

static Uint128 epsilon_numerator(double epsilon) {
  return static_cast<Uint128>(std::floor(std::ldexp(epsilon, kEpsilonFractionBits)));
}

Result<DiscreteLaplace> discrete_laplace_for(std::uint64_t sensitivity, double epsilon) {
  return DiscreteLaplace::Create(static_cast<Uint128>(sensitivity) << kEpsilonFractionBits,
                                 epsilon_numerator(epsilon));
}

double epsilon_as_used(double epsilon) {
  return std::ldexp(static_cast<double>(epsilon_numerator(epsilon)), -kEpsilonFractionBits);
}

std::string_view noise_mechanism_name(NoiseMechanism mechanism) {
  switch (mechanism) {
    case NoiseMechanism::kNone:
      return "none";
    case NoiseMechanism::kDiscreteLaplace:
      return "discrete_laplace";
    case NoiseMechanism::kDiscreteGaussian:
      return "discrete_gaussian";
  }
  return "unknown";
}

int granularity_exponent(double scale) {
  int exponent = 0;
  const double mantissa = std::frexp(scale, &exponent);  // scale = mantissa * 2^exponent
  // The smallest k with 2^k >= scale / 2^40: scale <= 2^exponent, with equality only when
  // scale is itself a power of two (mantissa 0.5).
  return (mantissa == 0.5 ? exponent - 1 : exponent) - 40;
}

Result<PrivacyCost> privacy_cost(const CountOptions& options) {
  CONSENTRIC_RETURN_IF_ERROR(check_epsilon(options.epsilon));
  CONSENTRIC_RETURN_IF_ERROR(check_max_partitions(options.max_partitions_contributed));
  return PrivacyCost{options.epsilon, 0};
}

Result<PrivacyCost> privacy_cost(const GaussianCountOptions& options) {
  CONSENTRIC_RETURN_IF_ERROR(check_epsilon(options.epsilon));
  CONSENTRIC_RETURN_IF_ERROR(check_delta(options.delta));
  CONSENTRIC_RETURN_IF_ERROR(check_max_partitions(options.max_partitions_contributed));
  return PrivacyCost{options.epsilon, options.delta};
}

Result<PrivacyCost> privacy_cost(const BoundedOptions& options) {
  CONSENTRIC_RETURN_IF_ERROR(check_epsilon(options.epsilon));
  CONSENTRIC_RETURN_IF_ERROR(check_max_partitions(options.max_partitions_contributed));
  CONSENTRIC_RETURN_IF_ERROR(check_bounds(options.lower, options.upper));
  return PrivacyCost{options.epsilon, 0};
}

Result<CountRelease> noisy_count(std::int64_t true_count, const CountOptions& options,
                                 RandomSource& rng) {
  CONSENTRIC_ASSIGN_OR_RETURN(const PrivacyCost cost, privacy_cost(options));
  if (!count_in_range(true_count)) {
    return invalid_argument(fmt::format("count {} is out of range", true_count));
  }
  const auto sensitivity = static_cast<std::uint64_t>(options.max_partitions_contributed);
  CONSENTRIC_ASSIGN_OR_RETURN(const DiscreteLaplace laplace,
                              discrete_laplace_for(sensitivity, options.epsilon));
  CountRelease release;
  release.value = true_count + laplace.sample(rng);
  release.noise = {NoiseMechanism::kDiscreteLaplace,
                   static_cast<double>(sensitivity) / options.epsilon, 1, cost};
  return release;
}

Result<CountRelease> noisy_count_gaussian(std::int64_t true_count,
                                          const GaussianCountOptions& options, RandomSource& rng) {
  CONSENTRIC_ASSIGN_OR_RETURN(const PrivacyCost cost, privacy_cost(options));
  if (!count_in_range(true_count)) {
    return invalid_argument(fmt::format("count {} is out of range", true_count));
  }
  // The discrete Gaussian with sigma^2 is (Delta^2 / (2 sigma^2))-zCDP (CKS 2020, Theorem 4),
  // and rho-zCDP implies (rho + 2 sqrt(rho ln(1/delta)), delta)-DP (Bun and Steinke 2016,
  // Proposition 1.3). Solving for rho: sqrt(rho) = epsilon / (sqrt(L + epsilon) + sqrt(L)),
  // L = ln(1/delta). Delta^2 = max_partitions_contributed (L2 sensitivity of counts).
  const double log_inv_delta = -std::log(options.delta);
  const double sqrt_rho =
      options.epsilon / (std::sqrt(log_inv_delta + options.epsilon) + std::sqrt(log_inv_delta));
  const double sigma2 =
      static_cast<double>(options.max_partitions_contributed) / (2 * sqrt_rho * sqrt_rho);
  if (!(sigma2 <= 0x1p40)) {
    return invalid_argument(fmt::format("epsilon {} and delta {} need sigma^2 = {:.6g}, above 2^40",
                                        options.epsilon, options.delta, sigma2));
  }
  // sigma^2 rounded up to a multiple of 2^-10 (a margin covers the rounding of the lines above):
  // more noise, never less.
  constexpr std::uint64_t kSigmaDen = 1024;
  const auto sigma2_num = static_cast<std::uint64_t>(std::ceil(sigma2 * kSigmaDen * (1 + 1e-12)));
  CONSENTRIC_ASSIGN_OR_RETURN(const DiscreteGaussian gaussian,
                              DiscreteGaussian::Create(sigma2_num, kSigmaDen));
  CountRelease release;
  release.value = true_count + gaussian.sample(rng);
  release.noise = {NoiseMechanism::kDiscreteGaussian,
                   std::sqrt(static_cast<double>(sigma2_num) / kSigmaDen), 1, cost};
  return release;
}

Result<SumRelease> bounded_sum(std::span<const double> values, const BoundedOptions& options,
                               RandomSource& rng) {
  CONSENTRIC_ASSIGN_OR_RETURN(const PrivacyCost cost, privacy_cost(options));
  const double magnitude = std::max(std::abs(options.lower), std::abs(options.upper));
  if (magnitude == 0) {
    return invalid_argument("bounds [0, 0] make every sum 0: there is nothing to release");
  }
  const auto partitions = options.max_partitions_contributed;
  // The grid: 2^k with k from the nominal scale b = Delta / epsilon. Values and bounds are
  // rounded to it (rounding is monotone, so a clamped value stays within the rounded bounds)
  // and the sensitivity is taken in grid units, where the mechanism is exactly epsilon-DP.
  const int k = granularity_exponent(static_cast<double>(partitions) * magnitude / options.epsilon);
  const std::int64_t lower = to_grid(options.lower, k);
  const std::int64_t upper = to_grid(options.upper, k);
  const auto sensitivity = static_cast<std::uint64_t>(partitions) *
                           static_cast<std::uint64_t>(std::max(std::abs(lower), std::abs(upper)));
  if (sensitivity == 0) {
    return invalid_argument(
        fmt::format("bounds [{}, {}] vanish on the grid of 2^{}", options.lower, options.upper, k));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(const DiscreteLaplace laplace,
                              discrete_laplace_for(sensitivity, options.epsilon));
  __extension__ __int128 sum = 0;  // integers: the order of the values cannot matter
  for (const double value : values) {
    if (std::isnan(value)) continue;
    sum += to_grid(std::clamp(value, options.lower, options.upper), k);
  }
  sum += laplace.sample(rng);
  const double granularity = std::ldexp(1.0, k);
  SumRelease release;
  release.value = std::ldexp(static_cast<double>(sum), k);
  release.noise = {NoiseMechanism::kDiscreteLaplace,
                   static_cast<double>(sensitivity) * granularity / options.epsilon, granularity,
                   cost};
  return release;
}

Result<MeanRelease> bounded_mean(std::span<const double> values, const BoundedOptions& options,
                                 RandomSource& rng) {
  CONSENTRIC_ASSIGN_OR_RETURN(const PrivacyCost cost, privacy_cost(options));
  MeanRelease release;
  release.cost = cost;
  if (options.lower == options.upper) {  // the clamped mean is the bound, whatever the data
    release.value = options.lower;
    return release;
  }
  const auto partitions = options.max_partitions_contributed;
  // The split: half of epsilon for the count, half for the sum (sequential composition).
  const double half_epsilon = options.epsilon / 2;
  if (half_epsilon < kMinEpsilon) {
    return invalid_argument(
        fmt::format("epsilon {} is too small to split between a sum and a count", options.epsilon));
  }
  // The sum of (value - midpoint), doubled to stay in integers: y = 2 * value - (lower + upper)
  // in grid units, |y| <= upper - lower. In value units its sensitivity is (upper - lower) / 2,
  // never more than a plain sum's max(|lower|, |upper|).
  const int k = granularity_exponent(static_cast<double>(partitions) *
                                     ((options.upper - options.lower) / 2) / half_epsilon);
  const std::int64_t lower = to_grid(options.lower, k);
  const std::int64_t upper = to_grid(options.upper, k);
  const auto sensitivity =
      static_cast<std::uint64_t>(partitions) * static_cast<std::uint64_t>(upper - lower);
  if (sensitivity == 0) {
    return invalid_argument(
        fmt::format("bounds [{}, {}] meet on the grid of 2^{}", options.lower, options.upper, k));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(const DiscreteLaplace sum_laplace,
                              discrete_laplace_for(sensitivity, half_epsilon));
  CONSENTRIC_ASSIGN_OR_RETURN(
      const DiscreteLaplace count_laplace,
      discrete_laplace_for(static_cast<std::uint64_t>(partitions), half_epsilon));
  __extension__ __int128 sum = 0;
  std::int64_t count = 0;
  for (const double value : values) {
    if (std::isnan(value)) continue;
    sum += 2 * to_grid(std::clamp(value, options.lower, options.upper), k) - (lower + upper);
    ++count;
  }
  sum += sum_laplace.sample(rng);
  const std::int64_t noisy_count = count + count_laplace.sample(rng);
  // Post-processing of the two releases: no further privacy cost.
  const double mean_units =
      static_cast<double>(lower + upper) / 2 +
      static_cast<double>(sum) / (2 * static_cast<double>(std::max<std::int64_t>(1, noisy_count)));
  release.value = std::clamp(std::ldexp(mean_units, k), options.lower, options.upper);
  const double granularity = std::ldexp(1.0, k);
  release.sum_noise = {NoiseMechanism::kDiscreteLaplace,
                       static_cast<double>(sensitivity) * granularity / (2 * half_epsilon),
                       granularity / 2,
                       {half_epsilon, 0}};
  release.count_noise = {NoiseMechanism::kDiscreteLaplace,
                         static_cast<double>(partitions) / half_epsilon,
                         1,
                         {half_epsilon, 0}};
  return release;
}

}  // namespace consentric::disclose
