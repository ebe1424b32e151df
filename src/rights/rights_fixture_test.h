#pragma once

// Test-only: a small store built through the real import path (profiles, events, consents),
// shared by the access and portability tests.

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "crypto/blind_index.h"
#include "ingest/importer.h"
#include "store/store_dir.h"
#include "testing/status_matchers.h"

namespace consentric::rights {

inline constexpr std::string_view kRightsConfig = R"(version: 1
controller: {name: Test Ltd, contact: dpo@test.example, country: DE}
k_anonymity: 2
identifiers:
  - {field: email, kind: email}
  - {field: customer_id, kind: customer_id}
fields:
  - {name: customer_id, type: string, category: identity, pii: true}
  - {name: email, type: string, category: contact, pii: true, retention: 730d}
  - {name: first_name, type: string, category: identity, pii: true, description: "Given name"}
  - {name: age, type: int, category: demographic, min: 16, max: 100}
  - {name: country, type: category, category: location, values: [DE, FR]}
  - {name: signup_date, type: date, category: behavioral}
event_types:
  - name: page_view
    retention: 90d
    properties:
      - {name: page, type: string}
  - name: purchase
    value_property: amount
    properties:
      - {name: amount, type: float, min: 0}
      - {name: note, type: string, pii: true}
purposes:
  - id: segmentation
    description: marketing segments
    legal_basis: consent
    notice_version: "2026-01"
    fields: [age, country]
    event_types: [page_view, purchase]
    retention: 365d
  - id: lead_scoring
    description: ranks leads
    legal_basis: legitimate_interest
    fields: [age]
    event_types: [page_view]
)";

// 2026-06-01T00:00:00Z
inline constexpr UnixSeconds kRightsNow = 1'780'272'000;

class RightsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_.path() / "store", kRightsConfig, "test.yaml",
                             kRightsNow - 100'000, {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
    import(ingest::ImportKind::kProfiles, "p.csv",
           "customer_id,email,first_name,age,country,signup_date\n"
           "C1,ann@example.com,<script>alert(1)</script>,34,DE,2026-01-05\n"
           "C2,bob@example.com,Bob,41,FR,2026-02-01\n"
           "C3,cy@example.com,Cy,29,FR,2026-02-03\n");
    import(
        ingest::ImportKind::kEvents, "e.ndjson",
        R"({"customer_id":"C1","type":"page_view","time":"2026-05-01T10:00:00Z","properties":{"page":"/home"}})"
        "\n"
        R"({"customer_id":"C1","type":"purchase","time":"2026-05-02T10:00:00Z","properties":{"amount":12.5,"note":"gift, wrap it"}})"
        "\n"
        R"({"customer_id":"C1","type":"purchase","time":"2026-05-03T10:00:00Z","properties":{"amount":40}})"
        "\n"
        R"({"customer_id":"C2","type":"page_view","time":"2026-05-04T10:00:00Z","properties":{"page":"/shop"}})"
        "\n"
        R"({"customer_id":"C2","type":"purchase","time":"2026-05-05T10:00:00Z","properties":{"amount":5}})"
        "\n"
        R"({"customer_id":"C3","type":"page_view","time":"2026-05-06T10:00:00Z","properties":{"page":"/"}})"
        "\n");
    import(
        ingest::ImportKind::kConsents, "c.ndjson",
        R"({"email":"ann@example.com","purpose":"segmentation","action":"grant","time":"2026-04-01T10:00:00Z","source":"web_form","method":"checkbox","notice_version":"2026-01","proof":{"form_id":"signup"}})"
        "\n"
        R"({"email":"bob@example.com","purpose":"segmentation","action":"grant","time":"2026-04-01T10:00:00Z","source":"web_form","method":"checkbox","notice_version":"2026-01"})"
        "\n"
        R"({"email":"cy@example.com","purpose":"segmentation","action":"grant","time":"2026-04-01T10:00:00Z","source":"web_form","method":"checkbox","notice_version":"2026-01"})"
        "\n"
        R"({"email":"cy@example.com","purpose":"segmentation","action":"withdraw","time":"2026-05-20T10:00:00Z","source":"api"})"
        "\n");
  }

  void import(ingest::ImportKind kind, const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    consentric::testing::write_file(path, text);
    auto r = ingest::import_file(*sd_, {.kind = kind, .file = path, .now = kRightsNow - 50'000});
    ASSERT_OK(r);
  }

  SubjectId subject_of(const std::string& email) {
    const auto idx =
        sd_->indexer->index("email", *crypto::normalize_identifier(IdentifierKind::kEmail, email));
    auto found = sd_->store->find_subject(idx);
    EXPECT_OK(found);
    EXPECT_TRUE(found.ok() && found->has_value()) << email;
    return found.ok() && found->has_value() ? **found : 0;
  }

  consentric::testing::TempDir dir_;
  std::optional<StoreDir> sd_;
};

}  // namespace consentric::rights
