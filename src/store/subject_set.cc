#include "store/subject_set.h"

#include <fmt/format.h>

namespace consentric {

Result<std::string> encode_subject_set(std::span<const SubjectId> ids) {
  std::string out;
  out.reserve(ids.size() + ids.size() / 8);
  SubjectId previous = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || (i > 0 && ids[i] <= previous)) {
      return invalid_argument(fmt::format(
          "subject set: id {} at position {} is negative or not above the one before", ids[i], i));
    }
    auto delta = static_cast<std::uint64_t>(ids[i] - previous);
    previous = ids[i];
    do {
      const auto low = static_cast<unsigned char>(delta & 0x7f);
      delta >>= 7;
      out.push_back(static_cast<char>(delta != 0 ? (low | 0x80) : low));
    } while (delta != 0);
  }
  return out;
}

Result<std::vector<SubjectId>> decode_subject_set(std::string_view blob) {
  std::vector<SubjectId> out;
  out.reserve(blob.size());
  std::uint64_t value = 0;
  std::uint64_t delta = 0;
  int shift = 0;
  for (std::size_t i = 0; i < blob.size(); ++i) {
    const auto byte = static_cast<unsigned char>(blob[i]);
    if (shift > 56) {
      return data_loss(fmt::format("subject set: the number at byte {} overflows an id", i));
    }
    delta |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    shift += 7;
    if (byte & 0x80) continue;
    value += delta;
    if (value > static_cast<std::uint64_t>(INT64_MAX)) {
      return data_loss(fmt::format("subject set: the id ending at byte {} overflows", i));
    }
    out.push_back(static_cast<SubjectId>(value));
    delta = 0;
    shift = 0;
  }
  if (shift != 0) return data_loss("subject set: the blob ends inside a number");
  return out;
}

}  // namespace consentric
