#pragma once

// A store folder: the data file (consentric.db), the key ring (keyring.db, a file of its own so
// data backups carry no keys), and by default the master key file (master.key, mode 0600).
// Opening checks the key against the key ring before anything else is touched, so a wrong or
// missing key is a clear error and nothing is opened half-way.
//
// The master key comes from, in order: the CONSENTRIC_MASTER_KEY environment variable (its
// text form), the key file named in the options or by CONSENTRIC_KEY_FILE, DIR/master.key.

#include <filesystem>
#include <memory>
#include <optional>

#include "config/config.h"
#include "crypto/blind_index.h"
#include "crypto/key_ring.h"
#include "store/store.h"

namespace consentric {

inline constexpr const char* kDataFileName = "consentric.db";
inline constexpr const char* kKeyRingFileName = "keyring.db";
inline constexpr const char* kKeyFileName = "master.key";

struct StoreDirOptions {
  std::optional<std::filesystem::path>
      key_file;         // overrides CONSENTRIC_KEY_FILE and DIR/master.key
  bool durable = true;  // see SqliteStoreOptions
};

struct StoreDir {
  std::filesystem::path dir;
  Config config;
  crypto::SecretKey master;
  std::unique_ptr<crypto::KeyRing> keyring;
  std::unique_ptr<Store> store;
  std::unique_ptr<crypto::BlindIndexer> indexer;
  std::filesystem::path key_file;  // where the key came from; empty when from the environment
};

// Creates a new store in `dir` (created if missing) with the given declaration. The config is
// validated before any file is written; AlreadyExists if `dir` already holds a store. When no
// key is given in the environment, a new master key is generated and written with mode 0600.
// On any failure the files it created are removed.
Result<StoreDir> init_store_dir(const std::filesystem::path& dir, std::string_view config_yaml,
                                std::string_view config_name, UnixSeconds now,
                                const StoreDirOptions& options = {});

// Opens an existing store. FailedPrecondition when `dir` holds no store ("run consentric init"),
// Unauthenticated when the key is missing or is not this store's.
Result<StoreDir> open_store_dir(const std::filesystem::path& dir,
                                const StoreDirOptions& options = {});

// Replaces the declaration in force (after validating it); every version is kept in the store.
Status apply_config(StoreDir& store_dir, std::string_view config_yaml, std::string_view config_name,
                    UnixSeconds now);

// Once a purpose's privacy notice has been published (report/privacy_notice.h), its latest
// version label and text hash are the purpose's published_notice_version and notice_hash:
// consent asked from then on names them, and renew_consent compares against them. Open and
// apply_config call it; so does publishing.
Status overlay_published_notices(StoreDir& store_dir);

}  // namespace consentric
