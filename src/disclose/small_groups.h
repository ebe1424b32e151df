#pragma once

// The small-group rule (DESIGN.md invariant 5): a group statistic leaves the engine only when
// the group holds at least k subjects. Smaller groups are suppressed, or, when the declaration
// says `small_groups: merge`, pooled into one "other" group that is released only if it reaches
// k itself. The sizes of suppressed groups are never released, not even as a total.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"

namespace consentric::disclose {

struct Group {
  std::int32_t label = 0;
  std::string name;
  std::int64_t size = 0;
};

struct ReleasedGroup {
  std::string name;  // the group's, or "other (N small segments)"
  std::int64_t size = 0;
  std::vector<std::int32_t> labels;  // the groups it stands for: one, or the merged ones
  bool merged = false;
};

struct Release {
  std::vector<ReleasedGroup> groups;  // in input order; a merged group last
  int suppressed = 0;                 // groups not released (alone or inside a small "other")
  int k = 0;

  // The released group a label belongs to, or nullptr when it is suppressed.
  const ReleasedGroup* group_of(std::int32_t label) const;
};

// A count of people as it may leave the engine: as it is when 0 or at least k, nothing when it is
// 1 to k - 1 (a group that small describes the people in it).
std::optional<std::int64_t> releasable_count(std::int64_t n, int k);

// Empty groups (size 0) are neither released nor counted as suppressed.
Release release_groups(std::span<const Group> groups, int k, SmallGroups policy);

}  // namespace consentric::disclose
