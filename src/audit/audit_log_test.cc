#include "audit/audit_log.h"

#include "crypto/keys.h"
#include "sqlite/db.h"
#include "store/sqlite_store.h"
#include "testing/status_matchers.h"

namespace consentric::audit {
namespace {

using ::consentric::testing::TempDir;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(open_sqlite_store(dir_ / "c.db", {.create = true})).value();
    ASSERT_OK(store_->begin());
    for (int i = 0; i < 5; ++i) {
      ASSERT_OK(append(*store_,
                       {.actor = "operator",
                        .action = "import.events",
                        .detail = "{\"n\":" + std::to_string(i) + "}"},
                       100 + i));
    }
    ASSERT_OK(store_->commit());
  }
  // Tampers with the file directly, as someone with access to the database could.
  void tamper(const std::string& sql) {
    auto db = std::move(sqlite::Db::open(dir_ / "c.db", {})).value();
    ASSERT_OK(db->exec(sql));
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(AuditLogTest, IntactChainVerifies) {
  auto report = verify(*store_);
  ASSERT_OK(report);
  EXPECT_TRUE(report->intact);
  EXPECT_EQ(report->entries, 5);
  EXPECT_EQ(report->head_hash_hex.size(), 64u);
}

TEST_F(AuditLogTest, AlteredEntryIsFound) {
  tamper("UPDATE audit_log SET detail = '{\"n\":99}' WHERE seq = 3");
  auto report = *verify(*store_);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 3);
  EXPECT_THAT(report.problem, ::testing::HasSubstr("altered"));
}

TEST_F(AuditLogTest, RemovedEntryIsFound) {
  tamper("DELETE FROM audit_log WHERE seq = 2");
  auto report = *verify(*store_);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 3);
}

TEST_F(AuditLogTest, ReorderedEntriesAreFound) {
  tamper(
      "UPDATE audit_log SET seq = seq + 100 WHERE seq IN (2, 3);"
      "UPDATE audit_log SET seq = 3 WHERE seq = 102; UPDATE audit_log SET seq = 2 WHERE seq = "
      "103;");
  auto report = *verify(*store_);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 2);
}

TEST_F(AuditLogTest, RehashedForgeryStillBreaksTheNextLink) {
  // Altering an entry and recomputing its own hash does not help: the next entry's link breaks.
  AuditRecord r;
  ASSERT_OK(store_->scan_audit([&](const AuditRecord& rec) {
    if (rec.seq == 2) r = rec;
    return Status();
  }));
  r.detail = "{\"n\":42}";
  const std::string forged = crypto::to_hex(entry_hash(r));
  tamper("UPDATE audit_log SET detail = '{\"n\":42}', hash = x'" + forged + "' WHERE seq = 2");
  auto report = *verify(*store_);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 3);
}

}  // namespace
}  // namespace consentric::audit
