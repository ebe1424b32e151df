// The audit commands end to end: the real binary on a real store folder. An operator signs
// checkpoints and proves entries; a verifier checks the proofs with nothing but the notes and the
// verifier key; cutting entries off the end of the log is caught against a kept checkpoint.

#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "sqlite/db.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::CommandRun;
using ::consentric::testing::read_file;
using ::consentric::testing::run;
using ::consentric::testing::write_file;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class AuditCli : public ::consentric::testing::StoreCliTest {
 protected:
  void SetUp() override {
    StoreCliTest::SetUp();
    // A small generated data set gives a log of a few dozen real entries (imports, consents).
    import_generated(50, 7, {"profiles", "consents"}, "--as-of 2026-06-30");
  }

  nlohmann::json verify_json(const std::string& args = "") const {
    const CommandRun r = at_store("--json audit verify " + args);
    return nlohmann::json::parse(r.output, nullptr, false);
  }
  std::int64_t entries() const { return verify_json()["entries"].get<std::int64_t>(); }

  // Edits the data file directly, as anyone with access to the disk could.
  void tamper(const std::string& sql) const {
    auto db = sqlite::Db::open(dir_ / "store" / "consentric.db", {});
    ASSERT_OK(db);
    ASSERT_OK((*db)->exec(sql));
  }
};

