#include "crypto/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "core/text.h"
#include "crypto/sodium_util.h"

namespace consentric::crypto {
namespace {

constexpr unsigned char kSealVersion = 0x01;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kSealOverhead = 1 + kNonceBytes + kTagBytes;
// crypto_kdf contexts are exactly 8 characters; one context for every consentric sub-key, the
// SubKey value is the sub-key id.
constexpr char kKdfContext[] = "cnsntrc1";
static_assert(sizeof(kKdfContext) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kKeyBytes == crypto_kdf_KEYBYTES);
static_assert(crypto_generichash_KEYBYTES_MAX >= kKeyBytes);

constexpr std::string_view kMasterKeyPrefix = "consentric-key-v1:";
// A key file is one short line; anything much longer is not a key file.
constexpr std::size_t kMaxKeyFileBytes = 4096;

using detail::bytes_of;
using detail::require_sodium;

// Zeroes a string that held secret bytes before its memory goes back to the allocator.
void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

std::string errno_text(int err) { return std::strerror(err); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now so the caller sees the error close() may report.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

Status write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return internal_error(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status();
}

// Makes the new directory entry itself durable: a key file that vanishes after a power cut
// would take every encrypted value with it.
Status fsync_parent(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    return internal_error(
        fmt::format("cannot open {} to sync it: {}", dir.string(), errno_text(errno)));
  }
  // Some file systems cannot sync a directory (EINVAL); there is nothing more to do there.
  if (::fsync(fd.get()) != 0 && errno != EINVAL) {
    return internal_error(fmt::format("cannot sync {}: {}", dir.string(), errno_text(errno)));
  }
  return Status();
}

}  // namespace

Status init_sodium() {
  static const int rc = sodium_init();  // thread-safe once; 1 means "already initialized"
  if (rc < 0) return internal_error("libsodium failed to initialize (sodium_init)");
  return Status();
}

// Why no sodium_mlock here: a SecretKey is a value stored inline (on the stack, inside other
// objects, copied through Result<>), not a page of its own. munlock is not reference-counted,
// so unlocking one key would silently unlock its neighbours on the same page, and the three
// system calls per copy (mlock, madvise, munlock) would dominate the per-subject key path of an
// import. Keeping keys out of swap and core dumps is better done for the whole process
// (mlockall, RLIMIT_CORE = 0, PR_SET_DUMPABLE) by the binaries that hold a master key.
SecretKey::SecretKey() : bytes_{} {}

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

SecretKey::SecretKey(const SecretKey& other) : bytes_(other.bytes_) {}

SecretKey& SecretKey::operator=(const SecretKey& other) {
  bytes_ = other.bytes_;  // self-assignment copies onto itself, harmless
  return *this;
}

SecretKey SecretKey::generate() {
  require_sodium();
  SecretKey key;
  randombytes_buf(key.bytes_.data(), key.bytes_.size());
  return key;
}

Result<SecretKey> SecretKey::from_bytes(std::string_view bytes) {
  if (bytes.size() != kKeyBytes) {
    return invalid_argument(
        fmt::format("a key is {} bytes, got {} bytes", kKeyBytes, bytes.size()));
  }
  SecretKey key;
  std::memcpy(key.bytes_.data(), bytes.data(), kKeyBytes);
  return key;
}

SecretKey derive_subkey(const SecretKey& master, SubKey which) {
  require_sodium();
  std::array<unsigned char, kKeyBytes> out{};
  crypto_kdf_derive_from_key(out.data(), out.size(), static_cast<std::uint64_t>(which), kKdfContext,
                             master.data());
  SecretKey key =
      std::move(SecretKey::from_bytes({reinterpret_cast<const char*>(out.data()), out.size()}))
          .value();
  sodium_memzero(out.data(), out.size());
  return key;
}

std::string seal(const SecretKey& key, std::string_view plaintext, std::string_view aad) {
  require_sodium();
  std::string out(kSealOverhead + plaintext.size(), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  p[0] = kSealVersion;
  unsigned char* nonce = p + 1;
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(p + 1 + kNonceBytes, &ct_len, bytes_of(plaintext),
                                             plaintext.size(), bytes_of(aad), aad.size(), nullptr,
                                             nonce, key.data());
  return out;
}

Result<std::string> open(const SecretKey& key, std::string_view sealed, std::string_view aad) {
  CONSENTRIC_RETURN_IF_ERROR(init_sodium());
  if (sealed.size() < kSealOverhead) {
    return data_loss(
        fmt::format("sealed value is {} bytes, shorter than the {} bytes of version, nonce and tag",
                    sealed.size(), kSealOverhead));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
  if (p[0] != kSealVersion) {
    return data_loss(fmt::format("sealed value has format version {}, expected {}",
                                 static_cast<unsigned>(p[0]), static_cast<unsigned>(kSealVersion)));
  }
  std::string plaintext(sealed.size() - kSealOverhead, '\0');
  unsigned long long pt_len = 0;
  const std::size_t ct_len = sealed.size() - 1 - kNonceBytes;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &pt_len, nullptr, p + 1 + kNonceBytes,
          ct_len, bytes_of(aad), aad.size(), p + 1, key.data()) != 0) {
    return data_loss(
        "sealed value failed authentication: the key is wrong, or the value or its context "
        "(associated data) was altered");
  }
  plaintext.resize(static_cast<std::size_t>(pt_len));
  return plaintext;
}

std::string keyed_hash(const SecretKey& key, std::string_view message, std::size_t out_bytes) {
  require_sodium();
  // REQUIRES 16..64; clamped rather than left to libsodium, which would leave `out` unwritten.
  out_bytes = std::clamp<std::size_t>(out_bytes, crypto_generichash_BYTES_MIN,
                                      crypto_generichash_BYTES_MAX);
  std::string out(out_bytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(), bytes_of(message),
                     message.size(), key.data(), kKeyBytes);
  return out;
}

std::string hash256(std::string_view message) {
  require_sodium();
  std::string out(32, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(), bytes_of(message),
                     message.size(), nullptr, 0);
  return out;
}

Result<std::string> hash256_file(const std::filesystem::path& path) {
  CONSENTRIC_RETURN_IF_ERROR(init_sodium());
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return not_found(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  std::string block(1 << 20, '\0');
  std::size_t n = 0;
  while ((n = std::fread(block.data(), 1, block.size(), f)) > 0) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(block.data()), n);
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return internal_error(fmt::format("error reading {}", path.string()));
  std::string out(crypto_generichash_BYTES, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

std::string to_hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes_of(bytes), bytes.size());
  out.pop_back();  // the terminating NUL
  return out;
}

Result<std::string> from_hex(std::string_view hex) {
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (!is_hex_digit(hex[i])) {
      return invalid_argument(fmt::format("hex text has a non-hex character {} at offset {}",
                                          quote_for_message(hex.substr(i, 1)), i));
    }
  }
  if (hex.size() % 2 != 0) {
    return invalid_argument(fmt::format(
        "hex text has an odd number of digits ({}); each byte is two digits", hex.size()));
  }
  if (hex.empty()) return std::string();
  CONSENTRIC_RETURN_IF_ERROR(init_sodium());
  std::string out(hex.size() / 2, '\0');
  std::size_t len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                     hex.size(), nullptr, &len, nullptr) != 0 ||
      len != out.size()) {
    return invalid_argument("hex text could not be decoded");
  }
  return out;
}

