#include "gate/gate.h"

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <set>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "consent/ledger.h"
#include "consent/signals.h"
#include "consent/subjects.h"
#include "testing/status_matchers.h"

namespace consentric::gate {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

constexpr std::string_view kConfig = R"(version: 1
controller: {name: Test GmbH, contact: dpo@test.example}
identifiers: [{field: email, kind: email}]
tcf: {vendor_id: 99}
fields:
  - {name: email, type: string, category: contact, pii: true}
  - {name: country, type: category, category: location, values: [DE, FR]}
  - {name: age, type: int, category: demographic}
  - {name: religion, type: string, category: special_category}
event_types:
  - {name: page_view}
  - name: purchase
    value_property: amount
    properties: [{name: amount, type: float, category: financial}]
purposes:
  - {id: news, legal_basis: consent, fields: [country, email], event_types: [page_view, purchase],
     notice_version: "v2", renew_consent: true, tcf_purposes: [1]}
  - {id: ads, legal_basis: consent, fields: [country], notice_version: "v1", sale_or_share: true,
     tcf_purposes: [3, 4]}
  - {id: scoring, legal_basis: legitimate_interest, fields: [country, age],
     event_types: [page_view], tcf_purposes: [7]}
  - {id: mailing, legal_basis: legitimate_interest, fields: [country], direct_marketing: true}
  - {id: orders, legal_basis: contract, fields: [country]}
)";

constexpr UnixSeconds kT0 = 1'700'000'000;
constexpr UnixSeconds kDay = 86'400;
constexpr UnixSeconds kNow = kT0 + 1100 * kDay;

// --- the reference: a deliberately simple re-statement of the rules -------------------------

struct Op {
  enum Kind { kConsent, kObjection, kRestriction } kind;
  std::int64_t seq;  // insertion order: breaks ties between equal times
  UnixSeconds ts;
  std::string purpose;  // objection: "" means every purpose
  bool positive;        // consent: granted; limits: in force (false: lifted)
  std::string notice;
  std::optional<UnixSeconds> expires;
};

struct RefPurpose {
  std::string id;
  std::string basis;
  bool renew = false;
  std::string notice;
  bool direct_marketing = false;
};

const std::vector<RefPurpose> kRefPurposes = {
    {"news", "consent", true, "v2", false},   {"ads", "consent", false, "v1", false},
    {"scoring", "li", false, "", false},      {"mailing", "li", false, "", true},
    {"orders", "contract", false, "", false},
};

// The op of `kind` (and purpose, when given) in force at t: the one with the greatest
// (time, seq) among those at or before t.
const Op* last_op(const std::vector<Op>& ops, Op::Kind kind, const std::string* purpose,
                  UnixSeconds t) {
  const Op* best = nullptr;
  for (const Op& o : ops) {
    if (o.kind != kind || o.ts > t) continue;
    if (purpose != nullptr && o.purpose != *purpose) continue;
    if (best == nullptr || o.ts > best->ts || (o.ts == best->ts && o.seq > best->seq)) best = &o;
  }
  return best;
}

bool reference_lawful(const std::vector<Op>& ops, const RefPurpose& p, UnixSeconds t) {
  const Op* r = last_op(ops, Op::kRestriction, nullptr, t);
  if (r != nullptr && r->positive) return false;
  const std::string all;
  const Op* oa = last_op(ops, Op::kObjection, &all, t);
  const Op* op = last_op(ops, Op::kObjection, &p.id, t);
  const bool objected = (oa != nullptr && oa->positive) || (op != nullptr && op->positive);
  if (objected && (p.basis == "li" || p.direct_marketing)) return false;
  const Op* c = last_op(ops, Op::kConsent, &p.id, t);
  if (p.basis == "consent") {
    if (c == nullptr || !c->positive) return false;
    if (c->expires && t >= *c->expires) return false;
    if (p.renew && c->notice != p.notice) return false;
    return true;
  }
  if (p.basis == "li") return c == nullptr || c->positive;
  return true;
}

