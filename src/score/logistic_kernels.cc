#include "score/logistic_kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "score/cpu.h"

namespace consentric::score::detail {
namespace {

// Rows per block: the block's double copy and its weighted copy (2 × kBlock × dpad × 8 bytes,
// 20 KiB at 16 features) stay in the L1 cache while the Hessian tiles run over them.
constexpr std::size_t kBlock = 64;

std::atomic<bool> g_force_portable{false};

// The per-row weight s_i c_{y_i}.
inline double row_weight(const PassInput& in, std::size_t r) {
  const double c = in.class_weight[in.labels[r] == 1.0f ? 1 : 0];
  return in.sample_weight.empty() ? c : c * in.sample_weight[r];
}

// Copies rows [b0, b0 + nb) to double, with the intercept's 1 and zero padding.
inline void load_block(const PassInput& in, std::size_t b0, std::size_t nb, std::size_t dpad,
                       double* a) {
  const std::size_t cols = in.x.cols;
  for (std::size_t i = 0; i < nb; ++i) {
    const float* row = in.x.row(b0 + i);
    double* out = a + i * dpad;
    for (std::size_t j = 0; j < cols; ++j) out[j] = row[j];
    std::size_t j = cols;
    if (in.intercept) out[j++] = 1.0;
    for (; j < dpad; ++j) out[j] = 0.0;
  }
}

// ---------------------------------------------------------------------------------------------
// Portable: the same sums, one row at a time.

void newton_pass_portable(const PassInput& in, const double* theta, std::size_t begin,
                          std::size_t end, double* loss, double* g, double* h) {
  const std::size_t dpad = in.dpad();
  std::vector<double> a(kBlock * dpad);
  for (std::size_t b0 = begin; b0 < end; b0 += kBlock) {
    const std::size_t nb = std::min(kBlock, end - b0);
    load_block(in, b0, nb, dpad, a.data());
    for (std::size_t i = 0; i < nb; ++i) {
      const double* x = a.data() + i * dpad;
      double z = 0;
      for (std::size_t j = 0; j < dpad; ++j) z += theta[j] * x[j];
      const double y = in.labels[b0 + i];
      const double w = row_weight(in, b0 + i);
      const double t = std::exp(-std::abs(z));
      *loss += w * (std::max(z, 0.0) + std::log1p(t) - y * z);
      const double p = (z >= 0 ? 1.0 : t) / (1.0 + t);
      const double r = w * (p - y);
      const double hw = w * p * (1 - p);
      for (std::size_t j = 0; j < dpad; ++j) g[j] += r * x[j];
      for (std::size_t j = 0; j < dpad; ++j) {
        const double s = hw * x[j];
        for (std::size_t k = j; k < dpad; ++k) h[j * dpad + k] += s * x[k];
      }
    }
  }
}

#if CONSENTRIC_SCORE_X86
#define CONSENTRIC_AVX2 __attribute__((target("avx2,fma")))

// e^x for x in [−708, 0] (4 lanes): x = n ln2 + f, |f| <= ln2 / 2, e^f by its Taylor
// polynomial of degree 12 (truncation below 2e-16 relative), times 2^n built in the exponent.
CONSENTRIC_AVX2 inline __m256d exp_nonpositive(__m256d x) {
  x = _mm256_max_pd(x, _mm256_set1_pd(-708.0));
  const __m256d n = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.4426950408889634)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d f = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93147180369123816490e-01), x);
  f = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.90821492927058770002e-10), f);
  // 1/k! for k = 12 down to 0.
  static constexpr double kInvFactorial[13] = {2.08767569878680989792e-09,
                                               2.50521083854417187751e-08,
                                               2.75573192239858906526e-07,
                                               2.75573192239858906526e-06,
                                               2.48015873015873015873e-05,
                                               1.98412698412698412698e-04,
                                               1.38888888888888888889e-03,
                                               8.33333333333333333333e-03,
                                               4.16666666666666666667e-02,
                                               1.66666666666666666667e-01,
                                               5.00000000000000000000e-01,
                                               1.0,
                                               1.0};
  __m256d p = _mm256_set1_pd(kInvFactorial[0]);
  for (int k = 1; k < 13; ++k) p = _mm256_fmadd_pd(p, f, _mm256_set1_pd(kInvFactorial[k]));
  // 2^n: n + 1023 placed in the exponent field, through the bits of n + 2^52 (n is integral).
  const __m256d shifted = _mm256_add_pd(n, _mm256_set1_pd(4503599627370496.0 + 1023.0));
  const __m256i e = _mm256_slli_epi64(_mm256_castpd_si256(shifted), 52);
  return _mm256_mul_pd(p, _mm256_castsi256_pd(e));
}

// log(1 + t) for t in [0, 1] (4 lanes): with s = t / (2 + t) in [0, 1/3], log(1 + t) =
// 2 atanh(s) = 2 Σ s^(2k+1) / (2k + 1); 17 terms leave a truncation below 2e-17 relative.
CONSENTRIC_AVX2 inline __m256d log1p_unit(__m256d t) {
  const __m256d s = _mm256_div_pd(t, _mm256_add_pd(t, _mm256_set1_pd(2.0)));
  const __m256d s2 = _mm256_mul_pd(s, s);
  __m256d p = _mm256_set1_pd(1.0 / 33);
  for (int k = 15; k >= 0; --k) {
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / (2 * k + 1)));
  }
  return _mm256_mul_pd(_mm256_add_pd(s, s), p);
}

