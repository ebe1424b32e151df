#include "ingest/importer.h"

#include <fstream>

#include "audit/audit_log.h"
#include "store/profile_doc.h"
#include "testing/status_matchers.h"

namespace consentric::ingest {
namespace {

using ::consentric::testing::read_file;
using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::consentric::testing::write_file;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr UnixSeconds kNow = 1'780'000'000;  // 2026-05-28

constexpr std::string_view kConfig = R"(version: 1
controller: {name: Test Ltd, contact: dpo@test.example, country: DE}
identifiers:
  - {field: email, kind: email}
  - {field: customer_id, kind: customer_id}
fields:
  - {name: customer_id, type: string, category: identity, pii: true}
  - {name: email, type: string, category: contact, pii: true}
  - {name: first_name, type: string, category: identity, pii: true}
  - {name: age, type: int, category: demographic, min: 16, max: 100}
  - {name: country, type: category, category: location, values: [DE, FR]}
  - {name: signup_date, type: date, category: behavioral}
  - {name: vip, type: bool, category: behavioral}
event_types:
  - name: page_view
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
  - id: lead_scoring
    description: ranks leads
    legal_basis: legitimate_interest
    fields: [age]
    event_types: [page_view]
)";

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_.path() / "store", kConfig, "test.yaml", kNow - 1000);
    ASSERT_OK(sd);
    sd_ = std::make_unique<StoreDir>(std::move(sd).value());
  }

  Result<ImportReport> import(ImportKind kind, const std::string& name, const std::string& text,
                              bool skip_invalid = false) {
    const auto path = dir_ / name;
    write_file(path, text);
    return import_file(*sd_,
                       {.kind = kind, .file = path, .skip_invalid = skip_invalid, .now = kNow});
  }

  // The bytes of every store file, after moving committed data out of the WAL.
  std::string snapshot() {
    EXPECT_OK(sd_->store->checkpoint());
    std::string all;
    for (const char* f : {kDataFileName, kKeyRingFileName}) {
      all += read_file(dir_.path() / "store" / f);
      all += read_file(dir_.path() / "store" / (std::string(f) + "-wal"));
    }
    return all;
  }

  TempDir dir_;
  std::unique_ptr<StoreDir> sd_;
};

constexpr char kProfiles[] =
    "customer_id,email,first_name,age,country,signup_date,vip\n"
    "C1,ann@example.com,Ann,34,DE,2026-01-05,true\n"
    "C2,Bob@Example.com ,Bob,,FR,2026-02-01,no\n";

TEST_F(ImporterTest, ImportsProfilesEncryptedAndByBlindIndex) {
  auto report = import(ImportKind::kProfiles, "p.csv", kProfiles);
  ASSERT_OK(report);
  EXPECT_EQ(report->rows, 2);
  EXPECT_EQ(report->inserted, 2);
  auto counts = *sd_->store->counts();
  EXPECT_EQ(counts.subjects, 2);
  EXPECT_EQ(counts.identifiers, 4);
  EXPECT_EQ(*sd_->keyring->key_count(), 2);
  // Found by a differently written email: normalization before the blind index.
  const auto idx = sd_->indexer->index(
      "email", *crypto::normalize_identifier(IdentifierKind::kEmail, " BOB@example.COM"));
  auto bob = *sd_->store->find_subject(idx);
  ASSERT_TRUE(bob.has_value());
  auto profile = **sd_->store->profile(*bob);
  // Non-pii in the clear, in declaration order; the empty age cell stored nothing.
  EXPECT_EQ(profile.plain, R"({"country":"FR","signup_date":1769904000,"vip":0})");
  auto key = *sd_->keyring->subject_key(*bob);
  EXPECT_EQ(*crypto::open(key, profile.sealed, ::consentric::profile_aad(*bob)),
            R"({"customer_id":"C2","email":"Bob@Example.com","first_name":"Bob"})");
  // Sealed to this subject: under another subject's associated data it does not open.
  EXPECT_FALSE(crypto::open(key, profile.sealed, ::consentric::profile_aad(*bob + 1)).ok());
}

