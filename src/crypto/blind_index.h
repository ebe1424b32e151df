#pragma once

// Blind index: look up a subject by identifier without storing the identifier. A keyed
// BLAKE2b (blind-index sub-key) over the normalized value, 16 bytes: deterministic, so equal
// identifiers match, and not reversible without the key (DESIGN.md invariant 3).

#include <string>
#include <string_view>

#include "config/config.h"
#include "crypto/keys.h"

namespace consentric::crypto {

// email: trimmed, lower-cased; phone: digits only with a leading '+' kept; others: trimmed.
// InvalidArgument when nothing is left (an empty identifier identifies nobody).
Result<std::string> normalize_identifier(IdentifierKind kind, std::string_view value);

class BlindIndexer {
 public:
  explicit BlindIndexer(const SecretKey& master)
      : key_(derive_subkey(master, SubKey::kBlindIndex)) {}

  // The index of an already normalized value; `domain` separates identifier kinds so that a
  // customer id and a phone number with the same digits do not collide.
  std::string index(std::string_view domain, std::string_view normalized) const;

 private:
  SecretKey key_;
};

}  // namespace consentric::crypto
