// Meaning problems: names, duplicates, references and the privacy rules.

#include <string>

#include "config/config.h"
#include "config/config_test_util.h"

namespace consentric {
namespace {

using ::consentric::config_test::base_plus;
using ::consentric::config_test::dump;
using ::consentric::config_test::kBase;
using ::consentric::config_test::ProblemIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A config with a special category field (line 7) and an event type carrying a special
// category property (lines 8-11); purposes follow from line 12.
std::string with_health(std::string_view purposes) {
  return base_plus(
             "  - {name: health, type: string, category: special_category}\n"
             "event_types:\n"
             "  - name: pharmacy_visit\n"
             "    properties:\n"
             "      - {name: condition, type: string, category: special_category}\n"
             "purposes:\n") +
         std::string(purposes);
}

TEST(ConfigTop, VersionMustBeOne) {
  EXPECT_ONE_PROBLEM("version: 2\n" + std::string(kBase).substr(11), 1, "version",
                     "unsupported version 2 (expected 1)");
}

TEST(ConfigTop, KAnonymityAtLeastTwo) {
  EXPECT_ONE_PROBLEM(base_plus("k_anonymity: 1\n"), 7, "k_anonymity",
                     "expected k_anonymity of at least 2, got 1");
  EXPECT_OK(parse_config(base_plus("k_anonymity: 2\n"), "t"));
}

TEST(ConfigTop, ControllerCountryIsAlpha2) {
  std::string yaml(kBase);
  yaml.replace(yaml.find("country: DE"), 11, "country: Germany");
  EXPECT_ONE_PROBLEM(yaml, 2, "controller.country",
                     "expected an ISO 3166-1 alpha-2 country code such as DE, got \"Germany\"");
}

TEST(ConfigIdentifiers, AtLeastOne) {
  EXPECT_ONE_PROBLEM(
      "version: 1\ncontroller: {name: A, contact: b}\nidentifiers: []\nfields:\n"
      "  - {name: email, type: string, category: contact, pii: true}\n",
      3, "identifiers", "expected at least one identifier");
}

TEST(ConfigIdentifiers, AtMostThirtyTwo) {
  std::string yaml = "version: 1\ncontroller: {name: A, contact: b}\nidentifiers:\n";
  std::string fields = "fields:\n";
  for (int i = 0; i < 33; ++i) {
    yaml += "  - {field: id" + std::to_string(i) + ", kind: other}\n";
    fields +=
        "  - {name: id" + std::to_string(i) + ", type: string, category: identity, pii: true}\n";
  }
  EXPECT_ONE_PROBLEM(yaml + fields, 4, "identifiers", "expected at most 32 identifiers, found 33");
}

TEST(ConfigIdentifiers, MustNameADeclaredField) {
  EXPECT_ONE_PROBLEM(
      "version: 1\ncontroller: {name: A, contact: b}\nidentifiers:\n"
      "  - {field: emial, kind: email}\nfields:\n"
      "  - {name: email, type: string, category: contact, pii: true}\n",
      4, "identifiers[0].field",
      "identifier field \"emial\" is not declared under fields; did you mean "
      "\"email\"?");
}

TEST(ConfigIdentifiers, MustBePii) {
  EXPECT_ONE_PROBLEM(
      "version: 1\ncontroller: {name: A, contact: b}\nidentifiers:\n"
      "  - {field: email, kind: email}\nfields:\n"
      "  - {name: email, type: string, category: contact}\n",
      4, "identifiers[0].field", "identifier field \"email\" must be declared pii: true");
}

TEST(ConfigIdentifiers, NoDuplicates) {
  EXPECT_ONE_PROBLEM(
      "version: 1\ncontroller: {name: A, contact: b}\nidentifiers:\n"
      "  - {field: email, kind: email}\n  - {field: email, kind: other}\nfields:\n"
      "  - {name: email, type: string, category: contact, pii: true}\n",
      5, "identifiers[1].field", "duplicate identifier \"email\" (first declared at line 4)");
}

TEST(ConfigNames, MustBeLowerSnakeCase) {
  const std::string expected = "expected a name of lower-case letters, digits and underscores";
  EXPECT_ONE_PROBLEM(base_plus("  - {name: Age, type: int, category: demographic}\n"), 7,
                     "fields[1].name",
                     expected +
                         " that starts with a letter ([a-z][a-z0-9_]*, "
                         "at most 64 characters), got \"Age\"");
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - {name: page-view}\n"), 8, "event_types[0].name",
                     expected);
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - name: buy\n    properties:\n"
                               "      - {name: 2nd, type: int}\n"),
                     10, "event_types[0].properties[0].name", expected);
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - {id: \"ad targeting\", legal_basis: contract}\n"), 8,
                     "purposes[0].id", expected);
  EXPECT_ONE_PROBLEM(base_plus("roles:\n  - {name: \"\", actions: [import]}\n"), 8, "roles[0].name",
                     expected);
  EXPECT_ONE_PROBLEM(
      base_plus("  - {name: " + std::string(65, 'a') + ", type: int, category: demographic}\n"), 7,
      "fields[1].name", expected);
}

