#include "score/boosted_trees.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

// Random rows with about `missing` of the values NaN and a label that depends on them
// nonlinearly, missingness included.
Data random_data(std::size_t rows, std::size_t cols, double missing, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  Data d{{}, {}, rows, cols};
  for (std::size_t r = 0; r < rows; ++r) {
    double z = 0;
    for (std::size_t c = 0; c < cols; ++c) {
      float v = normal(rng);
      if (u(rng) < missing) {
        v = std::nanf("");
        z += c == 1 ? 1.0 : 0.0;
      } else if (c < 3) {
        z += (c == 0 ? 1.5 * v * v - 1 : c == 1 ? std::sin(2 * v) : (v > 0.3f ? 1.0 : -0.5));
      }
      d.x.push_back(v);
    }
    d.y.push_back(u(rng) < 1 / (1 + std::exp(-z)) ? 1.0f : 0.0f);
  }
  return d;
}

BoostedTreesOptions options(int rounds, int depth) {
  // One thread: OpenMP's spinning workers make a loaded machine slow, and the tests small.
  return {.rounds = rounds,
          .params = {{"max_depth", std::to_string(depth)}, {"eta", "0.3"}, {"nthread", "1"}}};
}

void expect_equal_to_xgboost(const Data& train, const Data& test, int rounds, int depth) {
  auto booster = XgbBooster::train(train.ref(), train.y, {}, options(rounds, depth));
  ASSERT_OK(booster);
  auto json = booster->save_json();
  ASSERT_OK(json);
  auto trees = TreeEnsemble::from_xgboost_json(*json);
  ASSERT_OK(trees);
  EXPECT_EQ(trees->trees(), static_cast<std::size_t>(rounds));
  EXPECT_LE(trees->max_depth(), depth);
#if defined(__x86_64__)
  // On a processor with AVX-512 the vector kernel must be the one checked first below.
  if (depth <= 6 && __builtin_cpu_supports("avx512f")) {
    EXPECT_TRUE(trees->simd_active());
  }
#endif
  auto theirs_margin = booster->predict(test.ref(), true);
  auto theirs = booster->predict(test.ref(), false);
  ASSERT_OK(theirs_margin);
  ASSERT_OK(theirs);
  // Both evaluators: the vector kernel where the processor and the trees allow it, and the
  // scalar loop.
  for (bool portable : {false, true}) {
    detail::force_portable_trees(portable);
    std::vector<float> margin(test.rows), proba(test.rows);
    trees->predict_margin(test.ref(), margin, 2);
    trees->predict(test.ref(), proba, 2);
    for (std::size_t r = 0; r < test.rows; ++r) {
      // The same float additions in the same order: the same margin.
      ASSERT_EQ(margin[r], (*theirs_margin)[r]) << "row " << r << " simd " << trees->simd_active();
      ASSERT_NEAR(proba[r], (*theirs)[r], 1e-6) << "row " << r;
    }
  }
  detail::force_portable_trees(false);
}

TEST(BoostedTreesTest, EvaluatorEqualsXgboostWithMissingValues) {
  const Data train = random_data(3000, 7, 0.1, 1);
  // 1013 rows: blocks of 16 and a tail, with missing values the training never saw as well.
  const Data test = random_data(1013, 7, 0.25, 2);
  expect_equal_to_xgboost(train, test, 30, 6);
}

TEST(BoostedTreesTest, DeepTreesUseTheExplicitLayout) {
  const Data train = random_data(4000, 5, 0.05, 3);
  const Data test = random_data(500, 5, 0.05, 4);
  expect_equal_to_xgboost(train, test, 5, 14);  // deeper than kMaxImplicitDepth
}

TEST(BoostedTreesTest, StumpsAndSingleLeaves) {
  const Data train = random_data(500, 3, 0.0, 5);
  const Data test = random_data(50, 3, 0.3, 6);
  expect_equal_to_xgboost(train, test, 3, 1);
}