std::string to_base64url(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), kVariant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Result<std::string> from_base64url(std::string_view text) {
  // Padding is optional on input: strip up to two '=' and decode the unpadded form.
  std::string_view body = text;
  for (int i = 0; i < 2 && !body.empty() && body.back() == '='; ++i) body.remove_suffix(1);
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (is_base64url_char(c)) continue;
    if (c == '+' || c == '/') {
      return invalid_argument(fmt::format(
          "base64url text has {} at offset {}; base64url uses '-' and '_' instead of '+' and '/'",
          quote_for_message(body.substr(i, 1)), i));
    }
    return invalid_argument(fmt::format("base64url text has an invalid character {} at offset {}",
                                        quote_for_message(body.substr(i, 1)), i));
  }
  if (body.size() % 4 == 1) {
    return invalid_argument(
        fmt::format("base64url text has {} characters, a length no encoding produces (truncated?)",
                    body.size()));
  }
  if (body.empty()) return std::string();
  CONSENTRIC_RETURN_IF_ERROR(init_sodium());
  std::string out(body.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), body.data(),
                        body.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return invalid_argument(
        "base64url text is not canonical: its last character carries bits that no encoder sets");
  }
  out.resize(len);
  return out;
}

std::string random_bytes(std::size_t n) {
  require_sodium();
  std::string out(n, '\0');
  if (n > 0) randombytes_buf(out.data(), n);
  return out;
}

