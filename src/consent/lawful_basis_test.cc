#include "consent/lawful_basis.h"

#include <random>

#include <gtest/gtest.h>

namespace consentric::consent {
namespace {

PurposeSpec consent_purpose() {
  PurposeSpec p;
  p.id = "news";
  p.legal_basis = LegalBasis::kConsent;
  p.notice_version = "v2";
  return p;
}

ConsentEntry entry(std::int64_t id, UnixSeconds ts, ConsentAction a, std::string notice = "v2",
                   std::optional<UnixSeconds> expires = std::nullopt) {
  ConsentEntry e;
  e.entry_id = id;
  e.purpose = "news";
  e.ts = ts;
  e.action = a;
  e.notice_version = std::move(notice);
  e.expires_at = expires;
  return e;
}

TEST(LawfulBasis, NoRecordMeansNoConsent) {
  const PurposeSpec p = consent_purpose();
  EXPECT_FALSE(is_lawful(p, nullptr, {}, 100));
}

TEST(LawfulBasis, LatestDecisionAtTheTimeCounts) {
  const PurposeSpec p = consent_purpose();
  const std::vector<ConsentEntry> h = {entry(1, 100, ConsentAction::kGrant),
                                       entry(2, 200, ConsentAction::kWithdraw)};
  EXPECT_FALSE(is_lawful(p, latest_at(h, 99), {}, 99));
  EXPECT_TRUE(is_lawful(p, latest_at(h, 100), {}, 100));
  EXPECT_TRUE(is_lawful(p, latest_at(h, 199), {}, 199));
  EXPECT_FALSE(is_lawful(p, latest_at(h, 200), {}, 200));
}

TEST(LawfulBasis, SameTimeTheLaterRecordedWins) {
  const PurposeSpec p = consent_purpose();
  const std::vector<ConsentEntry> h = {entry(5, 100, ConsentAction::kWithdraw),
                                       entry(3, 100, ConsentAction::kGrant)};
  EXPECT_EQ(latest_at(h, 100)->entry_id, 5);
  EXPECT_FALSE(is_lawful(p, latest_at(h, 100), {}, 100));
}

TEST(LawfulBasis, ExpiryAndNoticeRenewal) {
  PurposeSpec p = consent_purpose();
  const ConsentEntry expiring = entry(1, 100, ConsentAction::kGrant, "v2", 150);
  EXPECT_TRUE(consent_valid(p, &expiring, 149));
  EXPECT_FALSE(consent_valid(p, &expiring, 150));
  const ConsentEntry old_notice = entry(1, 100, ConsentAction::kGrant, "v1");
  EXPECT_TRUE(consent_valid(p, &old_notice, 120));  // renewal not asked for
  p.renew_consent = true;
  EXPECT_FALSE(consent_valid(p, &old_notice, 120));
}

TEST(LawfulBasis, RestrictionStopsEveryPurposeObjectionOnlySome) {
  PurposeSpec li;
  li.id = "scoring";
  li.legal_basis = LegalBasis::kLegitimateInterest;
  PurposeSpec contract;
  contract.id = "orders";
  contract.legal_basis = LegalBasis::kContract;
  EXPECT_TRUE(is_lawful(li, nullptr, {}, 1));
  EXPECT_FALSE(is_lawful(li, nullptr, {.objected = true}, 1));
  EXPECT_TRUE(is_lawful(contract, nullptr, {.objected = true}, 1));
  EXPECT_FALSE(is_lawful(contract, nullptr, {.restricted = true}, 1));
  contract.direct_marketing = true;
  EXPECT_FALSE(is_lawful(contract, nullptr, {.objected = true}, 1));
  const ConsentEntry gpc = entry(1, 1, ConsentAction::kWithdraw);
  EXPECT_FALSE(is_lawful(li, &gpc, {}, 2));
}

TEST(LawfulBasis, LimitsFollowTheirOwnTimelines) {
  auto limit = [](std::int64_t id, LimitKind k, std::string purpose, bool lifted, UnixSeconds ts) {
    LimitEntry e;
    e.entry_id = id;
    e.kind = k;
    e.purpose = std::move(purpose);
    e.lifted = lifted;
    e.ts = ts;
    return e;
  };
  const std::vector<LimitEntry> h = {
      limit(1, LimitKind::kRestriction, "", false, 10),
      limit(2, LimitKind::kRestriction, "", true, 20),
      limit(3, LimitKind::kObjection, "scoring", false, 30),
      limit(4, LimitKind::kObjection, "", false, 40),
      limit(5, LimitKind::kObjection, "scoring", true, 50),
  };
  EXPECT_TRUE(limits_at(h, "scoring", 15).restricted);
  EXPECT_FALSE(limits_at(h, "scoring", 25).restricted);
  EXPECT_TRUE(limits_at(h, "scoring", 35).objected);
  EXPECT_FALSE(limits_at(h, "other", 35).objected);
  EXPECT_TRUE(limits_at(h, "other", 45).objected);
  EXPECT_TRUE(limits_at(h, "scoring", 55).objected);  // the objection to all still holds
}

// Property: an instant is inside an interval exactly when consent_valid holds for the latest
// decision at that instant, over random histories.
TEST(LawfulBasis, IntervalsAgreeWithPointwiseValidity) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 500; ++round) {
    PurposeSpec p = consent_purpose();
    p.renew_consent = rng() % 2 == 0;
    std::vector<ConsentEntry> h;
    const int n = static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      const UnixSeconds ts = static_cast<UnixSeconds>(rng() % 100);
      const auto action = rng() % 3 == 0 ? ConsentAction::kWithdraw : ConsentAction::kGrant;
      std::optional<UnixSeconds> expires;
      if (rng() % 3 == 0) expires = ts + 1 + static_cast<UnixSeconds>(rng() % 30);
      h.push_back(entry(i + 1, ts, action, rng() % 3 == 0 ? "v1" : "v2", expires));
    }
    const std::vector<Interval> iv = consent_intervals(p, h);
    for (UnixSeconds t = 0; t < 140; t += 7) {
      for (const Limits lim : {Limits{}, Limits{.restricted = true}, Limits{.objected = true}}) {
        const ConsentEntry* latest = latest_at(h, t);
        ASSERT_EQ(is_lawful(p, latest, lim, t), gate_reason(p, latest, lim, t).empty());
      }
    }
    for (UnixSeconds t = 0; t < 140; ++t) {
      const bool inside =
          std::any_of(iv.begin(), iv.end(), [t](const Interval& i) { return i.contains(t); });
      ASSERT_EQ(inside, consent_valid(p, latest_at(h, t), t)) << "round " << round << " t " << t;
    }
  }
}

TEST(LawfulBasis, EventsCountOnlyInsideConsentUnlessTheOptionIsOff) {
  PurposeSpec p = consent_purpose();
  const std::vector<Interval> iv = {{10, 20}};
  EXPECT_FALSE(counts_event(p, iv, 5));
  EXPECT_TRUE(counts_event(p, iv, 10));
  EXPECT_FALSE(counts_event(p, iv, 20));
  p.consent_at_event_time = false;
  EXPECT_TRUE(counts_event(p, iv, 5));
}

}  // namespace
}  // namespace consentric::consent
