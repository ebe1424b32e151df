// Shape and scalar-type problems: what the parser reports before any meaning is checked.

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
using ::testing::StartsWith;

TEST(ConfigSyntax, ErrorBecomesOneProblemWithItsLine) {
  const std::string yaml = "version: 1\nfields:\n  - {name: email, type: string\n";
  const ConfigCheck check = check_config(yaml, "t.yaml");
  ASSERT_EQ(check.problems.size(), 1u) << dump(check);
  EXPECT_THAT(check.problems[0].message, StartsWith("YAML syntax error: "));
  EXPECT_EQ(check.problems[0].where.line, 4);
  EXPECT_FALSE(check.config.has_value());
}

TEST(ConfigSyntax, BadIndentationReportsTheLine) {
  EXPECT_ONE_PROBLEM("version: 1\ncontroller: x\n  name: y\n", 3, "", "YAML syntax error");
}

TEST(ConfigSyntax, EmptyFile) {
  EXPECT_ONE_PROBLEM("", 1, "", "the file is empty");
  EXPECT_ONE_PROBLEM("# nothing yet\n", 1, "", "the file is empty");
}

TEST(ConfigSyntax, OnlyOneDocument) {
  EXPECT_ONE_PROBLEM(base_plus("---\nversion: 1\n"), 7, "", "expected one YAML document");
}

TEST(ConfigSyntax, InvalidUtf8NamesTheLine) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: string, category: contact, "
                               "description: \"caf\xC3\"}\n"),
                     7, "", "expected UTF-8 text");
}

TEST(ConfigSyntax, HugeFileIsRefused) {
  const std::string yaml = base_plus("# " + std::string(1 << 20, 'x') + "\n");
  EXPECT_ONE_PROBLEM(yaml, 1, "", "a config may be at most 1048576 bytes");
}

TEST(ConfigSyntax, DeepNestingIsAProblemNotACrash) {
  const std::string yaml = "version: " + std::string(100000, '[') + "\n";
  const ConfigCheck check = check_config(yaml, "t.yaml");
  ASSERT_FALSE(check.problems.empty());
  EXPECT_THAT(check.problems[0].message, StartsWith("YAML syntax error"));
}

// yaml-cpp 0.7's LoadAll never returns on these (found by fuzzing); we must.
TEST(ConfigSyntax, InputsThatHangYamlCppLoadAllStillReturn) {
  for (const std::string yaml : {"&a,", "!a,", "version: 1\n&a,\n"}) {
    const ConfigCheck check = check_config(yaml, "t.yaml");
    EXPECT_FALSE(check.problems.empty()) << yaml;
  }
}

TEST(ConfigShape, TopLevelMustBeAMapping) {
  EXPECT_ONE_PROBLEM("- version\n- fields\n", 1, "",
                     "expected a mapping with keys version, controller, k_anonymity, "
                     "l_diversity, max_suppression, small_groups, differential_privacy, "
                     "erasure, identifiers, fields, event_types, purposes, recipients, roles, "
                     "tcf, points, quality, got a list");
  EXPECT_ONE_PROBLEM("just words\n", 1, "", "got \"just words\"");
}

TEST(ConfigShape, ListExpected) {
  EXPECT_ONE_PROBLEM(base_plus("purposes: {id: ads}\n"), 7, "purposes",
                     "expected a list, got a mapping");
}

TEST(ConfigShape, MappingExpectedForListItems) {
  EXPECT_ONE_PROBLEM(base_plus("  - email2\n"), 7, "fields[1]",
                     "expected a mapping with keys name, type, category");
}

TEST(ConfigShape, EmptyListValueMeansEmptyList) {
  auto config = parse_config(base_plus("event_types:\n  - name: ping\n    properties:\n"), "t");
  ASSERT_OK(config);
  EXPECT_TRUE(config->event_type("ping")->properties.empty());
}

TEST(ConfigKeys, TcfVendorIdIsReadAndChecked) {
  auto config = parse_config(base_plus("tcf: {vendor_id: 755}\n"), "t");
  ASSERT_OK(config);
  EXPECT_EQ(config->tcf_vendor_id, 755);
  EXPECT_ONE_PROBLEM(base_plus("tcf: {vendor_id: 70000}\n"), 7, "tcf.vendor_id",
                     "expected a Global Vendor List id from 1 to 65535, got 70000");
}

