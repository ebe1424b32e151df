// The config module end to end: the shipped examples, look-ups, roles, files.

#include <algorithm>
#include <random>

#include "config/config.h"
#include "config/config_test_util.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::config_test::base_plus;
using ::consentric::config_test::dump;
using ::consentric::config_test::kBase;
using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::filesystem::path example(const std::string& name) {
  return std::filesystem::path(CONSENTRIC_SOURCE_DIR) / "examples" / name / "consentric.yaml";
}

std::vector<std::string> names_of(const std::vector<RoleSpec>& roles) {
  std::vector<std::string> out;
  for (const RoleSpec& r : roles) out.push_back(r.name);
  return out;
}

TEST(ConfigExamples, B2bSaasIsValid) {
  const std::string text = ::consentric::testing::read_file(example("b2b_saas"));
  ASSERT_FALSE(text.empty());
  const ConfigCheck check = check_config(text, "b2b_saas/consentric.yaml");
  ASSERT_TRUE(check.config.has_value()) << dump(check);
  const Config& c = *check.config;
  EXPECT_EQ(c.controller.name, "Northwind Analytics GmbH");
  EXPECT_EQ(c.controller.country, "DE");
  EXPECT_EQ(c.k_anonymity, 10);
  ASSERT_EQ(c.identifiers.size(), 2u);
  EXPECT_EQ(c.identifier("email")->kind, IdentifierKind::kEmail);
  EXPECT_EQ(c.identifier("customer_id")->kind, IdentifierKind::kCustomerId);
  EXPECT_EQ(c.fields.size(), 14u);
  EXPECT_EQ(c.event_types.size(), 8u);
  const FieldSpec* size = c.field("company_size");
  ASSERT_NE(size, nullptr);
  EXPECT_THAT(size->values, ElementsAre("1-10", "11-50", "51-200", "201-1000", "1001+"));
  const FieldSpec* age = c.field("age");
  ASSERT_NE(age, nullptr);
  EXPECT_EQ(age->type, FieldType::kInt);
  EXPECT_TRUE(age->quasi_identifier);
  EXPECT_EQ(age->min, 16);
  EXPECT_EQ(age->max, 100);
  EXPECT_EQ(c.field("signup_date")->type, FieldType::kDate);
  const EventTypeSpec* purchase = c.event_type("purchase");
  ASSERT_NE(purchase, nullptr);
  EXPECT_EQ(purchase->value_property, "amount");
  EXPECT_EQ(purchase->retention_seconds, 10 * 365 * 86'400);
  EXPECT_THAT(purchase->property("currency")->values, ElementsAre("EUR", "USD", "GBP"));
  EXPECT_TRUE(c.event_type("demo_request")->properties.empty());
  const PurposeSpec* seg = c.purpose("segmentation");
  ASSERT_NE(seg, nullptr);
  EXPECT_EQ(seg->legal_basis, LegalBasis::kConsent);
  EXPECT_THAT(seg->tcf_purposes, ElementsAre(9));
  EXPECT_EQ(seg->notice_version, "2026-01");
  EXPECT_EQ(seg->event_types.size(), 8u);
  EXPECT_EQ(c.purpose("lead_scoring")->legal_basis, LegalBasis::kLegitimateInterest);
  EXPECT_TRUE(c.purpose("email_marketing")->direct_marketing);
  EXPECT_TRUE(c.purpose("email_marketing")->renew_consent);
  EXPECT_EQ(c.purpose("order_fulfilment")->legal_basis, LegalBasis::kContract);
  // Written out explicitly, and identical to the defaults.
  ASSERT_EQ(c.roles.size(), default_roles().size());
  for (const RoleSpec& d : default_roles()) {
    ASSERT_NE(c.role(d.name), nullptr) << d.name;
    EXPECT_EQ(c.role(d.name)->actions, d.actions) << d.name;
  }
}

TEST(ConfigExamples, EcommerceIsValidAndGetsDefaultRoles) {
  const std::string text = ::consentric::testing::read_file(example("ecommerce"));
  ASSERT_FALSE(text.empty());
  const ConfigCheck check = check_config(text, "ecommerce/consentric.yaml");
  ASSERT_TRUE(check.config.has_value()) << dump(check);
  const Config& c = *check.config;
  const FieldSpec* health = c.field("dietary_health_needs");
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->category, DataCategory::kSpecialCategory);
  EXPECT_TRUE(c.purpose("fraud_prevention")->automated_decision);
  EXPECT_EQ(c.purpose("tax_records")->legal_basis, LegalBasis::kLegalObligation);
  EXPECT_EQ(c.event_type("purchase")->value_property, "amount");
  // The special category field is used by no automated purpose (DESIGN invariant 2).
  for (const PurposeSpec& p : c.purposes) {
    const bool uses = std::count(p.fields.begin(), p.fields.end(), "dietary_health_needs") > 0;
    if (uses) {
      EXPECT_FALSE(p.automated_decision) << p.id;
      EXPECT_EQ(p.legal_basis, LegalBasis::kConsent) << p.id;
    }
  }
  EXPECT_THAT(names_of(c.roles), ElementsAre("admin", "dpo", "analyst", "marketer", "service"));
}

