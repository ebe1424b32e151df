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

// Lowest-index lane holding the minimum of v; `ids` holds each lane's centroid index.
CONSENTRIC_AVX2 inline void avx2_argmin(__m256 v, __m256i ids, bool single_block,
                                        std::int32_t* label, float* value) {
  __m256 t = _mm256_min_ps(v, _mm256_permute2f128_ps(v, v, 1));
  t = _mm256_min_ps(t, _mm256_shuffle_ps(t, t, _MM_SHUFFLE(1, 0, 3, 2)));
  t = _mm256_min_ps(t, _mm256_shuffle_ps(t, t, _MM_SHUFFLE(2, 3, 0, 1)));
  unsigned mask = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(v, t, _CMP_EQ_OQ)));
  *value = _mm256_cvtss_f32(t);
  if (single_block) {
    *label = std::countr_zero(mask);
    return;
  }
  alignas(32) std::int32_t idx[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(idx), ids);
  std::int32_t best = std::numeric_limits<std::int32_t>::max();
  while (mask != 0) {
    best = std::min(best, idx[std::countr_zero(mask)]);
    mask &= mask - 1;
  }
  *label = best;
}

// Nearest centroid of N rows by ||c||² − 2 x·c. With kSecond, also the second-smallest value.
// kSingle: k <= 8, one block of lanes (no running minimum across blocks).
template <int N, bool kSecond, bool kSingle = false>
CONSENTRIC_AVX2 inline void avx2_nearest(const float* const* rows, const PackedCentroids& c,
                                         std::int32_t* label, float* best_val, float* second_val) {
  const int blocks = kSingle ? 1 : c.kpad / 8;
  const std::size_t cols = c.cols;
  const std::size_t stride = static_cast<std::size_t>(c.kpad);
  const __m256 two = _mm256_set1_ps(2.0f);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256 best[N];
  __m256 second[N];
  __m256i best_id[N];
  for (int n = 0; n < N; ++n) {
    best[n] = _mm256_set1_ps(kInf);
    second[n] = _mm256_set1_ps(kInf);
    best_id[n] = lane;
  }
  for (int b = 0; b < blocks; ++b) {
    const float* ct = c.ct.data() + 8 * b;
    __m256 acc[N];
    for (int n = 0; n < N; ++n) acc[n] = _mm256_setzero_ps();
#pragma GCC unroll 4
    for (std::size_t d = 0; d < cols; ++d) {
      const __m256 cv = _mm256_loadu_ps(ct + d * stride);
      for (int n = 0; n < N; ++n) {
        acc[n] = _mm256_fmadd_ps(_mm256_broadcast_ss(rows[n] + d), cv, acc[n]);
      }
    }
    const __m256 norm = _mm256_loadu_ps(c.norms.data() + 8 * b);
    const __m256i ids = _mm256_add_epi32(lane, _mm256_set1_epi32(8 * b));
    if constexpr (kSingle) {
      for (int n = 0; n < N; ++n) best[n] = _mm256_fnmadd_ps(two, acc[n], norm);
      break;
    }
    for (int n = 0; n < N; ++n) {
      const __m256 dist = _mm256_fnmadd_ps(two, acc[n], norm);
      if constexpr (kSecond) {
        second[n] = _mm256_min_ps(second[n], _mm256_max_ps(best[n], dist));
      }
      const __m256 lt = _mm256_cmp_ps(dist, best[n], _CMP_LT_OQ);
      best[n] = _mm256_blendv_ps(best[n], dist, lt);
      best_id[n] = _mm256_castps_si256(
          _mm256_blendv_ps(_mm256_castsi256_ps(best_id[n]), _mm256_castsi256_ps(ids), lt));
    }
  }
  for (int n = 0; n < N; ++n) {
    avx2_argmin(best[n], best_id[n], blocks == 1, &label[n], &best_val[n]);
    if constexpr (kSecond && kSingle) {
      // The smallest of the other lanes (a tie gives the best value itself).
      const __m256 chosen =
          _mm256_castsi256_ps(_mm256_cmpeq_epi32(lane, _mm256_set1_epi32(label[n])));
      const __m256 v = _mm256_blendv_ps(best[n], _mm256_set1_ps(kInf), chosen);
      __m256 t = _mm256_min_ps(v, _mm256_permute2f128_ps(v, v, 1));
      t = _mm256_min_ps(t, _mm256_shuffle_ps(t, t, _MM_SHUFFLE(1, 0, 3, 2)));
      t = _mm256_min_ps(t, _mm256_shuffle_ps(t, t, _MM_SHUFFLE(2, 3, 0, 1)));
      second_val[n] = _mm256_cvtss_f32(t);
    } else if constexpr (kSecond) {
      // Second smallest overall: the smallest of every lane's second and of the other lanes'
      // bests (a tie in another lane gives the best value itself).
      alignas(32) float lane_best[8];
      alignas(32) float lane_second[8];
      alignas(32) std::int32_t lane_id[8];
      _mm256_store_ps(lane_best, best[n]);
      _mm256_store_ps(lane_second, second[n]);
      _mm256_store_si256(reinterpret_cast<__m256i*>(lane_id), best_id[n]);
      float s = kInf;
      for (int l = 0; l < 8; ++l) {
        s = std::min(s, lane_second[l]);
        if (lane_id[l] != label[n]) s = std::min(s, lane_best[l]);
      }
      second_val[n] = s;
    }
  }
}