TEST(ConfigKeys, UnknownTopLevelKeySuggestsTheRightOne) {
  EXPECT_ONE_PROBLEM(base_plus("k_anonimity: 5\n"), 7, "k_anonimity",
                     "unknown key \"k_anonimity\" (expected one of version, controller, "
                     "k_anonymity, l_diversity, max_suppression, small_groups, "
                     "differential_privacy, erasure, identifiers, fields, event_types, "
                     "purposes, recipients, roles, tcf, points, quality); did you mean \"k_anonymity\"?");
}

TEST(ConfigKeys, SmallGroupsIsSuppressOrMerge) {
  const ConfigCheck merge = check_config(base_plus("small_groups: merge\n"), "t.yaml");
  ASSERT_TRUE(merge.config.has_value());
  EXPECT_EQ(merge.config->small_groups, SmallGroups::kMerge);
  const ConfigCheck absent = check_config(base_plus(""), "t.yaml");
  ASSERT_TRUE(absent.config.has_value());
  EXPECT_EQ(absent.config->small_groups, SmallGroups::kSuppress);
  EXPECT_ONE_PROBLEM(base_plus("small_groups: drop\n"), 7, "small_groups",
                     "unknown small-group policy \"drop\" (expected one of suppress, merge)");
}

TEST(ConfigKeys, ErasureIsDeleteByDefaultOrAnonymize) {
  const ConfigCheck absent = check_config(base_plus(""), "t.yaml");
  ASSERT_TRUE(absent.config.has_value());
  EXPECT_EQ(absent.config->erasure, ErasureMethod::kDelete);
  const ConfigCheck anonymize = check_config(base_plus("erasure: anonymize\n"), "t.yaml");
  ASSERT_TRUE(anonymize.config.has_value());
  EXPECT_EQ(anonymize.config->erasure, ErasureMethod::kAnonymize);
  EXPECT_EQ(to_string(anonymize.config->erasure), "anonymize");
  const ConfigCheck del = check_config(base_plus("erasure: delete\n"), "t.yaml");
  ASSERT_TRUE(del.config.has_value());
  EXPECT_EQ(del.config->erasure, ErasureMethod::kDelete);
  EXPECT_ONE_PROBLEM(base_plus("erasure: pseudonymize\n"), 7, "erasure",
                     "unknown erasure method \"pseudonymize\" (expected one of delete, anonymize)");
  EXPECT_ONE_PROBLEM(base_plus("erasure: [anonymize]\n"), 7, "erasure", "got a list");
}

TEST(ConfigKeys, UnknownPurposeKeyIsCaughtAndTheRealOneIsMissing) {
  const ConfigCheck check = check_config(base_plus("purposes:\n"
                                                   "  - id: ads\n"
                                                   "    legal_bases: consent\n"
                                                   "    notice_version: v1\n"),
                                         "t.yaml");
  EXPECT_THAT(check.problems,
              ElementsAre(ProblemIs(8, "purposes[0].legal_basis",
                                    "missing required key \"legal_basis\" (required here: id, "
                                    "legal_basis)"),
                          ProblemIs(9, "purposes[0].legal_bases",
                                    HasSubstr("unknown key \"legal_bases\" (expected one of id, "
                                              "description, legal_basis, fields, event_types, "
                                              "retention, automated_decision, direct_marketing, "
                                              "tcf_purposes, notice_version, renew_consent, "
                                              "sale_or_share, consent_at_event_time, dp_budget, "
                                              "score_review); "
                                              "did you mean \"legal_basis\"?"))))
      << dump(check);
}

TEST(ConfigKeys, UnknownKeysInEverySection) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: int, category: contact, maximum: 3}\n"), 7,
                     "fields[1].maximum", "unknown key \"maximum\"");
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - {name: a, retension: 3d}\n"), 8,
                     "event_types[0].retension", "did you mean \"retention\"?");
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - name: a\n    properties:\n"
                               "      - {name: b, type: int, quasi_identifier: true}\n"),
                     10, "event_types[0].properties[0].quasi_identifier",
                     "unknown key \"quasi_identifier\" (expected one of name, type, category, "
                     "pii, required, values, min, max, description)");
  EXPECT_ONE_PROBLEM(base_plus("roles:\n  - {name: a, actions: [], action: [import]}\n"), 8,
                     "roles[0].action", "unknown key \"action\"");
  EXPECT_ONE_PROBLEM(
      "version: 1\ncontroller: {name: A, contact: b, phone: c}\nidentifiers:\n"
      "  - {field: email, kind: email}\nfields:\n"
      "  - {name: email, type: string, category: contact, pii: true}\n",
      2, "controller.phone", "unknown key \"phone\"");
}

