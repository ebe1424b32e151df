#include "scoring/points_run.h"

#include <map>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "consent/subjects.h"
#include "core/text.h"
#include "gate/gate.h"
#include "score/points.h"
#include "store/transaction.h"

namespace consentric::scoring {
namespace {

using nlohmann::json;

// One part of a subject's points: (rule, kind, event time, event id); the event's fields are
// 0 for the parts that are not about one event.
using PartKey = std::tuple<std::string, std::string, UnixSeconds, std::int64_t>;

bool has_rule(const score::PointsRules& rules, const std::string& name) {
  for (const std::string& n : rules.rule_names()) {
    if (n == name) return true;
  }
  return false;
}

// Why a part moved from `was` to `now` (both milli-points).
std::string reason_of(const std::string& kind, std::int64_t was, std::int64_t now,
                      bool rule_declared) {
  if (!rule_declared) return "dropped";
  if (kind == "decay" || kind == "cap") return kind;
  if (was == 0) return kind;  // event or fit: first credited
  if (now == 0) return "dropped";
  return "changed";
}

std::size_t grade_index(std::string_view grade) {
  return grade == "A" ? 0 : grade == "B" ? 1 : grade == "C" ? 2 : 3;
}

}  // namespace

std::string_view points_grade(const PointsSpec& spec, std::int64_t total_milli) {
  if (total_milli >= spec.grade_a_milli) return "A";
  if (total_milli >= spec.grade_b_milli) return "B";
  if (total_milli >= spec.grade_c_milli) return "C";
  return "D";
}

Result<PointsRunOutcome> run_points(StoreDir& sd, UnixSeconds as_of, const ScoringContext& ctx) {
  if (!sd.config.points) {
    return failed_precondition(
        "the declaration has no points section (docs/config.md, \"points\"): no rules to run");
  }
  if (as_of > ctx.now) {
    return invalid_argument(fmt::format("points are computed up to now, not for {} (now is {})",
                                        format_timestamp(as_of), format_timestamp(ctx.now)));
  }
  const PointsSpec& spec = *sd.config.points;
  CONSENTRIC_ASSIGN_OR_RETURN(score::PointsRules rules, score::PointsRules::bind(spec, sd.config));
  const PurposeSpec* purpose = sd.config.purpose(spec.purpose);
  if (purpose == nullptr) {
    return invalid_argument(
        fmt::format("points purpose {} is not declared", quote_for_message(spec.purpose)));
  }

  // The read: the fit fields through the view, the events through the gate's event read; both
  // audited. A view needs a column: without fit rules, the cheapest one the purpose gives.
  std::vector<std::string> columns = rules.fit_fields();
  if (columns.empty() && !purpose->event_types.empty()) columns.push_back("event_count");
  CONSENTRIC_ASSIGN_OR_RETURN(
      gate::PurposeView view,
      gate::build_view(
          sd, {.purpose = spec.purpose, .as_of = as_of, .actor = ctx.actor, .columns = columns},
          ctx.now));
  std::vector<std::vector<score::PointsPart>> wanted(view.rows());
  std::int64_t events = 0;
  CONSENTRIC_RETURN_IF_ERROR(gate::scan_purpose_events(
      sd, view, rules.event_columns(), ctx.actor, ctx.now,
      [&](std::size_t row, std::span<const gate::PurposeEvent> mine) -> Status {
        events += static_cast<std::int64_t>(mine.size());
        wanted[row] = rules.parts(view, row, mine);
        return Status();
      }));

  PointsRunOutcome out{.purpose = spec.purpose,
                       .as_of = as_of,
                       .subjects = static_cast<std::int64_t>(view.rows()),
                       .events = events};
  auto done = in_transaction(*sd.store, [&]() -> Result<std::int64_t> {
    Store& store = *sd.store;
    std::unordered_map<std::string, SubjectId> ids;
    CONSENTRIC_RETURN_IF_ERROR(store.scan_subjects([&](const SubjectRow& r) {
      if (!r.anonymous) ids.emplace(r.pseudonym, r.id);
    }));
    // What the log holds now, part by part, and the totals.
    std::unordered_map<SubjectId, std::map<PartKey, std::int64_t>> held;
    CONSENTRIC_RETURN_IF_ERROR(store.scan_points_balances(spec.purpose, [&](const PointsBalance&
                                                                                b) {
      held[b.subject][{b.rule, b.kind, b.event_ts.value_or(0), b.event_id.value_or(0)}] += b.milli;
    }));
    std::unordered_map<SubjectId, std::int64_t> totals;
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<PointsTotalRow> stored,
                                store.points_totals(spec.purpose, 0));
    for (const PointsTotalRow& t : stored) totals.emplace(t.subject, t.total_milli);

    std::vector<PointsLogRow> log;
    std::vector<PointsTotalRow> grades;
    grades.reserve(view.rows());
    std::unordered_map<SubjectId, bool> in_view;
    for (std::size_t row = 0; row < view.rows(); ++row) {
      const auto id = ids.find(view.row_ids()[row]);
      if (id == ids.end()) {
        return failed_precondition(fmt::format(
            "the view's subject {} is no longer in the store; run again", view.row_ids()[row]));
      }
      const SubjectId subject = id->second;
      in_view[subject] = true;
      std::map<PartKey, std::int64_t> want;
      for (const score::PointsPart& p : wanted[row]) {
        const bool event = p.kind == score::PointsKind::kEvent;
        want[{rules.rule_names()[p.rule], std::string(score::to_string(p.kind)),
              event ? p.event_ts : 0, event ? p.event_id : 0}] += p.milli;
      }
      std::map<PartKey, std::int64_t>& had = held[subject];
      // Every part either side holds, in key order: the difference is what the log gains.
      std::map<PartKey, std::pair<std::int64_t, std::int64_t>> both;
      for (const auto& [k, v] : had) both[k].first = v;
      for (const auto& [k, v] : want) both[k].second = v;
      std::int64_t sum = 0;
      for (const auto& [k, v] : both) {
        const auto& [was, now] = v;
        if (was == now) continue;
        const auto& [rule, kind, ts, event_id] = k;
        PointsLogRow entry{.subject = subject,
                           .purpose = spec.purpose,
                           .rule = rule,
                           .kind = kind,
                           .reason = reason_of(kind, was, now, has_rule(rules, rule)),
                           .delta_milli = now - was,
                           .at = as_of};
        if (kind == "event") {
          entry.event_id = event_id;
          entry.event_ts = ts;
        }
        sum += entry.delta_milli;
        log.push_back(std::move(entry));
      }
      const std::int64_t total = (totals.contains(subject) ? totals[subject] : 0) + sum;
      const std::string_view grade = rules.grade(total);
      ++out.grades[grade_index(grade)];
      if (rules.mql(total)) ++out.mql;
      grades.push_back({.subject = subject,
                        .purpose = spec.purpose,
                        .total_milli = total,
                        .grade = std::string(grade),
                        .mql = rules.mql(total),
                        .as_of = as_of});
    }
    // Whoever holds points but is no longer in the view loses them (DESIGN.md invariant 1).
    std::vector<SubjectId> gone;
    for (const auto& [subject, parts] : held) {
      if (!in_view.contains(subject) && !parts.empty()) gone.push_back(subject);
    }
    for (const auto& [subject, total] : totals) {
      if (!in_view.contains(subject) && !held.contains(subject)) gone.push_back(subject);
    }
    {
      std::unordered_map<SubjectId, bool> moved;
      for (const PointsLogRow& e : log) moved[e.subject] = true;
      out.changed = static_cast<std::int64_t>(moved.size());
    }
    out.entries = static_cast<std::int64_t>(log.size());
    out.dropped = static_cast<std::int64_t>(gone.size());
    CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord rec,
                                audit::append(store,
                                              {.actor = ctx.actor,
                                               .action = "points.run",
                                               .purpose = spec.purpose,
                                               .detail = json{{"as_of", format_timestamp(as_of)},
                                                              {"subjects", out.subjects},
                                                              {"changed", out.changed},
                                                              {"entries", out.entries},
                                                              {"dropped", out.dropped}}
                                                             .dump()},
                                              ctx.now));
    for (PointsLogRow& e : log) e.audit_seq = rec.seq;
    CONSENTRIC_RETURN_IF_ERROR(store.add_points_log(log));
    CONSENTRIC_RETURN_IF_ERROR(store.put_points_grades(grades));
    for (SubjectId s : gone) {
      CONSENTRIC_RETURN_IF_ERROR(store.remove_points(s, spec.purpose).status());
    }
    return rec.seq;
  });
  CONSENTRIC_ASSIGN_OR_RETURN(out.audit_seq, std::move(done));
  return out;
}