TEST(BoostedTreesTest, BaseScoreIsAProbability) {
  const Data train = random_data(1000, 4, 0.0, 7);
  BoostedTreesOptions o = options(4, 3);
  o.params.emplace_back("base_score", "0.2");
  auto booster = XgbBooster::train(train.ref(), train.y, {}, o);
  ASSERT_OK(booster);
  auto trees = TreeEnsemble::from_xgboost_json(*booster->save_json());
  ASSERT_OK(trees);
  EXPECT_NEAR(trees->base_margin(), std::log(0.2 / 0.8), 1e-6);
  auto theirs = booster->predict(train.ref(), true);
  ASSERT_OK(theirs);
  std::vector<float> ours(train.rows);
  trees->predict_margin(train.ref(), ours);
  for (std::size_t r = 0; r < train.rows; ++r) ASSERT_EQ(ours[r], (*theirs)[r]) << r;
}

TEST(BoostedTreesTest, ContributionsSumToTheMargin) {
  const Data train = random_data(2000, 6, 0.1, 8);
  const Data test = random_data(200, 6, 0.1, 9);
  auto booster = XgbBooster::train(train.ref(), train.y, {}, options(20, 5));
  ASSERT_OK(booster);
  auto contrib = booster->contributions(test.ref());
  auto margin = booster->predict(test.ref(), true);
  ASSERT_OK(contrib);
  ASSERT_OK(margin);
  ASSERT_EQ(contrib->size(), test.rows * (test.cols + 1));
  for (std::size_t r = 0; r < test.rows; ++r) {
    double sum = 0;
    for (std::size_t c = 0; c <= test.cols; ++c) sum += (*contrib)[r * (test.cols + 1) + c];
    EXPECT_NEAR(sum, (*margin)[r], 1e-4) << r;
  }
  // A feature the label ignores (column 5) contributes little next to column 0.
  double c0 = 0, c5 = 0;
  for (std::size_t r = 0; r < test.rows; ++r) {
    c0 += std::abs((*contrib)[r * (test.cols + 1) + 0]);
    c5 += std::abs((*contrib)[r * (test.cols + 1) + 5]);
  }
  EXPECT_GT(c0, 3 * c5);
}

TEST(BoostedTreesTest, ModelRoundTripsThroughJson) {
  const Data train = random_data(800, 4, 0.1, 10);
  auto booster = XgbBooster::train(train.ref(), train.y, {}, options(5, 4));
  ASSERT_OK(booster);
  auto json = booster->save_json();
  ASSERT_OK(json);
  auto loaded = XgbBooster::load_json(*json);
  ASSERT_OK(loaded);
  auto a = booster->predict(train.ref(), false);
  auto b = loaded->predict(train.ref(), false);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
}

TEST(BoostedTreesTest, RefusesWhatItCannotEvaluate) {
  EXPECT_THAT(TreeEnsemble::from_xgboost_json("{}"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("learner")));
  EXPECT_THAT(TreeEnsemble::from_xgboost_json("not json"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not JSON at byte 2")));
  // Deep nesting is parsed and freed without recursion (nlohmann 3.10+), so it is refused as a
  // model, not a crash.
  EXPECT_THAT(TreeEnsemble::from_xgboost_json(std::string(100000, '[') + std::string(100000, ']')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("learner")));
  const Data train = random_data(300, 3, 0.0, 11);
  auto booster = XgbBooster::train(train.ref(), train.y, {}, options(2, 2));
  ASSERT_OK(booster);
  std::string json = *booster->save_json();
  const std::string from = "\"binary:logistic\"";
  json.replace(json.find(from), from.size(), "\"multi:softprob\"");
  EXPECT_THAT(TreeEnsemble::from_xgboost_json(json),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("multi:softprob")));
  EXPECT_THAT(XgbBooster::train(train.ref(), train.y, {},
                                {.rounds = 1, .params = {{"max_depth", "banana"}}}),
              StatusIs(StatusCode::kInternal, HasSubstr("xgboost")));
  EXPECT_THAT(XgbBooster::train(train.ref(), std::vector<float>(5), {}, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("5 labels for 300 rows")));
}

}  // namespace
}  // namespace consentric::score
