#include "score/features.h"

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
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(FeaturesTest, ScalerStandardizesAndRoundTrips) {
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0, 1);
  const std::size_t rows = 500, cols = 3;
  std::vector<float> x(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    x[r * cols + 0] = 100 + 20 * normal(rng);
    x[r * cols + 1] = 7;  // constant: centred, not scaled
    x[r * cols + 2] = normal(rng) - 3;
  }
  x[5 * cols + 2] = std::nanf("");  // ignored by the fit, kept by apply
  const StandardScaler s = StandardScaler::fit({x.data(), rows, cols});
  EXPECT_EQ(s.scale[1], 1.0);
  EXPECT_EQ(s.mean[1], 7.0);
  std::vector<float> y = x;
  s.apply(y.data(), rows);
  double mean = 0, sq = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    mean += y[r * cols];
    sq += double(y[r * cols]) * y[r * cols];
  }
  EXPECT_NEAR(mean / rows, 0.0, 1e-6);
  EXPECT_NEAR(sq / rows, 1.0, 1e-5);
  EXPECT_TRUE(std::isnan(y[5 * cols + 2]));
  s.unapply(y.data(), rows);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isnan(x[i])) {
      EXPECT_NEAR(y[i], x[i], 1e-4 * (1 + std::abs(x[i]))) << i;
    }
  }
  // Stored with the model as JSON: every double comes back exactly.
  auto back = StandardScaler::from_json(s.to_json());
  ASSERT_OK(back);
  EXPECT_EQ(back->mean, s.mean);
  EXPECT_EQ(back->scale, s.scale);
  EXPECT_THAT(StandardScaler::from_json(R"({"mean": [1], "scale": [0]})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("finite and positive")));
}

TEST(FeaturesTest, ScalerOnlyTheChosenColumns) {
  std::vector<float> x = {1, 10, 3, 20, 5, 30};
  const std::vector<std::size_t> chosen = {1};
  const StandardScaler s = StandardScaler::fit({x.data(), 3, 2}, chosen);
  EXPECT_EQ(s.mean[0], 0.0);
  EXPECT_EQ(s.scale[0], 1.0);
  EXPECT_DOUBLE_EQ(s.mean[1], 20.0);
  EXPECT_NEAR(s.scale[1], std::sqrt(200.0 / 3), 1e-12);
}

TEST(FeaturesTest, OneHotByFrequencyWithMissingAndOther) {
  const std::vector<std::string> v = {"b", "a", "b", "", "c", "b", "a", "Select", "d"};
  auto e = OneHotEncoder::fit("City", v, {.min_count = 2, .missing_values = {"", "Select"}});
  ASSERT_OK(e);
  EXPECT_THAT(e->categories(), ElementsAre("b", "a", "(missing)", "(other)"));
  EXPECT_THAT(e->column_names(), ElementsAre("City=b", "City=a", "City=(missing)", "City=(other)"));
  std::vector<float> out(e->width());
  e->encode("a", out.data());
  EXPECT_THAT(out, ElementsAre(0, 1, 0, 0));
  e->encode("Select", out.data());
  EXPECT_THAT(out, ElementsAre(0, 0, 1, 0));
  e->encode("c", out.data());  // rare in the fit
  EXPECT_THAT(out, ElementsAre(0, 0, 0, 1));
  e->encode("never seen", out.data());
  EXPECT_THAT(out, ElementsAre(0, 0, 0, 1));
  // No rare values: no "(other)" column, and an unknown value is all zeros.
  auto plain = OneHotEncoder::fit("x", std::vector<std::string>{"p", "q"}, {});
  ASSERT_OK(plain);
  EXPECT_EQ(plain->width(), 2u);
  std::vector<float> two(2, 5.0f);
  plain->encode("r", two.data());
  EXPECT_THAT(two, ElementsAre(0, 0));
  EXPECT_THAT(OneHotEncoder::fit("x", std::vector<std::string>{}, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"x\": no values")));
}

TEST(FeaturesTest, ScalerFromJsonRefusesBadInput) {
  EXPECT_THAT(StandardScaler::from_json("{\"mean\": [1],}"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("scaler: not JSON")));
  EXPECT_THAT(StandardScaler::from_json("[1, 2]"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("arrays \"mean\" and \"scale\"")));
  EXPECT_THAT(StandardScaler::from_json(R"({"mean": [1, 2], "scale": [1]})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("2 means but 1 scales")));
  EXPECT_THAT(StandardScaler::from_json(R"({"mean": ["a"], "scale": [1]})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("column 0: expected numbers")));
}

}  // namespace
}  // namespace consentric::score
