#pragma once

// Per-recipient tokens for audience exports (issue 6): each recipient sees a subject under a
// token of its own, a keyed BLAKE2b of the subject's pseudonym under a key derived for that
// recipient. The same recipient gets the same token in every export (it can update the audience
// it holds), two recipients get unrelated tokens (they cannot join their files), and nobody
// without the master key can go from a token to a pseudonym or to another recipient's token.

#include <string>
#include <string_view>

#include "crypto/keys.h"

namespace consentric::crypto {

class RecipientTokens {
 public:
  RecipientTokens(const SecretKey& master, std::string_view recipient);

  // 32 hex characters (128 bits).
  std::string token(std::string_view pseudonym) const;

 private:
  SecretKey key_;
};

}  // namespace consentric::crypto
