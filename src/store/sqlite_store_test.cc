#include "store/sqlite_store.h"

#include "sqlite/db.h"
#include "store/migrations.h"
#include "store/subject_set.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = open_sqlite_store(dir_ / "c.db", {.create = true});
    ASSERT_OK(s);
    store_ = std::move(s).value();
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, MigratesOnceAndReopens) {
  EXPECT_EQ(*store_->schema_version(), 7);
  store_.reset();
  auto again = open_sqlite_store(dir_ / "c.db", {});
  ASSERT_OK(again);
  EXPECT_EQ(*(*again)->schema_version(), 7);
}

// Migration numbers are handed out to branches ahead of time, so one may land after a higher
// one: every migration a store has not recorded is applied, not only those above its highest.
TEST_F(SqliteStoreTest, AMigrationMissingBelowTheHighestIsAppliedAtOpen) {
  store_.reset();
  {
    auto db = sqlite::Db::open(dir_ / "c.db", {});
    ASSERT_OK(db);
    // As if migration 4 had come later than 7: its table and record are not there.
    ASSERT_OK(
        (*db)->exec("DROP TABLE score_reviews; DELETE FROM schema_migrations WHERE "
                    "version = 4"));
  }
  auto again = open_sqlite_store(dir_ / "c.db", {});
  ASSERT_OK(again);
  EXPECT_EQ(*(*again)->schema_version(), 7);
  auto reviews = (*again)->score_reviews("", "");
  ASSERT_OK(reviews);
  EXPECT_TRUE(reviews->empty());
}

// Migration 7 rebuilds the consent ledger and its state table: a store made at schema 4, with
// ledger rows, opens with every row and id kept, the state still pointing at them, the
// append-only trigger back in place, and 'lapse' admitted.
TEST(SqliteStoreUpgrade, Schema4LedgerSurvivesMigration7) {
  TempDir dir;
  const auto path = dir.path() / "old.db";
  {
    auto db = sqlite::Db::open(path, {.create = true});
    ASSERT_OK(db);
    ASSERT_OK(
        (*db)->exec("CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, "
                    "description TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
    for (const Migration& m : sqlite_migrations()) {
      if (m.version > 4) break;
      ASSERT_OK((*db)->exec(m.sql));
      ASSERT_OK((*db)->exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) +
                            ", 'old', 0)"));
    }
    ASSERT_OK((*db)->exec(
        "INSERT INTO subjects(pseudonym, created_at, updated_at) VALUES ('s_a', 1, 1);"
        "INSERT INTO consent_ledger(entry_id, subject_id, purpose, action, ts, recorded_at, "
        "source, method, notice_version, notice_hash, proof, expires_at) VALUES "
        "(41, 1, 'seg', 'grant', 100, 100, 'web_form', 'checkbox', 'v1', '', '{}', 500);"
        "INSERT INTO consent_state VALUES (1, 'seg', 1, 100, 'v1', 500, 41);"));
  }
  auto store = open_sqlite_store(path, {});
  ASSERT_OK(store);
  Store& s = **store;
  EXPECT_EQ(*s.schema_version(), 7);
  auto history = s.consent_history(1);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].entry_id, 41);
  EXPECT_EQ((*history)[0].expires_at, 500);
  auto state = s.consent_state(1, "seg");
  ASSERT_OK(state);
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*state)->entry_id, 41);
  ASSERT_OK(s.begin());
  auto lapse = s.append_consent({.subject = 1,
                                 .purpose = "seg",
                                 .action = ConsentAction::kLapse,
                                 .ts = 500,
                                 .recorded_at = 600,
                                 .source = "retention",
                                 .method = "expiry",
                                 .notice_version = "v1",
                                 .proof = "{}"});
  ASSERT_OK(lapse);
  ASSERT_OK(s.commit());
  state = s.consent_state(1, "seg");
  ASSERT_OK(state);
  EXPECT_FALSE((*state)->granted);
  EXPECT_EQ((*state)->entry_id, *lapse);
  // Still append-only, and erasure still reaches the ledger through the subject.
  auto raw = sqlite::Db::open(path, {});
  ASSERT_OK(raw);
  EXPECT_THAT((*raw)->exec("UPDATE consent_ledger SET ts = 1"),
              StatusIs(StatusCode::kInternal, HasSubstr("append-only")));
  auto erased = s.erase_subject(1);
  ASSERT_OK(erased);
  history = s.consent_history(1);
  ASSERT_OK(history);
  EXPECT_TRUE(history->empty());
}

