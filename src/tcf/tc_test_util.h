#pragma once

// Test helpers: TC strings written as explicit bit strings ("000010..."), the way the
// iabtcf-java tests build vectors, turned into base64url independently of BitWriter.

#include <cstdint>
#include <string>
#include <string_view>

namespace consentric::tcf::testing {

// `width` binary digits of v, most significant first.
inline std::string bits(std::uint64_t v, int width) {
  std::string out;
  for (int i = width - 1; i >= 0; --i) out.push_back(((v >> i) & 1u) ? '1' : '0');
  return out;
}

// Two letters, 6 bits each.
inline std::string letters(std::string_view two) {
  return bits(static_cast<std::uint64_t>(two[0] - 'A'), 6) +
         bits(static_cast<std::uint64_t>(two[1] - 'A'), 6);
}

// Pads the bit string with zeros to whole bytes and writes base64url without '='.
inline std::string to_base64url(std::string bitstring) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  while (bitstring.size() % 8 != 0) bitstring.push_back('0');
  while (bitstring.size() % 6 != 0) bitstring.push_back('0');
  std::string out;
  for (std::size_t i = 0; i < bitstring.size(); i += 6) {
    int v = 0;
    for (std::size_t j = i; j < i + 6; ++j) v = v * 2 + (bitstring[j] == '1' ? 1 : 0);
    out.push_back(kAlphabet[v]);
  }
  return out;
}

// The bits of a base64url text; '?' for a character outside the alphabet.
inline std::string to_bitstring(std::string_view text) {
  std::string out;
  for (const char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '-') v = 62;
    if (c == '_') v = 63;
    out += v < 0 ? std::string("??????") : bits(static_cast<std::uint64_t>(v), 6);
  }
  return out;
}

// The core segment up to and including PublisherCC (213 bits): version 2, Created and
// LastUpdated 2023-10-01T00:00:00Z, CMP 10 version 3 screen 1, "EN", GVL 200, policy 4,
// service-specific, purposes 1-4 consented, purpose 2 by LI, publisher country "DE".
inline std::string core_header(std::uint64_t created_ds = 16'961'184'000,
                               std::string_view language_bits = "") {
  std::string s = bits(2, 6) + bits(created_ds, 36) + bits(created_ds, 36) + bits(10, 12) +
                  bits(3, 12) + bits(1, 6);
  s += language_bits.empty() ? letters("EN") : std::string(language_bits);
  s += bits(200, 12) + bits(4, 6) + "1" + "0" + bits(0, 12);
  s += "111100000000000000000000";  // PurposesConsent
  s += "010000000000000000000000";  // PurposesLITransparency
  s += "0" + letters("DE");
  return s;
}

// A vendor section holding no vendor: MaxVendorId 0, bit field.
inline std::string empty_vendors() { return bits(0, 16) + "0"; }

}  // namespace consentric::tcf::testing
