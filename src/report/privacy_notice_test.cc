#include "report/privacy_notice.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_ops.h"
#include "crypto/keys.h"
#include "report/report_fixture_test.h"

namespace consentric::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PrivacyNoticeTest : public ReportStoreTest {
 protected:
  std::int64_t publish_entries() {
    auto log = audit::query_log(*sd_->store, {.action_prefix = "notice.publish"});
    EXPECT_OK(log);
    return log.ok() ? static_cast<std::int64_t>(log->size()) : -1;
  }
};

TEST_F(PrivacyNoticeTest, SaysWhatWhyHowLongToWhomAndTheRightsFromTheDeclaration) {
  const Config& c = sd_->config;
  const std::string consent = notice_document(c, *c.purpose("ad_audiences")).markdown();
  EXPECT_THAT(consent, HasSubstr("# Privacy notice: ad_audiences"));
  EXPECT_THAT(consent, HasSubstr(c.controller.name));
  EXPECT_THAT(consent, HasSubstr(c.controller.contact));
  EXPECT_THAT(consent, HasSubstr("Your consent (GDPR Art. 6(1)(a))"));
  EXPECT_THAT(consent, HasSubstr("Withdrawal of your consent at any time"));
  // Every field the purpose reads is listed with its category; fields it does not read are not.
  for (const std::string& f : c.purpose("ad_audiences")->fields) {
    EXPECT_THAT(consent, HasSubstr("| " + f + " |")) << f;
  }
  EXPECT_THAT(consent, Not(HasSubstr("| phone |")));
  // The declared recipient, with its country.
  for (const RecipientSpec& r : c.recipients) {
    if (std::find(r.purposes.begin(), r.purposes.end(), "ad_audiences") != r.purposes.end()) {
      EXPECT_THAT(consent, HasSubstr(r.name + " (")) << r.name;
    }
  }
  const std::string li = notice_document(c, *c.purpose("lead_scoring")).markdown();
  EXPECT_THAT(li, HasSubstr("legitimate interest (GDPR Art. 6(1)(f))"));
  EXPECT_THAT(li, HasSubstr("You can object at any time"));
  EXPECT_THAT(li, Not(HasSubstr("Withdrawal of your consent")));
  EXPECT_THAT(li, HasSubstr("within one month (GDPR) or 45 days (CCPA)"));
  EXPECT_THAT(notice_document(c, *c.purpose("lead_scoring")).html(), HasSubstr("<table>"));
}

TEST_F(PrivacyNoticeTest, AutomatedDecisionsAreExplainedWithTheRightToAHumanReview) {
  PurposeSpec p = *sd_->config.purpose("lead_scoring");
  p.automated_decision = true;
  p.review_above = 0.9;
  const std::string md = notice_document(sd_->config, p).markdown();
  EXPECT_THAT(md, HasSubstr("obtain a person's review"));
  EXPECT_THAT(md, HasSubstr("Scores at or above 0.9 are checked by a person"));
}

TEST_F(PrivacyNoticeTest, PublishingAChangedTextBumpsTheVersionConsentRecordsName) {
  auto first = publish_notices(*sd_, "", ctx());
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), sd_->config.purposes.size());
  for (const PublishedNotice& n : *first) {
    EXPECT_TRUE(n.changed) << n.purpose;
    EXPECT_EQ(n.version, 1);
    EXPECT_EQ(n.label, sd_->config.purpose(n.purpose)->notice_version.empty()
                           ? "1"
                           : sd_->config.purpose(n.purpose)->notice_version);
    EXPECT_EQ(n.text_hash,
              crypto::to_hex(crypto::hash256(
                  notice_document(sd_->config, *sd_->config.purpose(n.purpose)).markdown())));
  }
  const std::int64_t entries = publish_entries();
  EXPECT_EQ(entries, static_cast<std::int64_t>(first->size()));
  const PurposeSpec& seg = *sd_->config.purpose("segmentation");
  EXPECT_EQ(seg.current_notice_version(), "2026-01");
  EXPECT_EQ(seg.notice_hash.size(), 64u);

  // Nothing changed: nothing recorded.
  auto again = publish_notices(*sd_, "", ctx());
  ASSERT_OK(again);
  for (const PublishedNotice& n : *again) EXPECT_FALSE(n.changed) << n.purpose;
  EXPECT_EQ(publish_entries(), entries);

  // A new retention for segmentation changes its text only: version 2, labelled after the
  // declared version, which the store now gives as the one in force.
  std::string yaml(synth::quickstart_config_yaml());
  const std::string from = "    retention: 2y\n";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), "    retention: 18mo\n");
  ASSERT_OK(apply_config(*sd_, yaml, "q.yaml", kNow + 60));
  auto states = notice_states(*sd_);
  ASSERT_OK(states);
  for (const NoticeState& s : *states) EXPECT_EQ(s.current, s.purpose != "segmentation");
  auto bumped = publish_notices(*sd_, "segmentation", {.actor = "test", .now = kNow + 120});
  ASSERT_OK(bumped);
  ASSERT_EQ(bumped->size(), 1u);
  EXPECT_TRUE((*bumped)[0].changed);
  EXPECT_EQ((*bumped)[0].version, 2);
  EXPECT_EQ((*bumped)[0].label, "2026-01.2");
  EXPECT_EQ(sd_->config.purpose("segmentation")->current_notice_version(), "2026-01.2");
  EXPECT_EQ(sd_->config.purpose("segmentation")->notice_hash, (*bumped)[0].text_hash);
  EXPECT_EQ(publish_entries(), entries + 1);
  EXPECT_THAT((*bumped)[0].document.markdown(), HasSubstr("Version 2026-01.2, published"));

  // The store keeps both versions, and a reopened store gives the one in force.
  auto versions = sd_->store->privacy_notices("segmentation");
  ASSERT_OK(versions);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_THAT((*versions)[0].text, HasSubstr("730 days"));
  EXPECT_THAT((*versions)[1].text, Not(HasSubstr("730 days")));
  auto reopened = open_store_dir(sd_->dir, {.durable = false});
  ASSERT_OK(reopened);
  EXPECT_EQ(reopened->config.purpose("segmentation")->current_notice_version(), "2026-01.2");
}

TEST_F(PrivacyNoticeTest, AnUndeclaredPurposeIsRefused) {
  EXPECT_THAT(publish_notices(*sd_, "profiling", ctx()),
              ::consentric::testing::StatusIs(StatusCode::kNotFound, HasSubstr("profiling")));
}

}  // namespace
}  // namespace consentric::report
