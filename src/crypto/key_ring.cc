#include "crypto/key_ring.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

namespace consentric::crypto {
namespace {

constexpr std::int64_t kFormatVersion = 1;
// Sealed under the key-check sub-key at creation: opening it proves the master key is the one
// the key ring was made with, before any data key is unwrapped with a wrong key.
constexpr std::string_view kKeyCheckText = "consentric key ring key check v1";
constexpr std::string_view kKeyCheckAad = "keycheck";

constexpr std::string_view kSchema =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);"
    "CREATE TABLE subject_keys(subject_id INTEGER PRIMARY KEY, wrapped BLOB NOT NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE erasures(subject_id INTEGER PRIMARY KEY, erased_at INTEGER NOT NULL);";

// The erasure record lives here, with the keys and apart from the data, so that a data backup
// restored later (by consentric or by hand) is erased again before use (docs/formats/keyring.md).
// Key rings made before it existed get the table when first opened.
constexpr std::string_view kErasuresTable =
    "CREATE TABLE IF NOT EXISTS erasures(subject_id INTEGER PRIMARY KEY,"
    " erased_at INTEGER NOT NULL);";

// "dek|<subject id>": binds a wrapped key to its subject, so rows cannot be swapped.
// Built in a stack buffer because it runs once per new subject in an import.
class DekAad {
 public:
  explicit DekAad(std::int64_t subject_id) {
    std::memcpy(buf_, "dek|", 4);
    const auto r = std::to_chars(buf_ + 4, buf_ + sizeof(buf_), subject_id);
    len_ = static_cast<std::size_t>(r.ptr - buf_);
  }
  std::string_view view() const { return {buf_, len_}; }

 private:
  char buf_[4 + 20];  // "dek|" and at most 20 characters of a signed 64-bit integer
  std::size_t len_;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void remove_ring_files(const std::filesystem::path& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path.string() + suffix, ec);
  }
}

// Reads one meta value with its SQLite storage class kept (integers stay integers).
struct MetaValue {
  bool present = false;
  std::int64_t integer = 0;
  std::string blob;
};

Result<MetaValue> read_meta(sqlite::Db& db, std::string_view key) {
  CONSENTRIC_ASSIGN_OR_RETURN(sqlite::Stmt stmt,
                              db.prepare("SELECT value FROM meta WHERE key = ?"));
  stmt.bind_text(1, key);
  CONSENTRIC_ASSIGN_OR_RETURN(bool row, stmt.step());
  MetaValue v;
  if (!row) return v;
  v.present = true;
  v.integer = stmt.column_int(0);
  v.blob = std::string(stmt.column_blob(0));
  return v;
}

}  // namespace

KeyRing::KeyRing(Passkey, std::unique_ptr<sqlite::Db> db, const SecretKey& master)
    : db_(std::move(db)), wrap_key_(derive_subkey(master, SubKey::kWrap)) {}

KeyRing::~KeyRing() { rollback(); }

Status KeyRing::prepare() {
  CONSENTRIC_ASSIGN_OR_RETURN(
      sqlite::Stmt insert,
      db_->prepare("INSERT INTO subject_keys(subject_id, wrapped, created_at) VALUES (?, ?, ?)"));
  CONSENTRIC_ASSIGN_OR_RETURN(
      sqlite::Stmt select, db_->prepare("SELECT wrapped FROM subject_keys WHERE subject_id = ?"));
  CONSENTRIC_ASSIGN_OR_RETURN(sqlite::Stmt del,
                              db_->prepare("DELETE FROM subject_keys WHERE subject_id = ?"));
  CONSENTRIC_ASSIGN_OR_RETURN(
      sqlite::Stmt record,
      db_->prepare("INSERT OR IGNORE INTO erasures(subject_id, erased_at) VALUES (?, ?)"));
  CONSENTRIC_ASSIGN_OR_RETURN(sqlite::Stmt erased,
                              db_->prepare("SELECT 1 FROM erasures WHERE subject_id = ?"));
  insert_.emplace(std::move(insert));
  select_.emplace(std::move(select));
  delete_.emplace(std::move(del));
  record_erasure_.emplace(std::move(record));
  select_erasure_.emplace(std::move(erased));
  return Status();
}