// Sums of 4 vectors: lane i of the result is the sum of the lanes of v[i].
CONSENTRIC_AVX2 inline __m256d sum4(__m256d v0, __m256d v1, __m256d v2, __m256d v3) {
  const __m256d a = _mm256_hadd_pd(v0, v1);  // v0 01, v1 01, v0 23, v1 23
  const __m256d b = _mm256_hadd_pd(v2, v3);
  return _mm256_add_pd(_mm256_permute2f128_pd(a, b, 0x20), _mm256_permute2f128_pd(a, b, 0x31));
}

// Hessian tile: rows j0 .. j0 + J − 1 of h, column vectors kv0 .. kv0 + K − 1, summed over the
// nb rows of the block: h[j][k] += Σ_i hx[i][j] x[i][k].
template <int J, int K>
CONSENTRIC_AVX2 inline void hessian_tile(const double* x, const double* hx, std::size_t nb,
                                         std::size_t dpad, std::size_t j0, std::size_t kv0,
                                         double* h) {
  __m256d acc[J][K];
  for (int j = 0; j < J; ++j) {
    for (int k = 0; k < K; ++k) acc[j][k] = _mm256_setzero_pd();
  }
  for (std::size_t i = 0; i < nb; ++i) {
    const double* xi = x + i * dpad + 4 * kv0;
    __m256d xv[K];
    for (int k = 0; k < K; ++k) xv[k] = _mm256_loadu_pd(xi + 4 * k);
    for (int j = 0; j < J; ++j) {
      const __m256d s = _mm256_broadcast_sd(hx + i * dpad + j0 + static_cast<std::size_t>(j));
      for (int k = 0; k < K; ++k) acc[j][k] = _mm256_fmadd_pd(s, xv[k], acc[j][k]);
    }
  }
  for (int j = 0; j < J; ++j) {
    double* hj = h + (j0 + static_cast<std::size_t>(j)) * dpad + 4 * kv0;
    for (int k = 0; k < K; ++k) {
      _mm256_storeu_pd(hj + 4 * k, _mm256_add_pd(_mm256_loadu_pd(hj + 4 * k), acc[j][k]));
    }
  }
}

// The upper triangle by tiles of 2 rows × up to 4 column vectors, from the vector holding the
// diagonal onwards.
template <int J>
CONSENTRIC_AVX2 inline void hessian_rows(const double* x, const double* hx, std::size_t nb,
                                         std::size_t dpad, std::size_t j0, double* h) {
  const std::size_t nv = dpad / 4;
  std::size_t kv = j0 / 4;
  for (; kv + 4 <= nv; kv += 4) hessian_tile<J, 4>(x, hx, nb, dpad, j0, kv, h);
  switch (nv - kv) {
    case 3:
      hessian_tile<J, 3>(x, hx, nb, dpad, j0, kv, h);
      break;
    case 2:
      hessian_tile<J, 2>(x, hx, nb, dpad, j0, kv, h);
      break;
    case 1:
      hessian_tile<J, 1>(x, hx, nb, dpad, j0, kv, h);
      break;
    default:
      break;
  }
}

// Row q, column vector v: acc += r_q x_q, and hx_q = h_q x_q (zero rows beyond nb).
CONSENTRIC_AVX2 inline void gradient_step(const double* xa, double* hx, const double* rs,
                                          const double* hs, std::size_t q, std::size_t nb,
                                          std::size_t dpad, std::size_t v, __m256d* acc) {
  const __m256d xv = q < nb ? _mm256_loadu_pd(xa + q * dpad + 4 * v) : _mm256_setzero_pd();
  *acc = _mm256_fmadd_pd(_mm256_set1_pd(rs[q]), xv, *acc);
  _mm256_storeu_pd(hx + q * dpad + 4 * v, _mm256_mul_pd(_mm256_set1_pd(hs[q]), xv));
}

