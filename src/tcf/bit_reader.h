#pragma once

// Reads big-endian bit fields from one base64url segment of a TC string. Every read is
// bounds-checked and fails with an InvalidArgument that names the segment, the bit position
// and the field, so the decoder never indexes past the data.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consentric/status.h"

namespace consentric::tcf {

class BitReader {
 public:
  // Decodes one segment's text (no '.'). `offset` is where the segment starts in the whole
  // string and `segment` names it ("core segment"); both only go into error messages. Fails on a
  // character outside base64url, naming it and its offset; '=' gets its own message.
  static Result<BitReader> from_base64url(std::string_view text, std::size_t offset,
                                          std::string segment);

  // Renames the segment in later messages (once its type is known).
  void set_segment(std::string segment) { segment_ = std::move(segment); }

  std::size_t position() const { return pos_; }
  std::size_t size() const { return sextets_.size() * 6; }
  std::size_t remaining() const { return size() - pos_; }

  // Reads `width` bits (1..63) as an unsigned number, most significant bit first. `field` names
  // what is read for the message when the segment ends first.
  Result<std::uint64_t> read(int width, std::string_view field);
  Result<bool> read_bool(std::string_view field);

  // Fails unless `bits` more bits are there; for fields read bit by bit afterwards.
  Status require(std::size_t bits, std::string_view field) const;

  // "TC string: <segment>, bit <bit>: <what>".
  Status error_at(std::size_t bit, std::string_view what) const;

 private:
  BitReader(std::vector<std::uint8_t> sextets, std::string segment)
      : sextets_(std::move(sextets)), segment_(std::move(segment)) {}

  bool bit(std::size_t i) const { return (sextets_[i / 6] >> (5 - i % 6)) & 1u; }

  std::vector<std::uint8_t> sextets_;  // one 6-bit group per character
  std::string segment_;
  std::size_t pos_ = 0;
};

// "'+'" for a printable character, "byte 0x0A" for anything else.
std::string describe_char(char c);

}  // namespace consentric::tcf
