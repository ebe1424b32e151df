// The `quality` section of consentric.yaml (docs/config.md, "quality"): the thresholds of the
// data-quality audit (docs/governance.md). Only shape and durations are checked here; the
// reader refuses a zero or malformed duration with its line and path.

#include <array>

#include "config/config_internal.h"
#include "config/yaml_reader.h"

namespace consentric::config_detail {
namespace {

constexpr std::array<std::string_view, 1> kQualityKeys{"stale_after"};

}  // namespace

void parse_quality(const Value& v, Reader* r, QualitySpec* out) {
  const auto m = r->mapping(v, {kQualityKeys, {}});
  if (!m) return;
  if (const auto stale = m->get("stale_after")) {
    if (const auto seconds = r->duration(*stale)) out->stale_after_seconds = *seconds;
  }
}

}  // namespace consentric::config_detail