TEST_F(SqliteStoreTest, PrivacyBudgetLedgerSumsPerPurpose) {
  auto none = store_->dp_spent("seg");
  ASSERT_OK(none);
  EXPECT_EQ(none->releases, 0);
  EXPECT_EQ(none->epsilon, 0);
  ASSERT_OK(store_->add_dp_spend({.purpose = "seg",
                                  .epsilon = 1.5,
                                  .delta = 0,
                                  .query = "{}",
                                  .audit_seq = 7,
                                  .spent_at = 9}));
  ASSERT_OK(store_->add_dp_spend({.purpose = "seg",
                                  .epsilon = 0.25,
                                  .delta = 1e-6,
                                  .query = "{\"statistic\":\"sum\"}",
                                  .audit_seq = 8,
                                  .spent_at = 10}));
  ASSERT_OK(store_->add_dp_spend(
      {.purpose = "ads", .epsilon = 3, .delta = 0, .query = "{}", .audit_seq = 9, .spent_at = 11}));
  auto seg = store_->dp_spent("seg");
  ASSERT_OK(seg);
  EXPECT_DOUBLE_EQ(seg->epsilon, 1.75);
  EXPECT_DOUBLE_EQ(seg->delta, 1e-6);
  EXPECT_EQ(seg->releases, 2);
  auto rows = store_->dp_spends("seg");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].query, "{\"statistic\":\"sum\"}");
  EXPECT_EQ((*rows)[1].audit_seq, 8);
  // A spend of nothing is refused by the schema: a release always costs something.
  EXPECT_FALSE(store_->add_dp_spend({.purpose = "seg", .epsilon = 0, .query = "{}"}).ok());
}

TEST_F(SqliteStoreTest, ScoreModelsLineageAndScores) {
  std::vector<SubjectId> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(store_->create_subject(100)->id);
  const std::vector<SubjectId> trained = {ids[0], ids[1], ids[2]};
  ScoreModelRow m{.purpose = "leads",
                  .kind = "lr",
                  .version = 1,
                  .created_at = 100,
                  .created_by = "t",
                  .review_due = 200,
                  .features = "{}",
                  .model = "{}",
                  .card = "{}",
                  .training_subjects = *encode_subject_set(trained)};
  auto first = store_->add_score_model(m);
  ASSERT_OK(first);
  EXPECT_THAT(store_->add_score_model(m),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("model version 1 already")));
  m.version = 2;
  m.kind = "trees";
  auto second = store_->add_score_model(m);
  ASSERT_OK(second);
  ASSERT_OK(store_->activate_score_model(*first));
  ASSERT_OK(store_->activate_score_model(*second));
  auto models = store_->score_models("leads");
  ASSERT_OK(models);
  ASSERT_EQ(models->size(), 2u);
  EXPECT_FALSE((*models)[0].active);
  EXPECT_TRUE((*models)[1].active);
  EXPECT_EQ(*decode_subject_set((*models)[1].training_subjects), trained);
  EXPECT_THAT(store_->activate_score_model(99),
              StatusIs(StatusCode::kNotFound, HasSubstr("no model 99")));

  ASSERT_OK(store_->put_scores(*second, {{ids[0], 0, 0.25, "[]"}, {ids[3], 0, 0.75, "[\"a\"]"}}));
  std::vector<double> order;
  ASSERT_OK(store_->scan_scores(
      *second, [&](const ScoreRow& r, std::string_view) { order.push_back(r.score); }));
  EXPECT_EQ(order, (std::vector<double>{0.75, 0.25}));

  // ids[3] was scored but not trained on; ids[0] both.
  EXPECT_EQ(*store_->scoring_purposes(ids[3]), std::vector<std::string>{"leads"});
  EXPECT_EQ(*store_->scoring_purposes(ids[0]), std::vector<std::string>{"leads"});
  EXPECT_TRUE(store_->mark_models_stale(ids[3], "", "x")->empty());
  EXPECT_TRUE(store_->mark_models_stale(ids[0], "other", "x")->empty());
  EXPECT_EQ(*store_->mark_models_stale(ids[0], "leads", "withdrew"),
            (std::vector<std::int64_t>{*first, *second}));
  EXPECT_TRUE(store_->mark_models_stale(ids[0], "leads", "again")->empty());
  EXPECT_EQ((*store_->score_model(*first))->stale_reason, "withdrew");
  EXPECT_EQ(*store_->remove_scores(ids[0], "leads"), 1);
  EXPECT_TRUE(store_->scoring_purposes(ids[0])->empty());

  // Reviews: one open review per subject and model; a decision closes it once.
  EXPECT_EQ(*store_->queue_score_reviews({{.subject = ids[3],
                                           .model_id = *second,
                                           .score = 0.75,
                                           .direction = "above",
                                           .queued_at = 5},
                                          {.subject = ids[3],
                                           .model_id = *second,
                                           .score = 0.8,
                                           .direction = "above",
                                           .queued_at = 6}}),
            1);
  auto open = store_->score_reviews("leads", "open");
  ASSERT_OK(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].purpose, "leads");
  ScoreReviewRow d = (*open)[0];
  d.status = "confirmed";
  d.decided_at = 9;
  d.decided_by = "ana";
  ASSERT_OK(store_->decide_score_review(d));
  EXPECT_THAT(store_->decide_score_review(d),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("is not open")));
  EXPECT_EQ((*store_->score_review(d.review_id))->decided_by, "ana");
  EXPECT_TRUE(store_->score_reviews("", "open")->empty());

  // Erasure deletes the subject's scores and says so.
  auto removed = store_->erase_subject(ids[3]);
  ASSERT_OK(removed);
  EXPECT_THAT(*removed, ::testing::Contains(std::pair<std::string, std::int64_t>("scores", 1)));
  EXPECT_THAT(*removed,
              ::testing::Contains(std::pair<std::string, std::int64_t>("score reviews", 1)));
  EXPECT_TRUE(store_->subject_scores(ids[3])->empty());
}