TEST_F(ImporterTest, ImportingTwiceChangesNothing) {
  ASSERT_OK(import(ImportKind::kProfiles, "p.csv", kProfiles));
  ASSERT_OK(import(
      ImportKind::kEvents, "e.ndjson",
      R"({"customer_id":"C1","type":"purchase","time":"2026-05-01T10:00:00Z","properties":{"amount":12.5}})"
      "\n"));
  const auto counts = *sd_->store->counts();
  auto again = import(ImportKind::kProfiles, "p.csv", kProfiles);
  ASSERT_OK(again);
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(again->inserted + again->updated, 0);
  auto events = import(
      ImportKind::kEvents, "e.ndjson",
      R"({"customer_id":"C1","type":"purchase","time":"2026-05-01T10:00:00Z","properties":{"amount":12.5}})"
      "\n");
  ASSERT_OK(events);
  EXPECT_EQ(events->unchanged, 1);
  auto after = *sd_->store->counts();
  EXPECT_EQ(after.subjects, counts.subjects);
  EXPECT_EQ(after.events, counts.events);
  EXPECT_EQ(after.profiles, counts.profiles);
  EXPECT_EQ(*sd_->keyring->key_count(), 2);
  auto f =
      **sd_->store->features(**sd_->store->find_subject(sd_->indexer->index("customer_id", "C1")));
  EXPECT_EQ(f.events, 1);  // the duplicate did not count twice
  EXPECT_DOUBLE_EQ(f.monetary, 12.5);
}

TEST_F(ImporterTest, ChangedValuesUpdate) {
  ASSERT_OK(import(ImportKind::kProfiles, "p.csv", kProfiles));
  auto report = import(ImportKind::kProfiles, "p2.csv",
                       "customer_id,email,age\nC1,ann.new@example.com,35\nC2,Bob@Example.com,\n");
  ASSERT_OK(report);
  EXPECT_EQ(report->updated, 1);
  EXPECT_EQ(report->unchanged, 1);
  // The new email now finds Ann; the old one no longer does.
  const auto ann = sd_->store->find_subject(sd_->indexer->index("email", "ann.new@example.com"));
  ASSERT_TRUE(ann->has_value());
  EXPECT_FALSE(
      sd_->store->find_subject(sd_->indexer->index("email", "ann@example.com"))->has_value());
  // Merged: the age changed, the country from the first import is kept.
  EXPECT_EQ((*sd_->store->profile(**ann))->plain,
            R"({"age":35,"country":"DE","signup_date":1767571200,"vip":1})");
}

struct BadInput {
  const char* name;
  ImportKind kind;
  const char* file;
  const char* text;
  const char* message;
};

class BadInputTest : public ImporterTest, public ::testing::WithParamInterface<BadInput> {};

TEST_P(BadInputTest, FailsWithFileLineFieldAndChangesNothing) {
  ASSERT_OK(import(ImportKind::kProfiles, "seed.csv", kProfiles));
  const std::string before = snapshot();
  const BadInput& c = GetParam();
  auto report = import(c.kind, c.file, c.text);
  EXPECT_THAT(report, StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.message)));
  EXPECT_EQ(snapshot(), before) << "the store changed after a failed import";
}

