#include "score/logistic.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "score/logistic_kernels.h"
#include "testing/status_matchers.h"

namespace consentric::score {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

struct Data {
  std::vector<float> x;
  std::vector<float> y;
  std::size_t rows = 0;
  std::size_t cols = 0;
  MatrixRef ref() const { return {x.data(), rows, cols}; }
};

// Rows with features ~ N(offset, 1) and labels from a logistic model with weights `w`, bias b.
Data logistic_data(std::size_t rows, const std::vector<double>& w, double b, std::uint64_t seed,
                   float offset = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  Data d{{}, {}, rows, w.size()};
  for (std::size_t r = 0; r < rows; ++r) {
    double z = b;
    for (double wj : w) {
      const double v = normal(rng) + offset;
      d.x.push_back(static_cast<float>(v));
      z += wj * static_cast<float>(v);
    }
    d.y.push_back(u(rng) < 1 / (1 + std::exp(-z)) ? 1.0f : 0.0f);
  }
  return d;
}

// The reference: plain gradient descent on the same objective, in double, with step 1/L for
// L = ||X̃||²_F / 4 + l2 (an upper bound on the Hessian's largest eigenvalue), run until the
// gradient is below 1e-11. Slow and obviously correct.
std::vector<double> gradient_descent(const Data& d, double l2, const std::vector<double>& s) {
  const std::size_t dims = d.cols + 1;
  double frob = 0;
  for (std::size_t r = 0; r < d.rows; ++r) {
    frob += 1;
    for (std::size_t j = 0; j < d.cols; ++j)
      frob += double(d.x[r * d.cols + j]) * d.x[r * d.cols + j];
  }
  double smax = 0;
  for (double v : s) smax = std::max(smax, v);
  const double step = 1 / (smax * frob / 4 + l2);
  std::vector<double> theta(dims, 0), g(dims);
  for (int it = 0; it < 2'000'000; ++it) {
    std::fill(g.begin(), g.end(), 0.0);
    for (std::size_t r = 0; r < d.rows; ++r) {
      double z = theta[d.cols];
      for (std::size_t j = 0; j < d.cols; ++j) z += theta[j] * d.x[r * d.cols + j];
      const double e = s[r] * (1 / (1 + std::exp(-z)) - d.y[r]);
      for (std::size_t j = 0; j < d.cols; ++j) g[j] += e * d.x[r * d.cols + j];
      g[d.cols] += e;
    }
    double norm = 0;
    for (std::size_t j = 0; j < d.cols; ++j) g[j] += l2 * theta[j];
    for (double v : g) norm = std::max(norm, std::abs(v));
    if (norm < 1e-11) break;
    for (std::size_t j = 0; j < dims; ++j) theta[j] -= step * g[j];
  }
  return theta;
}

TEST(LogisticTest, NewtonMatchesGradientDescentOnTwoFeatures) {
  const Data d = logistic_data(300, {1.5, -0.8}, 0.3, 1);
  const std::vector<double> ref = gradient_descent(d, 0.5, std::vector<double>(d.rows, 1.0));
  auto m = fit_logistic(d.ref(), d.y, {}, {.l2 = 0.5, .tolerance = 1e-10});
  ASSERT_OK(m);
  EXPECT_TRUE(m->converged);
  EXPECT_LE(m->gradient_norm, 1e-10);
  EXPECT_LE(m->iterations, 10);
  EXPECT_NEAR(m->coef[0], ref[0], 1e-6);
  EXPECT_NEAR(m->coef[1], ref[1], 1e-6);
  EXPECT_NEAR(m->intercept, ref[2], 1e-6);
}

TEST(LogisticTest, SampleWeightsMatchGradientDescent) {
  const Data d = logistic_data(200, {0.7, 0.2, -1.1}, -0.5, 2);
  std::vector<float> w(d.rows);
  std::vector<double> wd(d.rows);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> u(0.1f, 3.0f);
  for (std::size_t i = 0; i < d.rows; ++i) wd[i] = w[i] = u(rng);
  const std::vector<double> ref = gradient_descent(d, 2.0, wd);
  auto m = fit_logistic(d.ref(), d.y, w, {.l2 = 2.0, .tolerance = 1e-10});
  ASSERT_OK(m);
  for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(m->coef[j], ref[j], 1e-6) << j;
  EXPECT_NEAR(m->intercept, ref[3], 1e-6);
}

// With every feature 0 the optimum is solved by hand: w = 0 and σ(b) = the weighted positive
// rate, b = log(n1 / n0) — the intercept is not penalized, whatever l2.
TEST(LogisticTest, InterceptOnlyIsTheLogOdds) {
  Data d{std::vector<float>(100 * 2, 0.0f), {}, 100, 2};
  for (int i = 0; i < 100; ++i) d.y.push_back(i < 30 ? 1.0f : 0.0f);
  auto m = fit_logistic(d.ref(), d.y, {}, {.l2 = 1e6, .tolerance = 1e-12});
  ASSERT_OK(m);
  EXPECT_NEAR(m->intercept, std::log(30.0 / 70.0), 1e-12);
  EXPECT_EQ(m->coef[0], 0.0);
  auto balanced = fit_logistic(d.ref(), d.y, {}, {.class_weight = ClassWeight::kBalanced});
  ASSERT_OK(balanced);
  EXPECT_NEAR(balanced->intercept, 0.0, 1e-12);  // the classes weigh the same
}

TEST(LogisticTest, InterceptIsNotShrunk) {
  // 95% positives and a huge penalty: the weights go to 0, the intercept to logit(rate).
  const Data d = logistic_data(2000, {1.0, 1.0}, 3.0, 4);
  double pos = 0;
  for (float v : d.y) pos += v;
  auto m = fit_logistic(d.ref(), d.y, {}, {.l2 = 1e9, .tolerance = 1e-8});
  ASSERT_OK(m);
  EXPECT_LT(std::abs(m->coef[0]), 1e-4);
  EXPECT_NEAR(m->intercept, std::log(pos / (2000 - pos)), 1e-3);
  EXPECT_GT(m->intercept, 2.0);
}

TEST(LogisticTest, ClassWeightsEqualDuplicatedRowsAndSampleWeights) {
  const Data d = logistic_data(400, {0.5, -1.0}, 0.0, 5);
  // Positives weighted 3: the same as each positive row three times.
  Data dup = d;
  for (std::size_t r = 0; r < d.rows; ++r) {
    if (d.y[r] != 1.0f) continue;
    for (int k = 0; k < 2; ++k) {
      dup.x.insert(dup.x.end(), d.x.begin() + static_cast<long>(r * d.cols),
                   d.x.begin() + static_cast<long>((r + 1) * d.cols));
      dup.y.push_back(1.0f);
      ++dup.rows;
    }
  }
  auto given = fit_logistic(
      d.ref(), d.y, {},
      {.class_weight = ClassWeight::kGiven, .weight_positive = 3.0, .tolerance = 1e-10});
  auto duplicated = fit_logistic(dup.ref(), dup.y, {}, {.tolerance = 1e-10});
  ASSERT_OK(given);
  ASSERT_OK(duplicated);
  for (std::size_t j = 0; j < 2; ++j) EXPECT_NEAR(given->coef[j], duplicated->coef[j], 1e-8);
  EXPECT_NEAR(given->intercept, duplicated->intercept, 1e-8);

  // Balanced: c_k = n / (2 n_k), the same as those sample weights.
  double n1 = 0;
  for (float v : d.y) n1 += v;
  const double n0 = static_cast<double>(d.rows) - n1;
  std::vector<float> sw;
  for (float v : d.y) sw.push_back(static_cast<float>(d.rows / (2 * (v == 1.0f ? n1 : n0))));
  auto balanced =
      fit_logistic(d.ref(), d.y, {}, {.class_weight = ClassWeight::kBalanced, .tolerance = 1e-10});
  auto weighted = fit_logistic(d.ref(), d.y, sw, {.tolerance = 1e-10});
  ASSERT_OK(balanced);
  ASSERT_OK(weighted);
  for (std::size_t j = 0; j < 2; ++j) EXPECT_NEAR(balanced->coef[j], weighted->coef[j], 1e-5);
  EXPECT_NE(balanced->intercept, given->intercept);
}

TEST(LogisticTest, SeparableDataConvergesWithPenalty) {
  Data d{{}, {}, 0, 1};
  for (int i = -50; i < 50; ++i) {
    d.x.push_back(static_cast<float>(i) + 0.5f);
    d.y.push_back(i >= 0 ? 1.0f : 0.0f);
    ++d.rows;
  }
  auto m = fit_logistic(d.ref(), d.y, {}, {.l2 = 1.0});
  ASSERT_OK(m);
  EXPECT_TRUE(m->converged);
  EXPECT_TRUE(std::isfinite(m->coef[0]));
  EXPECT_GT(m->coef[0], 0.5);
  EXPECT_LT(m->coef[0], 100.0);
  EXPECT_LE(m->iterations, 30);
  // Without a penalty the optimum is at infinity: the fit stops without converging, finite.
  auto free = fit_logistic(d.ref(), d.y, {}, {.l2 = 0.0, .max_iterations = 50});
  ASSERT_OK(free);
  EXPECT_TRUE(std::isfinite(free->coef[0]));
}

TEST(LogisticTest, WarmStartReachesTheSameOptimum) {
  const Data d = logistic_data(120'000, {0.8, -0.5, 0.3, 1.1}, -1.5, 11);
  auto warm = fit_logistic(d.ref(), d.y, {}, {.tolerance = 1e-6});
  auto cold = fit_logistic(d.ref(), d.y, {}, {.warm_start = false, .tolerance = 1e-6});
  ASSERT_OK(warm);
  ASSERT_OK(cold);
  EXPECT_GT(warm->warm_start_passes, 0);
  EXPECT_EQ(cold->warm_start_passes, 0);
  EXPECT_LT(warm->passes, cold->passes);
  EXPECT_TRUE(warm->converged);
  EXPECT_LE(warm->gradient_norm, 1e-6);
  for (std::size_t j = 0; j < 4; ++j) EXPECT_NEAR(warm->coef[j], cold->coef[j], 1e-9);
  EXPECT_NEAR(warm->intercept, cold->intercept, 1e-9);
}

TEST(LogisticTest, ThreadsDoNotChangeTheFit) {
  const Data d = logistic_data(5000, {0.3, -0.2, 0.9, 0.0, 1.2}, -1.0, 6);
  auto one = fit_logistic(d.ref(), d.y, {}, {.tolerance = 1e-9, .threads = 1});
  auto two = fit_logistic(d.ref(), d.y, {}, {.tolerance = 1e-9, .threads = 2});
  ASSERT_OK(one);
  ASSERT_OK(two);
  for (std::size_t j = 0; j < 5; ++j) EXPECT_NEAR(one->coef[j], two->coef[j], 1e-9);
}

TEST(LogisticTest, StandardizedFitScoresRawRows) {
  const Data d = logistic_data(1000, {0.8, -0.4, 0.3}, 0.2, 7, /*offset=*/5.0f);
  auto m = fit_logistic(d.ref(), d.y, {}, {.standardize = true, .tolerance = 1e-10});
  ASSERT_OK(m);
  ASSERT_TRUE(m->scaler.has_value());
  // The same as scaling by hand and fitting on the scaled copy.
  std::vector<float> scaled = d.x;
  m->scaler->apply(scaled.data(), d.rows);
  auto manual = fit_logistic({scaled.data(), d.rows, d.cols}, d.y, {}, {.tolerance = 1e-10});
  ASSERT_OK(manual);
  for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(m->coef[j], manual->coef[j], 1e-9);
  std::vector<float> raw(d.rows), pre(d.rows);
  m->predict_margin(d.ref(), raw);
  manual->predict_margin({scaled.data(), d.rows, d.cols}, pre);
  for (std::size_t i = 0; i < d.rows; ++i) EXPECT_NEAR(raw[i], pre[i], 1e-4) << i;
  // Contributions: coefficient × scaled value, summing to the margin with the intercept.
  const std::vector<double> c = m->contributions(d.x.data());
  double sum = m->intercept;
  for (double v : c) sum += v;
  EXPECT_NEAR(sum, raw[0], 1e-4);
}

TEST(LogisticTest, ScoringKernelsAgreeWithDoubleArithmetic) {
  // 19 columns: two full vectors of 8 and a tail of 3; 1003 rows: a tail of rows as well.
  std::vector<double> w(19);
  for (std::size_t j = 0; j < w.size(); ++j) w[j] = 0.1 * static_cast<double>(j) - 0.9;
  const Data d = logistic_data(1003, w, 0.4, 8);
  auto m = fit_logistic(d.ref(), d.y, {}, {});
  ASSERT_OK(m);
  for (bool portable : {false, true}) {
    detail::force_portable_scoring(portable);
    std::vector<float> margin(d.rows), proba(d.rows);
    m->predict_margin(d.ref(), margin, 2);
    m->predict_proba(d.ref(), proba, 2);
    for (std::size_t r = 0; r < d.rows; ++r) {
      double z = m->intercept;
      for (std::size_t j = 0; j < d.cols; ++j) z += m->coef[j] * d.x[r * d.cols + j];
      ASSERT_NEAR(margin[r], z, 1e-4 * (1 + std::abs(z))) << r << " portable " << portable;
      ASSERT_NEAR(proba[r], 1 / (1 + std::exp(-z)), 2e-6) << r << " portable " << portable;
    }
  }
  detail::force_portable_scoring(false);
}

TEST(LogisticTest, NewtonKernelsAgreeWithPortableLoops) {
  // 70 columns: the AVX2 pass's heap buffers (over 64 doubles a row); 333 rows: a partial block.
  std::vector<double> w(70);
  for (std::size_t j = 0; j < w.size(); ++j) w[j] = std::sin(static_cast<double>(j));
  const Data d = logistic_data(333, w, 0.5, 10);
  std::vector<float> sw(d.rows);
  for (std::size_t i = 0; i < d.rows; ++i) sw[i] = 0.5f + static_cast<float>(i % 3);
  for (bool intercept : {true, false}) {
    const LogisticOptions o{.l2 = 3.0,
                            .class_weight = ClassWeight::kBalanced,
                            .fit_intercept = intercept,
                            .tolerance = 1e-10};
    detail::force_portable_newton(true);
    auto portable = fit_logistic(d.ref(), d.y, sw, o);
    detail::force_portable_newton(false);
    auto fast = fit_logistic(d.ref(), d.y, sw, o);
    ASSERT_OK(portable);
    ASSERT_OK(fast);
    EXPECT_TRUE(fast->converged);
    EXPECT_NEAR(fast->objective, portable->objective, 1e-9 * portable->objective);
    for (std::size_t j = 0; j < w.size(); ++j) EXPECT_NEAR(fast->coef[j], portable->coef[j], 1e-8);
    EXPECT_NEAR(fast->intercept, portable->intercept, 1e-8);
    if (!intercept) {
      EXPECT_EQ(fast->intercept, 0.0);
    }
  }
}

TEST(LogisticTest, ExtremeMarginsGiveProbabilitiesInRange) {
  const std::vector<float> x = {-1000.0f, -90.0f, -20.0f, 0.0f, 20.0f, 90.0f, 1000.0f, 3.0f, 4.0f};
  LogisticModel m;
  m.coef = {1.0};
  std::vector<float> p(x.size());
  m.predict_proba({x.data(), x.size(), 1}, p);
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_GE(p[i], 0.0f);
    EXPECT_LE(p[i], 1.0f);
    EXPECT_NEAR(p[i], 1 / (1 + std::exp(-double(x[i]))), 1e-6) << x[i];
  }
}

TEST(LogisticTest, RefusesBadInput) {
  const Data d = logistic_data(10, {1.0}, 0.0, 9);
  std::vector<float> y = d.y;
  y[4] = 2.0f;
  EXPECT_THAT(fit_logistic(d.ref(), y, {}, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("row 4: label 2")));
  std::vector<float> x = d.x;
  x[3] = std::nanf("");
  EXPECT_THAT(fit_logistic({x.data(), d.rows, d.cols}, d.y, {}, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("row 3, column 0")));
  EXPECT_THAT(fit_logistic(d.ref(), std::vector<float>(9, 0.0f), {}, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("9 labels for 10 rows")));
  EXPECT_THAT(fit_logistic(d.ref(), std::vector<float>(10, 1.0f), {}, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("both classes")));
  EXPECT_THAT(fit_logistic(d.ref(), d.y, {}, {.l2 = -1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("l2")));
}

}  // namespace
}  // namespace consentric::score
