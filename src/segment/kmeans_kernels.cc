#include "segment/kmeans_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#define CONSENTRIC_KMEANS_X86 1
#include <immintrin.h>
#else
#define CONSENTRIC_KMEANS_X86 0
#endif

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_set>

namespace consentric::segment::detail {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
// Rows interleaved per step for instruction-level parallelism: enough independent FMA chains
// to cover the FMA latency (8 when k <= 8, 4 with several blocks of centroids).
constexpr int kGroup = 4;
constexpr int kWide = 8;

std::atomic<bool> g_force_portable{false};

// What the processor offers, asked once.
struct CpuFeatures {
  bool avx2_fma = false;
  bool avx512vl = false;
};

const CpuFeatures& cpu() {
  static const CpuFeatures features = [] {
    CpuFeatures f;
#if CONSENTRIC_KMEANS_X86
    f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    f.avx512vl =
        f.avx2_fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
#endif
    return f;
  }();
  return features;
}

bool use_avx2() { return cpu().avx2_fma && !g_force_portable.load(std::memory_order_relaxed); }
bool use_avx512vl() { return cpu().avx512vl; }

// Returns fn(args...) from the widest kernels the processor runs, unless the portable ones are
// forced; falls through to the portable code after it otherwise.
#define CONSENTRIC_SIMD_RETURN(fn, ...)                                        \
  if (use_avx2()) {                                                            \
    return use_avx512vl() ? avx512vl::fn(__VA_ARGS__) : avx2::fn(__VA_ARGS__); \
  }

void portable_add_row(double* sums, const float* row, std::size_t cols) {
  for (std::size_t d = 0; d < cols; ++d) sums[d] += static_cast<double>(row[d]);
}

void portable_subtract_row(double* sums, const float* row, std::size_t cols) {
  for (std::size_t d = 0; d < cols; ++d) sums[d] -= static_cast<double>(row[d]);
}

// Hamerly's bounds move by the drifts each pass; the sum is then rounded outward (up for the
// upper bound, down for the lower one) by more than the half ulp the addition may have lost.
constexpr float kRoundUp = 1.0f + 0x1p-22f;
constexpr float kRoundDown = 1.0f - 0x1p-22f;

// One row of bound_filter: moves its bounds and returns true when it fails the test.
inline bool bound_step(const BoundShift& s, std::int32_t label, float* upper, float* lower) {
  const std::size_t a = static_cast<std::size_t>(label);
  *upper = (*upper + s.drift[a]) * kRoundUp;
  *lower = (*lower - s.drift_other[a]) * kRoundDown;
  return *upper > std::max(s.half[a], *lower);
}

// Bounds from the fast-form values best = ||c||² − 2 x·c of the nearest and second = that of
// the second nearest, x_norm = ||x||²: widened by the slack of PackedCentroids (a NaN from
// an infinite slack gives the lower bound 0).
inline void row_bounds(float best, float second, float x_norm, const PackedCentroids& c,
                       float* upper, float* lower) {
  const float slack = c.bound_slack * (x_norm + c.max_norm);
  *upper = std::sqrt(std::max(best + x_norm + slack, 0.0f));
  const float low = second + x_norm - slack;
  *lower = low > 0 ? std::sqrt(low) : 0.0f;
}

// What a Hamerly dense pass adds to a Lloyd pass (see assign_bounds).
struct DenseBounds {
  float* upper = nullptr;
  float* lower = nullptr;
  const BoundShift* shift = nullptr;
  std::size_t failed = 0;
};

// ---- Portable kernels: the same operations, in the same order, as the AVX2 ones. ----

// Nearest (and optionally second nearest) by ||c||² − 2 x·c.
void portable_nearest(const float* row, const PackedCentroids& c, std::int32_t* label,
                      float* best_val, float* second_val) {
  float best = kInf;
  float second = kInf;
  std::int32_t arg = 0;
  for (int j = 0; j < c.k; ++j) {
    float acc = 0;
    for (std::size_t d = 0; d < c.cols; ++d) {
      acc = std::fma(row[d], c.ct[d * c.kpad + j], acc);
    }
    const float dist = std::fma(-2.0f, acc, c.norms[j]);
    if (dist < best) {
      second = best;
      best = dist;
      arg = j;
    } else if (dist < second) {
      second = dist;
    }
  }
  *label = arg;
  *best_val = best;
  if (second_val != nullptr) *second_val = second;
}

float portable_norm(const float* row, std::size_t cols) {
  float n = 0;
  for (std::size_t d = 0; d < cols; ++d) n = std::fma(row[d], row[d], n);
  return n;
}

// The nearest centroid of one row, writing its Hamerly bounds (portable path).
std::int32_t portable_nearest_bounded(const float* row, const PackedCentroids& c, float* upper,
                                      float* lower) {
  std::int32_t label = 0;
  float best = 0;
  float second = 0;
  portable_nearest(row, c, &label, &best, &second);
  row_bounds(best, second, portable_norm(row, c.cols), c, upper, lower);
  return label;
}

float portable_squared_distance(const float* a, const float* b, std::size_t n) {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t d = 0;
  for (; d + 8 <= n; d += 8) {
    for (int l = 0; l < 8; ++l) {
      const float diff = a[d + l] - b[d + l];
      lanes[l] = std::fma(diff, diff, lanes[l]);
    }
  }
  float s = 0;
  for (int l = 0; l < 8; ++l) s += lanes[l];
  for (; d < n; ++d) {
    const float diff = a[d] - b[d];
    s += diff * diff;
  }
  return s;
}

// ---- AVX2 + FMA kernels. ----

#if CONSENTRIC_KMEANS_X86
#define CONSENTRIC_AVX2 __attribute__((target("avx2,fma")))
namespace avx2 {
#include "segment/kmeans_kernels_simd.inc"
}  // namespace avx2
#undef CONSENTRIC_AVX2
#define CONSENTRIC_AVX2 __attribute__((target("avx2,fma,avx512f,avx512vl")))
namespace avx512vl {
#include "segment/kmeans_kernels_simd.inc"
}  // namespace avx512vl
#undef CONSENTRIC_AVX2
#endif  // CONSENTRIC_KMEANS_X86

}  // namespace

