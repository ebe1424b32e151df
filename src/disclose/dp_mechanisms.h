#pragma once

// Differentially private counts, sums and means (DESIGN.md invariant 5: reports marked private
// draw from a budget). This is the protected computation only: the caller bounds each subject's
// contributions (one value per partition, at most max_partitions_contributed partitions) and an
// accountant charges privacy_cost(options) to the ledger before calling. Each release says what
// noise it carries and what it cost, so the accountant and the report can show it.
//
// All noise is integer (dp_samplers.h) and sums are taken in integers on a power-of-two grid:
// no release depends on the low bits of a floating-point computation (Mironov 2012) or on the
// order of a floating-point sum (Casacuberta et al. 2022). docs/algorithms/differential-privacy.md
// derives every parameter.

#include <cstdint>
#include <span>
#include <string_view>

#include "consentric/status.h"
#include "disclose/dp_random.h"
#include "disclose/dp_samplers.h"

namespace consentric::disclose {

// Defaults when a report does not say: Google's library uses ln 3 per query
// (cc/algorithms/util.cc DefaultEpsilon); 1e-6 is ARX's default delta.
inline constexpr double kDefaultEpsilon = 1.0986122886681098;  // ln 3
inline constexpr double kDefaultDelta = 1e-6;
// Accepted ranges: epsilon is used as a fraction with 32 fractional bits, rounded down.
inline constexpr double kMinEpsilon = 0x1p-20;
inline constexpr double kMaxEpsilon = 1024;
inline constexpr std::int64_t kMaxPartitionsContributedLimit = std::int64_t{1} << 20;

// What an accountant charges for one release.
struct PrivacyCost {
  double epsilon = 0;
  double delta = 0;  // 0 for pure epsilon-DP
};

enum class NoiseMechanism { kNone, kDiscreteLaplace, kDiscreteGaussian };
std::string_view noise_mechanism_name(NoiseMechanism mechanism);

struct NoiseDescription {
  NoiseMechanism mechanism = NoiseMechanism::kNone;
  double scale = 0;        // Laplace: b, in released units; Gaussian: sigma
  double granularity = 1;  // released values are multiples of this (a power of two)
  PrivacyCost cost;
};

struct CountOptions {
  double epsilon = kDefaultEpsilon;
  std::int64_t max_partitions_contributed = 1;  // L0; each subject adds at most 1 per partition
};

struct GaussianCountOptions {
  double epsilon = kDefaultEpsilon;
  double delta = kDefaultDelta;
  std::int64_t max_partitions_contributed = 1;
};

// Each subject contributes at most one value per partition (the caller aggregates first), in
// at most max_partitions_contributed partitions; values are clamped to [lower, upper].
struct BoundedOptions {
  double lower = 0;
  double upper = 0;
  double epsilon = kDefaultEpsilon;
  std::int64_t max_partitions_contributed = 1;
};

struct CountRelease {
  std::int64_t value = 0;  // may be negative or above the truth: that is the noise
  NoiseDescription noise;
};

struct SumRelease {
  double value = 0;  // an integer multiple of noise.granularity
  NoiseDescription noise;
};

struct MeanRelease {
  double value = 0;              // in [lower, upper]
  NoiseDescription sum_noise;    // on the sum of (value - midpoint), epsilon / 2
  NoiseDescription count_noise;  // on the count, epsilon / 2
  PrivacyCost cost;              // the two together
};

// The validated charge for a release with these options; InvalidArgument names the bad field.
Result<PrivacyCost> privacy_cost(const CountOptions& options);
Result<PrivacyCost> privacy_cost(const GaussianCountOptions& options);
Result<PrivacyCost> privacy_cost(const BoundedOptions& options);

// true_count + discrete Laplace with scale max_partitions_contributed / epsilon: epsilon-DP.
// REQUIRES: |true_count| < 2^62.
Result<CountRelease> noisy_count(std::int64_t true_count, const CountOptions& options,
                                 RandomSource& rng);

// true_count + discrete Gaussian (CKS 2020): (epsilon, delta)-DP with L2 sensitivity
// sqrt(max_partitions_contributed), sigma from the zCDP conversion (see the doc).
Result<CountRelease> noisy_count_gaussian(std::int64_t true_count,
                                          const GaussianCountOptions& options, RandomSource& rng);

// The sum of the clamped values plus discrete Laplace noise, on a power-of-two grid:
// epsilon-DP. NaN values are ignored (they carry no contribution).
Result<SumRelease> bounded_sum(std::span<const double> values, const BoundedOptions& options,
                               RandomSource& rng);

// A noisy sum of (clamped value - midpoint) over a noisy count, plus the midpoint, clamped to
// [lower, upper]; epsilon is split evenly between the two. NaN values are ignored.
Result<MeanRelease> bounded_mean(std::span<const double> values, const BoundedOptions& options,
                                 RandomSource& rng);

// The power-of-two exponent k of the grid for a Laplace scale b: the smallest k with
// 2^k >= b / 2^40 (Google's secure noise: at least 2^39 grid steps per unit of scale).
// REQUIRES: b > 0 and finite.
int granularity_exponent(double scale);

// Shared with partition_selection.h. InvalidArgument naming the value when out of range.
Status check_epsilon(double epsilon);                      // finite, in [2^-20, 1024]
Status check_delta(double delta);                          // in (0, 1)
Status check_max_partitions(std::int64_t max_partitions);  // in [1, 2^20]
// The epsilon the samplers use: floor(epsilon * 2^32) / 2^32 <= epsilon.
double epsilon_as_used(double epsilon);
// Discrete Laplace with scale sensitivity / epsilon_as_used(epsilon). REQUIRES: check_epsilon.
Result<DiscreteLaplace> discrete_laplace_for(std::uint64_t sensitivity, double epsilon);

}  // namespace consentric::disclose
