#include "governance/retention.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/blind_index.h"
#include "crypto/keys.h"
#include "gate/gate.h"
#include "ingest/importer.h"
#include "runs/segment_runs.h"
#include "store/profile_doc.h"
#include "store/subject_set.h"
#include "testing/status_matchers.h"

namespace consentric::governance {
namespace {

using nlohmann::json;

constexpr std::string_view kConfig = R"(version: 1
controller: {name: Test Ltd, contact: dpo@test.example, country: DE}
k_anonymity: 2
identifiers:
  - {field: email, kind: email}
fields:
  - {name: email, type: string, category: contact, pii: true, retention: 100d}
  - {name: first_name, type: string, category: identity, pii: true}
  - {name: age, type: int, category: demographic, min: 16, max: 100, retention: 200d}
  - {name: country, type: category, category: location, values: [DE, FR]}
event_types:
  - name: page_view
    retention: 30d
    properties:
      - {name: page, type: string}
  - name: purchase
    value_property: amount
    properties:
      - {name: amount, type: float, min: 0}
purposes:
  - id: segmentation
    legal_basis: consent
    notice_version: "2026-01"
    fields: [age, country]
    event_types: [page_view, purchase]
    retention: 60d
  - id: lead_scoring
    legal_basis: legitimate_interest
    fields: [age]
    event_types: [page_view]
)";

constexpr UnixSeconds kDay = 86'400;
constexpr UnixSeconds kNow = 1'780'272'000;  // 2026-06-01T00:00:00Z

std::string at(UnixSeconds t) { return format_timestamp(t); }

// Three people, each just past or just inside one rule of every kind:
//   ann: profile written 1 s more than 100 days ago (email past, age inside); a page view 1 s
//        past 30 days and one exactly 30 days old; consent expired 1 s ago.
//   bob: profile written exactly 100 days ago (nothing past); consent expires in 1 s.
//   cy:  no expiry; her only purchase 1 s more than 60 days old (purpose features past).
class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_.path() / "store", kConfig, "test.yaml", kNow - 400 * kDay,
                             {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
    import(ingest::ImportKind::kProfiles, "p1.csv",
           "email,first_name,age,country\nann@example.com,Ann,34,DE\ncy@example.com,Cy,29,FR\n",
           kNow - 100 * kDay - 1);
    import(ingest::ImportKind::kProfiles, "p2.csv",
           "email,first_name,age,country\nbob@example.com,Bob,41,FR\n", kNow - 100 * kDay);
    import(ingest::ImportKind::kConsents, "c.ndjson",
           consent("ann@example.com", kNow - 90 * kDay, kNow - 1) +
               consent("bob@example.com", kNow - 90 * kDay, kNow + 1) +
               consent("cy@example.com", kNow - 90 * kDay, std::nullopt),
           kNow - 90 * kDay);
    import(ingest::ImportKind::kEvents, "e.ndjson",
           event("ann@example.com", "page_view", kNow - 30 * kDay - 1) +
               event("ann@example.com", "page_view", kNow - 30 * kDay) +
               event("ann@example.com", "purchase", kNow - 40 * kDay) +
               event("bob@example.com", "page_view", kNow - 10 * kDay) +
               event("bob@example.com", "purchase", kNow - 10 * kDay) +
               event("cy@example.com", "purchase", kNow - 60 * kDay - 1),
           kNow - 5 * kDay);
  }

  static std::string consent(const std::string& email, UnixSeconds ts,
                             std::optional<UnixSeconds> expires) {
    json j = {{"email", email},
              {"purpose", "segmentation"},
              {"action", "grant"},
              {"time", at(ts)},
              {"source", "web_form"},
              {"notice_version", "2026-01"},
              {"proof", {{"form_id", "signup"}}}};
    if (expires) j["expires_at"] = at(*expires);
    return j.dump() + "\n";
  }

  static std::string event(const std::string& email, const std::string& type, UnixSeconds ts) {
    json j = {{"email", email}, {"type", type}, {"time", at(ts)}};
    j["properties"] = type == "purchase" ? json{{"amount", 10}} : json{{"page", "/"}};
    return j.dump() + "\n";
  }

  void import(ingest::ImportKind kind, const std::string& name, const std::string& text,
              UnixSeconds when) {
    const auto path = dir_.path() / name;
    consentric::testing::write_file(path, text);
    ASSERT_OK(ingest::import_file(*sd_, {.kind = kind, .file = path, .now = when}));
  }

