// The points section: every key is read, and every mistake is named with its line and field.

#include <algorithm>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace consentric {
namespace {

using config_test::base_plus;

// kBase and a small funnel: fields, event types and the purpose points run under. Ends on line
// kPointsLine - 1, so a test's "points:" is on kPointsLine.
const std::string kFunnel = base_plus(
    "  - {name: industry, type: category, category: demographic, values: [software, retail]}\n"
    "  - {name: employees, type: int, category: demographic}\n"
    "  - {name: job_title, type: string, category: demographic}\n"
    "  - {name: religion, type: string, category: special_category}\n"
    "  - {name: phone, type: string, category: contact, pii: true}\n"
    "  - {name: country, type: string, category: location}\n"
    "event_types:\n"
    "  - name: page_view\n"
    "    properties:\n"
    "      - {name: page, type: string}\n"
    "      - {name: duration_s, type: int}\n"
    "      - {name: referrer, type: string, pii: true}\n"
    "  - name: webinar\n"
    "    properties:\n"
    "      - {name: attended, type: bool}\n"
    "      - {name: level, type: category, values: [intro, deep]}\n"
    "  - name: purchase\n"
    "purposes:\n"
    "  - {id: leads, legal_basis: consent, notice_version: v1, fields: [industry, employees,\n"
    "     job_title, religion, phone], event_types: [page_view, webinar]}\n");
constexpr int kPointsLine = 27;

std::string funnel_plus(std::string_view points) { return kFunnel + std::string(points); }

TEST(PointsConfig, TheFunnelEndsWhereTheTestsSayIt) {
  EXPECT_EQ(std::count(kFunnel.begin(), kFunnel.end(), '\n'), kPointsLine - 1);
  EXPECT_OK(parse_config(kFunnel, "t"));
}

TEST(PointsConfig, EveryKeyIsRead) {
  auto c = parse_config(
      funnel_plus("points:\n"
                  "  purpose: leads\n"
                  "  event_rules:\n"
                  "    - {name: pricing, event_type: page_view, where: {page: /pricing},\n"
                  "       points: 5, cap: 20, half_life: 14d}\n"
                  "    - {name: long_read, event_type: page_view,\n"
                  "       where: {duration_s: {gte: 60, lt: 600}, page: [/a, /b]}, points: 2.5}\n"
                  "    - {name: attended, event_type: webinar, where: {attended: true}, "
                  "points: 10}\n"
                  "  fit_rules:\n"
                  "    - {name: target_industry, field: industry, values: [software], "
                  "points: 15}\n"
                  "    - {name: mid_size, field: employees, min: 50, max: 1000, points: 10}\n"
                  "    - {name: leader, field: job_title, contains: [head of, vp], points: 8}\n"
                  "  grades: {A: 90, B: 60, C: 30.5}\n"
                  "  mql: 70\n"),
      "t");
  ASSERT_OK(c);
  ASSERT_TRUE(c->points.has_value());
  const PointsSpec& p = *c->points;
  EXPECT_EQ(p.purpose, "leads");
  ASSERT_EQ(p.event_rules.size(), 3u);
  const EventPointsRule& pricing = p.event_rules[0];
  EXPECT_EQ(pricing.name, "pricing");
  EXPECT_EQ(pricing.event_type, "page_view");
  EXPECT_EQ(pricing.points_milli, 5000);
  EXPECT_EQ(pricing.cap_milli, 20000);
  EXPECT_EQ(pricing.half_life_seconds, 14 * 86400);
  ASSERT_EQ(pricing.conditions.size(), 1u);
  EXPECT_EQ(pricing.conditions[0].property, "page");
  EXPECT_EQ(pricing.conditions[0].op, PointsCondition::Op::kEq);
  EXPECT_EQ(pricing.conditions[0].values, std::vector<std::string>{"/pricing"});
  const EventPointsRule& long_read = p.event_rules[1];
  EXPECT_EQ(long_read.points_milli, 2500);
  EXPECT_FALSE(long_read.cap_milli.has_value());
  EXPECT_FALSE(long_read.half_life_seconds.has_value());
  ASSERT_EQ(long_read.conditions.size(), 3u);
  EXPECT_EQ(long_read.conditions[0].op, PointsCondition::Op::kLt);  // in key order of kOpKeys
  EXPECT_EQ(long_read.conditions[1].op, PointsCondition::Op::kGe);
  EXPECT_EQ(long_read.conditions[2].op, PointsCondition::Op::kIn);
  EXPECT_EQ(long_read.conditions[2].values, (std::vector<std::string>{"/a", "/b"}));
  ASSERT_EQ(p.fit_rules.size(), 3u);
  EXPECT_EQ(p.fit_rules[0].values, std::vector<std::string>{"software"});
  EXPECT_EQ(p.fit_rules[1].min, 50);
  EXPECT_EQ(p.fit_rules[1].max, 1000);
  EXPECT_EQ(p.fit_rules[2].contains, (std::vector<std::string>{"head of", "vp"}));
  EXPECT_EQ(p.grade_a_milli, 90000);
  EXPECT_EQ(p.grade_b_milli, 60000);
  EXPECT_EQ(p.grade_c_milli, 30500);
  EXPECT_EQ(p.mql_milli, 70000);
}

TEST(PointsConfig, NoSectionNoPoints) {
  auto c = parse_config(kFunnel, "t");
  ASSERT_OK(c);
  EXPECT_FALSE(c->points.has_value());
}

// One event rule on line kPointsLine + 2 with `rule` inside the braces.
std::string event_rule(std::string_view rule) {
  return funnel_plus("points:\n  purpose: leads\n  event_rules:\n    - {" + std::string(rule) +
                     "}\n");
}
std::string fit_rule(std::string_view rule) {
  return funnel_plus("points:\n  purpose: leads\n  fit_rules:\n    - {" + std::string(rule) +
                     "}\n");
}
constexpr int kRuleLine = kPointsLine + 3;

TEST(PointsConfig, ThePurposeMustBeDeclared) {
  EXPECT_ONE_PROBLEM(funnel_plus("points:\n  purpose: lead\n"), kPointsLine + 1, "points.purpose",
                     "purpose \"lead\" is not declared (declared: leads)");
  EXPECT_ONE_PROBLEM(funnel_plus("points:\n  mql: 5\n"), kPointsLine + 1, "points.purpose",
                     "missing required key \"purpose\"");
}

TEST(PointsConfig, EventTypesMustBeDeclaredAndDeclaredByThePurpose) {
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: page_veiw, points: 1"), kRuleLine,
                     "points.event_rules[0].event_type",
                     "event type \"page_veiw\" is not declared; did you mean \"page_view\"?");
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: purchase, points: 1"), kRuleLine,
                     "points.event_rules[0].event_type",
                     "purpose \"leads\" does not declare event type \"purchase\"");
}

