// consentric dsar open | list | show | extend | close | export | restrict | object | rectify
// (docs/rights.md): the register of data-subject requests with their deadlines. access and
// portability are in dsar_rights_commands.cc, erase in erasure_commands.cc.

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"
#include "rights/rectify.h"
#include "rights/requests.h"

namespace consentric::cli {
namespace {

using nlohmann::json;

UnixSeconds now_utc() { return make_system_clock()->now(); }

// "12 days left", "3 days overdue", "due today"; "-" once the request is answered.
std::string days_left(const DsarRow& d, UnixSeconds now) {
  if (d.status != "open") return "-";
  const std::int64_t left = d.due_at - now;
  if (left >= 0) {
    const std::int64_t days = left / kSecondsPerDay;
    return days == 0 ? "due today" : fmt::format("{} day{} left", days, days == 1 ? "" : "s");
  }
  const std::int64_t days = (-left + kSecondsPerDay - 1) / kSecondsPerDay;
  return fmt::format("{} day{} overdue", days, days == 1 ? "" : "s");
}

json request_json(const rights::Request& r, UnixSeconds now) {
  const DsarRow& d = r.row;
  json j = {{"request", d.request_id},
            {"type", d.type},
            {"regime", d.regime},
            {"identifier_field", d.identifier_field},
            {"subject", r.pseudonym.empty() ? json() : json(r.pseudonym)},
            {"received", format_timestamp(d.received_at)},
            {"verified", d.verified},
            {"due", format_timestamp(d.due_at)},
            {"extended", d.extended},
            {"extension_reason", d.extension_reason},
            {"status", d.status},
            {"completed", d.completed_at ? json(format_timestamp(*d.completed_at)) : json()},
            {"evidence", json::parse(d.evidence, nullptr, false)}};
  if (d.status == "open") {
    j["overdue"] = d.due_at < now;
    j["seconds_left"] = d.due_at - now;
  }
  return j;
}

void print_request(const rights::Request& r, UnixSeconds now) {
  const DsarRow& d = r.row;
  Table t({"request", std::to_string(d.request_id)});
  t.add_row({"type", d.type});
  t.add_row({"regime", d.regime});
  t.add_row({"identifier field", d.identifier_field.empty() ? "-" : d.identifier_field});
  t.add_row({"subject", r.pseudonym.empty() ? "-" : r.pseudonym});
  t.add_row({"received", format_timestamp(d.received_at)});
  t.add_row({"verified", d.verified ? "yes" : "no"});
  t.add_row({"due", format_timestamp(d.due_at)});
  t.add_row({"extended", d.extended ? "yes: " + d.extension_reason : "no"});
  t.add_row({"status", d.status});
  t.add_row({"time left", days_left(d, now)});
  t.add_row({"completed", d.completed_at ? format_timestamp(*d.completed_at) : "-"});
  t.add_row({"evidence", d.evidence});
  fmt::print("{}", t.render());
}

// Prints one request after a change: JSON, or a one-line summary then the request.
int print_outcome(const Globals& g, const Result<rights::Request>& r, std::string_view done) {
  if (!r.ok()) return report_error(r.status());
  const UnixSeconds now = now_utc();
  if (g.json) {
    fmt::print("{}\n", request_json(*r, now).dump());
    return 0;
  }
  if (r->row.status == "no_data") {
    fmt::print("Request {} ({}): no data held about this person; answered and recorded\n",
               r->row.request_id, r->row.type);
  } else {
    fmt::print("Request {} ({}) {}\n", r->row.request_id, r->row.type, done);
  }
  if (!g.quiet) print_request(*r, now);
  return 0;
}

struct OpenArgs {
  std::string type, identifier, regime = "gdpr", received;
  bool verified = false;
};

int open_cmd(const Globals& g, const OpenArgs& a) {
  const auto type = rights::parse_request_type(a.type);
  if (!type) {
    return report_error(invalid_argument(
        fmt::format("type {}: expected access, portability, rectification, erasure, restriction "
                    "or objection",
                    quote_for_message(a.type))));
  }
  const auto regime = rights::parse_regime(a.regime);
  if (!regime) {
    return report_error(invalid_argument(
        fmt::format("--regime {}: expected gdpr or ccpa", quote_for_message(a.regime))));
  }
  const UnixSeconds now = now_utc();
  auto received = parse_time_arg(a.received, now);
  if (!received.ok()) return report_error(received.status().with_context("--received"));
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  return print_outcome(g,
                       rights::open_request(*sd, {.type = *type,
                                                  .identifier = a.identifier,
                                                  .regime = *regime,
                                                  .received = *received,
                                                  .verified = a.verified,
                                                  .actor = g.actor,
                                                  .now = now}),
                       "opened");
}

int list_cmd(const Globals& g, bool overdue, const std::string& status) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  const UnixSeconds now = now_utc();
  rights::ListFilter filter{.status = status};
  if (overdue) filter.overdue_at = now;
  auto rows = rights::list_requests(*sd, filter);
  if (!rows.ok()) return report_error(rows.status());
  if (g.json) {
    json j = json::array();
    for (const auto& r : *rows) j.push_back(request_json(r, now));
    fmt::print("{}\n", j.dump());
    return 0;
  }
  if (rows->empty()) {
    fmt::print("{}\n", overdue ? "No overdue requests"
                               : "No requests: consentric dsar open TYPE IDENTIFIER records one");
    return 0;
  }
  Table t({"request", "type", "regime", "subject", "received", "due", "status", "time left"});
  for (const auto& r : *rows) {
    const DsarRow& d = r.row;
    t.add_row({std::to_string(d.request_id), d.type, d.regime,
               r.pseudonym.empty() ? "-" : r.pseudonym, format_date(d.received_at),
               format_date(d.due_at) + (d.extended ? " (extended)" : ""), d.status,
               days_left(d, now)});
  }
  fmt::print("{}", t.render());
  return 0;
}

int show_cmd(const Globals& g, std::int64_t id) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto r = rights::get_request(*sd, id);
  if (!r.ok()) return report_error(r.status());
  const UnixSeconds now = now_utc();
  if (g.json) {
    fmt::print("{}\n", request_json(*r, now).dump());
  } else {
    print_request(*r, now);
  }
  return 0;
}

