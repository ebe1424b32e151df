#include "governance/quality.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ingest/importer.h"
#include "testing/status_matchers.h"

namespace consentric::governance {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kConfig = R"(version: 1
controller: {name: Test Ltd, contact: dpo@test.example, country: DE}
k_anonymity: 2
quality: {stale_after: 365d}
identifiers:
  - {field: email, kind: email}
  - {field: customer_id, kind: customer_id}
fields:
  - {name: customer_id, type: string, category: identity, pii: true}
  - {name: email, type: string, category: contact, pii: true}
  - {name: age, type: int, category: demographic, min: 16, max: 100}
  - {name: score, type: float, category: behavioral, pii: true, min: 0, max: 1}
  - {name: country, type: category, category: location, values: [DE, FR, IT]}
purposes:
  - id: newsletter
    legal_basis: consent
    notice_version: "v1"
)";

constexpr UnixSeconds kDay = 86'400;
constexpr UnixSeconds kNow = 1'780'272'000;  // 2026-06-01T00:00:00Z

class QualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_.path() / "store", kConfig, "test.yaml", kNow - 800 * kDay,
                             {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
  }

  void import(ingest::ImportKind kind, const std::string& text, UnixSeconds when) {
    const auto path = dir_.path() / ("f" + std::to_string(files_++) +
                                     (kind == ingest::ImportKind::kProfiles ? ".csv" : ".ndjson"));
    consentric::testing::write_file(path, text);
    ASSERT_OK(ingest::import_file(*sd_, {.kind = kind, .file = path, .now = when}));
  }

  void clean_people(UnixSeconds when) {
    import(ingest::ImportKind::kProfiles,
           "customer_id,email,age,score,country\n"
           "C1,ann@northwind.example,34,0.5,DE\n"
           "C2,bob@gmail.com,16,0,FR\n"
           "C3,cy+news@inbox.test,100,1,IT\n",
           when);
    import(
        ingest::ImportKind::kConsents,
        R"({"email":"ann@northwind.example","purpose":"newsletter","action":"grant","time":"2026-05-01T00:00:00Z","notice_version":"v1","proof":{"form_id":"f1"}})"
        "\n",
        kNow);
  }

  QualityReport report(const Config& config, bool identify = false) {
    auto r = check_quality(*sd_, config, kNow, {.identify = identify});
    EXPECT_OK(r);
    return r.ok() ? *r : QualityReport{};
  }

  static const QualityCheckResult& check(const QualityReport& r, std::string_view name) {
    for (const auto& c : r.checks) {
      if (c.name == name) return c;
    }
    ADD_FAILURE() << "no check " << name;
    static const QualityCheckResult kNone;
    return kNone;
  }

  static std::vector<std::string> reasons(const QualityCheckResult& c) {
    std::vector<std::string> out;
    for (const auto& f : c.findings) out.push_back(f.reason);
    std::sort(out.begin(), out.end());
    return out;
  }

  consentric::testing::TempDir dir_;
  std::optional<StoreDir> sd_;
  int files_ = 0;
};

TEST_F(QualityTest, CleanDataHasNoFinding) {
  clean_people(kNow - 10 * kDay);
  const QualityReport r = report(sd_->config);
  EXPECT_EQ(r.people, 3);
  ASSERT_EQ(r.checks.size(), 6u);
  for (const auto& c : r.checks) {
    EXPECT_EQ(c.count, 0) << c.name << ": " << (c.findings.empty() ? "" : c.findings[0].reason);
    EXPECT_THAT(c.findings, IsEmpty());
  }
  EXPECT_EQ(check(r, "stale_profiles").population, 3);
  EXPECT_EQ(check(r, "email_invalid").population, 3);
  EXPECT_EQ(check(r, "consent_without_proof").population, 1);
}

