#pragma once

// Text pieces shared by describe() and to_json(): dates and id lists.

#include <bitset>
#include <cstddef>
#include <string>
#include <vector>

#include "core/time.h"

namespace consentric::tcf {

// "2020-01-26T17:01:00Z", or "2020-01-26T17:01:00.3Z" when tenths is not zero.
std::string format_tc_time(UnixSeconds seconds, int tenths);

// The 1-based numbers of the set bits: bit i is id i + 1.
template <std::size_t N>
std::vector<int> ids_of(const std::bitset<N>& bits) {
  std::vector<int> out;
  for (std::size_t i = 0; i < N; ++i) {
    if (bits[i]) out.push_back(static_cast<int>(i) + 1);
  }
  return out;
}
std::vector<int> ids_of(const std::vector<bool>& bits);

// "1, 2, 3, 7", or "none".
std::string join_ids(const std::vector<int>& ids);
// Runs of three or more collapse: "1-40, 52, 53", or "none". REQUIRES: ids sorted.
std::string join_runs(const std::vector<int>& ids);

}  // namespace consentric::tcf