int export_cmd(const Globals& g, const std::string& out) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto n = rights::export_register(*sd, out, g.actor, now_utc());
  if (!n.ok()) return report_error(n.status());
  if (g.json) {
    fmt::print("{}\n", json{{"file", out}, {"rows", *n}}.dump());
  } else {
    fmt::print("{} requests written to {}; recorded as dsar.export\n", with_thousands(*n), out);
  }
  return 0;
}

struct LimitArgs {
  std::string identifier, purpose, regime = "gdpr";
  bool lift = false;
  std::int64_t request = 0;
};

int limit_cmd(const Globals& g, const LimitArgs& a, bool objection) {
  const auto regime = rights::parse_regime(a.regime);
  if (!regime) {
    return report_error(invalid_argument(
        fmt::format("--regime {}: expected gdpr or ccpa", quote_for_message(a.regime))));
  }
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  rights::LimitRequest req{.identifier = a.identifier,
                           .lift = a.lift,
                           .purpose = a.purpose,
                           .regime = *regime,
                           .actor = g.actor,
                           .now = now_utc()};
  if (a.request > 0) req.request_id = a.request;
  const std::string what = objection ? "objection" : "restriction";
  const std::string done =
      a.lift ? fmt::format("completed: {} lifted", what)
             : fmt::format("completed: {} in force{}", what,
                           objection ? (a.purpose.empty() ? " for legitimate-interest purposes "
                                                            "and direct marketing"
                                                          : " for purpose " + a.purpose)
                                     : " for every purpose");
  return print_outcome(g, objection ? rights::object(*sd, req) : rights::restrict(*sd, req), done);
}

