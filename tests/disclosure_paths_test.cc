// DESIGN.md invariant 5 on every path out: each command that cli/output_policy.cc says releases
// aggregates runs here on a store whose lawful groups are all smaller than k, and no count of
// people between 1 and k - 1 may come out of it. A command classified as releasing aggregates
// without a check below fails the test, so no new path out goes unchecked.

#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/output_policy.h"
#include "cli_test_util.h"

namespace consentric::testing {
namespace {

constexpr int kK = 10;  // the quickstart declaration's k_anonymity

// A count of people that may leave: not shown (null), none, or at least k.
::testing::AssertionResult releasable(const nlohmann::json& v, const std::string& what) {
  if (v.is_null()) return ::testing::AssertionSuccess();
  if (!v.is_number()) return ::testing::AssertionFailure() << what << " is " << v.dump();
  const double n = v.get<double>();
  if (n == 0 || n >= kK) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << " = " << n << " is below k = " << kK;
}

class DisclosurePaths : public StoreCliTest {
 protected:
  void SetUp() override {
    StoreCliTest::SetUp();
    // Twelve people: about half consent to segmentation, so every lawful group is below k.
    import_generated(12, 5, {"profiles", "events", "consents"});
    const CommandRun r = at_store(
        "-q segment create everyone --purpose segmentation --rule "
        "'event_count >= 0'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  // Every check runs one command and inspects what it printed.
  // The checks outlive this call: each captures `this` and the helpers it uses by value.
  std::map<std::string, std::function<void()>> checks() {
    std::map<std::string, std::function<void()>> c;
    c["status"] = [this] {
      const auto j = json_of("status");
      for (const char* key : {"subjects", "anonymous", "identifiers", "profiles", "events",
                              "consent_entries", "data_keys", "suppressed"}) {
        EXPECT_TRUE(releasable(j[key], key));
      }
      for (const auto& p : j["purposes"]) {
        EXPECT_TRUE(releasable(p["granted"], p["purpose"].get<std::string>() + " granted"));
        EXPECT_TRUE(releasable(p["withdrawn"], p["purpose"].get<std::string>() + " withdrawn"));
      }
    };
    c["gate counts"] = [this] {
      const auto j = json_of("gate counts");
      bool saw_small = false;
      for (const auto& p : j["purposes"]) {
        for (const char* key : {"subjects", "consent_granted", "consent_withdrawn", "gate_open"}) {
          EXPECT_TRUE(releasable(p[key], p["purpose"].get<std::string>() + " " + key));
          saw_small = saw_small || p[key].is_null();
        }
      }
      EXPECT_TRUE(saw_small) << "the fixture should hold groups below k";
      const CommandRun text = at_store("gate counts");
      EXPECT_THAT(text.output, ::testing::HasSubstr("< 10"));
    };
    c["gate view"] = [this] {
      const auto j = json_of("gate view --purpose segmentation --columns age");
      EXPECT_TRUE(releasable(j["rows"], "view rows"));
      const CommandRun text = at_store("gate view --purpose segmentation --columns age");
      EXPECT_THAT(text.output, ::testing::HasSubstr("< 10 subjects"));
      EXPECT_THAT(text.output, ::testing::ContainsRegex("age +number +< 10 +-"));
    };
    const auto segment_sizes = [](const nlohmann::json& s) {
      for (const auto& g : s["segments"]) {
        EXPECT_TRUE(releasable(g["members"], "segment " + g["name"].get<std::string>()));
      }
      EXPECT_TRUE(s["segments"].empty()) << s.dump();
      EXPECT_EQ(s["suppressed_segments"], 1);
    };
    c["segment create"] = [this, segment_sizes] {
      segment_sizes(
          json_of("segment create again --purpose segmentation --rule 'event_count >= 0'"));
    };
    c["segment show"] = [this, segment_sizes] { segment_sizes(json_of("segment show everyone")); };
    c["segment refresh"] = [this, segment_sizes] {
      const auto j = json_of("segment refresh everyone");
      segment_sizes(j.is_array() ? j[0] : j);
    };
    c["segment list"] = [this, segment_sizes] {
      for (const auto& s : json_of("segment list")) segment_sizes(s);
    };
    const auto dp = [this](const std::string& args) {
      const auto j = json_of("report dp " + args);
      for (const auto& row : j["released"]) EXPECT_TRUE(releasable(row["value"], args));
      return j;
    };
    c["report dp count"] = [dp] { dp("count --purpose segmentation --epsilon 0.5"); };
    c["report dp histogram"] = [dp] {
      dp("histogram --purpose segmentation --column industry --epsilon 0.5");
    };
    // Sums, means and quantiles pass partition selection with a threshold far above six
    // people: the chance that such a group is released is below 1e-4.
    c["report dp sum"] = [dp] {
      const auto j = dp("sum --purpose segmentation --column age --lower 16 --upper 100");
      EXPECT_TRUE(j["released"][0]["value"].is_null()) << j.dump();
    };
    c["report dp mean"] = [dp] {
      const auto j = dp("mean --purpose segmentation --column age --lower 16 --upper 100");
      EXPECT_TRUE(j["released"][0]["value"].is_null()) << j.dump();
    };
    c["report dp quantiles"] = [dp] {
      const auto j = dp("quantiles --purpose segmentation --column age --lower 16 --upper 100");
      for (const auto& row : j["released"]) EXPECT_TRUE(row["value"].is_null()) << j.dump();
    };
    c["report ropa"] = [this] {
      const auto j =
          json_of("report ropa --out " + path("ropa.md") + " --html " + path("ropa.html"));
      bool saw_small = false;
      for (const auto& p : j["purposes"]) {
        EXPECT_TRUE(releasable(p["lawful_now"], p["purpose"].get<std::string>()));
        saw_small = saw_small || p["lawful_now"].is_null();
      }
      EXPECT_TRUE(saw_small);
      std::ifstream md(path("ropa.md"));
      const std::string text((std::istreambuf_iterator<char>(md)),
                             std::istreambuf_iterator<char>());
      EXPECT_THAT(text, ::testing::HasSubstr("fewer than 10 may be processed"));
    };
    c["doctor"] = [this] {
      const CommandRun r = at_store("doctor --json");
      const auto j = nlohmann::json::parse(r.output, nullptr, false);
      ASSERT_TRUE(j.is_object()) << r.output;
      bool saw_small = false;
      for (const auto& check : j["checks"]) {
        if (!check["name"].get<std::string>().starts_with("coverage:")) continue;
        const std::string figure = check["figure"].get<std::string>();
        // "7 of 12 people" would name a group below k; it must read "fewer than 10 of 12".
        EXPECT_THAT(figure, ::testing::Not(::testing::ContainsRegex("^[1-9] of")));
        // A share would give the hidden count away.
        if (figure.starts_with("fewer than")) {
          EXPECT_THAT(figure, ::testing::Not(::testing::HasSubstr("%")));
        }
        saw_small = saw_small || figure.starts_with("fewer than 10 of");
      }
      EXPECT_TRUE(saw_small);
    };
    c["report dpia"] = [this] {
      const CommandRun r =
          at_store("report dpia --out " + path("dpia.md") + " --html " + path("dpia.html"));
      ASSERT_EQ(r.exit_code, 0) << r.output;
      std::ifstream md(path("dpia.md"));
      const std::string text((std::istreambuf_iterator<char>(md)),
                             std::istreambuf_iterator<char>());
      EXPECT_THAT(text, ::testing::HasSubstr("fewer than 10"));
      // A number of people below k would read "| no | 7 |" at the end of a purpose's row.
      EXPECT_THAT(text, ::testing::Not(::testing::ContainsRegex("(yes|no) \\| [1-9] \\|")));
    };
    c["export audience"] = [this] {
      const CommandRun r = at_store(
          "export audience --segment everyone --recipient adnet_eu "
          "--out " +
          path("aud.csv"));
      EXPECT_EQ(r.exit_code, 1) << r.output;
      EXPECT_THAT(r.output, ::testing::HasSubstr("fewer than k = 10 members"));
      EXPECT_FALSE(std::filesystem::exists(path("aud.csv")));
    };
    // Lead scoring: a model needs at least k labelled people of each class, so on this store
    // training is refused without a count below k, and there is no card to show.
    c["score train"] = [this] {
      const CommandRun r =
          at_store("score train --purpose lead_scoring --labels " + path("data") + "/outcomes.csv");
      EXPECT_EQ(r.exit_code, 1) << r.output;
      EXPECT_THAT(r.output, ::testing::HasSubstr("each class needs at least k = 10"));
      EXPECT_THAT(r.output, ::testing::Not(::testing::ContainsRegex("[^0-9,][1-9] of the people")));
    };
    c["score show"] = [this] {
      const CommandRun r = at_store("score show 1");
      EXPECT_EQ(r.exit_code, 1) << r.output;
      EXPECT_THAT(r.output, ::testing::HasSubstr("no model 1"));
    };
    // Points: twelve people in four grades, so some count of people is below k, and every such
    // count is withheld.
    c["score points run"] = [this] {
      const auto j = json_of("score points run");
      bool saw_small = false;
      for (const char* key : {"subjects", "changed", "dropped", "mql"}) {
        EXPECT_TRUE(releasable(j[key], key)) << j.dump();
        saw_small = saw_small || j[key].is_null();
      }
      for (const auto& [grade, n] : j["grades"].items()) {
        EXPECT_TRUE(releasable(n, "grade " + grade)) << j.dump();
        saw_small = saw_small || n.is_null();
      }
      EXPECT_TRUE(saw_small) << "the fixture should hold groups below k: " << j.dump();
      const CommandRun text = at_store("score points run");
      EXPECT_EQ(text.exit_code, 0) << text.output;
      EXPECT_THAT(text.output, ::testing::HasSubstr("< 10"));
      EXPECT_THAT(text.output,
                  ::testing::Not(::testing::ContainsRegex("\n([A-D]|MQL) +[1-9] *\n")));
    };
    c["score retrain"] = [this] {
      const auto j = json_of("score retrain --stale --labels " + path("data") + "/outcomes.csv");
      EXPECT_TRUE(j.is_array() && j.empty()) << j.dump();
    };
    return c;
  }
};

TEST_F(DisclosurePaths, NoCommandReleasesACountOfPeopleBelowK) {
  auto all = checks();
  int checked = 0;
  for (const cli::CommandOutput& c : cli::command_outputs()) {
    if (c.kind != cli::OutputKind::kAggregates) continue;
    const auto it = all.find(std::string(c.command));
    ASSERT_NE(it, all.end()) << "\"" << c.command
                             << "\" releases aggregates but has no check in this test";
    SCOPED_TRACE(std::string(c.command));
    it->second();
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(all.size())) << "a check for a command not so classified";
}

}  // namespace
}  // namespace consentric::testing