void pack_centroids(const float* centroids, int k, std::size_t cols, PackedCentroids* out) {
  out->k = k;
  out->kpad = (k + 7) / 8 * 8;
  out->cols = cols;
  const std::size_t kpad = static_cast<std::size_t>(out->kpad);
  out->ct.assign(cols * kpad, 0.0f);
  out->norms.assign(kpad, kInf);
  out->max_norm = 0;
  for (int j = 0; j < k; ++j) {
    const float* cj = centroids + static_cast<std::size_t>(j) * cols;
    float norm = 0;
    for (std::size_t d = 0; d < cols; ++d) {
      out->ct[d * kpad + static_cast<std::size_t>(j)] = cj[d];
      norm = std::fma(cj[d], cj[d], norm);
    }
    out->norms[static_cast<std::size_t>(j)] = norm;
    out->max_norm = std::max(out->max_norm, norm);
  }
  // γ_n = n u / (1 − n u) bounds the error of an n-term dot product (Higham, "Accuracy and
  // Stability of Numerical Algorithms", 3.1). The fast form's error is at most γ_cols for the
  // dot product (2 |x·c| <= ||x||² + ||c||²) plus γ_(cols+3) for the norms, plus a few u for
  // the two roundings after them; 16 u more covers the slack's addition and the sqrt.
  constexpr double u = 0x1p-24;
  const double nu = static_cast<double>(cols) * u;
  out->bound_slack =
      nu < 0.25 ? static_cast<float>((2 * (nu + 3 * u) / (1 - nu - 3 * u) + 16 * u) * (1 + 1e-3))
                : kInf;
}

void force_portable_kernels(bool on) { g_force_portable.store(on, std::memory_order_relaxed); }

bool avx2_kernels_active() { return use_avx2(); }

std::size_t assign_accumulate(MatrixRef x, const PackedCentroids& c, std::size_t begin,
                              std::size_t end, std::int32_t* labels, double* sums,
                              std::int64_t* counts) {
#if CONSENTRIC_KMEANS_X86
  CONSENTRIC_SIMD_RETURN(avx2_assign_accumulate, x, c, begin, end, labels, sums, counts)
#endif
  std::size_t changed = 0;
  for (std::size_t r = begin; r < end; ++r) {
    std::int32_t label = 0;
    float value = 0;
    portable_nearest(x.row(r), c, &label, &value, nullptr);
    changed += labels[r] != label;
    labels[r] = label;
    portable_add_row(sums + static_cast<std::size_t>(label) * x.cols, x.row(r), x.cols);
    ++counts[label];
  }
  return changed;
}