TEST(Config, KeepsSourceTextAndName) {
  auto config = parse_config(kBase, "mine.yaml");
  ASSERT_OK(config);
  EXPECT_EQ(config->source_text, kBase);
  EXPECT_EQ(config->source_name, "mine.yaml");
  EXPECT_EQ(config->k_anonymity, 10);  // the default
}

TEST(Config, LookupsFindDeclaredThingsAndOnlyThose) {
  auto config = parse_config(base_plus("  - {name: age, type: int, category: demographic}\n"
                                       "event_types:\n"
                                       "  - name: purchase\n"
                                       "    properties: [{name: amount, type: float}]\n"
                                       "purposes:\n"
                                       "  - {id: stats, legal_basis: legitimate_interest}\n"),
                             "t.yaml");
  ASSERT_OK(config);
  ASSERT_NE(config->field("age"), nullptr);
  EXPECT_EQ(config->field("age")->where.line, 7);
  EXPECT_EQ(config->field("agee"), nullptr);
  ASSERT_NE(config->event_type("purchase"), nullptr);
  EXPECT_EQ(config->event_type("purchase")->property("amount")->type, FieldType::kFloat);
  EXPECT_EQ(config->event_type("purchase")->property("amount")->category,
            DataCategory::kBehavioral);
  EXPECT_EQ(config->event_type("purchase")->property("x"), nullptr);
  EXPECT_EQ(config->event_type("refund"), nullptr);
  ASSERT_NE(config->purpose("stats"), nullptr);
  EXPECT_EQ(config->purpose("ads"), nullptr);
  ASSERT_NE(config->identifier("email"), nullptr);
  EXPECT_EQ(config->identifier("age"), nullptr);
  ASSERT_NE(config->role("dpo"), nullptr);
  EXPECT_EQ(config->role("root"), nullptr);
}

TEST(Config, EnumsSpellAsInYaml) {
  EXPECT_EQ(to_string(FieldType::kTimestamp), "timestamp");
  EXPECT_EQ(to_string(FieldType::kCategory), "category");
  EXPECT_EQ(to_string(DataCategory::kSpecialCategory), "special_category");
  EXPECT_EQ(to_string(LegalBasis::kLegitimateInterest), "legitimate_interest");
  EXPECT_EQ(to_string(LegalBasis::kLegalObligation), "legal_obligation");
  EXPECT_EQ(to_string(IdentifierKind::kCustomerId), "customer_id");
}

TEST(Config, EveryEnumSpellingParsesBack) {
  for (std::string_view t : {"string", "int", "float", "bool", "date", "timestamp", "category"}) {
    auto c = parse_config(
        base_plus("  - {name: x, type: " + std::string(t) + ", category: behavioral}\n"), "t.yaml");
    ASSERT_OK(c);
    EXPECT_EQ(to_string(c->field("x")->type), t);
  }
}

TEST(ConfigRoles, DefaultsWhenNoneDeclared) {
  auto config = parse_config(kBase, "t.yaml");
  ASSERT_OK(config);
  EXPECT_THAT(names_of(config->roles),
              ElementsAre("admin", "dpo", "analyst", "marketer", "service"));
  EXPECT_THAT(config->role("admin")->actions, ElementsAre("*"));
  EXPECT_THAT(config->role("service")->actions, ElementsAre("import", "consent.write"));
  EXPECT_THAT(config->role("marketer")->actions,
              ElementsAre("segment.create", "segment.read", "segment.export", "score.read"));
  EXPECT_THAT(config->role("analyst")->actions,
              ElementsAre("view.read", "segment.create", "segment.read", "score.train",
                          "score.read", "report.read", "config.read"));
}

