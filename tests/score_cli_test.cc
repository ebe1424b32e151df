// The score commands end to end: the real binary on a real store of generated customers, with
// the generated outcomes (outcomes.csv: customer_id, converted) as labels.

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::CommandRun;
using ::consentric::testing::read_file;
using ::consentric::testing::run;
using ::testing::HasSubstr;
using ::testing::Not;

class ScoreCli : public ::consentric::testing::StoreCliTest {
 protected:
  void SetUp() override {
    StoreCliTest::SetUp();
    import_generated(600, 5, {"profiles", "events", "consents"});
  }
  std::string labels() const { return path("data") + "/outcomes.csv"; }

  // The customer ids of the generated file, in file order, with their e-mail addresses.
  std::vector<std::pair<std::string, std::string>> customers() const {
    std::istringstream in(read_file(path("data") + "/profiles.csv"));
    std::string line;
    std::getline(in, line);  // header: customer_id,email,...
    std::vector<std::pair<std::string, std::string>> out;
    while (std::getline(in, line)) {
      const auto c1 = line.find(',');
      const auto c2 = line.find(',', c1 + 1);
      out.emplace_back(line.substr(0, c1), line.substr(c1 + 1, c2 - c1 - 1));
    }
    return out;
  }
};

TEST_F(ScoreCli, TrainShowListRunExplainWithContributionsThatAddUp) {
  CommandRun r = at_store("score train --purpose lead_scoring --labels " + labels());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("# Model card: lead_scoring v1 (logistic regression)"));
  EXPECT_THAT(r.output, HasSubstr("Legal basis: legitimate_interest"));
  EXPECT_THAT(r.output, HasSubstr("Review due: "));
  EXPECT_THAT(r.output, HasSubstr("Model 1: active"));
  r = at_store("score train --purpose lead_scoring --kind trees --labels " + labels());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("gradient-boosted trees"));

  const nlohmann::json list = json_of("score list");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(list[0]["active"].get<bool>());
  EXPECT_FALSE(list[1]["active"].get<bool>());
  // Better than chance (the model quality itself is scoring_test's: 150 validation people are
  // too few to ask for more here).
  EXPECT_GT(list[1]["auc"].get<double>(), 0.5);
  EXPECT_LE(list[1]["auc"].get<double>(), 1.0);

  // The card as it leaves: no count of people from 1 to k - 1, no rates of a small bin.
  const nlohmann::json card = json_of("score show 2");
  EXPECT_EQ(card["model"]["kind"], "trees");
  EXPECT_GE(card["subjects"]["train"].get<std::int64_t>(), 10);
  for (const auto& bin : card["metrics"]["calibration"]) {
    if (bin["count"].is_null()) {
      EXPECT_TRUE(bin["observed_rate"].is_null()) << bin.dump();
    } else {
      const auto n = bin["count"].get<std::int64_t>();
      EXPECT_TRUE(n == 0 || n >= 10) << bin.dump();
    }
  }

  // The card as files: Markdown and JSON, with the same small-group rule.
  r = at_store("score show 1 --out " + path("card.md"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(read_file(path("card.md")), HasSubstr("## Calibration"));
  ASSERT_EQ(at_store("score show 1 --out " + path("card.json")).exit_code, 0);
  const nlohmann::json written = nlohmann::json::parse(read_file(path("card.json")));
  EXPECT_EQ(written["model"]["id"], 1);
  EXPECT_EQ(written["purpose"], "lead_scoring");

  for (const std::string id : {"2", "1"}) {
    r = at_store("score activate " + id);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const nlohmann::json ran = json_of("score run --purpose lead_scoring --top 3");
    EXPECT_GT(ran["scored"].get<std::int64_t>(), 500);
    ASSERT_EQ(ran["top"].size(), 3u);
    // Everyone scored can be explained, and the explanation adds up to the score.
    for (const auto& [customer, email] : customers()) {
      const CommandRun e =
          at_store("--json score explain --purpose lead_scoring customer_id=" + customer);
      if (e.exit_code != 0) continue;  // objected to lead scoring (the generator has some)
      const nlohmann::json x = nlohmann::json::parse(e.output);
      double sum = x["bias"].get<double>() + x["rest"].get<double>();
      for (const auto& c : x["top"]) sum += c["value"].get<double>();
      EXPECT_NEAR(sum, x["margin"].get<double>(), 1e-4) << e.output;
      EXPECT_THAT(x["top"][0]["text"].get<std::string>(),
                  ::testing::MatchesRegex(".+: [+-][0-9]+\\.[0-9][0-9]"));
      const CommandRun words = at_store("score explain --purpose lead_scoring email=" + email);
      EXPECT_EQ(words.exit_code, 0) << words.output;
      EXPECT_THAT(words.output, HasSubstr("= log-odds"));
      break;
    }
  }
  const std::string log = at_store("audit log").output;
  EXPECT_THAT(log, HasSubstr("score.train"));
  EXPECT_THAT(log, HasSubstr("score.run"));
  EXPECT_THAT(log, HasSubstr("score.activate"));
}

// A consent purpose scores only those whose consent is valid; a withdrawal takes the score away,
// marks the model stale, and retraining leaves the person out.
TEST_F(ScoreCli, NoConsentNoScoreAndAWithdrawalMakesTheModelStale) {
  CommandRun r = at_store("-q score train --purpose segmentation --labels " + labels());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json ran = json_of("score run --purpose segmentation --top 0");
  const std::int64_t scored = ran["scored"].get<std::int64_t>();
  int without = 0;
  std::string someone;  // a scored person
  for (const auto& [customer, email] : customers()) {
    const nlohmann::json gates = json_of("consent show customer_id=" + customer);
    bool lawful = false;
    for (const auto& p : gates["purposes"]) {
      if (p["purpose"] == "segmentation") lawful = p["gate_open"].get<bool>();
    }
    const CommandRun e = at_store("score explain --purpose segmentation customer_id=" + customer);
    EXPECT_EQ(e.exit_code == 0, lawful) << customer << ": " << e.output;
    if (!lawful) ++without;
    if (lawful && someone.empty()) someone = customer;
    if (without >= 3 && !someone.empty()) break;
  }
  ASSERT_GE(without, 3) << "everyone consented: no test";
  ASSERT_FALSE(someone.empty());

  r = at_store("consent withdraw --purpose segmentation customer_id=" + someone);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = at_store("score explain --purpose segmentation customer_id=" + someone);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  nlohmann::json list = json_of("score list --purpose segmentation");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(list[0]["stale"].get<bool>());
  r = at_store("score run --purpose segmentation");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("stale"));
  EXPECT_THAT(at_store("score list").output, HasSubstr("STALE"));

  r = at_store("score retrain --labels " + labels());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("give --stale"));
  const nlohmann::json re = json_of("score retrain --stale --labels " + labels());
  ASSERT_EQ(re.size(), 1u);
  EXPECT_EQ(re[0]["retrained_from"], 1);
  list = json_of("score list --purpose segmentation");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(list[1]["active"].get<bool>());
  EXPECT_FALSE(list[1]["stale"].get<bool>());
  const nlohmann::json again = json_of("score run --purpose segmentation --top 0");
  EXPECT_EQ(again["scored"].get<std::int64_t>(), scored - 1);
  r = at_store("score explain --purpose segmentation customer_id=" + someone);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("has no score"));
}