Result<PersonPoints> person_points(StoreDir& sd, std::string_view identifier) {
  if (!sd.config.points) {
    return failed_precondition("the declaration has no points section: nobody holds points");
  }
  const std::string& purpose = sd.config.points->purpose;
  CONSENTRIC_ASSIGN_OR_RETURN(consent::IdentifierArg id,
                              consent::parse_identifier_arg(sd.config, identifier));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<consent::SubjectRef> who,
                              consent::find_subject(sd, id));
  if (!who) return not_found("nobody is known by that identifier");
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<PointsTotalRow> totals,
                              sd.store->subject_points(who->id));
  for (const PointsTotalRow& t : totals) {
    if (t.purpose != purpose) continue;
    PersonPoints out{.pseudonym = who->pseudonym, .total = t, .log = {}};
    CONSENTRIC_ASSIGN_OR_RETURN(out.log, sd.store->points_log(who->id, purpose));
    return out;
  }
  return not_found(
      fmt::format("{} holds no points for {} (not run yet, or no longer "
                  "processable for it)",
                  who->pseudonym, purpose));
}

Result<std::vector<PointsTotalRow>> top_points(StoreDir& sd, std::int64_t n) {
  if (!sd.config.points) {
    return failed_precondition("the declaration has no points section: nobody holds points");
  }
  return sd.store->points_totals(sd.config.points->purpose, n);
}

}  // namespace consentric::scoring
