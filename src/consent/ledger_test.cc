#include "consent/ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "consent/subjects.h"
#include "store/store_dir.h"
#include "testing/status_matchers.h"

namespace consentric::consent {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

constexpr std::string_view kConfig = R"(version: 1
controller: {name: Test GmbH, contact: dpo@test.example}
identifiers: [{field: email, kind: email}]
fields:
  - {name: email, type: string, category: contact, pii: true}
  - {name: country, type: string, category: location}
event_types:
  - {name: page_view}
  - name: purchase
    value_property: amount
    properties: [{name: amount, type: float, category: financial}]
purposes:
  - {id: news, legal_basis: consent, fields: [country], event_types: [page_view, purchase],
     notice_version: "v2", renew_consent: true}
  - {id: scoring, legal_basis: legitimate_interest, fields: [country], event_types: [page_view]}
)";

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_.path() / "s", kConfig, "c.yaml", 1000);
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
    keeper_.emplace(*sd_->store, sd_->config);
    ASSERT_OK(sd_->store->begin());
    ASSERT_OK(sd_->keyring->begin());
    auto id = parse_identifier_arg(sd_->config, "ada@example.com");
    ASSERT_OK(id);
    auto s = find_or_create_subject(*sd_, *id, 1000);
    ASSERT_OK(s);
    subject_ = *s;
  }
  void TearDown() override {
    if (sd_) {
      ASSERT_OK(sd_->keyring->commit());
      ASSERT_OK(sd_->store->commit());
    }
  }

  Result<Appended> record(ConsentAction a, UnixSeconds ts, std::string notice = "v2") {
    Decision d;
    d.purpose = "news";
    d.action = a;
    d.ts = ts;
    d.notice_version = std::move(notice);
    d.source = "web_form";
    if (auto err = check_decision(sd_->config, d, 100000)) return invalid_argument(err->message);
    return append_decision(*sd_->store, sd_->config, *keeper_, subject_.id, d, "tester", 100000);
  }

  void add_event(UnixSeconds ts, std::string_view type, std::string props = "{}") {
    auto type_id = sd_->store->event_type_id(type);
    ASSERT_OK(type_id);
    ASSERT_OK(sd_->store->insert_event({.subject = subject_.id,
                                        .ts = ts,
                                        .dedup = ts,
                                        .type_id = *type_id,
                                        .props = std::move(props),
                                        .sealed = {}}));
    ASSERT_OK(keeper_->add_event(subject_.id, ts, *sd_->config.event_type(type), *type_id,
                                 type == "purchase" ? 30.0 : 0.0));
  }

  TempDir dir_;
  std::optional<StoreDir> sd_;
  std::optional<PurposeFeatureKeeper> keeper_;
  SubjectRef subject_;
};

TEST_F(LedgerTest, GrantIsAppendedStateFollowsAndAuditRecordsIt) {
  auto a = record(ConsentAction::kGrant, 2000);
  ASSERT_OK(a);
  EXPECT_GT(a->entry_id, 0);
  auto state = sd_->store->consent_state(subject_.id, "news");
  ASSERT_OK(state);
  ASSERT_TRUE(state->has_value());
  EXPECT_TRUE((*state)->granted);
  auto last = sd_->store->last_audit();
  ASSERT_OK(last);
  EXPECT_EQ((*last)->action, "consent.grant");
  EXPECT_EQ((*last)->purpose, "news");
  EXPECT_EQ((*last)->subject, subject_.pseudonym);
  EXPECT_THAT((*last)->detail, ::testing::Not(HasSubstr("ada")));
}

TEST_F(LedgerTest, WithdrawalWithoutGrantIsARefusalAndDuplicatesAreKeptOnce) {
  auto r = record(ConsentAction::kWithdraw, 2000);
  ASSERT_OK(r);
  EXPECT_EQ(r->action, ConsentAction::kRefuse);
  ASSERT_OK(record(ConsentAction::kGrant, 3000));
  auto w = record(ConsentAction::kWithdraw, 4000);
  ASSERT_OK(w);
  EXPECT_EQ(w->action, ConsentAction::kWithdraw);
  auto again = record(ConsentAction::kWithdraw, 4000);
  ASSERT_OK(again);
  EXPECT_EQ(again->entry_id, 0);
  auto history = sd_->store->consent_history(subject_.id);
  ASSERT_OK(history);
  EXPECT_EQ(history->size(), 3u);
}

TEST_F(LedgerTest, BadDecisionsAreRefusedWithTheFieldNamed) {
  Decision d;
  d.purpose = "newz";
  d.ts = 10;
  auto err = check_decision(sd_->config, d, 100);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "purpose");
  d.purpose = "news";
  d.notice_version = "v2";
  d.ts = 200;
  err = check_decision(sd_->config, d, 100);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "time");
  d.ts = 10;
  d.notice_version.clear();
  err = check_decision(sd_->config, d, 100);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "notice_version");
  d.notice_version = "v2";
  d.expires_at = 5;
  err = check_decision(sd_->config, d, 100);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "expires_at");
  d.expires_at.reset();
  d.proof = "[1]";
  err = check_decision(sd_->config, d, 100);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "proof");
}