// Nearest centroid of 8 rows when k <= 8: the 8 × 8 values ||c_j||² − 2 x_n·c_j are
// transposed so that the running minimum over centroids j runs across the 8 rows at once
// (ties: lowest j, as in the portable loop). With kSecond, *best and *second receive the
// smallest and second-smallest values per row (lane n = row n).
// kCols: the number of columns when known at compile time (0: c.cols), so that the loop over
// them unrolls completely for the common widths.
template <bool kSecond, std::size_t kCols = 0>
CONSENTRIC_AVX2 inline __m256i avx2_nearest8(const float* const* rows, const PackedCentroids& c,
                                             __m256* best_out, __m256* second_out) {
  const std::size_t cols = kCols != 0 ? kCols : c.cols;
  const float* ct = c.ct.data();
  __m256 acc[8];
  for (int n = 0; n < 8; ++n) acc[n] = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (std::size_t d = 0; d < cols; ++d) {
    const __m256 cv = _mm256_loadu_ps(ct + d * 8);
    for (int n = 0; n < 8; ++n) {
      acc[n] = _mm256_fmadd_ps(_mm256_broadcast_ss(rows[n] + d), cv, acc[n]);
    }
  }
  const __m256 two = _mm256_set1_ps(2.0f);
  const __m256 norm = _mm256_loadu_ps(c.norms.data());
  __m256 v[8];
  for (int n = 0; n < 8; ++n) v[n] = _mm256_fnmadd_ps(two, acc[n], norm);
  const __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]);
  const __m256 t1 = _mm256_unpackhi_ps(v[0], v[1]);
  const __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]);
  const __m256 t3 = _mm256_unpackhi_ps(v[2], v[3]);
  const __m256 t4 = _mm256_unpacklo_ps(v[4], v[5]);
  const __m256 t5 = _mm256_unpackhi_ps(v[4], v[5]);
  const __m256 t6 = _mm256_unpacklo_ps(v[6], v[7]);
  const __m256 t7 = _mm256_unpackhi_ps(v[6], v[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44);
  const __m256 s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44);
  const __m256 s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44);
  const __m256 s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44);
  const __m256 s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  // r[j] lane n = value of row n for centroid j.
  const __m256 r[8] = {_mm256_permute2f128_ps(s0, s4, 0x20), _mm256_permute2f128_ps(s1, s5, 0x20),
                       _mm256_permute2f128_ps(s2, s6, 0x20), _mm256_permute2f128_ps(s3, s7, 0x20),
                       _mm256_permute2f128_ps(s0, s4, 0x31), _mm256_permute2f128_ps(s1, s5, 0x31),
                       _mm256_permute2f128_ps(s2, s6, 0x31), _mm256_permute2f128_ps(s3, s7, 0x31)};
  __m256 best = r[0];
  __m256 second = _mm256_set1_ps(kInf);
  __m256 best_id = _mm256_castsi256_ps(_mm256_setzero_si256());
  for (int j = 1; j < 8; ++j) {
    if constexpr (kSecond) second = _mm256_min_ps(second, _mm256_max_ps(best, r[j]));
    const __m256 lt = _mm256_cmp_ps(r[j], best, _CMP_LT_OQ);
    best = _mm256_blendv_ps(best, r[j], lt);
    best_id = _mm256_blendv_ps(best_id, _mm256_castsi256_ps(_mm256_set1_epi32(j)), lt);
  }
  if constexpr (kSecond) {
    *best_out = best;
    *second_out = second;
  }
  return _mm256_castps_si256(best_id);
}

