#pragma once

// The computing half of a segment run: from a definition and a PurposeView to labels per row
// and a model document. No store access: segment_runs.cc reads the view and keeps the result.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "gate/purpose_view.h"
#include "runs/segment_definition.h"

namespace consentric::runs {

struct Computed {
  std::vector<std::int32_t> labels;  // per view row: its segment, or -1 for none
  std::vector<float> distances;      // k-means: per row, else empty
  std::vector<std::int32_t> rfm;     // RFM: per row R*100 + F*10 + M (0: no purchase), else empty
  std::vector<std::string> groups;   // segment names by label
  nlohmann::json model;              // docs/segments.md "The model document"
};

using ProgressFn =
    std::function<void(std::string_view step, std::int64_t done, std::int64_t total)>;

// The view columns a definition reads; empty: every non-pii column the purpose declares.
Result<std::vector<std::string>> columns_for(const Config& config, const SegmentDefinition& d);

Result<Computed> compute_segments(const SegmentDefinition& d, const gate::PurposeView& view,
                                  const ProgressFn& progress);

}  // namespace consentric::runs