TEST(ConfigDuplicates, FieldsEventTypesPropertiesPurposesRoles) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: email, type: string, category: contact}\n"), 7,
                     "fields[1].name", "duplicate field name \"email\" (first declared at line 6)");
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - {name: visit}\n  - {name: visit}\n"), 9,
                     "event_types[1].name",
                     "duplicate event type name \"visit\" (first declared at line 8)");
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - name: buy\n    properties:\n"
                               "      - {name: amount, type: float}\n"
                               "      - {name: amount, type: int}\n"),
                     11, "event_types[0].properties[1].name",
                     "duplicate property name \"amount\" (first declared at line 10)");
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - {id: ship, legal_basis: contract}\n"
                               "  - {id: ship, legal_basis: legal_obligation}\n"),
                     9, "purposes[1].id",
                     "duplicate purpose id \"ship\" (first declared at line 8)");
  EXPECT_ONE_PROBLEM(base_plus("roles:\n  - {name: ops, actions: [import]}\n"
                               "  - {name: ops, actions: [audit.read]}\n"),
                     9, "roles[1].name", "duplicate role name \"ops\" (first declared at line 8)");
}

TEST(ConfigDuplicates, SamePropertyNameInTwoEventTypesIsFine) {
  EXPECT_OK(parse_config(base_plus("event_types:\n"
                                   "  - {name: a, properties: [{name: plan, type: string}]}\n"
                                   "  - {name: b, properties: [{name: plan, type: string}]}\n"),
                         "t"));
}

TEST(ConfigValues, OnlyOnCategoryTypes) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: string, category: contact, values: [x]}\n"), 7,
                     "fields[1].values",
                     "values apply only to type category, and field \"a\" has type string");
}

TEST(ConfigValues, NotEmptyAndNoDuplicates) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: category, category: contact, values: []}\n"), 7,
                     "fields[1].values", "expected at least one value");
  EXPECT_ONE_PROBLEM(base_plus("  - name: a\n    type: category\n    category: contact\n"
                               "    values: [x, y, x]\n"),
                     10, "fields[1].values[2]", "duplicate value \"x\"");
}

TEST(ConfigBounds, MinNotAboveMax) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: age, type: int, category: demographic, min: 16, "
                               "max: 10}\n"),
                     7, "fields[1].max", "max 10 is below min 16");
  EXPECT_OK(parse_config(base_plus("  - {name: n, type: float, category: financial, min: -1.5, "
                                   "max: -1.5}\n"),
                         "t"));
}

TEST(ConfigBounds, OnlyOnNumericTypes) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: date, category: behavioral, min: 1}\n"), 7,
                     "fields[1].min",
                     "min applies only to types int and float, and field \"a\" has type date");
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - name: buy\n    properties:\n"
                               "      - {name: code, type: string, max: 9}\n"),
                     10, "event_types[0].properties[0].max",
                     "max applies only to types int and float, and property \"code\" has type "
                     "string");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: int, category: demographic, min: 0.5}\n"), 7,
                     "fields[1].min", "expected a whole number for an int field, got 0.5");
}

TEST(ConfigBounds, UnknownTypeDoesNotCascade) {
  // The bad type is reported once; min and values are not judged against a guessed type.
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: integer, category: demographic, min: 1, "
                               "values: [x]}\n"),
                     7, "fields[1].type", "unknown field type \"integer\"");
}

TEST(ConfigValueProperty, MustExist) {
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - name: purchase\n    value_property: amout\n"
                               "    properties: [{name: amount, type: float}]\n"),
                     9, "event_types[0].value_property",
                     "value_property \"amout\" names no property of event type \"purchase\" "
                     "(expected one of its properties: amount); did you mean \"amount\"?");
}

TEST(ConfigValueProperty, MustBeNumeric) {
  EXPECT_ONE_PROBLEM(
      base_plus("event_types:\n  - name: purchase\n    value_property: currency\n"
                "    properties: [{name: currency, type: category, values: [EUR]}]\n"),
      9, "event_types[0].value_property",
      "value_property \"currency\" must name an int or float property, and it has "
      "type category");
}

TEST(ConfigPurposes, FieldsMustBeDeclared) {
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - id: hr\n    legal_basis: contract\n"
                               "    fields: [email, salary]\n"),
                     10, "purposes[0].fields[1]", "field \"salary\" is not declared under fields");
}