  SubjectId subject_of(const std::string& email) {
    const auto idx =
        sd_->indexer->index("email", *crypto::normalize_identifier(IdentifierKind::kEmail, email));
    auto found = sd_->store->find_subject(idx);
    EXPECT_TRUE(found.ok() && found->has_value()) << email;
    return found.ok() && found->has_value() ? **found : 0;
  }

  // A rule segment of segmentation whose only run was made at `when`.
  void segment(const std::string& name, UnixSeconds when) {
    ASSERT_OK(runs::create_segment(*sd_,
                                   {.name = name,
                                    .purpose = "segmentation",
                                    .kind = runs::SegmentKind::kRule,
                                    .rule = "age >= 16"},
                                   {.actor = "test", .now = when}));
  }

  // Scores of segmentation for every person, computed at `when` (through the store: training a
  // model needs labels this test has no use for).
  void scores(UnixSeconds when) {
    auto set = encode_subject_set(std::vector<SubjectId>{});
    ASSERT_OK(set);
    auto model = sd_->store->add_score_model({.purpose = "segmentation",
                                              .kind = "lr",
                                              .version = 1,
                                              .created_at = when - kDay,
                                              .created_by = "test",
                                              .review_due = when + 365 * kDay,
                                              .features = "{}",
                                              .model = "{}",
                                              .card = "{}",
                                              .training_subjects = *set});
    ASSERT_OK(model);
    std::vector<ScoreRow> rows;
    for (const char* e : {"ann@example.com", "bob@example.com", "cy@example.com"}) {
      rows.push_back({.subject = subject_of(e),
                      .model_id = *model,
                      .score = 0.5,
                      .explanation = "{}",
                      .scored_at = when});
    }
    ASSERT_OK(sd_->store->put_scores(*model, rows));
  }

  const RetentionRule& rule(const RetentionPlan& plan, RetentionKind kind, std::string_view name) {
    for (const RetentionRule& r : plan.rules) {
      if (r.kind == kind && r.name == name) return r;
    }
    ADD_FAILURE() << "no rule " << to_string(kind) << " " << name;
    static const RetentionRule kNone;
    return kNone;
  }

  std::int64_t events_of(const std::string& email) {
    std::int64_t n = 0;
    EXPECT_OK(sd_->store->scan_subject_events(subject_of(email), kNow * 2,
                                              [&](const EventRow&) { ++n; }));
    return n;
  }

  // The profile's field names, pii ones decrypted.
  std::vector<std::string> fields_of(const std::string& email) {
    const SubjectId s = subject_of(email);
    auto row = sd_->store->profile(s);
    EXPECT_TRUE(row.ok() && row->has_value());
    std::vector<std::string> out;
    auto plain = decode_fields((*row)->plain);
    EXPECT_OK(plain);
    for (const auto& [name, v] : *plain) out.push_back(name);
    if (!(*row)->sealed.empty()) {
      auto key = sd_->keyring->subject_key(s);
      auto opened = crypto::open(*key, (*row)->sealed, profile_aad(s));
      EXPECT_OK(opened);
      auto secret = decode_fields(*opened);
      EXPECT_OK(secret);
      for (const auto& [name, v] : *secret) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  json last_audit() {
    auto rec = sd_->store->last_audit();
    EXPECT_TRUE(rec.ok() && rec->has_value());
    return json{{"action", (*rec)->action}, {"detail", json::parse((*rec)->detail)}};
  }

  consentric::testing::TempDir dir_;
  std::optional<StoreDir> sd_;
};

TEST_F(RetentionTest, PlanCountsJustWhatIsPastEachRuleAndChangesNothing) {
  segment("old", kNow - 60 * kDay - 1);
  segment("fresh", kNow - 60 * kDay);
  scores(kNow - 60 * kDay - 1);
  auto before = sd_->store->counts();
  ASSERT_OK(before);

  auto plan = plan_retention(*sd_, sd_->config, kNow);
  ASSERT_OK(plan);
  EXPECT_EQ(rule(*plan, RetentionKind::kConsentLapse, "segmentation").items, 1);  // ann
  // ann was in both segments; her lapse drops those memberships, as a withdrawal would.
  EXPECT_EQ(rule(*plan, RetentionKind::kConsentLapse, "segmentation").memberships_dropped, 2);
  EXPECT_EQ(rule(*plan, RetentionKind::kEvents, "page_view").items, 1);
  EXPECT_EQ(rule(*plan, RetentionKind::kEvents, "page_view").subjects, 1);
  EXPECT_EQ(rule(*plan, RetentionKind::kField, "email").items, 2);  // ann, cy: not bob
  EXPECT_EQ(rule(*plan, RetentionKind::kField, "age").items, 0);
  EXPECT_EQ(rule(*plan, RetentionKind::kMemberships, "segmentation").items, 2);  // old: bob, cy
  EXPECT_EQ(rule(*plan, RetentionKind::kMemberships, "segmentation").subjects, 2);
  // ann's score went with her lapse (score.forget); bob's and cy's are past retention.
  EXPECT_EQ(rule(*plan, RetentionKind::kScores, "segmentation").items, 2);
  EXPECT_EQ(rule(*plan, RetentionKind::kPurposeFeatures, "segmentation").items, 1);  // cy
  EXPECT_EQ(plan->total(), 1 + 1 + 2 + 2 + 2 + 1);
  // No rule for what the declaration gives no retention.
  for (const RetentionRule& r : plan->rules) {
    EXPECT_NE(r.name, "purchase");
    EXPECT_NE(r.name, "lead_scoring");
    EXPECT_NE(r.name, "country");
  }

  auto after = sd_->store->counts();
  ASSERT_OK(after);
  EXPECT_EQ(after->events, before->events);
  EXPECT_EQ(after->consent_entries, before->consent_entries);
  EXPECT_EQ(after->audit_entries, before->audit_entries);
  EXPECT_EQ(fields_of("ann@example.com"),
            (std::vector<std::string>{"age", "country", "email", "first_name"}));
  auto old = runs::segment_state(*sd_, "old");
  ASSERT_OK(old);
  auto members = sd_->store->membership_counts(old->latest->run_id);
  ASSERT_OK(members);
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].second, 3);
}

