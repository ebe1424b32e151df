#include "crypto/key_ring.h"

#include <sys/stat.h>

#include <limits>

#include "testing/status_matchers.h"

namespace consentric::crypto {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

std::unique_ptr<KeyRing> must(Result<std::unique_ptr<KeyRing>> r) {
  EXPECT_OK(r);
  return r.ok() ? std::move(r).value() : nullptr;
}

// The wrapped key as stored, read through a connection of its own.
std::string wrapped_of(const std::filesystem::path& path, std::int64_t subject_id) {
  auto db = std::move(sqlite::Db::open(path, {})).value();
  auto stmt =
      std::move(db->prepare("SELECT wrapped FROM subject_keys WHERE subject_id = ?")).value();
  stmt.bind(1, subject_id);
  if (!*stmt.step()) return {};
  return std::string(stmt.column_blob(0));
}

bool file_contains(const std::filesystem::path& path, const std::string& needle) {
  if (!std::filesystem::exists(path)) return false;
  return ::consentric::testing::read_file(path).find(needle) != std::string::npos;
}

bool ring_files_contain(const std::filesystem::path& path, const std::string& needle) {
  return file_contains(path, needle) || file_contains(path.string() + "-wal", needle);
}

TEST(KeyRing, CreateRefusesAnExistingFileAndOpenAMissingOne) {
  TempDir dir;
  const SecretKey master = SecretKey::generate();
  ASSERT_OK(KeyRing::create(dir / "keyring.db", master));
  EXPECT_THAT(KeyRing::create(dir / "keyring.db", master),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("keyring.db")));
  EXPECT_THAT(KeyRing::open(dir / "none.db", master),
              StatusIs(StatusCode::kNotFound, HasSubstr("none.db")));
}

TEST(KeyRing, FileIsOwnerOnly) {
  TempDir dir;
  ::umask(022);
  auto ring = must(KeyRing::create(dir / "keyring.db", SecretKey::generate()));
  ASSERT_TRUE(ring);
  ASSERT_OK(ring->create_subject_key(1));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "keyring.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir.path().string() + "/keyring.db-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(KeyRing, WrongMasterKeyIsUnauthenticated) {
  TempDir dir;
  const auto path = dir / "keyring.db";
  ASSERT_OK(KeyRing::create(path, SecretKey::generate()));
  EXPECT_THAT(KeyRing::open(path, SecretKey::generate()),
              StatusIs(StatusCode::kUnauthenticated,
                       HasSubstr("the master key does not match this store's key ring (" +
                                 path.string() + ")")));
}

TEST(KeyRing, OpenRefusesAFileThatIsNotAKeyRing) {
  TempDir dir;
  const auto path = dir / "other.db";
  {
    auto db = std::move(sqlite::Db::open(path, {.create = true})).value();
    ASSERT_OK(db->exec("CREATE TABLE t(x)"));
  }
  EXPECT_THAT(KeyRing::open(path, SecretKey::generate()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("not a consentric key ring")));
}

TEST(KeyRing, OpenRefusesAnotherFormatVersion) {
  TempDir dir;
  const auto path = dir / "keyring.db";
  const SecretKey master = SecretKey::generate();
  ASSERT_OK(KeyRing::create(path, master));
  {
    auto db = std::move(sqlite::Db::open(path, {})).value();
    ASSERT_OK(db->exec("UPDATE meta SET value = 2 WHERE key = 'format_version'"));
  }
  EXPECT_THAT(KeyRing::open(path, master),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("version 2")));
}

TEST(KeyRing, CreateGetDestroy) {
  TempDir dir;
  auto ring = must(KeyRing::create(dir / "keyring.db", SecretKey::generate()));
  ASSERT_TRUE(ring);
  auto k1 = ring->create_subject_key(1);
  auto k2 = ring->create_subject_key(2);
  ASSERT_OK(k1);
  ASSERT_OK(k2);
  EXPECT_NE(k1->view(), k2->view());
  EXPECT_EQ(*ring->key_count(), 2);
  EXPECT_THAT(ring->create_subject_key(1),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("subject 1")));

  auto got = ring->subject_key(1);
  ASSERT_OK(got);
  EXPECT_EQ(got->view(), k1->view());
  EXPECT_THAT(ring->subject_key(3), StatusIs(StatusCode::kNotFound, HasSubstr("subject 3")));

  ASSERT_OK(ring->destroy_subject_key(1, 1700000000));
  EXPECT_THAT(ring->subject_key(1), StatusIs(StatusCode::kNotFound, HasSubstr("subject 1")));
  // Destroying again (an interrupted erasure run a second time) is fine; a subject that never
  // had a key is not.
  ASSERT_OK(ring->destroy_subject_key(1, 1700000000));
  EXPECT_THAT(ring->destroy_subject_key(3, 1700000000),
              StatusIs(StatusCode::kNotFound, HasSubstr("subject 3")));
  EXPECT_EQ(ring->subject_key(2)->view(), k2->view());
  EXPECT_EQ(*ring->key_count(), 1);
}

