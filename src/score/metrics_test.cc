#include "score/metrics.h"

#include <cmath>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace consentric::score {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

TEST(MetricsTest, AucCountsPairs) {
  // Pairs (positive, negative): 0.35 beats 0.1 only, 0.8 beats both: 3 of 4.
  const std::vector<float> s = {0.1f, 0.4f, 0.35f, 0.8f};
  const std::vector<float> y = {0, 0, 1, 1};
  auto a = auc(s, y);
  ASSERT_OK(a);
  EXPECT_DOUBLE_EQ(*a, 0.75);
}

TEST(MetricsTest, AucCountsTiesAsHalf) {
  // Positive 2 ties negative 2 (½) and beats negative 1; positive 3 beats both: 3.5 of 4.
  const std::vector<float> s = {1, 2, 2, 3};
  const std::vector<float> y = {0, 0, 1, 1};
  auto a = auc(s, y);
  ASSERT_OK(a);
  EXPECT_DOUBLE_EQ(*a, 0.875);
  // Everything tied: ½.
  auto flat = auc(std::vector<float>(6, 0.3f), std::vector<float>{0, 1, 0, 1, 1, 0});
  ASSERT_OK(flat);
  EXPECT_DOUBLE_EQ(*flat, 0.5);
  // Reversed order: 1 − AUC.
  const std::vector<float> neg = {-1, -2, -2, -3};
  auto b = auc(neg, y);
  ASSERT_OK(b);
  EXPECT_DOUBLE_EQ(*b, 0.125);
}

TEST(MetricsTest, LogLossAndBrierByHand) {
  const std::vector<float> p = {0.9f, 0.2f};
  const std::vector<float> y = {1, 0};
  auto ll = log_loss(p, y);
  ASSERT_OK(ll);
  EXPECT_NEAR(*ll, -(std::log(0.9) + std::log(0.8)) / 2, 1e-7);
  auto br = brier_score(p, y);
  ASSERT_OK(br);
  EXPECT_NEAR(*br, (0.01 + 0.04) / 2, 1e-7);
  // A certain wrong answer is clipped at 1e-15, not infinite.
  auto clipped = log_loss(std::vector<float>{0.0f}, std::vector<float>{1});
  ASSERT_OK(clipped);
  EXPECT_NEAR(*clipped, -std::log(1e-15), 1e-9);
}

TEST(MetricsTest, CalibrationTableBins) {
  const std::vector<float> p = {0.05f, 0.05f, 0.15f, 0.95f, 1.0f, 0.55f};
  const std::vector<float> y = {0, 1, 0, 1, 1, 0};
  auto t = calibration_table(p, y);
  ASSERT_OK(t);
  ASSERT_EQ(t->size(), 10u);
  EXPECT_EQ((*t)[0].count, 2u);
  EXPECT_NEAR((*t)[0].mean_predicted, 0.05, 1e-7);
  EXPECT_DOUBLE_EQ((*t)[0].observed_rate, 0.5);
  EXPECT_EQ((*t)[1].count, 1u);
  EXPECT_EQ((*t)[5].count, 1u);
  EXPECT_EQ((*t)[9].count, 2u);  // 1.0 goes in the last bin
  EXPECT_NEAR((*t)[9].mean_predicted, 0.975, 1e-7);
  EXPECT_DOUBLE_EQ((*t)[9].observed_rate, 1.0);
  EXPECT_EQ((*t)[3].count, 0u);
  EXPECT_DOUBLE_EQ((*t)[3].lower, 0.3);
}

TEST(MetricsTest, TopDecileLiftAndPrecision) {
  // 20 rows, 5 positives (base rate 0.25); the top 2 by score are one positive, one negative.
  std::vector<float> s, y;
  for (int i = 0; i < 20; ++i) {
    s.push_back(static_cast<float>(i));
    y.push_back(i == 19 || i == 3 || i == 4 || i == 5 || i == 6 ? 1.0f : 0.0f);
  }
  auto t = top_decile(s, y);
  ASSERT_OK(t);
  EXPECT_EQ(t->rows, 2u);
  EXPECT_DOUBLE_EQ(t->precision, 0.5);
  EXPECT_DOUBLE_EQ(t->base_rate, 0.25);
  EXPECT_DOUBLE_EQ(t->lift, 2.0);
  // Ties across the cut are credited at their average rate: all scores equal → base rate.
  auto flat = top_decile(std::vector<float>(20, 1.0f), y);
  ASSERT_OK(flat);
  EXPECT_DOUBLE_EQ(flat->precision, 0.25);
  EXPECT_DOUBLE_EQ(flat->lift, 1.0);
}

TEST(MetricsTest, RefusesBadInput) {
  EXPECT_THAT(auc(std::vector<float>{1, 2}, std::vector<float>{1, 1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("both classes")));
  EXPECT_THAT(auc(std::vector<float>{1, 2}, std::vector<float>{1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("2 scores for 1 labels")));
  EXPECT_THAT(log_loss(std::vector<float>{1.5f}, std::vector<float>{1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("outside [0, 1]")));
  EXPECT_THAT(brier_score(std::vector<float>{0.5f}, std::vector<float>{3}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("label 3")));
  EXPECT_THAT(auc(std::vector<float>{std::nanf(""), 1}, std::vector<float>{0, 1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("NaN")));
}

}  // namespace
}  // namespace consentric::score
