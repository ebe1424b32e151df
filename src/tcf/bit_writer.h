#pragma once

// Appends big-endian bit fields and renders them as one base64url segment of a TC string.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace consentric::tcf {

class BitWriter {
 public:
  // Appends the low `width` bits (0..63) of value, most significant first; higher bits of
  // value are ignored, so an oversized field is cut rather than spilling into the next.
  void write(std::uint64_t value, int width);
  void write_bool(bool b) { bits_.push_back(b); }
  std::size_t size() const { return bits_.size(); }

  // Pads with zero bits to a whole byte, as the spec asks of every segment, and returns the
  // bytes in base64url without '='.
  std::string to_base64url() const;

 private:
  std::vector<bool> bits_;
};

}  // namespace consentric::tcf
