#include "segment/profile.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace consentric::segment {
namespace {

using ::testing::ElementsAre;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::string> sentences(const SegmentProfile& p) {
  std::vector<std::string> out;
  for (const Distinction& d : p.distinctions) out.push_back(d.sentence);
  return out;
}

TEST(ProfileUnit, DaysForRecencyAndTenureFeatures) {
  EXPECT_EQ(unit_of("recency_days"), "days");
  EXPECT_EQ(unit_of("tenure_days"), "days");
  EXPECT_EQ(unit_of("days_since_purchase"), "days");
  EXPECT_EQ(unit_of("days_since.page_view"), "days");
  EXPECT_EQ(unit_of("days_since"), "");
  EXPECT_EQ(unit_of("monetary"), "");
  EXPECT_EQ(unit_of("count.page_view"), "");
  EXPECT_EQ(unit_of("frequency"), "");
}

// Six rows: segment 0 is rows 0-2, segment 1 rows 3-4, row 5 is in no segment.
TEST(ProfileSegments, HandComputedSizesMeansAndEffects) {
  const std::vector<double> recency = {2, 4, 6, 30, 40, 1000};
  const std::vector<double> monetary = {100, 200, kNaN, 10, 30, 5000};
  const std::vector<ProfileFeature> features = {{"recency_days", recency}, {"monetary", monetary}};
  const std::vector<std::int32_t> labels = {0, 0, 0, 1, 1, -1};
  const std::vector<std::string> names = {"Active", "Quiet"};
  const auto got = profile_segments(features, labels, 2, names);
  ASSERT_EQ(got.size(), 2u);

  const SegmentProfile& a = got[0];
  EXPECT_EQ(a.label, 0);
  EXPECT_EQ(a.name, "Active");
  EXPECT_EQ(a.size, 3u);
  EXPECT_DOUBLE_EQ(a.share, 3.0 / 6);  // the row in no segment counts in the total
  ASSERT_EQ(a.means.size(), 2u);
  EXPECT_DOUBLE_EQ(a.means[0], 4);
  EXPECT_DOUBLE_EQ(a.means[1], 150);  // NaN skipped
  ASSERT_EQ(a.distinctions.size(), 2u);
  // recency: in {2,4,6} mean 4, SS 8; rest {30,40} mean 35, SS 50; pooled sd sqrt(58 / 3).
  EXPECT_EQ(a.distinctions[0].feature, "recency_days");
  EXPECT_DOUBLE_EQ(a.distinctions[0].segment_mean, 4);
  EXPECT_DOUBLE_EQ(a.distinctions[0].rest_mean, 35);  // row 5 (1000) is not in the rest
  EXPECT_NEAR(a.distinctions[0].effect, -31 / std::sqrt(58.0 / 3), 1e-12);
  // monetary: in {100,200} mean 150, SS 5000; rest {10,30} mean 20, SS 200; sd sqrt(5200 / 2).
  EXPECT_EQ(a.distinctions[1].feature, "monetary");
  EXPECT_DOUBLE_EQ(a.distinctions[1].rest_mean, 20);
  EXPECT_NEAR(a.distinctions[1].effect, 130 / std::sqrt(2600.0), 1e-12);
  EXPECT_THAT(sentences(a), ElementsAre("much more recent activity: recency_days 4.0 vs 35.0 days",
                                        "much higher monetary: 150.00 vs 20.00"));

  const SegmentProfile& q = got[1];
  EXPECT_EQ(q.name, "Quiet");
  EXPECT_EQ(q.size, 2u);
  EXPECT_DOUBLE_EQ(q.share, 2.0 / 6);
  EXPECT_DOUBLE_EQ(q.means[0], 35);
  EXPECT_DOUBLE_EQ(q.means[1], 20);
  EXPECT_NEAR(q.distinctions[0].effect, 31 / std::sqrt(58.0 / 3), 1e-12);
  EXPECT_THAT(sentences(q), ElementsAre("much less recent activity: recency_days 35.0 vs 4.0 days",
                                        "much lower monetary: 20.00 vs 150.00"));
}

// Two rows per segment, each group {mean - s, mean + s}: the pooled deviation is s * sqrt(2),
// so every effect below is chosen through s.
TEST(ProfileSegments, SentencesOrderingAndCap) {
  auto pair = [](double in_mean, double out_mean, double s) {
    return std::vector<double>{in_mean - s, in_mean + s, out_mean - s, out_mean + s};
  };
  const auto recency = pair(4.1, 38.7, 1);       // d = -24.5, reported as -kEffectCap
  const auto since = pair(71.4, 6.2, 10);        // d = 65.2 / 14.14 = 4.61
  const auto monetary = pair(412.5, 96.2, 344);  // d = 316.3 / 486.5 = 0.650
  const auto email = pair(1.2, 3.4, 5);          // d = -2.2 / 7.07 = -0.311
  const auto tenure = pair(100, 105, 50);        // d = -0.07: not a distinction
  const std::vector<ProfileFeature> features = {{"count.email_open", email},
                                                {"tenure_days", tenure},
                                                {"monetary", monetary},
                                                {"recency_days", recency},
                                                {"days_since_purchase", since}};
  const std::vector<std::int32_t> labels = {0, 0, 1, 1};
  auto got = profile_segments(features, labels, 2, {}, ProfileOptions{.max_distinctions = 10});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].name, "segment 1");
  EXPECT_EQ(got[1].name, "segment 2");
  const auto& d = got[0].distinctions;
  ASSERT_EQ(d.size(), 4u);
  EXPECT_DOUBLE_EQ(d[0].effect, -kEffectCap);
  EXPECT_NEAR(d[1].effect, 65.2 / (10 * std::sqrt(2.0)), 1e-9);
  EXPECT_NEAR(d[2].effect, 316.3 / (344 * std::sqrt(2.0)), 1e-9);
  EXPECT_NEAR(d[3].effect, -2.2 / (5 * std::sqrt(2.0)), 1e-9);
  EXPECT_THAT(sentences(got[0]),
              ElementsAre("much more recent activity: recency_days 4.1 vs 38.7 days",
                          "much less recent purchases: days_since_purchase 71.4 vs 6.2 days",
                          "clearly higher monetary: 412.50 vs 96.20",
                          "somewhat fewer count.email_open: 1.2 vs 3.4"));
  EXPECT_THAT(sentences(got[1]),
              ElementsAre("much less recent activity: recency_days 38.7 vs 4.1 days",
                          "much more recent purchases: days_since_purchase 6.2 vs 71.4 days",
                          "clearly lower monetary: 96.20 vs 412.50",
                          "somewhat more count.email_open: 3.4 vs 1.2"));

  got = profile_segments(features, labels, 2, {});  // the default keeps 3
  EXPECT_EQ(got[0].distinctions.size(), 3u);
  got = profile_segments(features, labels, 2, {}, ProfileOptions{.max_distinctions = 2});
  ASSERT_EQ(got[0].distinctions.size(), 2u);
  EXPECT_EQ(got[0].distinctions[0].feature, "recency_days");
  EXPECT_EQ(got[0].distinctions[1].feature, "days_since_purchase");
  got = profile_segments(features, labels, 2, {}, ProfileOptions{.max_distinctions = 0});
  EXPECT_TRUE(got[0].distinctions.empty());
}

