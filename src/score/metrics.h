#pragma once

// How good a binary scorer is on held-out rows: ranking (AUC), probability quality (log loss,
// Brier score, a calibration table) and what a sales team sees (lift and precision in the top
// decile). Scores are any real numbers for the AUC and lift; probabilities in [0, 1] for log
// loss, Brier and calibration. Labels are 0 or 1. Every function is pure and thread-safe.

#include <cstddef>
#include <span>
#include <vector>

#include "consentric/status.h"

namespace consentric::score {

// The area under the ROC curve: the probability that a random positive scores above a random
// negative, ties counted as one half (the Mann-Whitney U statistic over n1 × n0). O(n log n).
// Fails when the sizes differ, a label is not 0 or 1, a score is NaN, or a class is absent.
Result<double> auc(std::span<const float> scores, std::span<const float> labels);

// Mean of −[y log p + (1 − y) log(1 − p)], p clipped to [eps, 1 − eps] with eps = 1e-15 (as
// scikit-learn's log_loss). Fails on mismatched sizes, empty input, or p outside [0, 1].
Result<double> log_loss(std::span<const float> probabilities, std::span<const float> labels);

// Mean of (p − y)².
Result<double> brier_score(std::span<const float> probabilities, std::span<const float> labels);

struct CalibrationBin {
  double lower = 0;  // the bin is [lower, upper); the last one includes 1
  double upper = 0;
  std::size_t count = 0;      // rows whose probability falls in the bin
  double mean_predicted = 0;  // their mean probability (0 when count == 0)
  double observed_rate = 0;   // the fraction of them that are positive (0 when count == 0)
};

// `bins` equal-width bins over [0, 1] (10 by default). Fails as log_loss does, or bins < 1.
Result<std::vector<CalibrationBin>> calibration_table(std::span<const float> probabilities,
                                                      std::span<const float> labels, int bins = 10);

struct TopDecile {
  std::size_t rows = 0;  // ceil(n / 10): the highest-scoring rows
  double precision = 0;  // the positive rate among them
  double base_rate = 0;  // the positive rate over all rows
  double lift = 0;       // precision / base_rate (0 when there are no positives)
};

// The top tenth of rows by score. Rows tied with the last one taken are credited at their
// average positive rate, so the figure does not depend on the order of equal scores.
Result<TopDecile> top_decile(std::span<const float> scores, std::span<const float> labels);

}  // namespace consentric::score
