#include "scoring/lead_scoring.h"

#include <cmath>
#include <fstream>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "consent/ledger.h"
#include "consent/subjects.h"
#include "gate/gate.h"
#include "ingest/importer.h"
#include "store/subject_set.h"
#include "store/transaction.h"
#include "synth/generator.h"
#include "testing/status_matchers.h"

namespace consentric::scoring {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

constexpr UnixSeconds kNow = 1'780'000'000;  // 2026-05-28

// 800 generated B2B customers under the quickstart declaration, with one special-category
// field added (declared, never imported).
class LeadScoringTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const auto data = dir_->path() / "data";
    ASSERT_OK(synth::generate(
        {.customers = 800, .seed = 7, .out_dir = data, .as_of = kNow - kNow % 86400}));
    std::string yaml(synth::quickstart_config_yaml());
    const std::string anchor = "  - {name: signup_date";
    ASSERT_NE(yaml.find(anchor), std::string::npos);
    yaml.insert(yaml.find(anchor),
                "  - {name: health_note, type: category, category: special_category, "
                "values: [none, chronic]}\n");
    // Lead scoring makes automated decisions here, with scores beyond 0.8 and 0.01 reviewed.
    const std::string lead = "  - id: lead_scoring\n";
    const std::string flag = "    automated_decision: false\n";
    const auto at = yaml.find(flag, yaml.find(lead));
    ASSERT_NE(at, std::string::npos);
    yaml.replace(at, flag.size(),
                 "    automated_decision: true\n    score_review: {above: 0.8, below: 0.01}\n");
    auto sd = init_store_dir(dir_->path() / "store", yaml, "q.yaml", kNow - 400 * 86400,
                             {.durable = false});
    ASSERT_OK(sd);
    for (auto [kind, file] : {std::pair{ingest::ImportKind::kProfiles, "profiles.csv"},
                              {ingest::ImportKind::kEvents, "events.ndjson"},
                              {ingest::ImportKind::kConsents, "consents.ndjson"}}) {
      ASSERT_OK(ingest::import_file(*sd, {.kind = kind, .file = data / file, .now = kNow}));
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    // Each test works on its own copy of the imported store.
    std::filesystem::copy(dir_->path() / "store", tmp_.path() / "store",
                          std::filesystem::copy_options::recursive);
    auto sd = open_store_dir(tmp_.path() / "store", {.durable = false});
    ASSERT_OK(sd);
    sd_ = std::make_unique<StoreDir>(std::move(sd).value());
  }

  LabelSource outcomes() const {
    return {.file = dir_->path() / "data" / "outcomes.csv", .label_column = "converted"};
  }
  TrainRequest request(ModelKind kind, std::string purpose = "lead_scoring") const {
    return {.purpose = std::move(purpose), .kind = kind, .labels = outcomes()};
  }
  // One thread: the tests share two cores with the rest of ctest.
  ScoringContext ctx(UnixSeconds now = kNow) const {
    return {.actor = "test", .now = now, .threads = 1};
  }

  std::set<std::string> lawful(std::string_view purpose, UnixSeconds now) {
    auto view = gate::build_view(*sd_,
                                 {.purpose = std::string(purpose),
                                  .as_of = now,
                                  .actor = "test",
                                  .columns = {"event_count"}},
                                 now);
    EXPECT_OK(view);
    return {view->row_ids().begin(), view->row_ids().end()};
  }

  // Pseudonym -> score for the model.
  std::map<std::string, ScoreRow> scores(std::int64_t model_id) {
    std::map<std::string, ScoreRow> out;
    EXPECT_OK(sd_->store->scan_scores(
        model_id, [&](const ScoreRow& r, std::string_view p) { out.emplace(std::string(p), r); }));
    return out;
  }

  Result<SubjectId> subject_of(const std::string& pseudonym) {
    std::optional<SubjectId> id;
    CONSENTRIC_RETURN_IF_ERROR(sd_->store->scan_subjects([&](const SubjectRow& s) {
      if (s.pseudonym == pseudonym) id = s.id;
    }));
    if (!id) return not_found(pseudonym);
    return *id;
  }