TEST(ConfigRoles, DefaultsAreLeastPrivilege) {
  auto config = parse_config(kBase, "t.yaml");
  ASSERT_OK(config);
  const RoleSpec& dpo = *config->role("dpo");
  EXPECT_TRUE(dpo.allows("consent.read"));
  EXPECT_TRUE(dpo.allows("dsar.execute"));
  EXPECT_TRUE(dpo.allows("audit.verify"));
  EXPECT_TRUE(dpo.allows("pii.read"));
  EXPECT_FALSE(dpo.allows("segment.export"));
  EXPECT_FALSE(dpo.allows("config.write"));
  EXPECT_FALSE(config->role("analyst")->allows("pii.read"));
  EXPECT_FALSE(config->role("analyst")->allows("segment.export"));
  EXPECT_FALSE(config->role("marketer")->allows("pii.read"));
  EXPECT_FALSE(config->role("service")->allows("consent.read"));
  EXPECT_TRUE(config->role("admin")->allows("token.manage"));
  for (const RoleSpec& r : default_roles()) {
    for (const std::string& a : r.actions) EXPECT_TRUE(is_valid_action_pattern(a)) << a;
  }
}

TEST(ConfigRoles, DeclaredRolesReplaceTheDefaults) {
  auto config =
      parse_config(base_plus("roles:\n  - {name: auditor, actions: [audit.*]}\n"), "t.yaml");
  ASSERT_OK(config);
  EXPECT_THAT(names_of(config->roles), ElementsAre("auditor"));
  EXPECT_TRUE(config->role("auditor")->allows("audit.read"));
  EXPECT_FALSE(config->role("auditor")->allows("auditx"));
}

TEST(ConfigActions, PatternsMatch) {
  EXPECT_TRUE(action_matches("*", "pii.read"));
  EXPECT_TRUE(action_matches("segment.*", "segment.export"));
  EXPECT_FALSE(action_matches("segment.*", "score.read"));
  EXPECT_FALSE(action_matches("segment.*", "segmentx.read"));
  EXPECT_TRUE(action_matches("import", "import"));
  EXPECT_FALSE(action_matches("import", "import.x"));
  EXPECT_TRUE(is_valid_action_pattern("dsar.*"));
  EXPECT_FALSE(is_valid_action_pattern("import.*"));  // no action starts with "import."
  EXPECT_FALSE(is_valid_action_pattern(".*"));
  EXPECT_FALSE(is_valid_action_pattern("segment.craete"));
  EXPECT_EQ(known_actions().size(), 26u);
  EXPECT_NE(std::find(known_actions().begin(), known_actions().end(), "quality.read"),
            known_actions().end());
}

TEST(ConfigProblems, FormatAsFileLineColumnPathMessage) {
  const ConfigProblem p{{41, 9}, "purposes[2].fields[0]", "field \"salary\" is not declared"};
  EXPECT_EQ(p.to_string("consentric.yaml"),
            "consentric.yaml:41:9: purposes[2].fields[0]: field \"salary\" is not declared");
  const ConfigProblem top{{3, 1}, "", "YAML syntax error: x"};
  EXPECT_EQ(top.to_string("c.yaml"), "c.yaml:3:1: YAML syntax error: x");
}

TEST(ConfigParse, JoinsEveryProblemOneALine) {
  const std::string yaml = base_plus("  - {name: a, type: strng, category: contct}\n");
  EXPECT_THAT(parse_config(yaml, "c.yaml"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("c.yaml:7:21: fields[1].type: unknown field type \"strng\"")));
  const Status s = parse_config(yaml, "c.yaml").status();
  EXPECT_EQ(std::count(s.message().begin(), s.message().end(), '\n'), 1) << s.message();
  EXPECT_THAT(s.message(), HasSubstr("\nc.yaml:7:38: fields[1].category: unknown data category"));
}

TEST(ConfigLoadFile, MissingFileIsNotFoundAndNamesThePath) {
  TempDir dir;
  EXPECT_THAT(load_config_file(dir / "nope.yaml"),
              StatusIs(StatusCode::kNotFound, HasSubstr("nope.yaml")));
  EXPECT_THAT(load_config_file(dir.path()),
              StatusIs(StatusCode::kNotFound, HasSubstr("not a regular file")));
}

