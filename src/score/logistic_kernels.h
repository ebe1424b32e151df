#pragma once

// Private to logistic.cc: one pass of Newton's method over a range of rows — the weighted log
// loss, its gradient and its Hessian at θ — with AVX2 and FMA when the processor has them
// (chosen at run time) and portable loops otherwise. Both accumulate in double.

#include <cstddef>
#include <span>
#include <vector>

#include "score/matrix.h"

namespace consentric::score::detail {

struct PassInput {
  MatrixRef x;
  std::span<const float> labels;
  std::span<const float> sample_weight;  // empty: all 1
  double class_weight[2] = {1, 1};
  bool intercept = true;
  // x̃ = (x, 1) when intercept, padded with zeros to dpad = dims rounded up to 4.
  std::size_t dims() const { return x.cols + (intercept ? 1 : 0); }
  std::size_t dpad() const { return (dims() + 3) / 4 * 4; }
};

// Σ over rows [begin, end) of the weighted loss, (p − y) x̃ and p (1 − p) x̃ x̃ᵀ, ADDED to
// *loss, g[0..dpad) and h (dpad × dpad, row-major; only the upper triangle j <= k is written,
// in blocks of 4 columns, so some entries left of the diagonal are written too and must be
// ignored). theta has dpad values, zero in the padding.
void newton_pass(const PassInput& in, const double* theta, std::size_t begin, std::size_t end,
                 double* loss, double* g, double* h);

// Test hook: true makes newton_pass use the portable loops even on an AVX2 machine.
void force_portable_newton(bool on);
bool avx2_newton_active();

}  // namespace consentric::score::detail