TEST(ConfigPurposes, EventTypesMustBeDeclared) {
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - {name: page_view}\n"
                               "purposes:\n  - id: stats\n    legal_basis: legitimate_interest\n"
                               "    event_types: [page_veiw]\n"),
                     12, "purposes[0].event_types[0]",
                     "event type \"page_veiw\" is not declared under event_types; did you mean "
                     "\"page_view\"?");
}

TEST(ConfigPurposes, NoListedTwice) {
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - id: ship\n    legal_basis: contract\n"
                               "    fields: [email, email]\n"),
                     10, "purposes[0].fields[1]", "field \"email\" is listed twice");
}

TEST(ConfigPurposes, ConsentNeedsANoticeVersion) {
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - id: news\n    legal_basis: consent\n"), 8,
                     "purposes[0].notice_version",
                     "purpose \"news\" is based on consent but names no notice_version; consent "
                     "must be tied to the notice shown when it was given (GDPR Art. 7(1))");
  EXPECT_OK(parse_config(base_plus("purposes:\n  - id: news\n    legal_basis: consent\n"
                                   "    notice_version: 2026-01\n"),
                         "t"));
}

TEST(ConfigPurposes, RenewConsentOnlyForConsent) {
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - id: ship\n    legal_basis: contract\n"
                               "    renew_consent: true\n"),
                     10, "purposes[0].renew_consent",
                     "renew_consent applies only to legal_basis consent, and purpose \"ship\" is "
                     "based on contract");
}

TEST(ConfigPurposes, ConsentOnlyTcfPurposesNeedConsent) {
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - id: recs\n    legal_basis: legitimate_interest\n"
                               "    tcf_purposes: [5, 9]\n"),
                     10, "purposes[0].tcf_purposes[0]",
                     "TCF purpose 5 may only be based on consent (IAB TCF v2.2 Policies)");
}

TEST(ConfigSpecialCategory, NeverInAnAutomatedDecision) {
  EXPECT_ONE_PROBLEM(with_health("  - id: triage\n"
                                 "    legal_basis: consent\n"
                                 "    notice_version: v1\n"
                                 "    automated_decision: true\n"
                                 "    fields: [email, health]\n"),
                     17, "purposes[0].fields[1]",
                     "field \"health\" is special_category data and purpose \"triage\" makes "
                     "automated decisions (automated_decision: true); GDPR Art. 22(4) forbids "
                     "automated decisions based on special categories of data");
}

TEST(ConfigSpecialCategory, NeverInAnAutomatedDecisionThroughAnEvent) {
  EXPECT_ONE_PROBLEM(with_health("  - id: triage\n"
                                 "    legal_basis: consent\n"
                                 "    notice_version: v1\n"
                                 "    automated_decision: true\n"
                                 "    event_types: [pharmacy_visit]\n"),
                     17, "purposes[0].event_types[0]",
                     "property \"condition\" of event type \"pharmacy_visit\" is special_category "
                     "data and purpose \"triage\" makes automated decisions");
}

TEST(ConfigSpecialCategory, NotOnLegitimateInterestOrContract) {
  EXPECT_ONE_PROBLEM(with_health("  - {id: care, legal_basis: legitimate_interest, "
                                 "fields: [health]}\n"),
                     13, "purposes[0].fields[0]",
                     "field \"health\" is special_category data, which GDPR Art. 9(1) forbids "
                     "processing on legal_basis legitimate_interest");
  EXPECT_ONE_PROBLEM(with_health("  - {id: care, legal_basis: contract, "
                                 "event_types: [pharmacy_visit]}\n"),
                     13, "purposes[0].event_types[0]",
                     "Art. 9(1) forbids processing on "
                     "legal_basis contract");
}

TEST(ConfigScoreReview, OnlyForAutomatedDecisionsWithOrderedProbabilities) {
  auto ok = parse_config(with_health("  - id: credit\n"
                                     "    legal_basis: contract\n"
                                     "    automated_decision: true\n"
                                     "    score_review: {above: 0.9, below: 0.1}\n"),
                         "t.yaml");
  ASSERT_OK(ok);
  EXPECT_EQ(ok->purpose("credit")->review_above, 0.9);
  EXPECT_EQ(ok->purpose("credit")->review_below, 0.1);
  EXPECT_ONE_PROBLEM(with_health("  - id: leads\n"
                                 "    legal_basis: contract\n"
                                 "    score_review: {above: 0.9}\n"),
                     15, "purposes[0].score_review",
                     "purpose \"leads\" makes no automated decisions; score_review applies "
                     "only with automated_decision: true");
  EXPECT_ONE_PROBLEM(with_health("  - id: credit\n"
                                 "    legal_basis: contract\n"
                                 "    automated_decision: true\n"
                                 "    score_review: {above: 1.5}\n"),
                     16, "purposes[0].score_review.above",
                     "expected a probability from 0 to 1, got 1.5");
  EXPECT_ONE_PROBLEM(with_health("  - id: credit\n"
                                 "    legal_basis: contract\n"
                                 "    automated_decision: true\n"
                                 "    score_review: {above: 0.5, below: 0.6}\n"),
                     16, "purposes[0].score_review.below",
                     "below (0.6) must be less than above (0.5)");
}

