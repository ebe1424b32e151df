#include "score/logistic.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <thread>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "score/cpu.h"
#include "score/logistic_kernels.h"

namespace consentric::score {
namespace {

using Eigen::Index;

// Rows per thread below which a pass runs on fewer threads.
constexpr std::size_t kMinRowsPerThread = 4096;
// Armijo's sufficient-decrease constant, and how often a step may be halved.
constexpr double kArmijo = 1e-4;
constexpr int kMaxHalvings = 40;
// The warm start (LogisticOptions::warm_start): every kWarmStride-th row, from this many rows.
constexpr std::size_t kWarmStride = 10;
constexpr std::size_t kWarmStartMinRows = 100'000;

// Runs fn(t) for t in [0, threads) on `threads` threads (t = 0 on the caller) and waits.
void on_threads(int threads, const std::function<void(int)>& fn) {
  std::vector<std::jthread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back([&fn, t] { fn(t); });
  fn(0);
}

// The t-th of `parts` contiguous ranges of [0, n).
std::pair<std::size_t, std::size_t> range_of(std::size_t n, int t, int parts) {
  const std::size_t per = n / static_cast<std::size_t>(parts);
  const std::size_t extra = n % static_cast<std::size_t>(parts);
  const auto ut = static_cast<std::size_t>(t);
  const std::size_t begin = ut * per + std::min(ut, extra);
  return {begin, begin + per + (ut < extra ? 1 : 0)};
}

// The data of one fit, and the sums of one pass over it at one θ.
struct Problem {
  MatrixRef x;
  std::span<const float> labels;
  std::span<const float> sample_weight;  // empty: all 1
  double class_weight[2] = {1, 1};
  double l2 = 0;
  bool intercept = true;
  int threads = 1;
  Index dims() const { return static_cast<Index>(x.cols) + (intercept ? 1 : 0); }
};

struct Sums {
  double loss = 0;    // Σ weighted log loss
  Eigen::VectorXd g;  // Σ weighted (p − y) x̃
  Eigen::MatrixXd h;  // Σ weighted p (1 − p) x̃ x̃ᵀ, lower triangle
};

// One pass over rows [begin, end) at θ: the loss, gradient and Hessian of the unpenalized sum,
// over x̃ = (x, 1), by the kernels of logistic_kernels.cc.
void pass_range(const Problem& pr, const Eigen::VectorXd& theta, std::size_t begin, std::size_t end,
                Sums* out) {
  detail::PassInput in;
  in.x = pr.x;
  in.labels = pr.labels;
  in.sample_weight = pr.sample_weight;
  in.class_weight[0] = pr.class_weight[0];
  in.class_weight[1] = pr.class_weight[1];
  in.intercept = pr.intercept;
  const std::size_t dpad = in.dpad();
  const auto dims = static_cast<std::size_t>(pr.dims());
  std::vector<double> th(dpad, 0.0), g(dpad, 0.0), h(dpad * dpad, 0.0);
  for (std::size_t j = 0; j < dims; ++j) th[j] = theta(static_cast<Index>(j));
  double loss = 0;
  detail::newton_pass(in, th.data(), begin, end, &loss, g.data(), h.data());
  out->loss = loss;
  out->g = Eigen::Map<const Eigen::VectorXd>(g.data(), static_cast<Index>(dims));
  out->h.setZero(static_cast<Index>(dims), static_cast<Index>(dims));
  for (std::size_t j = 0; j < dims; ++j) {
    for (std::size_t k = j; k < dims; ++k) {
      out->h(static_cast<Index>(k), static_cast<Index>(j)) = h[j * dpad + k];
    }
  }
}

// f, ∇f and ∇²f (the penalty included) at θ, over every row on pr.threads threads. The
// threads' sums are added in a fixed order, so the result does not depend on timing.
Sums evaluate(const Problem& pr, const Eigen::VectorXd& theta) {
  const int parts =
      std::max(1, std::min<int>(pr.threads, static_cast<int>(pr.x.rows / kMinRowsPerThread) + 1));
  std::vector<Sums> part(static_cast<std::size_t>(parts));
  on_threads(parts, [&](int t) {
    const auto [begin, end] = range_of(pr.x.rows, t, parts);
    pass_range(pr, theta, begin, end, &part[static_cast<std::size_t>(t)]);
  });
  Sums s = std::move(part[0]);
  for (std::size_t i = 1; i < part.size(); ++i) {
    s.loss += part[i].loss;
    s.g += part[i].g;
    s.h += part[i].h;
  }
  const Index cols = static_cast<Index>(pr.x.cols);
  const auto w = theta.head(cols);
  s.loss += 0.5 * pr.l2 * w.squaredNorm();
  s.g.head(cols) += pr.l2 * w;
  s.h.diagonal().head(cols).array() += pr.l2;
  return s;
}

double inf_norm(const Eigen::VectorXd& v) { return v.size() == 0 ? 0 : v.cwiseAbs().maxCoeff(); }

// The Newton direction −H⁻¹g by LDLT of the lower triangle; when H is not safely positive
// definite (no penalty and collinear or separable data), a growing ridge is added until it is.
Eigen::VectorXd newton_direction(const Sums& s) {
  Eigen::MatrixXd h = s.h.selfadjointView<Eigen::Lower>();
  const double scale = std::max(h.diagonal().cwiseAbs().maxCoeff(), 1e-300);
  for (double ridge = 0; ridge < 1e6 * scale; ridge = ridge == 0 ? 1e-12 * scale : ridge * 100) {
    Eigen::MatrixXd m = h;
    m.diagonal().array() += ridge;
    Eigen::LDLT<Eigen::MatrixXd> ldlt(m);
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive()) continue;
    Eigen::VectorXd d = ldlt.solve(-s.g);
    if (d.allFinite() && d.dot(s.g) < 0) return d;
  }
  return -s.g / scale;  // steepest descent, scaled: the line search sizes it
}

// ---------------------------------------------------------------------------------------------
// Scoring kernels: margins w·x + b over raw rows, and σ.

std::atomic<bool> g_force_portable{false};

bool use_avx2() {
  return detail::cpu_has_avx2_fma() && !g_force_portable.load(std::memory_order_relaxed);
}

void margins_portable(MatrixRef x, std::size_t begin, std::size_t end, const float* w, float b,
                      float* out) {
  const std::size_t cols = x.cols;
  for (std::size_t r = begin; r < end; ++r) {
    const float* row = x.row(r);
    // Eight partial sums, so the compiler may keep them in vector lanes.
    float lane[8] = {};
    std::size_t j = 0;
    for (; j + 8 <= cols; j += 8) {
      for (std::size_t k = 0; k < 8; ++k) lane[k] += row[j + k] * w[j + k];
    }
    for (std::size_t k = 0; j + k < cols; ++k) lane[k] += row[j + k] * w[j + k];
    float sum =
        ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
    out[r] = sum + b;
  }
}

void sigmoid_portable(float* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) v[i] = 1.0f / (1.0f + std::exp(-v[i]));
}