TEST(ProfileSegments, MoreSentences) {
  auto pair = [](double in_mean, double out_mean, double s) {
    return std::vector<double>{in_mean - s, in_mean + s, out_mean - s, out_mean + s};
  };
  const auto tenure = pair(400, 120, 100);  // d = 1.98
  const auto views = pair(12, 10, 2);       // d = 0.707
  const auto since = pair(3, 9, 10);        // d = -0.424
  const auto freq = pair(2, 6, 1);          // d = -2.83
  const auto score = pair(-0.001, 1, 0.5);  // d = -1.41; -0.001 prints as 0.00
  const std::vector<ProfileFeature> features = {{"tenure_days", tenure},
                                                {"count.page_view", views},
                                                {"days_since.email_open", since},
                                                {"frequency", freq},
                                                {"churn_score", score}};
  const std::vector<std::int32_t> labels = {0, 0, 1, 1};
  const auto got = profile_segments(features, labels, 2, {}, ProfileOptions{.max_distinctions = 5});
  EXPECT_THAT(sentences(got[0]),
              ElementsAre("much lower frequency: 2.0 vs 6.0",
                          "much longer tenure_days: 400.0 vs 120.0 days",
                          "much lower churn_score: 0.00 vs 1.00",
                          "clearly more count.page_view: 12.0 vs 10.0",
                          "somewhat more recent activity: days_since.email_open 3.0 vs 9.0 days"));
}

