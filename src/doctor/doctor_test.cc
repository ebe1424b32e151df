#include "doctor/doctor.h"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_ops.h"
#include "report/dpia.h"
#include "report/privacy_notice.h"
#include "report/report_fixture_test.h"
#include "sqlite/db.h"

namespace consentric::doctor {
namespace {

using report::kNow;
using ::testing::HasSubstr;

// Starts from a store a careful DPO keeps: notices published, a DPIA on file, a signed
// checkpoint. Each test then plants one fault and expects the doctor to fail (or warn) on it.
class DoctorTest : public report::ReportStoreTest {
 protected:
  void SetUp() override {
    ReportStoreTest::SetUp();
    ASSERT_OK(report::publish_notices(*sd_, "", ctx()).status());
    ASSERT_OK(report::record_dpia(*sd_, ctx()));
    auto signer = audit::log_signer(*sd_->store, sd_->master);
    ASSERT_OK(signer);
    ASSERT_OK(audit::make_checkpoint(*sd_->store, *signer, "test", kNow).status());
  }
  DoctorReport run(UnixSeconds now = kNow) {
    auto r = run_doctor(*sd_, {.actor = "test", .now = now});
    EXPECT_OK(r);
    return r.ok() ? *r : DoctorReport{};
  }
  static const Check& check(const DoctorReport& r, std::string_view name) {
    for (const Check& c : r.checks) {
      if (c.name == name) return c;
    }
    ADD_FAILURE() << "no check " << name;
    static const Check none;
    return none;
  }
  void change_declaration() {
    std::string yaml(synth::quickstart_config_yaml());
    const std::string from = "    retention: 2y\n";
    ASSERT_NE(yaml.find(from), std::string::npos);
    yaml.replace(yaml.find(from), from.size(), "    retention: 18mo\n");
    ASSERT_OK(apply_config(*sd_, yaml, "q.yaml", kNow + 60));
  }
};

TEST_F(DoctorTest, AWellKeptStorePassesWithWarningsOnlyForWhatTheDeclarationHolds) {
  const DoctorReport r = run();
  EXPECT_FALSE(r.failed()) << r.to_json().dump(2);
  EXPECT_EQ(check(r, "audit chain").verdict, Verdict::kPass);
  EXPECT_THAT(check(r, "audit chain").figure, HasSubstr("chain intact, 1 signed checkpoint holds"));
  EXPECT_EQ(check(r, "master key").verdict, Verdict::kPass);
  EXPECT_THAT(check(r, "master key").figure, HasSubstr("mode 0600"));
  EXPECT_EQ(check(r, "basis and notice: segmentation").verdict, Verdict::kPass);
  EXPECT_THAT(check(r, "basis and notice: segmentation").figure, HasSubstr("notice 2026-01"));
  EXPECT_EQ(check(r, "coverage: segmentation").verdict, Verdict::kPass);
  EXPECT_THAT(check(r, "coverage: segmentation").figure, HasSubstr("of 1,500 people"));
  EXPECT_EQ(check(r, "DPIA").verdict, Verdict::kPass);
  EXPECT_EQ(check(r, "data-subject requests").verdict, Verdict::kPass);
  // The quickstart declaration holds phone, which no purpose reads.
  EXPECT_EQ(check(r, "data minimisation").verdict, Verdict::kWarn);
  EXPECT_THAT(check(r, "data minimisation").figure, HasSubstr("phone"));
  const auto j = r.to_json();
  EXPECT_EQ(j["fail"], 0);
  EXPECT_EQ(j["checks"].size(), r.checks.size());
}

TEST_F(DoctorTest, FailsOnAnEditedAuditEntry) {
  {
    auto db = sqlite::Db::open(sd_->dir / kDataFileName, {});
    ASSERT_OK(db);
    ASSERT_OK((*db)->exec("UPDATE audit_log SET detail = '{}' WHERE seq = 3"));
  }
  const DoctorReport r = run();
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(check(r, "audit chain").verdict, Verdict::kFail);
  EXPECT_THAT(check(r, "audit chain").advice, HasSubstr("entry 3"));
}

TEST_F(DoctorTest, FailsOnAKeyFileOthersCanRead) {
  ASSERT_EQ(::chmod(sd_->key_file.c_str(), 0644), 0);
  const DoctorReport r = run();
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(check(r, "master key").verdict, Verdict::kFail);
  EXPECT_THAT(check(r, "master key").advice, HasSubstr("chmod 600"));
}

TEST_F(DoctorTest, FailsOnAnOverdueRequestAndWarnsOnOneDueSoon) {
  DsarRow soon{.type = "access",
               .regime = "gdpr",
               .identifier_field = "email",
               .received_at = kNow - 28 * kSecondsPerDay,
               .due_at = kNow + 2 * kSecondsPerDay};
  ASSERT_OK(sd_->store->add_dsar(soon).status());
  EXPECT_EQ(check(run(), "data-subject requests").verdict, Verdict::kWarn);
  DsarRow late = soon;
  late.type = "erasure";
  late.due_at = kNow - 1;
  ASSERT_OK(sd_->store->add_dsar(late).status());
  const DoctorReport r = run();
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(check(r, "data-subject requests").verdict, Verdict::kFail);
  EXPECT_THAT(check(r, "data-subject requests").figure, HasSubstr("2 open, 1 overdue"));
}

TEST_F(DoctorTest, FailsOnADpiaAndANoticeMadeForAnotherDeclaration) {
  change_declaration();
  const DoctorReport r = run();
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(check(r, "DPIA").verdict, Verdict::kFail);
  EXPECT_EQ(check(r, "basis and notice: segmentation").verdict, Verdict::kFail);
  EXPECT_EQ(check(r, "basis and notice: lead_scoring").verdict, Verdict::kPass);
  // Publishing and regenerating put it right.
  ASSERT_OK(report::publish_notices(*sd_, "", ctx()).status());
  ASSERT_OK(report::record_dpia(*sd_, ctx()));
  EXPECT_FALSE(run().failed());
}

TEST_F(DoctorTest, FailsOnDataPastItsRetention) {
  EXPECT_EQ(check(run(kNow), "retention").verdict, Verdict::kPass);
  // Three years on, the 13-month event types (and more) are past their retention.
  const DoctorReport later = run(kNow + 3 * 365 * kSecondsPerDay);
  EXPECT_TRUE(later.failed());
  const Check& kept = check(later, "retention");
  EXPECT_EQ(kept.verdict, Verdict::kFail);
  EXPECT_THAT(kept.figure, HasSubstr("page_view (events)"));
  EXPECT_THAT(kept.advice, HasSubstr("retention run"));
  // Looking was all it did.
  EXPECT_EQ(check(run(kNow), "retention").verdict, Verdict::kPass);
}

TEST_F(DoctorTest, WarnsOnAModelPastItsReviewDate) {
  ScoreModelRow m{.purpose = "lead_scoring",
                  .kind = "lr",
                  .version = 1,
                  .created_at = kNow,
                  .created_by = "test",
                  .review_due = kNow + 10,
                  .features = "{}",
                  .model = "{}",
                  .card = "{}",
                  .training_subjects = "",
                  .audit_seq = 1};
  auto id = sd_->store->add_score_model(m);
  ASSERT_OK(id);
  ASSERT_OK(sd_->store->activate_score_model(*id));
  EXPECT_EQ(check(run(kNow), "models: lead_scoring").verdict, Verdict::kPass);
  const Check late = check(run(kNow + 11), "models: lead_scoring");
  EXPECT_EQ(late.verdict, Verdict::kWarn);
  EXPECT_THAT(late.figure, HasSubstr("1 past review"));
}

}  // namespace
}  // namespace consentric::doctor
