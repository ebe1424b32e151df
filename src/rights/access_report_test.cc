#include "rights/access_report.h"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/keys.h"
#include "rights/rights_fixture_test.h"
#include "runs/segment_runs.h"
#include "testing/status_matchers.h"

namespace consentric::rights {
namespace {

using ::consentric::testing::read_file;
using ::consentric::testing::StatusIs;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class AccessReportTest : public RightsStoreTest {
 protected:
  json report_of(const std::string& email) {
    auto r = build_access_report(*sd_, subject_of(email), kRightsNow, 7);
    EXPECT_OK(r);
    return r.ok() ? *r : json();
  }
  static const json* find(const json& list, const char* key, const std::string& value) {
    for (const json& e : list)
      if (e.value(key, std::string()) == value) return &e;
    return nullptr;
  }
  mode_t mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }
};

TEST_F(AccessReportTest, HoldsTheDecryptedProfileWithCategoriesAndPurposes) {
  const json r = report_of("ann@example.com");
  EXPECT_EQ(r["request"]["id"], 7);
  EXPECT_EQ(r["request"]["generated"], "2026-06-01T00:00:00Z");
  EXPECT_EQ(r["subject"]["pseudonym"].get<std::string>().size() > 0, true);

  ASSERT_EQ(r["identifiers"].size(), 2u);
  const json* email = find(r["identifiers"], "field", "email");
  ASSERT_NE(email, nullptr);
  EXPECT_EQ((*email)["value"], "ann@example.com");
  EXPECT_EQ((*find(r["identifiers"], "field", "customer_id"))["value"], "C1");

  ASSERT_EQ(r["profile"].size(), 6u);
  const json* age = find(r["profile"], "field", "age");
  ASSERT_NE(age, nullptr);
  EXPECT_EQ((*age)["value"], 34);
  EXPECT_EQ((*age)["category"], "demographic");
  EXPECT_EQ((*age)["pii"], false);
  EXPECT_EQ((*age)["purposes"], json({"segmentation", "lead_scoring"}));
  const json* name = find(r["profile"], "field", "first_name");
  EXPECT_EQ((*name)["value"], "<script>alert(1)</script>");
  EXPECT_EQ((*name)["pii"], true);
  EXPECT_EQ((*name)["purposes"], json::array());
  EXPECT_EQ((*find(r["profile"], "field", "signup_date"))["value"], "2026-01-05");

  // Blind indexes never appear: the report holds values, not look-up keys.
  const std::string blind = crypto::to_hex(sd_->indexer->index(
      "email", *crypto::normalize_identifier(IdentifierKind::kEmail, "ann@example.com")));
  EXPECT_THAT(r.dump(), Not(HasSubstr(blind)));
}

TEST_F(AccessReportTest, HoldsEveryEventWithSealedPropertiesOpened) {
  const json r = report_of("ann@example.com");
  const json& events = r["events"];
  EXPECT_EQ(events["count"], 3);
  EXPECT_EQ(events["count_by_type"]["purchase"], 2);
  EXPECT_EQ(events["count_by_type"]["page_view"], 1);
  ASSERT_EQ(events["items"].size(), 3u);
  EXPECT_EQ(events["items"][0]["time"], "2026-05-01T10:00:00Z");
  EXPECT_EQ(events["items"][0]["properties"]["page"], "/home");
  EXPECT_EQ(events["items"][1]["properties"]["note"], "gift, wrap it");  // was sealed
  EXPECT_EQ(events["items"][1]["properties"]["amount"], 12.5);
}

TEST_F(AccessReportTest, ConsentHistoryWithProofAndWhetherEachPurposeApplies) {
  json r = report_of("ann@example.com");
  ASSERT_EQ(r["consent"]["history"].size(), 1u);
  const json& grant = r["consent"]["history"][0];
  EXPECT_EQ(grant["action"], "grant");
  EXPECT_EQ(grant["source"], "web_form");
  EXPECT_EQ(grant["method"], "checkbox");
  EXPECT_EQ(grant["notice_version"], "2026-01");
  EXPECT_EQ(grant["proof"]["form_id"], "signup");
  EXPECT_EQ(r["consent"]["current"][0]["valid_now"], true);
  EXPECT_EQ((*find(r["purposes"], "purpose", "segmentation"))["applies"], true);
  EXPECT_EQ((*find(r["purposes"], "purpose", "lead_scoring"))["legal_basis"],
            "legitimate_interest");
  EXPECT_EQ(r["sources"]["consent"][0]["source"], "web_form");
  // Each file that brought something of theirs, in import order.
  ASSERT_EQ(r["sources"]["imports"].size(), 3u) << r["sources"].dump();
  EXPECT_EQ(r["sources"]["imports"][0]["file"], "p.csv");
  EXPECT_EQ(r["sources"]["imports"][0]["kind"], "profiles");
  EXPECT_EQ(r["sources"]["imports"][1]["file"], "e.ndjson");
  EXPECT_EQ(r["sources"]["imports"][2]["file"], "c.ndjson");

  // Cy withdrew: the purpose no longer applies, and the report says why.
  r = report_of("cy@example.com");
  const json& seg = *find(r["purposes"], "purpose", "segmentation");
  EXPECT_EQ(seg["applies"], false);
  EXPECT_THAT(seg["why_not"].get<std::string>(), HasSubstr("withdrawn"));
  EXPECT_EQ(r["consent"]["history"].size(), 2u);
  EXPECT_EQ(r["consent"]["current"][0]["decision"], "withdraw");
  EXPECT_EQ(r["consent"]["current"][0]["valid_now"], false);
}

// Art. 15(1)(h): a score held about the person comes with what moved it, in plain words.
TEST_F(AccessReportTest, AScoreComesWithItsReasons) {
  auto model = sd_->store->add_score_model({.purpose = "segmentation",
                                            .kind = "lr",
                                            .version = 1,
                                            .created_at = kRightsNow - 100,
                                            .created_by = "t",
                                            .review_due = kRightsNow,
                                            .features = "{}",
                                            .model = "{}",
                                            .card = "{}",
                                            .training_subjects = ""});
  ASSERT_OK(model);
  const json why = {
      {"margin", 0.4},
      {"bias", -1.0},
      {"top",
       {{{"feature", "count.page_view"}, {"value", 1.2}, {"text", "count.page_view 12: +1.20"}}}},
      {"rest", 0.2}};
  ASSERT_OK(
      sd_->store->put_scores(*model, {{subject_of("ann@example.com"), *model, 0.6, why.dump()}}));
  const json r = report_of("ann@example.com");
  ASSERT_EQ(r["scores"]["items"].size(), 1u) << r["scores"].dump();
  const json& item = r["scores"]["items"][0];
  EXPECT_EQ(item["purpose"], "segmentation");
  EXPECT_EQ(item["model"], "logistic regression");
  EXPECT_EQ(item["probability"], 0.6);
  EXPECT_EQ(item["reasons"], json::array({"count.page_view 12: +1.20"}));
  EXPECT_THAT(r["scores"]["note"].get<std::string>(), HasSubstr("moved your score most"));
  EXPECT_EQ(access_report_counts(r)["scores"], 1);
  EXPECT_THAT(render_access_html(r), HasSubstr("count.page_view 12: +1.20"));
  EXPECT_TRUE(report_of("bob@example.com")["scores"]["items"].empty());
}

TEST_F(AccessReportTest, AnImportThatChangesNothingOfThemIsNoSource) {
  // Bob's age changes; Ann's row is as stored.
  import(ingest::ImportKind::kProfiles, "p2.csv",
         "customer_id,age\n"
         "C1,34\n"
         "C2,42\n");
  json ann = report_of("ann@example.com")["sources"]["imports"];
  json bob = report_of("bob@example.com")["sources"]["imports"];
  ASSERT_EQ(bob.size(), 4u) << bob.dump();
  EXPECT_EQ(bob[3]["file"], "p2.csv");
  EXPECT_EQ(ann.size(), 3u) << ann.dump();
}

TEST_F(AccessReportTest, RetentionScoresAndNothingInvented) {
  const json r = report_of("bob@example.com");
  EXPECT_EQ((*find(r["retention"]["fields"], "field", "email"))["days"], 730.0);
  EXPECT_TRUE((*find(r["retention"]["fields"], "field", "age"))["days"].is_null());
  EXPECT_EQ((*find(r["retention"]["event_types"], "event_type", "page_view"))["days"], 90.0);
  EXPECT_EQ((*find(r["retention"]["purposes"], "purpose", "segmentation"))["days"], 365.0);
  EXPECT_TRUE(r["scores"]["items"].empty());
  EXPECT_THAT(r["scores"]["note"].get<std::string>(), HasSubstr("No score about you is held"));
  EXPECT_TRUE(r["segments"].empty());
  EXPECT_TRUE(r["recipients"].empty());
}

TEST_F(AccessReportTest, SegmentsSayWhyAndExportsAreRecipients) {
  runs::RunContext ctx{.actor = "test", .now = kRightsNow};
  ASSERT_OK(runs::create_segment(*sd_,
                                 {.name = "viewers",
                                  .purpose = "segmentation",
                                  .kind = runs::SegmentKind::kRule,
                                  .rule = "count.page_view >= 1"},
                                 ctx));
  ASSERT_OK(runs::create_segment(
      *sd_, {.name = "rfm", .purpose = "segmentation", .kind = runs::SegmentKind::kRfm}, ctx));
  auto st = runs::segment_state(*sd_, "viewers");
  ASSERT_OK(st);
  ASSERT_OK(runs::export_segment(*sd_, *st, (dir_.path() / "audience.csv").string(), false, ctx));

  json r = report_of("ann@example.com");
  const json* viewers = find(r["segments"], "segment", "viewers");
  ASSERT_NE(viewers, nullptr) << r["segments"].dump();
  EXPECT_EQ((*viewers)["kind"], "rule");
  EXPECT_EQ((*viewers)["purpose"], "segmentation");
  EXPECT_EQ((*viewers)["rule"], "count.page_view >= 1");
  const json* rfm = find(r["segments"], "segment", "rfm");
  ASSERT_NE(rfm, nullptr);
  EXPECT_EQ((*rfm)["kind"], "rfm");
  ASSERT_TRUE((*rfm)["rfm"].is_object()) << rfm->dump();
  EXPECT_GE((*rfm)["rfm"]["recency"].get<int>(), 1);
  EXPECT_EQ((*rfm)["rfm"]["segment"], (*rfm)["group"]);
  EXPECT_FALSE((*rfm)["rfm"]["advice"].get<std::string>().empty());

  ASSERT_EQ(r["recipients"].size(), 1u);
  EXPECT_EQ(r["recipients"][0]["recipient"], "audience.csv");
  EXPECT_EQ(r["recipients"][0]["purpose"], "segmentation");
  EXPECT_EQ(r["recipients"][0]["action"], "segment.export");
  EXPECT_EQ(r["recipients"][0]["segment"], "viewers");
  // Cy withdrew before the run: in no segment, and not in the export.
  r = report_of("cy@example.com");
  EXPECT_TRUE(r["segments"].empty());
  EXPECT_TRUE(r["recipients"].empty());
}

TEST_F(AccessReportTest, HtmlEscapesEveryValue) {
  const std::string html = render_access_html(report_of("ann@example.com"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("ann@example.com"));
  EXPECT_THAT(html, HasSubstr("gift, wrap it"));
  EXPECT_THAT(html, HasSubstr("Why we use your data"));
  EXPECT_THAT(html, HasSubstr("<style>"));
  // Self-contained: nothing is fetched from elsewhere when the person opens it.
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
}

TEST_F(AccessReportTest, AccessWritesPrivateFilesAndCompletesTheRequest) {
  const auto json_out = dir_.path() / "ann.json";
  const auto html_out = dir_.path() / "ann.html";
  auto done = access(*sd_, {.identifier = "ann@example.com",
                            .now = kRightsNow,
                            .json_out = json_out,
                            .html_out = html_out});
  ASSERT_OK(done);
  EXPECT_EQ(done->request.row.status, "completed");
  EXPECT_EQ(done->request.row.type, "access");
  ASSERT_EQ(done->files.size(), 2u);
  EXPECT_EQ(mode_of(json_out), 0600u);
  EXPECT_EQ(mode_of(html_out), 0600u);
  const json written = json::parse(read_file(json_out));
  EXPECT_EQ(written["request"]["id"], done->request.row.request_id);
  EXPECT_EQ(written["events"]["count"], 3);

  const json evidence = json::parse(done->request.row.evidence);
  EXPECT_EQ(evidence["counts"]["events"], 3);
  EXPECT_EQ(evidence["counts"]["profile_fields"], 6);
  ASSERT_EQ(evidence["files"].size(), 2u);
  EXPECT_EQ(evidence["files"][0]["name"], "ann.json");
  EXPECT_EQ(evidence["files"][0]["blake2b_256"], crypto::to_hex(*crypto::hash256_file(json_out)));

  // The audit entry holds counts and hashes, never a value.
  std::string audited;
  ASSERT_OK(sd_->store->scan_audit([&](const AuditRecord& a) {
    if (a.action == "subject.access") audited = a.detail;
    return Status();
  }));
  EXPECT_THAT(audited, HasSubstr("\"events\":3"));
  EXPECT_THAT(audited, Not(HasSubstr("ann@")));
  EXPECT_THAT(audited, Not(HasSubstr("script")));
}

TEST_F(AccessReportTest, UnknownPersonIsNoDataAndNeedsAFile) {
  const auto out = dir_.path() / "x.json";
  auto done =
      access(*sd_, {.identifier = "nobody@example.com", .now = kRightsNow, .json_out = out});
  ASSERT_OK(done);
  EXPECT_EQ(done->request.row.status, "no_data");
  EXPECT_TRUE(done->files.empty());
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_THAT(access(*sd_, {.identifier = "ann@example.com", .now = kRightsNow}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("--json")));
  EXPECT_THAT(
      access(
          *sd_,
          {.identifier = "ann@example.com", .now = kRightsNow, .json_out = out, .html_out = out}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("the same file")));
  auto all = list_requests(*sd_, {});
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 1u);  // the refusals recorded nothing
}

TEST_F(AccessReportTest, FailureRecordsNothingAndLeavesNoFile) {
  auto open = open_request(
      *sd_, {.type = RequestType::kAccess, .identifier = "ann@example.com", .now = kRightsNow});
  ASSERT_OK(open);
  const auto out = dir_.path() / "ann.json";
  // The open request is about Ann, not Bob: refused, nothing written, the request stays open.
  EXPECT_THAT(access(*sd_, {.identifier = "bob@example.com",
                            .request_id = open->row.request_id,
                            .now = kRightsNow,
                            .json_out = out}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("another person")));
  EXPECT_FALSE(std::filesystem::exists(out));
  // A folder that does not exist: the write fails, the transaction is rolled back.
  EXPECT_THAT(access(*sd_, {.identifier = "ann@example.com",
                            .request_id = open->row.request_id,
                            .now = kRightsNow,
                            .json_out = dir_.path() / "missing" / "ann.json"}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("cannot be written")));
  auto still = get_request(*sd_, open->row.request_id);
  ASSERT_OK(still);
  EXPECT_EQ(still->row.status, "open");
  auto done = access(*sd_, {.identifier = "ann@example.com",
                            .request_id = open->row.request_id,
                            .now = kRightsNow,
                            .json_out = out});
  ASSERT_OK(done);
  EXPECT_EQ(done->request.row.request_id, open->row.request_id);
  EXPECT_EQ(done->request.row.status, "completed");
}

}  // namespace
}  // namespace consentric::rights