TEST(ConfigKeys, DuplicateKeyPointsAtTheFirst) {
  EXPECT_ONE_PROBLEM(base_plus("  - name: a\n    type: int\n    category: demographic\n"
                               "    name: b\n"),
                     10, "fields[1].name", "duplicate key \"name\" (first given at line 7)");
}

TEST(ConfigKeys, RequiredKeysOfAField) {
  const ConfigCheck check = check_config(base_plus("  - {name: age}\n"), "t.yaml");
  EXPECT_THAT(
      check.problems,
      ElementsAre(
          ProblemIs(7, "fields[1].type", HasSubstr("missing required key \"type\"")),
          ProblemIs(7, "fields[1].category", HasSubstr("missing required key \"category\""))))
      << dump(check);
  EXPECT_ONE_PROBLEM(base_plus("  - {type: int, category: demographic}\n"), 7, "fields[1].name",
                     "missing required key \"name\" (required here: name, type, category)");
}

TEST(ConfigKeys, RequiredKeysOfAPurposeAndAnIdentifier) {
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - {legal_basis: contract}\n"), 8, "purposes[0].id",
                     "missing required key \"id\"");
  EXPECT_ONE_PROBLEM(
      "version: 1\ncontroller: {name: A, contact: b}\nidentifiers:\n"
      "  - {field: email}\nfields:\n"
      "  - {name: email, type: string, category: contact, pii: true}\n",
      4, "identifiers[0].kind", "missing required key \"kind\"");
  EXPECT_ONE_PROBLEM(
      "version: 1\ncontroller: {name: A, contact: b}\nidentifiers:\n"
      "  - {kind: email}\nfields:\n"
      "  - {name: email, type: string, category: contact, pii: true}\n",
      4, "identifiers[0].field", "missing required key \"field\"");
}

TEST(ConfigKeys, RequiredTopLevelKeys) {
  const ConfigCheck check = check_config("k_anonymity: 5\n", "t.yaml");
  EXPECT_THAT(check.problems,
              ElementsAre(ProblemIs(1, "version", HasSubstr("missing required key")),
                          ProblemIs(1, "controller", HasSubstr("missing required key")),
                          ProblemIs(1, "identifiers", HasSubstr("missing required key")),
                          ProblemIs(1, "fields", HasSubstr("missing required key"))))
      << dump(check);
  EXPECT_ONE_PROBLEM(
      "version: 1\ncontroller: {name: A}\nidentifiers:\n"
      "  - {field: email, kind: email}\nfields:\n"
      "  - {name: email, type: string, category: contact, pii: true}\n",
      2, "controller.contact", "missing required key \"contact\"");
}

TEST(ConfigTypes, BooleansAreTrueOrFalse) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: int, category: contact, pii: yes please}\n"), 7,
                     "fields[1].pii", "expected true or false, got \"yes please\"");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: int, category: contact, pii: yes}\n"), 7,
                     "fields[1].pii", "expected true or false, got \"yes\"");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: int, category: contact, pii: \"true\"}\n"), 7,
                     "fields[1].pii", "expected true or false, got the quoted string \"true\"");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: int, category: contact, pii: [true]}\n"), 7,
                     "fields[1].pii", "expected true or false, got a list");
  auto config =
      parse_config(base_plus("  - {name: a, type: int, category: contact, pii: True}\n"), "t");
  ASSERT_OK(config);
  EXPECT_TRUE(config->field("a")->pii);
}

TEST(ConfigTypes, IntegersAndNumbers) {
  EXPECT_ONE_PROBLEM(base_plus("k_anonymity: ten\n"), 7, "k_anonymity",
                     "expected an integer, got \"ten\"");
  EXPECT_ONE_PROBLEM(base_plus("k_anonymity: 5.5\n"), 7, "k_anonymity",
                     "expected an integer, got \"5.5\"");
  EXPECT_ONE_PROBLEM("version: \"1\"\n" + std::string(kBase).substr(11), 1, "version",
                     "expected an integer, got the quoted string \"1\"");
  EXPECT_ONE_PROBLEM(base_plus("k_anonymity: 99999999999\n"), 7, "k_anonymity",
                     "expected an integer between");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: float, category: financial, min: low}\n"), 7,
                     "fields[1].min", "expected a number, got \"low\"");
}