  static TempDir* dir_;
  TempDir tmp_;
  std::unique_ptr<StoreDir> sd_;
};

TempDir* LeadScoringTest::dir_ = nullptr;

TEST_F(LeadScoringTest, TrainsBothKindsWithACardAndTheExactTrainingSet) {
  for (ModelKind kind : {ModelKind::kLogistic, ModelKind::kTrees}) {
    auto t = train(*sd_, request(kind), ctx());
    ASSERT_OK(t);
    const nlohmann::json& card = t->card;
    EXPECT_EQ(card["legal_basis"], "legitimate_interest");
    const double auc = card["metrics"]["auc"].get<double>();
    // The generated outcome depends on the behaviour the purpose may read.
    EXPECT_GT(auc, 0.7) << to_string(kind);
    EXPECT_LE(auc, 1.0);
    EXPECT_GT(card["metrics"]["top_decile"]["lift"].get<double>(), 1.5);
    EXPECT_EQ(card["metrics"]["calibration"].size(), 10u);
    EXPECT_EQ(card["special_category_fields_refused"], nlohmann::json::array({"health_note"}));
    EXPECT_THAT(card["features"].dump(), HasSubstr("count.email_open"));
    EXPECT_THAT(card["features"].dump(), ::testing::Not(HasSubstr("health_note")));
    const std::int64_t labelled = card["subjects"]["labelled"];
    EXPECT_EQ(labelled, card["subjects"]["train"].get<std::int64_t>() +
                            card["subjects"]["validation"].get<std::int64_t>());
    auto set = decode_subject_set(t->model.training_subjects);
    ASSERT_OK(set);
    EXPECT_EQ(static_cast<std::int64_t>(set->size()), labelled);
    // Everyone learned from may be processed for the purpose.
    const auto may = lawful("lead_scoring", kNow);
    EXPECT_EQ(static_cast<std::size_t>(card["subjects"]["in_view"].get<std::int64_t>()),
              may.size());
  }
  auto all = models(*sd_, "lead_scoring");
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  // The first became active (none was); the second did not ask to be.
  EXPECT_TRUE((*all)[0].active);
  EXPECT_FALSE((*all)[1].active);
  EXPECT_EQ((*all)[1].version, 2);
  const std::string md = card_markdown(
      nlohmann::json::parse((*all)[0].card), 10,
      [](std::int64_t n) { return n > 0 && n < 10 ? std::string("< 10") : std::to_string(n); });
  EXPECT_THAT(md, HasSubstr("Legal basis: legitimate_interest"));
  EXPECT_THAT(md, HasSubstr("Special-category fields refused: health_note"));
}

TEST_F(LeadScoringTest, SplitByTimeHoldsOutTheNewestLeads) {
  TrainRequest r = request(ModelKind::kLogistic);
  r.split = Split::kTime;
  r.features = {"count.email_open", "count.page_view", "recency_days"};
  auto t = train(*sd_, r, ctx());
  ASSERT_OK(t);
  EXPECT_THAT(t->card["split"].get<std::string>(), HasSubstr("by time"));
  // tenure_days was read for the split, not learned from.
  EXPECT_EQ(t->card["columns"],
            nlohmann::json::array({"count.email_open", "count.page_view", "recency_days"}));
  // The seed plays no part in a split by time.
  r.seed = 99;
  auto again = train(*sd_, r, ctx());
  ASSERT_OK(again);
  EXPECT_EQ(again->card["metrics"]["auc"], t->card["metrics"]["auc"]);
  // Different from a random split of the same people.
  r.split = Split::kRandom;
  auto random = train(*sd_, r, ctx());
  ASSERT_OK(random);
  EXPECT_NE(t->card["metrics"]["auc"], random->card["metrics"]["auc"]);
  EXPECT_THAT(parse_split("weekly"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected random or time")));
}

TEST_F(LeadScoringTest, SpecialCategoryFieldIsRefusedByName) {
  TrainRequest r = request(ModelKind::kLogistic);
  r.features = {"count.email_open", "health_note"};
  EXPECT_THAT(train(*sd_, r, ctx()),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("field \"health_note\" is a special category")));
  EXPECT_TRUE(sd_->store->score_models("")->empty());
}

TEST_F(LeadScoringTest, BadLabelsNameTheFileLineAndColumn) {
  const auto bad = tmp_.path() / "labels.csv";
  std::ofstream(bad) << "customer_id,converted\nC00000001,maybe\n";
  TrainRequest r = request(ModelKind::kLogistic);
  r.labels = {.file = bad, .label_column = "converted"};
  EXPECT_THAT(train(*sd_, r, ctx()),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("labels.csv:2: column \"converted\": expected 0 or 1")));
  r.labels.label_column = "won";
  EXPECT_THAT(train(*sd_, r, ctx()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no column \"won\"")));
}