TEST(ConfigLoadFile, ReadsAndNamesTheFileInProblems) {
  TempDir dir;
  ::consentric::testing::write_file(dir / "good.yaml", std::string(kBase));
  auto good = load_config_file(dir / "good.yaml");
  ASSERT_OK(good);
  EXPECT_EQ(good->source_name, (dir / "good.yaml").string());
  EXPECT_EQ(good->source_text, kBase);
  ::consentric::testing::write_file(dir / "bad.yaml",
                                    "version: 2\n" + std::string(kBase).substr(11));
  EXPECT_THAT(load_config_file(dir / "bad.yaml"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr((dir / "bad.yaml").string() + ":1:10: version: unsupported")));
}

// DESIGN invariant 7: no input crashes or throws. Damaged copies of a real config must come
// back as problems with a position, never as an exception.
TEST(ConfigRobustness, DamagedExamplesGiveProblemsNotCrashes) {
  const std::string original = ::consentric::testing::read_file(example("b2b_saas"));
  ASSERT_FALSE(original.empty());
  std::mt19937 rng(20260301);
  constexpr std::string_view kNoise = "{}[]:,-#&*!|>'\"%@` \n\tx9";
  int refused = 0;
  for (int round = 0; round < 300; ++round) {
    std::string text = original;
    for (int edit = 0; edit < 1 + round % 4; ++edit) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text.erase(at, 1 + rng() % 8);
          break;
        case 1:
          text.insert(at, 1, kNoise[rng() % kNoise.size()]);
          break;
        default:
          text[at] = kNoise[rng() % kNoise.size()];
          break;
      }
    }
    const ConfigCheck check = check_config(text, "damaged.yaml");
    EXPECT_EQ(check.config.has_value(), check.problems.empty());
    for (const ConfigProblem& p : check.problems) {
      EXPECT_GE(p.where.line, 1) << p.to_string("damaged.yaml");
      EXPECT_FALSE(p.message.empty());
    }
    refused += check.config ? 0 : 1;
  }
  EXPECT_GT(refused, 150);  // most damage is noticed
}

// Aliases let a few kilobytes stand for millions of values; the walk must stop early.
TEST(ConfigRobustness, AliasBombStopsAtTheValueBudget) {
  std::string values;
  for (int i = 0; i < 1000; ++i) values += (i ? ", v" : "v") + std::to_string(i);
  std::string yaml = base_plus("  - &f {name: a, type: category, category: contact, values: [" +
                               values + "]}\n");
  for (int i = 0; i < 1000; ++i) yaml += "  - *f\n";
  const ConfigCheck check = check_config(yaml, "bomb.yaml");
  EXPECT_FALSE(check.config.has_value());
  EXPECT_THAT(dump(check), HasSubstr("more than 200000 values once aliases are expanded"));
}

TEST(ConfigRobustness, ProblemsStopAtFiveHundred) {
  std::string yaml = base_plus("purposes:\n  - id: p\n    legal_basis: contract\n    fields: [");
  for (int i = 0; i < 700; ++i) yaml += (i ? ", x" : "x") + std::to_string(i);
  yaml += "]\n";
  const ConfigCheck check = check_config(yaml, "t.yaml");
  ASSERT_EQ(check.problems.size(), 501u);
  EXPECT_THAT(check.problems[499].message, HasSubstr("\"x499\" is not declared"));
  EXPECT_EQ(check.problems[500].message, "... and 200 more problems not shown");
}

// A large but flat file: many fields and many undeclared references must not cost
// fields x references time.
TEST(ConfigRobustness, ManyNamesStayLinear) {
  std::string yaml = base_plus("");
  for (int i = 0; i < 5000; ++i) {
    yaml += "  - {name: f" + std::to_string(i) + ", type: int, category: demographic}\n";
  }
  yaml += "purposes:\n  - id: p\n    legal_basis: contract\n    fields: [";
  for (int i = 0; i < 40000; ++i) yaml += (i ? ", g" : "g") + std::to_string(i);
  yaml += "]\n";
  ASSERT_LT(yaml.size(), 1u << 20);
  const ConfigCheck check = check_config(yaml, "t.yaml");
  EXPECT_EQ(check.problems.size(), 501u);
}

}  // namespace
}  // namespace consentric