template <std::size_t kCols = 0>
CONSENTRIC_AVX2 inline __m256i avx2_labels8(const float* const* rows, const PackedCentroids& c) {
  return avx2_nearest8<false, kCols>(rows, c, nullptr, nullptr);
}

CONSENTRIC_AVX2 inline void avx2_add_row(double* sums, const float* row, std::size_t cols) {
  std::size_t d = 0;
#pragma GCC unroll 2
  for (; d + 8 <= cols; d += 8) {
    const __m256 v = _mm256_loadu_ps(row + d);
    _mm256_storeu_pd(sums + d, _mm256_add_pd(_mm256_loadu_pd(sums + d),
                                             _mm256_cvtps_pd(_mm256_castps256_ps128(v))));
    _mm256_storeu_pd(sums + d + 4, _mm256_add_pd(_mm256_loadu_pd(sums + d + 4),
                                                 _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
  }
  for (; d + 4 <= cols; d += 4) {
    _mm256_storeu_pd(
        sums + d, _mm256_add_pd(_mm256_loadu_pd(sums + d), _mm256_cvtps_pd(_mm_loadu_ps(row + d))));
  }
  for (; d < cols; ++d) sums[d] += static_cast<double>(row[d]);
}

CONSENTRIC_AVX2 void avx2_add_row_out(double* sums, const float* row, std::size_t cols) {
  avx2_add_row(sums, row, cols);
}

CONSENTRIC_AVX2 void avx2_subtract_row(double* sums, const float* row, std::size_t cols) {
  std::size_t d = 0;
  for (; d + 4 <= cols; d += 4) {
    _mm256_storeu_pd(
        sums + d, _mm256_sub_pd(_mm256_loadu_pd(sums + d), _mm256_cvtps_pd(_mm_loadu_ps(row + d))));
  }
  for (; d < cols; ++d) sums[d] -= static_cast<double>(row[d]);
}

CONSENTRIC_AVX2 inline float avx2_hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

CONSENTRIC_AVX2 float avx2_squared_distance(const float* a, const float* b, std::size_t n) {
  __m256 acc = _mm256_setzero_ps();
  std::size_t d = 0;
  for (; d + 8 <= n; d += 8) {
    const __m256 diff = _mm256_sub_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d));
    acc = _mm256_fmadd_ps(diff, diff, acc);
  }
  float s = avx2_hsum(acc);
  for (; d < n; ++d) {
    const float diff = a[d] - b[d];
    s += diff * diff;
  }
  return s;
}

// ||row||² (only bounds use it, so its rounding need not match the portable loop).
CONSENTRIC_AVX2 inline float avx2_norm(const float* row, std::size_t cols) {
  __m256 acc = _mm256_setzero_ps();
  std::size_t d = 0;
  for (; d + 8 <= cols; d += 8) {
    const __m256 v = _mm256_loadu_ps(row + d);
    acc = _mm256_fmadd_ps(v, v, acc);
  }
  float s = avx2_hsum(acc);
  for (; d < cols; ++d) s += row[d] * row[d];
  return s;
}

// A row added to a float partial sum: a quarter of the work of converting it to double and
// adding there.
template <std::size_t kCols = 0>
CONSENTRIC_AVX2 inline void avx2_add_row_float(float* sums, const float* row, std::size_t n_cols) {
  const std::size_t cols = kCols != 0 ? kCols : n_cols;
  std::size_t d = 0;
  for (; d + 8 <= cols; d += 8) {
    _mm256_storeu_ps(sums + d, _mm256_add_ps(_mm256_loadu_ps(sums + d), _mm256_loadu_ps(row + d)));
  }
  for (; d < cols; ++d) sums[d] += row[d];
}

