// The disclosure-control part of the declaration: DP defaults and budgets, l-diversity,
// suppression, recipients and generalization hierarchies.

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace consentric {
namespace {

using config_test::base_plus;
using ::testing::HasSubstr;

TEST(DisclosureConfig, DefaultsAreThoseADpoCanDefend) {
  auto c = parse_config(base_plus(""), "t");
  ASSERT_OK(c);
  EXPECT_NEAR(c->dp_epsilon_per_query, std::log(3.0), 1e-12);
  EXPECT_DOUBLE_EQ(c->dp_delta_per_query, 1e-6);
  EXPECT_EQ(c->l_diversity, 0);
  EXPECT_DOUBLE_EQ(c->max_suppression, 0.05);
  EXPECT_TRUE(c->recipients.empty());
}

TEST(DisclosureConfig, EveryKeyIsRead) {
  const std::string yaml = base_plus(
      "  - {name: age, type: int, category: demographic, quasi_identifier: true,\n"
      "     generalization: {bands: [5, 10, 20]}}\n"
      "  - {name: zip, type: string, category: location, quasi_identifier: true,\n"
      "     generalization: {prefix: [3, 1]}}\n"
      "  - {name: since, type: date, category: behavioral, quasi_identifier: true,\n"
      "     generalization: {dates: [month, decade]}}\n"
      "  - {name: country, type: category, category: location, quasi_identifier: true,\n"
      "     values: [DE, FR, US],\n"
      "     generalization: {categories: [{DE: eu, FR: eu, US: na}, {eu: world, na: world}]}}\n"
      "  - {name: tier, type: category, category: behavioral, sensitive: true, values: [a, b]}\n"
      "l_diversity: 2\n"
      "max_suppression: 0.1\n"
      "differential_privacy: {epsilon_per_query: 0.5, delta_per_query: 1.0e-7}\n"
      "purposes:\n"
      "  - {id: seg, legal_basis: consent, notice_version: v1, fields: [age, country],\n"
      "     dp_budget: {epsilon: 4, delta: 0}}\n"
      "recipients:\n"
      "  - {name: adnet, description: Ads, country: IE, purposes: [seg]}\n");
  auto c = parse_config(yaml, "t");
  ASSERT_OK(c);
  EXPECT_EQ(c->field("age")->generalization->band_widths, (std::vector<double>{5, 10, 20}));
  EXPECT_EQ(c->field("zip")->generalization->prefix_lengths, (std::vector<int>{3, 1}));
  EXPECT_EQ(c->field("since")->generalization->date_levels,
            (std::vector<std::string>{"month", "decade"}));
  const auto& cat = c->field("country")->generalization->category_parents;
  ASSERT_EQ(cat.size(), 2u);
  EXPECT_EQ(cat[0][2], (std::pair<std::string, std::string>{"US", "na"}));
  EXPECT_TRUE(c->field("tier")->sensitive);
  EXPECT_EQ(c->l_diversity, 2);
  EXPECT_DOUBLE_EQ(c->max_suppression, 0.1);
  EXPECT_DOUBLE_EQ(c->dp_epsilon_per_query, 0.5);
  EXPECT_DOUBLE_EQ(c->dp_delta_per_query, 1e-7);
  EXPECT_DOUBLE_EQ(c->purpose("seg")->dp_epsilon_budget, 4);
  EXPECT_DOUBLE_EQ(c->purpose("seg")->dp_delta_budget, 0);
  ASSERT_NE(c->recipient("adnet"), nullptr);
  EXPECT_EQ(c->recipient("adnet")->country, "IE");
  EXPECT_EQ(c->recipient("adnet")->purposes, (std::vector<std::string>{"seg"}));
}

TEST(DisclosureConfig, BudgetsAndDefaultsOutOfRangeAreNamed) {
  EXPECT_ONE_PROBLEM(base_plus("differential_privacy: {epsilon_per_query: 0}\n"), 7,
                     "differential_privacy.epsilon_per_query", "expected an epsilon between");
  EXPECT_ONE_PROBLEM(base_plus("differential_privacy: {delta_per_query: 0.01}\n"), 7,
                     "differential_privacy.delta_per_query", "at most 0.0001, got 0.01");
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - {id: p, legal_basis: contract, dp_budget: "
                               "{epsilon: -1}}\n"),
                     8, "purposes[0].dp_budget.epsilon", "got -1");
  EXPECT_ONE_PROBLEM(base_plus("max_suppression: 1\n"), 7, "max_suppression",
                     "up to (not including) 1, got 1");
  EXPECT_ONE_PROBLEM(base_plus("l_diversity: 11\n"), 7, "l_diversity",
                     "from 0 (off) to k_anonymity (10)");
  EXPECT_ONE_PROBLEM(base_plus("l_diversity: 2\n"), 7, "l_diversity",
                     "needs a field declared sensitive: true");
}

TEST(DisclosureConfig, HierarchiesAreCheckedAgainstTheirField) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: age, type: int, category: demographic,\n"
                               "     generalization: {bands: [5]}}\n"),
                     8, "fields[1].generalization", "add quasi_identifier: true");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: age, type: int, category: demographic, "
                               "quasi_identifier: true,\n"
                               "     generalization: {bands: [5, 12]}}\n"),
                     8, "fields[1].generalization.bands[1]", "a multiple of the band width");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: age, type: int, category: demographic, "
                               "quasi_identifier: true,\n"
                               "     generalization: {prefix: [2]}}\n"),
                     8, "fields[1].generalization",
                     "prefix generalization applies to fields of type string or category");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: zip, type: string, category: location, "
                               "quasi_identifier: true,\n"
                               "     generalization: {prefix: [2, 3]}}\n"),
                     8, "fields[1].generalization.prefix[1]", "each shorter than the one before");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: d, type: date, category: behavioral, "
                               "quasi_identifier: true,\n"
                               "     generalization: {dates: [year, month]}}\n"),
                     8, "fields[1].generalization.dates[1]", "got \"month\"");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: c, type: category, category: location, "
                               "quasi_identifier: true, values: [DE, FR],\n"
                               "     generalization: {categories: [{DE: eu}]}}\n"),
                     8, "fields[1].generalization.categories[0]",
                     "level 1 gives no parent for \"FR\"");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: c, type: category, category: location, "
                               "quasi_identifier: true, values: [DE],\n"
                               "     generalization: {bands: [1], prefix: [1]}}\n"),
                     8, "fields[1].generalization", "exactly one of bands, prefix, dates");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: c, type: category, category: location, "
                               "quasi_identifier: true, values: [DE],\n"
                               "     generalization: {categories: [{DE: eu, DE: us}]}}\n"),
                     8, "fields[1].generalization.categories[0].DE", "duplicate key \"DE\"");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: t, type: string, category: behavioral, "
                               "quasi_identifier: true, sensitive: true}\n"),
                     7, "fields[1].sensitive", "must be another field");
}

