#pragma once

#include <filesystem>
#include <memory>

#include "store/store.h"

namespace consentric {

struct SqliteStoreOptions {
  bool create = false;  // create the file (a new store); else it must exist
  bool durable = true;  // synchronous=FULL; false trades the last commits on power loss for speed
};

// Opens (or creates) the SQLite store at `path` and applies pending migrations.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                 const SqliteStoreOptions& options);

// What a backup file holds, read without changing it: the store id, the audit entries and the
// subjects. FailedPrecondition when the file is not a consentric store.
struct BackupFacts {
  std::string store_id;
  std::int64_t audit_entries = 0;
  std::int64_t subjects = 0;
};
Result<BackupFacts> read_backup_facts(const std::filesystem::path& path);

}  // namespace consentric
