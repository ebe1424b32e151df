// consentric score points run | show | top (docs/scoring.md, "Points"; issue 8)

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "scoring/points_run.h"

namespace consentric::cli {
namespace {

using nlohmann::json;

constexpr std::string_view kGrades[] = {"A", "B", "C", "D"};

// Milli-points as points: "12.5", "-3", "0.125".
std::string points_text(std::int64_t milli) {
  std::string s = fmt::format("{:.3f}", static_cast<double>(milli) / kMilliPerPoint);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

double points_number(std::int64_t milli) { return static_cast<double>(milli) / kMilliPerPoint; }

int run(const Globals& g, const std::string& as_of_text) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  const UnixSeconds now = make_system_clock()->now();
  auto as_of = parse_time_arg(as_of_text, now);
  if (!as_of.ok()) return report_error(as_of.status());
  ProgressLine progress("points", g.quiet || g.json);
  auto r = scoring::run_points(*sd, *as_of, {.actor = g.actor, .now = now});
  progress.finish();
  if (!r.ok()) return report_error(r.status());
  const int k = sd->config.k_anonymity;
  if (g.json) {
    json grades = json::object();
    for (std::size_t i = 0; i < 4; ++i) grades[kGrades[i]] = released_count(r->grades[i], k);
    fmt::print("{}\n", json{{"purpose", r->purpose},
                            {"as_of", format_timestamp(r->as_of)},
                            {"subjects", released_count(r->subjects, k)},
                            {"changed", released_count(r->changed, k)},
                            {"dropped", released_count(r->dropped, k)},
                            {"entries", r->entries},
                            {"grades", grades},
                            {"mql", released_count(r->mql, k)},
                            {"audit_seq", r->audit_seq}}
                           .dump());
    return 0;
  }
  fmt::print(
      "Points of {} people {} may process, as of {}: {} changed ({} log entries), {} no longer "
      "processable lost theirs; recorded as points.run\n",
      people_count(r->subjects, k), r->purpose, format_timestamp(r->as_of),
      people_count(r->changed, k), with_thousands(r->entries), people_count(r->dropped, k));
  Table t({"grade", "people"});
  for (std::size_t i = 0; i < 4; ++i) {
    t.add_row({std::string(kGrades[i]), people_count(r->grades[i], k)});
  }
  t.add_row({"MQL", people_count(r->mql, k)});
  fmt::print("\n{}", t.render());
  return 0;
}

int show(const Globals& g, const std::string& identifier) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto p = scoring::person_points(*sd, identifier);
  if (!p.ok()) return report_error(p.status());
  if (g.json) {
    json log = json::array();
    for (const PointsLogRow& e : p->log) {
      log.push_back({{"at", format_timestamp(e.at)},
                     {"rule", e.rule},
                     {"kind", e.kind},
                     {"reason", e.reason},
                     {"event_id", e.event_id ? json(*e.event_id) : json()},
                     {"event_time", e.event_ts ? json(format_timestamp(*e.event_ts)) : json()},
                     {"points", points_number(e.delta_milli)}});
    }
    fmt::print("{}\n", json{{"subject", p->pseudonym},
                            {"purpose", p->total.purpose},
                            {"points", points_number(p->total.total_milli)},
                            {"grade", p->total.grade},
                            {"mql", p->total.mql},
                            {"as_of", format_timestamp(p->total.as_of)},
                            {"log", log}}
                           .dump());
    return 0;
  }
  fmt::print("{} for {}: {} points, grade {}{} (as of {})\n", p->pseudonym, p->total.purpose,
             points_text(p->total.total_milli), p->total.grade,
             p->total.mql ? ", a marketing-qualified lead" : "", format_timestamp(p->total.as_of));
  Table t({"as of", "rule", "kind", "why", "event time", "points"});
  for (const PointsLogRow& e : p->log) {
    t.add_row({format_date(e.at), e.rule, e.kind, e.reason,
               e.event_ts ? format_timestamp(*e.event_ts) : "", points_text(e.delta_milli)});
  }
  fmt::print("\n{}", t.render());
  fmt::print("The log sums to the total: every change of these points is one line above.\n");
  return 0;
}

int top(const Globals& g, std::int64_t n) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto rows = scoring::top_points(*sd, n);
  if (!rows.ok()) return report_error(rows.status());
  if (g.json) {
    json out = json::array();
    for (const PointsTotalRow& t : *rows) {
      out.push_back({{"subject", t.pseudonym},
                     {"points", points_number(t.total_milli)},
                     {"grade", t.grade},
                     {"mql", t.mql}});
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  if (rows->empty()) {
    fmt::print("Nobody holds points yet: consentric score points run\n");
    return 0;
  }
  Table t({"subject (pseudonym)", "points", "grade", "MQL"});
  for (const PointsTotalRow& r : *rows) {
    t.add_row({r.pseudonym, points_text(r.total_milli), r.grade, r.mql ? "yes" : ""});
  }
  fmt::print("{}", t.render());
  return 0;
}

}  // namespace

void add_points_commands(CLI::App* score, Globals& g) {
  auto* points = score->add_subcommand(
      "points", "Points scoring: the declaration's rules, grades and MQL, with a points log");
  points->require_subcommand(1);

  auto as_of = std::make_shared<std::string>();
  auto* run_cmd = points->add_subcommand(
      "run", "Recompute everyone's points (decay included) and log every change");
  run_cmd->add_option("--as-of", *as_of, "Compute the points at this time (default: now)");
  run_cmd->callback([&g, as_of] { g.run = [&g, as_of] { return run(g, *as_of); }; });

  auto identifier = std::make_shared<std::string>();
  auto* show_cmd =
      points->add_subcommand("show", "One person's points, grade, MQL flag and points log");
  show_cmd->add_option("identifier", *identifier, "email=... or customer_id=...")->required();
  show_cmd->callback(
      [&g, identifier] { g.run = [&g, identifier] { return show(g, *identifier); }; });

  auto n = std::make_shared<std::int64_t>(10);
  auto* top_cmd = points->add_subcommand("top", "The leads with the most points, pseudonymous");
  top_cmd->add_option("--n", *n, "How many (default 10)");
  top_cmd->callback([&g, n] { g.run = [&g, n] { return top(g, *n); }; });
}

}  // namespace consentric::cli
