#include "runs/segment_runs.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "consent/ledger.h"
#include "gate/gate.h"
#include "ingest/importer.h"
#include "synth/generator.h"
#include "testing/generated_store_test.h"
#include "testing/status_matchers.h"

namespace consentric::runs {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

constexpr UnixSeconds kNow = 1'780'000'000;

// A store of 1,500 generated B2B customers, built once: import is the slow part.
class SegmentRunsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ASSERT_OK(::consentric::testing::make_generated_store(dir_->path(), 1500, 11, kNow));
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    auto sd = ::consentric::testing::open_store_copy(dir_->path() / "template", store_.path() / "s");
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
  }

  RunContext ctx() const { return {.now = kNow}; }

  std::set<std::string> lawful(const std::string& purpose) {
    auto v = gate::build_view(
        *sd_, {.purpose = purpose, .as_of = kNow, .actor = "test", .columns = {"event_count"}},
        kNow);
    EXPECT_OK(v);
    return {v->row_ids().begin(), v->row_ids().end()};
  }

  std::vector<Member> members(const std::string& name) {
    auto st = segment_state(*sd_, name);
    EXPECT_OK(st);
    std::vector<Member> out;
    EXPECT_OK(for_each_member(*sd_, *st, [&](const Member& m) { out.push_back(m); }));
    return out;
  }

  static TempDir* dir_;
  TempDir store_;
  std::optional<StoreDir> sd_;
};
TempDir* SegmentRunsTest::dir_ = nullptr;

SegmentDefinition kmeans_def(std::string name, int k) {
  return {.name = std::move(name),
          .purpose = "segmentation",
          .kind = SegmentKind::kKmeans,
          .kmeans = {.k = k, .seed = 3}};
}

TEST_F(SegmentRunsTest, NobodyWithoutSegmentationConsentIsEverAMember) {
  const std::set<std::string> allowed = lawful("segmentation");
  auto everyone = sd_->store->counts();
  ASSERT_OK(everyone);
  ASSERT_LT(static_cast<std::int64_t>(allowed.size()), everyone->subjects);  // some said no
  ASSERT_OK(create_segment(*sd_, kmeans_def("clusters", 4), ctx()));
  ASSERT_OK(create_segment(
      *sd_, {.name = "rfm", .purpose = "segmentation", .kind = SegmentKind::kRfm}, ctx()));
  ASSERT_OK(create_segment(*sd_,
                           {.name = "active",
                            .purpose = "segmentation",
                            .kind = SegmentKind::kRule,
                            .rule = "event_count >= 1"},
                           ctx()));
  for (const char* name : {"clusters", "rfm", "active"}) {
    const auto got = members(name);
    EXPECT_FALSE(got.empty()) << name;
    for (const Member& m : got)
      EXPECT_TRUE(allowed.count(m.pseudonym)) << name << " " << m.pseudonym;
  }
}

TEST_F(SegmentRunsTest, KMeansRunKeepsModelProfilesAndEveryLawfulSubject) {
  auto out = create_segment(*sd_, kmeans_def("clusters", 4), ctx());
  ASSERT_OK(out);
  EXPECT_EQ(out->model["k"], 4);
  EXPECT_EQ(out->model["centroids"].size(), 4u);
  EXPECT_EQ(out->model["profiles"].size(), 4u);
  std::int64_t released = 0;
  for (const auto& g : out->release.groups) released += g.size;
  EXPECT_EQ(out->run.view_rows, static_cast<std::int64_t>(lawful("segmentation").size()));
  EXPECT_LE(released, out->run.view_rows);
  EXPECT_EQ(static_cast<std::int64_t>(members("clusters").size()), released);
  for (const Member& m : members("clusters")) ASSERT_TRUE(m.distance.has_value());
}

TEST_F(SegmentRunsTest, KIsChosenBySilhouetteWhenNotGiven) {
  SegmentDefinition d = kmeans_def("auto", 0);
  d.kmeans.k_min = 2;
  d.kmeans.k_max = 5;
  auto out = create_segment(*sd_, d, ctx());
  ASSERT_OK(out);
  const auto& choice = out->model["k_choice"];
  ASSERT_TRUE(choice.is_object());
  EXPECT_EQ(choice["ks"].size(), 4u);
  EXPECT_EQ(out->model["k"], choice["best_by_silhouette"]);
}

