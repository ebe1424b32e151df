#pragma once

// Points scoring, the analytics core (docs/scoring.md, "Points"): the declaration's points
// rules applied to one subject of a PurposeView and their events from the gate, at the view's
// time. Pure: no store, no clock; the use case (scoring/points_run.h) diffs the result against
// the stored log.
//
//   CONSENTRIC_ASSIGN_OR_RETURN(PointsRules rules, PointsRules::bind(*config.points, config));
//   // gate::scan_purpose_events(sd, view, rules.event_columns(), ...) then, per row:
//   std::vector<PointsPart> parts = rules.parts(view, row, events);
//   std::int64_t total = PointsRules::total(parts);
//
// A subject's points are parts, each a whole number of milli-points:
//   - event: one event meeting an event rule, credited the rule's full points;
//   - decay: per rule, the decayed sum of its events minus their full points (each event's
//     points times 2^(−age / half_life), rounded to the milli-point);
//   - cap:   per rule, what holding the decayed sum within ±cap takes off (0 when within);
//   - fit:   a fit rule the subject's profile meets.
// So a rule gives clamp(Σ points·2^(−age/half_life), −cap, cap), and the parts sum to the total.
//
// Immutable once bound; safe to use from several threads.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "consentric/status.h"
#include "gate/purpose_view.h"

namespace consentric::score {

enum class PointsKind { kEvent, kFit, kDecay, kCap };
std::string_view to_string(PointsKind k);  // "event", "fit", "decay", "cap"

struct PointsPart {
  std::size_t rule = 0;  // index into rule_names()
  PointsKind kind = PointsKind::kEvent;
  std::int64_t event_id = 0;  // kEvent only
  UnixSeconds event_ts = 0;   // kEvent only
  std::int64_t milli = 0;
};

class PointsRules {
 public:
  // Binds the rules to the declaration (the property types of each condition). The config has
  // validated the spec; InvalidArgument only for a spec built by hand that names something
  // undeclared.
  static Result<PointsRules> bind(const PointsSpec& spec, const Config& config);

  // What to ask the gate for: each event type a rule reads, with the properties its
  // conditions name.
  const std::vector<gate::EventTypeColumns>& event_columns() const { return columns_; }
  // The profile fields the fit rules read (view columns).
  std::vector<std::string> fit_fields() const;
  // Event rules first, then fit rules, in the declaration's order.
  const std::vector<std::string>& rule_names() const { return names_; }

  // The parts of the points of the view's row `row`, whose events (as the gate gives them for
  // event_columns(), at or before view.as_of()) are `events`, at view.as_of(). Parts of 0 are
  // left out. Fit fields missing from the view meet no rule. REQUIRES: row < view.rows().
  std::vector<PointsPart> parts(const gate::PurposeView& view, std::size_t row,
                                std::span<const gate::PurposeEvent> events) const;
  static std::int64_t total(std::span<const PointsPart> parts);

  // "A", "B", "C" or "D" for a total, and whether it makes a marketing-qualified lead.
  std::string_view grade(std::int64_t total_milli) const;
  bool mql(std::int64_t total_milli) const { return total_milli >= spec_.mql_milli; }

  const PointsSpec& spec() const { return spec_; }

 private:
  struct Condition {
    PointsCondition::Op op = PointsCondition::Op::kEq;
    std::size_t value = 0;  // index into the type's requested properties
    bool numeric = false;   // compare as numbers (int and float properties, and bools as 1/0)
    std::vector<double> numbers;
    std::vector<std::string> texts;
  };
  struct EventRule {
    std::size_t type = 0;  // index into columns_
    std::vector<Condition> conditions;
    std::int64_t points = 0;
    std::int64_t cap = 0;  // 0: none
    double half_life = 0;  // seconds; 0: no decay
  };
  struct FitRule {
    std::string field;
    std::vector<std::string> values;    // lower-case for text fields
    std::vector<double> numbers;        // the values of a number field
    std::vector<std::string> contains;  // lower-case
    std::optional<double> min, max;
    std::int64_t points = 0;
  };

  bool matches(const EventRule& rule, const gate::PurposeEvent& e) const;
  bool fits(const FitRule& rule, const gate::PurposeView& view, std::size_t row) const;

  PointsSpec spec_;
  std::vector<gate::EventTypeColumns> columns_;
  std::vector<EventRule> event_rules_;
  std::vector<FitRule> fit_rules_;
  std::vector<std::string> names_;
};

// An event's points after `age_seconds` with the half-life (0: none), in milli-points:
// round(points · 2^(−age / half_life)), half away from zero.
std::int64_t decayed_points(std::int64_t points_milli, double age_seconds, double half_life);

}  // namespace consentric::score
