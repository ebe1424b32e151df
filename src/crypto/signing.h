#pragma once

// Ed25519 signatures and SHA-256, for the verifiable audit log (docs/formats/audit-chain.md,
// "Merkle tree, checkpoints and proofs"). The tree and the signed notes follow RFC 6962 and
// C2SP, which fix SHA-256 and Ed25519, so these sit beside the BLAKE2b primitives of keys.h
// instead of replacing them.
//
// An installation's audit signing key is
//   signing_key_from_seed(derive_subkey(master, SubKey::kAuditSigning))
// so it follows from the master key and there is nothing new to store or back up.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "consentric/status.h"
#include "crypto/keys.h"

namespace consentric::crypto {

constexpr std::size_t kSigningPublicKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;
constexpr std::size_t kSha256Bytes = 32;

// An Ed25519 key pair in libsodium's 64-byte form (seed || public key), zeroed on destruction.
// Copyable (each copy zeroes its own). Only signing_key_from_seed() makes one, so every
// SigningKey holds a real key pair.
class SigningKey {
 public:
  ~SigningKey();
  SigningKey(const SigningKey& other);
  SigningKey& operator=(const SigningKey& other);

  // The 32-byte Ed25519 public key (RFC 8032 encoding).
  std::string public_key() const;

 private:
  friend SigningKey signing_key_from_seed(const SecretKey& seed);
  friend std::string sign_detached(const SigningKey& key, std::string_view message);
  SigningKey();

  std::array<unsigned char, 64> bytes_;
};

// Deterministic: the same 32-byte seed always gives the same key pair (crypto_sign_seed_keypair).
SigningKey signing_key_from_seed(const SecretKey& seed);

// A 64-byte Ed25519 signature of `message`; deterministic (RFC 8032).
std::string sign_detached(const SigningKey& key, std::string_view message);

// True only when `signature` is a valid Ed25519 signature of `message` by `public_key`. Wrong
// lengths are simply invalid, so callers may pass untrusted bytes straight through.
bool verify_detached(std::string_view public_key, std::string_view message,
                     std::string_view signature);

// SHA-256, 32 raw bytes.
std::string sha256(std::string_view data);

// Standard base64 with padding (RFC 4648 §4), the encoding of signed notes and checkpoints; the
// rest of consentric uses base64url (keys.h).
std::string to_base64(std::string_view bytes);
// Strict: padding required, no whitespace, unused trailing bits zero, so each byte string has
// exactly one accepted text (a signed note must not have two spellings of one root).
Result<std::string> from_base64(std::string_view text);

}  // namespace consentric::crypto
