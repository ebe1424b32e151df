// consentric retention run and quality, through the binary, on generated customers.

#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace consentric::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class GovernanceCli : public StoreCliTest {
 protected:
  void SetUp() override {
    StoreCliTest::SetUp();
    // Data from mid-2024: by 2026 its 13-month event types have expired.
    import_generated(300, 11, {"profiles", "events", "consents"}, "--as-of 2024-06-30");
  }

  json status() const { return json_of("status"); }

  static std::int64_t items(const json& out, const std::string& rule, const std::string& name) {
    for (const json& r : out["rules"]) {
      if (r["rule"] == rule && r["name"] == name) return r["items"].get<std::int64_t>();
    }
    ADD_FAILURE() << "no rule " << rule << " " << name << " in " << out.dump();
    return -1;
  }
};

TEST_F(GovernanceCli, DryRunChangesNothingAndTheRunRemovesWhatItCounted) {
  const std::string as_of = "--as-of 2026-01-01";
  const json before = status();
  const json dry = json_of("retention run --dry-run " + as_of);
  EXPECT_EQ(dry["dry_run"], true);
  EXPECT_GT(items(dry, "events", "page_view"), 0);
  EXPECT_EQ(items(dry, "events", "purchase"), 0);  // kept ten years
  EXPECT_EQ(items(dry, "field", "email"), 0);      // the profiles were written today
  EXPECT_EQ(status(), before);
  // A dry run may look ahead: in 2030 the three-year fields are due too.
  EXPECT_GT(items(json_of("retention run --dry-run --as-of 2030-06-01"), "field", "email"), 0);
  EXPECT_EQ(status(), before);

  const json done = json_of("retention run " + as_of);
  EXPECT_EQ(done["total"], dry["total"]);
  EXPECT_EQ(done["rules"], dry["rules"]);
  EXPECT_GT(done["audit_seq"].get<std::int64_t>(), 0);
  EXPECT_NE(status(), before);

  const json again = json_of("retention run " + as_of);
  EXPECT_EQ(again["total"], 0);
  EXPECT_EQ(at_store("audit verify").exit_code, 0);
  const CommandRun log = at_store("audit log --action retention.run");
  EXPECT_THAT(log.output, HasSubstr("retention.run"));
}

TEST_F(GovernanceCli, ARunCannotActAsOfTheFuture) {
  const json before = status();
  const CommandRun r = at_store("retention run --as-of 2099-01-01");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("has not come yet"));
  EXPECT_EQ(status(), before);
}

TEST_F(GovernanceCli, TextOutputNamesEveryRule) {
  const CommandRun r = at_store("retention run --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("dry run: nothing changed"));
  EXPECT_THAT(r.output, HasSubstr("page_view"));
  EXPECT_THAT(r.output, HasSubstr("consent lapse"));
  EXPECT_THAT(r.output, HasSubstr("purpose features"));
  EXPECT_NE(at_store("retention run --as-of yesterday-ish").exit_code, 0);
}

TEST_F(GovernanceCli, QualityReportsEveryCheckAndListsSubjectsOnRequest) {
  const json q = json_of("quality");
  ASSERT_EQ(q["checks"].size(), 6u) << q.dump();
  EXPECT_EQ(q["people"], 300);
  for (const json& c : q["checks"]) {
    EXPECT_FALSE(c.contains("subjects"));
    EXPECT_LE(c["count"].get<std::int64_t>(), c["of"].get<std::int64_t>());
  }
  // Generated data is clean: fresh, valid addresses, one person per mailbox, declared ranges.
  for (const json& c : q["checks"]) {
    if (c["check"] != "consent_without_proof") {
      EXPECT_EQ(c["count"], 0) << c.dump();
    }
  }
  const json listed = json_of("quality --subjects --as-of 2099-01-01");
  for (const json& c : listed["checks"]) {
    if (c["check"] != "stale_profiles") continue;
    EXPECT_EQ(c["count"], 300);
    ASSERT_EQ(c["subjects"].size(), 300u);
    EXPECT_THAT(c["subjects"][0]["identifier"].get<std::string>(), HasSubstr("@"));
  }
  const CommandRun text = at_store("quality");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("stale_profiles"));
  EXPECT_THAT(text.output, HasSubstr("consent_without_proof"));
}

}  // namespace
}  // namespace consentric::testing
