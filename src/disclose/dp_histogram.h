#pragma once

// Differentially private histograms over public bins, and quantiles read off them. Each subject
// contributes one value (the caller aggregates first), so one subject changes one bin by one:
// every bin gets discrete Laplace noise with scale 1/epsilon and the whole histogram is
// epsilon-DP (the bins are disjoint). The bins must not depend on the data: their edges come
// from the caller's public bounds, never from the values. Quantiles are post-processing of the
// noisy histogram, so every quantile read off one histogram costs that histogram's epsilon once.

#include <cstdint>
#include <span>
#include <vector>

#include "consentric/status.h"
#include "disclose/dp_mechanisms.h"
#include "disclose/dp_random.h"

namespace consentric::disclose {

inline constexpr int kMaxHistogramBins = 10000;

struct HistogramOptions {
  double lower = 0;
  double upper = 0;  // > lower
  int bins = 10;     // equal width, in [1, kMaxHistogramBins]
  double epsilon = kDefaultEpsilon;
};

struct HistogramRelease {
  std::vector<double> edges;         // bins + 1, from lower to upper
  std::vector<std::int64_t> counts;  // noisy, may be negative
  NoiseDescription noise;            // per bin; its cost is the whole histogram's
};

// Values outside [lower, upper] fall in the first or last bin; NaN values count nowhere.
Result<HistogramRelease> noisy_histogram(std::span<const double> values,
                                         const HistogramOptions& options, RandomSource& rng);

// Noisy counts of category codes 0..categories-1 over a public domain (the declared values);
// codes outside it (missing: -1) count nowhere.
Result<std::vector<std::int64_t>> noisy_category_counts(std::span<const std::int32_t> codes,
                                                        std::int32_t categories, double epsilon,
                                                        RandomSource& rng, NoiseDescription* noise);

// Quantiles (each in [0, 1]) of the distribution the noisy histogram describes: negative counts
// count as 0, values spread evenly within a bin. NaN for every quantile when no count is
// positive. Pure post-processing: no privacy cost.
std::vector<double> quantiles_from_histogram(const HistogramRelease& histogram,
                                             std::span<const double> quantiles);

// The half-width m with P(|Z| <= m) >= confidence for discrete Laplace noise of this scale:
// P(|Z| >= m) = 2 e^(-m/scale) / (1 + e^(-1/scale)) for m >= 1.
std::int64_t laplace_half_width(double scale, double confidence);

}  // namespace consentric::disclose