TEST_F(ScoreCli, AnObjectionAndAnErasureMakeTheModelStale) {
  CommandRun r = at_store("-q score train --purpose lead_scoring --labels " + labels());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(at_store("-q score run --purpose lead_scoring").exit_code, 0);
  std::vector<std::string> scored;
  for (const auto& [customer, email] : customers()) {
    if (at_store("score explain --purpose lead_scoring customer_id=" + customer).exit_code == 0) {
      scored.push_back(customer);
    }
    if (scored.size() == 2) break;
  }
  ASSERT_EQ(scored.size(), 2u);
  r = at_store("dsar object --purpose lead_scoring customer_id=" + scored[0]);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(json_of("score list")[0]["stale"].get<bool>());
  EXPECT_EQ(at_store("score explain --purpose lead_scoring customer_id=" + scored[0]).exit_code, 1);

  const nlohmann::json re = json_of("score retrain --stale --labels " + labels());
  ASSERT_EQ(re.size(), 1u);
  ASSERT_EQ(at_store("-q score run --purpose lead_scoring").exit_code, 0);
  r = at_store("dsar erase customer_id=" + scored[1]);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json list = json_of("score list");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(list[1]["stale"].get<bool>()) << list.dump();
  EXPECT_THAT(list[1]["stale_reason"].get<std::string>(), HasSubstr("erased"));
}

// GDPR Art. 22(3): on a purpose that makes automated decisions, scores beyond the declared
// thresholds wait for a person, and the person's decision is audited.
TEST_F(ScoreCli, ScoresBeyondTheThresholdsWaitForAReviewer) {
  std::string yaml =
      read_file(std::string(CONSENTRIC_SOURCE_DIR) + "/examples/b2b_saas/consentric.yaml");
  const std::string flag = "    automated_decision: false\n";
  const auto at = yaml.find(flag, yaml.find("  - id: lead_scoring\n"));
  ASSERT_NE(at, std::string::npos);
  yaml.replace(at, flag.size(),
               "    automated_decision: true\n    score_review: {above: 0.7, below: 0.01}\n");
  ::consentric::testing::write_file(path("auto.yaml"), yaml);
  ASSERT_EQ(run("init " + path("s3") + " --config " + path("auto.yaml")).exit_code, 0);
  const std::string s3 = "--store " + path("s3") + " ";
  for (const std::string kind : {"profiles", "events", "consents"}) {
    const std::string file = kind == "profiles" ? "profiles.csv" : kind + ".ndjson";
    ASSERT_EQ(run(s3 + "-q import " + kind + " " + path("data") + "/" + file).exit_code, 0);
  }
  ASSERT_EQ(run(s3 + "-q score train --purpose lead_scoring --labels " + labels()).exit_code, 0);
  CommandRun r = run(s3 + "score run --purpose lead_scoring");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("wait for a person"));
  r = run(s3 + "--json score review list --purpose lead_scoring");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json open = nlohmann::json::parse(r.output);
  ASSERT_FALSE(open.empty());
  for (const auto& v : open) {
    const double score = v["score"].get<double>();
    EXPECT_TRUE(score >= 0.7 || score <= 0.01) << v.dump();
  }
  const std::string id = std::to_string(open[0]["id"].get<std::int64_t>());
  r = run(s3 + "score review decide " + id);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("exactly one of --confirm and --override"));
  r = run(s3 + "score review decide " + id + " --override --note 'spoke to sales'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("overridden; recorded as score.review"));
  r = run(s3 + "score review decide " + id + " --confirm");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("decided already"));
  r = run(s3 + "--json score review list --status all");
  EXPECT_EQ(nlohmann::json::parse(r.output).size(), open.size());
  EXPECT_THAT(run(s3 + "audit log").output, HasSubstr("score.review"));
}

