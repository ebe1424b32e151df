#include "rights/rectify.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "consent/subjects.h"
#include "crypto/blind_index.h"
#include "crypto/keys.h"
#include "gate/gate.h"
#include "ingest/importer.h"
#include "store/profile_doc.h"
#include "testing/status_matchers.h"

namespace consentric::rights {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr std::string_view kConfig = R"(version: 1
controller: {name: Test GmbH, contact: dpo@test.example}
identifiers: [{field: email, kind: email}, {field: customer_id, kind: customer_id}]
fields:
  - {name: email, type: string, category: contact, pii: true, required: true}
  - {name: customer_id, type: string, category: identity, pii: true}
  - {name: last_name, type: string, category: identity, pii: true}
  - {name: country, type: category, category: location, values: [DE, FR]}
  - {name: age, type: int, category: demographic, min: 16, max: 100}
  - {name: city, type: string, category: location}
purposes:
  - {id: orders, legal_basis: contract, fields: [country, age, city]}
)";

constexpr UnixSeconds kDay = 86'400;
constexpr UnixSeconds kT0 = 1'780'000'000;  // 2026-05-28

class RectifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd =
        init_store_dir(dir_.path() / "s", kConfig, "c.yaml", kT0 - 10 * kDay, {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
    const auto csv = dir_.path() / "people.csv";
    ::consentric::testing::write_file(csv,
                                      "email,customer_id,last_name,country,age,city\n"
                                      "ada@example.com,C-1,Lovelace,DE,36,Berlin\n"
                                      "bob@example.com,C-2,Builder,FR,41,\n");
    ASSERT_OK(ingest::import_file(*sd_, {.file = csv, .now = kT0 - 5 * kDay}));
    ada_ = find("ada@example.com").value_or(0);
    bob_ = find("bob@example.com").value_or(0);
    ASSERT_NE(ada_, 0);
    ASSERT_NE(bob_, 0);
  }

  std::optional<SubjectId> find(const std::string& identifier) {
    auto arg = consent::parse_identifier_arg(sd_->config, identifier);
    EXPECT_OK(arg);
    if (!arg.ok()) return std::nullopt;
    auto s = consent::find_subject(*sd_, *arg);
    EXPECT_OK(s);
    if (!s.ok() || !*s) return std::nullopt;
    return (*s)->id;
  }

  // The subject's profile, decrypted: field -> canonical text.
  std::map<std::string, std::string> profile(SubjectId id) {
    std::map<std::string, std::string> out;
    auto row = sd_->store->profile(id);
    EXPECT_OK(row);
    if (!row.ok() || !*row) return out;
    auto plain = decode_fields((*row)->plain);
    EXPECT_OK(plain);
    for (const auto& [k, v] : *plain) out[k] = canonical_text(v);
    if (!(*row)->sealed.empty()) {
      auto key = sd_->keyring->subject_key(id);
      EXPECT_OK(key);
      auto opened = crypto::open(*key, (*row)->sealed, profile_aad(id));
      EXPECT_OK(opened);
      auto secret = decode_fields(*opened);
      EXPECT_OK(secret);
      for (const auto& [k, v] : *secret) out[k] = canonical_text(v);
    }
    return out;
  }

  std::string raw_profile(SubjectId id) {
    auto row = sd_->store->profile(id);
    EXPECT_OK(row);
    return row.ok() && *row ? (*row)->plain + "|" + (*row)->sealed : "";
  }

  std::vector<AuditRecord> audit(const std::string& action = "") {
    std::vector<AuditRecord> out;
    EXPECT_OK(sd_->store->scan_audit([&](const AuditRecord& r) {
      if (action.empty() || r.action == action) out.push_back(r);
      return Status();
    }));
    return out;
  }

  std::size_t requests() {
    auto all = list_requests(*sd_, {});
    EXPECT_OK(all);
    return all.ok() ? all->size() : 0;
  }

  RectifyRequest req(std::string identifier,
                     std::vector<std::pair<std::string, std::string>> changes) {
    return {.identifier = std::move(identifier), .changes = std::move(changes), .now = kT0};
  }

  TempDir dir_;
  std::optional<StoreDir> sd_;
  SubjectId ada_ = 0, bob_ = 0;
};