CONSENTRIC_AVX2 void newton_pass_avx2(const PassInput& in, const double* theta, std::size_t begin,
                                      std::size_t end, double* loss, double* g, double* h) {
  const std::size_t dpad = in.dpad();
  const std::size_t dims = in.dims();
  const std::size_t nv = dpad / 4;
  alignas(32) double a[kBlock * 64];  // kBlock rows of up to 64 doubles; larger dpad: heap
  std::vector<double> a_heap, hx_heap;
  alignas(32) double hx_stack[kBlock * 64];
  double* xa = a;
  double* hx = hx_stack;
  if (dpad > 64) {
    a_heap.resize(kBlock * dpad);
    hx_heap.resize(kBlock * dpad);
    xa = a_heap.data();
    hx = hx_heap.data();
  }
  alignas(32) double zs[kBlock], rs[kBlock], hs[kBlock];
  __m256d loss_acc = _mm256_setzero_pd();
  const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
  const __m256d sign = _mm256_set1_pd(-0.0);
  for (std::size_t b0 = begin; b0 < end; b0 += kBlock) {
    const std::size_t nb = std::min(kBlock, end - b0);
    load_block(in, b0, nb, dpad, xa);
    // Margins, four rows at a time.
    std::size_t i = 0;
    for (; i + 4 <= nb; i += 4) {
      __m256d acc[4] = {zero, zero, zero, zero};
      for (std::size_t v = 0; v < nv; ++v) {
        const __m256d t = _mm256_loadu_pd(theta + 4 * v);
        for (std::size_t q = 0; q < 4; ++q) {
          acc[q] = _mm256_fmadd_pd(_mm256_loadu_pd(xa + (i + q) * dpad + 4 * v), t, acc[q]);
        }
      }
      _mm256_store_pd(zs + i, sum4(acc[0], acc[1], acc[2], acc[3]));
    }
    for (; i < nb; ++i) {
      double z = 0;
      for (std::size_t j = 0; j < dpad; ++j) z += theta[j] * xa[i * dpad + j];
      zs[i] = z;
    }
    // Loss, residuals and Hessian weights; the block padded to 4 rows with weight 0.
    alignas(32) double ys[kBlock], ws[kBlock];
    const std::size_t nb4 = (nb + 3) / 4 * 4;
    for (std::size_t q = 0; q < nb4; ++q) {
      const bool real = q < nb;
      ys[q] = real ? in.labels[b0 + q] : 0.0;
      ws[q] = real ? row_weight(in, b0 + q) : 0.0;
      if (!real) zs[q] = 0.0;
    }
    for (std::size_t q = 0; q < nb4; q += 4) {
      const __m256d z = _mm256_load_pd(zs + q);
      const __m256d y = _mm256_load_pd(ys + q);
      const __m256d w = _mm256_load_pd(ws + q);
      const __m256d t = exp_nonpositive(_mm256_or_pd(z, sign));  // e^{−|z|}
      const __m256d nonneg = _mm256_cmp_pd(z, zero, _CMP_GE_OQ);
      const __m256d l =
          _mm256_sub_pd(_mm256_add_pd(_mm256_max_pd(z, zero), log1p_unit(t)), _mm256_mul_pd(y, z));
      loss_acc = _mm256_fmadd_pd(w, l, loss_acc);
      const __m256d p = _mm256_div_pd(_mm256_blendv_pd(t, one, nonneg), _mm256_add_pd(one, t));
      _mm256_store_pd(rs + q, _mm256_mul_pd(w, _mm256_sub_pd(p, y)));
      _mm256_store_pd(hs + q, _mm256_mul_pd(w, _mm256_mul_pd(p, _mm256_sub_pd(one, p))));
    }
    // Gradient, and the rows weighted for the Hessian.
    // (rs and hs are zero beyond nb, so the rows run in fours; four accumulator chains hide
    // the FMA latency.)
    for (std::size_t q = nb; q < nb4; ++q) rs[q] = hs[q] = 0.0;
    for (std::size_t v = 0; v < nv; ++v) {
      __m256d g0 = zero, g1 = zero, g2 = zero, g3 = zero;
      for (std::size_t q = 0; q < nb4; q += 4) {
        gradient_step(xa, hx, rs, hs, q, nb, dpad, v, &g0);
        gradient_step(xa, hx, rs, hs, q + 1, nb, dpad, v, &g1);
        gradient_step(xa, hx, rs, hs, q + 2, nb, dpad, v, &g2);
        gradient_step(xa, hx, rs, hs, q + 3, nb, dpad, v, &g3);
      }
      const __m256d sum = _mm256_add_pd(_mm256_add_pd(g0, g1), _mm256_add_pd(g2, g3));
      _mm256_storeu_pd(g + 4 * v, _mm256_add_pd(_mm256_loadu_pd(g + 4 * v), sum));
    }
    std::size_t j = 0;
    for (; j + 2 <= dims; j += 2) hessian_rows<2>(xa, hx, nb, dpad, j, h);
    if (j < dims) hessian_rows<1>(xa, hx, nb, dpad, j, h);
  }
  alignas(32) double l4[4];
  _mm256_store_pd(l4, loss_acc);
  *loss += (l4[0] + l4[1]) + (l4[2] + l4[3]);
}
#undef CONSENTRIC_AVX2
#endif  // CONSENTRIC_SCORE_X86

}  // namespace

void newton_pass(const PassInput& in, const double* theta, std::size_t begin, std::size_t end,
                 double* loss, double* g, double* h) {
#if CONSENTRIC_SCORE_X86
  if (avx2_newton_active()) return newton_pass_avx2(in, theta, begin, end, loss, g, h);
#endif
  newton_pass_portable(in, theta, begin, end, loss, g, h);
}

void force_portable_newton(bool on) { g_force_portable.store(on, std::memory_order_relaxed); }
bool avx2_newton_active() {
  return cpu_has_avx2_fma() && !g_force_portable.load(std::memory_order_relaxed);
}

}  // namespace consentric::score::detail
