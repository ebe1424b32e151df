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

bool cpu_has_avx2_fma() {
#if CONSENTRIC_KMEANS_X86
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

bool use_avx2() { return cpu_has_avx2_fma() && !g_force_portable.load(std::memory_order_relaxed); }

bool use_avx512vl() {
#if CONSENTRIC_KMEANS_X86
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  return has;
#else
  return false;
#endif
}

void portable_add_row(double* sums, const float* row, std::size_t cols) {
  for (std::size_t d = 0; d < cols; ++d) sums[d] += static_cast<double>(row[d]);
}

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
  for (int j = 0; j < k; ++j) {
    const float* cj = centroids + static_cast<std::size_t>(j) * cols;
    float norm = 0;
    for (std::size_t d = 0; d < cols; ++d) {
      out->ct[d * kpad + static_cast<std::size_t>(j)] = cj[d];
      norm = std::fma(cj[d], cj[d], norm);
    }
    out->norms[static_cast<std::size_t>(j)] = norm;
  }
}

void force_portable_kernels(bool on) { g_force_portable.store(on, std::memory_order_relaxed); }

bool avx2_kernels_active() { return use_avx2(); }

std::size_t assign_accumulate(MatrixRef x, const PackedCentroids& c, std::size_t begin,
                              std::size_t end, std::int32_t* labels, double* sums,
                              std::int64_t* counts) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) {
    return use_avx512vl() ? avx512vl::avx2_assign_accumulate(x, c, begin, end, labels, sums, counts)
                          : avx2::avx2_assign_accumulate(x, c, begin, end, labels, sums, counts);
  }
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

double assign_exact(MatrixRef x, const PackedCentroids& c, const float* centroids,
                    std::size_t begin, std::size_t end, std::int32_t* labels, float* distances) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) {
    return use_avx512vl() ? avx512vl::avx2_assign_exact(x, c, centroids, begin, end, labels, distances)
                          : avx2::avx2_assign_exact(x, c, centroids, begin, end, labels, distances);
  }
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

void nearest_two(MatrixRef x, const PackedCentroids& c, const std::size_t* rows, std::size_t n,
                 std::int32_t* label, float* best_sq, float* second_sq, float* x_norm) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) {
    return use_avx512vl() ? avx512vl::avx2_nearest_two(x, c, rows, n, label, best_sq, second_sq, x_norm)
                          : avx2::avx2_nearest_two(x, c, rows, n, label, best_sq, second_sq, x_norm);
  }
#endif
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = x.row(rows[i]);
    float second = kInf;
    portable_nearest(row, c, &label[i], &best_sq[i], &second);
    const float norm = portable_norm(row, x.cols);
    best_sq[i] = std::max(0.0f, best_sq[i] + norm);
    if (second_sq != nullptr) second_sq[i] = std::max(0.0f, second + norm);
    if (x_norm != nullptr) x_norm[i] = norm;
  }
}

void exact_distances(MatrixRef x, const PackedCentroids& c, std::size_t begin, std::size_t end,
                     float* out) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) {
    return use_avx512vl() ? avx512vl::avx2_exact_distances(x, c, begin, end, out)
                          : avx2::avx2_exact_distances(x, c, begin, end, out);
  }
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

void add_row(double* sums, const float* row, std::size_t cols) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) {
    return use_avx512vl() ? avx512vl::avx2_add_row_out(sums, row, cols)
                          : avx2::avx2_add_row_out(sums, row, cols);
  }
#endif
  portable_add_row(sums, row, cols);
}

void subtract_row(double* sums, const float* row, std::size_t cols) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) {
    return use_avx512vl() ? avx512vl::avx2_subtract_row(sums, row, cols)
                          : avx2::avx2_subtract_row(sums, row, cols);
  }
#endif
  for (std::size_t d = 0; d < cols; ++d) sums[d] -= static_cast<double>(row[d]);
}

float squared_distance(const float* a, const float* b, std::size_t n) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) {
    return use_avx512vl() ? avx512vl::avx2_squared_distance(a, b, n)
                          : avx2::avx2_squared_distance(a, b, n);
  }
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