TEST_F(RectifyTest, ValuesChangeAndDecryptBackAndTheRequestIsCompleted) {
  auto r = rectify(*sd_, req("ada@example.com", {{"last_name", "Lovelace King"},
                                                 {"country", "FR"},
                                                 {"age", " 37 "},
                                                 {"city", "Berlin"}}));
  ASSERT_OK(r);
  EXPECT_THAT(r->changed, ElementsAre("last_name", "country", "age"));
  EXPECT_THAT(r->unchanged, ElementsAre("city"));
  const auto p = profile(ada_);
  EXPECT_EQ(p.at("last_name"), "Lovelace King");
  EXPECT_EQ(p.at("country"), "FR");
  EXPECT_EQ(p.at("age"), "37");
  EXPECT_EQ(p.at("email"), "ada@example.com");
  EXPECT_EQ(p.at("customer_id"), "C-1");
  // The pii value is sealed, not in the plain part.
  auto row = sd_->store->profile(ada_);
  ASSERT_OK(row);
  EXPECT_THAT((*row)->plain, Not(HasSubstr("Lovelace")));
  EXPECT_THAT((*row)->plain, HasSubstr("\"country\":\"FR\""));
  EXPECT_EQ((*row)->updated_at, kT0);
  auto subject = sd_->store->subject(ada_);
  ASSERT_OK(subject);
  EXPECT_EQ((*subject)->updated_at, kT0);

  EXPECT_EQ(r->request.row.type, "rectification");
  EXPECT_EQ(r->request.row.status, "completed");
  EXPECT_EQ(r->request.row.subject, ada_);
  const json evidence = json::parse(r->request.row.evidence);
  EXPECT_EQ(evidence["fields"], json({"last_name", "country", "age"}));
  EXPECT_EQ(evidence["unchanged"], json({"city"}));
  EXPECT_THAT(r->request.row.evidence, Not(HasSubstr("King")));
  // Bob is untouched.
  EXPECT_EQ(profile(bob_).at("last_name"), "Builder");
}

TEST_F(RectifyTest, PurposeViewsSeeTheNewValueAtOnce) {
  ASSERT_OK(rectify(*sd_, req("ada@example.com", {{"age", "40"}})));
  auto view = gate::build_view(*sd_, {.purpose = "orders", .as_of = kT0, .actor = "t"}, kT0);
  ASSERT_OK(view);
  const gate::Column* age = view->column("age");
  ASSERT_NE(age, nullptr);
  std::vector<double> ages = age->numbers;
  std::sort(ages.begin(), ages.end());
  EXPECT_THAT(ages, ElementsAre(40, 41));
}

TEST_F(RectifyTest, EmptyValueClearsAnOptionalFieldAndCompletesAMissingOne) {
  auto r = rectify(*sd_, req("bob@example.com", {{"country", ""}, {"city", "Lyon"}}));
  ASSERT_OK(r);
  EXPECT_THAT(r->changed, ElementsAre("country", "city"));
  const auto p = profile(bob_);
  EXPECT_EQ(p.count("country"), 0u);
  EXPECT_EQ(p.at("city"), "Lyon");
  // Clearing what is already empty is no change.
  r = rectify(*sd_, req("bob@example.com", {{"country", " "}}));
  ASSERT_OK(r);
  EXPECT_THAT(r->changed, IsEmpty());
  EXPECT_THAT(r->unchanged, ElementsAre("country"));
}

TEST_F(RectifyTest, NothingButUnchangedValuesWritesNoProfile) {
  const std::string before = raw_profile(ada_);
  auto r = rectify(*sd_, req("ada@example.com", {{"country", "DE"}, {"age", "36"}}));
  ASSERT_OK(r);
  EXPECT_THAT(r->changed, IsEmpty());
  EXPECT_THAT(r->unchanged, ElementsAre("country", "age"));
  EXPECT_EQ(r->request.row.status, "completed");
  // Re-sealing would change the nonce: the same text shows no write happened.
  EXPECT_EQ(raw_profile(ada_), before);
}

TEST_F(RectifyTest, IdentifierChangeMovesTheBlindIndex) {
  auto r = rectify(*sd_, req("email=ada@example.com", {{"email", "Ada.King@Example.com"}}));
  ASSERT_OK(r);
  EXPECT_THAT(r->changed, ElementsAre("email"));
  EXPECT_FALSE(find("ada@example.com").has_value());
  EXPECT_EQ(find("ada.king@example.com"), ada_);
  EXPECT_EQ(find("customer_id=C-1"), ada_);  // the other identifier stays
  EXPECT_EQ(profile(ada_).at("email"), "Ada.King@Example.com");

  ASSERT_OK(rectify(*sd_, req("ada.king@example.com", {{"customer_id", "C-100"}})));
  EXPECT_FALSE(find("customer_id=C-1").has_value());
  EXPECT_EQ(find("customer_id=C-100"), ada_);
}