// Rows add into float sums that go into the double sums every kBlockRows rows: with at most
// 128 rows in a float sum its rounding stays far below that of scikit-learn's whole float32
// sums, and the pass does a quarter of the arithmetic per row.
constexpr std::size_t kBlockRows = 128;

template <int N, bool kSingle, std::size_t kCols = 0>
CONSENTRIC_AVX2 inline std::size_t avx2_assign_accumulate_t(MatrixRef x, const PackedCentroids& c,
                                                            std::size_t begin, std::size_t end,
                                                            std::int32_t* labels, double* sums,
                                                            std::int64_t* counts) {
  const std::size_t cols = kCols != 0 ? kCols : x.cols;
  std::size_t changed = 0;
  std::size_t r = begin;
  std::int32_t label[N];
  float value[N];
  const std::size_t group_bytes = N * cols * sizeof(float);
  const std::size_t k = static_cast<std::size_t>(c.k);
  std::vector<float> block_sums(kSingle && N == 8 ? k * cols : 0, 0.0f);
  std::int64_t block_counts[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  auto flush_block = [&] {
    for (std::size_t i = 0; i < block_sums.size(); ++i) {
      sums[i] += static_cast<double>(block_sums[i]);
      block_sums[i] = 0;
    }
    for (std::size_t j = 0; j < 8 && j < k; ++j) {
      counts[j] += block_counts[j];
      block_counts[j] = 0;
    }
  };
  for (; r + N <= end; r += N) {
    if constexpr (kSingle && N == 8) {
      if ((r - begin) % kBlockRows == 0 && r != begin) flush_block();
    }
    const float* rows[N];
    for (int n = 0; n < N; ++n) rows[n] = x.row(r + n);
    // The rows a few groups ahead, so that the loads below rarely wait for memory.
    const char* ahead = reinterpret_cast<const char*>(x.data + (r + 4 * N) * cols);
    if (r + 5 * N <= end) {
      for (std::size_t off = 0; off < group_bytes; off += 64) __builtin_prefetch(ahead + off);
    }
    if constexpr (kSingle && N == 8) {
      const __m256i now = avx2_labels8<kCols>(rows, c);
      const __m256i* old = reinterpret_cast<const __m256i*>(labels + r);
      const unsigned same = static_cast<unsigned>(_mm256_movemask_ps(
          _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_loadu_si256(old), now))));
      changed += static_cast<std::size_t>(8 - std::popcount(same));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(labels + r), now);
      // The labels from registers (reading them back from the store would wait on it).
      const __m128i lo = _mm256_castsi256_si128(now);
      const __m128i hi = _mm256_extracti128_si256(now, 1);
      const std::int32_t l8[8] = {_mm_cvtsi128_si32(lo),    _mm_extract_epi32(lo, 1),
                                  _mm_extract_epi32(lo, 2), _mm_extract_epi32(lo, 3),
                                  _mm_cvtsi128_si32(hi),    _mm_extract_epi32(hi, 1),
                                  _mm_extract_epi32(hi, 2), _mm_extract_epi32(hi, 3)};
      for (int n = 0; n < N; ++n) {
        avx2_add_row_float<kCols>(block_sums.data() + static_cast<std::size_t>(l8[n]) * cols,
                                  rows[n], cols);
        ++block_counts[l8[n]];
      }
      continue;
    }
    avx2_nearest<N, false, kSingle>(rows, c, label, value, nullptr);
    for (int n = 0; n < N; ++n) {
      changed += labels[r + n] != label[n];
      labels[r + n] = label[n];
      avx2_add_row(sums + static_cast<std::size_t>(label[n]) * cols, rows[n], cols);
      ++counts[label[n]];
    }
  }
  if constexpr (kSingle && N == 8) flush_block();
  for (; r < end; ++r) {
    const float* row = x.row(r);
    avx2_nearest<1, false, kSingle>(&row, c, label, value, nullptr);
    changed += labels[r] != label[0];
    labels[r] = label[0];
    avx2_add_row(sums + static_cast<std::size_t>(label[0]) * cols, row, cols);
    ++counts[label[0]];
  }
  return changed;
}

