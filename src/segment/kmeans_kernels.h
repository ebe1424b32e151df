#pragma once

// Private to the k-means files: the distance kernels (AVX2/FMA when the processor has them,
// a portable loop otherwise) and the small worker pool every pass over the rows runs on.
//
// The portable kernels perform the same float operations in the same order as the AVX2 ones
// (one fused multiply-add per column, per centroid, column by column), so both choose the same
// nearest centroid bit for bit; only the "exact" squared distances may differ in the last bits.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "segment/kmeans.h"

namespace consentric::segment::detail {

// Centroids laid out for the kernels: transposed and padded to a multiple of 8 lanes.
struct PackedCentroids {
  int k = 0;
  int kpad = 0;  // k rounded up to a multiple of 8
  std::size_t cols = 0;
  std::vector<float> ct;  // cols × kpad: ct[d * kpad + j] is column d of centroid j; 0 in padding
  std::vector<float>
      norms;  // kpad: ||c_j||² (fused multiply-adds in column order); +inf in padding
  float max_norm = 0;  // the largest ||c_j||² of the k centroids
  // The fast form ||x||² − 2 x·c + ||c||², computed in float with dot products of `cols`
  // terms, is within bound_slack × (||x||² + max_norm) of the exact squared distance: twice
  // the dot product's error γ_cols ||x||·||c||, plus the errors of both norms (γ_cols each) and
  // of the few roundings after them, with room for the sqrt and the slack's own rounding.
  float bound_slack = 0;
};

// Packs k × cols row-major centroids into `out` (its buffers are reused).
void pack_centroids(const float* centroids, int k, std::size_t cols, PackedCentroids* out);

// Test hook: true makes every kernel below use the portable loops even on an AVX2 machine.
void force_portable_kernels(bool on);
bool avx2_kernels_active();

// assign_accumulate and assign_bounds add rows into float sums, which go into the double sums
// every kSumBlockRows rows counted from `begin`: with ranges aligned to it the sums do not
// depend on how the rows are split across threads (up to the order of the double additions).
inline constexpr std::size_t kSumBlockRows = 128;

// Plain Lloyd, fused: for rows [begin, end), labels[r] = the centroid minimising
// ||c||² − 2 x·c (ties: lowest index), and the row is added to sums[label × cols ..] and
// counts[label]. Returns the number of rows whose label changed.
std::size_t assign_accumulate(MatrixRef x, const PackedCentroids& c, std::size_t begin,
                              std::size_t end, std::int32_t* labels, double* sums,
                              std::int64_t* counts);

// Hamerly's per-centroid quantities for one pass, k values each (not owned).
struct BoundShift {
  const float* drift = nullptr;        // how far each centroid moved in the last update
  const float* drift_other = nullptr;  // the largest drift of any other centroid
  const float* half = nullptr;         // half the distance to the nearest other centroid
};

// Hamerly's bound test for rows [begin, end): moves the bounds by the drifts (upper[r] +=
// drift[a], lower[r] −= drift_other[a], a = labels[r], rounded outward so that they stay
// bounds) and writes to failing[0..n), ascending, the rows whose upper bound exceeds
// max(half[a], lower[r]): only those can have another nearest centroid now. Returns n.
// REQUIRES: `failing` has room for end − begin rows.
std::size_t bound_filter(const PackedCentroids& c, const BoundShift& shift, std::size_t begin,
                         std::size_t end, const std::int32_t* labels, float* upper, float* lower,
                         std::size_t* failing);

// Hamerly's dense pass: assign_accumulate (rows in order, sums and counts from scratch) that
// also writes fresh bounds from the fast-form values and the slack of PackedCentroids:
// upper[r] >= the distance to the nearest centroid, lower[r] <= the distance to any other.
// When `shift` is not null, first counts into *failed the rows whose old bounds fail
// bound_filter's test (the bounds are then replaced). Returns the rows whose label changed.
std::size_t assign_bounds(MatrixRef x, const PackedCentroids& c, const BoundShift* shift,
                          std::size_t begin, std::size_t end, std::int32_t* labels, float* upper,
                          float* lower, double* sums, std::int64_t* counts, std::size_t* failed);

// Hamerly's sparse step: the nearest centroid and fresh bounds (as assign_bounds) for the rows
// rows[0..n) only (scattered rows: the caller prefetches them). A row whose label changes moves from its old centroid's sums and count to
// the new one's, so sums and counts receive differences. REQUIRES: every labels[rows[i]] is a
// valid label. Returns the rows whose label changed.
std::size_t reassign_rows(MatrixRef x, const PackedCentroids& c, const std::size_t* rows,
                          std::size_t n, std::int32_t* labels, float* upper, float* lower,
                          double* sums, std::int64_t* counts);

// Nearest centroid for rows [begin, end) as above, then the squared distance to it computed
// directly as Σ (x − c)²; `centroids` is the row-major k × cols copy of `c`. Writes labels and,
// when `distances` is not null, the Euclidean distance. Returns the sum of squared distances.
double assign_exact(MatrixRef x, const PackedCentroids& c, const float* centroids,
                    std::size_t begin, std::size_t end, std::int32_t* labels, float* distances);

// Nearest centroid for the rows rows[0..n): label[i] and best_sq[i] = ||x||² + ||c||² − 2 x·c,
// clamped at 0 (mini-batch k-means).
void nearest_rows(MatrixRef x, const PackedCentroids& c, const std::size_t* rows, std::size_t n,
                  std::int32_t* label, float* best_sq);

// Squared distances Σ (x − c_j)² from rows [begin, end) to every packed centroid:
// out[(r − begin) × kpad + j].
void exact_distances(MatrixRef x, const PackedCentroids& c, std::size_t begin, std::size_t end,
                     float* out);

// Σ (a − b)² over n values.
float squared_distance(const float* a, const float* b, std::size_t n);

// Index of the first NaN or infinite value among data[0..n), or n when there is none.
std::size_t find_nonfinite(const float* data, std::size_t n);

// Random draws identical with every standard library (no std::*_distribution).
// A uniform double in [0, 1) from the top 53 bits.
double uniform01(std::mt19937_64& rng);
// A uniform integer in [0, n), n >= 1 (multiply-shift; the bias is below n / 2^64).
std::size_t uniform_index(std::mt19937_64& rng, std::size_t n);
// `n` distinct indices of [0, rows), ascending (Floyd's algorithm); all rows when n >= rows.
std::vector<std::size_t> sample_rows(std::size_t rows, std::size_t n, std::mt19937_64& rng);

// A fixed set of threads that run one task at a time: run(task) calls task(t) for every
// t in [0, size()), t = 0 on the calling thread, and returns when all are done. With size 1
// nothing is spawned. Not thread-safe: one caller at a time.
class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return size_; }
  void run(const std::function<void(int)>& task);

  // The t-th of `parts` contiguous ranges of [0, n), aligned to `align` items.
  static std::pair<std::size_t, std::size_t> range(std::size_t n, int t, int parts,
                                                   std::size_t align = 1);

 private:
  void loop(int t);

  int size_;
  std::mutex mu_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  const std::function<void(int)>* task_ = nullptr;
  std::uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace consentric::segment::detail
