#include "tcf/tc_format.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace consentric::tcf {

std::string format_tc_time(UnixSeconds seconds, int tenths) {
  std::string s = format_timestamp(seconds);
  if (tenths != 0 && !s.empty() && s.back() == 'Z') {
    s.insert(s.size() - 1, fmt::format(".{}", tenths));
  }
  return s;
}

std::vector<int> ids_of(const std::vector<bool>& bits) {
  std::vector<int> out;
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) out.push_back(static_cast<int>(i) + 1);
  }
  return out;
}

std::string join_ids(const std::vector<int>& ids) {
  if (ids.empty()) return "none";
  return fmt::format("{}", fmt::join(ids, ", "));
}

std::string join_runs(const std::vector<int>& ids) {
  if (ids.empty()) return "none";
  std::string out;
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    if (j - i >= 2) {
      out += fmt::format("{}-{}", ids[i], ids[j]);
      i = j + 1;
    } else {
      out += fmt::format("{}", ids[i]);
      ++i;
    }
  }
  return out;
}

}  // namespace consentric::tcf
