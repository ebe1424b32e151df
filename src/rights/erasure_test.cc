#include "rights/erasure.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "audit/audit_ops.h"
#include "consent/subjects.h"
#include "crypto/keys.h"
#include "gate/gate.h"
#include "ingest/importer.h"
#include "rights/backup.h"
#include "synth/generator.h"
#include "testing/status_matchers.h"

namespace consentric::rights {
namespace {

using ::consentric::testing::read_file;
using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::consentric::testing::write_file;
using ::testing::HasSubstr;
using nlohmann::json;

constexpr UnixSeconds kNow = 1'780'000'000;  // 2026-05-28

std::int64_t removed(const RemovedCounts& counts, std::string_view kind) {
  for (const auto& [k, n] : counts) {
    if (k == kind) return n;
  }
  ADD_FAILURE() << "no count for " << kind;
  return -1;
}

// A store the tests fill through the real import path, and the ways they look into it.
class ImportedPeopleTest : public ::testing::Test {
 protected:
  ingest::ImportReport import(ingest::ImportKind kind, const char* file) {
    auto r = ingest::import_file(*sd_, {.kind = kind, .file = dir_ / file, .now = kNow});
    EXPECT_OK(r);
    return r.ok() ? *r : ingest::ImportReport{};
  }

  std::optional<SubjectId> find(std::string_view identifier) {
    auto arg = consent::parse_identifier_arg(sd_->config, identifier);
    EXPECT_OK(arg);
    auto found = consent::find_subject(*sd_, *arg);
    if (!found.ok() || !*found) return std::nullopt;
    return (*found)->id;
  }

  TempDir dir_;
  std::optional<StoreDir> sd_;
};

// Two people imported through the real import path (profile, events, consent), on the
// quickstart declaration.
class ErasureTest : public ImportedPeopleTest {
 protected:
  void SetUp() override { open_new(dir_.path() / "store"); }

