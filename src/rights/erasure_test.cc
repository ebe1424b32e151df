#include "rights/erasure.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "consent/subjects.h"
#include "crypto/keys.h"
#include "ingest/importer.h"
#include "rights/backup.h"
#include "synth/generator.h"
#include "testing/status_matchers.h"

namespace consentric::rights {
namespace {

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

// Two people imported through the real import path (profile, events, consent), on the
// quickstart declaration.
class ErasureTest : public ::testing::Test {
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

  Result<EraseOutcome> erase_one(std::string identifier, std::optional<std::int64_t> request = {}) {
    return erase(*sd_, {.identifiers = {std::move(identifier)}, .request_id = request, .now = kNow});
  }

  TempDir dir_;
  std::optional<StoreDir> sd_;
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

}  // namespace
}  // namespace consentric::rights