TEST_F(QualityTest, EachCheckFindsExactlyThePlantedDefects) {
  clean_people(kNow - 10 * kDay);
  // Planted: one stale profile (written 366 days ago), two broken and two undeliverable
  // addresses, a mailbox stored twice (sub-address and case), values out of range, and
  // grants without proof.
  import(ingest::ImportKind::kProfiles,
         "customer_id,email,age,score,country\nS1,old@northwind.example,50,0.1,DE\n",
         kNow - 366 * kDay);
  import(ingest::ImportKind::kProfiles,
         "customer_id,email,age,score,country\nS2,fresh@northwind.example,50,0.1,DE\n",
         kNow - 365 * kDay);  // exactly at the threshold: not stale
  import(ingest::ImportKind::kProfiles,
         "customer_id,email,age,score,country\n"
         "D1,dan..x@northwind.example,40,0.2,DE\n"
         "D2,eve@northwind.example.,40,0.2,DE\n"
         "D3,fay@gmial.com,40,0.2,DE\n"
         "D4,gus@shop.con,40,0.2,DE\n"
         "D5,Ann+Shop@Northwind.example,40,0.2,DE\n",
         kNow - 5 * kDay);
  import(
      ingest::ImportKind::kConsents,
      R"({"email":"bob@gmail.com","purpose":"newsletter","action":"grant","time":"2026-05-01T00:00:00Z","notice_version":"v1"})"
      "\n"
      R"({"email":"cy+news@inbox.test","purpose":"newsletter","action":"grant","time":"2026-05-01T00:00:00Z","notice_version":"v1","proof":{}})"
      "\n",
      kNow);
  // The declaration narrowed after the import: age now from 18, score up to 0.15, no IT.
  std::string narrower(kConfig);
  narrower.replace(narrower.find("min: 16"), 7, "min: 18");
  narrower.replace(narrower.find("min: 0, max: 1"), 14, "min: 0, max: 0.15");
  narrower.replace(narrower.find("DE, FR, IT"), 10, "DE, FR");
  auto config = parse_config(narrower, "narrower.yaml");
  ASSERT_OK(config);

  const QualityReport r = report(*config, /*identify=*/true);
  EXPECT_EQ(r.people, 10);
  const auto& stale = check(r, "stale_profiles");
  ASSERT_EQ(stale.count, 1);
  EXPECT_EQ(stale.findings[0].identifier, "email=old@northwind.example");
  EXPECT_THAT(stale.findings[0].reason, HasSubstr("last updated"));
  EXPECT_DOUBLE_EQ(stale.share(), 1.0 / 10);

  EXPECT_THAT(reasons(check(r, "email_invalid")),
              ElementsAre(HasSubstr("email: an empty part in the domain"),
                          HasSubstr("email: two dots in a row")));
  EXPECT_THAT(reasons(check(r, "email_undeliverable")),
              ElementsAre(HasSubstr("\".con\" looks like a misspelt"),
                          HasSubstr("\"gmial.com\" looks like a misspelt \"gmail.com\"")));

  const auto& dups = check(r, "duplicates");
  ASSERT_EQ(dups.count, 2);  // ann (C1) and her sub-addressed second record (D5)
  std::vector<std::string> ids = {dups.findings[0].identifier, dups.findings[1].identifier};
  std::sort(ids.begin(), ids.end());
  EXPECT_THAT(ids, ElementsAre("email=Ann+Shop@Northwind.example", "email=ann@northwind.example"));
  EXPECT_EQ(dups.findings[0].reason, "same mailbox as " + dups.findings[1].pseudonym);

  // bob's age 16 (min 18); ann's score 0.5, cy's 1 (a pii field, decrypted) and the D
  // people's 0.2 above 0.15; cy's country IT. S1 and S2 (0.1) keep to every range.
  const auto& range = check(r, "out_of_range");
  EXPECT_EQ(range.count, 3 + 5);
  EXPECT_THAT(reasons(range), ::testing::Contains("age: below the declared min 18"));
  EXPECT_THAT(reasons(range), ::testing::Contains("score: above the declared max 0.15; country: "
                                                  "not one of the declared values"));

  const auto& proofs = check(r, "consent_without_proof");
  EXPECT_EQ(proofs.population, 3);
  EXPECT_THAT(reasons(proofs), ElementsAre("no proof for newsletter", "no proof for newsletter"));
}

TEST_F(QualityTest, IdentifiersOnlyWhenAsked) {
  clean_people(kNow - 400 * kDay);
  const QualityReport r = report(sd_->config);
  const auto& stale = check(r, "stale_profiles");
  ASSERT_EQ(stale.count, 3);
  for (const auto& f : stale.findings) {
    EXPECT_TRUE(f.identifier.empty());
    EXPECT_FALSE(f.pseudonym.empty());
  }
}

}  // namespace
}  // namespace consentric::governance
