#include "rights/portability.h"

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/keys.h"
#include "crypto/signing.h"
#include "rights/rights_fixture_test.h"
#include "testing/status_matchers.h"

namespace consentric::rights {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Every entry of a zip file, read back with libzip: name -> bytes.
std::map<std::string, std::string> read_zip(const std::filesystem::path& path) {
  std::map<std::string, std::string> out;
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  EXPECT_NE(z, nullptr) << "zip_open error " << error;
  if (z == nullptr) return out;
  const zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    EXPECT_EQ(zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st), 0);
    zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), 0);
    EXPECT_NE(f, nullptr);
    if (f == nullptr) continue;
    std::string bytes(st.size, '\0');
    EXPECT_EQ(zip_fread(f, bytes.data(), bytes.size()), static_cast<zip_int64_t>(st.size));
    zip_fclose(f);
    out.emplace(st.name, std::move(bytes));
  }
  zip_close(z);
  return out;
}

class PortabilityTest : public RightsStoreTest {};

TEST_F(PortabilityTest, ZipReadsBackWithAManifestThatMatchesEveryFile) {
  const auto out = dir_.path() / "ann.zip";
  auto done = portability(*sd_, {.identifier = "customer_id=C1", .now = kRightsNow, .out = out});
  ASSERT_OK(done);
  EXPECT_EQ(done->request.row.status, "completed");
  EXPECT_EQ(done->request.row.type, "portability");
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "ann.zip.tmp"));

  const auto files = read_zip(out);
  ASSERT_TRUE(files.contains("manifest.json"));
  const json manifest = json::parse(files.at("manifest.json"));
  EXPECT_EQ(manifest["format_version"], kPortabilityFormatVersion);
  EXPECT_EQ(manifest["request"], done->request.row.request_id);
  EXPECT_EQ(manifest["controller"]["name"], "Test Ltd");
  EXPECT_EQ(manifest["generated"], "2026-06-01T00:00:00Z");
  ASSERT_EQ(manifest["files"].size(), 6u);
  for (const json& f : manifest["files"]) {
    const std::string name = f["name"];
    ASSERT_TRUE(files.contains(name)) << name;
    EXPECT_EQ(f["sha256"], crypto::to_hex(crypto::sha256(files.at(name)))) << name;
    EXPECT_FALSE(f["description"].get<std::string>().empty());
    EXPECT_EQ(files.size(), manifest["files"].size() + 1);
  }

  // One CSV row per event, with the sealed note opened into its column.
  const std::string& events_csv = files.at("observed/events.csv");
  EXPECT_EQ(std::count(events_csv.begin(), events_csv.end(), '\n'), 1 + 3);
  EXPECT_EQ(events_csv.substr(0, events_csv.find('\n')), "time,type,page,amount,note");
  EXPECT_THAT(events_csv, HasSubstr("2026-05-02T10:00:00Z,purchase,,12.5,\"gift, wrap it\""));
  const json events = json::parse(files.at("observed/events.json"));
  EXPECT_EQ(events["events"].size(), 3u);

  const json profile = json::parse(files.at("provided/profile.json"));
  EXPECT_EQ(profile["fields"]["email"], "ann@example.com");
  EXPECT_EQ(profile["fields"]["age"], 34);
  const std::string& profile_csv = files.at("provided/profile.csv");
  EXPECT_EQ(profile_csv.substr(0, profile_csv.find('\n')),
            "customer_id,email,first_name,age,country,signup_date");

  const json consent = json::parse(files.at("provided/consent.json"));
  ASSERT_EQ(consent["decisions"].size(), 1u);
  EXPECT_EQ(consent["decisions"][0]["proof"]["form_id"], "signup");
  const std::string& consent_csv = files.at("provided/consent.csv");
  EXPECT_EQ(std::count(consent_csv.begin(), consent_csv.end(), '\n'), 2);

  // Evidence: the archive's hash and per-file rows.
  const json evidence = json::parse(done->request.row.evidence);
  EXPECT_EQ(evidence["file"], "ann.zip");
  EXPECT_EQ(evidence["blake2b_256"], crypto::to_hex(*crypto::hash256_file(out)));
  std::string audited;
  ASSERT_OK(sd_->store->scan_audit([&](const AuditRecord& a) {
    if (a.action == "subject.portability") audited = a.detail;
    return Status();
  }));
  EXPECT_THAT(audited, HasSubstr("observed/events.csv"));
  EXPECT_THAT(audited, ::testing::Not(HasSubstr("ann@")));
}

TEST_F(PortabilityTest, UnknownPersonIsNoDataWithoutAFile) {
  const auto out = dir_.path() / "x.zip";
  auto done = portability(*sd_, {.identifier = "zed@example.com", .now = kRightsNow, .out = out});
  ASSERT_OK(done);
  EXPECT_EQ(done->request.row.status, "no_data");
  EXPECT_FALSE(done->archive.has_value());
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace consentric::rights