CONSENTRIC_AVX2 std::size_t avx2_assign_accumulate(MatrixRef x, const PackedCentroids& c,
                                                   std::size_t begin, std::size_t end,
                                                   std::int32_t* labels, double* sums,
                                                   std::int64_t* counts) {
  if (c.kpad == 8 && x.cols == 16) {
    return avx2_assign_accumulate_t<kWide, true, 16>(x, c, begin, end, labels, sums, counts);
  }
  if (c.kpad == 8) {
    return avx2_assign_accumulate_t<kWide, true>(x, c, begin, end, labels, sums, counts);
  }
  return avx2_assign_accumulate_t<kGroup, false>(x, c, begin, end, labels, sums, counts);
}

template <int N, bool kSingle>
CONSENTRIC_AVX2 inline double avx2_assign_exact_t(MatrixRef x, const PackedCentroids& c,
                                                  const float* centroids, std::size_t begin,
                                                  std::size_t end, std::int32_t* labels,
                                                  float* distances) {
  const std::size_t cols = x.cols;
  double total = 0;
  std::int32_t label[N];
  float value[N];
  std::size_t r = begin;
  while (r < end) {
    const int n_rows = end - r >= N ? N : 1;
    const float* rows[N];
    for (int n = 0; n < n_rows; ++n) rows[n] = x.row(r + n);
    if (kSingle && N == 8 && n_rows == N) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(label), avx2_labels8(rows, c));
    } else if (n_rows == N) {
      avx2_nearest<N, false, kSingle>(rows, c, label, value, nullptr);
    } else {
      avx2_nearest<1, false, kSingle>(rows, c, label, value, nullptr);
    }
    for (int n = 0; n < n_rows; ++n) {
      const float sq = avx2_squared_distance(
          rows[n], centroids + static_cast<std::size_t>(label[n]) * cols, cols);
      labels[r + n] = label[n];
      if (distances != nullptr) distances[r + n] = std::sqrt(sq);
      total += static_cast<double>(sq);
    }
    r += static_cast<std::size_t>(n_rows);
  }
  return total;
}

CONSENTRIC_AVX2 double avx2_assign_exact(MatrixRef x, const PackedCentroids& c,
                                         const float* centroids, std::size_t begin, std::size_t end,
                                         std::int32_t* labels, float* distances) {
  if (c.kpad == 8) {
    return avx2_assign_exact_t<kWide, true>(x, c, centroids, begin, end, labels, distances);
  }
  return avx2_assign_exact_t<kGroup, false>(x, c, centroids, begin, end, labels, distances);
}

template <int N, bool kSingle>
CONSENTRIC_AVX2 inline void avx2_nearest_two_t(MatrixRef x, const PackedCentroids& c,
                                               const std::size_t* rows_idx, std::size_t count,
                                               std::int32_t* label, float* best_sq,
                                               float* second_sq, float* x_norm) {
  float second[N];
  std::size_t i = 0;
  while (i < count) {
    const int n_rows = count - i >= N ? N : 1;
    const float* rows[N];
    for (int n = 0; n < n_rows; ++n) rows[n] = x.row(rows_idx[i + n]);
    bool done = false;
    if constexpr (kSingle && N == 8) {
      if (n_rows == N) {
        __m256 b;
        __m256 sec;
        const __m256i l = avx2_nearest8<true>(rows, c, &b, &sec);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(label + i), l);
        _mm256_storeu_ps(best_sq + i, b);
        _mm256_storeu_ps(second, sec);
        done = true;
      }
    }
    if (!done && n_rows == N) {
      avx2_nearest<N, true, kSingle>(rows, c, label + i, best_sq + i, second);
    } else if (!done) {
      avx2_nearest<1, true, kSingle>(rows, c, label + i, best_sq + i, second);
    }
    for (int n = 0; n < n_rows; ++n) {
      const float norm = avx2_norm(rows[n], x.cols);
      best_sq[i + n] = std::max(0.0f, best_sq[i + n] + norm);
      if (second_sq != nullptr) second_sq[i + n] = std::max(0.0f, second[n] + norm);
      if (x_norm != nullptr) x_norm[i + n] = norm;
    }
    i += static_cast<std::size_t>(n_rows);
  }
}

