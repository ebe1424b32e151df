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

}  // namespace consentric
