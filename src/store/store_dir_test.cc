#include "store/store_dir.h"

#include <sys/stat.h>

#include <cstdlib>

#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

constexpr std::string_view kConfig = R"(version: 1
controller: {name: Test Ltd, contact: dpo@test.example, country: DE}
identifiers:
  - {field: email, kind: email}
fields:
  - {name: email, type: string, category: contact, pii: true, required: true}
  - {name: age, type: int, category: demographic}
event_types:
  - name: page_view
    properties:
      - {name: page, type: string}
purposes:
  - id: segmentation
    description: marketing segments
    legal_basis: consent
    notice_version: "1"
    fields: [age]
    event_types: [page_view]
)";

TEST(StoreDir, InitThenOpen) {
  TempDir dir;
  auto created = init_store_dir(dir.path() / "s", kConfig, "c.yaml", 1000);
  ASSERT_OK(created);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "s" / kKeyFileName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  created->store.reset();
  auto opened = open_store_dir(dir.path() / "s");
  ASSERT_OK(opened);
  EXPECT_NE(opened->config.purpose("segmentation"), nullptr);
}

TEST(StoreDir, InitRefusesAnExistingStoreAndABadConfig) {
  TempDir dir;
  ASSERT_OK(init_store_dir(dir.path(), kConfig, "c.yaml", 1000));
  EXPECT_THAT(init_store_dir(dir.path(), kConfig, "c.yaml", 1000),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("already holds")));
  TempDir other;
  EXPECT_THAT(init_store_dir(other.path() / "s", "fields: [", "bad.yaml", 1000),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("bad.yaml")));
  EXPECT_FALSE(std::filesystem::exists(other.path() / "s" / kDataFileName));
  EXPECT_FALSE(std::filesystem::exists(other.path() / "s" / kKeyFileName));
}

TEST(StoreDir, WrongOrMissingKeyIsRefused) {
  TempDir dir;
  ASSERT_OK(init_store_dir(dir.path(), kConfig, "c.yaml", 1000));
  TempDir elsewhere;
  const auto other_key = elsewhere / "other.key";
  ASSERT_OK(crypto::write_master_key_file(other_key, crypto::SecretKey::generate()));
  EXPECT_THAT(open_store_dir(dir.path(), {.key_file = other_key}),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("does not match")));
  EXPECT_THAT(open_store_dir(dir.path(), {.key_file = elsewhere / "missing.key"}),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("no master key")));
  EXPECT_THAT(open_store_dir(elsewhere.path()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("consentric init")));
}

TEST(StoreDir, KeyFromEnvironmentWritesNoKeyFile) {
  TempDir dir;
  const std::string key = crypto::encode_master_key(crypto::SecretKey::generate());
  ::setenv("CONSENTRIC_MASTER_KEY", key.c_str(), 1);
  auto created = init_store_dir(dir.path(), kConfig, "c.yaml", 1000);
  ::unsetenv("CONSENTRIC_MASTER_KEY");
  ASSERT_OK(created);
  EXPECT_FALSE(std::filesystem::exists(dir / kKeyFileName));
  created->store.reset();
  EXPECT_THAT(open_store_dir(dir.path()),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("no master key")));
  ::setenv("CONSENTRIC_MASTER_KEY", key.c_str(), 1);
  auto opened = open_store_dir(dir.path());
  ::unsetenv("CONSENTRIC_MASTER_KEY");
  EXPECT_OK(opened);
}

}  // namespace
}  // namespace consentric