TEST_F(RetentionTest, RunRemovesExactlyWhatExpiredAndFeaturesFollow) {
  segment("old", kNow - 60 * kDay - 1);
  segment("fresh", kNow - 60 * kDay);
  auto plan = plan_retention(*sd_, sd_->config, kNow);
  ASSERT_OK(plan);
  auto done = run_retention(*sd_, sd_->config, "dpo", kNow, kNow);
  ASSERT_OK(done);
  ASSERT_EQ(done->done.rules.size(), plan->rules.size());
  for (std::size_t i = 0; i < plan->rules.size(); ++i) {
    EXPECT_EQ(done->done.rules[i].items, plan->rules[i].items) << plan->rules[i].name;
  }

  // Events: ann's page view 1 s past 30 days went; the one exactly 30 days old stayed.
  EXPECT_EQ(events_of("ann@example.com"), 2);
  EXPECT_EQ(events_of("bob@example.com"), 2);
  EXPECT_EQ(events_of("cy@example.com"), 1);
  auto f = sd_->store->features(subject_of("ann@example.com"));
  ASSERT_OK(f);
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->events, 2);
  EXPECT_EQ((*f)->first_seen, kNow - 40 * kDay);
  EXPECT_EQ((*f)->purchases, 1);
  for (const auto& t : (*f)->per_type) EXPECT_EQ(t.count, 1);
  auto pf = sd_->store->purpose_features(subject_of("ann@example.com"), "segmentation");
  ASSERT_OK(pf);
  ASSERT_TRUE(pf->has_value());
  EXPECT_EQ((*pf)->events, 2);
  auto li = sd_->store->purpose_features(subject_of("ann@example.com"), "lead_scoring");
  ASSERT_OK(li);
  ASSERT_TRUE(li->has_value());
  EXPECT_EQ((*li)->events, 1);

  // Fields: the email (pii) of the profiles written more than 100 days ago is gone, with its
  // ciphertext; the rest stays, and so does when the profile was written.
  EXPECT_EQ(fields_of("ann@example.com"),
            (std::vector<std::string>{"age", "country", "first_name"}));
  EXPECT_EQ(fields_of("bob@example.com"),
            (std::vector<std::string>{"age", "country", "email", "first_name"}));
  auto ann = sd_->store->profile(subject_of("ann@example.com"));
  ASSERT_OK(ann);
  EXPECT_EQ((*ann)->updated_at, kNow - 100 * kDay - 1);

  // Purpose data: the old segment has no members left, the fresh one keeps bob and cy; cy's
  // segmentation features (her newest event past 60 days) are gone.
  for (const auto& [name, expected] : {std::pair{"old", 0}, {"fresh", 2}}) {
    auto st = runs::segment_state(*sd_, name);
    ASSERT_OK(st);
    auto counts = sd_->store->membership_counts(st->latest->run_id);
    ASSERT_OK(counts);
    std::int64_t n = 0;
    for (const auto& c : *counts) n += c.second;
    EXPECT_EQ(n, expected) << name;
  }
  auto cy = sd_->store->purpose_features(subject_of("cy@example.com"), "segmentation");
  ASSERT_OK(cy);
  EXPECT_FALSE(cy->has_value());
}