TEST_F(RectifyTest, InvalidValuesAreRefusedByFieldAndNothingIsWritten) {
  const std::string before = raw_profile(ada_);
  const std::size_t entries = audit().size();
  EXPECT_THAT(
      rectify(*sd_,
              req("ada@example.com",
                  {{"age", "200"}, {"country", "XX"}, {"shoe_size", "42"}, {"last_name", "Ok"}})),
      StatusIs(StatusCode::kInvalidArgument,
               ::testing::AllOf(HasSubstr("field \"age\": expected an integer between 16 and 100"),
                                HasSubstr("field \"country\": expected one of DE, FR, got \"XX\""),
                                HasSubstr("field \"shoe_size\": not a declared profile field"),
                                Not(HasSubstr("last_name")))));
  EXPECT_THAT(rectify(*sd_, req("ada@example.com", {{"age", "x"}})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected an integer")));
  EXPECT_THAT(rectify(*sd_, req("ada@example.com", {{"email", ""}})),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("field \"email\": required, so it cannot be cleared")));
  EXPECT_THAT(rectify(*sd_, req("ada@example.com", {{"customer_id", ""}})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("identifier cannot be cleared")));
  EXPECT_THAT(rectify(*sd_, req("ada@example.com", {{"email", "not-an-email"}})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("field \"email\"")));
  EXPECT_THAT(rectify(*sd_, req("ada@example.com", {{"age", "40"}, {"age", "41"}})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("given twice")));
  EXPECT_THAT(rectify(*sd_, req("ada@example.com", {})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least one")));
  EXPECT_EQ(raw_profile(ada_), before);
  EXPECT_EQ(audit().size(), entries);
  EXPECT_EQ(requests(), 0u);
}

TEST_F(RectifyTest, AnotherPersonsIdentifierIsRefusedWithoutSayingWhose) {
  const std::string before = raw_profile(ada_);
  auto clash =
      rectify(*sd_, req("ada@example.com", {{"last_name", "X"}, {"email", "BOB@example.com"}}));
  EXPECT_THAT(clash, StatusIs(StatusCode::kAlreadyExists,
                              HasSubstr("field \"email\": this value already identifies another "
                                        "person")));
  auto bob = sd_->store->subject(bob_);
  ASSERT_OK(bob);
  EXPECT_THAT(clash.status().message(), Not(HasSubstr((*bob)->pseudonym)));
  // The whole rectification rolled back: the name, the index and the register.
  EXPECT_EQ(raw_profile(ada_), before);
  EXPECT_EQ(find("ada@example.com"), ada_);
  EXPECT_EQ(find("bob@example.com"), bob_);
  EXPECT_EQ(requests(), 0u);
  EXPECT_THAT(audit("subject.rectify"), IsEmpty());
}

TEST_F(RectifyTest, AnIdentifierOnTheSuppressionListIsRefused) {
  auto normalized = crypto::normalize_identifier(IdentifierKind::kEmail, "gone@example.com");
  ASSERT_OK(normalized);
  ASSERT_OK(sd_->store->begin());
  ASSERT_OK(sd_->store->suppress(sd_->indexer->index("email", *normalized), "email", "erased",
                                 kT0 - kDay));
  ASSERT_OK(sd_->store->commit());
  EXPECT_THAT(rectify(*sd_, req("ada@example.com", {{"email", "gone@example.com"}})),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("suppression list")));
  EXPECT_EQ(find("ada@example.com"), ada_);
}

TEST_F(RectifyTest, AuditKeepsFieldNamesAndKeyedHashesOfOldValuesOnly) {
  ASSERT_OK(rectify(*sd_, req("ada@example.com", {{"last_name", "Byron"}, {"city", "London"}})));
  const auto entries = audit("subject.rectify");
  ASSERT_EQ(entries.size(), 1u);
  auto subject = sd_->store->subject(ada_);
  ASSERT_OK(subject);
  EXPECT_EQ(entries[0].subject, (*subject)->pseudonym);
  for (const char* value : {"Lovelace", "Byron", "Berlin", "London"})
    EXPECT_THAT(entries[0].detail, Not(HasSubstr(value)));
  const json detail = json::parse(entries[0].detail);
  ASSERT_EQ(detail["fields"].size(), 2u);
  EXPECT_EQ(detail["fields"][0]["field"], "last_name");
  const std::string hash = detail["fields"][0]["old_hash"];
  // Keyed by the subject's data key: not the plain hash anyone could compute from a guess.
  auto key = sd_->keyring->subject_key(ada_);
  ASSERT_OK(key);
  EXPECT_EQ(hash,
            crypto::to_hex(crypto::keyed_hash(*key, std::string("last_name\0Lovelace", 18), 32)));
  EXPECT_NE(hash, crypto::to_hex(crypto::hash256("Lovelace")));
  EXPECT_NE(hash, crypto::to_hex(crypto::hash256(std::string("last_name\0Lovelace", 18))));
  // The register's own entries carry no values either.
  for (const AuditRecord& e : audit()) {
    EXPECT_THAT(e.detail, Not(HasSubstr("Byron")));
    EXPECT_THAT(e.detail, Not(HasSubstr("London")));
  }
  EXPECT_EQ(audit("dsar.close").size(), 1u);
}

TEST_F(RectifyTest, UnknownOrErasedPersonIsNoDataHeld) {
  auto r = rectify(*sd_, req("nobody@example.com", {{"city", "Rome"}}));
  ASSERT_OK(r);
  EXPECT_EQ(r->request.row.status, "no_data");
  EXPECT_EQ(r->request.row.type, "rectification");
  EXPECT_THAT(r->changed, IsEmpty());
  EXPECT_EQ(audit("dsar.no_data").size(), 1u);

  auto normalized = crypto::normalize_identifier(IdentifierKind::kEmail, "gone@example.com");
  ASSERT_OK(normalized);
  ASSERT_OK(sd_->store->begin());
  ASSERT_OK(sd_->store->suppress(sd_->indexer->index("email", *normalized), "email", "erased",
                                 kT0 - kDay));
  ASSERT_OK(sd_->store->commit());
  r = rectify(*sd_, req("gone@example.com", {{"city", "Rome"}}));
  ASSERT_OK(r);
  EXPECT_EQ(r->request.row.status, "no_data");
  EXPECT_THAT(r->request.row.evidence, HasSubstr("erased"));
  EXPECT_THAT(audit("subject.rectify"), IsEmpty());
}

TEST_F(RectifyTest, AnOpenRequestIsCarriedOutWithItsId) {
  auto open = open_request(
      *sd_,
      {.type = RequestType::kRectification, .identifier = "ada@example.com", .now = kT0 - kDay});
  ASSERT_OK(open);
  const std::int64_t id = open->row.request_id;
  EXPECT_THAT(rectify(*sd_, req("ada@example.com", {{"city", "Paris"}})),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr(fmt::format("--request {}", id))));
  EXPECT_EQ(profile(ada_).at("city"), "Berlin");

  RectifyRequest other = req("bob@example.com", {{"city", "Paris"}});
  other.request_id = id;
  EXPECT_THAT(rectify(*sd_, other),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("another person")));

  RectifyRequest mine = req("ada@example.com", {{"city", "Paris"}});
  mine.request_id = id;
  auto r = rectify(*sd_, mine);
  ASSERT_OK(r);
  EXPECT_EQ(r->request.row.request_id, id);
  EXPECT_EQ(r->request.row.status, "completed");
  EXPECT_EQ(profile(ada_).at("city"), "Paris");
  EXPECT_EQ(requests(), 1u);
  EXPECT_THAT(rectify(*sd_, mine),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("not open")));
}

