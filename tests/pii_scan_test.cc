// DESIGN.md invariant 3, tested on the bytes: after importing known personal data, no pii value
// appears in any file of the store, neither in the main database nor in its write-ahead log,
// before or after a checkpoint; and the data files carry no key material.

#include <string>
#include <vector>

#include "ingest/importer.h"
#include "synth/generator.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::read_file;
using ::consentric::testing::TempDir;
using ::consentric::testing::write_file;

constexpr UnixSeconds kNow = 1'780'000'000;

// Values that occur nowhere else, so any hit is a leak.
const std::vector<std::string> kSecrets = {
    "C90210777",
    "quillon.vantreeck@zephyrine-holdings.example",
    "Quillon",
    "Vantreeck",
    "+49 30 9988776",
    "C90210778",
    "marisol.okonkwo-brandt@lumenfield.example",
    "Marisol",
    "Okonkwo-Brandt",
    "+33 1 44556677",
};

std::vector<std::string> needles() {
  std::vector<std::string> out = kSecrets;
  // Normalized forms too: the blind index must not be a plaintext in disguise.
  out.push_back("quillon.vantreeck@zephyrine-holdings.example");
  out.push_back("+49309988776");
  out.push_back("vantreeck");
  return out;
}

int count_hits(const std::filesystem::path& dir) {
  int hits = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename() == kKeyFileName) continue;
    const std::string bytes = read_file(entry.path());
    for (const std::string& n : needles()) {
      for (std::size_t pos = bytes.find(n); pos != std::string::npos;
           pos = bytes.find(n, pos + 1)) {
        ADD_FAILURE() << "found \"" << n << "\" in " << entry.path().filename() << " at byte "
                      << pos;
        ++hits;
      }
    }
  }
  return hits;
}

TEST(PiiScan, NoPlaintextPiiInAnyStoreFile) {
  TempDir dir;
  const auto store_path = dir.path() / "store";
  auto sd = init_store_dir(store_path, synth::quickstart_config_yaml(), "quickstart.yaml", kNow);
  ASSERT_OK(sd);
  write_file(dir / "p.csv",
             "customer_id,email,first_name,last_name,phone,company,country,age\n"
             "C90210777,quillon.vantreeck@zephyrine-holdings.example,Quillon,Vantreeck,+49 30 "
             "9988776,Zephyrine,DE,44\n"
             "C90210778,marisol.okonkwo-brandt@lumenfield.example,Marisol,Okonkwo-Brandt,+33 1 "
             "44556677,Lumenfield,FR,37\n");
  write_file(
      dir / "e.ndjson",
      R"({"customer_id":"C90210777","type":"page_view","time":"2026-05-01T10:00:00Z","properties":{"page":"/pricing","duration_s":30}})"
      "\n");
  write_file(
      dir / "c.ndjson",
      R"({"email":"quillon.vantreeck@zephyrine-holdings.example","purpose":"segmentation","action":"grant","time":"2026-05-01T10:00:00Z","notice_version":"2026-01"})"
      "\n");
  ASSERT_OK(ingest::import_file(
      *sd, {.kind = ingest::ImportKind::kProfiles, .file = dir / "p.csv", .now = kNow}));
  ASSERT_OK(ingest::import_file(
      *sd, {.kind = ingest::ImportKind::kEvents, .file = dir / "e.ndjson", .now = kNow}));
  ASSERT_OK(ingest::import_file(
      *sd, {.kind = ingest::ImportKind::kConsents, .file = dir / "c.ndjson", .now = kNow}));
  ASSERT_EQ(sd->store->counts()->subjects, 2);

  // Before a checkpoint the new pages sit in the WAL; scan it as it is.
  EXPECT_TRUE(std::filesystem::exists(store_path / (std::string(kDataFileName) + "-wal")));
  EXPECT_EQ(count_hits(store_path), 0);
  ASSERT_OK(sd->store->checkpoint());
  EXPECT_EQ(count_hits(store_path), 0);

  // The master key's bytes are in neither database file.
  const std::string key(sd->master.view());
  for (const char* f : {kDataFileName, kKeyRingFileName}) {
    EXPECT_EQ(read_file(store_path / f).find(key), std::string::npos) << f;
  }
}

}  // namespace
}  // namespace consentric