TEST_F(RetentionTest, LapseIsInTheLedgerAndTheGateNoLongerAdmits) {
  ASSERT_OK(run_retention(*sd_, sd_->config, "dpo", kNow, kNow));
  auto history = sd_->store->consent_history(subject_of("ann@example.com"));
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ(history->back().action, ConsentAction::kLapse);
  EXPECT_EQ(history->back().ts, kNow - 1);  // when it expired, not when the run saw it
  EXPECT_EQ(history->back().recorded_at, kNow);
  EXPECT_EQ(history->back().source, "retention");
  auto state = sd_->store->consent_state(subject_of("ann@example.com"), "segmentation");
  ASSERT_OK(state);
  EXPECT_FALSE((*state)->granted);
  // bob's consent runs one second longer: no lapse.
  auto bob = sd_->store->consent_history(subject_of("bob@example.com"));
  ASSERT_OK(bob);
  EXPECT_EQ(bob->size(), 1u);

  auto view =
      gate::build_view(*sd_, {.purpose = "segmentation", .as_of = kNow, .actor = "test"}, kNow);
  ASSERT_OK(view);
  EXPECT_EQ(view->rows(), 2u);  // bob and cy
  auto ann = sd_->store->subject(subject_of("ann@example.com"));
  ASSERT_OK(ann);
  for (const std::string& id : view->row_ids()) EXPECT_NE(id, (*ann)->pseudonym);
}

TEST_F(RetentionTest, OneAuditEntryHoldsTheCounts) {
  auto done = run_retention(*sd_, sd_->config, "dpo", kNow, kNow);
  ASSERT_OK(done);
  const json a = last_audit();
  EXPECT_EQ(a["action"], "retention.run");
  EXPECT_EQ(a["detail"]["total"], done->done.total());
  EXPECT_EQ(a["detail"]["as_of"], at(kNow));
  bool saw_events = false;
  for (const json& r : a["detail"]["rules"]) {
    if (r["rule"] == "events" && r["name"] == "page_view") {
      saw_events = true;
      EXPECT_EQ(r["items"], 1);
      EXPECT_EQ(r["retention_days"], 30);
    }
  }
  EXPECT_TRUE(saw_events) << a.dump();
  auto rec = sd_->store->last_audit();
  ASSERT_OK(rec);
  EXPECT_EQ((*rec)->seq, done->audit_seq);
  EXPECT_EQ((*rec)->actor, "dpo");
}

TEST_F(RetentionTest, SecondRunRemovesNothing) {
  segment("old", kNow - 60 * kDay - 1);
  scores(kNow - 60 * kDay - 1);
  auto first = run_retention(*sd_, sd_->config, "dpo", kNow, kNow);
  ASSERT_OK(first);
  EXPECT_GT(first->done.total(), 0);
  auto counts = sd_->store->counts();
  ASSERT_OK(counts);
  auto second = run_retention(*sd_, sd_->config, "dpo", kNow, kNow);
  ASSERT_OK(second);
  EXPECT_EQ(second->done.total(), 0);
  auto again = sd_->store->counts();
  ASSERT_OK(again);
  EXPECT_EQ(again->events, counts->events);
  EXPECT_EQ(again->consent_entries, counts->consent_entries);
  EXPECT_EQ(again->audit_entries, counts->audit_entries + 1);  // the second retention.run
}

TEST_F(RetentionTest, ScoresCountFromWhenTheyWereComputed) {
  scores(kNow - 60 * kDay);
  auto inside = plan_retention(*sd_, sd_->config, kNow);
  ASSERT_OK(inside);
  // ann's score goes with her lapse, not with the purpose's retention.
  EXPECT_EQ(rule(*inside, RetentionKind::kScores, "segmentation").items, 0);
  auto past = plan_retention(*sd_, sd_->config, kNow + 1);
  ASSERT_OK(past);
  // A second later bob's consent has lapsed too, and his score went with it: cy's is left.
  EXPECT_EQ(rule(*past, RetentionKind::kConsentLapse, "segmentation").items, 2);
  EXPECT_EQ(rule(*past, RetentionKind::kScores, "segmentation").items, 1);
}