TEST_F(SegmentRunsTest, LogTransformAndSeveralStartsReportCentroidsInOriginalUnits) {
  SegmentDefinition d = kmeans_def("logged", 3);
  d.kmeans.features = {"recency_days", "frequency", "monetary"};
  d.kmeans.log_transform = true;
  d.kmeans.n_init = 3;
  auto out = create_segment(*sd_, d, ctx());
  ASSERT_OK(out);
  EXPECT_EQ(out->model["log"], true);
  EXPECT_EQ(out->model["n_init"], 3);
  auto v = gate::build_view(
      *sd_, {.purpose = "segmentation", .as_of = kNow, .actor = "test", .columns = {"monetary"}},
      kNow);
  ASSERT_OK(v);
  const auto& spend = v->column("monetary")->numbers;
  const double most = *std::max_element(spend.begin(), spend.end());
  for (const auto& c : out->model["centroids"]) {
    EXPECT_GE(c["monetary"].get<double>(), 0);
    EXPECT_LE(c["monetary"].get<double>(), most);
  }
  // More starts never end worse than the first alone.
  SegmentDefinition one = d;
  one.name = "logged1";
  one.kmeans.n_init = 1;
  auto single = create_segment(*sd_, one, ctx());
  ASSERT_OK(single);
  EXPECT_LE(out->model["inertia"].get<double>(), single->model["inertia"].get<double>() + 1e-9);
}

TEST_F(SegmentRunsTest, WithdrawalRemovesTheSubjectFromEverySegmentOfThePurpose) {
  ASSERT_OK(create_segment(*sd_, kmeans_def("clusters", 3), ctx()));
  const auto before = members("clusters");
  ASSERT_FALSE(before.empty());
  const Member leaver = before.front();
  ASSERT_OK(sd_->store->begin());
  consent::PurposeFeatureKeeper keeper(*sd_->store, sd_->config);
  auto appended = consent::append_decision(
      *sd_->store, sd_->config, keeper, leaver.subject,
      {.purpose = "segmentation", .action = ConsentAction::kWithdraw, .ts = kNow + 10}, "test",
      kNow + 20);
  ASSERT_OK(appended);
  ASSERT_OK(keeper.flush());
  ASSERT_OK(sd_->store->commit());
  const auto after = members("clusters");
  EXPECT_EQ(after.size() + 1, before.size());
  for (const Member& m : after) EXPECT_NE(m.pseudonym, leaver.pseudonym);
  bool logged = false;
  ASSERT_OK(sd_->store->scan_audit([&](const AuditRecord& r) {
    logged |= r.action == "segment.forget" && r.subject == leaver.pseudonym;
    return Status();
  }));
  EXPECT_TRUE(logged);
}

TEST_F(SegmentRunsTest, SegmentsSmallerThanKAreSuppressedEverywhere) {
  // The five heaviest spenders: fewer than k = 10.
  auto v = gate::build_view(
      *sd_, {.purpose = "segmentation", .as_of = kNow, .actor = "test", .columns = {"monetary"}},
      kNow);
  ASSERT_OK(v);
  std::vector<double> spend = v->column("monetary")->numbers;
  std::sort(spend.rbegin(), spend.rend());
  ASSERT_GT(spend[5], 0);
  ASSERT_GT(spend[4], spend[5]);
  auto out = create_segment(*sd_,
                            {.name = "whales",
                             .purpose = "segmentation",
                             .kind = SegmentKind::kRule,
                             .rule = fmt::format("monetary > {}", spend[5])},
                            ctx());
  ASSERT_OK(out);
  auto counts = sd_->store->membership_counts(out->run.run_id);
  ASSERT_OK(counts);
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(counts->front().second, 5);  // kept inside, never released
  EXPECT_TRUE(out->release.groups.empty());
  EXPECT_EQ(out->release.suppressed, 1);
  EXPECT_TRUE(members("whales").empty());
  auto st = segment_state(*sd_, "whales");
  ASSERT_OK(st);
  auto exported = export_segment(*sd_, *st, (store_.path() / "w.csv").string(), false, ctx());
  ASSERT_OK(exported);
  EXPECT_EQ(exported->rows, 0);
}

