#include "scoring/points_run.h"

#include <map>
#include <random>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "consent/ledger.h"
#include "gate/gate.h"
#include "ingest/importer.h"
#include "store/transaction.h"
#include "synth/generator.h"
#include "testing/status_matchers.h"

namespace consentric::scoring {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

constexpr UnixSeconds kDay = 86400;
constexpr UnixSeconds kNow = 1'780'000'000;  // 2026-05-28

// 300 generated B2B customers under the quickstart declaration, whose points section the tests
// run or replace.
class PointsRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const auto data = dir_->path() / "data";
    ASSERT_OK(synth::generate(
        {.customers = 300, .seed = 11, .out_dir = data, .as_of = kNow - kNow % kDay}));
    auto sd = init_store_dir(dir_->path() / "store", synth::quickstart_config_yaml(), "q.yaml",
                             kNow - 400 * kDay, {.durable = false});
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
  void SetUp() override { sd_ = open_copy("store"); }

  std::unique_ptr<StoreDir> open_copy(const std::string& name) {
    std::filesystem::copy(dir_->path() / "store", tmp_.path() / name,
                          std::filesystem::copy_options::recursive);
    auto sd = open_store_dir(tmp_.path() / name, {.durable = false});
    EXPECT_OK(sd);
    return std::make_unique<StoreDir>(std::move(sd).value());
  }

  static ScoringContext ctx(UnixSeconds now = kNow) {
    return {.actor = "test", .now = now, .threads = 1};
  }

  // For every subject holding points: the total equals the sum of the log, exactly.
  static void expect_totals_are_log_sums(StoreDir& sd) {
    auto totals = sd.store->points_totals(sd.config.points->purpose, 0);
    ASSERT_OK(totals);
    for (const PointsTotalRow& t : *totals) {
      auto log = sd.store->points_log(t.subject, t.purpose);
      ASSERT_OK(log);
      std::int64_t sum = 0;
      for (const PointsLogRow& e : *log) sum += e.delta_milli;
      ASSERT_EQ(t.total_milli, sum) << t.pseudonym;
    }
  }

  static std::map<std::string, std::int64_t> totals_by_pseudonym(StoreDir& sd) {
    std::map<std::string, std::int64_t> out;
    auto totals = sd.store->points_totals(sd.config.points->purpose, 0);
    EXPECT_OK(totals);
    for (const PointsTotalRow& t : *totals) out[t.pseudonym] = t.total_milli;
    return out;
  }

  static inline TempDir* dir_ = nullptr;
  TempDir tmp_;
  std::unique_ptr<StoreDir> sd_;
};

TEST_F(PointsRunTest, CreditsEventsAndFitAndGradesEveryone) {
  auto r = run_points(*sd_, kNow, ctx());
  ASSERT_OK(r);
  EXPECT_EQ(r->purpose, "lead_scoring");
  EXPECT_GT(r->subjects, 100);
  EXPECT_GT(r->events, 0);
  EXPECT_GT(r->entries, 0);
  EXPECT_EQ(r->grades[0] + r->grades[1] + r->grades[2] + r->grades[3], r->subjects);
  expect_totals_are_log_sums(*sd_);
  // Every kind of part shows up in the log of the quickstart's funnel.
  std::set<std::string> kinds;
  auto totals = sd_->store->points_totals("lead_scoring", 0);
  ASSERT_OK(totals);
  ASSERT_EQ(static_cast<std::int64_t>(totals->size()), r->subjects);
  for (const PointsTotalRow& t : *totals) {
    EXPECT_EQ(t.grade, points_grade(*sd_->config.points, t.total_milli));
    EXPECT_EQ(t.mql, t.total_milli >= sd_->config.points->mql_milli);
    auto log = sd_->store->points_log(t.subject, t.purpose);
    ASSERT_OK(log);
    for (const PointsLogRow& e : *log) {
      kinds.insert(e.kind);
      EXPECT_EQ(e.audit_seq, r->audit_seq);
      EXPECT_EQ(e.kind == "event", e.event_id.has_value());
    }
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"cap", "decay", "event", "fit"}));
  // The reads and the run are audited.
  std::set<std::string> actions;
  ASSERT_OK(sd_->store->scan_audit([&](const AuditRecord& a) {
    actions.insert(a.action);
    return Status();
  }));
  EXPECT_TRUE(actions.contains("gate.view"));
  EXPECT_TRUE(actions.contains("gate.events"));
  EXPECT_TRUE(actions.contains("points.run"));
}