  void open_new(const std::filesystem::path& at) {
    auto sd = init_store_dir(at, synth::quickstart_config_yaml(), "quickstart.yaml", kNow,
                             {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
    write_file(dir_ / "p.csv",
               "customer_id,email,first_name,last_name,phone,company,country,age\n"
               "C1,ada@example.com,Ada,Lovelace,+44 20 7946 0001,Analytical,GB,36\n"
               "C2,bob@example.com,Bob,Builder,+44 20 7946 0002,Yes We Can,GB,41\n");
    write_file(dir_ / "e.ndjson",
               R"({"customer_id":"C1","type":"page_view","time":"2026-05-01T10:00:00Z","properties":{"page":"/a","duration_s":3}})"
               "\n"
               R"({"customer_id":"C1","type":"page_view","time":"2026-05-02T10:00:00Z","properties":{"page":"/b","duration_s":4}})"
               "\n"
               R"({"customer_id":"C2","type":"page_view","time":"2026-05-03T10:00:00Z","properties":{"page":"/c","duration_s":5}})"
               "\n");
    write_file(dir_ / "c.ndjson",
               R"({"email":"ada@example.com","purpose":"segmentation","action":"grant","time":"2026-05-01T09:00:00Z","notice_version":"2026-01"})"
               "\n");
    import(ingest::ImportKind::kProfiles, "p.csv");
    import(ingest::ImportKind::kEvents, "e.ndjson");
    import(ingest::ImportKind::kConsents, "c.ndjson");
  }


  Result<EraseOutcome> erase_one(std::string identifier, std::optional<std::int64_t> request = {}) {
    return erase(*sd_, {.identifiers = {std::move(identifier)}, .request_id = request, .now = kNow});
  }
};

TEST_F(ErasureTest, RemovesEveryRowDestroysTheKeyAndSignsAReceipt) {
  const std::optional<SubjectId> ada = find("email=ada@example.com");
  const std::optional<SubjectId> bob = find("email=bob@example.com");
  ASSERT_TRUE(ada && bob);
  ASSERT_OK(sd_->keyring->subject_key(*ada));

  auto out = erase_one("email=ada@example.com");
  ASSERT_OK(out);
  ASSERT_EQ(out->erased.size(), 1u);
  const Erased& e = out->erased[0];
  EXPECT_EQ(removed(e.removed, "events"), 2);
  EXPECT_EQ(removed(e.removed, "profiles"), 1);
  EXPECT_EQ(removed(e.removed, "identifiers"), 2);  // customer_id and email
  EXPECT_EQ(removed(e.removed, "consent records"), 1);
  EXPECT_EQ(removed(e.removed, "subjects"), 1);
  EXPECT_EQ(e.identifiers_suppressed, 2);

  // The key is gone and the key ring remembers the erasure; Bob is untouched.
  EXPECT_THAT(sd_->keyring->subject_key(*ada), StatusIs(StatusCode::kNotFound, ::testing::_));
  EXPECT_TRUE(*sd_->keyring->was_erased(*ada));
  EXPECT_FALSE(find("customer_id=C1").has_value());
  EXPECT_EQ(sd_->store->counts()->subjects, 1);
  EXPECT_EQ(sd_->store->counts()->events, 1);
  ASSERT_OK(sd_->keyring->subject_key(*bob));

  // The request is completed and unlinked; the receipt verifies against this store.
  EXPECT_EQ(e.request.row.status, "completed");
  auto row = sd_->store->dsar(e.request.row.request_id);
  ASSERT_OK(row);
  ASSERT_TRUE(row->has_value());
  EXPECT_FALSE((*row)->subject.has_value());
  const json evidence = json::parse((*row)->evidence);
  EXPECT_EQ(evidence["receipt_sha256"], crypto::to_hex(crypto::sha256(e.receipt)));
  auto receipt = verify_receipt(e.receipt);
  ASSERT_OK(receipt);
  EXPECT_EQ(receipt->request_id, e.request.row.request_id);
  EXPECT_TRUE(receipt->data_key_destroyed);
  EXPECT_OK(check_receipt_against_store(*sd_, *receipt));
  // Nothing about the person beyond the request id (the key, the signature and the store id are
  // random base64 or hex, where any short text turns up by chance, so they are left out).
  json doc = json::parse(e.receipt);
  doc.erase("signature");
  doc["body"].erase("public_key");
  doc["body"].erase("installation");
  const std::string text = doc.dump();
  for (const char* pii : {"ada", "Ada", "Lovelace", "C1", "7946", "example.com"}) {
    EXPECT_EQ(text.find(pii), std::string::npos) << pii;
  }
}

TEST_F(ErasureTest, AReimportOfAnErasedPersonIsRefusedAndCounted) {
  ASSERT_OK(erase_one("ada@example.com"));
  const ingest::ImportReport again = import(ingest::ImportKind::kProfiles, "p.csv");
  EXPECT_EQ(again.suppressed, 1);
  EXPECT_EQ(sd_->store->counts()->subjects, 1);
  EXPECT_FALSE(find("email=ada@example.com").has_value());
}

TEST_F(ErasureTest, UnknownAndAlreadyErasedPeopleAreAnsweredNoDataHeld) {
  auto unknown = erase_one("email=nobody@example.com");
  ASSERT_OK(unknown);
  EXPECT_TRUE(unknown->erased.empty());
  ASSERT_EQ(unknown->no_data.size(), 1u);
  EXPECT_EQ(unknown->no_data[0].row.status, "no_data");

  ASSERT_OK(erase_one("email=ada@example.com"));
  auto again = erase_one("email=ada@example.com");
  ASSERT_OK(again);
  ASSERT_EQ(again->no_data.size(), 1u);
  EXPECT_THAT(again->no_data[0].row.evidence, HasSubstr("erased earlier"));
}

TEST_F(ErasureTest, ASecondRequestWhileOneIsOpenIsRefusedAndTheOpenOneCanBeCarriedOut) {
  auto opened = open_request(*sd_, {.type = RequestType::kErasure,
                                    .identifier = "email=ada@example.com",
                                    .verified = true,
                                    .now = kNow});
  ASSERT_OK(opened);
  EXPECT_THAT(erase_one("email=ada@example.com"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("still open")));
  ASSERT_TRUE(find("email=ada@example.com").has_value());  // nothing happened
  auto done = erase_one("email=ada@example.com", opened->row.request_id);
  ASSERT_OK(done);
  ASSERT_EQ(done->erased.size(), 1u);
  EXPECT_EQ(done->erased[0].request.row.request_id, opened->row.request_id);
  EXPECT_EQ(done->erased[0].request.row.status, "completed");
}

TEST_F(ErasureTest, ABatchErasesEachPersonOnceOrNobody) {
  // An identifier that is not valid stops the batch before anything is erased.
  EXPECT_THAT(erase(*sd_, {.identifiers = {"email=ada@example.com", "nosuchfield=1"}, .now = kNow}),
              StatusIs(StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_EQ(sd_->store->counts()->subjects, 2);
  EXPECT_EQ(*sd_->keyring->erasure_count(), 0);

  auto out = erase(*sd_, {.identifiers = {"email=ada@example.com", "customer_id=C1",
                                          "bob@example.com", "zed@example.com"},
                          .now = kNow});
  ASSERT_OK(out);
  EXPECT_EQ(out->erased.size(), 2u);
  EXPECT_EQ(out->no_data.size(), 1u);
  EXPECT_EQ(sd_->store->counts()->subjects, 0);
  EXPECT_EQ(*sd_->keyring->erasure_count(), 2);
}

TEST_F(ErasureTest, AnAlteredReceiptOrAnotherStoresReceiptFails) {
  auto out = erase_one("email=ada@example.com");
  ASSERT_OK(out);
  std::string altered = out->erased[0].receipt;
  const std::size_t pos = altered.find("\"events\": 2");
  ASSERT_NE(pos, std::string::npos);
  altered.replace(pos, 11, "\"events\": 0");
  EXPECT_THAT(verify_receipt(altered), StatusIs(StatusCode::kUnauthenticated, ::testing::_));
  EXPECT_THAT(verify_receipt("{\"format\": 1}"), StatusIs(StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(verify_receipt("not json"), StatusIs(StatusCode::kInvalidArgument, ::testing::_));

  // A receipt from another installation verifies on its own, not against this store.
  auto receipt = verify_receipt(out->erased[0].receipt);
  ASSERT_OK(receipt);
  sd_.reset();
  open_new(dir_.path() / "other");
  EXPECT_THAT(check_receipt_against_store(*sd_, *receipt),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("not from this store")));
}

TEST_F(ErasureTest, ABackupRestoredByHandIsErasedAgainBeforeUse) {
  const auto store = dir_.path() / "store";
  ASSERT_OK(backup_store(*sd_, dir_.path() / "before.db", "test", kNow));
  ASSERT_OK(erase_one("email=ada@example.com"));
  EXPECT_EQ(*apply_recorded_erasures(*sd_, "test", kNow), 0);  // nothing pending
  sd_.reset();

  // Put the old copy back with cp, as an operator might.
  for (const char* suffix : {"-wal", "-shm"}) {
    std::filesystem::remove(store / (std::string(kDataFileName) + suffix));
  }
  std::filesystem::copy_file(dir_.path() / "before.db", store / kDataFileName,
                             std::filesystem::copy_options::overwrite_existing);
  auto sd = open_store_dir(store, {.durable = false});
  ASSERT_OK(sd);
  sd_.emplace(std::move(*sd));
  ASSERT_TRUE(find("email=ada@example.com").has_value());  // back, but only until:
  EXPECT_EQ(*apply_recorded_erasures(*sd_, "test", kNow), 1);
  EXPECT_FALSE(find("email=ada@example.com").has_value());
  EXPECT_TRUE(find("email=bob@example.com").has_value());
  EXPECT_EQ(sd_->store->counts()->events, 1);
  EXPECT_EQ(*apply_recorded_erasures(*sd_, "test", kNow), 0);
}

TEST_F(ErasureTest, RestoreReappliesErasuresAndRefusesAnotherStoresBackup) {
  ASSERT_OK(backup_store(*sd_, dir_.path() / "before.db", "test", kNow));
  EXPECT_THAT(backup_store(*sd_, dir_.path() / "before.db", "test", kNow),
              StatusIs(StatusCode::kAlreadyExists, ::testing::_));
  ASSERT_OK(erase_one("email=bob@example.com"));
  auto restored = restore_store(*sd_, dir_.path() / "before.db", "test", kNow);
  ASSERT_OK(restored);
  EXPECT_EQ(restored->erasures_reapplied, 1);
  EXPECT_EQ(restored->backup.subjects, 2);
  EXPECT_FALSE(find("email=bob@example.com").has_value());
  EXPECT_TRUE(find("email=ada@example.com").has_value());

  sd_.reset();
  open_new(dir_.path() / "other");
  EXPECT_THAT(restore_store(*sd_, dir_.path() / "before.db", "test", kNow),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("another store")));
  EXPECT_THAT(restore_store(*sd_, dir_.path() / "p.csv", "test", kNow),
              StatusIs(StatusCode::kFailedPrecondition, ::testing::_));
}

TEST_F(ErasureTest, RestoreKeepsATokenRevokedSinceTheBackupRevoked) {
  AccessTokenRow token{.name = "ana",
                       .role = "analyst",
                       .token_hash = std::string(32, 'h'),
                       .created_at = kNow,
                       .created_by = "test",
                       .expires_at = kNow + 1000};
  ASSERT_OK(sd_->store->add_access_token(token).status());
  ASSERT_OK(backup_store(*sd_, dir_.path() / "before.db", "test", kNow));
  ASSERT_OK(sd_->store->revoke_access_token("ana", "admin-ann", kNow + 1));
  auto restored = restore_store(*sd_, dir_.path() / "before.db", "test", kNow + 2);
  ASSERT_OK(restored);
  EXPECT_EQ(restored->revocations_carried, 1);
  auto tokens = sd_->store->access_tokens();
  ASSERT_OK(tokens);
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ((*tokens)[0].revoked_at, std::optional<UnixSeconds>(kNow + 1));
  EXPECT_EQ((*tokens)[0].revoked_by, "admin-ann");
}

// ---- Anonymization instead of deletion (config `erasure: anonymize`) ----------------------

TEST_F(ErasureTest, TheDefaultDeletesAndKeepsNothingAnonymously) {
  ASSERT_EQ(sd_->config.erasure, ErasureMethod::kDelete);
  auto out = erase_one("email=ada@example.com");
  ASSERT_OK(out);
  ASSERT_EQ(out->erased.size(), 1u);
  EXPECT_EQ(out->erased[0].method, ErasureMethod::kDelete);
  EXPECT_TRUE(out->erased[0].kept_anonymously.empty());
  EXPECT_EQ(sd_->store->counts()->anonymous, 0);
  auto receipt = verify_receipt(out->erased[0].receipt);
  ASSERT_OK(receipt);
  EXPECT_EQ(receipt->method, ErasureMethod::kDelete);
  EXPECT_TRUE(receipt->kept_anonymously.empty());
}

// The quickstart declaration with `erasure: anonymize`, and a pii property on form_submit so
// that a sealed event part is there to be dropped. city and age are quasi-identifiers there.
std::string anonymizing_config() {
  std::string yaml(synth::quickstart_config_yaml());
  const std::string form = "      - {name: form, type: string}\n";
  const std::size_t at = yaml.find(form);
  if (at == std::string::npos) return "the quickstart has no form_submit.form property";
  yaml.insert(at + form.size(), "      - {name: note, type: string, pii: true}\n");
  return yaml + "\nerasure: anonymize\n";
}

class AnonymizingErasureTest : public ImportedPeopleTest {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_.path() / "store", anonymizing_config(), "anonymize.yaml", kNow,
                             {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
    ASSERT_EQ(sd_->config.erasure, ErasureMethod::kAnonymize);
    write_file(dir_ / "p.csv",
               "customer_id,email,first_name,last_name,city,age,company,job_title\n"
               "C1,ada@example.com,Ada,Lovelace,Zanzibarville,36,Analytical,Countess\n"
               "C2,bob@example.com,Bob,Builder,Leeds,41,Yes We Can,Builder\n");
    write_file(
        dir_ / "e.ndjson",
        R"({"customer_id":"C1","type":"page_view","time":"2026-05-01T10:00:00Z","properties":{"page":"/a","duration_s":3}})"
        "\n"
        R"({"customer_id":"C1","type":"form_submit","time":"2026-05-02T10:00:00Z","properties":{"form":"contact","note":"call me at home, Quillfeather Lane"}})"
        "\n"
        R"({"customer_id":"C1","type":"purchase","time":"2026-05-03T10:00:00Z","properties":{"amount":99.5,"currency":"EUR","plan":"team"}})"
        "\n"
        R"({"customer_id":"C2","type":"page_view","time":"2026-05-04T10:00:00Z","properties":{"page":"/c","duration_s":5}})"
        "\n");
    write_file(
        dir_ / "c.ndjson",
        R"({"email":"ada@example.com","purpose":"segmentation","action":"grant","time":"2026-05-01T09:00:00Z","notice_version":"2026-01"})"
        "\n");
    import(ingest::ImportKind::kProfiles, "p.csv");
    import(ingest::ImportKind::kEvents, "e.ndjson");
    import(ingest::ImportKind::kConsents, "c.ndjson");
  }


  std::vector<SubjectRow> remnants() {
    std::vector<SubjectRow> out;
    EXPECT_OK(sd_->store->scan_subjects([&](const SubjectRow& r) {
      if (r.anonymous) out.push_back(r);
    }));
    return out;
  }

  // Every byte of the store's files, live and write-ahead, data and key ring.
  std::string store_bytes() {
    std::string all;
    for (const char* base : {kDataFileName, kKeyRingFileName}) {
      for (const char* suffix : {"", "-wal", "-journal"}) {
        const auto f = dir_.path() / "store" / (std::string(base) + suffix);
        if (std::filesystem::exists(f)) all += read_file(f);
      }
    }
    return all;
  }
};

TEST_F(AnonymizingErasureTest, ThePersonIsGoneAndTheirEventsStayUnderAnUnlinkedRemnant) {
  const std::optional<SubjectId> ada = find("email=ada@example.com");
  const std::optional<SubjectId> bob = find("email=bob@example.com");
  ASSERT_TRUE(ada && bob);
  const std::string ada_pseudonym = (*sd_->store->subject(*ada))->pseudonym;
  const StoreCounts before = *sd_->store->counts();
  ASSERT_EQ(before.events, 4);
  ASSERT_NE(store_bytes().find("Zanzibarville"), std::string::npos);  // the scan can see it

  auto out = erase(*sd_, {.identifiers = {"email=ada@example.com"}, .now = kNow});
  ASSERT_OK(out);
  ASSERT_EQ(out->erased.size(), 1u);
  const Erased& e = out->erased[0];
  EXPECT_EQ(e.method, ErasureMethod::kAnonymize);
  EXPECT_EQ(e.kept_anonymously,
            (RemovedCounts{{"events", 3}, {"event counts", 3}, {"feature rows", 1}}));
  EXPECT_EQ(removed(e.removed, "events"), 0);  // moved, not deleted
  EXPECT_EQ(removed(e.removed, "profiles"), 1);
  EXPECT_EQ(removed(e.removed, "identifiers"), 2);
  EXPECT_EQ(removed(e.removed, "consent records"), 1);
  EXPECT_EQ(removed(e.removed, "subjects"), 1);
  EXPECT_EQ(e.identifiers_suppressed, 2);

  // The person: not found by any identifier, suppressed, key destroyed, no request open to them.
  EXPECT_FALSE(find("email=ada@example.com").has_value());
  EXPECT_FALSE(find("customer_id=C1").has_value());
  EXPECT_FALSE(sd_->store->subject(*ada)->has_value());
  EXPECT_THAT(sd_->keyring->subject_key(*ada), StatusIs(StatusCode::kNotFound, ::testing::_));
  EXPECT_TRUE(*sd_->keyring->was_erased(*ada));
  EXPECT_EQ(import(ingest::ImportKind::kProfiles, "p.csv").suppressed, 1);
  EXPECT_FALSE(find("email=ada@example.com").has_value());

  // Aggregates survive: every event is still there, one subject is a remnant.
  const StoreCounts after = *sd_->store->counts();
  EXPECT_EQ(after.events, before.events);
  EXPECT_EQ(after.subjects, before.subjects);
  EXPECT_EQ(after.anonymous, 1);
  EXPECT_EQ(after.profiles, 1);  // Bob's

  // The remnant: nothing but events, none of them with a pii part, dated by its first event.
  const std::vector<SubjectRow> left = remnants();
  ASSERT_EQ(left.size(), 1u);
  const SubjectRow& remnant = left[0];
  EXPECT_NE(remnant.pseudonym, ada_pseudonym);
  EXPECT_EQ(remnant.created_at, *parse_timestamp("2026-05-01T10:00:00Z"));
  EXPECT_EQ(remnant.updated_at, remnant.created_at);
  EXPECT_TRUE(sd_->store->subject_identifiers(remnant.id)->empty());
  EXPECT_FALSE(sd_->store->profile(remnant.id)->has_value());
  EXPECT_TRUE(sd_->store->consent_history(remnant.id)->empty());
  EXPECT_TRUE(sd_->store->limit_history(remnant.id)->empty());
  EXPECT_TRUE(sd_->store->membership_purposes(remnant.id)->empty());
  EXPECT_TRUE(sd_->store->dsars({.subject = remnant.id})->empty());
  EXPECT_THAT(sd_->keyring->subject_key(remnant.id), StatusIs(StatusCode::kNotFound, ::testing::_));
  EXPECT_FALSE(*sd_->keyring->was_erased(remnant.id));
  std::vector<EventRow> events;
  ASSERT_OK(sd_->store->scan_subject_events(remnant.id, kNow,
                                            [&](const EventRow& ev) { events.push_back(ev); }));
  ASSERT_EQ(events.size(), 3u);
  for (const EventRow& ev : events) EXPECT_TRUE(ev.sealed.empty()) << ev.props;
  EXPECT_EQ(events[1].props, R"({"form":"contact"})");
  EXPECT_EQ(events[2].props, R"({"amount":99.5,"currency":"EUR","plan":"team"})");
  EXPECT_EQ((*sd_->store->features(remnant.id))->events, 3);

  // No quasi-identifier value is left in any file (city is one; Bob's stays).
  const std::string bytes = store_bytes();
  EXPECT_EQ(bytes.find("Zanzibarville"), std::string::npos);
  EXPECT_EQ(bytes.find("Countess"), std::string::npos);  // the plain profile went whole
  EXPECT_NE(bytes.find("Leeds"), std::string::npos);

  // Nothing in the audit chain, the register or the receipt names the remnant.
  const std::string remnant_id = std::to_string(remnant.id);
  bool saw_erase = false;
  ASSERT_OK(sd_->store->scan_audit([&](const AuditRecord& r) -> Status {
    EXPECT_NE(r.subject, remnant.pseudonym);
    EXPECT_EQ(r.detail.find(remnant.pseudonym), std::string::npos) << r.action;
    EXPECT_EQ(r.detail.find(remnant_id), std::string::npos) << r.action;
    if (r.action == "subject.erase") {
      saw_erase = true;
      EXPECT_EQ(r.subject, ada_pseudonym);
      const json detail = json::parse(r.detail);
      EXPECT_EQ(detail["method"], "anonymize");
      EXPECT_EQ(detail["kept_anonymously"]["events"], 3);
    }
    return Status();
  }));
  EXPECT_TRUE(saw_erase);
  auto row = sd_->store->dsar(e.request.row.request_id);
  ASSERT_OK(row);
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->evidence.find(remnant.pseudonym), std::string::npos);
  EXPECT_EQ(json::parse((*row)->evidence)["method"], "anonymize");
  EXPECT_EQ(e.receipt.find(remnant.pseudonym), std::string::npos);
  EXPECT_EQ(e.receipt.find(remnant_id), std::string::npos);
  auto receipt = verify_receipt(e.receipt);
  ASSERT_OK(receipt);
  EXPECT_EQ(receipt->method, ErasureMethod::kAnonymize);
  EXPECT_EQ(receipt->kept_anonymously,
            (RemovedCounts{{"event counts", 3}, {"events", 3}, {"feature rows", 1}}));
  EXPECT_OK(check_receipt_against_store(*sd_, *receipt));

  // A receipt that claims another method or other kept counts does not match the chain, even
  // when signed with this installation's key.
  auto signer = audit::log_signer(*sd_->store, sd_->master);
  ASSERT_OK(signer);
  ErasureReceipt as_deletion = *receipt;
  as_deletion.method = ErasureMethod::kDelete;
  as_deletion.kept_anonymously.clear();
  auto forged = verify_receipt(sign_receipt(as_deletion, signer->key));
  ASSERT_OK(forged);
  EXPECT_THAT(check_receipt_against_store(*sd_, *forged),
              StatusIs(StatusCode::kUnauthenticated, ::testing::_));
}

TEST_F(AnonymizingErasureTest, NoPurposeViewIncludesARemnant) {
  ASSERT_OK(erase(*sd_, {.identifiers = {"email=ada@example.com"}, .now = kNow}));
  const std::vector<SubjectRow> left = remnants();
  ASSERT_EQ(left.size(), 1u);
  const std::string bob = (*sd_->store->subject(*find("email=bob@example.com")))->pseudonym;
  // lead_scoring rests on legitimate interest: without the exclusion every subject with no
  // objection, the remnant too, would be let through.
  for (const char* purpose : {"lead_scoring", "segmentation", "order_fulfilment"}) {
    auto view = gate::build_view(*sd_, {.purpose = purpose, .as_of = kNow, .actor = "test"}, kNow);
    ASSERT_OK(view);
    for (const std::string& id : view->row_ids()) EXPECT_NE(id, left[0].pseudonym) << purpose;
  }
  auto scoring =
      gate::build_view(*sd_, {.purpose = "lead_scoring", .as_of = kNow, .actor = "t"}, kNow);
  ASSERT_OK(scoring);
  EXPECT_EQ(scoring->row_ids(), std::vector<std::string>{bob});
  auto counted = gate::count_lawful(*sd_, kNow, "test", kNow);
  ASSERT_OK(counted);
  for (const gate::GateCount& c : *counted) EXPECT_EQ(c.subjects, 1) << c.purpose;
}

TEST_F(AnonymizingErasureTest, SomeoneWithoutEventsLeavesNoRemnant) {
  write_file(dir_ / "p2.csv", "customer_id,email\nC3,cyd@example.com\n");
  import(ingest::ImportKind::kProfiles, "p2.csv");
  auto out = erase(*sd_, {.identifiers = {"email=cyd@example.com"}, .now = kNow});
  ASSERT_OK(out);
  ASSERT_EQ(out->erased.size(), 1u);
  EXPECT_EQ(out->erased[0].kept_anonymously,
            (RemovedCounts{{"events", 0}, {"event counts", 0}, {"feature rows", 0}}));
  EXPECT_TRUE(remnants().empty());
  EXPECT_FALSE(find("email=cyd@example.com").has_value());
}

}  // namespace
}  // namespace consentric::rights