TEST(ConfigTypes, StringsAreScalars) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: [a], type: int, category: contact}\n"), 7,
                     "fields[1].name", "expected a string, got a list");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: int, category: contact, description:}\n"), 7,
                     "fields[1].description", "expected a string, got nothing");
}

TEST(ConfigChoices, UnknownFieldType) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: text, category: contact}\n"), 7,
                     "fields[1].type",
                     "unknown field type \"text\" (expected one of string, int, float, bool, "
                     "date, timestamp, category)");
}

TEST(ConfigChoices, UnknownDataCategoryWithColumn) {
  const std::string yaml = base_plus("  - {name: a, type: string, category: contct}\n");
  const ConfigCheck check = check_config(yaml, "t.yaml");
  ASSERT_EQ(check.problems.size(), 1u) << dump(check);
  EXPECT_EQ(check.problems[0].message,
            "unknown data category \"contct\" (expected one of contact, identity, demographic, "
            "behavioral, financial, location, special_category)");
  EXPECT_EQ(check.problems[0].where.line, 7);
  EXPECT_EQ(check.problems[0].where.column, 39);
  EXPECT_EQ(check.problems[0].path, "fields[1].category");
}

TEST(ConfigChoices, UnknownLegalBasis) {
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - {id: ads, legal_basis: vital_interest}\n"), 8,
                     "purposes[0].legal_basis",
                     "unknown legal basis \"vital_interest\" (expected one of consent, "
                     "legitimate_interest, contract, legal_obligation)");
}

TEST(ConfigChoices, UnknownIdentifierKind) {
  EXPECT_ONE_PROBLEM(
      "version: 1\ncontroller: {name: A, contact: b}\nidentifiers:\n"
      "  - {field: email, kind: mail}\nfields:\n"
      "  - {name: email, type: string, category: contact, pii: true}\n",
      4, "identifiers[0].kind",
      "unknown identifier kind \"mail\" (expected one of email, phone, "
      "customer_id, other)");
}

TEST(ConfigDurations, BadRetentionIsReported) {
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: int, category: contact, retention: forever}\n"),
                     7, "fields[1].retention", "expected a duration such as 30d");
  EXPECT_ONE_PROBLEM(base_plus("  - {name: a, type: int, category: contact, retention: 3 years}\n"),
                     7, "fields[1].retention", "expected a duration unit");
  EXPECT_ONE_PROBLEM(base_plus("event_types:\n  - {name: a, retention: 0d}\n"), 8,
                     "event_types[0].retention", "expected a duration longer than zero");
  EXPECT_ONE_PROBLEM(base_plus("purposes:\n  - {id: a, legal_basis: contract, retention: 30}\n"), 8,
                     "purposes[0].retention", "expected a duration such as 30d");
}

TEST(ConfigDurations, UnitsConvert) {
  auto config =
      parse_config(base_plus("  - {name: a, type: int, category: contact, retention: 6mo}\n"
                             "  - {name: b, type: int, category: contact, retention: 30d}\n"),
                   "t");
  ASSERT_OK(config);
  EXPECT_EQ(config->field("a")->retention_seconds, 180 * 86'400);
  EXPECT_EQ(config->field("b")->retention_seconds, 30 * 86'400);
  EXPECT_EQ(config->field("email")->retention_seconds, std::nullopt);
}

TEST(ConfigTcf, PurposeIdsOutsideOneToEleven) {
  const ConfigCheck check = check_config(base_plus("purposes:\n"
                                                   "  - id: ads\n"
                                                   "    legal_basis: consent\n"
                                                   "    notice_version: v1\n"
                                                   "    tcf_purposes: [0, 9, 12, x]\n"),
                                         "t.yaml");
  EXPECT_THAT(check.problems,
              ElementsAre(ProblemIs(11, "purposes[0].tcf_purposes[0]",
                                    "TCF purpose id 0 is out of range (expected 1..11, the "
                                    "purposes of IAB TCF v2.2)"),
                          ProblemIs(11, "purposes[0].tcf_purposes[2]",
                                    HasSubstr("TCF purpose id 12 is out of range")),
                          ProblemIs(11, "purposes[0].tcf_purposes[3]",
                                    HasSubstr("expected an integer, got \"x\""))))
      << dump(check);
}

}  // namespace
}  // namespace consentric
