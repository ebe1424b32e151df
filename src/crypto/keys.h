#pragma once

// Keys and the primitives we build on libsodium (dependencies.md §2.4):
//   - the master key (KEK), 32 bytes, from a 0600 key file or an environment variable;
//   - sub-keys derived from it with crypto_kdf for each job (wrapping, blind index, tokens);
//   - per-subject data keys (DEK), 32 bytes, random;
//   - AEAD XChaCha20-Poly1305 with a random 192-bit nonce; sealed layout
//     version(1) || nonce(24) || ciphertext+tag(16). The AAD binds a ciphertext to its place.
// Key material lives in SecretKey, which zeroes its memory (it is not mlocked; keys.cc says why).

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "consentric/status.h"

namespace consentric::crypto {

// Calls sodium_init() once; every function below calls it, so callers need not.
Status init_sodium();

constexpr std::size_t kKeyBytes = 32;

// 32 bytes of key material, zeroed on destruction. Copyable (each copy zeroes its own).
class SecretKey {
 public:
  SecretKey();  // all zero; use generate() or from_bytes()
  ~SecretKey();
  SecretKey(const SecretKey& other);
  SecretKey& operator=(const SecretKey& other);

  static SecretKey generate();  // from libsodium's CSPRNG
  // REQUIRES: bytes.size() == kKeyBytes.
  static Result<SecretKey> from_bytes(std::string_view bytes);

  const unsigned char* data() const { return bytes_.data(); }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }

 private:
  std::array<unsigned char, kKeyBytes> bytes_;
};

// Jobs a sub-key is derived for; each gets an independent key (crypto_kdf_derive_from_key).
enum class SubKey : std::uint64_t {
  kWrap = 1,            // wraps data keys in the key ring
  kBlindIndex = 2,      // keyed BLAKE2b over normalized identifiers
  kTokenMac = 3,        // keyed hash of access tokens
  kKeyCheck = 4,        // proves a master key is the store's before anything is opened
  kPseudonym = 5,       // pseudonymous subject ids in exports
  kAuditSigning = 6,    // seed of the Ed25519 key that signs audit checkpoints (signing.h)
  kRecipientToken = 7,  // per-recipient tokens in audience exports (recipient_tokens.h)
};
SecretKey derive_subkey(const SecretKey& master, SubKey which);

// AEAD. seal() never fails for valid keys; open() fails with kDataLoss when the ciphertext or
// its AAD was altered, or the key is wrong.
std::string seal(const SecretKey& key, std::string_view plaintext, std::string_view aad);
Result<std::string> open(const SecretKey& key, std::string_view sealed, std::string_view aad);

// Keyed BLAKE2b, `out_bytes` long. REQUIRES: 16 <= out_bytes <= 64 (clamped otherwise).
std::string keyed_hash(const SecretKey& key, std::string_view message, std::size_t out_bytes);

// Unkeyed BLAKE2b-256, for the audit chain and content hashes.
std::string hash256(std::string_view message);
// BLAKE2b-256 of a file, read in blocks (memory does not grow with the file). NotFound when it
// cannot be read.
Result<std::string> hash256_file(const std::filesystem::path& path);

std::string to_hex(std::string_view bytes);
Result<std::string> from_hex(std::string_view hex);
std::string to_base64url(std::string_view bytes);           // no padding
Result<std::string> from_base64url(std::string_view text);  // with or without padding

// Random bytes from libsodium's CSPRNG.
std::string random_bytes(std::size_t n);

// The master key's text form: "consentric-key-v1:" followed by base64url of 32 bytes.
std::string encode_master_key(const SecretKey& key);
Result<SecretKey> decode_master_key(std::string_view text);  // InvalidArgument, says why

// Writes a new key file with mode 0600; AlreadyExists if present (never overwrites a key).
Status write_master_key_file(const std::filesystem::path& path, const SecretKey& key);
// Reads a key file. Refuses (kPermissionDenied) one that group or others can access, naming the
// file and the fix (chmod 600); kNotFound when missing; kInvalidArgument when malformed.
Result<SecretKey> read_master_key_file(const std::filesystem::path& path);

}  // namespace consentric::crypto