TEST(DisclosureConfig, RecipientsNameDeclaredPurposes) {
  const std::string purposes = "purposes:\n  - {id: seg, legal_basis: contract}\n";  // 7-8
  EXPECT_ONE_PROBLEM(base_plus(purposes + "recipients:\n  - {name: ad, purposes: [segs]}\n"), 10,
                     "recipients[0].purposes[0]", "purpose \"segs\" is not declared");
  EXPECT_ONE_PROBLEM(base_plus(purposes + "recipients:\n  - {name: Ad Net, purposes: [seg]}\n"), 10,
                     "recipients[0].name", "expected a name");
  EXPECT_ONE_PROBLEM(
      base_plus(purposes + "recipients:\n  - {name: ad, country: Irl, purposes: [seg]}\n"), 10,
      "recipients[0].country", "ISO 3166-1 alpha-2");
  EXPECT_ONE_PROBLEM(base_plus(purposes + "recipients:\n  - {name: ad, purposes: [seg]}\n"
                                          "  - {name: ad, purposes: [seg]}\n"),
                     11, "recipients[1].name", "duplicate recipient \"ad\"");
  EXPECT_ONE_PROBLEM(base_plus(purposes + "recipients:\n  - {name: ad}\n"), 10,
                     "recipients[0].purposes", "missing required key");
}

}  // namespace
}  // namespace consentric