// --- building random histories through the real entry points -------------------------------

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_.path() / "s", kConfig, "c.yaml", kT0 - kDay, {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
    keeper_.emplace(*sd_->store, sd_->config);
  }

  consent::SubjectRef subject(const std::string& email) {
    auto id = consent::parse_identifier_arg(sd_->config, email);
    EXPECT_OK(id);
    auto s = consent::find_or_create_subject(*sd_, *id, kT0);
    EXPECT_OK(s);
    return *s;
  }

  void begin() {
    ASSERT_OK(sd_->store->begin());
    ASSERT_OK(sd_->keyring->begin());
  }
  void commit() {
    ASSERT_OK(keeper_->flush());
    ASSERT_OK(sd_->keyring->commit());
    ASSERT_OK(sd_->store->commit());
  }

  std::string tc_string(bool vendor_consent, bool vendor_li, std::bitset<24> consents,
                        std::bitset<24> li, UnixSeconds t) {
    tcf::TcString tc;
    tc.created = tc.last_updated = t;
    tc.cmp_id = 7;
    tc.cmp_version = 1;
    tc.consent_language = "EN";
    tc.publisher_cc = "DE";
    tc.vendor_list_version = 80;
    tc.policy_version = 5;
    tc.is_service_specific = true;
    tc.purposes_consent = consents;
    // Legitimate interest may not be signalled for purposes 1 and 3-6 (TCF 2.2).
    for (int p : {1, 3, 4, 5, 6}) li.reset(static_cast<std::size_t>(p - 1));
    tc.purposes_li_transparency = li;
    if (vendor_consent) tc.vendor_consents = {5, 99};
    if (vendor_li) tc.vendor_li = {99};
    tc.disclosed_vendors = std::set<int>{5, 99};
    return tcf::encode(tc);
  }

  TempDir dir_;
  std::optional<StoreDir> sd_;
  std::optional<consent::PurposeFeatureKeeper> keeper_;
};

