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
};

// Packs k × cols row-major centroids into `out` (its buffers are reused).
void pack_centroids(const float* centroids, int k, std::size_t cols, PackedCentroids* out);

// Test hook: true makes every kernel below use the portable loops even on an AVX2 machine.
void force_portable_kernels(bool on);
bool avx2_kernels_active();

// Plain Lloyd, fused: for rows [begin, end), labels[r] = the centroid minimising
// ||c||² − 2 x·c (ties: lowest index), and the row is added to sums[label × cols ..] and
// counts[label]. Returns the number of rows whose label changed.
std::size_t assign_accumulate(MatrixRef x, const PackedCentroids& c, std::size_t begin,
                              std::size_t end, std::int32_t* labels, double* sums,
                              std::int64_t* counts);

// Nearest centroid for rows [begin, end) as above, then the squared distance to it computed
// directly as Σ (x − c)²; `centroids` is the row-major k × cols copy of `c`. Writes labels and,
// when `distances` is not null, the Euclidean distance. Returns the sum of squared distances.
double assign_exact(MatrixRef x, const PackedCentroids& c, const float* centroids,
                    std::size_t begin, std::size_t end, std::int32_t* labels, float* distances);

// Nearest and second-nearest centroid for the rows rows[0..n): label[i], best_sq[i] and, when
// not null, second_sq[i] (||x||² + ||c||² − 2 x·c, clamped at 0; +inf when k = 1) and
// x_norm[i] = ||x||².
void nearest_two(MatrixRef x, const PackedCentroids& c, const std::size_t* rows, std::size_t n,
                 std::int32_t* label, float* best_sq, float* second_sq, float* x_norm);

// Squared distances Σ (x − c_j)² from rows [begin, end) to every packed centroid:
// out[(r − begin) × kpad + j].
void exact_distances(MatrixRef x, const PackedCentroids& c, std::size_t begin, std::size_t end,
                     float* out);

// sums[d] += row[d] (or −= for subtract_row), d < cols, in double.
void add_row(double* sums, const float* row, std::size_t cols);
void subtract_row(double* sums, const float* row, std::size_t cols);

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
