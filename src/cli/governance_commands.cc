// consentric retention run | quality (docs/governance.md): storage limitation and accuracy
// (GDPR Art. 5(1)(e) and (d)), for the DPO.

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "cli/command_access.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"
#include "governance/quality.h"
#include "governance/retention.h"

namespace consentric::cli {
namespace {

using nlohmann::json;

struct RetentionArgs {
  std::string as_of;
  bool dry_run = false;
};

std::string rule_label(governance::RetentionKind k) {
  std::string s(governance::to_string(k));
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string days(const std::optional<std::int64_t>& seconds) {
  return seconds ? fmt::format("{} d", *seconds / kSecondsPerDay) : "its expiry";
}

json rules_json(const governance::RetentionPlan& plan) {
  json rules = json::array();
  for (const governance::RetentionRule& r : plan.rules) {
    json j = {{"rule", governance::to_string(r.kind)},
              {"name", r.name},
              {"retention_days",
               r.retention_seconds ? json(*r.retention_seconds / kSecondsPerDay) : json(nullptr)},
              {"older_than", format_timestamp(r.cutoff)},
              {"items", r.items},
              {"subjects", r.subjects}};
    if (r.kind == governance::RetentionKind::kConsentLapse)
      j["memberships_dropped"] = r.memberships_dropped;
    rules.push_back(std::move(j));
  }
  return rules;
}

int retention_run(const Globals& g, const RetentionArgs& a) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  const UnixSeconds now = make_system_clock()->now();
  auto at = parse_time_arg(a.as_of, now);
  if (!at.ok()) return report_error(at.status());
  ProgressLine progress(a.dry_run ? "counting" : "applying retention", g.quiet);
  governance::RetentionPlan plan;
  std::int64_t audit_seq = 0;
  if (a.dry_run) {
    auto counted = governance::plan_retention(*sd, sd->config, *at);
    progress.finish();
    if (!counted.ok()) return report_error(counted.status());
    plan = std::move(*counted);
  } else {
    auto done = governance::run_retention(*sd, sd->config, g.actor, *at, now);
    progress.finish();
    if (!done.ok()) return report_error(done.status());
    plan = std::move(done->done);
    audit_seq = done->audit_seq;
  }
  if (g.json) {
    json out = {{"as_of", format_timestamp(plan.as_of)},
                {"dry_run", a.dry_run},
                {"rules", rules_json(plan)},
                {"total", plan.total()}};
    if (!a.dry_run) out["audit_seq"] = audit_seq;
    fmt::print("{}\n", out.dump());
    return 0;
  }
  Table t({"rule", "name", "kept for", "older than", a.dry_run ? "would go" : "removed", "people"});
  for (const governance::RetentionRule& r : plan.rules) {
    std::string items = with_thousands(r.items);
    if (r.kind == governance::RetentionKind::kConsentLapse && r.memberships_dropped > 0)
      items += fmt::format(" (+{} memberships)", with_thousands(r.memberships_dropped));
    t.add_row({rule_label(r.kind), r.name, days(r.retention_seconds),
               format_timestamp(r.cutoff).substr(0, 10), items, with_thousands(r.subjects)});
  }
  fmt::print("Retention as of {}{}\n\n{}", format_timestamp(plan.as_of),
             a.dry_run ? " (dry run: nothing changed)" : "", t.render());
  if (plan.rules.empty()) fmt::print("The declaration sets no retention period.\n");
  if (a.dry_run) {
    fmt::print("\n{} items past retention; `consentric retention run` removes them.\n",
               with_thousands(plan.total()));
  } else {
    fmt::print("\n{} items removed; audit entry {} (retention.run) holds the counts.\n",
               with_thousands(plan.total()), audit_seq);
  }
  return 0;
}

struct QualityArgs {
  std::string as_of;
  bool subjects = false;
};

// A share that rounds to 0.0% but is not zero would read as "none": it says "< 0.1%".
std::string percent(std::int64_t count, double share) {
  if (count > 0 && share < 0.001) return "< 0.1%";
  return fmt::format("{:.1f}%", 100.0 * share);
}

int quality(const Globals& g, const QualityArgs& a) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  if (a.subjects) {
    // Listing the people concerned decrypts their identifiers.
    if (Status s = require_action(*sd, g, "quality --subjects", "pii.read"); !s.ok()) {
      return report_error(s);
    }
  }
  const UnixSeconds now = make_system_clock()->now();
  auto at = parse_time_arg(a.as_of, now);
  if (!at.ok()) return report_error(at.status());
  ProgressLine progress("checking", g.quiet);
  auto report = governance::check_quality(*sd, sd->config, *at, {.identify = a.subjects});
  progress.finish();
  if (!report.ok()) return report_error(report.status());
  // Decrypted identifiers on a screen are an access to personal data (DESIGN.md invariant 6):
  // the check is audited with its counts and whether people were listed.
  json counts = json::object();
  for (const auto& c : report->checks) counts[c.name] = c.count;
  const Status audited = audit::append_committed(*sd->store,
                                                 {.actor = g.actor,
                                                  .action = "quality.check",
                                                  .detail = json{{"as_of", format_timestamp(*at)},
                                                                 {"counts", counts},
                                                                 {"subjects_listed", a.subjects}}
                                                                .dump()},
                                                 now);
  if (!audited.ok()) return report_error(audited);
  if (g.json) {
    json out = {{"as_of", format_timestamp(report->as_of)},
                {"people", report->people},
                {"checks", json::array()}};
    for (const auto& c : report->checks) {
      json j = {{"check", c.name},
                {"description", c.description},
                {"count", c.count},
                {"of", c.population},
                {"share", c.share()}};
      if (a.subjects) {
        j["subjects"] = json::array();
        for (const auto& f : c.findings) {
          j["subjects"].push_back(
              {{"pseudonym", f.pseudonym}, {"identifier", f.identifier}, {"reason", f.reason}});
        }
      }
      out["checks"].push_back(std::move(j));
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  Table t({"check", "count", "of", "share", "what it means"});
  for (const auto& c : report->checks) {
    t.add_row({c.name, with_thousands(c.count), with_thousands(c.population),
               c.population == 0 ? "-" : percent(c.count, c.share()), c.description});
  }
  fmt::print("Data quality as of {}: {} people\n\n{}", format_timestamp(report->as_of),
             with_thousands(report->people), t.render());
  if (!a.subjects) {
    fmt::print("\n`consentric quality --subjects` lists the people concerned.\n");
    return 0;
  }
  for (const auto& c : report->checks) {
    if (c.findings.empty()) continue;
    Table s({"pseudonym", "identifier", "why"});
    for (const auto& f : c.findings)
      s.add_row({f.pseudonym, f.identifier.empty() ? "-" : f.identifier, f.reason});
    fmt::print("\n{} ({})\n{}", c.name, with_thousands(c.count), s.render());
  }
  return 0;
}

}  // namespace

void add_governance_commands(CLI::App& app, Globals& g) {
  auto* retention = app.add_subcommand(
      "retention", "Storage limitation: remove what the declaration says may no longer be kept");
  retention->require_subcommand(1);
  auto r = std::make_shared<RetentionArgs>();
  auto* run = retention->add_subcommand(
      "run",
      "Delete expired events and field values, lapse expired consents, drop old derived data "
      "(one transaction, audited)");
  run->add_flag("--dry-run", r->dry_run, "Show what would go, per rule, and change nothing");
  run->add_option("--as-of", r->as_of, "At this time (default: now)");
  run->callback([&g, r] { g.run = [&g, r] { return retention_run(g, *r); }; });

  auto q = std::make_shared<QualityArgs>();
  auto* quality_cmd = app.add_subcommand(
      "quality",
      "Data quality: stale profiles, bad e-mail addresses, duplicates, values out of range, "
      "consents without proof");
  quality_cmd->add_flag("--subjects", q->subjects,
                        "List the people concerned per check, with their identifier (decrypted)");
  quality_cmd->add_option("--as-of", q->as_of, "At this time (default: now)");
  quality_cmd->callback([&g, q] { g.run = [&g, q] { return quality(g, *q); }; });
}

}  // namespace consentric::cli
