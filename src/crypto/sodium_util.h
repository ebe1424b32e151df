#pragma once

// Small helpers shared by the files that call libsodium directly (keys.cc, signing.cc).

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "crypto/keys.h"

namespace consentric::crypto::detail {

// libsodium may be handed a null pointer for an empty view; give it a real address instead.
inline const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

// The functions that cannot return a Status (seal, signing, hashes, key generation) need a
// working libsodium; without one there is no safe way to go on.
inline void require_sodium() {
  if (!init_sodium().ok()) {
    std::fputs("consentric: libsodium failed to initialize\n", stderr);
    std::abort();
  }
}

}  // namespace consentric::crypto::detail
