#pragma once

// Logistic regression with an L2 penalty, class and sample weights, fitted by Newton's method
// (iteratively reweighted least squares) on Eigen; scoring with AVX2 where the processor has it.
// docs/algorithms/lead-scoring-models.md has the derivation and the measured figures.
//
//   CONSENTRIC_ASSIGN_OR_RETURN(LogisticModel m,
//       fit_logistic(x, labels, {}, {.l2 = 1.0, .class_weight = ClassWeight::kBalanced}));
//   m.predict_proba(test, probabilities);            // one float per row
//
// The objective, with θ = (w, b), y_i ∈ {0, 1}, z_i = w·x_i + b, p_i = σ(z_i):
//
//   f(θ) = Σ_i s_i c_{y_i} [log(1 + e^{z_i}) − y_i z_i]  +  (l2 / 2) ||w||²
//
// s_i the sample weights (1 when none are given), c_0 and c_1 the class weights, the intercept
// b unpenalized. It is scikit-learn's LogisticRegression objective with C = 1 / l2 (its lbfgs
// solver minimizes exactly this sum, unscaled), so a model fitted here and one fitted there
// with the same C and weights have the same optimum.
//
// Convergence: the fit stops when max_j |∂f/∂θ_j| <= tolerance, the infinity norm of the
// gradient of f above (intercept included) — the test scikit-learn's lbfgs applies with
// gtol = tol, so `tolerance` here and `tol` there mean the same thing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "consentric/status.h"
#include "score/features.h"
#include "score/matrix.h"

namespace consentric::score {

enum class ClassWeight {
  kNone,      // c_0 = c_1 = 1
  kBalanced,  // c_k = n / (2 n_k), n_k the rows of class k (scikit-learn's "balanced")
  kGiven,     // c_0 = LogisticOptions::weight_negative, c_1 = weight_positive
};

struct LogisticOptions {
  double l2 = 1.0;  // the penalty on ||w||² / 2; scikit-learn's C = 1 / l2. REQUIRES: >= 0
  ClassWeight class_weight = ClassWeight::kNone;
  double weight_negative = 1.0;  // with kGiven
  double weight_positive = 1.0;  // with kGiven
  bool fit_intercept = true;
  // Fit a StandardScaler on x first and train on the scaled rows (a scaled copy of x is made);
  // the scaler is kept in the model and predictions take raw rows.
  bool standardize = false;
  // From 100,000 rows: first solve on every 10th row (the penalty scaled by the same tenth),
  // then continue from that θ on all rows. Only the starting point changes: the result is the
  // full problem's optimum to `tolerance` either way, in fewer passes over all the rows.
  bool warm_start = true;
  double tolerance = 1e-4;   // on max_j |∂f/∂θ_j|, see above
  int max_iterations = 100;  // Newton steps
  int threads = 2;           // for the passes over the rows
};

struct LogisticModel {
  // In the space the model was trained in: scaled features when `scaler` is set.
  std::vector<double> coef;
  double intercept = 0;
  std::optional<StandardScaler> scaler;

  // How the fit went.
  int iterations = 0;         // Newton steps taken
  int passes = 0;             // passes over the rows (one per step, plus one per step halving)
  int warm_start_passes = 0;  // passes over the warm start's tenth of the rows
  bool converged = false;     // the gradient test passed within max_iterations
  double objective = 0;       // f at the solution
  double gradient_norm = 0;   // max_j |∂f/∂θ_j| at the solution

  std::size_t cols() const { return coef.size(); }

  // Margins z = w·x + b (raw rows: the scaler is folded into the weights) for every row of x
  // into out[0..x.rows). REQUIRES: x.cols == cols(), out.size() >= x.rows. `threads` >= 1.
  void predict_margin(MatrixRef x, std::span<float> out, int threads = 1) const;
  // σ(z) for every row, as predict_margin.
  void predict_proba(MatrixRef x, std::span<float> out, int threads = 1) const;
  // Per-feature contributions to the margin of one raw row: coef_j × (scaled) x_j; their sum
  // plus intercept is the margin (up to float rounding). REQUIRES: row has cols() values.
  std::vector<double> contributions(const float* row) const;

  // The weights in raw-feature space (the scaler folded in), as the scoring kernels use them.
  std::vector<float> raw_coef() const;
  double raw_intercept() const;
};

// Fits on the rows of x with labels[i] ∈ {0, 1}; `sample_weight` is empty or has x.rows
// non-negative values. Fails (kInvalidArgument) on mismatched sizes, labels other than 0 and 1,
// non-finite features or weights, negative weights or penalty, a class with no (weighted)
// rows when fitting an intercept — and never on separable data when l2 > 0.
Result<LogisticModel> fit_logistic(MatrixRef x, std::span<const float> labels,
                                   std::span<const float> sample_weight,
                                   const LogisticOptions& options);

namespace detail {
// Test hook: true makes the scoring kernels use the portable loops even on an AVX2 machine.
void force_portable_scoring(bool on);
bool avx2_scoring_active();
}  // namespace detail

}  // namespace consentric::score
