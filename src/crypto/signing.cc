#include "crypto/signing.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "crypto/sodium_util.h"

namespace consentric::crypto {
namespace {

static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_PUBLICKEYBYTES == kSigningPublicKeyBytes);
static_assert(crypto_sign_BYTES == kSignatureBytes);
static_assert(crypto_sign_SEEDBYTES == kKeyBytes);
static_assert(crypto_hash_sha256_BYTES == kSha256Bytes);

using detail::bytes_of;
using detail::require_sodium;

}  // namespace

SigningKey::SigningKey() : bytes_{} {}

SigningKey::~SigningKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

SigningKey::SigningKey(const SigningKey& other) : bytes_(other.bytes_) {}

SigningKey& SigningKey::operator=(const SigningKey& other) {
  bytes_ = other.bytes_;  // self-assignment copies onto itself, harmless
  return *this;
}

std::string SigningKey::public_key() const {
  // libsodium's secret key is seed || public key.
  return {reinterpret_cast<const char*>(bytes_.data()) + crypto_sign_SEEDBYTES,
          crypto_sign_PUBLICKEYBYTES};
}

SigningKey signing_key_from_seed(const SecretKey& seed) {
  require_sodium();
  SigningKey key;
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  crypto_sign_seed_keypair(pk.data(), key.bytes_.data(), seed.data());
  return key;
}

std::string sign_detached(const SigningKey& key, std::string_view message) {
  require_sodium();
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, bytes_of(message),
                       message.size(), key.bytes_.data());
  return sig;
}

bool verify_detached(std::string_view public_key, std::string_view message,
                     std::string_view signature) {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  if (!init_sodium().ok()) return false;
  return crypto_sign_verify_detached(bytes_of(signature), bytes_of(message), message.size(),
                                     bytes_of(public_key)) == 0;
}

std::string sha256(std::string_view data) {
  require_sodium();
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), bytes_of(data), data.size());
  return out;
}

std::string to_base64(std::string_view bytes) {
  require_sodium();
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), kVariant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Result<std::string> from_base64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return invalid_argument(fmt::format(
        "base64 text has {} characters, not a multiple of 4 (truncated or missing padding?)",
        text.size()));
  }
  if (text.empty()) return std::string();
  CONSENTRIC_RETURN_IF_ERROR(init_sodium());
  std::string out(text.size() / 4 * 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  // No ignore set and an end pointer: libsodium then stops at the first character that is not
  // base64, and we refuse unless it consumed everything. It also refuses non-zero unused bits.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    const std::size_t at = end == nullptr ? 0 : static_cast<std::size_t>(end - text.data());
    return invalid_argument(fmt::format("text is not valid base64 (problem at offset {})", at));
  }
  out.resize(len);
  return out;
}

}  // namespace consentric::crypto
