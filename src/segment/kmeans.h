#pragma once

// k-means over a dense row-major float32 matrix: scaling, k-means++ seeding, Lloyd iterations
// with or without Hamerly's triangle-inequality bounds, mini-batch k-means for very large N,
// and the choice of k by silhouette and elbow (docs/segments.md).
//
//   Scaler scaler = fit_scaler(x, Scaling::kZScore);
//   scaler.apply(data.data(), rows, cols);                 // in place
//   CONSENTRIC_ASSIGN_OR_RETURN(KMeansResult model, kmeans(x, {.k = 6, .seed = 7}));
//
// The distance kernels use AVX2/FMA when the processor has them (chosen at run time) and a
// portable loop otherwise; every pass over the rows is split across `threads` threads. For a
// given seed, input and thread count the result is the same on every run. Memory: besides the
// caller's matrix, O(rows) for labels and bounds and O(k × cols) for centroids; the matrix is
// never copied.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "consentric/status.h"

namespace consentric::segment {

// A row-major float32 matrix the caller owns: rows × cols values, row r at data + r * cols.
struct MatrixRef {
  const float* data = nullptr;
  std::size_t rows = 0;
  std::size_t cols = 0;
  const float* row(std::size_t r) const { return data + r * cols; }
};

enum class Scaling {
  kNone,
  kZScore,  // (x - mean) / standard deviation
  kRobust,  // (x - median) / interquartile range: outliers (a few huge spenders) do not dominate
};

// Per column: scaled = (x - center) / scale. A constant column gets scale 1.
struct Scaler {
  Scaling kind = Scaling::kNone;
  std::vector<double> center;
  std::vector<double> scale;

  void apply(float* data, std::size_t rows, std::size_t cols) const;    // in place
  void unapply(float* data, std::size_t rows, std::size_t cols) const;  // in place, the inverse
};

Scaler fit_scaler(MatrixRef x, Scaling kind);

enum class Bounds {
  kNone,     // plain Lloyd: every row against every centroid in each iteration
  kHamerly,  // one upper and one lower bound per row; skips rows whose nearest cannot change
};

struct KMeansOptions {
  int k = 8;
  int max_iterations = 300;
  // Stop when the sum over centroids of the squared shift in one iteration is at most
  // tolerance × the mean of the columns' variances (scikit-learn's definition). 0 runs until
  // no label changes or max_iterations.
  double tolerance = 1e-4;
  Bounds bounds = Bounds::kHamerly;
  int threads = 2;
  std::uint64_t seed = 0;
  // Called after each iteration with its number (1-based) and the number of rows that changed
  // cluster; for progress lines. May be empty.
  std::function<void(int iteration, std::size_t changed)> on_iteration;
};

struct KMeansResult {
  int k = 0;
  std::size_t cols = 0;
  std::vector<float> centroids;      // k × cols, row-major, in the units of the input
  std::vector<std::int32_t> labels;  // per row: its nearest final centroid
  std::vector<float> distances;      // per row: Euclidean distance to that centroid
  double inertia = 0;                // sum over rows of the squared distance (in double)
  int iterations = 0;                // centroid updates done
  bool converged = false;            // stopped by tolerance or unchanged labels, not the cap
  int empty_cluster_repairs = 0;     // times an empty cluster was moved to a far row
};

// Greedy k-means++ (Arthur & Vassilvitskii, with 2 + floor(ln k) candidate centres per step
// as scikit-learn does): k × cols centroids chosen among the rows. Deterministic for a seed.
// Fails when rows < k or k < 1.
Result<std::vector<float>> kmeans_plus_plus(MatrixRef x, int k, std::uint64_t seed,
                                            int threads = 2);

// Lloyd iterations from `initial` (k × cols) or, when it is empty, from kmeans_plus_plus. An
// empty cluster is moved to the row farthest from its centroid. The returned labels,
// distances and inertia are for the final centroids (one assignment pass after the last
// update). Fails on rows < k, k < 1, a wrongly sized `initial`, or a NaN or infinite value
// (the message names its 0-based row and column).
Result<KMeansResult> kmeans(MatrixRef x, const KMeansOptions& options,
                            std::span<const float> initial = {});

struct MiniBatchOptions {
  int k = 8;
  std::size_t batch_size = 4096;
  // Stop after this many batches, or earlier when the smoothed batch inertia has not improved
  // for `patience` batches.
  int max_batches = 2000;
  int patience = 50;
  int threads = 2;
  std::uint64_t seed = 0;
  std::function<void(int batch)> on_batch;
};

// Sculley's mini-batch k-means (per-centroid learning rates), started from k-means on a sample
// (min(rows, max(10 k, min(20 × batch_size, 100000))) rows; the best of 3 k-means++ seedings
// refined by Lloyd).
// Labels, distances and inertia are computed over all rows at the end; `iterations` counts
// batches, `converged` means the patience rule stopped it.
Result<KMeansResult> minibatch_kmeans(MatrixRef x, const MiniBatchOptions& options);

// The nearest of `centroids` (k × x.cols) for every row: writes labels[r] and, when distances
// is not empty, the Euclidean distance. Returns the inertia. REQUIRES: labels.size() >= x.rows,
// distances empty or >= x.rows, centroids.size() >= k × x.cols (else NaN, nothing written).
double assign_nearest(MatrixRef x, std::span<const float> centroids, int k,
                      std::span<std::int32_t> labels, std::span<float> distances, int threads = 2);

// Mean silhouette coefficient over a random sample of at most `sample` rows (exact over all
// rows when rows <= sample), from -1 to 1. Deterministic for a seed.
double silhouette(MatrixRef x, std::span<const std::int32_t> labels, int k, std::size_t sample,
                  std::uint64_t seed);

struct KChoice {
  std::vector<int> ks;             // the k tried, ascending
  std::vector<double> inertia;     // per k
  std::vector<double> silhouette;  // per k, on the sample
  int best_by_silhouette = 0;      // the k with the highest silhouette
  int elbow = 0;                   // the k where the inertia curve bends most (kneedle)
};

// Runs kmeans for each k in [k_min, k_max] with `base` (its k ignored) and scores each.
Result<KChoice> choose_k(MatrixRef x, int k_min, int k_max, const KMeansOptions& base,
                         std::size_t silhouette_sample = 10000);

}  // namespace consentric::segment
