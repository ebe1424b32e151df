#include "segment/rfm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace consentric::segment {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using Scores = std::vector<std::int8_t>;

void expect_cuts(const RfmCuts& got, const RfmCuts& want) {
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 1e-9) << "cut " << i;
  }
}

Result<RfmResult> score(const std::vector<double>& r, const std::vector<double>& f,
                        const std::vector<double>& m, const RfmOptions& options = {}) {
  return score_rfm(RfmInput{.recency_days = r, .frequency = f, .monetary = m}, options);
}

TEST(RfmScore, QuintilesOfOneToTen) {
  const std::vector<double> r = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::vector<double> f = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::vector<double> m = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
  auto got = score(r, f, m);
  ASSERT_OK(got);
  // numpy.percentile(range(1, 11), [20, 40, 60, 80]) == [2.8, 4.6, 6.4, 8.2]
  expect_cuts(got->recency_cuts, {2.8, 4.6, 6.4, 8.2});
  expect_cuts(got->frequency_cuts, {2.8, 4.6, 6.4, 8.2});
  expect_cuts(got->monetary_cuts, {28, 46, 64, 82});
  EXPECT_EQ(got->f, (Scores{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
  EXPECT_EQ(got->m, (Scores{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
  // Fewer days is better: the most recent customers score 5.
  EXPECT_EQ(got->r, (Scores{5, 5, 4, 4, 3, 3, 2, 2, 1, 1}));
  EXPECT_EQ(got->segment[0], RfmSegment::kNewCustomers);       // R5 FM1
  EXPECT_EQ(got->segment[2], RfmSegment::kPotentialLoyalist);  // R4 FM2
  EXPECT_EQ(got->segment[4], RfmSegment::kNeedAttention);      // R3 FM3
  EXPECT_EQ(got->segment[6], RfmSegment::kAtRisk);             // R2 FM4
  EXPECT_EQ(got->segment[9], RfmSegment::kCannotLoseThem);     // R1 FM5
}

TEST(RfmScore, PercentilesMatchNumpyOnSmallSets) {
  // numpy.percentile(x, [20, 40, 60, 80]) for each x.
  struct Case {
    std::vector<double> values;
    RfmCuts cuts;
  };
  const std::vector<Case> cases = {
      {{4, 1, 3, 2}, {1.6, 2.2, 2.8, 3.4}},
      {{1, 11}, {3, 5, 7, 9}},
      {{7}, {7, 7, 7, 7}},
      {{5, 1, 100, 2, 2}, {1.8, 2, 3.2, 24}},
  };
  for (const Case& c : cases) {
    const std::vector<double> ones(c.values.size(), 1.0);
    auto got = score(ones, c.values, c.values);
    ASSERT_OK(got);
    expect_cuts(got->frequency_cuts, c.cuts);
    expect_cuts(got->monetary_cuts, c.cuts);
  }
}

TEST(RfmScore, AValueOnACutPointScoresBelowItForFAndMAboveItForR) {
  // Cuts [2.8, 4.6, 6.4, 8.2] from 1..10; 2.8 itself is not above the first cut.
  std::vector<double> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  auto got = score(v, v, v,
                   RfmOptions{.recency_cuts = RfmCuts{2, 4, 6, 8},
                              .frequency_cuts = RfmCuts{2, 4, 6, 8},
                              .monetary_cuts = RfmCuts{2, 4, 6, 8}});
  ASSERT_OK(got);
  EXPECT_EQ(got->f, (Scores{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
  EXPECT_EQ(got->r, (Scores{5, 5, 4, 4, 3, 3, 2, 2, 1, 1}));
}

TEST(RfmScore, ConfiguredCutsAreUsedAndReported) {
  const std::vector<double> r = {0, 7, 8, 30, 31, 90, 91, 180, 181, 2000};
  const std::vector<double> f = {1, 2, 3, 5, 6, 10, 11, 1, 1, 1};
  const std::vector<double> m = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90};
  auto got = score(
      r, f, m,
      RfmOptions{.recency_cuts = RfmCuts{7, 30, 90, 180}, .frequency_cuts = RfmCuts{1, 2, 5, 10}});
  ASSERT_OK(got);
  expect_cuts(got->recency_cuts, {7, 30, 90, 180});
  expect_cuts(got->frequency_cuts, {1, 2, 5, 10});
  expect_cuts(got->monetary_cuts, {18, 36, 54, 72});  // quintiles of 0..90
  EXPECT_EQ(got->r, (Scores{5, 5, 4, 4, 3, 3, 2, 2, 1, 1}));
  EXPECT_EQ(got->f, (Scores{1, 2, 3, 3, 4, 4, 5, 1, 1, 1}));
  EXPECT_EQ(got->m, (Scores{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
}

TEST(RfmScore, RepeatedConfiguredCutsAreAccepted) {
  const std::vector<double> v = {1, 2, 3};
  auto got = score(v, v, v, RfmOptions{.frequency_cuts = RfmCuts{1, 1, 2, 2}});
  ASSERT_OK(got);
  EXPECT_EQ(got->f, (Scores{1, 3, 5}));
}

TEST(RfmScore, HeavyTiesGiveSensibleScores) {
  // 70 customers bought once, 10 twice, 10 three times, 10 ten times.
  std::vector<double> f;
  f.insert(f.end(), 70, 1);
  f.insert(f.end(), 10, 2);
  f.insert(f.end(), 10, 3);
  f.insert(f.end(), 10, 10);
  const std::vector<double> r(f.size(), 5);
  auto got = score(r, f, f);
  ASSERT_OK(got);
  // Sorted ranks 19.8, 39.6 and 59.4 all fall among the ones; 79.2 between a 2 and a 3.
  expect_cuts(got->frequency_cuts, {1, 1, 1, 2.2});
  for (std::size_t i = 0; i < f.size(); ++i) {
    const int want = f[i] == 1 ? 1 : f[i] == 2 ? 4 : 5;
    EXPECT_EQ(got->f[i], want) << "row " << i;
  }
  // Everyone bought 5 days ago: one recency, all cuts equal, everyone counts as most recent.
  expect_cuts(got->recency_cuts, {5, 5, 5, 5});
  for (std::int8_t s : got->r) EXPECT_EQ(s, 5);
}

TEST(RfmScore, EveryoneBoughtOnce) {
  const std::vector<double> f(20, 1);
  std::vector<double> r;
  for (int i = 0; i < 20; ++i) r.push_back(i);
  auto got = score(r, f, f);
  ASSERT_OK(got);
  expect_cuts(got->frequency_cuts, {1, 1, 1, 1});
  for (std::size_t i = 0; i < f.size(); ++i) {
    EXPECT_EQ(got->f[i], 1);
    EXPECT_EQ(got->m[i], 1);
    EXPECT_GE(got->r[i], 1);
    EXPECT_LE(got->r[i], 5);
  }
}

TEST(RfmScore, NoPurchaseRowsGetNoScoreAndDoNotMoveTheCuts) {
  // Rows 10..13: frequency 0, frequency NaN, recency NaN, everything NaN.
  std::vector<double> r = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 1, kNaN, kNaN};
  std::vector<double> f = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, kNaN, 5, kNaN};
  std::vector<double> m = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1000, 1000, 1000, kNaN};
  auto got = score(r, f, m);
  ASSERT_OK(got);
  expect_cuts(got->recency_cuts, {2.8, 4.6, 6.4, 8.2});
  expect_cuts(got->frequency_cuts, {2.8, 4.6, 6.4, 8.2});
  expect_cuts(got->monetary_cuts, {2.8, 4.6, 6.4, 8.2});
  for (std::size_t i = 10; i < 14; ++i) {
    EXPECT_EQ(got->r[i], 0) << "row " << i;
    EXPECT_EQ(got->f[i], 0) << "row " << i;
    EXPECT_EQ(got->m[i], 0) << "row " << i;
    EXPECT_EQ(got->segment[i], RfmSegment::kNoPurchase) << "row " << i;
  }
  for (std::size_t i = 0; i < 10; ++i) EXPECT_NE(got->segment[i], RfmSegment::kNoPurchase);
}

TEST(RfmScore, NobodyPurchased) {
  auto got = score({kNaN, 3}, {0, 0}, {0, 0});
  ASSERT_OK(got);
  expect_cuts(got->recency_cuts, {0, 0, 0, 0});
  EXPECT_THAT(got->segment, ElementsAre(RfmSegment::kNoPurchase, RfmSegment::kNoPurchase));
  EXPECT_EQ(got->r, (Scores{0, 0}));
}

TEST(RfmScore, EmptyInput) {
  auto got = score({}, {}, {});
  ASSERT_OK(got);
  EXPECT_TRUE(got->segment.empty());
  EXPECT_TRUE(got->r.empty());
}

TEST(RfmScore, UnknownMonetaryScoresOneAndDoesNotMoveTheCuts) {
  std::vector<double> r = {1, 1, 1, 1, 1, 1};
  std::vector<double> f = {1, 1, 1, 1, 1, 1};
  std::vector<double> m = {10, 20, 30, 40, 50, kNaN};
  auto got = score(r, f, m);
  ASSERT_OK(got);
  expect_cuts(got->monetary_cuts, {18, 26, 34, 42});  // quintiles of 10..50 alone
  EXPECT_EQ(got->m, (Scores{1, 2, 3, 4, 5, 1}));
  EXPECT_EQ(got->segment[5], RfmSegment::kNewCustomers);  // a purchaser all the same
}

TEST(RfmScore, FmIsTheMeanOfFAndMRoundedHalfUp) {
  EXPECT_EQ(rfm_fm_score(1, 1), 1);
  EXPECT_EQ(rfm_fm_score(1, 2), 2);
  EXPECT_EQ(rfm_fm_score(2, 1), 2);
  EXPECT_EQ(rfm_fm_score(1, 5), 3);
  EXPECT_EQ(rfm_fm_score(2, 3), 3);
  EXPECT_EQ(rfm_fm_score(3, 4), 4);
  EXPECT_EQ(rfm_fm_score(4, 5), 5);
  EXPECT_EQ(rfm_fm_score(5, 5), 5);
  // Through score_rfm: R5, F4, M5 -> FM 5 -> Champions; R5, F1, M2 -> FM 2 -> Potential Loyalist.
  auto got = score({0, 0}, {4, 1}, {5, 2},
                   RfmOptions{.recency_cuts = RfmCuts{1, 2, 3, 4},
                              .frequency_cuts = RfmCuts{1, 2, 3, 4},
                              .monetary_cuts = RfmCuts{1, 2, 3, 4}});
  ASSERT_OK(got);
  EXPECT_EQ(got->f, (Scores{4, 1}));
  EXPECT_EQ(got->m, (Scores{5, 2}));
  EXPECT_THAT(got->segment, ElementsAre(RfmSegment::kChampions, RfmSegment::kPotentialLoyalist));
}

TEST(RfmValidation, SpansOfDifferentLength) {
  EXPECT_THAT(score({1, 2}, {1}, {1, 2}),
              StatusIs(StatusCode::kInvalidArgument,
                       "RFM input: recency_days has 2 values, frequency 1 and monetary 2; "
                       "expected one value per row in each"));
}

TEST(RfmValidation, NegativeOrInfiniteValuesNameTheRowAndMeasure) {
  std::vector<double> ok(20, 1);
  std::vector<double> m = ok;
  m[17] = -3;
  EXPECT_THAT(score(ok, ok, m),
              StatusIs(StatusCode::kInvalidArgument,
                       "row 17: monetary is negative (-3); expected a total purchase value >= 0"));
  std::vector<double> r = ok;
  r[4] = kInf;
  EXPECT_THAT(score(r, ok, ok),
              StatusIs(StatusCode::kInvalidArgument,
                       "row 4: recency_days is infinite (inf); expected a number of days since "
                       "the last purchase >= 0"));
  std::vector<double> f = ok;
  f[0] = -0.5;
  EXPECT_THAT(score(ok, f, ok),
              StatusIs(StatusCode::kInvalidArgument,
                       "row 0: frequency is negative (-0.5); expected a number of purchases >= 0"));
  f[0] = -kInf;
  EXPECT_THAT(score(ok, f, ok),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("frequency is infinite (-inf)")));
  // Checked even where there is no purchase: it is bad data either way.
  std::vector<double> zero(20, 0);
  EXPECT_THAT(score(ok, zero, m), StatusIs(StatusCode::kInvalidArgument, HasSubstr("row 17")));
}

TEST(RfmValidation, ConfiguredCutsMustBeFiniteAndNonDecreasing) {
  const std::vector<double> v = {1, 2};
  EXPECT_THAT(score(v, v, v, RfmOptions{.recency_cuts = RfmCuts{1, kNaN, 3, 4}}),
              StatusIs(StatusCode::kInvalidArgument,
                       "recency_cuts [1, nan, 3, 4]: cut point nan is not finite; expected 4 "
                       "finite cut points in non-decreasing order"));
  EXPECT_THAT(score(v, v, v, RfmOptions{.monetary_cuts = RfmCuts{1, 2, 3, kInf}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("monetary_cuts")));
  EXPECT_THAT(score(v, v, v, RfmOptions{.frequency_cuts = RfmCuts{1, 3, 2, 4}}),
              StatusIs(StatusCode::kInvalidArgument,
                       "frequency_cuts [1, 3, 2, 4]: 2 comes after 3; expected 4 finite cut "
                       "points in non-decreasing order"));
}

// The grid of docs/segments-rfm.md, cell by cell: kExpected[r - 1][fm - 1].
TEST(RfmSegments, EveryCellMapsToItsSegment) {
  // clang-format off
  const char* const kExpected[5][5] = {
      // Columns: FM 1, 2, 3, 4, 5.
      /* R1 */ {"Lost", "Lost", "At Risk", "At Risk", "Can't Lose Them"},
      /* R2 */ {"Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"},
      /* R3 */ {"About To Sleep", "About To Sleep", "Need Attention", "Loyal", "Loyal"},
      /* R4 */ {"Promising", "Potential Loyalist", "Potential Loyalist", "Loyal", "Loyal"},
      /* R5 */ {"New Customers", "Potential Loyalist", "Potential Loyalist", "Champions",
                "Champions"},
  };
  // clang-format on
  std::set<RfmSegment> reached;
  for (int r = 1; r <= 5; ++r) {
    for (int fm = 1; fm <= 5; ++fm) {
      const RfmSegment s = rfm_segment_of(r, fm);
      EXPECT_EQ(rfm_segment_name(s), kExpected[r - 1][fm - 1]) << "R" << r << " FM" << fm;
      reached.insert(s);
    }
  }
  for (int i = 0; i < kRfmSegmentCount; ++i) {
    const auto s = static_cast<RfmSegment>(i);
    if (s == RfmSegment::kNoPurchase) {
      EXPECT_FALSE(reached.contains(s));
    } else {
      EXPECT_TRUE(reached.contains(s)) << rfm_segment_name(s) << " is not reachable";
    }
  }
}

TEST(RfmSegments, ScoresOutsideOneToFiveMeanNoPurchase) {
  EXPECT_EQ(rfm_segment_of(0, 0), RfmSegment::kNoPurchase);
  EXPECT_EQ(rfm_segment_of(0, 3), RfmSegment::kNoPurchase);
  EXPECT_EQ(rfm_segment_of(3, 6), RfmSegment::kNoPurchase);
  EXPECT_EQ(rfm_segment_of(-1, 1), RfmSegment::kNoPurchase);
}

TEST(RfmSegments, NamesAndAdvice) {
  const std::vector<std::string> names = {"Champions",      "Loyal",     "Potential Loyalist",
                                          "New Customers",  "Promising", "Need Attention",
                                          "About To Sleep", "At Risk",   "Can't Lose Them",
                                          "Hibernating",    "Lost",      "No purchase"};
  ASSERT_EQ(names.size(), static_cast<std::size_t>(kRfmSegmentCount));
  std::set<std::string> advice;
  for (int i = 0; i < kRfmSegmentCount; ++i) {
    const auto s = static_cast<RfmSegment>(i);
    EXPECT_EQ(rfm_segment_name(s), names[static_cast<std::size_t>(i)]);
    const std::string a(rfm_segment_advice(s));
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a.back(), '.') << a;
    EXPECT_EQ(a.find('.'), a.size() - 1) << "one sentence: " << a;
    advice.insert(a);
  }
  EXPECT_EQ(advice.size(), static_cast<std::size_t>(kRfmSegmentCount));
}

// Distinct random values: every score is 1..5, each quintile holds a fifth of the purchasers
// (within the one row that rounding allows), and a larger value never scores worse.
TEST(RfmProperty, RandomDistinctValuesFillTheQuintiles) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    const std::size_t n = 50 + rng() % 1000;
    std::uniform_real_distribution<double> days(0, 365), count(1, 50), money(0, 5000);
    std::bernoulli_distribution no_purchase(0.1);
    std::vector<double> r(n), f(n), m(n);
    std::size_t purchasers = 0;
    for (std::size_t i = 0; i < n; ++i) {
      r[i] = days(rng);
      f[i] = no_purchase(rng) ? 0 : count(rng);
      m[i] = money(rng);
      if (f[i] > 0) ++purchasers;
    }
    auto got = score(r, f, m);
    ASSERT_OK(got);
    std::array<int, 6> r_count{}, f_count{}, m_count{};
    for (std::size_t i = 0; i < n; ++i) {
      if (f[i] == 0) {
        EXPECT_EQ(got->segment[i], RfmSegment::kNoPurchase);
        continue;
      }
      for (int s : {int{got->r[i]}, int{got->f[i]}, int{got->m[i]}}) {
        ASSERT_GE(s, 1);
        ASSERT_LE(s, 5);
      }
      ++r_count[static_cast<std::size_t>(got->r[i])];
      ++f_count[static_cast<std::size_t>(got->f[i])];
      ++m_count[static_cast<std::size_t>(got->m[i])];
      ASSERT_NE(got->segment[i], RfmSegment::kNoPurchase);
    }
    const double fifth = static_cast<double>(purchasers) / 5;
    for (std::size_t s = 1; s <= 5; ++s) {
      EXPECT_NEAR(r_count[s], fifth, 1.5) << "seed " << seed << " R" << s;
      EXPECT_NEAR(f_count[s], fifth, 1.5) << "seed " << seed << " F" << s;
      EXPECT_NEAR(m_count[s], fifth, 1.5) << "seed " << seed << " M" << s;
    }
    // Walk the purchasers in increasing order of each measure: F and M never go down, R never up.
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < n; ++i) {
      if (f[i] > 0) order.push_back(i);
    }
    auto check_monotone = [&](const std::vector<double>& v, const Scores& s, int direction) {
      std::sort(order.begin(), order.end(),
                [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
      for (std::size_t x = 1; x < order.size(); ++x) {
        ASSERT_GE(direction * (s[order[x]] - s[order[x - 1]]), 0) << "seed " << seed;
      }
    };
    check_monotone(f, got->f, 1);
    check_monotone(m, got->m, 1);
    check_monotone(r, got->r, -1);
  }
}

}  // namespace
}  // namespace consentric::segment