TEST_F(SqliteStoreTest, RollbackLeavesNothing) {
  ASSERT_OK(store_->begin());
  auto subject = store_->create_subject(100);
  ASSERT_OK(subject);
  ASSERT_OK(store_->add_identifier(subject->id, "idx-1", "email"));
  store_->rollback();
  EXPECT_EQ(store_->counts()->subjects, 0);
  EXPECT_FALSE(store_->find_subject("idx-1")->has_value());
}

TEST_F(SqliteStoreTest, IdentifiersAreUnique) {
  ASSERT_OK(store_->begin());
  auto a = *store_->create_subject(1);
  auto b = *store_->create_subject(1);
  EXPECT_NE(a.pseudonym, b.pseudonym);
  ASSERT_OK(store_->add_identifier(a.id, "idx", "email"));
  EXPECT_THAT(store_->add_identifier(b.id, "idx", "email"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("UNIQUE")));
  ASSERT_OK(store_->commit());
  EXPECT_EQ(**store_->find_subject("idx"), a.id);
}

TEST_F(SqliteStoreTest, ProfilesAreReplacedWhole) {
  ASSERT_OK(store_->begin());
  auto s = *store_->create_subject(1);
  ASSERT_OK(store_->put_profile(s.id, {R"({"age":41})", std::string("\x01sealed", 7), 1}));
  ASSERT_OK(store_->put_profile(s.id, {R"({"age":42})", "", 2}));
  ASSERT_OK(store_->commit());
  auto p = **store_->profile(s.id);
  EXPECT_EQ(p.plain, R"({"age":42})");
  EXPECT_TRUE(p.sealed.empty());
  EXPECT_EQ(p.updated_at, 2);
  EXPECT_EQ(store_->counts()->profiles, 1);
  EXPECT_FALSE(store_->profile(s.id + 1)->has_value());
}

TEST_F(SqliteStoreTest, EventsDeduplicateAndFeaturesAccumulate) {
  ASSERT_OK(store_->begin());
  auto s = *store_->create_subject(1);
  const std::int64_t purchase = *store_->event_type_id("purchase");
  EXPECT_EQ(*store_->event_type_id("purchase"), purchase);
  EventRow e{
      .subject = s.id, .ts = 500, .dedup = 7, .type_id = purchase, .props = R"({"amount":10})"};
  EXPECT_TRUE(*store_->insert_event(e));
  EXPECT_FALSE(*store_->insert_event(e));
  ASSERT_OK(store_->apply_features({.subject = s.id,
                                    .first_seen = 500,
                                    .last_seen = 500,
                                    .events = 1,
                                    .last_purchase = 500,
                                    .purchases = 1,
                                    .monetary = 10,
                                    .per_type = {{purchase, 1, 500}}}));
  ASSERT_OK(store_->apply_features({.subject = s.id,
                                    .first_seen = 100,
                                    .last_seen = 300,
                                    .events = 2,
                                    .per_type = {{purchase, 2, 300}}}));
  ASSERT_OK(store_->commit());
  auto f = **store_->features(s.id);
  EXPECT_EQ(f.first_seen, 100);
  EXPECT_EQ(f.last_seen, 500);
  EXPECT_EQ(f.events, 3);
  EXPECT_EQ(*f.last_purchase, 500);
  EXPECT_EQ(f.purchases, 1);
  EXPECT_DOUBLE_EQ(f.monetary, 10);
  ASSERT_EQ(f.per_type.size(), 1u);
  EXPECT_EQ(f.per_type[0].count, 3);
  EXPECT_EQ(f.per_type[0].last_ts, 500);
}