TEST(ProfileSegments, ZeroDeviation) {
  // Equal constants: no difference. Different constants: fully apart, the cap with its sign.
  const std::vector<double> same = {5, 5, 5, 5};
  const std::vector<double> apart = {5, 5, 7, 7};
  const std::vector<ProfileFeature> features = {{"same", same}, {"apart", apart}};
  const std::vector<std::int32_t> labels = {0, 0, 1, 1};
  const auto got = profile_segments(features, labels, 2, {});
  ASSERT_EQ(got[0].distinctions.size(), 1u);
  EXPECT_EQ(got[0].distinctions[0].feature, "apart");
  EXPECT_EQ(got[0].distinctions[0].effect, -kEffectCap);
  EXPECT_EQ(got[0].distinctions[0].sentence, "much lower apart: 5.00 vs 7.00");
  EXPECT_EQ(got[1].distinctions[0].effect, kEffectCap);

  // One row on each side: no deviation to pool.
  const std::vector<double> one = {1, 2};
  const std::vector<ProfileFeature> f1 = {{"monetary", one}};
  const std::vector<std::int32_t> l1 = {0, 1};
  const auto got1 = profile_segments(f1, l1, 2, {});
  ASSERT_EQ(got1[0].distinctions.size(), 1u);
  EXPECT_EQ(got1[0].distinctions[0].effect, -kEffectCap);
  EXPECT_TRUE(std::isfinite(got1[0].distinctions[0].effect));
}

TEST(ProfileSegments, MissingValuesAreSkipped) {
  // Segment 0 has no monetary value at all; infinity counts as missing too.
  const std::vector<double> monetary = {kNaN, kNaN, 10, kInf, 30};
  const std::vector<double> visits = {1, kNaN, 5, 6, 7};
  const std::vector<ProfileFeature> features = {{"monetary", monetary}, {"count.visit", visits}};
  const std::vector<std::int32_t> labels = {0, 0, 1, 1, 1};
  const auto got = profile_segments(features, labels, 2, {});
  EXPECT_TRUE(std::isnan(got[0].means[0]));
  EXPECT_DOUBLE_EQ(got[0].means[1], 1);
  EXPECT_DOUBLE_EQ(got[1].means[0], 20);
  EXPECT_DOUBLE_EQ(got[1].means[1], 6);
  // No distinction on monetary for either side: one of the groups has no value.
  ASSERT_EQ(got[0].distinctions.size(), 1u);
  EXPECT_EQ(got[0].distinctions[0].feature, "count.visit");
  // in {1}: SS 0; rest {5,6,7}: mean 6, SS 2; pooled sd sqrt(2 / 2) = 1.
  EXPECT_DOUBLE_EQ(got[0].distinctions[0].effect, -5);
  ASSERT_EQ(got[1].distinctions.size(), 1u);
  EXPECT_EQ(got[1].distinctions[0].feature, "count.visit");
}

TEST(ProfileSegments, EmptySegmentAndRowsInNoSegment) {
  const std::vector<double> v = {1, 2, 3, 4, 100};
  const std::vector<ProfileFeature> features = {{"monetary", v}};
  const std::vector<std::int32_t> labels = {0, 0, 1, 1, -1};
  const std::vector<std::string> names = {"A", "", "C"};
  const auto got = profile_segments(features, labels, 3, names);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].name, "A");
  EXPECT_EQ(got[1].name, "segment 2");  // an empty name falls back to the default
  EXPECT_EQ(got[2].name, "C");
  EXPECT_EQ(got[2].label, 2);
  EXPECT_EQ(got[2].size, 0u);
  EXPECT_EQ(got[2].share, 0);
  ASSERT_EQ(got[2].means.size(), 1u);
  EXPECT_TRUE(std::isnan(got[2].means[0]));
  EXPECT_TRUE(got[2].distinctions.empty());
  // The empty segment does not change the rest of the others; row 4 is in none.
  EXPECT_DOUBLE_EQ(got[0].distinctions[0].rest_mean, 3.5);
  EXPECT_DOUBLE_EQ(got[0].share, 0.4);

  // Every row unassigned: all segments empty.
  const std::vector<std::int32_t> none = {-1, -1, -1, -1, -1};
  const auto empty = profile_segments(features, none, 2, {});
  ASSERT_EQ(empty.size(), 2u);
  for (const SegmentProfile& p : empty) {
    EXPECT_EQ(p.size, 0u);
    EXPECT_EQ(p.share, 0);
    EXPECT_TRUE(std::isnan(p.means[0]));
    EXPECT_TRUE(p.distinctions.empty());
  }
  // No rows at all: share 0, not 0 / 0.
  const auto no_rows = profile_segments({}, {}, 1, {});
  ASSERT_EQ(no_rows.size(), 1u);
  EXPECT_EQ(no_rows[0].share, 0);
  EXPECT_TRUE(no_rows[0].means.empty());
  EXPECT_TRUE(profile_segments(features, labels, 0, {}).empty());
}

