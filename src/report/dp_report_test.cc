#include "report/dp_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/report_fixture_test.h"
#include "rights/backup.h"

namespace consentric::report {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

class DpReportTest : public ReportStoreTest {};

TEST_F(DpReportTest, CountIsNoisyNearTheTruthChargedAndAudited) {
  const auto truth = static_cast<double>(view({"age"}).rows());
  disclose::SeededRandomSource rng(1);
  auto r =
      run_dp_query(*sd_, {.statistic = DpStatistic::kCount, .purpose = "segmentation"}, ctx(), rng);
  ASSERT_OK(r);
  ASSERT_EQ(r->rows.size(), 1u);
  ASSERT_TRUE(r->rows[0].value.has_value());
  // Laplace scale 1/ln 3 = 0.91: 95% within +-3, and the test fails on a noiseless release
  // only by chance; the bound below holds with probability 1 - 1e-9.
  EXPECT_NEAR(*r->rows[0].value, truth, 25);
  EXPECT_EQ(r->mechanism, "discrete_laplace");
  const double epsilon = sd_->config.dp_epsilon_per_query;  // the declaration's: 1.0986
  EXPECT_DOUBLE_EQ(r->noise_scale, 1 / epsilon);
  EXPECT_DOUBLE_EQ(r->cost.epsilon, epsilon);
  EXPECT_EQ(r->cost.delta, 0);
  EXPECT_NEAR(r->budget.epsilon_spent, r->cost.epsilon, 1e-12);
  EXPECT_NEAR(r->budget.epsilon_left(), 10 - r->cost.epsilon, 1e-9);
  EXPECT_EQ(r->budget.releases, 1);
  EXPECT_EQ(audit_count("dp.release"), 1);
  auto spends = sd_->store->dp_spends("segmentation");
  ASSERT_OK(spends);
  ASSERT_EQ(spends->size(), 1u);
  EXPECT_EQ((*spends)[0].audit_seq, r->audit_seq);
}

TEST_F(DpReportTest, TheBudgetRefusesAQueryItCannotCoverAndChargesNothing) {
  disclose::SeededRandomSource rng(2);
  const DpQuery q{.statistic = DpStatistic::kCount, .purpose = "segmentation", .epsilon = 4};
  ASSERT_OK(run_dp_query(*sd_, q, ctx(), rng));
  ASSERT_OK(run_dp_query(*sd_, q, ctx(), rng));
  const std::int64_t views_before = audit_count("gate.view");
  EXPECT_THAT(run_dp_query(*sd_, q, ctx(), rng).status(),
              StatusIs(StatusCode::kResourceExhausted,
                       HasSubstr("privacy budget of purpose segmentation is spent: epsilon 8 of "
                                 "10 used over 2 releases, 2 left, and this query needs 4")));
  EXPECT_EQ(audit_count("gate.view"), views_before);  // refused before reading anything
  EXPECT_EQ(audit_count("dp.release"), 2);
  auto b = dp_budget(*sd_, "segmentation");
  ASSERT_OK(b);
  EXPECT_DOUBLE_EQ(b->epsilon_spent, 8);
  // What is left can still be spent, exactly.
  ASSERT_OK(run_dp_query(
      *sd_, {.statistic = DpStatistic::kCount, .purpose = "segmentation", .epsilon = 2}, ctx(),
      rng));
  // Other purposes have budgets of their own.
  ASSERT_OK(run_dp_query(*sd_, {.statistic = DpStatistic::kCount, .purpose = "lead_scoring"}, ctx(),
                         rng));
}

TEST_F(DpReportTest, BadQueriesAreRefusedNamingTheOption) {
  disclose::SeededRandomSource rng(3);
  const auto status = [&](DpQuery q) { return run_dp_query(*sd_, q, ctx(), rng).status(); };
  EXPECT_THAT(status({.statistic = DpStatistic::kSum, .purpose = "segmentation", .column = "age"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("needs --lower and --upper")));
  EXPECT_THAT(status({.statistic = DpStatistic::kMean, .purpose = "segmentation"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("mean needs --column")));
  EXPECT_THAT(status({.statistic = DpStatistic::kCount, .purpose = "segmentation", .epsilon = 0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("--epsilon")));
  EXPECT_THAT(status({.statistic = DpStatistic::kCount, .purpose = "nope"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a declared purpose")));
  EXPECT_THAT(status({.statistic = DpStatistic::kSum,
                      .purpose = "segmentation",
                      .column = "email",
                      .lower = 0,
                      .upper = 1}),
              StatusIs(StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(
      status({.statistic = DpStatistic::kCount, .purpose = "lead_scoring", .segment = "clusters"}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("made under purpose segmentation")));
  // A category where a number is needed is refused, not read as numbers it does not have.
  EXPECT_THAT(status({.statistic = DpStatistic::kSum,
                      .purpose = "segmentation",
                      .column = "industry",
                      .lower = 0,
                      .upper = 1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("industry is a category")));
  EXPECT_THAT(status({.statistic = DpStatistic::kMean,
                      .purpose = "segmentation",
                      .column = "country",
                      .lower = 0,
                      .upper = 1,
                      .by = "industry"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("country is a category")));
  EXPECT_THAT(status({.statistic = DpStatistic::kQuantiles,
                      .purpose = "segmentation",
                      .column = "industry",
                      .lower = 0,
                      .upper = 1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("quantiles need a number")));
  // Nothing was charged for any of them.
  auto b = dp_budget(*sd_, "segmentation");
  ASSERT_OK(b);
  EXPECT_EQ(b->releases, 0);
}

TEST_F(DpReportTest, MeanAndSumAreClampedAndNearTheTruth) {
  const gate::PurposeView v = view({"age"});
  double sum = 0;
  std::int64_t n = 0;
  for (double a : v.column("age")->numbers) {
    if (!std::isnan(a)) sum += std::clamp(a, 16.0, 100.0), ++n;
  }
  disclose::SeededRandomSource rng(4);
  auto mean = run_dp_query(*sd_,
                           {.statistic = DpStatistic::kMean,
                            .purpose = "segmentation",
                            .column = "age",
                            .lower = 16,
                            .upper = 100,
                            .epsilon = 2},
                           ctx(), rng);
  ASSERT_OK(mean);
  ASSERT_EQ(mean->rows.size(), 1u);
  EXPECT_NEAR(*mean->rows[0].value, sum / static_cast<double>(n), 1.5);
  EXPECT_GT(mean->cost.delta, 0);  // the one partition is released through selection
  auto total = run_dp_query(*sd_,
                            {.statistic = DpStatistic::kSum,
                             .purpose = "segmentation",
                             .column = "age",
                             .lower = 16,
                             .upper = 100,
                             .epsilon = 2},
                            ctx(), rng);
  ASSERT_OK(total);
  EXPECT_NEAR(*total->rows[0].value, sum, 0.02 * sum);
}

TEST_F(DpReportTest, GroupsAppearOnlyThroughSelectionAndAtLeastK) {
  const gate::PurposeView v = view({"job_title"});
  std::map<std::string, std::int64_t> titles;
  const gate::Column* title = v.column("job_title");
  for (std::size_t r = 0; r < v.rows(); ++r) {
    ++titles[title->missing(r) ? "(missing)"
                               : title->dictionary[static_cast<std::size_t>(title->codes[r])]];
  }
  disclose::SeededRandomSource rng(5);
  auto r = run_dp_query(
      *sd_, {.statistic = DpStatistic::kCount, .purpose = "segmentation", .by = "job_title"}, ctx(),
      rng);
  ASSERT_OK(r);
  EXPECT_GE(r->threshold, 10);
  EXPECT_FALSE(r->rows.empty());
  for (const DpRow& row : r->rows) {
    ASSERT_TRUE(row.value.has_value());
    EXPECT_GE(*row.value, r->threshold) << row.label;
    ASSERT_TRUE(titles.contains(row.label)) << row.label;
    // A group a few people make up comes out only by a freak of the noise (delta).
    EXPECT_GE(titles[row.label], 3) << row.label;
  }
  EXPECT_GT(r->cost.delta, 0);
}

TEST_F(DpReportTest, AHistogramOfADeclaredCategoryShowsEveryDeclaredValue) {
  disclose::SeededRandomSource rng(6);
  auto r = run_dp_query(
      *sd_, {.statistic = DpStatistic::kHistogram, .purpose = "segmentation", .column = "industry"},
      ctx(), rng);
  ASSERT_OK(r);
  EXPECT_EQ(r->rows.size(), sd_->config.field("industry")->values.size());
  EXPECT_EQ(r->cost.delta, 0);  // a public domain needs no selection
  for (const DpRow& row : r->rows) {
    if (row.value) {
      EXPECT_GE(*row.value, 10) << row.label;
    }
  }
}

TEST_F(DpReportTest, QuantilesAreNearTheTruthAndCostOneQuery) {
  std::vector<double> ages;
  const gate::PurposeView v = view({"age"});
  for (double a : v.column("age")->numbers) {
    if (!std::isnan(a)) ages.push_back(a);
  }
  std::sort(ages.begin(), ages.end());
  const double median = ages[ages.size() / 2];
  disclose::SeededRandomSource rng(7);
  auto r = run_dp_query(*sd_,
                        {.statistic = DpStatistic::kQuantiles,
                         .purpose = "segmentation",
                         .column = "age",
                         .lower = 16,
                         .upper = 100,
                         .quantiles = {0.5}},
                        ctx(), rng);
  ASSERT_OK(r);
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0].label, "p50");
  EXPECT_NEAR(*r->rows[0].value, median, 4);
  EXPECT_DOUBLE_EQ(r->cost.epsilon, sd_->config.dp_epsilon_per_query);
  EXPECT_GT(r->cost.delta, 0);  // the population passes partition selection first
  EXPECT_GE(r->threshold, 10);
}

TEST_F(DpReportTest, ASegmentGroupCountsOnlyItsReleasedMembers) {
  auto st = runs::segment_state(*sd_, "clusters");
  ASSERT_OK(st);
  ASSERT_FALSE(st->release.groups.empty());
  const auto& g = st->release.groups.front();
  disclose::SeededRandomSource rng(8);
  auto r = run_dp_query(
      *sd_, {.statistic = DpStatistic::kCount, .segment = "clusters", .group = g.name}, ctx(), rng);
  ASSERT_OK(r);
  EXPECT_EQ(r->query.purpose, "segmentation");
  EXPECT_NEAR(*r->rows[0].value, static_cast<double>(g.size), 25);
  EXPECT_THAT(
      run_dp_query(*sd_,
                   {.statistic = DpStatistic::kCount, .segment = "clusters", .group = "nobody"},
                   ctx(), rng)
          .status(),
      StatusIs(StatusCode::kNotFound, ::testing::_));
}

TEST_F(DpReportTest, RestoringABackupDoesNotGiveTheBudgetBack) {
  disclose::SeededRandomSource rng(9);
  const auto backup = store_.path() / "before.db";
  ASSERT_OK(rights::backup_store(*sd_, backup, "test", kNow));
  ASSERT_OK(run_dp_query(
      *sd_, {.statistic = DpStatistic::kCount, .purpose = "segmentation", .epsilon = 6}, ctx(),
      rng));
  auto restored = rights::restore_store(*sd_, backup, "test", kNow + 10);
  ASSERT_OK(restored);
  EXPECT_EQ(restored->dp_spends_carried, 1);
  auto b = dp_budget(*sd_, "segmentation");
  ASSERT_OK(b);
  EXPECT_DOUBLE_EQ(b->epsilon_spent, 6);
  EXPECT_THAT(run_dp_query(
                  *sd_, {.statistic = DpStatistic::kCount, .purpose = "segmentation", .epsilon = 6},
                  ctx(), rng)
                  .status(),
              StatusIs(StatusCode::kResourceExhausted, ::testing::_));
}

}  // namespace
}  // namespace consentric::report