TEST_F(GateTest, RandomHistoriesMatchAnIndependentReference) {
  constexpr int kSubjects = 10'000;
  std::mt19937_64 rng(20261125);
  std::vector<std::vector<Op>> ops(kSubjects);
  std::vector<std::string> pseudonyms(kSubjects);
  std::int64_t seq = 0;
  const std::string consent_purposes[] = {"news", "ads"};
  begin();
  for (int s = 0; s < kSubjects; ++s) {
    const consent::SubjectRef who = subject(fmt::format("person{}@example.com", s));
    pseudonyms[s] = who.pseudonym;
    const int n = static_cast<int>(rng() % 9);
    // Distinct times, applied in random order: late-arriving older decisions included.
    std::set<UnixSeconds> times;
    while (static_cast<int>(times.size()) < n)
      times.insert(kT0 + static_cast<UnixSeconds>(rng() % (1000 * kDay)));
    std::vector<UnixSeconds> order(times.begin(), times.end());
    std::shuffle(order.begin(), order.end(), rng);
    for (UnixSeconds t : order) {
      const int what = static_cast<int>(rng() % 10);
      auto append = [&](std::string purpose, bool grant, std::string notice, std::string source,
                        std::optional<UnixSeconds> expires) {
        consent::Decision d;
        d.purpose = purpose;
        d.action = grant ? ConsentAction::kGrant : ConsentAction::kWithdraw;
        d.ts = t;
        d.notice_version = notice;
        d.source = source;
        d.expires_at = expires;
        ASSERT_FALSE(consent::check_decision(sd_->config, d, kNow));
        auto a =
            consent::append_decision(*sd_->store, sd_->config, *keeper_, who.id, d, "test", kNow);
        ASSERT_OK(a);
        ASSERT_GT(a->entry_id, 0);
        ops[s].push_back({Op::kConsent, seq++, t, purpose, grant, notice, expires});
      };
      if (what <= 3) {  // a grant or withdrawal, sometimes under an old notice, sometimes expiring
        const std::string& p = consent_purposes[rng() % 2];
        const bool grant = rng() % 3 != 0;
        std::optional<UnixSeconds> expires;
        if (grant && rng() % 4 == 0)
          expires = t + static_cast<UnixSeconds>(rng() % (300 * kDay)) + 1;
        append(p, grant, rng() % 3 == 0 ? "v1" : "v2", "web_form", expires);
      } else if (what == 4) {  // objection or its lifting, to one purpose or to all
        const bool all = rng() % 2 == 0;
        const std::string purpose = all ? "" : kRefPurposes[rng() % kRefPurposes.size()].id;
        const bool in_force = rng() % 3 != 0;
        LimitEntry e{.subject = who.id,
                     .kind = LimitKind::kObjection,
                     .purpose = purpose,
                     .lifted = !in_force,
                     .ts = t,
                     .source = "test"};
        ASSERT_OK(consent::append_limit(*sd_->store, sd_->config, e, "test", kNow));
        ops[s].push_back({Op::kObjection, seq++, t, purpose, in_force, "", std::nullopt});
      } else if (what == 5) {  // restriction or its lifting
        const bool in_force = rng() % 2 == 0;
        LimitEntry e{.subject = who.id,
                     .kind = LimitKind::kRestriction,
                     .lifted = !in_force,
                     .ts = t,
                     .source = "test"};
        ASSERT_OK(consent::append_limit(*sd_->store, sd_->config, e, "test", kNow));
        ops[s].push_back({Op::kRestriction, seq++, t, "", in_force, "", std::nullopt});
      } else if (what <= 7) {  // a TC string
        const bool vc = rng() % 4 != 0;
        const bool vl = rng() % 4 != 0;
        std::bitset<24> consents(rng() & 0xffffff), li(rng() & 0xffffff);
        const std::string tc = tc_string(vc, vl, consents, li, t);
        auto r = consent::record_tc_string(*sd_->store, sd_->config, *keeper_, who.id, tc, t,
                                           "test", kNow);
        ASSERT_OK(r);
        // The reference reads the mapping off the config by hand: news <- 1, ads <- 3 and 4,
        // scoring <- 7 (legitimate interest).
        const bool news = vc && consents.test(0);
        const bool ads = vc && consents.test(2) && consents.test(3);
        ops[s].push_back({Op::kConsent, seq++, t, "news", news, "v2", std::nullopt});
        ops[s].push_back({Op::kConsent, seq++, t, "ads", ads, "v1", std::nullopt});
        if (!(vl && li.test(6)))
          ops[s].push_back({Op::kConsent, seq++, t, "scoring", false, "", std::nullopt});
      } else {  // a Global Privacy Control signal: ads is the one sale_or_share purpose
        ASSERT_OK(consent::record_gpc(*sd_->store, sd_->config, *keeper_, who.id, t,
                                      R"({"user_agent":"Firefox/120"})", "test", kNow));
        ops[s].push_back({Op::kConsent, seq++, t, "ads", false, "v1", std::nullopt});
      }
    }
  }
  commit();

  const UnixSeconds as_ofs[] = {kT0 - 1,          kT0 + 100 * kDay, kT0 + 400 * kDay + 12345,
                                kT0 + 700 * kDay, kT0 + 999 * kDay, kNow};
  for (const RefPurpose& p : kRefPurposes) {
    for (UnixSeconds as_of : as_ofs) {
      auto view = build_view(
          *sd_, {.purpose = p.id, .as_of = as_of, .actor = "test", .columns = {"country"}}, kNow);
      ASSERT_OK(view);
      std::set<std::string> got(view->row_ids().begin(), view->row_ids().end());
      std::set<std::string> want;
      for (int s = 0; s < kSubjects; ++s) {
        if (reference_lawful(ops[s], p, as_of)) want.insert(pseudonyms[s]);
      }
      ASSERT_EQ(got.size(), view->rows()) << "duplicate rows";
      EXPECT_EQ(got, want) << p.id << " at " << as_of;
    }
  }
}