TEST_F(SegmentRunsTest, RefreshReplacesMembershipsAndKeepsTheRunHistory) {
  ASSERT_OK(create_segment(*sd_, kmeans_def("clusters", 3), ctx()));
  const auto first = members("clusters").size();
  ASSERT_OK(refresh_segment(*sd_, "clusters", {.now = kNow + 60}));
  auto st = segment_state(*sd_, "clusters");
  ASSERT_OK(st);
  EXPECT_EQ(st->runs, 2);
  EXPECT_EQ(members("clusters").size(), first);  // same data, same seed
  auto counts = sd_->store->membership_counts(st->latest->run_id - 1);
  ASSERT_OK(counts);
  EXPECT_TRUE(counts->empty());  // the older run keeps its model, not its members
}

TEST_F(SegmentRunsTest, AFailedRunStoresNothing) {
  EXPECT_THAT(create_segment(*sd_,
                             {.name = "bad",
                              .purpose = "segmentation",
                              .kind = SegmentKind::kRule,
                              .rule = "email = 'x'"},
                             ctx()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("email")));
  EXPECT_THAT(
      create_segment(*sd_, {.name = "rfm", .purpose = "lead_scoring", .kind = SegmentKind::kRfm},
                     ctx()),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("no event type with a value")));
  auto all = sd_->store->segments();
  ASSERT_OK(all);
  EXPECT_TRUE(all->empty());
  ASSERT_OK(create_segment(*sd_, kmeans_def("clusters", 3), ctx()));
  EXPECT_THAT(create_segment(*sd_, kmeans_def("clusters", 3), ctx()),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("already exists")));
}

TEST_F(SegmentRunsTest, ExportsArePseudonymousUnlessContactIsAskedAndDeclared) {
  ASSERT_OK(create_segment(*sd_,
                           {.name = "openers",
                            .purpose = "email_marketing",
                            .kind = SegmentKind::kRule,
                            .rule = "count.email_open >= 1"},
                           ctx()));
  auto st = segment_state(*sd_, "openers");
  ASSERT_OK(st);
  const auto plain = store_.path() / "plain.csv";
  auto e1 = export_segment(*sd_, *st, plain.string(), false, ctx());
  ASSERT_OK(e1);
  EXPECT_GT(e1->rows, 0);
  const std::string text = consentric::testing::read_file(plain);
  EXPECT_EQ(text.find('@'), std::string::npos);
  // Every exported member has a disclosure row pointing at the export's audit entry.
  std::vector<Member> exported;
  ASSERT_OK(for_each_member(*sd_, *st, [&](const Member& m) { exported.push_back(m); }));
  ASSERT_EQ(static_cast<std::int64_t>(exported.size()), e1->rows);
  auto told = sd_->store->disclosures(exported.front().subject);
  ASSERT_OK(told);
  ASSERT_EQ(told->size(), 1u);
  EXPECT_EQ(told->front().recipient, "plain.csv");
  EXPECT_EQ(told->front().purpose, "email_marketing");
  EXPECT_EQ(told->front().action, "segment.export");
  EXPECT_THAT(told->front().detail, HasSubstr("\"file\":\"plain.csv\""));
  const auto with = store_.path() / "contact.csv";
  auto e2 = export_segment(*sd_, *st, with.string(), true, ctx());
  ASSERT_OK(e2);
  EXPECT_THAT(e2->columns, ::testing::Contains("email"));
  EXPECT_NE(consentric::testing::read_file(with).find('@'), std::string::npos);
  RunContext marketer = ctx();
  marketer.role = "marketer";
  EXPECT_THAT(export_segment(*sd_, *st, with.string(), true, marketer),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("pii.read")));
  ASSERT_OK(create_segment(*sd_, kmeans_def("clusters", 3), ctx()));
  auto clusters = segment_state(*sd_, "clusters");
  ASSERT_OK(clusters);
  EXPECT_THAT(export_segment(*sd_, *clusters, with.string(), true, ctx()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("no contact fields")));
}

}  // namespace
}  // namespace consentric::runs