#if CONSENTRIC_SCORE_X86
#define CONSENTRIC_AVX2 __attribute__((target("avx2,fma")))

// Eight sums, one per vector: lane i of the result is the sum of the lanes of v[i].
CONSENTRIC_AVX2 inline __m256 sum8(const __m256* v) {
  const __m256 t0 = _mm256_hadd_ps(v[0], v[1]);
  const __m256 t1 = _mm256_hadd_ps(v[2], v[3]);
  const __m256 t2 = _mm256_hadd_ps(v[4], v[5]);
  const __m256 t3 = _mm256_hadd_ps(v[6], v[7]);
  const __m256 u0 = _mm256_hadd_ps(t0, t1);  // rows 0-3, low then high halves
  const __m256 u1 = _mm256_hadd_ps(t2, t3);  // rows 4-7
  return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

CONSENTRIC_AVX2 void margins_avx2(MatrixRef x, std::size_t begin, std::size_t end, const float* w,
                                  float b, float* out) {
  const std::size_t cols = x.cols;
  const std::size_t full = cols / 8 * 8;
  const int tail = static_cast<int>(cols - full);
  alignas(32) std::int32_t mask_bits[8];
  for (int i = 0; i < 8; ++i) mask_bits[i] = i < tail ? -1 : 0;
  const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(mask_bits));
  const __m256 wtail = _mm256_maskload_ps(w + full, mask);
  const __m256 bias = _mm256_set1_ps(b);
  std::size_t r = begin;
  for (; r + 8 <= end; r += 8) {
    __m256 acc[8];
    const float* row0 = x.row(r);
    for (int i = 0; i < 8; ++i) acc[i] = _mm256_setzero_ps();
    for (std::size_t j = 0; j < full; j += 8) {
      const __m256 wv = _mm256_loadu_ps(w + j);
      for (int i = 0; i < 8; ++i) {
        acc[i] = _mm256_fmadd_ps(_mm256_loadu_ps(row0 + static_cast<std::size_t>(i) * cols + j), wv,
                                 acc[i]);
      }
    }
    if (tail != 0) {
      for (int i = 0; i < 8; ++i) {
        acc[i] = _mm256_fmadd_ps(
            _mm256_maskload_ps(row0 + static_cast<std::size_t>(i) * cols + full, mask), wtail,
            acc[i]);
      }
    }
    _mm256_storeu_ps(out + r, _mm256_add_ps(sum8(acc), bias));
  }
  margins_portable(x, r, end, w, b, out);
}