TEST_F(GateTest, FeaturesCountOnlyEventsInsideConsentAtEventTime) {
  std::mt19937_64 rng(11);
  constexpr int kSubjects = 300;
  std::vector<std::vector<Op>> ops(kSubjects);
  std::vector<std::vector<UnixSeconds>> events(kSubjects);
  std::vector<std::string> pseudonyms(kSubjects);
  begin();
  auto type_id = sd_->store->event_type_id("page_view");
  ASSERT_OK(type_id);
  std::int64_t seq = 0;
  for (int s = 0; s < kSubjects; ++s) {
    const consent::SubjectRef who = subject(fmt::format("p{}@example.com", s));
    pseudonyms[s] = who.pseudonym;
    // Events first for some subjects, consent first for others: both orders must agree.
    auto add_events = [&] {
      for (int e = 0; e < 20; ++e) {
        const UnixSeconds t = kT0 + static_cast<UnixSeconds>(rng() % (1000 * kDay));
        auto inserted = sd_->store->insert_event({.subject = who.id,
                                                  .ts = t,
                                                  .dedup = e,
                                                  .type_id = *type_id,
                                                  .props = "{}",
                                                  .sealed = {}});
        ASSERT_OK(inserted);
        if (!*inserted) continue;
        events[s].push_back(t);
        ASSERT_OK(keeper_->add_event(who.id, t, *sd_->config.event_type("page_view"), *type_id, 0));
      }
    };
    auto add_consents = [&] {
      for (int c = 0; c < 4; ++c) {
        consent::Decision d;
        d.purpose = "news";
        d.action = c % 2 == 0 ? ConsentAction::kGrant : ConsentAction::kWithdraw;
        d.ts = kT0 + static_cast<UnixSeconds>(rng() % (1000 * kDay));
        d.notice_version = rng() % 4 == 0 ? "v1" : "v2";
        d.source = "web_form";
        auto a = consent::append_decision(*sd_->store, sd_->config, *keeper_, who.id, d, "t", kNow);
        ASSERT_OK(a);
        ops[s].push_back(
            {Op::kConsent, seq++, d.ts, "news", c % 2 == 0, d.notice_version, std::nullopt});
      }
    };
    if (s % 2 == 0) {
      add_events();
      ASSERT_OK(keeper_->flush());
      add_consents();
    } else {
      add_consents();
      add_events();
    }
  }
  commit();
  const RefPurpose& news = kRefPurposes[0];
  for (UnixSeconds as_of : {kT0 + 500 * kDay, kNow}) {
    auto view = build_view(*sd_,
                           {.purpose = "news",
                            .as_of = as_of,
                            .actor = "test",
                            .columns = {"count.page_view", "event_count", "count_30d.page_view",
                                        "count_90d.page_view", "velocity_30d"}},
                           kNow);
    ASSERT_OK(view);
    // Per subject: all-time, last 30 days, last 90 days, velocity; and the events the gate's
    // event read hands out.
    std::map<std::string, std::array<double, 5>> got;
    for (std::size_t r = 0; r < view->rows(); ++r) {
      got[view->row_ids()[r]] = {view->column("count.page_view")->numbers[r],
                                 view->column("count_30d.page_view")->numbers[r],
                                 view->column("count_90d.page_view")->numbers[r],
                                 view->column("velocity_30d")->numbers[r], -1};
    }
    ASSERT_OK(scan_purpose_events(*sd_, *view, {{"page_view", {}}}, "test", kNow,
                                  [&](std::size_t row, std::span<const PurposeEvent> mine) {
                                    for (const PurposeEvent& e : mine) {
                                      if (e.ts > view->as_of()) return internal_error("future");
                                    }
                                    got[view->row_ids()[row]][4] = static_cast<double>(mine.size());
                                    return Status();
                                  }));
    for (int s = 0; s < kSubjects; ++s) {
      if (!reference_lawful(ops[s], news, as_of)) {
        EXPECT_FALSE(got.contains(pseudonyms[s]));
        continue;
      }
      std::array<double, 5> want{};
      for (UnixSeconds t : events[s]) {
        if (t > as_of || !reference_lawful(ops[s], news, t)) continue;
        ++want[0];
        ++want[4];
        if (t > as_of - 30 * kDay) ++want[1];
        if (t > as_of - 90 * kDay) ++want[2];
        if (t > as_of - 30 * kDay)
          ++want[3];
        else if (t > as_of - 60 * kDay)
          --want[3];
      }
      EXPECT_EQ(got[pseudonyms[s]], want) << "subject " << s << " as of " << as_of;
    }
  }
}