std::size_t bound_filter(const PackedCentroids& c, const BoundShift& shift, std::size_t begin,
                         std::size_t end, const std::int32_t* labels, float* upper, float* lower,
                         std::size_t* failing) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2() && c.kpad == 8) {
    return use_avx512vl()
               ? avx512vl::avx2_bound_filter8(c, shift, begin, end, labels, upper, lower, failing)
               : avx2::avx2_bound_filter8(c, shift, begin, end, labels, upper, lower, failing);
  }
#endif
  std::size_t n = 0;
  for (std::size_t r = begin; r < end; ++r) {
    // Branch-free: the row's index is written either way and kept when it fails.
    failing[n] = r;
    n += bound_step(shift, labels[r], upper + r, lower + r) ? 1 : 0;
  }
  return n;
}

std::size_t assign_bounds(MatrixRef x, const PackedCentroids& c, const BoundShift* shift,
                          std::size_t begin, std::size_t end, std::int32_t* labels, float* upper,
                          float* lower, double* sums, std::int64_t* counts, std::size_t* failed) {
  DenseBounds bounds{upper, lower, shift, 0};
  std::size_t changed = 0;
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) {
    changed = use_avx512vl()
                  ? avx512vl::avx2_assign_bounds(x, c, begin, end, labels, sums, counts, &bounds)
                  : avx2::avx2_assign_bounds(x, c, begin, end, labels, sums, counts, &bounds);
    *failed = bounds.failed;
    return changed;
  }
#endif
  for (std::size_t r = begin; r < end; ++r) {
    if (shift != nullptr) {
      float u = upper[r];
      float l = lower[r];
      bounds.failed += bound_step(*shift, labels[r], &u, &l) ? 1 : 0;
    }
    const float* row = x.row(r);
    const std::int32_t label = portable_nearest_bounded(row, c, upper + r, lower + r);
    changed += labels[r] != label;
    labels[r] = label;
    portable_add_row(sums + static_cast<std::size_t>(label) * x.cols, row, x.cols);
    ++counts[label];
  }
  *failed = bounds.failed;
  return changed;
}

std::size_t reassign_rows(MatrixRef x, const PackedCentroids& c, const std::size_t* rows,
                          std::size_t n, std::int32_t* labels, float* upper, float* lower,
                          double* sums, std::int64_t* counts) {
#if CONSENTRIC_KMEANS_X86
  CONSENTRIC_SIMD_RETURN(avx2_reassign_rows, x, c, rows, n, labels, upper, lower, sums, counts)
#endif
  std::size_t changed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r = rows[i];
    const float* row = x.row(r);
    const std::int32_t label = portable_nearest_bounded(row, c, upper + r, lower + r);
    const std::int32_t old = labels[r];
    if (old == label) continue;
    ++changed;
    labels[r] = label;
    portable_add_row(sums + static_cast<std::size_t>(label) * x.cols, row, x.cols);
    portable_subtract_row(sums + static_cast<std::size_t>(old) * x.cols, row, x.cols);
    ++counts[label];
    --counts[old];
  }
  return changed;
}

double assign_exact(MatrixRef x, const PackedCentroids& c, const float* centroids,
                    std::size_t begin, std::size_t end, std::int32_t* labels, float* distances) {
#if CONSENTRIC_KMEANS_X86
  CONSENTRIC_SIMD_RETURN(avx2_assign_exact, x, c, centroids, begin, end, labels, distances)
#endif
  double total = 0;
  for (std::size_t r = begin; r < end; ++r) {
    std::int32_t label = 0;
    float value = 0;
    portable_nearest(x.row(r), c, &label, &value, nullptr);
    const float sq = portable_squared_distance(
        x.row(r), centroids + static_cast<std::size_t>(label) * x.cols, x.cols);
    labels[r] = label;
    if (distances != nullptr) distances[r] = std::sqrt(sq);
    total += static_cast<double>(sq);
  }
  return total;
}

