// Points rules on hand-made events and profiles, with expectations computed by hand.

#include "score/points.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace consentric::score {
namespace {

constexpr UnixSeconds kDay = 86400;
constexpr UnixSeconds kNow = 1'780'000'000;

const char* kYaml = R"(version: 1
controller: {name: Acme, contact: dpo@acme.example}
identifiers: [{field: email, kind: email}]
fields:
  - {name: email, type: string, category: contact, pii: true}
  - {name: industry, type: category, category: demographic, values: [software, retail]}
  - {name: employees, type: int, category: demographic}
  - {name: job_title, type: string, category: demographic}
event_types:
  - name: page_view
    properties:
      - {name: page, type: string}
      - {name: duration_s, type: int}
  - name: webinar
    properties:
      - {name: attended, type: bool}
purposes:
  - {id: leads, legal_basis: legitimate_interest, fields: [industry, employees, job_title],
     event_types: [page_view, webinar]}
points:
  purpose: leads
  event_rules:
    - {name: pricing, event_type: page_view, where: {page: /pricing}, points: 8, cap: 12,
       half_life: 10d}
    - {name: long_read, event_type: page_view, where: {duration_s: {gte: 60}}, points: 1.5}
    - {name: no_show, event_type: webinar, where: {attended: false}, points: -4}
  fit_rules:
    - {name: software, field: industry, values: [software], points: 10}
    - {name: mid_size, field: employees, min: 50, max: 500, points: 7}
    - {name: leader, field: job_title, contains: [head of, vp], points: 5}
  grades: {A: 30, B: 20, C: 10}
  mql: 25
)";

class PointsRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = parse_config(kYaml, "t.yaml");
    ASSERT_OK(c);
    config_ = std::move(*c);
    auto r = PointsRules::bind(*config_.points, config_);
    ASSERT_OK(r);
    rules_ = std::move(*r);
  }

  // One subject with the given profile.
  static gate::PurposeView view(std::string industry, double employees, std::string title) {
    gate::Column ind{.name = "industry",
                     .kind = gate::ColumnKind::kCategory,
                     .numbers = {},
                     .codes = {0},
                     .dictionary = {std::move(industry)}};
    gate::Column emp{.name = "employees",
                     .kind = gate::ColumnKind::kNumber,
                     .numbers = {employees},
                     .codes = {},
                     .dictionary = {}};
    gate::Column job{.name = "job_title",
                     .kind = gate::ColumnKind::kCategory,
                     .numbers = {},
                     .codes = {0},
                     .dictionary = {std::move(title)}};
    return gate::PurposeView("leads", kNow, {"p1"}, {ind, emp, job});
  }

  // A page view `days` ago (type 0: page, duration_s).
  static gate::PurposeEvent page(std::int64_t id, double days, std::string page, double seconds) {
    return {.id = id,
            .ts = kNow - static_cast<UnixSeconds>(days * kDay),
            .type = 0,
            .values = {{.present = true, .is_number = false, .number = 0, .text = std::move(page)},
                       {.present = true, .is_number = true, .number = seconds, .text = {}}}};
  }
  static gate::PurposeEvent webinar(std::int64_t id, bool attended) {
    return {.id = id,
            .ts = kNow - kDay,
            .type = 1,
            .values = {{.present = true,
                        .is_number = true,
                        .number = attended ? 1.0 : 0.0,
                        .text = attended ? "true" : "false"}}};
  }

  std::int64_t rule_total(const std::vector<PointsPart>& parts, std::string_view name) const {
    std::int64_t sum = 0;
    for (const PointsPart& p : parts) {
      if (rules_.rule_names()[p.rule] == name) sum += p.milli;
    }
    return sum;
  }

  Config config_;
  PointsRules rules_;
};

TEST_F(PointsRulesTest, AsksTheGateOnlyForWhatTheRulesRead) {
  ASSERT_EQ(rules_.event_columns().size(), 2u);
  EXPECT_EQ(rules_.event_columns()[0].type, "page_view");
  EXPECT_EQ(rules_.event_columns()[0].properties, (std::vector<std::string>{"page", "duration_s"}));
  EXPECT_EQ(rules_.event_columns()[1].type, "webinar");
  EXPECT_EQ(rules_.fit_fields(), (std::vector<std::string>{"industry", "employees", "job_title"}));
}

TEST(DecayedPoints, HalvesEveryHalfLife) {
  EXPECT_EQ(decayed_points(8000, 0, 10 * kDay), 8000);
  EXPECT_EQ(decayed_points(8000, 10 * kDay, 10 * kDay), 4000);
  EXPECT_EQ(decayed_points(8000, 20 * kDay, 10 * kDay), 2000);
  EXPECT_EQ(decayed_points(8000, 5 * kDay, 10 * kDay), 5657);  // 8000 / sqrt(2) = 5656.85
  EXPECT_EQ(decayed_points(-4000, 10 * kDay, 10 * kDay), -2000);
  EXPECT_EQ(decayed_points(8000, 1000 * kDay, 0), 8000);  // no half-life: no decay
}

