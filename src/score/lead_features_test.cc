#include "score/lead_features.h"

#include <cmath>
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

gate::Column numbers(std::string name, std::vector<double> v) {
  gate::Column c;
  c.name = std::move(name);
  c.numbers = std::move(v);
  return c;
}

gate::Column categories(std::string name, std::vector<std::int32_t> codes,
                        std::vector<std::string> dictionary) {
  gate::Column c;
  c.name = std::move(name);
  c.kind = gate::ColumnKind::kCategory;
  c.codes = std::move(codes);
  c.dictionary = std::move(dictionary);
  return c;
}

// Six subjects: counts of email opens (one missing), recency, and an industry (one missing).
gate::PurposeView view() {
  return gate::PurposeView("lead_scoring", 0, {"s1", "s2", "s3", "s4", "s5", "s6"},
                           {numbers("count.email_open", {12, 0, 3, NAN, 5, 4}),
                            numbers("recency_days", {1, 30, 7, 2, 90, 10}),
                            categories("industry", {0, 0, 1, -1, 0, 1}, {"retail", "finance"})});
}

TEST(LeadFeaturesTest, OneInputPerNumberAndOnePerCategory) {
  const gate::PurposeView v = view();
  const std::vector<std::size_t> rows = {0, 1, 2, 3, 4, 5};
  auto f = LeadFeatures::fit(v, {.min_category_count = 1}, rows);
  ASSERT_OK(f);
  EXPECT_THAT(f->names(), ElementsAre("count.email_open", "recency_days", "industry=retail",
                                      "industry=finance", "industry=(missing)"));
  EXPECT_THAT(f->numeric_inputs(), ElementsAre(0, 1));
  EXPECT_THAT(f->columns(), ElementsAre("count.email_open", "recency_days", "industry"));
  auto x = f->matrix(v, std::vector<std::size_t>{0, 3});
  ASSERT_OK(x);
  // The missing count takes the training mean, (12 + 0 + 3 + 5 + 4) / 5.
  EXPECT_THAT(*x, ElementsAre(12, 1, 1, 0, 0, 4.8f, 2, 0, 0, 1));
}

TEST(LeadFeaturesTest, RoundTripsThroughJsonAndExplainsInWords) {
  const gate::PurposeView v = view();
  const std::vector<std::size_t> train = {0, 1, 2, 3};
  auto f = LeadFeatures::fit(
      v, {.columns = {"industry", "count.email_open"}, .min_category_count = 2}, train);
  ASSERT_OK(f);
  // finance is seen once among the training rows: it goes to "(other)".
  EXPECT_THAT(f->names(), ElementsAre("industry=retail", "industry=(missing)", "industry=(other)",
                                      "count.email_open"));
  auto back = LeadFeatures::from_json(f->to_json());
  ASSERT_OK(back);
  EXPECT_EQ(back->names(), f->names());
  const std::vector<std::size_t> all = {0, 1, 2, 3, 4, 5};
  EXPECT_EQ(*back->matrix(v, all), *f->matrix(v, all));

  const std::vector<double> contributions = {0.8, 0.0, -0.25, 0.1};
  auto words = f->top_contributions(v, 0, contributions, 3);
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[0].text, "industry = retail: +0.80");
  EXPECT_EQ(words[1].text, "industry is not (other): -0.25");
  EXPECT_EQ(words[2].text, "count.email_open 12: +0.10");
  words = f->top_contributions(v, 3, contributions, 4);
  EXPECT_EQ(words[2].text, "count.email_open missing (taken as 5): +0.10");
}

TEST(LeadFeaturesTest, SpecialCategoryFieldIsRefusedByName) {
  gate::PurposeView v = view();
  const std::vector<std::size_t> rows = {0, 1, 2};
  // Asked for by name, though the view does not even carry it (the gate keeps it out).
  EXPECT_THAT(LeadFeatures::fit(v,
                                {.columns = {"recency_days", "health_condition"},
                                 .special_category_fields = {"health_condition"}},
                                rows),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("field \"health_condition\" is a special category")));
  // Carried by a view, it is refused too when every column is taken.
  EXPECT_THAT(LeadFeatures::fit(v, {.special_category_fields = {"industry"}}, rows),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"industry\" is a special")));
}

TEST(LeadFeaturesTest, RefusesWhatTheViewLacks) {
  const gate::PurposeView v = view();
  const std::vector<std::size_t> rows = {0, 1};
  EXPECT_THAT(LeadFeatures::fit(v, {.columns = {"count.purchase"}}, rows),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("feature \"count.purchase\": not a column of the view")));
  EXPECT_THAT(LeadFeatures::fit(v, {.columns = {"recency_days", "recency_days"}}, rows),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("listed twice")));
  auto f = LeadFeatures::fit(v, {.columns = {"recency_days"}}, rows);
  ASSERT_OK(f);
  const gate::PurposeView other("lead_scoring", 0, {"s1"},
                                {categories("recency_days", {0}, {"x"})});
  EXPECT_THAT(f->matrix(other, std::vector<std::size_t>{0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expects a number")));
  EXPECT_THAT(LeadFeatures::from_json(R"({"columns": [{"column": "a", "kind": "vector"}]})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("columns[0]: kind \"vector\"")));
}

}  // namespace
}  // namespace consentric::score