TEST_F(RetentionTest, AsOfMovesEveryCutoff) {
  auto earlier = plan_retention(*sd_, sd_->config, kNow - 10 * kDay);
  ASSERT_OK(earlier);
  EXPECT_EQ(rule(*earlier, RetentionKind::kConsentLapse, "segmentation").items, 0);
  EXPECT_EQ(rule(*earlier, RetentionKind::kField, "email").items, 0);
  EXPECT_EQ(rule(*earlier, RetentionKind::kEvents, "page_view").items, 0);
  auto later = plan_retention(*sd_, sd_->config, kNow + 1);
  ASSERT_OK(later);
  EXPECT_EQ(rule(*later, RetentionKind::kConsentLapse, "segmentation").items, 2);  // ann, bob
  EXPECT_EQ(rule(*later, RetentionKind::kField, "email").items, 3);
  EXPECT_EQ(rule(*later, RetentionKind::kEvents, "page_view").items, 2);  // both of ann's
}

TEST_F(RetentionTest, RunActsAsOfThePastButWritesAtNowAndRefusesTheFuture) {
  EXPECT_THAT(run_retention(*sd_, sd_->config, "dpo", kNow + 1, kNow),
              consentric::testing::StatusIs(StatusCode::kInvalidArgument,
                                            ::testing::HasSubstr("has not come yet")));
  auto before = sd_->store->counts();
  ASSERT_OK(before);
  EXPECT_EQ(before->events, 6);  // the refusal changed nothing

  auto done = run_retention(*sd_, sd_->config, "dpo", kNow, kNow + 7 * kDay);
  ASSERT_OK(done);
  EXPECT_EQ(done->done.as_of, kNow);
  EXPECT_EQ(rule(done->done, RetentionKind::kEvents, "page_view").items, 1);  // cutoffs at as_of
  auto history = sd_->store->consent_history(subject_of("ann@example.com"));
  ASSERT_OK(history);
  EXPECT_EQ(history->back().action, ConsentAction::kLapse);
  EXPECT_EQ(history->back().ts, kNow - 1);
  EXPECT_EQ(history->back().recorded_at, kNow + 7 * kDay);
  auto rec = sd_->store->last_audit();
  ASSERT_OK(rec);
  EXPECT_EQ((*rec)->ts, kNow + 7 * kDay);
  // bob's consent expired between as_of and now: this run, acting as of as_of, leaves it.
  auto bob = sd_->store->consent_history(subject_of("bob@example.com"));
  ASSERT_OK(bob);
  EXPECT_EQ(bob->size(), 1u);
}

TEST_F(RetentionTest, AnonymousRemnantsLoseExpiredEventsAndGetNoPurposeFeatures) {
  // ann erased by anonymization: her events live on under a remnant that no purpose may read.
  const SubjectId ann = subject_of("ann@example.com");
  ASSERT_OK(sd_->store->begin());
  ASSERT_OK(sd_->store->anonymize_subject(ann, {}));
  ASSERT_OK(sd_->store->erase_subject(ann));
  ASSERT_OK(sd_->store->commit());
  SubjectId remnant = 0;
  ASSERT_OK(sd_->store->scan_subjects([&](const SubjectRow& s) {
    if (s.anonymous) remnant = s.id;
  }));
  ASSERT_NE(remnant, 0);

  auto done = run_retention(*sd_, sd_->config, "dpo", kNow, kNow);
  ASSERT_OK(done);
  EXPECT_EQ(rule(done->done, RetentionKind::kEvents, "page_view").items, 1);
  std::int64_t left = 0;
  ASSERT_OK(sd_->store->scan_subject_events(remnant, kNow, [&](const EventRow&) { ++left; }));
  EXPECT_EQ(left, 2);
  auto f = sd_->store->features(remnant);
  ASSERT_OK(f);
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->events, 2);
  for (const char* purpose : {"segmentation", "lead_scoring"}) {
    auto pf = sd_->store->purpose_features(remnant, purpose);
    ASSERT_OK(pf);
    EXPECT_FALSE(pf->has_value()) << purpose;
  }
}

}  // namespace
}  // namespace consentric::governance