TEST_F(SqliteStoreTest, ConsentStateFollowsLatestEntryAndLedgerIsAppendOnly) {
  ASSERT_OK(store_->begin());
  auto s = *store_->create_subject(1);
  ConsentEntry grant{.subject = s.id,
                     .purpose = "segmentation",
                     .action = ConsentAction::kGrant,
                     .ts = 200,
                     .recorded_at = 300,
                     .source = "web_form",
                     .method = "checkbox",
                     .notice_version = "v1"};
  ConsentEntry older_withdraw = grant;
  older_withdraw.action = ConsentAction::kWithdraw;
  older_withdraw.ts = 100;
  ASSERT_OK(store_->append_consent(grant));
  ASSERT_OK(store_->append_consent(older_withdraw));
  ASSERT_OK(store_->commit());
  auto state = **store_->consent_state(s.id, "segmentation");
  EXPECT_TRUE(state.granted);  // the withdrawal predates the grant
  EXPECT_EQ(store_->consent_history(s.id)->size(), 2u);
  auto counts = *store_->consent_counts();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].granted, 1);
}

TEST_F(SqliteStoreTest, SuppressionList) {
  ASSERT_OK(store_->begin());
  ASSERT_OK(store_->suppress("idx", "email", "erasure", 5));
  ASSERT_OK(store_->commit());
  EXPECT_TRUE(*store_->is_suppressed("idx"));
  EXPECT_FALSE(*store_->is_suppressed("other"));
}

TEST_F(SqliteStoreTest, DisclosuresAndImportsOfOneSubject) {
  ASSERT_OK(store_->begin());
  auto a = *store_->create_subject(1);
  auto b = *store_->create_subject(1);
  ASSERT_OK(store_->append_audit({.seq = 1,
                                  .ts = 50,
                                  .actor = "t",
                                  .action = "segment.export",
                                  .detail = R"({"rows":2})",
                                  .prev_hash = std::string(32, '\0'),
                                  .hash = std::string(32, '\1')}));
  ASSERT_OK(store_->add_disclosures(1, "ads", "audience.csv", {a.id, b.id}));
  auto first = store_->record_import({.kind = "profiles", .file = "p.csv", .sha256 = "ab"});
  auto second = store_->record_import({.kind = "events", .file = "e.ndjson", .sha256 = "cd"});
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_NE(*first, *second);
  ASSERT_OK(store_->add_subject_imports(*first, {a.id, b.id}));
  ASSERT_OK(store_->add_subject_imports(*second, {b.id}));
  ASSERT_OK(store_->commit());

  auto told = store_->disclosures(a.id);
  ASSERT_OK(told);
  ASSERT_EQ(told->size(), 1u);
  EXPECT_EQ(told->front().recipient, "audience.csv");
  EXPECT_EQ(told->front().purpose, "ads");
  EXPECT_EQ(told->front().ts, 50);
  EXPECT_EQ(told->front().action, "segment.export");
  EXPECT_EQ(told->front().detail, R"({"rows":2})");
  EXPECT_TRUE(store_->disclosures(b.id + 1)->empty());
  auto imports_a = store_->subject_imports(a.id);
  auto imports_b = store_->subject_imports(b.id);
  ASSERT_OK(imports_a);
  ASSERT_OK(imports_b);
  ASSERT_EQ(imports_a->size(), 1u);
  EXPECT_EQ(imports_a->front().file, "p.csv");
  ASSERT_EQ(imports_b->size(), 2u);
  EXPECT_EQ((*imports_b)[1].file, "e.ndjson");
  EXPECT_EQ((*imports_b)[1].sha256, "cd");
}

