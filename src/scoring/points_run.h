#pragma once

// Points scoring as a product feature (docs/scoring.md, "Points"; issue 8): the declaration's
// points rules (config "points") applied to everyone the points purpose may process, read
// through the gate (its view for the fit fields, its event read for the events), and every
// change of a subject's points written to the points log in one transaction with a points.run
// audit entry. The stored total only ever changes together with the log, so it always equals
// the log's sum.
//
// A run at time t recomputes each subject's points at t (score/points.h says how) and logs the
// difference from what the log holds, part by part: a new event credited, decay since the last
// run, a cap taking more or less off, a fit rule met or no longer met, a rule edited or dropped.
// A subject the purpose may no longer process loses their points (total and log), as they lose
// their scores; consent::forget_unlawful_memberships does the same the moment they withdraw,
// object or are restricted.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scoring/lead_scoring.h"
#include "store/store_dir.h"

namespace consentric::scoring {

struct PointsRunOutcome {
  std::string purpose;
  UnixSeconds as_of = 0;
  std::int64_t subjects = 0;             // in the view
  std::int64_t events = 0;               // read through the gate
  std::int64_t changed = 0;              // subjects whose points changed
  std::int64_t entries = 0;              // log rows written
  std::int64_t dropped = 0;              // subjects no longer processable whose points were removed
  std::array<std::int64_t, 4> grades{};  // A, B, C, D
  std::int64_t mql = 0;
  std::int64_t audit_seq = 0;
};

// Runs the points rules at `as_of` (at most ctx.now). FailedPrecondition when the declaration
// has no points section; InvalidArgument for an as-of in the future.
Result<PointsRunOutcome> run_points(StoreDir& sd, UnixSeconds as_of, const ScoringContext& ctx);

struct PersonPoints {
  std::string pseudonym;
  PointsTotalRow total;
  std::vector<PointsLogRow> log;  // oldest first
};
// The points of the person an identifier names under the points purpose. NotFound when nobody
// has that identifier or they hold no points (never run, or no longer processable).
Result<PersonPoints> person_points(StoreDir& sd, std::string_view identifier);

// The `n` highest totals under the points purpose (all when n is 0).
Result<std::vector<PointsTotalRow>> top_points(StoreDir& sd, std::int64_t n);

// The grade of a total under the declared thresholds, "A".."D".
std::string_view points_grade(const PointsSpec& spec, std::int64_t total_milli);

}  // namespace consentric::scoring