// e^x for float lanes: x = n ln2 + f, |f| <= ln2 / 2, e^f by a degree-7 Taylor polynomial
// (relative error below 2e-8 before rounding), times 2^n built in the exponent bits. Inputs
// are clamped to [−87, 88], where e^x is a normal float.
CONSENTRIC_AVX2 inline __m256 exp_avx2(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 f = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);  // ln2, high part (exact)
  f = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), f);      // ln2, low part
  __m256 p = _mm256_set1_ps(1.0f / 5040);
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f / 720));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f));
  const __m256i e =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

CONSENTRIC_AVX2 void sigmoid_avx2(float* v, std::size_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 z = _mm256_loadu_ps(v + i);
    const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), z));
    _mm256_storeu_ps(v + i, _mm256_div_ps(one, _mm256_add_ps(one, e)));
  }
  sigmoid_portable(v + i, n - i);
}
#undef CONSENTRIC_AVX2
#endif  // CONSENTRIC_SCORE_X86

void margins(MatrixRef x, std::size_t begin, std::size_t end, const float* w, float b, float* out) {
#if CONSENTRIC_SCORE_X86
  if (use_avx2()) return margins_avx2(x, begin, end, w, b, out);
#endif
  margins_portable(x, begin, end, w, b, out);
}

void sigmoid(float* v, std::size_t n) {
#if CONSENTRIC_SCORE_X86
  if (use_avx2()) return sigmoid_avx2(v, n);
#endif
  sigmoid_portable(v, n);
}

// Rows per chunk when scoring: margins, then σ, while the chunk's margins are in L1.
constexpr std::size_t kScoreChunk = 2048;

void score_rows(const LogisticModel& m, MatrixRef x, std::span<float> out, int threads,
                bool proba) {
  const std::vector<float> w = m.raw_coef();
  const auto b = static_cast<float>(m.raw_intercept());
  const int parts = std::max(1, std::min<int>(threads, static_cast<int>(x.rows / kScoreChunk) + 1));
  on_threads(parts, [&](int t) {
    const auto [begin, end] = range_of(x.rows, t, parts);
    for (std::size_t c = begin; c < end; c += kScoreChunk) {
      const std::size_t stop = std::min(end, c + kScoreChunk);
      margins(x, c, stop, w.data(), b, out.data());
      if (proba) sigmoid(out.data() + c, stop - c);
    }
  });
}

struct Solve {
  Sums sums;  // at the final θ
  int iterations = 0;
  int passes = 0;
  bool converged = false;
};