TEST(ProfileSegments, OneSegmentHasNoRestToCompareWith) {
  const std::vector<double> v = {1, 2, 3};
  const std::vector<ProfileFeature> features = {{"monetary", v}};
  const std::vector<std::int32_t> labels = {0, 0, -1};
  const auto got = profile_segments(features, labels, 1, {});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_DOUBLE_EQ(got[0].means[0], 1.5);
  EXPECT_TRUE(got[0].distinctions.empty());
}

// Against a deliberately plain reference: two passes over the rows per (segment, feature).
TEST(ProfileProperty, EffectsMatchAPlainReference) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 1);
  std::uniform_int_distribution<int> label(-1, 3);
  const int k = 4;
  const std::size_t rows = 400;
  std::vector<std::int32_t> labels(rows);
  std::vector<std::vector<double>> values(3, std::vector<double>(rows));
  for (std::size_t i = 0; i < rows; ++i) {
    labels[i] = label(rng);
    for (std::size_t j = 0; j < 3; ++j) {
      const double shift = labels[i] >= 0 ? 0.4 * static_cast<double>(labels[i] * (j + 1)) : 0;
      values[j][i] = (i % 17 == j) ? kNaN : 50 + 10 * noise(rng) + 10 * shift;
    }
  }
  const std::vector<ProfileFeature> features = {
      {"a", values[0]}, {"b", values[1]}, {"c", values[2]}};
  const auto got = profile_segments(features, labels, k, {}, ProfileOptions{.max_distinctions = 3});
  for (int s = 0; s < k; ++s) {
    for (std::size_t j = 0; j < 3; ++j) {
      double n_in = 0, sum_in = 0, n_out = 0, sum_out = 0;
      for (std::size_t i = 0; i < rows; ++i) {
        if (labels[i] < 0 || std::isnan(values[j][i])) continue;
        (labels[i] == s ? n_in : n_out) += 1;
        (labels[i] == s ? sum_in : sum_out) += values[j][i];
      }
      const double mean_in = sum_in / n_in, mean_out = sum_out / n_out;
      double ss = 0;
      for (std::size_t i = 0; i < rows; ++i) {
        if (labels[i] < 0 || std::isnan(values[j][i])) continue;
        const double d = values[j][i] - (labels[i] == s ? mean_in : mean_out);
        ss += d * d;
      }
      const double effect = (mean_in - mean_out) / std::sqrt(ss / (n_in + n_out - 2));
      const SegmentProfile& p = got[static_cast<std::size_t>(s)];
      EXPECT_NEAR(p.means[j], mean_in, 1e-9);
      const Distinction* found = nullptr;
      for (const Distinction& d : p.distinctions) {
        if (d.feature == features[j].name) found = &d;
      }
      if (std::abs(effect) < 0.2) {
        EXPECT_EQ(found, nullptr) << "segment " << s << " feature " << j;
      } else {
        ASSERT_NE(found, nullptr) << "segment " << s << " feature " << j << " effect " << effect;
        EXPECT_NEAR(found->effect, effect, 1e-9);
        EXPECT_NEAR(found->rest_mean, mean_out, 1e-9);
      }
    }
    for (std::size_t d = 1; d < got[static_cast<std::size_t>(s)].distinctions.size(); ++d) {
      const auto& ds = got[static_cast<std::size_t>(s)].distinctions;
      EXPECT_GE(std::abs(ds[d - 1].effect), std::abs(ds[d].effect));
    }
  }
}

}  // namespace
}  // namespace consentric::segment
