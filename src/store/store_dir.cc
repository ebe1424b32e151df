#include "store/store_dir.h"

#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "store/sqlite_store.h"

namespace consentric {
namespace {

namespace fs = std::filesystem;

// Where the master key comes from, per the order documented in the header.
struct KeyChoice {
  std::optional<std::string> env_text;
  fs::path file;
};

KeyChoice choose_key(const fs::path& dir, const StoreDirOptions& options) {
  KeyChoice c;
  if (const char* env = std::getenv("CONSENTRIC_MASTER_KEY"); env != nullptr && *env != '\0') {
    c.env_text = env;
    return c;
  }
  if (options.key_file) {
    c.file = *options.key_file;
  } else if (const char* f = std::getenv("CONSENTRIC_KEY_FILE"); f != nullptr && *f != '\0') {
    c.file = f;
  } else {
    c.file = dir / kKeyFileName;
  }
  return c;
}

Result<crypto::SecretKey> load_key(const KeyChoice& choice) {
  if (choice.env_text) {
    auto key = crypto::decode_master_key(*choice.env_text);
    if (!key.ok())
      return unauthenticated(fmt::format("CONSENTRIC_MASTER_KEY: {}", key.status().message()));
    return key;
  }
  auto key = crypto::read_master_key_file(choice.file);
  if (!key.ok() && key.status().code() == StatusCode::kNotFound) {
    return unauthenticated(
        fmt::format("no master key: {} does not exist; set CONSENTRIC_MASTER_KEY or "
                    "CONSENTRIC_KEY_FILE, or pass --key-file",
                    choice.file.string()));
  }
  return key;
}

// Removes the files init created when it fails part-way, so a retry starts clean.
class CreatedFiles {
 public:
  ~CreatedFiles() {
    if (keep_) return;
    std::error_code ec;
    for (auto it = files_.rbegin(); it != files_.rend(); ++it) fs::remove(*it, ec);
  }
  void add(fs::path p) {
    files_.push_back(p);
    files_.push_back(fs::path(p.string() + "-wal"));
    files_.push_back(fs::path(p.string() + "-shm"));
  }
  void keep() { keep_ = true; }

 private:
  std::vector<fs::path> files_;
  bool keep_ = false;
};

}  // namespace

Result<StoreDir> init_store_dir(const fs::path& dir, std::string_view config_yaml,
                                std::string_view config_name, UnixSeconds now,
                                const StoreDirOptions& options) {
  CONSENTRIC_ASSIGN_OR_RETURN(Config config, parse_config(config_yaml, config_name));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return invalid_argument(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  if (fs::exists(dir / kDataFileName) || fs::exists(dir / kKeyRingFileName)) {
    return already_exists(fmt::format("{} already holds a consentric store", dir.string()));
  }

  CreatedFiles created;
  StoreDir out;
  out.dir = dir;
  const KeyChoice choice = choose_key(dir, options);
  if (choice.env_text) {
    CONSENTRIC_ASSIGN_OR_RETURN(out.master, load_key(choice));
  } else {
    if (fs::exists(choice.file)) {
      // An existing key file is used, never overwritten: it may protect other copies of data.
      CONSENTRIC_ASSIGN_OR_RETURN(out.master, crypto::read_master_key_file(choice.file));
    } else {
      out.master = crypto::SecretKey::generate();
      CONSENTRIC_RETURN_IF_ERROR(crypto::write_master_key_file(choice.file, out.master));
      created.add(choice.file);
    }
    out.key_file = choice.file;
  }

  created.add(dir / kKeyRingFileName);
  CONSENTRIC_ASSIGN_OR_RETURN(out.keyring,
                              crypto::KeyRing::create(dir / kKeyRingFileName, out.master));
  created.add(dir / kDataFileName);
  CONSENTRIC_ASSIGN_OR_RETURN(
      out.store,
      open_sqlite_store(dir / kDataFileName, {.create = true, .durable = options.durable}));
  CONSENTRIC_RETURN_IF_ERROR(out.store->begin());
  CONSENTRIC_RETURN_IF_ERROR(
      out.store->set_meta("store_id", crypto::to_hex(crypto::random_bytes(16))));
  CONSENTRIC_RETURN_IF_ERROR(out.store->set_meta("created_at", format_timestamp(now)));
  CONSENTRIC_RETURN_IF_ERROR(
      out.store->put_config(config_yaml, crypto::to_hex(crypto::hash256(config_yaml)), now));
  CONSENTRIC_RETURN_IF_ERROR(out.store->commit());
  out.config = std::move(config);
  out.indexer = std::make_unique<crypto::BlindIndexer>(out.master);
  created.keep();
  return out;
}

Result<StoreDir> open_store_dir(const fs::path& dir, const StoreDirOptions& options) {
  if (!fs::exists(dir / kDataFileName) || !fs::exists(dir / kKeyRingFileName)) {
    return failed_precondition(fmt::format(
        "{} holds no consentric store (expected {} and {}); create one with: consentric init {}",
        dir.string(), kDataFileName, kKeyRingFileName, dir.string()));
  }
  StoreDir out;
  out.dir = dir;
  const KeyChoice choice = choose_key(dir, options);
  CONSENTRIC_ASSIGN_OR_RETURN(out.master, load_key(choice));
  out.key_file = choice.file;
  CONSENTRIC_ASSIGN_OR_RETURN(
      out.keyring, crypto::KeyRing::open(dir / kKeyRingFileName, out.master, options.durable));
  CONSENTRIC_ASSIGN_OR_RETURN(
      out.store,
      open_sqlite_store(dir / kDataFileName, {.create = false, .durable = options.durable}));
  CONSENTRIC_ASSIGN_OR_RETURN(std::string yaml, out.store->current_config());
  auto config = parse_config(yaml, "the store's consentric.yaml");
  if (!config.ok()) {
    return data_loss(fmt::format("the configuration stored in {} no longer parses: {}",
                                 dir.string(), config.status().message()));
  }
  out.config = std::move(config).value();
  CONSENTRIC_RETURN_IF_ERROR(overlay_published_notices(out));
  out.indexer = std::make_unique<crypto::BlindIndexer>(out.master);
  return out;
}

Status overlay_published_notices(StoreDir& store_dir) {
  for (PurposeSpec& p : store_dir.config.purposes) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<PrivacyNoticeRow> versions,
                                store_dir.store->privacy_notices(p.id));
    if (versions.empty()) continue;
    p.published_notice_version = versions.back().label;
    p.notice_hash = versions.back().text_hash;
  }
  return Status();
}

Status apply_config(StoreDir& store_dir, std::string_view config_yaml, std::string_view config_name,
                    UnixSeconds now) {
  CONSENTRIC_ASSIGN_OR_RETURN(Config config, parse_config(config_yaml, config_name));
  CONSENTRIC_RETURN_IF_ERROR(store_dir.store->begin());
  Status s =
      store_dir.store->put_config(config_yaml, crypto::to_hex(crypto::hash256(config_yaml)), now);
  if (!s.ok()) {
    store_dir.store->rollback();
    return s;
  }
  CONSENTRIC_RETURN_IF_ERROR(store_dir.store->commit());
  store_dir.config = std::move(config);
  return overlay_published_notices(store_dir);
}

}  // namespace consentric