TEST(Proof, IpAddressesAreCutToTheirNetwork) {
  auto v4 = normalize_proof(R"({"ip":"203.0.113.77","form":"f1"})");
  ASSERT_OK(v4);
  EXPECT_EQ(*v4, R"({"form":"f1","ip_prefix":"203.0.113.0/24"})");
  auto v6 = normalize_proof(R"({"ip":"2001:db8:85a3::8a2e:370:7334"})");
  ASSERT_OK(v6);
  EXPECT_EQ(*v6, R"({"ip_prefix":"2001:db8:85a3::/48"})");
  EXPECT_THAT(normalize_proof(R"({"ip":"999.1.1.1"})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("proof.ip")));
}

TEST_F(LedgerTest, PurposeFeaturesCountOnlyEventsInsideConsent) {
  add_event(1500, "page_view");  // before any consent
  add_event(2500, "page_view");  // inside
  add_event(2600, "purchase", R"({"amount":30})");
  add_event(3500, "page_view");  // after the withdrawal
  ASSERT_OK(keeper_->flush());
  // scoring rests on legitimate interest: every page view counts, purchases are not declared.
  auto scoring = sd_->store->purpose_features(subject_.id, "scoring");
  ASSERT_OK(scoring);
  ASSERT_TRUE(scoring->has_value());
  EXPECT_EQ((*scoring)->events, 3);
  // news has no consent yet: nothing.
  auto news = sd_->store->purpose_features(subject_.id, "news");
  ASSERT_OK(news);
  EXPECT_FALSE(news->has_value());
  ASSERT_OK(record(ConsentAction::kGrant, 2000));
  ASSERT_OK(record(ConsentAction::kWithdraw, 3000));
  news = sd_->store->purpose_features(subject_.id, "news");
  ASSERT_OK(news);
  ASSERT_TRUE(news->has_value());
  EXPECT_EQ((*news)->events, 2);
  EXPECT_EQ((*news)->first_seen, 2500);
  EXPECT_EQ((*news)->purchases, 1);
  EXPECT_DOUBLE_EQ((*news)->monetary, 30.0);
  // A later event while consent is withdrawn is not added either.
  add_event(3700, "page_view");
  ASSERT_OK(keeper_->flush());
  news = sd_->store->purpose_features(subject_.id, "news");
  EXPECT_EQ((*news)->events, 2);
  // Consent under an old notice does not count for a purpose that asks for renewal.
  ASSERT_OK(record(ConsentAction::kGrant, 3600, "v1"));
  news = sd_->store->purpose_features(subject_.id, "news");
  EXPECT_EQ((*news)->events, 2);
}

TEST_F(LedgerTest, LimitsAreAuditedAndValidated) {
  LimitEntry e{
      .subject = subject_.id, .kind = LimitKind::kObjection, .purpose = "scoring", .ts = 50};
  ASSERT_OK(append_limit(*sd_->store, sd_->config, e, "tester", 100));
  auto last = sd_->store->last_audit();
  EXPECT_EQ((*last)->action, "subject.object");
  e.kind = LimitKind::kRestriction;
  EXPECT_THAT(append_limit(*sd_->store, sd_->config, e, "tester", 100),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("every purpose")));
  e.purpose = "nope";
  e.kind = LimitKind::kObjection;
  EXPECT_THAT(append_limit(*sd_->store, sd_->config, e, "tester", 100),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a declared purpose")));
}

}  // namespace
}  // namespace consentric::consent

namespace consentric::consent {
namespace {

TEST_F(LedgerTest, LapseIsOnlyForAGrantPastItsExpiryAndIsNeverADecision) {
  Decision d{.purpose = "news",
             .action = ConsentAction::kGrant,
             .ts = 2000,
             .source = "web_form",
             .notice_version = "v2",
             .expires_at = 5000};
  ASSERT_EQ(check_decision(sd_->config, d, 100000), std::nullopt);
  ASSERT_OK(append_decision(*sd_->store, sd_->config, *keeper_, subject_.id, d, "tester", 100000));
  auto history = sd_->store->consent_history(subject_.id);
  ASSERT_OK(history);
  const ConsentEntry grant = history->back();

  EXPECT_THAT(append_lapse(*sd_->store, sd_->config, grant, "tester", 4999),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("not a grant that has expired")));
  auto lapsed = append_lapse(*sd_->store, sd_->config, grant, "tester", 5000);
  ASSERT_OK(lapsed);
  auto last = sd_->store->last_audit();
  ASSERT_OK(last);
  EXPECT_EQ((*last)->action, "consent.lapse");
  history = sd_->store->consent_history(subject_.id);
  ASSERT_OK(history);
  EXPECT_EQ(history->back().action, ConsentAction::kLapse);
  EXPECT_EQ(history->back().entry_id, lapsed->entry_id);
  EXPECT_EQ(history->back().ts, 5000);

  d.action = ConsentAction::kLapse;
  const auto refused = check_decision(sd_->config, d, 100000);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->field, "action");
}

}  // namespace
}  // namespace consentric::consent
