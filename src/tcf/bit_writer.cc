#include "tcf/bit_writer.h"

namespace consentric::tcf {

void BitWriter::write(std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) bits_.push_back(((value >> i) & 1u) != 0);
}

std::string BitWriter::to_base64url() const {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // Whole bytes first; then as many 6-bit characters as those bytes need (ceil(8n / 6)), the
  // last one filled with zero bits. No '=': the spec forbids it.
  const std::size_t nbits = (bits_.size() + 7) / 8 * 8;
  std::string out;
  out.reserve((nbits + 5) / 6);
  for (std::size_t i = 0; i < nbits; i += 6) {
    unsigned v = 0;
    for (std::size_t j = i; j < i + 6; ++j) v = (v << 1) | (j < bits_.size() && bits_[j] ? 1u : 0u);
    out.push_back(kAlphabet[v]);
  }
  return out;
}

}  // namespace consentric::tcf