TEST(PointsConfig, PropertiesMustBeDeclaredReadableAndOfTheRightType) {
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: page_view, where: {pgae: /x}, points: 1"),
                     kRuleLine, "points.event_rules[0].where.pgae",
                     "event type \"page_view\" has no property \"pgae\" (its properties: page, "
                     "duration_s, referrer)");
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: page_view, where: {referrer: x}, points: 1"),
                     kRuleLine, "points.event_rules[0].where.referrer",
                     "property \"referrer\" of \"page_view\" is pii");
  EXPECT_ONE_PROBLEM(
      event_rule("name: r, event_type: page_view, where: {page: {gte: 3}}, points: 1"), kRuleLine,
      "points.event_rules[0].where.page",
      "lt, lte, gt and gte compare numbers, and property "
      "\"page\" has type string");
  EXPECT_ONE_PROBLEM(
      event_rule("name: r, event_type: page_view, where: {duration_s: lots}, points: 1"), kRuleLine,
      "points.event_rules[0].where.duration_s", "expected a number, got \"lots\"");
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: webinar, where: {attended: yes}, points: 1"),
                     kRuleLine, "points.event_rules[0].where.attended",
                     "expected true or false, got \"yes\"");
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: webinar, where: {level: [intro, expert]}, "
                                "points: 1"),
                     kRuleLine, "points.event_rules[0].where.level",
                     "\"expert\" is not a value of \"level\" (its values: intro, deep)");
  EXPECT_ONE_PROBLEM(
      event_rule("name: r, event_type: page_view, where: {page: {like: x}}, points: 1"), kRuleLine,
      "points.event_rules[0].where.page.like", "unknown key \"like\"");
}