CONSENTRIC_AVX2 void avx2_nearest_two(MatrixRef x, const PackedCentroids& c,
                                      const std::size_t* rows_idx, std::size_t count,
                                      std::int32_t* label, float* best_sq, float* second_sq,
                                      float* x_norm) {
  if (c.kpad == 8) {
    return avx2_nearest_two_t<kWide, true>(x, c, rows_idx, count, label, best_sq, second_sq,
                                           x_norm);
  }
  avx2_nearest_two_t<kGroup, false>(x, c, rows_idx, count, label, best_sq, second_sq, x_norm);
}

// Σ (x_n − c_j)² for N rows and every packed centroid, into out + n × kpad.
template <int N>
CONSENTRIC_AVX2 inline void avx2_exact_group(const float* const* rows, const PackedCentroids& c,
                                             float* out) {
  const int blocks = c.kpad / 8;
  const std::size_t stride = static_cast<std::size_t>(c.kpad);
  for (int b = 0; b < blocks; ++b) {
    const float* ct = c.ct.data() + 8 * b;
    __m256 acc[N];
    for (int n = 0; n < N; ++n) acc[n] = _mm256_setzero_ps();
#pragma GCC unroll 4
    for (std::size_t d = 0; d < c.cols; ++d) {
      const __m256 cv = _mm256_loadu_ps(ct + d * stride);
      for (int n = 0; n < N; ++n) {
        const __m256 diff = _mm256_sub_ps(cv, _mm256_broadcast_ss(rows[n] + d));
        acc[n] = _mm256_fmadd_ps(diff, diff, acc[n]);
      }
    }
    for (int n = 0; n < N; ++n) {
      _mm256_storeu_ps(out + static_cast<std::size_t>(n) * stride + 8 * b, acc[n]);
    }
  }
}

template <int N>
CONSENTRIC_AVX2 inline void avx2_exact_distances_t(MatrixRef x, const PackedCentroids& c,
                                                   std::size_t begin, std::size_t end, float* out) {
  const std::size_t stride = static_cast<std::size_t>(c.kpad);
  std::size_t r = begin;
  const std::size_t group_bytes = N * x.cols * sizeof(float);
  for (; r + N <= end; r += N) {
    const float* rows[N];
    for (int n = 0; n < N; ++n) rows[n] = x.row(r + static_cast<std::size_t>(n));
    // The rows a few groups ahead, so that the loads below rarely wait for memory.
    const char* ahead = reinterpret_cast<const char*>(x.data + (r + 4 * N) * x.cols);
    if (r + 5 * N <= end) {
      for (std::size_t off = 0; off < group_bytes; off += 64) __builtin_prefetch(ahead + off);
    }
    avx2_exact_group<N>(rows, c, out + (r - begin) * stride);
  }
  for (; r < end; ++r) {
    const float* row = x.row(r);
    avx2_exact_group<1>(&row, c, out + (r - begin) * stride);
  }
}

CONSENTRIC_AVX2 void avx2_exact_distances(MatrixRef x, const PackedCentroids& c, std::size_t begin,
                                          std::size_t end, float* out) {
  if (c.kpad == 8) return avx2_exact_distances_t<kWide>(x, c, begin, end, out);
  avx2_exact_distances_t<kGroup>(x, c, begin, end, out);
}

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
  if (use_avx2()) return avx2_assign_accumulate(x, c, begin, end, labels, sums, counts);
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
  if (use_avx2()) return avx2_assign_exact(x, c, centroids, begin, end, labels, distances);
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
  if (use_avx2()) return avx2_nearest_two(x, c, rows, n, label, best_sq, second_sq, x_norm);
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
  if (use_avx2()) return avx2_exact_distances(x, c, begin, end, out);
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
  if (use_avx2()) return avx2_add_row_out(sums, row, cols);
#endif
  portable_add_row(sums, row, cols);
}

void subtract_row(double* sums, const float* row, std::size_t cols) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) return avx2_subtract_row(sums, row, cols);
#endif
  for (std::size_t d = 0; d < cols; ++d) sums[d] -= static_cast<double>(row[d]);
}

float squared_distance(const float* a, const float* b, std::size_t n) {
#if CONSENTRIC_KMEANS_X86
  if (use_avx2()) return avx2_squared_distance(a, b, n);
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