TEST_F(PointsRunTest, ASecondRunAtTheSameTimeChangesNothingAndLaterOnlyDecays) {
  ASSERT_OK(run_points(*sd_, kNow - 10 * kDay, ctx()));
  auto again = run_points(*sd_, kNow - 10 * kDay, ctx());
  ASSERT_OK(again);
  EXPECT_EQ(again->entries, 0);
  EXPECT_EQ(again->changed, 0);
  // Ten days on: new events are credited, old ones fade, and nothing is lost or counted twice.
  auto later = run_points(*sd_, kNow, ctx());
  ASSERT_OK(later);
  EXPECT_GT(later->entries, 0);
  expect_totals_are_log_sums(*sd_);
  auto fresh = open_copy("fresh");
  ASSERT_OK(run_points(*fresh, kNow, ctx()));
  EXPECT_EQ(totals_by_pseudonym(*sd_), totals_by_pseudonym(*fresh));
}

TEST_F(PointsRunTest, TheAsOfCannotBeInTheFuture) {
  EXPECT_THAT(run_points(*sd_, kNow + 1, ctx()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("up to now")));
  sd_->config.points.reset();
  EXPECT_THAT(run_points(*sd_, kNow, ctx()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("no points section")));
}

// Random rules (points, caps, half-lives, conditions; rules added, edited and dropped between
// runs) at random times, forward and back: after every incremental run each stored total is
// the sum of its log, and the totals are those one run from scratch computes.
TEST_F(PointsRunTest, PropertyTotalsAreAlwaysTheSumOfTheLog) {
  std::mt19937_64 rng(20261203);
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  const auto random_spec = [&]() {
    PointsSpec spec = *sd_->config.points;
    spec.event_rules.clear();
    spec.fit_rules.clear();
    const char* types[] = {"page_view", "email_open",   "email_click", "form_submit",
                           "webinar",   "demo_request", "trial_start"};
    const int n = 1 + pick(5);
    for (int i = 0; i < n; ++i) {
      EventPointsRule r;
      r.name = "r" + std::to_string(pick(6));  // names repeat across runs: rules get edited
      bool taken = false;
      for (const auto& e : spec.event_rules) taken |= e.name == r.name;
      if (taken) continue;
      r.event_type = types[pick(7)];
      r.points_milli = (1 + pick(20000)) * (pick(5) == 0 ? -1 : 1);
      if (pick(2) == 0) r.cap_milli = 1 + pick(40000);
      if (pick(3) != 0) r.half_life_seconds = (1 + pick(90)) * kDay + pick(86400);
      if (r.event_type == std::string("page_view") && pick(2) == 0) {
        r.conditions.push_back(
            {.property = "duration_s",
             .op = pick(2) == 0 ? PointsCondition::Op::kGe : PointsCondition::Op::kLt,
             .values = {std::to_string(pick(300))}});
      }
      spec.event_rules.push_back(std::move(r));
    }
    if (pick(2) == 0) {
      spec.fit_rules.push_back({.name = "fit" + std::to_string(pick(2)),
                                .field = "industry",
                                .values = {"software", "retail"},
                                .points_milli = 1 + pick(15000)});
    }
    return spec;
  };
  UnixSeconds as_of = kNow - 200 * kDay;
  for (int round = 0; round < 12; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    sd_->config.points = random_spec();
    // Mostly forward, sometimes back in time.
    as_of = std::min<UnixSeconds>(
        kNow, as_of + (pick(4) == 0 ? -pick(20) : pick(40)) * kDay + pick(kDay));
    ASSERT_OK(run_points(*sd_, as_of, ctx()));
    expect_totals_are_log_sums(*sd_);
    auto fresh = open_copy("fresh" + std::to_string(round));
    fresh->config.points = sd_->config.points;
    ASSERT_OK(run_points(*fresh, as_of, ctx()));
    ASSERT_EQ(totals_by_pseudonym(*sd_), totals_by_pseudonym(*fresh));
  }
}

