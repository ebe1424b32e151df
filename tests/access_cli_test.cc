// Roles and tokens end to end, through the real binary: who runs a command is the holder of the
// token given, their role decides, and every refusal is in the audit chain.

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace consentric::testing {
namespace {

using ::testing::HasSubstr;

class AccessCli : public StoreCliTest {
 protected:
  void SetUp() override {
    StoreCliTest::SetUp();
    import_generated(30, 7, {"profiles", "events", "consents"});
  }
  // Makes a token and returns it (the only time it is shown).
  std::string token(const std::string& name, const std::string& role,
                    const std::string& expires = "30d") {
    const auto j =
        json_of("token create --name " + name + " --role " + role + " --expires " + expires);
    return j.value("token", "");
  }
  CommandRun as(const std::string& token, const std::string& args) const {
    return run("--store " + store() + " --token " + token + " " + args);
  }
  // How many access.refused entries name `actor`.
  int refusals_by(const std::string& actor) const {
    int n = 0;
    for (const auto& e : json_of("audit log --limit 500")) {
      if (e["action"] == "access.refused" && e["actor"] == actor) ++n;
    }
    return n;
  }
};

TEST_F(AccessCli, AMarketerBuildsSegmentsButCannotOpenAnAccessReport) {
  const std::string marketer = token("mark", "marketer");
  ASSERT_TRUE(marketer.starts_with("cst_"));
  const CommandRun seg =
      as(marketer, "-q segment create everyone --purpose segmentation --rule 'event_count >= 0'");
  EXPECT_EQ(seg.exit_code, 0) << seg.output;
  const CommandRun access = as(marketer, "dsar access C00000001 --json " + path("a.json"));
  EXPECT_EQ(access.exit_code, 1);
  EXPECT_THAT(access.output,
              HasSubstr("role marketer may not dsar.execute (dsar access); ask someone with role "
                        "admin or dpo"));
  const CommandRun contact =
      as(marketer, "segment export everyone --contact --out " + path("c.csv"));
  EXPECT_EQ(contact.exit_code, 1);
  EXPECT_THAT(contact.output, HasSubstr("may not pii.read (segment export --contact)"));
  // The segment was made by mark, and both refusals are on the record under his name.
  bool made_by_mark = false;
  for (const auto& e : json_of("audit log --limit 500")) {
    if (e["action"] == "segment.create" && e["actor"] == "mark") made_by_mark = true;
  }
  EXPECT_TRUE(made_by_mark);
  EXPECT_EQ(refusals_by("mark"), 2);
}

TEST_F(AccessCli, AnAnalystSeesPseudonymousViewsButNoPersonalData) {
  const std::string analyst = token("ana", "analyst");
  EXPECT_EQ(as(analyst, "gate view --purpose segmentation").exit_code, 0);
  EXPECT_EQ(as(analyst, "consent show C00000001").exit_code, 1);
  EXPECT_EQ(as(analyst, "token list").exit_code, 1);
  EXPECT_EQ(as(analyst, "quality --subjects").exit_code, 1);
}

TEST_F(AccessCli, RevokedAndUnknownTokensAreRefusedAndRecordedWithoutTheToken) {
  const std::string dpo = token("dora", "dpo");
  EXPECT_EQ(as(dpo, "dsar list").exit_code, 0);
  ASSERT_EQ(at_store("token revoke dora").exit_code, 0);
  const CommandRun revoked = as(dpo, "dsar list");
  EXPECT_EQ(revoked.exit_code, 1);
  EXPECT_THAT(revoked.output, HasSubstr("\"dora\" was revoked"));
  const CommandRun unknown = as("cst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "dsar list");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("not known to this store"));
  const CommandRun list = at_store("token list");
  EXPECT_THAT(list.output, ::testing::ContainsRegex("dora +dpo +revoked"));
  EXPECT_EQ(refusals_by("unauthenticated"), 2);
  EXPECT_THAT(at_store("--json audit log --limit 500").output,
              ::testing::Not(HasSubstr(dpo.substr(4))));
}

TEST_F(AccessCli, TheTokenMayComeFromTheEnvironment) {
  const std::string analyst = token("ana", "analyst");
  ASSERT_EQ(::setenv("CONSENTRIC_TOKEN", analyst.c_str(), 1), 0);
  const CommandRun refused = at_store("dsar list");
  const CommandRun allowed = at_store(
      "-q segment create all --purpose segmentation --rule "
      "'event_count >= 0'");
  ::unsetenv("CONSENTRIC_TOKEN");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.output, HasSubstr("role analyst may not dsar.read"));
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_EQ(refusals_by("ana"), 1);
}

TEST_F(AccessCli, WithoutATokenOnlyTheKeyFilesOwnerIsAdmin) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to hand the key file to another user";
  const std::string key = path("store") + "/master.key";
  const std::string analyst = token("ana", "analyst");
  // Someone else's key file, readable to us (we run as root here, who reads anything).
  ASSERT_EQ(::chown(key.c_str(), 65534, 65534), 0);
  const CommandRun operator_run = at_store("dsar list");
  const CommandRun token_run = as(analyst, "segment list");
  ASSERT_EQ(::chown(key.c_str(), ::geteuid(), ::getegid()), 0);
  EXPECT_EQ(operator_run.exit_code, 1);
  EXPECT_THAT(operator_run.output, HasSubstr("must own the key file"));
  EXPECT_EQ(token_run.exit_code, 0) << token_run.output;
  EXPECT_EQ(at_store("dsar list").exit_code, 0);
}

}  // namespace
}  // namespace consentric::testing
