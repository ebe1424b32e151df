// DESIGN.md invariant 4, tested on the bytes (issue 5's forensic test): generate data, take a
// backup, erase a person; then scan every raw file of the store (main database, WAL, journal,
// key ring) and the backup. No plaintext of any of their personal data anywhere, no copy of
// their data key or of its wrapped form anywhere, their sealed values gone from the live files;
// and once the backup is restored, the person is not in the store.

#include <string>
#include <vector>

#include "consent/subjects.h"
#include "ingest/importer.h"
#include "rights/backup.h"
#include "rights/erasure.h"
#include "sqlite/db.h"
#include "synth/generator.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::read_file;
using ::consentric::testing::TempDir;
using ::consentric::testing::write_file;

constexpr UnixSeconds kNow = 1'780'000'000;

// Her values occur nowhere else, so any hit is a leak. The pii fields are sealed, so no copy,
// backups included, may hold them in plaintext.
const std::vector<std::string> kHerPii = {
    "C90210777", "quillon.vantreeck@zephyrine-holdings.example", "Quillon", "Vantreeck",
    "+49 30 9988776", "+49309988776", "vantreeck"};
// Her company is a plain (non-pii) field: in the backup taken before, it may be; in the live
// files, secure_delete and the checkpoint must have overwritten it.
constexpr std::string_view kHerPlainValue = "Zephyrine";

struct Hit {
  std::string file;
  std::string what;
};

// Every occurrence of each needle in each file named, as (file, needle label).
std::vector<Hit> scan(const std::vector<std::filesystem::path>& files,
                      const std::vector<std::pair<std::string, std::string>>& needles) {
  std::vector<Hit> hits;
  for (const auto& f : files) {
    if (!std::filesystem::exists(f)) continue;
    const std::string bytes = read_file(f);
    for (const auto& [label, needle] : needles) {
      if (!needle.empty() && bytes.find(needle) != std::string::npos) {
        hits.push_back({f.filename().string(), label});
      }
    }
  }
  return hits;
}

std::vector<std::filesystem::path> store_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const char* base : {kDataFileName, kKeyRingFileName}) {
    for (const char* suffix : {"", "-wal", "-journal", "-shm"}) {
      out.push_back(dir / (std::string(base) + suffix));
    }
  }
  return out;
}

// A blob column of one row, read straight from the file (what an attacker with the file sees).
std::string raw_blob(const std::filesystem::path& db_file, const std::string& sql) {
  auto db = sqlite::Db::open(db_file, {.read_only = true});
  EXPECT_OK(db);
  auto stmt = (*db)->prepare(sql);
  EXPECT_OK(stmt);
  auto row = stmt->step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return std::string(stmt->column_blob(0));
}