TEST_F(SqliteStoreTest, AnonymizeMovesEventsToAnUnlinkedRemnantWithoutTheirPii) {
  ASSERT_OK(store_->begin());
  auto s = *store_->create_subject(9'000);
  auto bystander = *store_->create_subject(9'000);
  ASSERT_OK(store_->add_identifier(s.id, "idx", "email"));
  ASSERT_OK(store_->put_profile(s.id, {R"({"age":41})", std::string("\x01sealed", 7), 9'000}));
  const std::int64_t visit = *store_->event_type_id("visit");
  const std::int64_t purchase = *store_->event_type_id("purchase");
  ASSERT_TRUE(*store_->insert_event({.subject = s.id,
                                     .ts = 700,
                                     .dedup = 11,
                                     .type_id = visit,
                                     .props = R"({"page":"/a","zip":"10115"})",
                                     .sealed = "secret"}));
  ASSERT_TRUE(*store_->insert_event(
      {.subject = s.id, .ts = 500, .dedup = 12, .type_id = purchase, .props = R"({"zip":"x"})"}));
  ASSERT_TRUE(*store_->insert_event(
      {.subject = bystander.id, .ts = 600, .dedup = 13, .type_id = visit, .props = "{}"}));
  ASSERT_OK(store_->apply_features({.subject = s.id,
                                    .first_seen = 500,
                                    .last_seen = 700,
                                    .events = 2,
                                    .per_type = {{visit, 1, 700}, {purchase, 1, 500}}}));
  auto kept = store_->anonymize_subject(s.id, {.drop_properties = {{visit, {"zip"}}}});
  ASSERT_OK(kept);
  ASSERT_OK(store_->commit());
  EXPECT_EQ(*kept, (RemovedCounts{{"events", 2}, {"event counts", 2}, {"feature rows", 1}}));

  // One new subject, anonymous, under a negative id, dated by its first event.
  std::vector<SubjectRow> remnants;
  ASSERT_OK(store_->scan_subjects([&](const SubjectRow& r) {
    if (r.anonymous) remnants.push_back(r);
  }));
  ASSERT_EQ(remnants.size(), 1u);
  const SubjectRow& remnant = remnants[0];
  EXPECT_LT(remnant.id, 0);
  EXPECT_EQ(remnant.created_at, 500);
  EXPECT_EQ(remnant.updated_at, 500);
  EXPECT_NE(remnant.pseudonym, s.pseudonym);
  EXPECT_EQ(store_->counts()->anonymous, 1);
  EXPECT_FALSE((*store_->subject(s.id))->anonymous);
  EXPECT_TRUE((*store_->subject(remnant.id))->anonymous);

  // The events moved, pii part and named properties gone, content hashes replaced; the
  // bystander's event and the person's other rows are where they were.
  std::vector<EventRow> events;
  ASSERT_OK(store_->scan_subject_events(remnant.id, 10'000,
                                        [&](const EventRow& e) { events.push_back(e); }));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].ts, 500);
  EXPECT_EQ(events[0].props, R"({"zip":"x"})");  // not a visit: kept
  EXPECT_EQ(events[1].ts, 700);
  EXPECT_EQ(events[1].props, R"({"page":"/a"})");
  for (const EventRow& e : events) {
    EXPECT_TRUE(e.sealed.empty());
    EXPECT_NE(e.dedup, 11);
    EXPECT_NE(e.dedup, 12);
  }
  std::int64_t left = 0;
  ASSERT_OK(store_->scan_subject_events(s.id, 10'000, [&](const EventRow&) { ++left; }));
  EXPECT_EQ(left, 0);
  EXPECT_EQ(store_->counts()->events, 3);
  EXPECT_FALSE(store_->features(s.id)->has_value());
  EXPECT_EQ((*store_->features(remnant.id))->events, 2);
  EXPECT_FALSE(store_->profile(remnant.id)->has_value());
  EXPECT_TRUE(store_->subject_identifiers(remnant.id)->empty());
  EXPECT_EQ(**store_->find_subject("idx"), s.id);

  // A remnant can never be given an identifier, nor be anonymized again.
  ASSERT_OK(store_->begin());
  EXPECT_THAT(store_->add_identifier(remnant.id, "idx-2", "email"),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("an anonymous remnant has no identifiers")));
  EXPECT_THAT(store_->replace_identifier(remnant.id, "idx-3", "email"),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("an anonymous remnant has no identifiers")));
  EXPECT_THAT(store_->anonymize_subject(remnant.id, {}),
              StatusIs(StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(store_->anonymize_subject(424242, {}), StatusIs(StatusCode::kNotFound, ::testing::_));
  store_->rollback();
}

TEST_F(SqliteStoreTest, AnonymizingSomeoneWithoutEventsMakesNoRemnant) {
  ASSERT_OK(store_->begin());
  auto s = *store_->create_subject(1);
  auto kept = store_->anonymize_subject(s.id, {});
  ASSERT_OK(kept);
  ASSERT_OK(store_->commit());
  EXPECT_EQ(*kept, (RemovedCounts{{"events", 0}, {"event counts", 0}, {"feature rows", 0}}));
  EXPECT_EQ(store_->counts()->subjects, 1);
  EXPECT_EQ(store_->counts()->anonymous, 0);
}

}  // namespace
}  // namespace consentric
