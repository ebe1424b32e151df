#include "sqlite/db.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace consentric::sqlite {

Result<std::unique_ptr<Db>> Db::open(const std::filesystem::path& path,
                                     const OpenOptions& options) {
  if (!options.create && !std::filesystem::exists(path)) {
    return not_found(fmt::format("no database at {}", path.string()));
  }
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return internal_error(fmt::format("cannot open {}: {}", path.string(), msg));
  }
  std::unique_ptr<Db> db(new Db(raw, path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  // The pragmas every connection runs; each one is a decision, see dependencies.md §2.3.
  std::string pragmas =
      "PRAGMA foreign_keys = ON;"
      "PRAGMA secure_delete = ON;"   // overwrite deleted content (Debian's default; others' not)
      "PRAGMA temp_store = MEMORY;"  // no plaintext spills into temp files
      "PRAGMA cache_size = -65536;"  // 64 MiB
      "PRAGMA journal_size_limit = 67108864;";
  pragmas += options.durable ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
  if (!options.read_only) pragmas += "PRAGMA journal_mode = WAL;";
  CONSENTRIC_RETURN_IF_ERROR(db->exec(pragmas));
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::error(std::string_view what) const {
  return internal_error(
      fmt::format("{}: {} ({})", what, sqlite3_errmsg(db_), path_.filename().string()));
}

Status Db::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string copy(sql);
  if (sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return internal_error(fmt::format("sqlite: {} ({})", msg, path_.filename().string()));
  }
  return Status();
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return error(fmt::format("prepare \"{}\"", sql.substr(0, 80)));
  }
  return Stmt(stmt, db_);
}

Result<std::int64_t> Db::query_int(std::string_view sql) {
  CONSENTRIC_ASSIGN_OR_RETURN(Stmt stmt, prepare(sql));
  CONSENTRIC_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return not_found(fmt::format("no row for \"{}\"", sql));
  return stmt.column_int(0);
}

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Db::changes() const { return sqlite3_changes(db_); }

Status Db::checkpoint_truncate() {
  if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr) !=
      SQLITE_OK) {
    return error("checkpoint");
  }
  return Status();
}

namespace {

// Copies every page of `from`'s main database into `to`'s in one step.
Status copy_database(sqlite3* to, sqlite3* from, std::string_view what) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (b == nullptr) {
    return internal_error(fmt::format("{}: {}", what, sqlite3_errmsg(to)));
  }
  const int step = sqlite3_backup_step(b, -1);
  const int finish = sqlite3_backup_finish(b);
  if (step != SQLITE_DONE || finish != SQLITE_OK) {
    return internal_error(fmt::format("{}: {}", what, sqlite3_errstr(step != SQLITE_DONE ? step
                                                                                   : finish)));
  }
  return Status();
}

}  // namespace

Status Db::backup_to(const std::filesystem::path& to) {
  // Made here first so the copy, which holds sealed personal data, is never readable by others.
  const int fd = ::open(to.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) return already_exists(fmt::format("{} already exists", to.string()));
    return invalid_argument(fmt::format("cannot create {}: {}", to.string(), std::strerror(err)));
  }
  ::close(fd);
  Status s = [&]() -> Status {
    CONSENTRIC_ASSIGN_OR_RETURN(std::unique_ptr<Db> dest, open(to, {.create = false}));
    // The copy is one file: no WAL beside it to lose when it is moved or archived.
    CONSENTRIC_RETURN_IF_ERROR(dest->exec("PRAGMA journal_mode = DELETE;"));
    return copy_database(dest->db_, db_, fmt::format("backup to {}", to.string()));
  }();
  if (!s.ok()) std::filesystem::remove(to);
  return s;
}

Status Db::restore_from(const std::filesystem::path& from) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::unique_ptr<Db> src, open(from, {.read_only = true}));
  return copy_database(db_, src->db_, fmt::format("restore from {}", from.string()));
}

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(other.stmt_),
      db_(other.db_),
      bind_rc_(other.bind_rc_),
      needs_reset_(other.needs_reset_) {
  other.stmt_ = nullptr;
}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    db_ = other.db_;
    bind_rc_ = other.bind_rc_;
    needs_reset_ = other.needs_reset_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

void Stmt::reset() {
  sqlite3_reset(stmt_);
  needs_reset_ = false;
}

#define CONSENTRIC_BIND(call)                                  \
  if (needs_reset_) reset();                                   \
  const int rc = (call);                                       \
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc; \
  return *this

Stmt& Stmt::bind(int index, std::int64_t v) {
  CONSENTRIC_BIND(sqlite3_bind_int64(stmt_, index, v));
}
Stmt& Stmt::bind(int index, double v) { CONSENTRIC_BIND(sqlite3_bind_double(stmt_, index, v)); }
Stmt& Stmt::bind_text(int index, std::string_view v) {
  CONSENTRIC_BIND(
      sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}
Stmt& Stmt::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob must still be a blob, not NULL: data() may be null for an empty view.
  static const char kEmpty = 0;
  CONSENTRIC_BIND(sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &kEmpty : bytes.data(),
                                      bytes.size(), SQLITE_TRANSIENT));
}
Stmt& Stmt::bind_null(int index) { CONSENTRIC_BIND(sqlite3_bind_null(stmt_, index)); }
#undef CONSENTRIC_BIND

Status Stmt::bind_status() const {
  return internal_error(fmt::format("sqlite bind: {}", sqlite3_errstr(bind_rc_)));
}

Result<bool> Stmt::step() {
  if (bind_rc_ != SQLITE_OK) {
    Status s = bind_status();
    bind_rc_ = SQLITE_OK;
    reset();
    return s;
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  needs_reset_ = true;
  if (rc == SQLITE_DONE) return false;
  const int ext = sqlite3_extended_errcode(db_);
  std::string msg = fmt::format("sqlite step: {} (\"{}\")", sqlite3_errmsg(db_),
                                std::string_view(sqlite3_sql(stmt_)).substr(0, 80));
  reset();
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
    return already_exists(msg);
  if ((ext & 0xff) == SQLITE_CONSTRAINT) return failed_precondition(msg);
  if ((ext & 0xff) == SQLITE_CORRUPT || (ext & 0xff) == SQLITE_NOTADB) return data_loss(msg);
  return internal_error(msg);
}

Status Stmt::run() {
  Result<bool> r = step();
  while (r.ok() && *r) r = step();
  if (!r.ok()) return r.status();
  reset();
  return Status();
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int Stmt::column_type(int col) const { return sqlite3_column_type(stmt_, col); }
std::int64_t Stmt::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::column_double(int col) const { return sqlite3_column_double(stmt_, col); }
std::string_view Stmt::column_text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string_view();
}
std::string_view Stmt::column_blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string_view();
}

Result<Tx> Tx::begin(Db& db) {
  CONSENTRIC_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  return Tx(&db);
}

Tx::~Tx() { rollback(); }

Status Tx::commit() {
  if (db_ == nullptr) return failed_precondition("transaction already finished");
  Status s = db_->exec("COMMIT");
  if (!s.ok()) {
    rollback();
    return s;
  }
  db_ = nullptr;
  return Status();
}

void Tx::rollback() {
  if (db_ != nullptr) {
    (void)db_->exec("ROLLBACK");
    db_ = nullptr;
  }
}

}  // namespace consentric::sqlite