struct RectifyArgs {
  std::string identifier, regime = "gdpr";
  std::vector<std::string> changes;
  std::int64_t request = 0;
};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

int rectify_cmd(const Globals& g, const RectifyArgs& a) {
  const auto regime = rights::parse_regime(a.regime);
  if (!regime) {
    return report_error(invalid_argument(
        fmt::format("--regime {}: expected gdpr or ccpa", quote_for_message(a.regime))));
  }
  rights::RectifyRequest req{
      .identifier = a.identifier, .regime = *regime, .actor = g.actor, .now = now_utc()};
  for (const std::string& text : a.changes) {
    auto change = rights::parse_field_assignment(text);
    if (!change.ok()) return report_error(change.status());
    req.changes.push_back(std::move(change).value());
  }
  if (a.request > 0) req.request_id = a.request;
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto r = rights::rectify(*sd, req);
  if (!r.ok()) return report_error(r.status());
  const UnixSeconds now = now_utc();
  if (g.json) {
    json j = request_json(r->request, now);
    j["changed"] = r->changed;
    j["unchanged"] = r->unchanged;
    j["segments_to_refresh"] = r->segments_to_refresh;
    fmt::print("{}\n", j.dump());
    return 0;
  }
  const DsarRow& d = r->request.row;
  if (d.status == "no_data") {
    fmt::print("Request {} ({}): no data held about this person; answered and recorded\n",
               d.request_id, d.type);
    return 0;
  }
  fmt::print("Request {} (rectification) completed: {}\n", d.request_id,
             r->changed.empty() ? std::string("nothing to change")
                                : fmt::format("rectified {}", joined(r->changed)));
  if (!r->unchanged.empty())
    fmt::print("  unchanged (already held that value): {}\n", joined(r->unchanged));
  if (!r->segments_to_refresh.empty()) {
    // Memberships were computed on the old values; the operator decides when to re-run.
    fmt::print("  segments that read a rectified field, still on the old value until refreshed: "
               "{} (consentric segment refresh NAME)\n",
               joined(r->segments_to_refresh));
  }
  if (!g.quiet) print_request(r->request, now);
  return 0;
}

}  // namespace

