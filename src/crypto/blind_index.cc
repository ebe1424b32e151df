#include "crypto/blind_index.h"

#include <fmt/format.h>
#include <sodium.h>

#include <cstdlib>

#include "core/text.h"

namespace consentric::crypto {
namespace {

constexpr std::size_t kIndexBytes = 16;
constexpr int kMinPhoneDigits = 5;

const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

bool is_ascii_space_or_control(unsigned char c) { return c <= 0x20 || c == 0x7F; }

Result<std::string> normalize_email(std::string_view value) {
  const std::string_view t = trim(value);
  const auto bad = [&] {
    return invalid_argument("expected an email address such as ann@example.com, got " +
                            quote_for_message(t));
  };
  const std::size_t at = t.find('@');
  if (at == std::string_view::npos || at == 0 || t.find('@', at + 1) != std::string_view::npos) {
    return bad();
  }
  const std::string_view domain = t.substr(at + 1);
  if (domain.find('.') == std::string_view::npos) return bad();
  // Blanks or control bytes inside an address mean a broken field, not a different person.
  for (const char c : t) {
    if (is_ascii_space_or_control(static_cast<unsigned char>(c))) return bad();
  }
  return to_lower_ascii(t);
}

Result<std::string> normalize_phone(std::string_view value) {
  const std::string_view t = trim(value);
  const auto bad = [&] {
    return invalid_argument("expected a phone number such as +49 30 1234567, got " +
                            quote_for_message(t));
  };
  std::string out;
  out.reserve(t.size());
  int digits = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      out += c;
      ++digits;
    } else if (c == '+' && i == 0) {
      out += c;
    } else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.') {
      // Formatting only: "+49 (30) 1234-567" and "+49301234567" are the same number.
    } else {
      return bad();
    }
  }
  if (digits < kMinPhoneDigits) return bad();
  return out;
}

Result<std::string> normalize_plain(std::string_view value, std::string_view what) {
  const std::string_view t = trim(value);
  if (t.empty()) {
    return invalid_argument(fmt::format("expected a non-empty {}, got an empty value", what));
  }
  return std::string(t);
}

}  // namespace

Result<std::string> normalize_identifier(IdentifierKind kind, std::string_view value) {
  switch (kind) {
    case IdentifierKind::kEmail:
      return normalize_email(value);
    case IdentifierKind::kPhone:
      return normalize_phone(value);
    case IdentifierKind::kCustomerId:
      return normalize_plain(value, "customer id");
    case IdentifierKind::kOther:
      return normalize_plain(value, "identifier");
  }
  return invalid_argument(fmt::format("unknown identifier kind {}", static_cast<int>(kind)));
}

std::string BlindIndexer::index(std::string_view domain, std::string_view normalized) const {
  // Streamed rather than concatenated so the identifier is not copied into a buffer that
  // outlives this call unzeroed. The 0x00 separator keeps (domain, value) pairs unambiguous
  // for domains without NUL bytes.
  if (!init_sodium().ok()) std::abort();
  static const unsigned char kSeparator = 0x00;
  crypto_generichash_state state;
  crypto_generichash_init(&state, key_.data(), kKeyBytes, kIndexBytes);
  crypto_generichash_update(&state, bytes_of(domain), domain.size());
  crypto_generichash_update(&state, &kSeparator, 1);
  crypto_generichash_update(&state, bytes_of(normalized), normalized.size());
  std::string out(kIndexBytes, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
  sodium_memzero(&state, sizeof(state));
  return out;
}

}  // namespace consentric::crypto
