#include "crypto/recipient_tokens.h"

namespace consentric::crypto {
namespace {

constexpr std::size_t kTokenBytes = 16;

SecretKey recipient_key(const SecretKey& master, std::string_view recipient) {
  const SecretKey base = derive_subkey(master, SubKey::kRecipientToken);
  // The recipient's name is the only input: a key per name, none stored.
  auto key =
      SecretKey::from_bytes(keyed_hash(base, "recipient:" + std::string(recipient), kKeyBytes));
  return key.ok() ? *key : SecretKey();
}

}  // namespace

RecipientTokens::RecipientTokens(const SecretKey& master, std::string_view recipient)
    : key_(recipient_key(master, recipient)) {}

std::string RecipientTokens::token(std::string_view pseudonym) const {
  return to_hex(keyed_hash(key_, pseudonym, kTokenBytes));
}

}  // namespace consentric::crypto