TEST(KeyRing, RecordsErasuresAndNeverKeysAnErasedIdAgain) {
  TempDir dir;
  const SecretKey master = SecretKey::generate();
  {
    auto ring = must(KeyRing::create(dir / "keyring.db", master));
    ASSERT_OK(ring->create_subject_key(7));
    ASSERT_OK(ring->create_subject_key(9));
    ASSERT_OK(ring->destroy_subject_key(9, 1700000100));
    EXPECT_THAT(ring->create_subject_key(9),
                StatusIs(StatusCode::kFailedPrecondition, HasSubstr("subject 9 was erased")));
    EXPECT_FALSE(*ring->was_erased(7));
  }
  // The record outlives the connection: it is what a restored backup is erased again from.
  auto ring = must(KeyRing::open(dir / "keyring.db", master));
  auto erased = ring->erasures();
  ASSERT_OK(erased);
  ASSERT_EQ(erased->size(), 1u);
  EXPECT_EQ((*erased)[0].subject_id, 9);
  EXPECT_EQ((*erased)[0].erased_at, 1700000100);
  EXPECT_EQ(*ring->erasure_count(), 1);
  EXPECT_TRUE(*ring->was_erased(9));
}

TEST(KeyRing, NegativeAndLargeSubjectIds) {
  TempDir dir;
  auto ring = must(KeyRing::create(dir / "keyring.db", SecretKey::generate()));
  ASSERT_TRUE(ring);
  for (std::int64_t id :
       {std::int64_t{0}, std::int64_t{-7}, std::numeric_limits<std::int64_t>::max(),
        std::numeric_limits<std::int64_t>::min()}) {
    auto k = ring->create_subject_key(id);
    ASSERT_OK(k);
    EXPECT_EQ(ring->subject_key(id)->view(), k->view()) << id;
  }
}

TEST(KeyRing, WrappedKeysAreBoundToTheirSubject) {
  TempDir dir;
  const auto path = dir / "keyring.db";
  auto ring = must(KeyRing::create(path, SecretKey::generate()));
  ASSERT_TRUE(ring);
  ASSERT_OK(ring->create_subject_key(1));
  ASSERT_OK(ring->create_subject_key(2));
  {
    // Swap the two wrapped keys behind the ring's back.
    auto db = std::move(sqlite::Db::open(path, {})).value();
    ASSERT_OK(
        db->exec("UPDATE subject_keys SET subject_id = -subject_id;"
                 "UPDATE subject_keys SET subject_id = 2 WHERE subject_id = -1;"
                 "UPDATE subject_keys SET subject_id = 1 WHERE subject_id = -2;"));
  }
  EXPECT_THAT(ring->subject_key(1), StatusIs(StatusCode::kDataLoss, HasSubstr("subject 1")));
}