TEST_F(RectifyTest, SegmentsThatReadAChangedFieldAreNamed) {
  ASSERT_OK(sd_->store->begin());
  for (const auto& [name, model] :
       {std::pair<std::string, std::string>{"germans", R"({"kind":"rule","columns":["country"]})"},
        {"clusters", R"({"kind":"kmeans","features":["age","event_count"]})"},
        {"by_city", R"({"kind":"rule","columns":["city"]})"}}) {
    auto seg = sd_->store->create_segment(
        {.name = name, .purpose = "orders", .kind = "rule", .definition = "{}", .created_at = kT0});
    ASSERT_OK(seg);
    ASSERT_OK(sd_->store->add_segment_run({.segment_id = *seg, .as_of = kT0, .model = model}));
  }
  ASSERT_OK(sd_->store->commit());
  auto r =
      rectify(*sd_, req("ada@example.com", {{"country", "FR"}, {"age", "50"}, {"city", "Berlin"}}));
  ASSERT_OK(r);
  EXPECT_THAT(r->segments_to_refresh, ::testing::UnorderedElementsAre("germans", "clusters"));
  const json evidence = json::parse(r->request.row.evidence);
  EXPECT_EQ(evidence["segments_to_refresh"].size(), 2u);
  r = rectify(*sd_, req("ada@example.com", {{"last_name", "Byron"}}));
  ASSERT_OK(r);
  EXPECT_THAT(r->segments_to_refresh, IsEmpty());
}

TEST(ParseFieldAssignment, SplitsAtTheFirstEquals) {
  auto a = parse_field_assignment("note=a=b");
  ASSERT_OK(a);
  EXPECT_EQ(a->first, "note");
  EXPECT_EQ(a->second, "a=b");
  a = parse_field_assignment("city=");
  ASSERT_OK(a);
  EXPECT_EQ(a->second, "");
  EXPECT_THAT(parse_field_assignment("city"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected FIELD=VALUE")));
  EXPECT_THAT(parse_field_assignment("=x"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"=x\"")));
}

}  // namespace
}  // namespace consentric::rights