INSTANTIATE_TEST_SUITE_P(
    Import, BadInputTest,
    ::testing::Values(
        BadInput{"UnknownColumn", ImportKind::kProfiles, "p.csv", "customer_id,salary\nC9,100\n",
                 "p.csv:1: column \"salary\" is not a declared field"},
        BadInput{"WrongType", ImportKind::kProfiles, "p.csv", "customer_id,age\nC9,41\nC10,forty\n",
                 "p.csv:3: field \"age\": expected an integer between 16 and 100, got \"forty\""},
        BadInput{"OutOfRange", ImportKind::kProfiles, "p.csv", "customer_id,age\nC9,7\n",
                 "p.csv:2: field \"age\": expected an integer between 16 and 100, got \"7\""},
        BadInput{"BadDate", ImportKind::kProfiles, "p.csv",
                 "customer_id,signup_date\nC9,2026-02-30\n",
                 "p.csv:2: field \"signup_date\": expected an ISO 8601"},
        BadInput{"BadCategory", ImportKind::kProfiles, "p.csv", "customer_id,country\nC9,XX\n",
                 "field \"country\": expected one of DE, FR, got \"XX\""},
        BadInput{"MissingIdentifier", ImportKind::kProfiles, "p.csv", "customer_id,age\n,40\n",
                 "p.csv:2: missing identifier: expected one of email, customer_id"},
        BadInput{"BadEmail", ImportKind::kProfiles, "p.csv", "email,age\nnot-an-email,40\n",
                 "p.csv:2: field \"email\": expected an email address"},
        BadInput{"ConflictingIdentifiers", ImportKind::kProfiles, "p.csv",
                 "customer_id,email\nC1,bob@example.com\n", "identifies a different person"},
        BadInput{"MalformedCsv", ImportKind::kProfiles, "p.csv", "customer_id,age\nC9,\"40\n",
                 "p.csv:2:"},
        BadInput{"ColumnCount", ImportKind::kProfiles, "p.csv", "customer_id,age\nC9,40,extra\n",
                 "p.csv:2: expected 2 columns as in the header, found 3"},
        BadInput{"InvalidUtf8", ImportKind::kProfiles, "p.csv",
                 "customer_id,first_name\nC9,Ren\xe9\n", "p.csv:2:"},
        BadInput{"MalformedJsonLine", ImportKind::kEvents, "e.ndjson",
                 "{\"customer_id\":\"C1\",\"type\":\"page_view\",\"time\":\"2026-05-01T10:00:00Z\"}"
                 "\n{\"customer_id\":\n",
                 "e.ndjson:2:"},
        BadInput{"InvalidUtf8Json", ImportKind::kEvents, "e.ndjson",
                 "{\"customer_id\":\"C1\",\"type\":\"page_view\",\"time\":\"2026-05-01T10:00:00Z\","
                 "\"properties\":{\"page\":\"/caf\xe9\"}}\n",
                 "e.ndjson:1:"},
        BadInput{
            "UnknownEventType", ImportKind::kEvents, "e.ndjson",
            "{\"customer_id\":\"C1\",\"type\":\"teleport\",\"time\":\"2026-05-01T10:00:00Z\"}\n",
            "e.ndjson:1: field \"type\": \"teleport\" is not a declared event type"},
        BadInput{"UnknownProperty", ImportKind::kEvents, "e.ndjson",
                 "{\"customer_id\":\"C1\",\"type\":\"page_view\",\"time\":\"2026-05-01T10:00:00Z\","
                 "\"properties\":{\"colour\":\"red\"}}\n",
                 "field \"colour\": not a declared property of event type \"page_view\""},
        BadInput{"PropertyType", ImportKind::kEvents, "e.ndjson",
                 "{\"customer_id\":\"C1\",\"type\":\"purchase\",\"time\":\"2026-05-01T10:00:00Z\","
                 "\"properties\":{\"amount\":\"12,50\"}}\n",
                 "e.ndjson:1: field \"amount\": expected a number of at least 0, got \"12,50\""},
        BadInput{
            "FutureEvent", ImportKind::kEvents, "e.ndjson",
            "{\"customer_id\":\"C1\",\"type\":\"page_view\",\"time\":\"2030-01-01T00:00:00Z\"}\n",
            "field \"time\": 2030-01-01T00:00:00Z is in the future"},
        BadInput{"EventWithoutIdentifier", ImportKind::kEvents, "e.ndjson",
                 "{\"type\":\"page_view\",\"time\":\"2026-05-01T10:00:00Z\"}\n",
                 "e.ndjson:1: missing identifier"},
        BadInput{"UnknownPurpose", ImportKind::kConsents, "c.ndjson",
                 "{\"email\":\"ann@example.com\",\"purpose\":\"spam\",\"action\":\"grant\","
                 "\"time\":\"2026-05-01T10:00:00Z\",\"notice_version\":\"2026-01\"}\n",
                 "c.ndjson:1: field \"purpose\": \"spam\" is not a declared purpose"},
        BadInput{"GrantWithoutNotice", ImportKind::kConsents, "c.ndjson",
                 "{\"email\":\"ann@example.com\",\"purpose\":\"segmentation\",\"action\":\"grant\","
                 "\"time\":\"2026-05-01T10:00:00Z\"}\n",
                 "field \"notice_version\": a grant must name the version of the notice"},
        BadInput{"BadAction", ImportKind::kConsents, "c.ndjson",
                 "{\"email\":\"ann@example.com\",\"purpose\":\"segmentation\",\"action\":\"maybe\","
                 "\"time\":\"2026-05-01T10:00:00Z\"}\n",
                 "field \"action\": expected grant or withdraw, got \"maybe\""}),
    [](const ::testing::TestParamInfo<BadInput>& p) { return p.param.name; });

TEST_F(ImporterTest, ManyErrorsAreListedAndCounted) {
  std::string text = "customer_id,age\n";
  for (int i = 0; i < 30; ++i) text += "C" + std::to_string(i) + ",x\n";
  auto report = import(ImportKind::kProfiles, "p.csv", text);
  EXPECT_THAT(report, StatusIs(StatusCode::kInvalidArgument,
                               AllOf(HasSubstr("30 invalid rows in p.csv; nothing was imported"),
                                     HasSubstr("p.csv:21:"), HasSubstr("and 10 more"))));
}

TEST_F(ImporterTest, SkipInvalidCommitsValidRowsAndWritesRejects) {
  auto report =
      import(ImportKind::kProfiles, "p.csv", "customer_id,age\nC1,40\nC2,x\nC3,50\n", true);
  ASSERT_OK(report);
  EXPECT_EQ(report->inserted, 2);
  EXPECT_EQ(report->rejected, 1);
  ASSERT_TRUE(report->reject_file.has_value());
  EXPECT_EQ(read_file(*report->reject_file),
            "line,field,reason\n3,age,\"expected an integer between 16 and 100, got \"\"x\"\"\"\n");
  EXPECT_EQ(sd_->store->counts()->subjects, 2);
}