void nearest_rows(MatrixRef x, const PackedCentroids& c, const std::size_t* rows, std::size_t n,
                  std::int32_t* label, float* best_sq) {
#if CONSENTRIC_KMEANS_X86
  CONSENTRIC_SIMD_RETURN(avx2_nearest_rows, x, c, rows, n, label, best_sq)
#endif
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = x.row(rows[i]);
    portable_nearest(row, c, &label[i], &best_sq[i], nullptr);
    best_sq[i] = std::max(0.0f, best_sq[i] + portable_norm(row, x.cols));
  }
}

void exact_distances(MatrixRef x, const PackedCentroids& c, std::size_t begin, std::size_t end,
                     float* out) {
#if CONSENTRIC_KMEANS_X86
  CONSENTRIC_SIMD_RETURN(avx2_exact_distances, x, c, begin, end, out)
#endif
  const std::size_t kpad = static_cast<std::size_t>(c.kpad);
  for (std::size_t r = begin; r < end; ++r) {
    const float* row = x.row(r);
    float* o = out + (r - begin) * kpad;
    for (std::size_t j = 0; j < kpad; ++j) {
      float acc = 0;
      for (std::size_t d = 0; d < x.cols; ++d) {
        const float diff = c.ct[d * kpad + j] - row[d];
        acc = std::fma(diff, diff, acc);
      }
      o[j] = acc;
    }
  }
}

float squared_distance(const float* a, const float* b, std::size_t n) {
#if CONSENTRIC_KMEANS_X86
  CONSENTRIC_SIMD_RETURN(avx2_squared_distance, a, b, n)
#endif
  return portable_squared_distance(a, b, n);
}

std::size_t find_nonfinite(const float* data, std::size_t n) {
  constexpr std::size_t kChunk = 1024;
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t stop = std::min(n, start + kChunk);
    std::uint32_t bad = 0;
    for (std::size_t i = start; i < stop; ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, data + i, sizeof bits);
      bad |= static_cast<std::uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    }
    if (bad == 0) continue;
    for (std::size_t i = start; i < stop; ++i) {
      if (!std::isfinite(data[i])) return i;
    }
  }
  return n;
}

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::size_t uniform_index(std::mt19937_64& rng, std::size_t n) {
  __extension__ using U128 = unsigned __int128;
  return static_cast<std::size_t>((static_cast<U128>(rng()) * n) >> 64);
}

std::vector<std::size_t> sample_rows(std::size_t rows, std::size_t n, std::mt19937_64& rng) {
  std::vector<std::size_t> out;
  if (n >= rows) {
    out.resize(rows);
    std::iota(out.begin(), out.end(), std::size_t{0});
    return out;
  }
  std::unordered_set<std::size_t> chosen;
  chosen.reserve(n * 2);
  for (std::size_t j = rows - n; j < rows; ++j) {
    const std::size_t t = uniform_index(rng, j + 1);
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  out.assign(chosen.begin(), chosen.end());
  std::sort(out.begin(), out.end());
  return out;
}

// ---- WorkerPool ----

WorkerPool::WorkerPool(int threads) : size_(std::max(1, threads)) {
  workers_.reserve(static_cast<std::size_t>(size_ - 1));
  for (int t = 1; t < size_; ++t) workers_.emplace_back([this, t] { loop(t); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void WorkerPool::run(const std::function<void(int)>& task) {
  if (size_ == 1) {
    task(0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    task_ = &task;
    pending_ = size_ - 1;
    ++generation_;
  }
  start_cv_.notify_all();
  task(0);
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [this] { return pending_ == 0; });
  task_ = nullptr;
}

void WorkerPool::loop(int t) {
  std::uint64_t seen = 0;
  for (;;) {
    const std::function<void(int)>* task = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      task = task_;
    }
    (*task)(t);
    bool last = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last = --pending_ == 0;
    }
    if (last) done_cv_.notify_one();
  }
}

std::pair<std::size_t, std::size_t> WorkerPool::range(std::size_t n, int t, int parts,
                                                      std::size_t align) {
  const std::size_t units = (n + align - 1) / align;
  const std::size_t p = static_cast<std::size_t>(parts);
  const std::size_t ti = static_cast<std::size_t>(t);
  const std::size_t b = std::min(n, units * ti / p * align);
  const std::size_t e = std::min(n, units * (ti + 1) / p * align);
  return {b, e};
}

}  // namespace consentric::segment::detail
