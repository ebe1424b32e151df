#include "score/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace consentric::score {
namespace {

Status check(std::span<const float> scores, std::span<const float> labels, bool probabilities,
             std::string_view what) {
  if (scores.size() != labels.size()) {
    return invalid_argument(
        fmt::format("{}: {} scores for {} labels", what, scores.size(), labels.size()));
  }
  if (scores.empty()) return invalid_argument(fmt::format("{}: no rows", what));
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != 0.0f && labels[i] != 1.0f) {
      return invalid_argument(
          fmt::format("{}: row {}: label {} is neither 0 nor 1", what, i, labels[i]));
    }
    if (std::isnan(scores[i])) {
      return invalid_argument(fmt::format("{}: row {}: the score is NaN", what, i));
    }
    if (probabilities && (scores[i] < 0.0f || scores[i] > 1.0f)) {
      return invalid_argument(
          fmt::format("{}: row {}: probability {} is outside [0, 1]", what, i, scores[i]));
    }
  }
  return {};
}

// Row indexes by descending score (ties: by index).
std::vector<std::size_t> by_score_descending(std::span<const float> scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  });
  return order;
}

}  // namespace

Result<double> auc(std::span<const float> scores, std::span<const float> labels) {
  CONSENTRIC_RETURN_IF_ERROR(check(scores, labels, false, "auc"));
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  // Mann-Whitney: U = Σ over positives of (negatives scored below + ½ negatives tied), taken a
  // group of equal scores at a time.
  double u = 0;
  double negatives_below = 0;
  double positives = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    double pos = 0, neg = 0;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      (labels[order[j]] == 1.0f ? pos : neg) += 1;
      ++j;
    }
    u += pos * (negatives_below + 0.5 * neg);
    negatives_below += neg;
    positives += pos;
    i = j;
  }
  const double negatives = negatives_below;
  if (positives == 0 || negatives == 0) {
    return invalid_argument(fmt::format("auc: needs both classes (got {} positive, {} negative)",
                                        positives, negatives));
  }
  return u / (positives * negatives);
}

Result<double> log_loss(std::span<const float> probabilities, std::span<const float> labels) {
  CONSENTRIC_RETURN_IF_ERROR(check(probabilities, labels, true, "log_loss"));
  constexpr double kEps = 1e-15;
  double sum = 0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    const double p = std::clamp(static_cast<double>(probabilities[i]), kEps, 1 - kEps);
    sum -= labels[i] == 1.0f ? std::log(p) : std::log1p(-p);
  }
  return sum / static_cast<double>(probabilities.size());
}

Result<double> brier_score(std::span<const float> probabilities, std::span<const float> labels) {
  CONSENTRIC_RETURN_IF_ERROR(check(probabilities, labels, true, "brier_score"));
  double sum = 0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    const double d = static_cast<double>(probabilities[i]) - labels[i];
    sum += d * d;
  }
  return sum / static_cast<double>(probabilities.size());
}

Result<std::vector<CalibrationBin>> calibration_table(std::span<const float> probabilities,
                                                      std::span<const float> labels, int bins) {
  CONSENTRIC_RETURN_IF_ERROR(check(probabilities, labels, true, "calibration_table"));
  if (bins < 1) return invalid_argument(fmt::format("calibration_table: {} bins", bins));
  const auto nb = static_cast<std::size_t>(bins);
  std::vector<CalibrationBin> table(nb);
  std::vector<double> sum_p(nb, 0), sum_y(nb, 0);
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    const double p = probabilities[i];
    const auto b = std::min(nb - 1, static_cast<std::size_t>(p * static_cast<double>(nb)));
    ++table[b].count;
    sum_p[b] += p;
    sum_y[b] += labels[i];
  }
  for (std::size_t b = 0; b < nb; ++b) {
    table[b].lower = static_cast<double>(b) / static_cast<double>(nb);
    table[b].upper = static_cast<double>(b + 1) / static_cast<double>(nb);
    if (table[b].count > 0) {
      table[b].mean_predicted = sum_p[b] / static_cast<double>(table[b].count);
      table[b].observed_rate = sum_y[b] / static_cast<double>(table[b].count);
    }
  }
  return table;
}

Result<TopDecile> top_decile(std::span<const float> scores, std::span<const float> labels) {
  CONSENTRIC_RETURN_IF_ERROR(check(scores, labels, false, "top_decile"));
  const std::size_t n = scores.size();
  TopDecile out;
  out.rows = (n + 9) / 10;
  const std::vector<std::size_t> order = by_score_descending(scores);
  // Positives among the first out.rows, the group of scores tied with the last one taken
  // credited in proportion.
  const float cut = scores[order[out.rows - 1]];
  double above = 0, above_count = 0, tied = 0, tied_count = 0, all = 0;
  for (std::size_t i = 0; i < n; ++i) {
    all += labels[i];
    if (scores[i] > cut) {
      above += labels[i];
      above_count += 1;
    } else if (scores[i] == cut) {
      tied += labels[i];
      tied_count += 1;
    }
  }
  const double taken_tied = static_cast<double>(out.rows) - above_count;
  const double positives = above + (tied_count > 0 ? tied * taken_tied / tied_count : 0);
  out.precision = positives / static_cast<double>(out.rows);
  out.base_rate = all / static_cast<double>(n);
  out.lift = out.base_rate > 0 ? out.precision / out.base_rate : 0;
  return out;
}

}  // namespace consentric::score
