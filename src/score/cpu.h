#pragma once

// What the processor can run, read once: the kernels of logistic.cc, logistic_kernels.cc and
// boosted_trees.cc pick their SIMD path from here (and fall back to portable loops).

#if defined(__x86_64__)
#define CONSENTRIC_SCORE_X86 1
#include <immintrin.h>
#else
#define CONSENTRIC_SCORE_X86 0
#endif

namespace consentric::score::detail {

inline bool cpu_has_avx2_fma() {
#if CONSENTRIC_SCORE_X86
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

inline bool cpu_has_avx512f() {
#if CONSENTRIC_SCORE_X86
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
#else
  return false;
#endif
}

}  // namespace consentric::score::detail
