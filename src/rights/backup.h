#pragma once

// Backups that cannot bring an erased person back (docs/rights.md, "Backup and restore").
// A backup is a consistent copy of the data file only: keys stay in the key ring, apart. So a
// person erased after the backup was taken has no key, and restoring re-applies every erasure
// the key ring records before the store is used again (erasure.h, apply_recorded_erasures).

#include <cstdint>
#include <filesystem>
#include <string>

#include "store/store_dir.h"

namespace consentric::rights {

struct BackupInfo {
  std::filesystem::path file;
  std::string store_id;  // the store it is a copy of
  std::int64_t bytes = 0;
  std::string hash_hex;  // BLAKE2b-256 of the file
  std::int64_t subjects = 0;
  std::int64_t audit_entries = 0;  // the backup holds the chain up to here
};

// Writes the copy to `to` (a new file, mode 0600) with the SQLite online backup, then audits it
// (store.backup, with the file's hash).
Result<BackupInfo> backup_store(StoreDir& sd, const std::filesystem::path& to,
                                std::string_view actor, UnixSeconds now);

struct RestoreInfo {
  BackupInfo backup;
  std::int64_t replaced_audit_entries = 0;  // the chain the restore replaced
  std::string replaced_head_hex;            // its last hash, recorded in store.restore
  std::int64_t dp_spends_carried = 0;       // privacy-budget spends made since the backup
  std::int64_t revocations_carried = 0;     // access tokens revoked since the backup
  std::int64_t erasures_reapplied = 0;
};

// Replaces the data with the backup `from`, which must be a copy of this store (same store id,
// so today's key ring is its key ring); then re-applies the erasures recorded since, audits
// store.restore and checkpoints. The audit chain goes back to the backup's; store.restore names
// the head of the chain it replaced, so the roll-back is itself on the record.
Result<RestoreInfo> restore_store(StoreDir& sd, const std::filesystem::path& from,
                                  std::string_view actor, UnixSeconds now);

}  // namespace consentric::rights