void add_dsar_commands(CLI::App& app, Globals& g) {
  auto* dsar = app.add_subcommand(
      "dsar",
      "Data-subject requests: the register with deadlines, access, portability, rectification, "
      "erasure, restriction, objection");
  dsar->require_subcommand(1);

  auto oa = std::make_shared<OpenArgs>();
  auto* open = dsar->add_subcommand("open", "Record a request (GDPR: one month; CCPA: 45 days)");
  open->add_option("type", oa->type,
                   "access, portability, rectification, erasure, restriction or objection")
      ->required();
  open->add_option("identifier", oa->identifier, "FIELD=VALUE or a bare value, e.g. an email")
      ->required();
  open->add_option("--regime", oa->regime, "gdpr (default) or ccpa");
  open->add_option("--received", oa->received, "When it was received (default: now)");
  open->add_flag("--verified", oa->verified, "The requester's identity was checked");
  open->callback([&g, oa] { g.run = [&g, oa] { return open_cmd(g, *oa); }; });

  auto overdue = std::make_shared<bool>(false);
  auto status = std::make_shared<std::string>();
  auto* list = dsar->add_subcommand("list", "Requests with their deadlines");
  list->add_flag("--overdue", *overdue, "Only open requests past their due date");
  list->add_option("--status", *status, "Only open, completed, refused or no_data");
  list->callback([&g, overdue, status] {
    g.run = [&g, overdue, status] { return list_cmd(g, *overdue, *status); };
  });

  auto id = std::make_shared<std::int64_t>(0);
  auto* show = dsar->add_subcommand("show", "One request");
  show->add_option("id", *id, "Request id")->required();
  show->callback([&g, id] { g.run = [&g, id] { return show_cmd(g, *id); }; });

  auto reason = std::make_shared<std::string>();
  auto* extend = dsar->add_subcommand(
      "extend", "Extend a deadline once (GDPR: two more months; CCPA: 45 more days)");
  extend->add_option("id", *id, "Request id")->required();
  extend->add_option("--reason", *reason, "Why more time is needed (recorded)")->required();
  extend->callback([&g, id, reason] {
    g.run = [&g, id, reason] {
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      return print_outcome(g, rights::extend_request(*sd, *id, *reason, g.actor, now_utc()),
                           "extended");
    };
  });

  auto evidence = std::make_shared<std::string>();
  auto* close = dsar->add_subcommand("close", "Close an open request as completed or refused");
  close->add_option("id", *id, "Request id")->required();
  close->add_option("--status", *status, "completed or refused")->required();
  close->add_option("--evidence", *evidence, "A JSON object: what was done, sent, or why not");
  close->callback([&g, id, status, evidence] {
    g.run = [&g, id, status, evidence] {
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      return print_outcome(g,
                           rights::close_request(*sd, *id, *status, *evidence, g.actor, now_utc()),
                           "closed as " + *status);
    };
  });

  auto out = std::make_shared<std::string>();
  auto* exp = dsar->add_subcommand("export", "Write the register as CSV for record keeping");
  exp->add_option("--out", *out, "CSV file to write")->required();
  exp->callback([&g, out] { g.run = [&g, out] { return export_cmd(g, *out); }; });

  auto ra = std::make_shared<LimitArgs>();
  auto* restrict_cmd = dsar->add_subcommand(
      "restrict", "Restrict processing (GDPR Art. 18): every purpose stops until lifted");
  restrict_cmd->add_option("identifier", ra->identifier, "FIELD=VALUE or a bare value")->required();
  restrict_cmd->add_flag("--lift", ra->lift, "Lift the restriction");
  restrict_cmd->add_option("--request", ra->request, "Complete this open request");
  restrict_cmd->add_option("--regime", ra->regime, "For a new request: gdpr (default) or ccpa");
  restrict_cmd->callback([&g, ra] { g.run = [&g, ra] { return limit_cmd(g, *ra, false); }; });

  auto ob = std::make_shared<LimitArgs>();
  auto* object_cmd = dsar->add_subcommand(
      "object", "Record an objection (GDPR Art. 21): legitimate interest and direct marketing");
  object_cmd->add_option("identifier", ob->identifier, "FIELD=VALUE or a bare value")->required();
  object_cmd->add_option("--purpose", ob->purpose,
                         "One legitimate-interest or direct-marketing purpose (default: all)");
  object_cmd->add_flag("--lift", ob->lift, "Lift the objection");
  object_cmd->add_option("--request", ob->request, "Complete this open request");
  object_cmd->add_option("--regime", ob->regime, "For a new request: gdpr (default) or ccpa");
  object_cmd->callback([&g, ob] { g.run = [&g, ob] { return limit_cmd(g, *ob, true); }; });

  auto rc = std::make_shared<RectifyArgs>();
  auto* rectify = dsar->add_subcommand(
      "rectify", "Correct or complete a person's data (GDPR Art. 16); an empty VALUE clears");
  rectify->add_option("identifier", rc->identifier, "FIELD=VALUE or a bare value")->required();
  rectify->add_option("changes", rc->changes, "FIELD=VALUE for each field to correct")->required();
  rectify->add_option("--request", rc->request, "Complete this open request");
  rectify->add_option("--regime", rc->regime, "For a new request: gdpr (default) or ccpa");
  rectify->callback([&g, rc] { g.run = [&g, rc] { return rectify_cmd(g, *rc); }; });

  add_dsar_rights_commands(dsar, g);
}

}  // namespace consentric::cli
