// The choice of k: silhouette on a sample and the elbow of the inertia curve (kneedle).

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "segment/kmeans.h"
#include "segment/kmeans_kernels.h"

namespace consentric::segment {
namespace {

constexpr int kSilhouetteThreads = 2;

std::vector<std::size_t> sample_of(std::size_t rows, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return detail::sample_rows(rows, n, rng);
}

// Kneedle: the k whose normalised inertia lies farthest below the chord from the first to the
// last point. Ties: the smaller k.
int kneedle(const std::vector<int>& ks, const std::vector<double>& inertia) {
  if (ks.size() < 3) return ks.front();
  const double k0 = ks.front();
  const double k1 = ks.back();
  const auto [lo, hi] = std::minmax_element(inertia.begin(), inertia.end());
  const double range = *hi - *lo;
  if (!(range > 0)) return ks.front();
  const double y0 = (inertia.front() - *lo) / range;
  const double y1 = (inertia.back() - *lo) / range;
  int best = ks.front();
  double best_gap = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < ks.size(); ++i) {
    const double xn = (ks[i] - k0) / (k1 - k0);
    const double yn = (inertia[i] - *lo) / range;
    const double gap = (y0 + (y1 - y0) * xn) - yn;
    if (gap > best_gap) {
      best_gap = gap;
      best = ks[i];
    }
  }
  return best;
}

}  // namespace

double silhouette(MatrixRef x, std::span<const std::int32_t> labels, int k, std::size_t sample,
                  std::uint64_t seed) {
  if (k < 2 || x.rows < 2 || labels.size() < x.rows) return 0.0;
  const std::vector<std::size_t> rows = sample_of(x.rows, sample, seed);
  const std::size_t n = rows.size();
  const std::size_t kz = static_cast<std::size_t>(k);
  std::vector<std::int32_t> label(n);
  std::vector<double> members(kz, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    label[i] = labels[rows[i]];
    if (label[i] >= 0 && label[i] < k) members[static_cast<std::size_t>(label[i])] += 1;
  }
  std::vector<double> score(n, 0.0);
  detail::WorkerPool pool(kSilhouetteThreads);
  pool.run([&](int t) {
    const auto [b, e] = detail::WorkerPool::range(n, t, pool.size());
    std::vector<double> sum(kz);
    for (std::size_t i = b; i < e; ++i) {
      const std::int32_t own = label[i];
      if (own < 0 || own >= k) continue;
      const std::size_t oz = static_cast<std::size_t>(own);
      if (members[oz] < 2) continue;  // a singleton scores 0
      std::fill(sum.begin(), sum.end(), 0.0);
      const float* xi = x.row(rows[i]);
      for (std::size_t j = 0; j < n; ++j) {
        const std::int32_t l = label[j];
        if (j == i || l < 0 || l >= k) continue;
        sum[static_cast<std::size_t>(l)] +=
            std::sqrt(static_cast<double>(detail::squared_distance(xi, x.row(rows[j]), x.cols)));
      }
      const double a = sum[oz] / (members[oz] - 1);
      double bmin = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < kz; ++c) {
        if (c != oz && members[c] > 0) bmin = std::min(bmin, sum[c] / members[c]);
      }
      if (!std::isfinite(bmin)) continue;
      const double m = std::max(a, bmin);
      score[i] = m > 0 ? (bmin - a) / m : 0.0;
    }
  });
  double total = 0;
  for (double s : score) total += s;
  return n > 0 ? total / static_cast<double>(n) : 0.0;
}

Result<KChoice> choose_k(MatrixRef x, int k_min, int k_max, const KMeansOptions& base,
                         std::size_t silhouette_sample) {
  if (k_min < 1) return invalid_argument(fmt::format("k_min must be at least 1, got {}", k_min));
  if (k_max < k_min) {
    return invalid_argument(
        fmt::format("k_max ({}) must not be smaller than k_min ({})", k_max, k_min));
  }
  KChoice choice;
  double best_silhouette = -std::numeric_limits<double>::infinity();
  for (int k = k_min; k <= k_max; ++k) {
    KMeansOptions options = base;
    options.k = k;
    options.on_iteration = nullptr;
    CONSENTRIC_ASSIGN_OR_RETURN(KMeansResult model, kmeans(x, options));
    const double s = k >= 2 ? silhouette(x, model.labels, k, silhouette_sample, base.seed) : 0.0;
    choice.ks.push_back(k);
    choice.inertia.push_back(model.inertia);
    choice.silhouette.push_back(s);
    // k = 1 has no silhouette; it wins only when it is the only k tried.
    if ((k >= 2 || k_max == 1) && s > best_silhouette) {
      best_silhouette = s;
      choice.best_by_silhouette = k;
    }
  }
  choice.elbow = kneedle(choice.ks, choice.inertia);
  return choice;
}

}  // namespace consentric::segment
