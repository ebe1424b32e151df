#include "disclose/small_groups.h"

#include <algorithm>

#include <fmt/format.h>

namespace consentric::disclose {

const ReleasedGroup* Release::group_of(std::int32_t label) const {
  for (const ReleasedGroup& g : groups) {
    if (std::find(g.labels.begin(), g.labels.end(), label) != g.labels.end()) return &g;
  }
  return nullptr;
}

std::optional<std::int64_t> releasable_count(std::int64_t n, int k) {
  if (n == 0 || n >= k) return n;
  return std::nullopt;
}

Release release_groups(std::span<const Group> groups, int k, SmallGroups policy) {
  Release out;
  out.k = k;
  ReleasedGroup other{.merged = true};
  int small = 0;
  for (const Group& g : groups) {
    if (g.size <= 0) continue;
    if (g.size >= k) {
      out.groups.push_back({.name = g.name, .size = g.size, .labels = {g.label}});
      continue;
    }
    ++small;
    other.size += g.size;
    other.labels.push_back(g.label);
  }
  if (small == 0) return out;
  if (policy == SmallGroups::kMerge && other.size >= k) {
    other.name = fmt::format("other ({} small segment{})", small, small == 1 ? "" : "s");
    out.groups.push_back(std::move(other));
  } else {
    out.suppressed = small;
  }
  return out;
}

}  // namespace consentric::disclose
