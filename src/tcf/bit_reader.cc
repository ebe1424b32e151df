#include "tcf/bit_reader.h"

#include <fmt/format.h>

namespace consentric::tcf {
namespace {

// The base64url alphabet (RFC 4648 §5); -1 for anything else.
int sextet_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02X}", u);
}

Result<BitReader> BitReader::from_base64url(std::string_view text, std::size_t offset,
                                            std::string segment) {
  std::vector<std::uint8_t> sextets;
  sextets.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      return invalid_argument(
          fmt::format("TC string: '=' padding at offset {}: TC strings are base64url without "
                      "padding",
                      offset + i));
    }
    const int v = sextet_of(c);
    if (v < 0) {
      // '+' and '/' mean someone used standard base64; say so, it is the usual mistake.
      const bool standard = c == '+' || c == '/';
      return invalid_argument(fmt::format(
          "TC string: character {} at offset {} is not base64url (A-Z a-z 0-9 - _){}",
          describe_char(c), offset + i, standard ? "; standard base64 is not accepted" : ""));
    }
    sextets.push_back(static_cast<std::uint8_t>(v));
  }
  return BitReader(std::move(sextets), std::move(segment));
}

Status BitReader::require(std::size_t bits, std::string_view field) const {
  if (bits <= remaining()) return Status();
  return invalid_argument(
      fmt::format("TC string: {} truncated at bit {} ({} needs {} "
                  "bits, {} left)",
                  segment_, pos_, field, bits, remaining()));
}

Result<std::uint64_t> BitReader::read(int width, std::string_view field) {
  CONSENTRIC_RETURN_IF_ERROR(require(static_cast<std::size_t>(width), field));
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) v = (v << 1) | (bit(pos_++) ? 1u : 0u);
  return v;
}

Result<bool> BitReader::read_bool(std::string_view field) {
  CONSENTRIC_RETURN_IF_ERROR(require(1, field));
  return bit(pos_++);
}

Status BitReader::error_at(std::size_t bit_pos, std::string_view what) const {
  return invalid_argument(fmt::format("TC string: {}, bit {}: {}", segment_, bit_pos, what));
}

}  // namespace consentric::tcf