TEST_F(GateTest, TheEventReadGivesOnlyDeclaredReadableProperties) {
  auto view = build_view(
      *sd_, {.purpose = "news", .as_of = kNow, .actor = "t", .columns = {"country"}}, kNow);
  ASSERT_OK(view);
  const auto none = [](std::size_t, std::span<const PurposeEvent>) { return Status(); };
  EXPECT_THAT(scan_purpose_events(*sd_, *view, {{"ads_click", {}}}, "t", kNow, none),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("purpose \"news\" does not declare event type \"ads_click\"")));
  EXPECT_THAT(scan_purpose_events(*sd_, *view, {{"purchase", {"coupon"}}}, "t", kNow, none),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("has no property \"coupon\"")));
  ASSERT_OK(scan_purpose_events(*sd_, *view, {{"purchase", {"amount"}}}, "analyst-2", kNow, none));
  auto last = sd_->store->last_audit();
  ASSERT_OK(last);
  EXPECT_EQ((*last)->action, "gate.events");
  EXPECT_EQ((*last)->actor, "analyst-2");
  EXPECT_THAT((*last)->detail, HasSubstr(R"("read":{"purchase":["amount"]})"));
}

TEST_F(GateTest, OnlyDeclaredColumnsPassAndSpecialCategoriesNever) {
  EXPECT_THAT(
      build_view(*sd_, {.purpose = "ads", .as_of = kNow, .actor = "t", .columns = {"age"}}, kNow),
      StatusIs(StatusCode::kInvalidArgument,
               HasSubstr("purpose \"ads\" does not declare field \"age\"")));
  EXPECT_THAT(
      build_view(*sd_, {.purpose = "news", .as_of = kNow, .actor = "t", .columns = {"religion"}},
                 kNow),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("special category")));
  EXPECT_THAT(build_view(*sd_, {.purpose = "nope", .as_of = kNow, .actor = "t"}, kNow),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a declared purpose")));
  // By default pii fields stay out even where declared; asked for by name they pass.
  auto view = build_view(*sd_, {.purpose = "news", .as_of = kNow, .actor = "t"}, kNow);
  ASSERT_OK(view);
  EXPECT_EQ(view->column("email"), nullptr);
  EXPECT_NE(view->column("country"), nullptr);
  EXPECT_NE(view->column("count.purchase"), nullptr);
}

TEST_F(GateTest, EveryViewIsAudited) {
  begin();
  const consent::SubjectRef who = subject("ada@example.com");
  consent::Decision d{.purpose = "news",
                      .action = ConsentAction::kGrant,
                      .ts = kT0,
                      .source = "web_form",
                      .notice_version = "v2"};
  ASSERT_OK(consent::append_decision(*sd_->store, sd_->config, *keeper_, who.id, d, "t", kNow));
  commit();
  auto view = build_view(
      *sd_,
      {.purpose = "news", .as_of = kNow, .actor = "analyst-1", .columns = {"email", "country"}},
      kNow);
  ASSERT_OK(view);
  ASSERT_EQ(view->rows(), 1u);
  EXPECT_EQ(view->row_ids()[0], who.pseudonym);
  // The declared pii field is unsealed for the purpose that declares it.
  const Column* email = view->column("email");
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->codes[0], -1);  // no profile was imported: missing, not invented
  auto last = sd_->store->last_audit();
  ASSERT_OK(last);
  EXPECT_EQ((*last)->action, "gate.view");
  EXPECT_EQ((*last)->actor, "analyst-1");
  EXPECT_EQ((*last)->purpose, "news");
  EXPECT_THAT((*last)->detail, HasSubstr(R"("subjects":1)"));
  EXPECT_THAT((*last)->detail, HasSubstr(R"("columns":["email","country"])"));
}

}  // namespace
}  // namespace consentric::gate