// A consent purpose: points only for those who consented, and a withdrawal takes them away.
TEST_F(PointsRunTest, NoConsentNoPointsAndAWithdrawalTakesThemAway) {
  sd_->config.points->purpose = "segmentation";
  auto r = run_points(*sd_, kNow, ctx());
  ASSERT_OK(r);
  auto view = gate::build_view(
      *sd_, {.purpose = "segmentation", .as_of = kNow, .actor = "t", .columns = {"industry"}},
      kNow);
  ASSERT_OK(view);
  const std::set<std::string> lawful(view->row_ids().begin(), view->row_ids().end());
  const auto totals = totals_by_pseudonym(*sd_);
  EXPECT_EQ(totals.size(), lawful.size());
  for (const auto& [pseudonym, total] : totals) EXPECT_TRUE(lawful.contains(pseudonym));
  std::int64_t people = 0;
  ASSERT_OK(sd_->store->scan_subjects([&](const SubjectRow&) { ++people; }));
  ASSERT_LT(static_cast<std::int64_t>(lawful.size()), people) << "someone has not consented";

  // The top lead withdraws an hour later: their points go at once, and the audit says so.
  auto top = sd_->store->points_totals("segmentation", 1);
  ASSERT_OK(top);
  ASSERT_EQ(top->size(), 1u);
  const SubjectId who = top->front().subject;
  const UnixSeconds later = kNow + 3600;
  auto withdrawn = in_transaction(*sd_->store, [&]() -> Result<std::int64_t> {
    consent::PurposeFeatureKeeper keeper(*sd_->store, sd_->config);
    CONSENTRIC_ASSIGN_OR_RETURN(
        consent::Appended a,
        consent::append_decision(
            *sd_->store, sd_->config, keeper, who,
            {.purpose = "segmentation", .action = ConsentAction::kWithdraw, .ts = later}, "test",
            later));
    return a.entry_id;
  });
  ASSERT_OK(withdrawn);
  EXPECT_TRUE(sd_->store->subject_points(who)->empty());
  EXPECT_TRUE(sd_->store->points_log(who, "segmentation")->empty());
  bool forgot = false;
  ASSERT_OK(sd_->store->scan_audit([&](const AuditRecord& a) {
    forgot |= a.action == "points.forget";
    return Status();
  }));
  EXPECT_TRUE(forgot);
  // A later run does not bring them back.
  ASSERT_OK(run_points(*sd_, later, ctx(later)));
  EXPECT_TRUE(sd_->store->subject_points(who)->empty());
  expect_totals_are_log_sums(*sd_);
}

TEST_F(PointsRunTest, ErasureRemovesThePoints) {
  ASSERT_OK(run_points(*sd_, kNow, ctx()));
  auto top = sd_->store->points_totals("lead_scoring", 1);
  ASSERT_OK(top);
  const SubjectId who = top->front().subject;
  ASSERT_FALSE(sd_->store->points_log(who, "lead_scoring")->empty());
  auto removed = in_transaction(*sd_->store, [&] { return sd_->store->erase_subject(who); });
  ASSERT_OK(removed);
  std::map<std::string, std::int64_t> counts(removed->begin(), removed->end());
  EXPECT_GT(counts["points log entries"], 0);
  EXPECT_EQ(counts["points totals"], 1);
  EXPECT_TRUE(sd_->store->subject_points(who)->empty());
  EXPECT_TRUE(sd_->store->points_log(who, "lead_scoring")->empty());
  // The next run writes no dangling rows for them.
  ASSERT_OK(run_points(*sd_, kNow, ctx()));
  expect_totals_are_log_sums(*sd_);
}

}  // namespace
}  // namespace consentric::scoring