// Invariant 1 through scoring: a consent purpose scores only those who consented.
TEST_F(LeadScoringTest, ASubjectWithoutConsentIsNeverScored) {
  auto t = train(*sd_, request(ModelKind::kLogistic, "segmentation"), ctx());
  ASSERT_OK(t);
  auto r = run(*sd_, "segmentation", ctx());
  ASSERT_OK(r);
  const auto may = lawful("segmentation", kNow);
  const auto scored = scores(t->model.model_id);
  EXPECT_EQ(scored.size(), may.size());
  std::int64_t people = 0;
  ASSERT_OK(sd_->store->scan_subjects([&](const SubjectRow&) { ++people; }));
  ASSERT_LT(static_cast<std::int64_t>(may.size()), people) << "everyone consented: no test";
  for (const auto& [pseudonym, row] : scored) EXPECT_TRUE(may.contains(pseudonym)) << pseudonym;
}

TEST_F(LeadScoringTest, ContributionsAndBiasSumToTheMargin) {
  for (ModelKind kind : {ModelKind::kLogistic, ModelKind::kTrees}) {
    auto t = train(*sd_, request(kind), ctx());
    ASSERT_OK(t);
    ASSERT_OK(activate(*sd_, t->model.model_id, ctx()));
    ASSERT_OK(run(*sd_, "lead_scoring", ctx()));
    int checked = 0;
    for (const auto& [pseudonym, row] : scores(t->model.model_id)) {
      auto e = parse_explanation(row);
      ASSERT_OK(e);
      double sum = e->bias + e->rest;
      for (const Contribution& c : e->top) sum += c.value;
      EXPECT_NEAR(sum, e->margin, 1e-4) << to_string(kind) << " " << pseudonym;
      EXPECT_NEAR(row.score, 1 / (1 + std::exp(-e->margin)), 1e-9);
      ASSERT_FALSE(e->top.empty());
      EXPECT_THAT(e->top[0].text, ::testing::MatchesRegex(".*: [+-][0-9]+\\.[0-9][0-9]"));
      ++checked;
    }
    EXPECT_GT(checked, 100);
  }
}

