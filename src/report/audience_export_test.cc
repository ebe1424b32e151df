#include "report/audience_export.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "consent/subjects.h"
#include "report/report_fixture_test.h"
#include "rights/access_report.h"

namespace consentric::report {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

class AudienceExportTest : public ReportStoreTest {
 protected:
  std::filesystem::path out(const std::string& name) { return store_.path() / name; }
};

TEST_F(AudienceExportTest, EveryClassHoldsKAndEachMemberIsADisclosureToTheRecipient) {
  const auto file = out("adnet.csv");
  auto r = export_audience(*sd_,
                           {.segment = "clusters",
                            .recipient = "adnet_eu",
                            .fields = {"country", "age", "industry"},
                            .out = file.string()},
                           ctx());
  ASSERT_OK(r);
  EXPECT_EQ(r->k, 10);
  EXPECT_GT(r->rows, 0);
  EXPECT_LE(r->suppressed, static_cast<std::int64_t>(0.05 * (r->rows + r->suppressed)));
  EXPECT_GE(r->after.smallest_class, 10);
  EXPECT_LT(r->before.smallest_class, 10);  // as held, country x age singles people out
  ASSERT_EQ(r->columns.size(), 3u);
  EXPECT_TRUE(r->columns[0].quasi_identifier);
  EXPECT_FALSE(r->columns[2].quasi_identifier);
  EXPECT_EQ(r->columns[2].treatment, "as is");

  const auto rows = read_csv(file);
  ASSERT_EQ(rows.front(),
            (std::vector<std::string>{"token", "segment", "country", "age", "industry"}));
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()) - 1, r->rows);
  std::map<std::pair<std::string, std::string>, int> classes;
  std::set<std::string> tokens;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5u);
    EXPECT_EQ(rows[i][0].size(), 32u);
    tokens.insert(rows[i][0]);
    ++classes[{rows[i][2], rows[i][3]}];
  }
  EXPECT_EQ(tokens.size(), rows.size() - 1);
  for (const auto& [key, n] : classes) EXPECT_GE(n, 10) << key.first << " " << key.second;
  // No token is a pseudonym the store hands out elsewhere.
  const gate::PurposeView all = view({"age"});
  for (const std::string& id : all.row_ids()) EXPECT_FALSE(tokens.contains(id));

  EXPECT_EQ(audit_count("export.audience"), 1);
  // Art. 15(1)(c): each exported member has the recipient among their disclosures.
  auto members = runs::segment_state(*sd_, "clusters");
  ASSERT_OK(members);
  std::int64_t disclosed = 0;
  ASSERT_OK(runs::for_each_member(*sd_, *members, [&](const runs::Member& m) {
    auto d = sd_->store->disclosures(m.subject);
    ASSERT_OK(d);
    for (const DisclosureRow& row : *d) disclosed += row.recipient == "adnet_eu";
  }));
  EXPECT_EQ(disclosed, r->rows);

  // Their access report names the recipient as the declaration describes it (Art. 15(1)(c)).
  std::optional<SubjectId> exported;
  ASSERT_OK(runs::for_each_member(*sd_, *members, [&](const runs::Member& m) {
    auto d = sd_->store->disclosures(m.subject);
    if (!exported && d.ok() && !d->empty()) exported = m.subject;
  }));
  ASSERT_TRUE(exported.has_value());
  auto report = rights::build_access_report(*sd_, *exported, kNow);
  ASSERT_OK(report);
  const auto& to = (*report)["recipients"][0];
  EXPECT_EQ(to["recipient"], "adnet_eu");
  EXPECT_EQ(to["recipient_country"], "IE");
  EXPECT_EQ(to["action"], "export.audience");
  EXPECT_THAT(to["recipient_description"].get<std::string>(), HasSubstr("lookalike audiences"));
}

TEST_F(AudienceExportTest, TokensAreStablePerRecipientAndUnrelatedAcrossRecipients) {
  const auto tokens_of = [&](const std::string& recipient, const std::string& name) {
    auto r = export_audience(
        *sd_, {.segment = "clusters", .recipient = recipient, .out = out(name).string()}, ctx());
    EXPECT_OK(r);
    std::set<std::string> t;
    const auto rows = read_csv(out(name));
    for (std::size_t i = 1; i < rows.size(); ++i) t.insert(rows[i][0]);
    return t;
  };
  const auto a1 = tokens_of("adnet_eu", "a1.csv");
  const auto a2 = tokens_of("adnet_eu", "a2.csv");
  const auto e = tokens_of("events_partner", "e.csv");
  EXPECT_FALSE(a1.empty());
  EXPECT_EQ(a1, a2);
  std::vector<std::string> common;
  std::set_intersection(a1.begin(), a1.end(), e.begin(), e.end(), std::back_inserter(common));
  EXPECT_TRUE(common.empty());
  EXPECT_EQ(e.size(), a1.size());
}