TEST_F(ScoreCli, SpecialCategoryFieldIsRefusedByName) {
  // The quickstart declaration with one special-category field, in a store of its own.
  std::string yaml =
      read_file(std::string(CONSENTRIC_SOURCE_DIR) + "/examples/b2b_saas/consentric.yaml");
  const std::string anchor = "  - {name: signup_date";
  ASSERT_NE(yaml.find(anchor), std::string::npos);
  yaml.insert(yaml.find(anchor),
              "  - {name: health_note, type: category, "
              "category: special_category, values: [none, chronic]}\n");
  ::consentric::testing::write_file(path("special.yaml"), yaml);
  CommandRun r = run("init " + path("s2") + " --config " + path("special.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run("--store " + path("s2") + " score train --purpose lead_scoring --labels " + labels() +
          " --features count.email_open,health_note");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("field \"health_note\" is a special category"));
  r = run("--store " + path("s2") + " score list");
  EXPECT_THAT(r.output, HasSubstr("No models yet"));
  // Unknown columns and kinds are named too.
  r = at_store("score train --purpose lead_scoring --kind forest --labels " + labels());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("model kind \"forest\": expected lr or trees"));
  r = at_store("score train --purpose lead_scoring --labels " + labels() + " --label-column won");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("no column \"won\""));
}

}  // namespace
}  // namespace consentric

namespace consentric {
namespace {

// Points end to end: run, the top leads, one person's log summing to their total, and their
// access report carrying the same.
TEST_F(ScoreCli, PointsRunTopShowAndAccess) {
  const nlohmann::json first = json_of("score points run");
  EXPECT_EQ(first["purpose"], "lead_scoring");
  ASSERT_GT(first["entries"].get<std::int64_t>(), 0);
  EXPECT_TRUE(first["grades"].contains("A") && first["grades"].contains("D")) << first.dump();
  // Moments later only the odd rounding of decay moves.
  CommandRun r = at_store("score points run");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("recorded as points.run"));
  EXPECT_THAT(r.output, ::testing::ContainsRegex("grade +people"));
  const nlohmann::json second = json_of("score points run");
  EXPECT_LT(second["entries"].get<std::int64_t>(), first["entries"].get<std::int64_t>() / 10);

  const nlohmann::json top = json_of("score points top --n 3");
  ASSERT_EQ(top.size(), 3u);
  EXPECT_GE(top[0]["points"].get<double>(), top[1]["points"].get<double>());
  r = at_store("score points top --n 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(top[0]["subject"].get<std::string>()));

  // One person's points: their log sums to their total, and the top list agrees on them.
  const auto [id, email] = customers().front();
  const nlohmann::json p = json_of("score points show customer_id=" + id);
  double sum = 0;
  for (const auto& e : p["log"]) sum += e["points"].get<double>();
  EXPECT_NEAR(sum, p["points"].get<double>(), 1e-9);
  bool listed = false;
  for (const auto& t : json_of("score points top --n 0")) {
    if (t["subject"] != p["subject"]) continue;
    listed = true;
    EXPECT_EQ(t["grade"], p["grade"]);
    EXPECT_EQ(t["points"], p["points"]);
  }
  EXPECT_TRUE(listed);
  r = at_store("score points show " + email);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("The log sums to the total"));
  r = at_store("dsar access " + email + " --json " + path("a.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json report = nlohmann::json::parse(read_file(path("a.json")));
  ASSERT_EQ(report["points"]["items"].size(), 1u);
  EXPECT_EQ(report["points"]["items"][0]["grade"], p["grade"]);
  EXPECT_FALSE(report["points"]["items"][0]["log"].empty());

  r = at_store("score points show customer_id=NOBODY");
  EXPECT_EQ(r.exit_code, 1) << r.output;
}

}  // namespace
}  // namespace consentric