Result<std::unique_ptr<KeyRing>> KeyRing::create(const std::filesystem::path& path,
                                                 const SecretKey& master) {
  // Creating the empty file ourselves gives an atomic AlreadyExists and mode 0600 from the
  // start; SQLite gives its -wal and -shm files the mode of the database file.
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      return already_exists(fmt::format("a key ring already exists at {}", path.string()));
    }
    if (err == ENOENT) {
      return not_found(
          fmt::format("cannot create key ring {}: its folder does not exist", path.string()));
    }
    return internal_error(
        fmt::format("cannot create key ring {}: {}", path.string(), std::strerror(err)));
  }
  ::close(fd);
  Result<std::unique_ptr<KeyRing>> ring = create_in(path, master);
  // A half-made key ring would block the next attempt and fail every open.
  if (!ring.ok()) remove_ring_files(path);
  return ring;
}

Result<std::unique_ptr<KeyRing>> KeyRing::create_in(const std::filesystem::path& path,
                                                    const SecretKey& master) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Db> db,
                              sqlite::Db::open(path, {.create = true, .durable = true}));
  {
    CONSENTRIC_ASSIGN_OR_RETURN(sqlite::Tx tx, sqlite::Tx::begin(*db));
    CONSENTRIC_RETURN_IF_ERROR(db->exec(kSchema));
    CONSENTRIC_ASSIGN_OR_RETURN(sqlite::Stmt ins,
                                db->prepare("INSERT INTO meta(key, value) VALUES (?, ?)"));
    CONSENTRIC_RETURN_IF_ERROR(ins.bind_text(1, "format_version").bind(2, kFormatVersion).run());
    const std::string check =
        seal(derive_subkey(master, SubKey::kKeyCheck), kKeyCheckText, kKeyCheckAad);
    CONSENTRIC_RETURN_IF_ERROR(ins.bind_text(1, "key_check").bind_blob(2, check).run());
    CONSENTRIC_RETURN_IF_ERROR(tx.commit());
  }
  auto ring = std::make_unique<KeyRing>(Passkey(), std::move(db), master);
  CONSENTRIC_RETURN_IF_ERROR(ring->prepare());
  return ring;
}

