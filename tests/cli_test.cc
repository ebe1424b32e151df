// The consentric command end to end: the real binary, a real store folder, exit codes and
// messages as a user or a script sees them.

#include <string>

#include "cli_test_util.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::CommandRun;
using ::consentric::testing::read_file;
using ::consentric::testing::run;
using ::consentric::testing::TempDir;
using ::consentric::testing::write_file;
using ::testing::HasSubstr;

TEST(Cli, HelpListsTheCommands) {
  const CommandRun r = run("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* c : {"init", "config", "import", "generate", "quickstart", "status", "audit"}) {
    EXPECT_THAT(r.output, HasSubstr(c));
  }
  EXPECT_EQ(run("import --help").exit_code, 0);
}

TEST(Cli, UsageErrorsExitOne) {
  EXPECT_EQ(run("frobnicate").exit_code, 1);
  EXPECT_EQ(run("import profiles").exit_code, 1);
}

TEST(Cli, QuickstartFlowAndExitCodes) {
  TempDir dir;
  const std::string store = (dir / "store").string();
  const std::string data = (dir / "data").string();
  CommandRun r = run("init " + store);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("mode 0600"));
  EXPECT_EQ(run("init " + store).exit_code, 1);

  r = run("generate --customers 300 --seed 7 --as-of 2026-06-30 --out " + data);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run("--store " + store + " import profiles " + data + "/profiles.csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("300 new"));
  r = run("--store " + store + " import profiles " + data + "/profiles.csv");
  EXPECT_THAT(r.output, HasSubstr("300 unchanged"));
  ASSERT_EQ(run("--store " + store + " import events " + data + "/events.ndjson").exit_code, 0);
  ASSERT_EQ(run("--store " + store + " import consents " + data + "/consents.ndjson").exit_code, 0);

  r = run("--store " + store + " --json status");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"subjects\":300"));
  EXPECT_THAT(r.output, HasSubstr("\"intact\":true"));
  r = run("--store " + store + " audit verify");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::ContainsRegex("audit chain intact: [0-9,]+ entries"));

  // Bad input: exit 1 and a message naming file, line and field.
  write_file(dir / "bad.csv", "customer_id,age\nC1,forty\n");
  r = run("--store " + store + " import profiles " + (dir / "bad.csv").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("bad.csv:2: field \"age\": expected an integer"));

  // A wrong key: exit 1, nothing opened.
  write_file(dir / "other.key", "consentric-key-v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
  ::chmod((dir / "other.key").c_str(), 0600);
  r = run("--store " + store + " --key-file " + (dir / "other.key").string() + " status");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("does not match"));
}

// The whole story a newcomer sees, on fewer customers: every step must succeed.
TEST(Cli, QuickstartRunsEveryStepToTheEnd) {
  TempDir dir;
  const CommandRun r = run("quickstart " + (dir / "qs").string() + " --customers 2000");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* step :
       {"Differentially private count by country", "budget of segmentation: epsilon",
        "Audience for adnet_eu", "records at risk (class < k = 10)", "audit verify: intact",
        "importing profiles.csv again: 1 refused", "ropa.html", "risks with their measures",
        "lr    v1: AUC", "trees v2: AUC", "lead_scoring may process with model 1"}) {
    EXPECT_THAT(r.output, HasSubstr(step));
  }
  for (const char* file : {"audience-adnet_eu.csv", "ropa.md", "ropa.html", "dpia.md", "dpia.html"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / "qs" / file)) << file;
  }
}

TEST(Cli, ConfigCheckReportsEveryProblem) {
  TempDir dir;
  write_file(dir / "c.yaml", R"(version: 1
controller: {name: X, contact: dpo@x.example, country: DE}
identifiers:
  - {field: email, kind: email}
fields:
  - {name: email, type: string, category: contct, pii: true}
  - {name: email, type: string, category: contact}
purposes:
  - id: scoring
    description: x
    legal_basis: consent
    notice_version: "1"
    fields: [salary]
)");
  const CommandRun r = run("config check " + (dir / "c.yaml").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("c.yaml:6:"));
  EXPECT_THAT(r.output, HasSubstr("contct"));
  EXPECT_THAT(r.output, HasSubstr("salary"));
  EXPECT_THAT(r.output, HasSubstr("3 problems"));
  EXPECT_EQ(run("config check " + std::string(CONSENTRIC_SOURCE_DIR) +
                "/examples/ecommerce/consentric.yaml")
                .exit_code,
            0);
}

}  // namespace
}  // namespace consentric