TEST(KeyRing, RollbackDiscardsKeysCreatedInsideBegin) {
  TempDir dir;
  auto ring = must(KeyRing::create(dir / "keyring.db", SecretKey::generate()));
  ASSERT_TRUE(ring);
  ASSERT_OK(ring->create_subject_key(1));
  ASSERT_OK(ring->begin());
  EXPECT_TRUE(ring->in_transaction());
  EXPECT_THAT(ring->begin(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already open")));
  ASSERT_OK(ring->create_subject_key(2));
  ASSERT_OK(ring->create_subject_key(3));
  ASSERT_OK(ring->destroy_subject_key(1, 1700000000));
  EXPECT_OK(ring->subject_key(2));
  ring->rollback();
  EXPECT_FALSE(ring->in_transaction());
  EXPECT_THAT(ring->subject_key(2), StatusIs(StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(ring->subject_key(3), StatusIs(StatusCode::kNotFound, ::testing::_));
  EXPECT_OK(ring->subject_key(1));  // the destroy was rolled back too
  EXPECT_EQ(*ring->key_count(), 1);
  EXPECT_THAT(ring->commit(),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("no key ring transaction")));
}

TEST(KeyRing, ReopenShowsCommittedKeys) {
  TempDir dir;
  const auto path = dir / "keyring.db";
  const SecretKey master = SecretKey::generate();
  std::string k1;
  std::string k2;
  {
    auto ring = must(KeyRing::create(path, master));
    ASSERT_TRUE(ring);
    ASSERT_OK(ring->begin());
    k1 = std::string(ring->create_subject_key(1)->view());
    k2 = std::string(ring->create_subject_key(2)->view());
    ASSERT_OK(ring->commit());
    ASSERT_OK(ring->begin());
    ASSERT_OK(ring->create_subject_key(3));
    // The ring goes away with this transaction open: its destructor rolls it back.
  }
  auto ring = must(KeyRing::open(path, master, /*durable=*/false));
  ASSERT_TRUE(ring);
  EXPECT_EQ(*ring->key_count(), 2);
  EXPECT_EQ(ring->subject_key(1)->view(), k1);
  EXPECT_EQ(ring->subject_key(2)->view(), k2);
  EXPECT_THAT(ring->subject_key(3), StatusIs(StatusCode::kNotFound, ::testing::_));
}

TEST(KeyRing, DestroyedKeyLeavesNoBytesInTheFiles_CheckpointedKey) {
  TempDir dir;
  const auto path = dir / "keyring.db";
  const SecretKey master = SecretKey::generate();
  {
    auto ring = must(KeyRing::create(path, master));
    ASSERT_TRUE(ring);
    for (std::int64_t id = 1; id <= 50; ++id) ASSERT_OK(ring->create_subject_key(id));
  }  // closing the last connection checkpoints the keys into keyring.db
  const std::string victim = wrapped_of(path, 17);
  const std::string survivor = wrapped_of(path, 18);
  ASSERT_EQ(victim.size(), 73u);
  ASSERT_TRUE(file_contains(path, victim));

  auto ring = must(KeyRing::open(path, master));
  ASSERT_TRUE(ring);
  ASSERT_OK(ring->destroy_subject_key(17, 1700000000));
  EXPECT_FALSE(ring_files_contain(path, victim));
  EXPECT_TRUE(ring_files_contain(path, survivor));
  EXPECT_OK(ring->subject_key(18));
}

TEST(KeyRing, DestroyedKeyLeavesNoBytesInTheFiles_KeyStillInWal) {
  TempDir dir;
  const auto path = dir / "keyring.db";
  auto ring = must(KeyRing::create(path, SecretKey::generate()));
  ASSERT_TRUE(ring);
  ASSERT_OK(ring->begin());
  for (std::int64_t id = 1; id <= 50; ++id) ASSERT_OK(ring->create_subject_key(id));
  ASSERT_OK(ring->commit());
  const std::string victim = wrapped_of(path, 17);
  const std::string survivor = wrapped_of(path, 18);
  ASSERT_EQ(victim.size(), 73u);
  ASSERT_TRUE(file_contains(path.string() + "-wal", victim));  // not checkpointed yet

  ASSERT_OK(ring->destroy_subject_key(17, 1700000000));
  EXPECT_FALSE(ring_files_contain(path, victim));
  EXPECT_TRUE(ring_files_contain(path, survivor));
}

TEST(KeyRing, DestroyedKeysLeaveNoBytesInTheFiles_InsideATransaction) {
  TempDir dir;
  const auto path = dir / "keyring.db";
  auto ring = must(KeyRing::create(path, SecretKey::generate()));
  ASSERT_TRUE(ring);
  for (std::int64_t id = 1; id <= 50; ++id) ASSERT_OK(ring->create_subject_key(id));
  const std::string v1 = wrapped_of(path, 5);
  const std::string v2 = wrapped_of(path, 40);
  ASSERT_TRUE(ring_files_contain(path, v1));
  ASSERT_OK(ring->begin());
  ASSERT_OK(ring->destroy_subject_key(5, 1700000000));
  ASSERT_OK(ring->destroy_subject_key(40, 1700000000));
  ASSERT_OK(ring->commit());
  EXPECT_FALSE(ring_files_contain(path, v1));
  EXPECT_FALSE(ring_files_contain(path, v2));
  EXPECT_EQ(*ring->key_count(), 48);
}

}  // namespace
}  // namespace consentric::crypto