// GDPR Art. 22(3): scores beyond the thresholds wait for a person, whose decision is audited.
TEST_F(LeadScoringTest, ScoresBeyondTheThresholdsAreQueuedForHumanReview) {
  auto t = train(*sd_, request(ModelKind::kLogistic), ctx());
  ASSERT_OK(t);
  auto r = run(*sd_, "lead_scoring", ctx());
  ASSERT_OK(r);
  EXPECT_GT(r->queued_for_review, 0);
  auto open = reviews(*sd_, "lead_scoring", "open");
  ASSERT_OK(open);
  ASSERT_EQ(static_cast<std::int64_t>(open->size()), r->queued_for_review);
  std::int64_t beyond = 0;
  for (const auto& [p, row] : scores(t->model.model_id))
    beyond += row.score >= 0.8 || row.score <= 0.01;
  EXPECT_EQ(beyond, r->queued_for_review);
  for (const ScoreReviewRow& v : *open) {
    EXPECT_TRUE(v.direction == "above" ? v.score >= 0.8 : v.score <= 0.01) << v.score;
  }
  // Running again queues nobody twice.
  auto again = run(*sd_, "lead_scoring", ctx(kNow + 60));
  ASSERT_OK(again);
  EXPECT_EQ(again->queued_for_review, 0);

  auto decided = decide_review(*sd_, open->front().review_id, false, "called them", ctx(kNow + 90));
  ASSERT_OK(decided);
  EXPECT_EQ(decided->status, "overridden");
  EXPECT_THAT(decide_review(*sd_, open->front().review_id, true, "", ctx(kNow + 91)),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("decided already")));
  EXPECT_THAT(decide_review(*sd_, 999999, true, "", ctx()),
              StatusIs(StatusCode::kNotFound, HasSubstr("no review 999999")));
  EXPECT_EQ(reviews(*sd_, "lead_scoring", "open")->size(), open->size() - 1);
  EXPECT_THAT(reviews(*sd_, "", "pending"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected open, confirmed")));
  bool audited = false;
  ASSERT_OK(sd_->store->scan_audit([&](const AuditRecord& a) {
    if (a.action == "score.review") {
      audited = a.subject == decided->pseudonym && a.detail.find("overridden") != std::string::npos;
    }
    return Status();
  }));
  EXPECT_TRUE(audited);
}

TEST_F(LeadScoringTest, ObjectionMarksTheModelStaleAndRetrainingLeavesThemOut) {
  auto t = train(*sd_, request(ModelKind::kLogistic), ctx());
  ASSERT_OK(t);
  ASSERT_OK(run(*sd_, "lead_scoring", ctx()));
  auto trained = decode_subject_set(t->model.training_subjects);
  ASSERT_OK(trained);
  const SubjectId who = trained->front();
  EXPECT_EQ(sd_->store->subject_scores(who)->size(), 1u);

  // An objection (GDPR Art. 21) to lead scoring an hour later.
  const UnixSeconds later = kNow + 3600;
  auto objected = in_transaction(*sd_->store, [&]() -> Result<std::int64_t> {
    return consent::append_limit(*sd_->store, sd_->config,
                                 {.subject = who,
                                  .kind = LimitKind::kObjection,
                                  .purpose = "lead_scoring",
                                  .ts = later,
                                  .source = "email_request"},
                                 "test", later);
  });
  ASSERT_OK(objected);
  auto m = model(*sd_, t->model.model_id);
  ASSERT_OK(m);
  EXPECT_TRUE(m->stale);
  EXPECT_THAT(m->stale_reason, HasSubstr("may no longer be processed"));
  EXPECT_TRUE(sd_->store->subject_scores(who)->empty()) << "their score goes with the objection";
  EXPECT_THAT(run(*sd_, "lead_scoring", ctx(later)),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("stale")));

  // Training anew replaces a stale active model too (here a second kind, not activated).
  auto other = train(*sd_, request(ModelKind::kTrees), ctx(later + 30));
  ASSERT_OK(other);
  EXPECT_TRUE(other->activated);
  EXPECT_THAT(activate(*sd_, t->model.model_id, ctx(later + 40)),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("is stale")));
  // Back to the stale one for retrain_stale: it retrains the active stale model only.
  ASSERT_OK(sd_->store->activate_score_model(t->model.model_id));
  auto re = retrain_stale(*sd_, "", {.file = outcomes().file}, ctx(later + 60));
  ASSERT_OK(re);
  ASSERT_EQ(re->size(), 1u);
  const ScoreModelRow& fresh = (*re)[0].model;
  EXPECT_TRUE(fresh.active);
  EXPECT_FALSE(fresh.stale);
  EXPECT_EQ(fresh.version, 3);
  auto set = decode_subject_set(fresh.training_subjects);
  ASSERT_OK(set);
  EXPECT_FALSE(std::binary_search(set->begin(), set->end(), who));
  EXPECT_EQ(set->size() + 1, trained->size());
  ASSERT_OK(run(*sd_, "lead_scoring", ctx(later + 120)));
  EXPECT_TRUE(sd_->store->subject_scores(who)->empty());
  // Nothing stale is left to retrain.
  EXPECT_TRUE(retrain_stale(*sd_, "", {.file = outcomes().file}, ctx(later + 180))->empty());
}

}  // namespace
}  // namespace consentric::scoring