// Newton's method from *theta until max_j |∂f/∂θ_j| <= tolerance: each step −H⁻¹g, halved
// until f decreases enough (Armijo); one pass over the rows per trial point.
Solve newton_solve(const Problem& pr, Eigen::VectorXd* theta, double tolerance,
                   int max_iterations) {
  Solve out;
  out.sums = evaluate(pr, *theta);
  out.passes = 1;
  Sums& s = out.sums;
  while (true) {
    if (inf_norm(s.g) <= tolerance) {
      out.converged = true;
      break;
    }
    if (out.iterations >= max_iterations) break;
    const Eigen::VectorXd d = newton_direction(s);
    const double slope = d.dot(s.g);  // < 0
    double step = 1;
    bool accepted = false;
    for (int halving = 0; halving <= kMaxHalvings; ++halving, step *= 0.5) {
      const Eigen::VectorXd trial = *theta + step * d;
      Sums ts = evaluate(pr, trial);
      ++out.passes;
      // Near the optimum the decrease a Newton step makes falls below the rounding of f
      // (about 1e-16 |f|); there a full step that shrinks the gradient is taken on its
      // gradient, as f cannot tell.
      const bool flat = step == 1 && std::abs(ts.loss - s.loss) <= 1e-12 * std::abs(s.loss) &&
                        inf_norm(ts.g) < inf_norm(s.g);
      if (std::isfinite(ts.loss) && (ts.loss <= s.loss + kArmijo * step * slope || flat)) {
        *theta = trial;
        s = std::move(ts);
        accepted = true;
        break;
      }
    }
    ++out.iterations;
    // No step decreases f: θ is at the optimum as far as double arithmetic can tell.
    if (!accepted) break;
  }
  return out;
}

}  // namespace

namespace detail {
void force_portable_scoring(bool on) { g_force_portable.store(on, std::memory_order_relaxed); }
bool avx2_scoring_active() { return use_avx2(); }
}  // namespace detail

std::vector<float> LogisticModel::raw_coef() const {
  std::vector<float> w(coef.size());
  for (std::size_t j = 0; j < coef.size(); ++j) {
    w[j] = static_cast<float>(scaler ? coef[j] / scaler->scale[j] : coef[j]);
  }
  return w;
}

double LogisticModel::raw_intercept() const {
  double b = intercept;
  if (scaler) {
    for (std::size_t j = 0; j < coef.size(); ++j) {
      b -= coef[j] * scaler->mean[j] / scaler->scale[j];
    }
  }
  return b;
}

void LogisticModel::predict_margin(MatrixRef x, std::span<float> out, int threads) const {
  score_rows(*this, x, out, threads, false);
}

void LogisticModel::predict_proba(MatrixRef x, std::span<float> out, int threads) const {
  score_rows(*this, x, out, threads, true);
}

std::vector<double> LogisticModel::contributions(const float* row) const {
  std::vector<double> c(coef.size());
  for (std::size_t j = 0; j < coef.size(); ++j) {
    const double v = scaler ? (row[j] - scaler->mean[j]) / scaler->scale[j] : row[j];
    c[j] = coef[j] * v;
  }
  return c;
}