TEST(PointsConfig, PointsCapsAndHalfLivesAreChecked) {
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: webinar, points: 0"), kRuleLine,
                     "points.event_rules[0].points", "a rule of 0 points changes nothing");
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: webinar, points: 1.0005"), kRuleLine,
                     "points.event_rules[0].points", "a thousandth of a point; got 1.0005");
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: webinar, points: 1e9"), kRuleLine,
                     "points.event_rules[0].points", "expected a number of points between");
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: webinar, points: 1, cap: -5"), kRuleLine,
                     "points.event_rules[0].cap", "expected a cap above 0 points");
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: webinar, points: 1, half_life: 0d"),
                     kRuleLine, "points.event_rules[0].half_life",
                     "expected a duration longer than zero");
  EXPECT_ONE_PROBLEM(event_rule("name: r, event_type: webinar, points: 1, half_life: -3d"),
                     kRuleLine, "points.event_rules[0].half_life", "expected a duration such as");
  // A negative rule is how marketing takes points away (an unsubscribe, a careers page).
  EXPECT_OK(parse_config(event_rule("name: r, event_type: webinar, points: -3"), "t"));
}

TEST(PointsConfig, RuleNamesAreNamesAndUnique) {
  EXPECT_ONE_PROBLEM(event_rule("name: Big Rule, event_type: webinar, points: 1"), kRuleLine,
                     "points.event_rules[0].name", "expected a rule name");
  EXPECT_ONE_PROBLEM(funnel_plus("points:\n  purpose: leads\n  event_rules:\n"
                                 "    - {name: r, event_type: webinar, points: 1}\n"
                                 "  fit_rules:\n"
                                 "    - {name: r, field: industry, values: [retail], points: 1}\n"),
                     kRuleLine + 2, "points.fit_rules[0].name", "rule name \"r\" is given twice");
}

TEST(PointsConfig, FitFieldsAreDeclaredByThePurposeAndNeverSpecialOrPii) {
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: religion, values: [x], points: 1"), kRuleLine,
                     "points.fit_rules[0].field",
                     "field \"religion\" is a special category of personal data (GDPR Art. 9)");
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: phone, contains: ['+49'], points: 1"), kRuleLine,
                     "points.fit_rules[0].field", "field \"phone\" is pii");
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: country, values: [DE], points: 1"), kRuleLine,
                     "points.fit_rules[0].field",
                     "purpose \"leads\" does not declare field \"country\"");
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: industri, values: [x], points: 1"), kRuleLine,
                     "points.fit_rules[0].field",
                     "field \"industri\" is not declared; did you mean \"industry\"?");
}

TEST(PointsConfig, FitRulesTakeExactlyOneFormThatFitsTheField) {
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: industry, points: 1"), kRuleLine,
                     "points.fit_rules[0]",
                     "expected exactly one of values, contains, or "
                     "min/max, got 0");
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: industry, values: [retail], min: 1, points: 1"),
                     kRuleLine, "points.fit_rules[0]", "got 2");
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: industry, values: [retial], points: 1"), kRuleLine,
                     "points.fit_rules[0].values[0]", "\"retial\" is not a value of \"industry\"");
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: industry, min: 3, points: 1"), kRuleLine,
                     "points.fit_rules[0]",
                     "min and max compare numbers, and field \"industry\" has type category");
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: employees, min: 300, max: 10, points: 1"), kRuleLine,
                     "points.fit_rules[0].min", "expected min at most max (10), got 300");
  EXPECT_ONE_PROBLEM(fit_rule("name: f, field: employees, contains: ['1'], points: 1"), kRuleLine,
                     "points.fit_rules[0].contains",
                     "contains matches text, and field \"employees\" has type int");
}

TEST(PointsConfig, GradesDecreaseFromAToC) {
  EXPECT_ONE_PROBLEM(funnel_plus("points:\n  purpose: leads\n  grades: {A: 50, B: 50, C: 20}\n"),
                     kPointsLine + 2, "points.grades",
                     "expected thresholds that decrease from A to C (A > B > C; D is below C), "
                     "got A 50, B 50, C 20");
  EXPECT_ONE_PROBLEM(funnel_plus("points:\n  purpose: leads\n  grades: {A: 50, B: 40}\n"),
                     kPointsLine + 2, "points.grades.C", "missing required key \"C\"");
  EXPECT_ONE_PROBLEM(funnel_plus("points:\n  purpose: leads\n  mql: many\n"), kPointsLine + 2,
                     "points.mql", "expected a number, got \"many\"");
}

TEST(PointsConfig, TheShippedExampleDeclaresPoints) {
  auto c = load_config_file(std::filesystem::path(CONSENTRIC_SOURCE_DIR) / "examples" / "b2b_saas" /
                            "consentric.yaml");
  ASSERT_OK(c);
  ASSERT_TRUE(c->points.has_value());
  EXPECT_EQ(c->points->purpose, "lead_scoring");
  EXPECT_FALSE(c->points->event_rules.empty());
  EXPECT_FALSE(c->points->fit_rules.empty());
}

}  // namespace
}  // namespace consentric