TEST_F(AudienceExportTest, RefusesWhatTheDeclarationDoesNotAllow) {
  const auto status = [&](AudienceRequest r) {
    r.out = out("x.csv").string();
    return export_audience(*sd_, r, ctx()).status();
  };
  EXPECT_THAT(
      status({.segment = "clusters", .recipient = "someone"}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("recipient \"someone\" is not declared")));
  EXPECT_THAT(status({.segment = "clusters", .recipient = "adnet_eu", .fields = {"email"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not declared by purpose")));
  EXPECT_THAT(status({.segment = "clusters", .recipient = "adnet_eu", .fields = {"city"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not declared by purpose")));
  EXPECT_THAT(status({.segment = "clusters", .recipient = "adnet_eu", .k = 5}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("below the declared k_anonymity")));
  EXPECT_THAT(status({.segment = "clusters", .recipient = "adnet_eu", .fields = {"age", "age"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("names age twice")));
  EXPECT_THAT(status({.segment = "nope", .recipient = "adnet_eu"}),
              StatusIs(StatusCode::kNotFound, ::testing::_));
  EXPECT_FALSE(std::filesystem::exists(out("x.csv")));
  EXPECT_EQ(audit_count("export.audience"), 0);
}

TEST_F(AudienceExportTest, AnAudienceSmallerThanKIsRefusedWithoutSayingItsSize) {
  // k far above the segment: refused, and the message holds no count of people.
  auto r = export_audience(
      *sd_,
      {.segment = "clusters", .recipient = "adnet_eu", .k = 100000, .out = out("big.csv").string()},
      ctx());
  EXPECT_THAT(r.status(), StatusIs(StatusCode::kFailedPrecondition,
                                   HasSubstr("fewer than k = 100000 members")));
  EXPECT_THAT(r.status().message(), Not(::testing::ContainsRegex("has [0-9]+ members")));
  EXPECT_FALSE(std::filesystem::exists(out("big.csv")));
}

TEST_F(AudienceExportTest, LDiversityCoarsensFurtherOrRefusesSayingByHowMuch) {
  // lead_source as the sensitive attribute (6 values), watched in every class.
  std::string yaml(synth::quickstart_config_yaml());
  const std::string from = "  - name: lead_source\n    type: category\n";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), from + "    sensitive: true\n");
  ASSERT_OK(apply_config(*sd_, yaml, "q.yaml", kNow));
  auto ok = export_audience(*sd_,
                            {.segment = "clusters",
                             .recipient = "adnet_eu",
                             .fields = {"country", "age", "lead_source"},
                             .l = 3,
                             .out = out("l3.csv").string()},
                            ctx());
  ASSERT_OK(ok);
  EXPECT_EQ(ok->l, 3);
  EXPECT_EQ(ok->columns[2].treatment, "as is (sensitive)");
  std::map<std::pair<std::string, std::string>, std::set<std::string>> sources;
  const auto rows = read_csv(out("l3.csv"));
  for (std::size_t i = 1; i < rows.size(); ++i)
    sources[{rows[i][2], rows[i][3]}].insert(rows[i][4]);
  for (const auto& [key, values] : sources) EXPECT_GE(values.size(), 3u) << key.first;

  auto refused = export_audience(*sd_,
                                 {.segment = "clusters",
                                  .recipient = "adnet_eu",
                                  .fields = {"country", "lead_source"},
                                  .l = 7,
                                  .out = out("l7.csv").string()},
                                 ctx());
  EXPECT_THAT(refused.status(),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("audience refused")));
  EXPECT_FALSE(std::filesystem::exists(out("l7.csv")));
}

TEST_F(AudienceExportTest, ADryRunWritesAndRecordsNothing) {
  auto r = export_audience(*sd_,
                           {.segment = "clusters",
                            .recipient = "adnet_eu",
                            .fields = {"country", "age"},
                            .out = out("dry.csv").string(),
                            .dry_run = true},
                           ctx());
  ASSERT_OK(r);
  EXPECT_GT(r->rows, 0);
  EXPECT_TRUE(r->hash.empty());
  EXPECT_FALSE(std::filesystem::exists(out("dry.csv")));
  EXPECT_EQ(audit_count("export.audience"), 0);
}

}  // namespace
}  // namespace consentric::report
