#pragma once

// Which groups (partitions: segment x country, ...) may appear in a private report at all.
// Releasing a group reveals that someone is in it, so a group whose only member is one subject
// must almost never appear: Laplace thresholding (Google's partition-selection.h, documented in
// common_docs/partition_selection.md) keeps a group iff its count plus discrete Laplace noise
// reaches a threshold derived from delta, and releases that noisy count. On top of it the small-
// group rule (DESIGN.md invariant 5) keeps only groups whose noisy count is at least k; being a
// function of the noisy count, it costs nothing more.
//
// Guarantee: (epsilon, delta)-DP for the set of released groups and their counts, when each
// subject is counted in at most max_partitions_contributed groups (the caller bounds this).
// docs/algorithms/differential-privacy.md derives the threshold.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "consentric/status.h"
#include "disclose/dp_mechanisms.h"
#include "disclose/dp_random.h"
#include "disclose/dp_samplers.h"

namespace consentric::disclose {

inline constexpr std::int64_t kDefaultMinGroupSize = 10;  // DESIGN.md invariant 5's default k

struct PartitionSelectionOptions {
  double epsilon = kDefaultEpsilon;
  double delta = kDefaultDelta;                  // for the whole release, per subject
  std::int64_t max_partitions_contributed = 1;   // L0 bound per subject
  std::int64_t min_size = kDefaultMinGroupSize;  // k, applied to the noisy count
};

class LaplacePartitionSelector {
 public:
  // InvalidArgument for epsilon, delta or max_partitions_contributed out of range, or a negative
  // min_size.
  static Result<LaplacePartitionSelector> Create(const PartitionSelectionOptions& options);

  // The noisy count when the group is released (it is then >= threshold() and >= min_size), or
  // nullopt. subjects: the distinct subjects in the group. REQUIRES: 0 <= subjects < 2^62.
  // Thread-safe (const); the source is the caller's.
  std::optional<std::int64_t> select(std::int64_t subjects, RandomSource& rng) const;

  // The smallest noisy count that passes the delta test (before min_size).
  std::int64_t threshold() const { return threshold_; }
  // 1 - (1 - delta)^(1 / max_partitions_contributed): the chance a lone subject's group may show.
  double per_partition_delta() const { return per_partition_delta_; }
  // The exact probability that a group of one subject passes threshold() (<= the above).
  double lone_subject_release_probability() const { return lone_release_probability_; }
  const NoiseDescription& noise() const { return noise_; }
  std::int64_t min_size() const { return min_size_; }

 private:
  LaplacePartitionSelector(DiscreteLaplace laplace, std::int64_t threshold, double delta_p,
                           double lone, NoiseDescription noise, std::int64_t min_size)
      : laplace_(laplace),
        threshold_(threshold),
        per_partition_delta_(delta_p),
        lone_release_probability_(lone),
        noise_(noise),
        min_size_(min_size) {}

  DiscreteLaplace laplace_;
  std::int64_t threshold_;
  double per_partition_delta_;
  double lone_release_probability_;
  NoiseDescription noise_;
  std::int64_t min_size_;
};

struct PartitionCount {
  std::int32_t label = 0;
  std::int64_t subjects = 0;
};

struct SelectedPartition {
  std::int32_t label = 0;
  std::int64_t noisy_count = 0;
};

struct PartitionSelection {
  std::vector<SelectedPartition> kept;  // in input order
  NoiseDescription noise;               // its cost is the whole release's
  std::int64_t threshold = 0;
  std::int64_t min_size = 0;
};

// Runs the selector over every group. The number of groups suppressed is not reported: it
// would be a count outside the budget. REQUIRES: 0 <= subjects < 2^62 for every group.
Result<PartitionSelection> select_partitions(std::span<const PartitionCount> groups,
                                             const PartitionSelectionOptions& options,
                                             RandomSource& rng);

}  // namespace consentric::disclose
