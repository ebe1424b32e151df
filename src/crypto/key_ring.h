#pragma once

// The key ring: per-subject data keys, wrapped by the master key, in a SQLite file of its own
// (keyring.db) beside the data, so that a backup of the data carries no keys and destroying a
// key reaches every copy of the data (crypto-shredding, DESIGN.md invariant 4).
// Not thread-safe. Writes happen inside begin()/commit() so an import adds all its keys or none.
// File layout, AAD and what destroying a key does: docs/formats/keyring.md.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "crypto/keys.h"
#include "sqlite/db.h"

namespace consentric::crypto {

class KeyRing {
 public:
  // Creates a new key ring file holding a key-check value for `master`. AlreadyExists if present.
  static Result<std::unique_ptr<KeyRing>> create(const std::filesystem::path& path,
                                                 const SecretKey& master);
  // Opens an existing key ring; kUnauthenticated ("the master key does not match this store")
  // when `master` is not the key it was created with; kNotFound when the file is missing.
  static Result<std::unique_ptr<KeyRing>> open(const std::filesystem::path& path,
                                               const SecretKey& master, bool durable = true);

  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;
  ~KeyRing();

  // A new random data key for the subject, wrapped and stored. AlreadyExists if it has one.
  Result<SecretKey> create_subject_key(std::int64_t subject_id);
  // The subject's data key; kNotFound when it never had one or it was destroyed.
  Result<SecretKey> subject_key(std::int64_t subject_id);
  // Destroys the wrapped key for good (secure_delete overwrites it, then the WAL is truncated)
  // and records the erasure of `subject_id` at `erased_at`. kNotFound when the subject has no
  // key and was never erased; a subject erased before is not an error (an interrupted erasure
  // run again). Inside begin()/commit() the WAL is truncated by commit(), since the old page
  // images stay in the WAL until the delete is committed. Ids are never given a key again.
  Status destroy_subject_key(std::int64_t subject_id, std::int64_t erased_at);
  Result<std::int64_t> key_count();

  // The erasure record: every subject whose key was destroyed, kept with the keys so that data
  // restored from a backup is erased again before use. Holds ids and times only.
  struct Erasure {
    std::int64_t subject_id = 0;
    std::int64_t erased_at = 0;
  };
  Result<std::vector<Erasure>> erasures();  // by subject id
  Result<std::int64_t> erasure_count();
  Result<bool> was_erased(std::int64_t subject_id);

  // BEGIN IMMEDIATE / COMMIT / ROLLBACK on the key ring's own connection. begin() while a
  // transaction is open, or commit() without one, is kFailedPrecondition. A failed commit rolls
  // back. The destructor rolls back an open transaction.
  Status begin();
  Status commit();
  void rollback();
  bool in_transaction() const { return in_tx_; }

 private:
  // Lets create()/open() use std::make_unique while the constructor stays theirs alone.
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  KeyRing(Passkey, std::unique_ptr<sqlite::Db> db, const SecretKey& master);

 private:
  static Result<std::unique_ptr<KeyRing>> create_in(const std::filesystem::path& path,
                                                    const SecretKey& master);
  Status prepare();
  // Declared first so it is destroyed last, after the statements prepared on it.
  std::unique_ptr<sqlite::Db> db_;
  SecretKey wrap_key_;
  std::optional<sqlite::Stmt> insert_;
  std::optional<sqlite::Stmt> select_;
  std::optional<sqlite::Stmt> delete_;
  std::optional<sqlite::Stmt> record_erasure_;
  std::optional<sqlite::Stmt> select_erasure_;
  bool in_tx_ = false;
  bool shred_pending_ = false;  // a key was destroyed in the open transaction
};

}  // namespace consentric::crypto