std::string encode_master_key(const SecretKey& key) {
  return std::string(kMasterKeyPrefix) + to_base64url(key.view());
}

// Messages here never quote the text: it may be a real key with one character wrong.
Result<SecretKey> decode_master_key(std::string_view text) {
  text = trim(text);
  if (!text.starts_with(kMasterKeyPrefix)) {
    return invalid_argument(fmt::format("a master key must start with \"{}\"", kMasterKeyPrefix));
  }
  text.remove_prefix(kMasterKeyPrefix.size());
  Result<std::string> bytes = from_base64url(text);
  if (!bytes.ok()) {
    return invalid_argument(
        fmt::format("the master key after \"{}\" is not valid base64url", kMasterKeyPrefix));
  }
  if (bytes->size() != kKeyBytes) {
    const std::size_t got = bytes->size();
    wipe(*bytes);
    return invalid_argument(fmt::format(
        "the master key is {} bytes, expected {} (truncated or not a key?)", got, kKeyBytes));
  }
  Result<SecretKey> key = SecretKey::from_bytes(*bytes);
  wipe(*bytes);
  return key;
}

Status write_master_key_file(const std::filesystem::path& path, const SecretKey& key) {
  Fd fd(::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == EEXIST) {
      return already_exists(fmt::format(
          "a key file already exists at {}; a key is never overwritten", path.string()));
    }
    if (err == ENOENT) {
      return not_found(fmt::format("cannot create {}: its folder does not exist", path.string()));
    }
    if (err == EACCES) {
      return permission_denied(fmt::format("cannot create {}: {}", path.string(), errno_text(err)));
    }
    return internal_error(fmt::format("cannot create {}: {}", path.string(), errno_text(err)));
  }
  std::string text = encode_master_key(key) + "\n";
  Status s;
  // open()'s mode is filtered by the umask; fchmod makes it exactly 0600.
  if (::fchmod(fd.get(), 0600) != 0) {
    s = internal_error(fmt::format("cannot chmod 600 {}: {}", path.string(), errno_text(errno)));
  }
  if (s.ok()) s = write_all(fd.get(), text, path);
  wipe(text);
  if (s.ok() && ::fsync(fd.get()) != 0) {
    s = internal_error(fmt::format("cannot sync {}: {}", path.string(), errno_text(errno)));
  }
  if (s.ok() && fd.close() != 0) {
    s = internal_error(fmt::format("cannot close {}: {}", path.string(), errno_text(errno)));
  }
  if (s.ok()) s = fsync_parent(path);
  if (!s.ok()) {
    // A half-written key file would block the next attempt (AlreadyExists) and fail to read.
    ::unlink(path.c_str());
  }
  return s;
}

Result<SecretKey> read_master_key_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT) return not_found(fmt::format("no key file at {}", path.string()));
    if (err == EACCES) {
      return permission_denied(
          fmt::format("cannot read key file {}: {}", path.string(), errno_text(err)));
    }
    return internal_error(
        fmt::format("cannot open key file {}: {}", path.string(), errno_text(err)));
  }
  // fstat on the open file, not stat on the path: the mode checked is the mode of what is read.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return internal_error(
        fmt::format("cannot stat key file {}: {}", path.string(), errno_text(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return invalid_argument(fmt::format("key file {} is not a regular file", path.string()));
  }
  if ((st.st_mode & 077) != 0) {
    return permission_denied(fmt::format(
        "key file {} is accessible by group or others (mode 0{:03o}); run `chmod 600 {}`",
        path.string(), static_cast<unsigned>(st.st_mode & 0777), path.string()));
  }
  std::string text(kMaxKeyFileBytes + 1, '\0');
  std::size_t len = 0;
  while (len < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + len, text.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      wipe(text);
      return internal_error(
          fmt::format("cannot read key file {}: {}", path.string(), errno_text(err)));
    }
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
  }
  if (len > kMaxKeyFileBytes) {
    wipe(text);
    return invalid_argument(fmt::format("key file {} is larger than {} bytes; it is not a key file",
                                        path.string(), kMaxKeyFileBytes));
  }
  Result<SecretKey> key = decode_master_key(std::string_view(text).substr(0, len));
  wipe(text);
  if (!key.ok()) return key.status().with_context(fmt::format("key file {}", path.string()));
  return key;
}

}  // namespace consentric::crypto