Result<std::unique_ptr<KeyRing>> KeyRing::open(const std::filesystem::path& path,
                                               const SecretKey& master, bool durable) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return not_found(fmt::format("no key ring at {}", path.string()));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Db> db,
                              sqlite::Db::open(path, {.create = false, .durable = durable}));
  CONSENTRIC_ASSIGN_OR_RETURN(
      std::int64_t tables,
      db->query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                    "('meta', 'subject_keys')"));
  if (tables != 2) {
    return failed_precondition(fmt::format("{} is not a consentric key ring", path.string()));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(MetaValue version, read_meta(*db, "format_version"));
  if (!version.present) {
    return data_loss(fmt::format("key ring {} has no format version", path.string()));
  }
  if (version.integer != kFormatVersion) {
    return failed_precondition(
        fmt::format("key ring {} has format version {}; this build reads version {}", path.string(),
                    version.integer, kFormatVersion));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(MetaValue check, read_meta(*db, "key_check"));
  if (!check.present) {
    return data_loss(fmt::format("key ring {} has no key-check value", path.string()));
  }
  Result<std::string> text =
      crypto::open(derive_subkey(master, SubKey::kKeyCheck), check.blob, kKeyCheckAad);
  if (!text.ok()) {
    return unauthenticated(
        fmt::format("the master key does not match this store's key ring ({})", path.string()));
  }
  if (*text != kKeyCheckText) {
    return data_loss(fmt::format("key ring {} has a malformed key-check value", path.string()));
  }
  CONSENTRIC_RETURN_IF_ERROR(db->exec(kErasuresTable));
  auto ring = std::make_unique<KeyRing>(Passkey(), std::move(db), master);
  CONSENTRIC_RETURN_IF_ERROR(ring->prepare());
  return ring;
}

Result<bool> KeyRing::was_erased(std::int64_t subject_id) {
  select_erasure_->bind(1, subject_id);
  CONSENTRIC_ASSIGN_OR_RETURN(bool row, select_erasure_->step());
  select_erasure_->reset();
  return row;
}

Result<SecretKey> KeyRing::create_subject_key(std::int64_t subject_id) {
  // A data key for an erased id would let a restored backup's sealed values open again.
  CONSENTRIC_ASSIGN_OR_RETURN(bool erased, was_erased(subject_id));
  if (erased) {
    return failed_precondition(
        fmt::format("subject {} was erased; its id is never given a data key again", subject_id));
  }
  SecretKey dek = SecretKey::generate();
  const std::string wrapped = seal(wrap_key_, dek.view(), DekAad(subject_id).view());
  Status s = insert_->bind(1, subject_id).bind_blob(2, wrapped).bind(3, unix_now()).run();
  if (!s.ok()) {
    if (s.code() == StatusCode::kAlreadyExists) {
      return already_exists(fmt::format("subject {} already has a data key", subject_id));
    }
    return s;
  }
  return dek;
}

Result<SecretKey> KeyRing::subject_key(std::int64_t subject_id) {
  select_->bind(1, subject_id);
  CONSENTRIC_ASSIGN_OR_RETURN(bool row, select_->step());
  if (!row) {
    select_->reset();
    return not_found(
        fmt::format("subject {} has no data key (never created, or destroyed)", subject_id));
  }
  const std::string wrapped(select_->column_blob(0));
  // Ends the statement's read transaction now, so it does not hold back a WAL checkpoint.
  select_->reset();
  Result<std::string> dek = crypto::open(wrap_key_, wrapped, DekAad(subject_id).view());
  if (!dek.ok()) {
    return data_loss(fmt::format("the wrapped data key of subject {} in {}: {}", subject_id,
                                 db_->path().filename().string(), dek.status().message()));
  }
  Result<SecretKey> key = SecretKey::from_bytes(*dek);
  sodium_memzero(dek->data(), dek->size());
  if (!key.ok()) {
    return data_loss(fmt::format("the data key of subject {} has the wrong length", subject_id));
  }
  return key;
}

Status KeyRing::destroy_subject_key(std::int64_t subject_id, std::int64_t erased_at) {
  CONSENTRIC_RETURN_IF_ERROR(delete_->bind(1, subject_id).run());
  if (db_->changes() == 0) {
    // Destroying again what an earlier, interrupted erasure destroyed is not an error.
    CONSENTRIC_ASSIGN_OR_RETURN(bool erased, was_erased(subject_id));
    if (erased) return Status();
    return not_found(fmt::format("subject {} has no data key to destroy", subject_id));
  }
  CONSENTRIC_RETURN_IF_ERROR(record_erasure_->bind(1, subject_id).bind(2, erased_at).run());
  if (in_tx_) {
    shred_pending_ = true;
    return Status();
  }
  return db_->checkpoint_truncate().with_context(fmt::format(
      "the data key of subject {} is deleted but the WAL still holds old copies", subject_id));
}

Result<std::vector<KeyRing::Erasure>> KeyRing::erasures() {
  CONSENTRIC_ASSIGN_OR_RETURN(
      sqlite::Stmt stmt,
      db_->prepare("SELECT subject_id, erased_at FROM erasures ORDER BY subject_id"));
  std::vector<Erasure> out;
  for (;;) {
    CONSENTRIC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    out.push_back({stmt.column_int(0), stmt.column_int(1)});
  }
  return out;
}

Result<std::int64_t> KeyRing::erasure_count() {
  return db_->query_int("SELECT count(*) FROM erasures");
}

Result<std::int64_t> KeyRing::key_count() {
  return db_->query_int("SELECT count(*) FROM subject_keys");
}

Status KeyRing::begin() {
  if (in_tx_) return failed_precondition("a key ring transaction is already open");
  CONSENTRIC_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  in_tx_ = true;
  shred_pending_ = false;
  return Status();
}

Status KeyRing::commit() {
  if (!in_tx_) return failed_precondition("no key ring transaction is open");
  Status s = db_->exec("COMMIT");
  if (!s.ok()) {
    rollback();
    return s;
  }
  in_tx_ = false;
  if (shred_pending_) {
    shred_pending_ = false;
    return db_->checkpoint_truncate().with_context(
        "the destroyed data keys are deleted but the WAL still holds old copies");
  }
  return Status();
}

void KeyRing::rollback() {
  if (!in_tx_) return;
  // ROLLBACK fails only when SQLite already rolled back by itself (e.g. after an I/O error);
  // either way the transaction is over.
  (void)db_->exec("ROLLBACK");
  in_tx_ = false;
  shred_pending_ = false;
}

}  // namespace consentric::crypto