TEST(ConfigSpecialCategory, AllowedUnderConsentWithoutAutomatedDecisions) {
  EXPECT_OK(parse_config(with_health("  - id: care\n"
                                     "    legal_basis: consent\n"
                                     "    notice_version: v1\n"
                                     "    fields: [health]\n"
                                     "    event_types: [pharmacy_visit]\n"),
                         "t"));
}

TEST(ConfigRoles, UnknownActions) {
  EXPECT_ONE_PROBLEM(base_plus("roles:\n  - {name: analyst, actions: [segment.craete]}\n"), 8,
                     "roles[0].actions[0]",
                     "unknown action \"segment.craete\" (expected \"*\", a prefix such as "
                     "\"segment.*\", or one of config.read, config.write, import,");
  EXPECT_ONE_PROBLEM(base_plus("roles:\n  - {name: analyst, actions: [segment.craete]}\n"), 8,
                     "roles[0].actions[0]", "store.restore); did you mean \"segment.create\"?");
  EXPECT_ONE_PROBLEM(base_plus("roles:\n  - {name: ops, actions: [import.*]}\n"), 8,
                     "roles[0].actions[0]", "unknown action \"import.*\"");
  EXPECT_OK(
      parse_config(base_plus("roles:\n  - {name: ops, actions: [\"*\", dsar.*, import]}\n"), "t"));
}

TEST(ConfigMany, EveryProblemIsReportedInFileOrder) {
  const std::string yaml =
      "version: 3\n"                                                         // 1
      "controller: {name: A, contact: b}\n"                                  // 2
      "k_anonymity: 1\n"                                                     // 3
      "identifiers:\n"                                                       // 4
      "  - {field: mail, kind: email}\n"                                     // 5
      "fields:\n"                                                            // 6
      "  - {name: email, type: string, category: contct, pii: true}\n"       // 7
      "  - {name: age, type: int, category: demographic, min: 9, max: 1}\n"  // 8
      "  - {name: diagnosis, type: string, category: special_category}\n"    // 9
      "purposes:\n"                                                          // 10
      "  - id: scoring\n"                                                    // 11
      "    legal_bases: consent\n"                                           // 12
      "  - id: fraud\n"                                                      // 13
      "    legal_basis: consent\n"                                           // 14
      "    notice_version: v1\n"                                             // 15
      "    automated_decision: true\n"                                       // 16
      "    fields: [age, diagnosis, salary]\n"                               // 17
      "roles:\n"                                                             // 18
      "  - {name: Analyst, actions: [segment.read, everything]}\n";          // 19
  const ConfigCheck check = check_config(yaml, "t.yaml");
  EXPECT_FALSE(check.config.has_value());
  EXPECT_THAT(
      check.problems,
      ElementsAre(ProblemIs(1, "version", HasSubstr("unsupported version 3")),
                  ProblemIs(3, "k_anonymity", HasSubstr("at least 2")),
                  ProblemIs(5, "identifiers[0].field", HasSubstr("\"mail\" is not declared")),
                  ProblemIs(7, "fields[0].category", HasSubstr("unknown data category")),
                  ProblemIs(8, "fields[1].max", HasSubstr("max 1 is below min 9")),
                  ProblemIs(11, "purposes[0].legal_basis", HasSubstr("missing required key")),
                  ProblemIs(12, "purposes[0].legal_bases", HasSubstr("unknown key")),
                  ProblemIs(17, "purposes[1].fields[1]", HasSubstr("GDPR Art. 22(4)")),
                  ProblemIs(17, "purposes[1].fields[2]", HasSubstr("\"salary\" is not declared")),
                  ProblemIs(19, "roles[0].name", HasSubstr("expected a name")),
                  ProblemIs(19, "roles[0].actions[1]", HasSubstr("unknown action \"everything\""))))
      << dump(check);
  const Status s = parse_config(yaml, "t.yaml").status();
  EXPECT_EQ(std::count(s.message().begin(), s.message().end(), '\n'), 10);
}

}  // namespace
}  // namespace consentric
