#pragma once

// A small owned wrapper over the SQLite C API (dependencies.md §2.3): Db owns a connection,
// Stmt a prepared statement, Tx a transaction that rolls back unless committed. Every return
// code is checked and turned into a Status. Not thread-safe: one Db per thread.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "consentric/status.h"

namespace consentric::sqlite {

class Stmt;

struct OpenOptions {
  bool create = false;  // create the file if missing (else NotFound)
  bool read_only = false;
  bool durable = true;  // synchronous=FULL; false: NORMAL (WAL keeps it consistent)
};

class Db {
 public:
  // Opens with the pragmas every connection of ours needs: WAL, foreign keys, secure_delete,
  // temp tables in memory (no plaintext temp files), a busy timeout and a 64 MiB cache.
  static Result<std::unique_ptr<Db>> open(const std::filesystem::path& path,
                                          const OpenOptions& options);

  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements that return no rows.
  Status exec(std::string_view sql);

  // Prepares a statement. The Stmt must not outlive this Db.
  Result<Stmt> prepare(std::string_view sql);

  // Runs a query that returns one integer (e.g. SELECT count(*)); NotFound when no row.
  Result<std::int64_t> query_int(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* raw() { return db_; }
  const std::filesystem::path& path() const { return path_; }

  // Moves every WAL frame into the main file and empties the WAL.
  Status checkpoint_truncate();

  // Online backup (sqlite3_backup): a consistent copy of this database, written to a new file
  // `to` made with mode 0600; AlreadyExists when `to` exists. Readers and writers on other
  // connections may carry on meanwhile.
  Status backup_to(const std::filesystem::path& to);
  // The reverse: replaces this database's content with that of the database file `from`, as one
  // write transaction on this connection (so the WAL and other connections stay consistent).
  Status restore_from(const std::filesystem::path& from);

  Status error(std::string_view what) const;

 private:
  Db(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::filesystem::path path_;
};

// A prepared statement. Binding indexes are 1-based as in SQLite. reset() is implied by the
// next bind after a step that finished.
class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind(int index, std::int64_t v);
  Stmt& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
  Stmt& bind(int index, double v);
  Stmt& bind_text(int index, std::string_view v);
  Stmt& bind_blob(int index, std::string_view bytes);
  Stmt& bind_null(int index);

  // Steps once: true when a row is ready, false when done. Errors are returned as Status.
  Result<bool> step();
  // Steps to completion and resets; for statements that return no rows.
  Status run();
  void reset();

  bool is_null(int col) const;
  int column_type(
      int col) const;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL
  std::int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string_view column_text(int col) const;  // valid until the next step/reset
  std::string_view column_blob(int col) const;  // valid until the next step/reset

 private:
  friend class Db;
  Stmt(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  Status bind_status() const;
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  int bind_rc_ = SQLITE_OK;
  bool needs_reset_ = false;
};

// Steps `s` once and, when a row comes back, reads it with `read(s)`; resets the statement
// either way. For look-ups of at most one row.
template <typename Read>
auto read_one(Stmt& s, Read read) -> Result<std::optional<decltype(read(s))>> {
  Result<bool> row = s.step();
  if (!row.ok()) return row.status();
  std::optional<decltype(read(s))> out;
  if (*row) out = read(s);
  s.reset();
  return out;
}

// BEGIN IMMEDIATE on construction (via begin()); ROLLBACK in the destructor unless committed.
class Tx {
 public:
  static Result<Tx> begin(Db& db);
  Tx(Tx&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Tx& operator=(Tx&&) = delete;
  Tx(const Tx&) = delete;
  ~Tx();
  Status commit();
  void rollback();

 private:
  explicit Tx(Db* db) : db_(db) {}
  Db* db_;
};

}  // namespace consentric::sqlite