TEST_F(PointsRulesTest, EventsDecayAndTheCapHoldsTheRule) {
  const gate::PurposeView v = view("retail", 10, "Analyst");
  // Pricing page 0, 10 and 20 days ago: 8 + 4 + 2 = 14 points decayed, held at the cap of 12.
  const std::vector<gate::PurposeEvent> events = {page(1, 20, "/pricing", 5),
                                                  page(2, 10, "/pricing", 5),
                                                  page(3, 0, "/pricing", 5), page(4, 0, "/", 5)};
  const auto parts = rules_.parts(v, 0, events);
  // Three event parts of 8 points, a decay of 14 − 24 = −10 and a cap of 12 − 14 = −2.
  std::vector<std::int64_t> event_ids;
  for (const PointsPart& p : parts) {
    if (p.kind == PointsKind::kEvent) {
      EXPECT_EQ(p.milli, 8000);
      event_ids.push_back(p.event_id);
    }
    if (p.kind == PointsKind::kDecay) {
      EXPECT_EQ(p.milli, -10000);
    }
    if (p.kind == PointsKind::kCap) {
      EXPECT_EQ(p.milli, -2000);
    }
  }
  EXPECT_EQ(event_ids, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(parts.size(), 5u);
  EXPECT_EQ(rule_total(parts, "pricing"), 12000);
  EXPECT_EQ(PointsRules::total(parts), 12000);
}

TEST_F(PointsRulesTest, UnderTheCapNothingIsTakenOff) {
  const gate::PurposeView v = view("retail", 10, "Analyst");
  const auto parts = rules_.parts(v, 0, std::vector{page(1, 10, "/pricing", 5)});
  EXPECT_EQ(rule_total(parts, "pricing"), 4000);
  for (const PointsPart& p : parts) EXPECT_NE(p.kind, PointsKind::kCap);
}

TEST_F(PointsRulesTest, PropertyFiltersCompareByType) {
  const gate::PurposeView v = view("retail", 10, "Analyst");
  // duration_s >= 60: 60 and 61 qualify, 59 does not; no half-life, so no decay.
  const auto parts = rules_.parts(
      v, 0, std::vector{page(1, 3, "/a", 59), page(2, 3, "/b", 60), page(3, 3, "/c", 61)});
  EXPECT_EQ(rule_total(parts, "long_read"), 3000);
  EXPECT_EQ(rule_total(parts, "pricing"), 0);
  // A bool: only the webinar not attended takes 4 points off.
  const auto w = rules_.parts(v, 0, std::vector{webinar(7, true), webinar(8, false)});
  EXPECT_EQ(rule_total(w, "no_show"), -4000);
  // A property the event does not carry meets no condition.
  gate::PurposeEvent bare = page(9, 0, "/pricing", 0);
  bare.values[0].present = false;
  EXPECT_EQ(PointsRules::total(rules_.parts(v, 0, std::vector{bare})), 0);
}

TEST_F(PointsRulesTest, FitRulesMatchValuesRangesAndText) {
  // The range is inclusive; contains finds a part without regard to case.
  EXPECT_EQ(PointsRules::total(rules_.parts(view("software", 50, "Head of Growth"), 0, {})), 22000);
  EXPECT_EQ(PointsRules::total(rules_.parts(view("software", 501, "Engineer"), 0, {})), 10000);
  EXPECT_EQ(PointsRules::total(rules_.parts(view("retail", 500, "VP of Sales"), 0, {})), 12000);
  EXPECT_EQ(PointsRules::total(rules_.parts(view("retail", 49, "CEO"), 0, {})), 0);
}

TEST_F(PointsRulesTest, GradesAndMqlFollowTheThresholds) {
  EXPECT_EQ(rules_.grade(30000), "A");
  EXPECT_EQ(rules_.grade(29999), "B");
  EXPECT_EQ(rules_.grade(20000), "B");
  EXPECT_EQ(rules_.grade(10000), "C");
  EXPECT_EQ(rules_.grade(9999), "D");
  EXPECT_EQ(rules_.grade(-5000), "D");
  EXPECT_TRUE(rules_.mql(25000));
  EXPECT_FALSE(rules_.mql(24999));
}

}  // namespace
}  // namespace consentric::score

namespace consentric::score {
namespace {

// A spec built by hand (not through the config's validation) that names nothing usable is
// refused, never run.
TEST(PointsRulesBind, RefusesWhatTheDeclarationCannotMean) {
  auto c = parse_config(kYaml, "t.yaml");
  ASSERT_OK(c);
  PointsSpec spec = *c->points;
  spec.event_rules[0].conditions[0].values.clear();
  EXPECT_THAT(PointsRules::bind(spec, *c),
              testing::StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("no value")));
  spec = *c->points;
  spec.event_rules[0].event_type = "nope";
  EXPECT_THAT(PointsRules::bind(spec, *c), testing::StatusIs(StatusCode::kInvalidArgument,
                                                             ::testing::HasSubstr("not declared")));
  spec = *c->points;
  spec.fit_rules[0].field = "nope";
  EXPECT_THAT(PointsRules::bind(spec, *c), testing::StatusIs(StatusCode::kInvalidArgument,
                                                             ::testing::HasSubstr("not declared")));
}

}  // namespace
}  // namespace consentric::score
