#pragma once

// Segment runs (docs/segments.md): read a PurposeView through the gate, compute a rule, RFM or
// k-means segmentation, and keep the run (definition, model, profiles, audit entry) and the
// memberships (pseudonymous subject, segment, distance) in the store, all in one transaction.
// What leaves afterwards (sizes, profiles, member lists, exports) follows the small-group rule
// (disclose/small_groups.h).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "disclose/small_groups.h"
#include "runs/segment_definition.h"
#include "store/store_dir.h"

namespace consentric::runs {

struct RunContext {
  std::string actor = "local-operator";
  std::string role = "admin";
  UnixSeconds now = 0;
  // Long steps report here: what is being done, done of total (total 0 when unknown).
  std::function<void(std::string_view step, std::int64_t done, std::int64_t total)> progress;
};

struct RunOutcome {
  SegmentRow segment;
  SegmentRunRow run;
  nlohmann::json model;
  disclose::Release release;  // the run's segments as they may be shown
};

// Validates and stores a new segment and runs it for the first time; nothing is stored when
// the run fails (an unknown column in the rule, a purpose without purchases for RFM, ...).
Result<RunOutcome> create_segment(StoreDir& sd, const SegmentDefinition& d, const RunContext& ctx);

// Runs a stored segment again on today's view; the new memberships replace the old ones.
Result<RunOutcome> refresh_segment(StoreDir& sd, std::string_view name, const RunContext& ctx);

// A stored segment with its latest run and the current sizes of its segments (members who
// withdrew since the run are gone), after the small-group rule.
struct SegmentState {
  SegmentRow segment;
  SegmentDefinition definition;
  std::optional<SegmentRunRow> latest;
  std::int64_t runs = 0;
  nlohmann::json model;  // the latest run's
  disclose::Release release;
};
Result<SegmentState> segment_state(StoreDir& sd, std::string_view name);
Result<std::vector<SegmentState>> segment_states(StoreDir& sd);

// One released member: pseudonym, the released group's name, and the run's detail.
struct Member {
  std::string pseudonym;
  std::string group;
  std::optional<double> distance;
  std::optional<std::int32_t> rfm;
  SubjectId subject = 0;
};
// The latest run's members whose segment may be released, by group then pseudonym; members of
// suppressed segments are left out.
Status for_each_member(StoreDir& sd, const SegmentState& state,
                       const std::function<void(const Member&)>& fn);

struct ExportResult {
  std::int64_t rows = 0;
  std::vector<std::string> columns;
  std::string hash;  // hex, of the file written
};
// Writes the released members as CSV (subject pseudonym, segment, distance or RFM scores) and,
// with `contact`, the contact fields the purpose declares (the role must allow pii.read).
// Recorded in the audit chain as segment.export (file, hash, rows, columns): a disclosure.
Result<ExportResult> export_segment(StoreDir& sd, const SegmentState& state,
                                    const std::string& path, bool contact, const RunContext& ctx);

}  // namespace consentric::runs
