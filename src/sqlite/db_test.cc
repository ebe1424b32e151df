#include "sqlite/db.h"

#include "testing/status_matchers.h"

namespace consentric::sqlite {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

TEST(Db, OpensWithOurPragmas) {
  TempDir dir;
  auto db = Db::open(dir / "a.db", {.create = true});
  ASSERT_OK(db);
  EXPECT_EQ(*(*db)->query_int("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(*(*db)->query_int("PRAGMA secure_delete"), 1);
  EXPECT_EQ(*(*db)->query_int("PRAGMA temp_store"), 2);
}

TEST(Db, MissingFileIsNotFoundUnlessCreating) {
  TempDir dir;
  EXPECT_THAT(Db::open(dir / "none.db", {}), StatusIs(StatusCode::kNotFound, HasSubstr("none.db")));
}

TEST(Db, TxRollsBackUnlessCommitted) {
  TempDir dir;
  auto db = std::move(Db::open(dir / "a.db", {.create = true})).value();
  ASSERT_OK(db->exec("CREATE TABLE t(x INTEGER PRIMARY KEY)"));
  {
    auto tx = Tx::begin(*db);
    ASSERT_OK(tx);
    ASSERT_OK(db->exec("INSERT INTO t VALUES (1)"));
  }
  EXPECT_EQ(*db->query_int("SELECT count(*) FROM t"), 0);
  auto tx = std::move(Tx::begin(*db)).value();
  auto ins = std::move(db->prepare("INSERT INTO t VALUES (?)")).value();
  ASSERT_OK(ins.bind(1, 7).run());
  EXPECT_THAT(ins.bind(1, 7).run(), StatusIs(StatusCode::kAlreadyExists, HasSubstr("UNIQUE")));
  ASSERT_OK(tx.commit());
  EXPECT_EQ(*db->query_int("SELECT count(*) FROM t"), 1);
}

TEST(Stmt, BindsAndReadsEveryType) {
  TempDir dir;
  auto db = std::move(Db::open(dir / "a.db", {.create = true})).value();
  ASSERT_OK(db->exec("CREATE TABLE t(i, d, s, b, n)"));
  auto ins = std::move(db->prepare("INSERT INTO t VALUES (?,?,?,?,?)")).value();
  ASSERT_OK(ins.bind(1, std::int64_t{-5})
                .bind(2, 2.5)
                .bind_text(3, "text")
                .bind_blob(4, std::string("\0\1", 2))
                .bind_null(5)
                .run());
  auto sel = std::move(db->prepare("SELECT i, d, s, b, n FROM t")).value();
  ASSERT_TRUE(*sel.step());
  EXPECT_EQ(sel.column_int(0), -5);
  EXPECT_DOUBLE_EQ(sel.column_double(1), 2.5);
  EXPECT_EQ(sel.column_text(2), "text");
  EXPECT_EQ(sel.column_blob(3), std::string("\0\1", 2));
  EXPECT_TRUE(sel.is_null(4));
  EXPECT_FALSE(*sel.step());
}

}  // namespace
}  // namespace consentric::sqlite
