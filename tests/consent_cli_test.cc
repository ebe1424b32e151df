// The consent commands end to end: the real binary on a real store folder. A decision is
// recorded with its proof, a bad one is refused with exit 1 and leaves the ledger as it was,
// TC strings and GPC signals become ledger entries, and the gate follows.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::CommandRun;
using ::consentric::testing::run;
using ::testing::HasSubstr;
using ::testing::Not;

class ConsentCli : public ::consentric::testing::StoreCliTest {
 protected:
  std::int64_t ledger_entries() {
    const CommandRun r = at_store("--json status");
    auto j = nlohmann::json::parse(r.output, nullptr, false);
    return j.is_object() ? j["consent_entries"].get<std::int64_t>() : -1;
  }
};

TEST_F(ConsentCli, GrantWithdrawShowHistoryProof) {
  CommandRun r = at_store(
      "consent grant ada@example.com --purpose email_marketing --time 2026-03-01T10:00:00Z "
      "--source web_form --method checkbox --proof "
      "'{\"form_id\":\"nl-1\",\"ip\":\"203.0.113.77\"}'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("recorded: grant email_marketing"));
  r = at_store("consent show ada@example.com");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::ContainsRegex("email_marketing +consent +grant .* open"));
  EXPECT_THAT(r.output, HasSubstr("no consent record"));  // segmentation: opt-in

  r = at_store(
      "consent withdraw email=ada@example.com --purpose email_marketing --time 2026-04-01");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = at_store("--json consent proof ada@example.com --purpose email_marketing");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto proof = nlohmann::json::parse(r.output);
  EXPECT_FALSE(proof["gate_open"]);
  EXPECT_EQ(proof["history"].size(), 2u);
  EXPECT_EQ(proof["history"][0]["proof"]["ip_prefix"], "203.0.113.0/24");
  EXPECT_THAT(r.output, Not(HasSubstr("203.0.113.77")));  // never the full address
  EXPECT_EQ(proof["audit_entries"].size(), 2u);
  EXPECT_TRUE(proof["audit_chain"]["intact"]);

  // A withdrawal by someone who never consented is a refusal.
  r = at_store("consent withdraw customer_id=C-9 --purpose segmentation");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("recorded: refuse segmentation"));
  r = at_store("consent history customer_id=C-9");
  EXPECT_THAT(r.output, HasSubstr("refuse"));
}

TEST_F(ConsentCli, BadDecisionsExitOneAndWriteNothing) {
  const std::int64_t before = ledger_entries();
  ASSERT_GE(before, 0);
  CommandRun r = at_store("consent grant ada@example.com --purpose newsletters");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("\"newsletters\" is not a declared purpose"));
  r = at_store("consent grant ada@example.com --purpose segmentation --time 2099-01-01");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("in the future"));
  r = at_store("consent grant ada@example.com --purpose segmentation --proof '[1,2]'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("proof"));
  r = at_store("consent grant ada@example.com --purpose segmentation --time yesterday-ish");
  EXPECT_EQ(r.exit_code, 1);
  r = at_store("consent grant phone=123 --purpose segmentation");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("not an identifier field"));
  EXPECT_EQ(ledger_entries(), before);
  // Nobody was created by the refused requests either.
  r = at_store("consent show ada@example.com");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("no data held"));
}

TEST_F(ConsentCli, TcfDecodeRecordAndGpc) {
  // A policy-compliant string is easiest to get from a real banner; this one is v2.2 policy 2
  // (from the IAB's public test vectors), which decodes but must be refused on ingest.
  const std::string old_policy = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA";
  CommandRun r = at_store("--json consent tcf decode " + old_policy);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["cmp_id"], 675);
  EXPECT_FALSE(j["policy_warnings"].empty());
  r = at_store("consent tcf record ada@example.com " + old_policy);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("breaks TCF policy"));
  r = at_store("consent tcf decode BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("v1"));
  r = at_store("consent tcf decode 'not a tc string!'");
  EXPECT_EQ(r.exit_code, 1);

  // GPC: the quickstart declaration marks ad_audiences as sale_or_share.
  ASSERT_EQ(at_store("consent grant bob@example.com --purpose ad_audiences").exit_code, 0);
  r = at_store("consent gpc bob@example.com --user-agent 'Firefox/133.0' --ip 198.51.100.9");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("recorded: withdraw ad_audiences"));
  r = at_store("--json consent history bob@example.com");
  EXPECT_THAT(r.output, HasSubstr("\"source\":\"gpc\""));
  EXPECT_THAT(r.output, HasSubstr("198.51.100.0/24"));
  r = at_store("--json gate counts");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto counts = nlohmann::json::parse(r.output);
  for (const auto& p : counts["purposes"]) {
    if (p["purpose"] == "ad_audiences") {
      EXPECT_EQ(p["gate_open"], 0);
    }
    if (p["purpose"] == "order_fulfilment") {
      EXPECT_TRUE(p["gate_open"].is_null());  // bob only: 1, below k, so not shown
    }
  }
}

TEST_F(ConsentCli, GateViewRefusesUndeclaredColumnsAndWritesCsv) {
  ASSERT_EQ(at_store("consent grant ada@example.com --purpose segmentation").exit_code, 0);
  CommandRun r = at_store("gate view --purpose segmentation --columns email");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("does not declare field \"email\""));
  const std::string out = (dir_ / "view.csv").string();
  r = at_store("gate view --purpose segmentation --columns country,event_count --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = ::consentric::testing::read_file(out);
  EXPECT_THAT(csv, HasSubstr("subject,country,event_count\ns_"));
  EXPECT_THAT(csv, Not(HasSubstr("ada")));
  // Both the read and the export are in the audit chain.
  r = at_store("audit log --action gate. --ndjson");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"action\":\"gate.view\""));
  EXPECT_THAT(r.output, HasSubstr("\"action\":\"gate.export\""));
  EXPECT_THAT(r.output, HasSubstr("view.csv"));
}

}  // namespace
}  // namespace consentric