TEST_F(AuditCli, CheckpointProveAndCheckWithoutTheStore) {
  const std::int64_t n1 = entries();
  ASSERT_GT(n1, 10);
  CommandRun r = at_store("audit checkpoint --out " + path("cp.note"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("signed checkpoint of " + std::to_string(n1) + " entries"));
  EXPECT_THAT(r.output, HasSubstr("recorded as audit entry " + std::to_string(n1 + 1)));
  EXPECT_THAT(read_file(dir_ / "cp.note"), StartsWith("consentric/"));

  r = at_store("audit key");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string vkey = r.output.substr(0, r.output.find('\n'));
  EXPECT_THAT(r.output, HasSubstr("consentric/"));
  EXPECT_THAT(r.output, HasSubstr(vkey.substr(0, vkey.find('+'))));
  write_file(dir_ / "vkey", r.output);

  r = at_store("audit prove --entry 2 --out " + path("p.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("entry 2 against the checkpoint of " + std::to_string(n1)));

  // The verifier's side: no --store, only the proof, the note and the key.
  const std::string check =
      "audit check-proof " + path("p.json") + " --checkpoint " + path("cp.note") + " --key ";
  r = run(check + path("vkey"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("VALID inclusion proof: entry 2 (import.profiles"));
  EXPECT_EQ(run(check + "'" + vkey + "'").exit_code, 0);  // the key itself works as well
  r = run("--json " + check + path("vkey"));
  EXPECT_EQ(nlohmann::json::parse(r.output, nullptr, false)["valid"], true) << r.output;

  // A doctored proof: the entry now says something else.
  auto doc = nlohmann::json::parse(read_file(dir_ / "p.json"));
  doc["entry"]["action"] = "import.events";
  write_file(dir_ / "bad.json", doc.dump(2));
  r = run("audit check-proof " + path("bad.json") + " --checkpoint " + path("cp.note") + " --key " +
          path("vkey"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("INVALID inclusion proof"));
  // A doctored checkpoint: a changed root breaks the signature; exit 1, not an internal error.
  std::string note = read_file(dir_ / "cp.note");
  const std::size_t root_line = note.find('\n', note.find('\n') + 1) + 1;
  note[root_line] = note[root_line] == 'A' ? 'B' : 'A';
  write_file(dir_ / "forged.note", note);
  r = run("audit check-proof " + path("p.json") + " --checkpoint " + path("forged.note") +
          " --key " + path("vkey"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("does not verify"));

  r = at_store("audit prove --entry " + std::to_string(n1 + 1));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("run consentric audit checkpoint first"));

  // More entries, a second checkpoint, and proof that the log grew without being rewritten.
  ASSERT_EQ(at_store("-q import events " + path("data") + "/events.ndjson").exit_code, 0);
  r = at_store("audit checkpoint --out " + path("cp2.note"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = at_store("audit prove --from " + std::to_string(n1) + " --out " + path("c.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run("audit check-proof " + path("c.json") + " --checkpoint " + path("cp2.note") +
          " --older " + path("cp.note") + " --key " + path("vkey"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("VALID consistency proof"));
  r = run("audit check-proof " + path("c.json") + " --checkpoint " + path("cp.note") + " --older " +
          path("cp2.note") + " --key " + path("vkey"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  r = at_store("audit prove --from 3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("no checkpoint of 3 entries"));

  r = at_store("audit verify --checkpoint " + path("cp.note") + " --key " + path("vkey"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("audit chain intact"));
  EXPECT_THAT(r.output, HasSubstr("merkle tree matches 3 signed checkpoints"));
}

TEST_F(AuditCli, VerifyFindsATruncatedTail) {
  const std::int64_t n1 = entries();
  ASSERT_EQ(at_store("audit checkpoint --out " + path("cp.note")).exit_code, 0);
  ASSERT_EQ(at_store("audit verify").exit_code, 0);

  const std::int64_t keep = n1 - 5;
  tamper("DELETE FROM audit_log WHERE seq > " + std::to_string(keep));
  CommandRun r = at_store("audit verify");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("audit log BROKEN at entry " + std::to_string(keep + 1)));
  EXPECT_THAT(r.output, HasSubstr("the log was cut back: checkpoint 1 of " + std::to_string(n1) +
                                  " entries signed at "));
  EXPECT_THAT(r.output, HasSubstr("but only " + std::to_string(keep) + " remain"));
  const nlohmann::json j = verify_json();
  EXPECT_EQ(j["intact"], false);
  EXPECT_EQ(j["first_bad_seq"], keep + 1);

  // Hiding the cut from the store as well leaves the outsider's note to catch it.
  tamper("DELETE FROM audit_checkpoints");
  EXPECT_EQ(at_store("audit verify").exit_code, 0);
  r = at_store("audit verify --checkpoint " + path("cp.note"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("the log was cut back: the checkpoint in " + path("cp.note")));
}

TEST_F(AuditCli, VerifyNamesAnEditedEntry) {
  tamper("UPDATE audit_log SET detail = '{\"rows\":1}' WHERE seq = 3");
  const CommandRun r = at_store("audit verify");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("audit log BROKEN at entry 3"));
  EXPECT_THAT(r.output, HasSubstr("altered"));
  EXPECT_EQ(verify_json()["first_bad_seq"], 3);
  // No checkpoint vouches for a damaged log.
  EXPECT_EQ(at_store("audit checkpoint").exit_code, 1);
}

TEST_F(AuditCli, LogFiltersAndExports) {
  CommandRun r = at_store("audit log --action import. --ndjson");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.output);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_THAT(j["action"].get<std::string>(), StartsWith("import."));
    EXPECT_EQ(j["hash"].get<std::string>().size(), 64u);
    ++n;
  }
  EXPECT_EQ(n, 2);  // profiles, consents

  r = at_store("audit log --action consent. --limit 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, StartsWith("seq"));
  EXPECT_THAT(r.output, HasSubstr("consent.grant"));
  EXPECT_THAT(r.output, HasSubstr("3 entries"));

  r = at_store("--json audit log --since 2000-01-01 --until 2000-12-31");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output, nullptr, false), nlohmann::json::array());
  EXPECT_EQ(at_store("audit log --since yesterday").exit_code, 1);
}

TEST_F(AuditCli, ProveNeedsACheckpointAndOneQuestion) {
  CommandRun r = at_store("audit prove --entry 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("run consentric audit checkpoint first"));
  EXPECT_EQ(at_store("audit prove").exit_code, 1);
  EXPECT_EQ(at_store("audit prove --entry 1 --from 2").exit_code, 1);
}

}  // namespace
}  // namespace consentric