TEST(ErasureForensics, NothingOfAnErasedPersonSurvivesInAnyFileOrBackup) {
  TempDir dir;
  const auto store = dir.path() / "store";
  auto opened = init_store_dir(store, synth::quickstart_config_yaml(), "quickstart.yaml", kNow);
  ASSERT_OK(opened);
  StoreDir sd = std::move(*opened);

  // A realistic store around her: generated customers, then her profile, events and consent.
  ASSERT_OK(synth::generate(
      {.customers = 300, .seed = 7, .out_dir = dir.path() / "gen", .as_of = kNow, .threads = 1}));
  for (const auto& [kind, file] :
       {std::pair{ingest::ImportKind::kProfiles, "profiles.csv"},
        std::pair{ingest::ImportKind::kEvents, "events.ndjson"},
        std::pair{ingest::ImportKind::kConsents, "consents.ndjson"}}) {
    ASSERT_OK(ingest::import_file(sd, {.kind = kind, .file = dir.path() / "gen" / file, .now = kNow}));
  }
  write_file(dir / "p.csv",
             "customer_id,email,first_name,last_name,phone,company,country,age\n"
             "C90210777,quillon.vantreeck@zephyrine-holdings.example,Quillon,Vantreeck,+49 30 "
             "9988776,Zephyrine,DE,44\n");
  write_file(
      dir / "e.ndjson",
      R"({"customer_id":"C90210777","type":"page_view","time":"2026-05-01T10:00:00Z","properties":{"page":"/pricing","duration_s":30}})"
      "\n");
  write_file(
      dir / "c.ndjson",
      R"({"email":"quillon.vantreeck@zephyrine-holdings.example","purpose":"segmentation","action":"grant","time":"2026-05-01T10:00:00Z","notice_version":"2026-01"})"
      "\n");
  ASSERT_OK(ingest::import_file(sd, {.kind = ingest::ImportKind::kProfiles, .file = dir / "p.csv", .now = kNow}));
  ASSERT_OK(ingest::import_file(sd, {.kind = ingest::ImportKind::kEvents, .file = dir / "e.ndjson", .now = kNow}));
  ASSERT_OK(ingest::import_file(sd, {.kind = ingest::ImportKind::kConsents, .file = dir / "c.ndjson", .now = kNow}));

  auto arg = consent::parse_identifier_arg(sd.config, "customer_id=C90210777");
  ASSERT_OK(arg);
  auto found = consent::find_subject(sd, *arg);
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  const SubjectId her = (*found)->id;

  // Her key material and sealed values, as they sit in the files before the erasure.
  auto dek = sd.keyring->subject_key(her);
  ASSERT_OK(dek);
  const std::string key(dek->view());
  ASSERT_OK(sd.store->checkpoint());
  const std::string sid = std::to_string(her);
  const std::string wrapped =
      raw_blob(store / kKeyRingFileName, "SELECT wrapped FROM subject_keys WHERE subject_id = " + sid);
  const std::string sealed_profile =
      raw_blob(store / kDataFileName, "SELECT sealed FROM profiles WHERE subject_id = " + sid);
  ASSERT_EQ(wrapped.size(), 73u);
  ASSERT_GT(sealed_profile.size(), 41u);

  // The backup holds her sealed values (it was taken before) but never a key.
  const auto backup = dir.path() / "backup.db";
  ASSERT_OK(rights::backup_store(sd, backup, "test", kNow));
  ASSERT_NE(read_file(backup).find(sealed_profile), std::string::npos);

  auto erased = rights::erase(sd, {.identifiers = {"customer_id=C90210777"}, .now = kNow});
  ASSERT_OK(erased);
  ASSERT_EQ(erased->erased.size(), 1u);

  std::vector<std::pair<std::string, std::string>> needles;
  for (const std::string& v : kHerPii) needles.push_back({"pii " + v, v});
  needles.push_back({"data key", key});
  needles.push_back({"wrapped data key", wrapped});
  std::vector<std::filesystem::path> everywhere = store_files(store);
  everywhere.push_back(backup);
  for (const Hit& h : scan(everywhere, needles)) {
    ADD_FAILURE() << "found " << h.what << " in " << h.file;
  }
  // Her ciphertext is gone from the live files (the backup keeps it, unreadable without a key).
  for (const Hit& h : scan(store_files(store), {{"sealed profile", sealed_profile},
                                                {"company", std::string(kHerPlainValue)}})) {
    ADD_FAILURE() << "found her " << h.what << " in " << h.file;
  }
  // The WAL was truncated by the erasure's checkpoint.
  const auto wal = store / (std::string(kDataFileName) + "-wal");
  EXPECT_TRUE(!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0);

  // The backup comes back; she does not.
  auto restored = rights::restore_store(sd, backup, "test", kNow);
  ASSERT_OK(restored);
  EXPECT_EQ(restored->erasures_reapplied, 1);
  auto again = consent::find_subject(sd, *arg);
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);  // suppressed: erased
  auto subject = sd.store->subject(her);
  ASSERT_OK(subject);
  EXPECT_FALSE(subject->has_value());
  for (const Hit& h : scan(store_files(store), {{"sealed profile", sealed_profile},
                                                {"data key", key},
                                                {"wrapped data key", wrapped}})) {
    ADD_FAILURE() << "after the restore, found her " << h.what << " in " << h.file;
  }
}

}  // namespace
}  // namespace consentric
