#pragma once

// The points section of the declaration (docs/config.md, "points"): parsed by parse_points from
// the document's "points" key, checked by validate_points against the fields, event types and
// purposes declared elsewhere. Internal to the config module.

#include <optional>
#include <vector>

#include "config/config.h"
#include "config/config_internal.h"
#include "config/yaml_reader.h"

namespace consentric::config_detail {

// Shape and scalar types; nothing when the section is not a mapping.
std::optional<PointsSpec> parse_points(Reader* r, const Value& v);

// Meaning: the purpose is declared; every event type, property and field is declared, declared
// by the purpose, readable (not pii) and not a special category; values fit their types;
// half-lives and caps are positive; grades decrease. Appends every problem found.
void validate_points(const Config& config, const SourceMap& map,
                     std::vector<ConfigProblem>* problems);

}  // namespace consentric::config_detail
