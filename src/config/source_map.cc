#include "config/config_internal.h"

namespace consentric::config_detail {

SourceLocation SourceMap::at(std::string path) const {
  while (true) {
    if (const auto it = seen_.find(path); it != seen_.end() && it->second.line > 0) {
      return it->second;
    }
    if (path.empty()) return {1, 1};
    // Drop the last step: "a.b[2]" -> "a.b" -> "a" -> "".
    const std::size_t cut = path.find_last_of(".[");
    path.resize(cut == std::string::npos ? 0 : cut);
  }
}

}  // namespace consentric::config_detail
