#include "disclose/partition_selection.h"

#include <cmath>

#include <fmt/format.h>

namespace consentric::disclose {

Result<LaplacePartitionSelector> LaplacePartitionSelector::Create(
    const PartitionSelectionOptions& options) {
  CONSENTRIC_RETURN_IF_ERROR(check_epsilon(options.epsilon));
  CONSENTRIC_RETURN_IF_ERROR(check_delta(options.delta));
  CONSENTRIC_RETURN_IF_ERROR(check_max_partitions(options.max_partitions_contributed));
  if (options.min_size < 0) {
    return invalid_argument(fmt::format("min_size must be >= 0, got {}", options.min_size));
  }
  const auto partitions = options.max_partitions_contributed;
  // Each group's count moves by at most 1 per subject, in at most L0 groups: noise of scale
  // L0 / epsilon on every count makes the counts epsilon-DP together.
  CONSENTRIC_ASSIGN_OR_RETURN(
      const DiscreteLaplace laplace,
      discrete_laplace_for(static_cast<std::uint64_t>(partitions), options.epsilon));
  // A group present in only one of two neighbouring datasets holds exactly the one subject in
  // which they differ; it is released with probability P(1 + Z >= tau). For Z discrete Laplace
  // with s = 1/scale, P(Z >= m) = e^(-s m) / (1 + e^(-s)) for m >= 1, so P <= delta_p iff
  //   tau >= 1 + ln(1 / (delta_p (1 + e^(-s)))) / s.
  // With delta_p = 1 - (1 - delta)^(1/L0), a subject alone in all L0 of its groups shows in
  // none of them with probability >= (1 - delta_p)^L0 = 1 - delta.
  const double per_partition_delta =
      -std::expm1(std::log1p(-options.delta) / static_cast<double>(partitions));
  const double s = epsilon_as_used(options.epsilon) / static_cast<double>(partitions);
  const double excess = std::log(1 / (per_partition_delta * (1 + std::exp(-s)))) / s;
  // Rounding of the lines above is covered by a relative margin; it can only raise tau.
  const double margin = 1e-9 * (1 + std::abs(excess));
  const auto threshold = static_cast<std::int64_t>(std::max(2.0, 1 + std::ceil(excess + margin)));
  const double lone = std::exp(-s * static_cast<double>(threshold - 1)) / (1 + std::exp(-s));
  const NoiseDescription noise{NoiseMechanism::kDiscreteLaplace,
                               static_cast<double>(partitions) / options.epsilon,
                               1,
                               {options.epsilon, options.delta}};
  return LaplacePartitionSelector(laplace, threshold, per_partition_delta, lone, noise,
                                  options.min_size);
}

std::optional<std::int64_t> LaplacePartitionSelector::select(std::int64_t subjects,
                                                             RandomSource& rng) const {
  const std::int64_t noisy = subjects + laplace_.sample(rng);
  if (noisy < threshold_) return std::nullopt;  // the delta test
  if (noisy < min_size_) return std::nullopt;   // the small-group rule, on the noisy count
  return noisy;
}

Result<PartitionSelection> select_partitions(std::span<const PartitionCount> groups,
                                             const PartitionSelectionOptions& options,
                                             RandomSource& rng) {
  CONSENTRIC_ASSIGN_OR_RETURN(const LaplacePartitionSelector selector,
                              LaplacePartitionSelector::Create(options));
  PartitionSelection selection;
  selection.noise = selector.noise();
  selection.threshold = selector.threshold();
  selection.min_size = selector.min_size();
  for (const PartitionCount& group : groups) {
    if (group.subjects < 0 || group.subjects >= (std::int64_t{1} << 62)) {
      return invalid_argument(
          fmt::format("group {}: subject count {} is out of range", group.label, group.subjects));
    }
    if (const auto noisy = selector.select(group.subjects, rng)) {
      selection.kept.push_back({group.label, *noisy});
    }
  }
  return selection;
}

}  // namespace consentric::disclose