Result<LogisticModel> fit_logistic(MatrixRef x, std::span<const float> labels,
                                   std::span<const float> sample_weight,
                                   const LogisticOptions& options) {
  if (labels.size() != x.rows) {
    return invalid_argument(
        fmt::format("logistic regression: {} labels for {} rows", labels.size(), x.rows));
  }
  if (!sample_weight.empty() && sample_weight.size() != x.rows) {
    return invalid_argument(fmt::format("logistic regression: {} sample weights for {} rows",
                                        sample_weight.size(), x.rows));
  }
  if (x.rows == 0 || x.cols == 0) {
    return invalid_argument("logistic regression: no rows or no columns to fit on");
  }
  if (!(options.l2 >= 0) || !std::isfinite(options.l2)) {
    return invalid_argument(
        fmt::format("logistic regression: l2 = {} must be finite and >= 0", options.l2));
  }
  if (!(options.tolerance >= 0) || options.max_iterations < 1 || options.threads < 1) {
    return invalid_argument(
        "logistic regression: tolerance must be >= 0, max_iterations and threads >= 1");
  }
  double weighted[2] = {0, 0};
  std::size_t count[2] = {0, 0};
  for (std::size_t i = 0; i < x.rows; ++i) {
    const float y = labels[i];
    if (y != 0.0f && y != 1.0f) {
      return invalid_argument(
          fmt::format("logistic regression: row {}: label {} is neither 0 nor 1", i, y));
    }
    const double s = sample_weight.empty() ? 1.0 : sample_weight[i];
    if (!(s >= 0) || !std::isfinite(s)) {
      return invalid_argument(fmt::format(
          "logistic regression: row {}: sample weight {} must be finite and >= 0", i, s));
    }
    weighted[y == 1.0f ? 1 : 0] += s;
    ++count[y == 1.0f ? 1 : 0];
  }
  for (std::size_t i = 0; i < x.rows * x.cols; ++i) {
    if (!std::isfinite(x.data[i])) {
      return invalid_argument(fmt::format(
          "logistic regression: row {}, column {}: value {} is not finite (impute missing "
          "values first)",
          i / x.cols, i % x.cols, x.data[i]));
    }
  }

  Problem pr;
  pr.x = x;
  pr.labels = labels;
  pr.sample_weight = sample_weight;
  pr.l2 = options.l2;
  pr.intercept = options.fit_intercept;
  pr.threads = options.threads;
  switch (options.class_weight) {
    case ClassWeight::kNone:
      break;
    case ClassWeight::kBalanced:
      for (int k = 0; k < 2; ++k) {
        pr.class_weight[k] =
            count[k] == 0 ? 1.0
                          : static_cast<double>(x.rows) / (2.0 * static_cast<double>(count[k]));
      }
      break;
    case ClassWeight::kGiven:
      if (!(options.weight_negative >= 0) || !(options.weight_positive >= 0) ||
          !std::isfinite(options.weight_negative) || !std::isfinite(options.weight_positive)) {
        return invalid_argument("logistic regression: class weights must be finite and >= 0");
      }
      pr.class_weight[0] = options.weight_negative;
      pr.class_weight[1] = options.weight_positive;
      break;
  }
  const double mass0 = weighted[0] * pr.class_weight[0];
  const double mass1 = weighted[1] * pr.class_weight[1];
  if (pr.intercept && (mass0 <= 0 || mass1 <= 0)) {
    return invalid_argument(fmt::format(
        "logistic regression: needs rows of both classes with positive weight (got {} of class 0, "
        "{} of class 1)",
        count[0], count[1]));
  }

  LogisticModel model;
  std::vector<float> scaled;
  if (options.standardize) {
    model.scaler = StandardScaler::fit(x);
    scaled.assign(x.data, x.data + x.rows * x.cols);
    model.scaler->apply(scaled.data(), x.rows);
    pr.x = {scaled.data(), x.rows, x.cols};
  }

  const Index cols = static_cast<Index>(x.cols);
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(pr.dims());
  // Start from the intercept that fits the weighted base rate: the optimum when w = 0.
  if (pr.intercept) theta(cols) = std::log(mass1 / mass0);

  // Warm start: Newton on every kWarmStride-th row (the penalty scaled alike, so both
  // optima estimate the same θ) lands within sampling error of the full optimum at a tenth of
  // the cost a pass; the full passes then start inside Newton's quadratic region.
  if (options.warm_start && x.rows >= kWarmStartMinRows) {
    std::vector<float> sub_x, sub_y, sub_w;
    const std::size_t n_sub = (x.rows + kWarmStride - 1) / kWarmStride;
    sub_x.reserve(n_sub * x.cols);
    for (std::size_t r = 0; r < x.rows; r += kWarmStride) {
      sub_x.insert(sub_x.end(), pr.x.row(r), pr.x.row(r) + x.cols);
      sub_y.push_back(labels[r]);
      if (!sample_weight.empty()) sub_w.push_back(sample_weight[r]);
    }
    Problem sub = pr;
    sub.x = {sub_x.data(), sub_y.size(), x.cols};
    sub.labels = sub_y;
    sub.sample_weight = sub_w;
    sub.l2 = pr.l2 * static_cast<double>(sub_y.size()) / static_cast<double>(x.rows);
    const double sub_tol =
        options.tolerance * static_cast<double>(sub_y.size()) / static_cast<double>(x.rows);
    const Solve warm = newton_solve(sub, &theta, sub_tol, options.max_iterations);
    model.warm_start_passes = warm.passes;
  }
  const Solve solve = newton_solve(pr, &theta, options.tolerance, options.max_iterations);
  const Sums& s = solve.sums;
  const int iterations = solve.iterations;
  const int passes = solve.passes;
  const bool converged = solve.converged;

  model.coef.assign(theta.data(), theta.data() + cols);
  model.intercept = pr.intercept ? theta(cols) : 0.0;
  model.iterations = iterations;
  model.passes = passes;
  model.converged = converged;
  model.objective = s.loss;
  model.gradient_norm = inf_norm(s.g);
  return model;
}

}  // namespace consentric::score