TEST_F(ImporterTest, SuppressedPeopleAreRefusedAndCounted) {
  ASSERT_OK(sd_->store->begin());
  ASSERT_OK(sd_->store->suppress(sd_->indexer->index("email", "ann@example.com"), "email",
                                 "erasure", kNow));
  ASSERT_OK(sd_->store->commit());
  auto report = import(ImportKind::kProfiles, "p.csv", kProfiles);
  ASSERT_OK(report);
  EXPECT_EQ(report->suppressed, 1);
  EXPECT_EQ(report->inserted, 1);
  EXPECT_FALSE(sd_->store->find_subject(sd_->indexer->index("customer_id", "C1"))->has_value());
}

TEST_F(ImporterTest, EventsKeepFeaturesCurrentAndSealPiiProperties) {
  ASSERT_OK(import(ImportKind::kProfiles, "p.csv", kProfiles));
  auto report = import(ImportKind::kEvents, "e.csv",
                       "customer_id,type,time,page,amount,note\n"
                       "C1,page_view,2026-05-01T10:00:00Z,/pricing,,\n"
                       "C1,purchase,2026-05-02T10:00:00Z,,20.5,gift for my mother\n"
                       "C1,purchase,2026-05-03T10:00:00Z,,9.5,\n"
                       "C3,page_view,2026-05-04T10:00:00Z,/,,\n");
  ASSERT_OK(report);
  EXPECT_EQ(report->inserted, 4);
  EXPECT_EQ(report->subjects_created, 1);  // C3 was not known yet
  auto c1 = **sd_->store->find_subject(sd_->indexer->index("customer_id", "C1"));
  auto f = **sd_->store->features(c1);
  EXPECT_EQ(f.events, 3);
  EXPECT_EQ(f.purchases, 2);
  EXPECT_DOUBLE_EQ(f.monetary, 30.0);
  EXPECT_EQ(*f.last_purchase, *parse_timestamp("2026-05-03T10:00:00Z"));
  EXPECT_EQ(f.per_type.size(), 2u);
  // The pii property is sealed: its text is in no store file, in the WAL or after a checkpoint.
  for (int pass = 0; pass < 2; ++pass) {
    for (const char* file : {kDataFileName, "consentric.db-wal"}) {
      EXPECT_EQ(read_file(dir_.path() / "store" / file).find("gift for my mother"),
                std::string::npos)
          << file << " pass " << pass;
    }
    ASSERT_OK(sd_->store->checkpoint());
  }
}

TEST_F(ImporterTest, ConsentsWriteTheLedgerAndAnAuditEntry) {
  auto report = import(
      ImportKind::kConsents, "c.ndjson",
      R"({"email":"ann@example.com","purpose":"segmentation","action":"grant","time":"2026-05-01T10:00:00Z","source":"web_form","method":"checkbox","notice_version":"2026-01","proof":{"form_id":"signup","ip_prefix":"203.0.113.0/24"}})"
      "\n"
      R"({"email":"ann@example.com","purpose":"segmentation","action":"withdraw","time":"2026-05-09T10:00:00Z","source":"api"})"
      "\n"
      R"({"email":"new@example.com","purpose":"lead_scoring","action":"withdraw","time":"2026-05-02T10:00:00Z"})"
      "\n");
  ASSERT_OK(report);
  EXPECT_EQ(report->inserted, 3);
  EXPECT_EQ(report->subjects_created, 2);
  auto ann = **sd_->store->find_subject(sd_->indexer->index("email", "ann@example.com"));
  auto state = **sd_->store->consent_state(ann, "segmentation");
  EXPECT_FALSE(state.granted);
  auto history = *sd_->store->consent_history(ann);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].proof, R"({"form_id":"signup","ip_prefix":"203.0.113.0/24"})");
  // A withdrawal with no grant before it is recorded as a refusal.
  auto fresh = **sd_->store->find_subject(sd_->indexer->index("email", "new@example.com"));
  EXPECT_EQ((*sd_->store->consent_history(fresh))[0].action, ConsentAction::kRefuse);
  // One entry per consent change, and one for the import.
  auto verify = *audit::verify(*sd_->store);
  EXPECT_TRUE(verify.intact);
  EXPECT_EQ(verify.entries, 4);
  std::vector<std::string> actions;
  ASSERT_OK(sd_->store->scan_audit([&](const AuditRecord& r) {
    actions.push_back(r.action);
    if (r.action == "import.consents") {
      EXPECT_EQ(r.subject, "");  // store-wide
      EXPECT_THAT(r.detail, ::testing::HasSubstr(R"("file":"c.ndjson")"));
    }
    return Status();
  }));
  EXPECT_THAT(actions, ::testing::ElementsAre("consent.grant", "consent.withdraw", "consent.refuse",
                                              "import.consents"));
}

}  // namespace
}  // namespace consentric::ingest
