// consentric report dp count|sum|mean|histogram|quantiles|budget, and export audience
// (docs/algorithms/differential-privacy.md, "Reports"; docs/disclosure.md).

#include <cmath>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"
#include "disclose/dp_random.h"
#include "report/audience_export.h"
#include "report/dp_report.h"
#include "report/dpia.h"
#include "report/ropa.h"

namespace consentric::cli {
namespace {

using nlohmann::json;

// Released figures: whole numbers and anything from 1,000 up with thousands separators (the
// noise is larger than what rounding drops), smaller ones to four significant digits.
std::string figure(double v) {
  if (std::fabs(v) >= 1e15) return fmt::format("{:.4g}", v);
  if (v == std::floor(v) || std::fabs(v) >= 1000) return with_thousands(std::llround(v));
  return fmt::format("{:.4g}", v);
}

json budget_json(const report::DpBudgetState& b) {
  return {{"purpose", b.purpose},
          {"epsilon_total", b.epsilon_total},
          {"epsilon_spent", b.epsilon_spent},
          {"epsilon_left", std::max(0.0, b.epsilon_left())},
          {"delta_total", b.delta_total},
          {"delta_spent", b.delta_spent},
          {"releases", b.releases}};
}

std::string budget_line(const report::DpBudgetState& b) {
  return fmt::format("budget of {}: epsilon {:.4g} of {:.4g} spent over {} release{}, {:.4g} left",
                     b.purpose, b.epsilon_spent, b.epsilon_total, b.releases,
                     b.releases == 1 ? "" : "s", std::max(0.0, b.epsilon_left()));
}

}  // namespace

int run_dp(const Globals& g, report::DpStatistic statistic, const DpArgs& a) {
  report::DpQuery q{.statistic = statistic,
                    .purpose = a.purpose,
                    .segment = a.segment,
                    .group = a.group,
                    .column = a.column,
                    .lower = a.lower,
                    .upper = a.upper,
                    .by = a.by,
                    .bins = a.bins,
                    .epsilon = a.epsilon,
                    .gaussian = a.gaussian,
                    .delta = a.delta};
  if (statistic == report::DpStatistic::kQuantiles) {
    q.quantiles.clear();
    for (const std::string& part : split_commas(a.quantiles)) {
      double v = 0;
      if (!parse_double(part, &v)) {
        return report_error(invalid_argument(fmt::format(
            "--quantiles {}: expected numbers in [0, 1] separated by commas, such as 0.1,0.5,0.9",
            quote_for_message(a.quantiles))));
      }
      q.quantiles.push_back(v);
    }
  }
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto rng = disclose::secure_random_source();
  if (!rng.ok()) return report_error(rng.status());
  auto r =
      report::run_dp_query(*sd, q, {.actor = g.actor, .now = make_system_clock()->now()}, **rng);
  if (!r.ok()) return report_error(r.status());
  if (g.json) {
    json rows = json::array();
    for (const auto& row : r->rows) {
      rows.push_back(
          {{"label", row.label}, {"value", row.value ? json(*row.value) : json(nullptr)}});
    }
    fmt::print("{}\n", json{{"statistic", report::to_string(statistic)},
                            {"purpose", r->query.purpose},
                            {"released", rows},
                            {"mechanism", r->mechanism},
                            {"noise_scale", r->noise_scale},
                            {"noise", r->noise},
                            {"epsilon", r->cost.epsilon},
                            {"delta", r->cost.delta},
                            {"k", r->k},
                            {"audit_seq", r->audit_seq},
                            {"budget", budget_json(r->budget)}}
                           .dump());
    return 0;
  }
  std::string what = std::string(report::to_string(statistic));
  if (!q.column.empty()) what += " of " + q.column;
  if (!q.by.empty()) what += " by " + q.by;
  std::string over = "purpose " + r->query.purpose;
  if (!q.segment.empty()) over = "segment " + q.segment + (q.group.empty() ? "" : " / " + q.group);
  fmt::print("Differentially private {} over {} (audit entry {})\n\n", what, over, r->audit_seq);
  const bool one = r->rows.size() == 1 && r->rows[0].label.empty();
  if (one) {
    fmt::print("  {}: {}\n", what,
               r->rows[0].value ? figure(*r->rows[0].value)
                                : fmt::format("suppressed (below k = {})", r->k));
  } else {
    Table t(
        {q.by.empty() ? (statistic == report::DpStatistic::kQuantiles ? "quantile" : "bin") : q.by,
         "value"});
    bool suppressed = false;
    for (const auto& row : r->rows) {
      suppressed = suppressed || !row.value;
      t.add_row({row.label, row.value ? figure(*row.value) : "-"});
    }
    fmt::print("{}", t.render());
    if (suppressed) fmt::print("  - : a noisy count below k = {}, suppressed\n", r->k);
    if (r->rows.empty()) fmt::print("  (no group passed the selection threshold)\n");
  }
  fmt::print("\n  noise: {}\n", r->noise);
  if (r->threshold > 0) {
    fmt::print(
        "  {} only when {} noisy count of people reaches {} (partition selection and "
        "k = {})\n",
        q.by.empty() ? "the figure is released" : "groups are shown",
        q.by.empty() ? "its" : "their", r->threshold, r->k);
  }
  fmt::print("  spent: epsilon {:.4g}{}\n", r->cost.epsilon,
             r->cost.delta > 0 ? fmt::format(", delta {:.2g}", r->cost.delta) : std::string());
  fmt::print("  {}\n", budget_line(r->budget));
  return 0;
}

namespace {

int show_budgets(const Globals& g, const std::string& purpose) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  std::vector<report::DpBudgetState> budgets;
  if (purpose.empty()) {
    auto all = report::dp_budgets(*sd);
    if (!all.ok()) return report_error(all.status());
    budgets = std::move(*all);
  } else {
    auto one = report::dp_budget(*sd, purpose);
    if (!one.ok()) return report_error(one.status());
    budgets.push_back(std::move(*one));
  }
  if (g.json) {
    json j = json::array();
    for (const auto& b : budgets) j.push_back(budget_json(b));
    fmt::print("{}\n", j.dump());
    return 0;
  }
  Table t({"purpose", "epsilon spent", "epsilon total", "epsilon left", "delta spent", "releases"});
  for (const auto& b : budgets) {
    t.add_row({b.purpose, fmt::format("{:.4g}", b.epsilon_spent),
               fmt::format("{:.4g}", b.epsilon_total),
               fmt::format("{:.4g}", std::max(0.0, b.epsilon_left())),
               fmt::format("{:.2g}", b.delta_spent), std::to_string(b.releases)});
  }
  fmt::print("{}", t.render());
  return 0;
}

}  // namespace

int export_audience(const Globals& g, const AudienceArgs& a) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto r = report::export_audience(*sd,
                                   {.segment = a.segment,
                                    .group = a.group,
                                    .recipient = a.recipient,
                                    .fields = split_commas(a.fields),
                                    .k = a.k,
                                    .l = a.l,
                                    .out = a.out,
                                    .dry_run = a.dry_run},
                                   {.actor = g.actor, .now = make_system_clock()->now()});
  if (!r.ok()) return report_error(r.status());
  if (g.json) {
    json cols = json::array();
    for (const auto& c : r->columns) {
      cols.push_back(
          {{"name", c.name}, {"quasi_identifier", c.quasi_identifier}, {"treatment", c.treatment}});
    }
    const auto risk = [](const disclose::RiskSummary& s) {
      return json{{"records", s.records},
                  {"classes", s.classes},
                  {"smallest_class", s.smallest_class},
                  {"highest_risk", s.highest_risk},
                  {"average_risk", s.average_risk},
                  {"records_at_risk", s.records_at_risk}};
    };
    fmt::print("{}\n", json{{"file", a.dry_run ? json(nullptr) : json(a.out)},
                            {"recipient", r->recipient},
                            {"purpose", r->purpose},
                            {"rows", r->rows},
                            {"suppressed", r->suppressed},
                            {"k", r->k},
                            {"l", r->l},
                            {"columns", cols},
                            {"risk_before", risk(r->before)},
                            {"risk_after", risk(r->after)},
                            {"information_loss", r->information_loss},
                            {"hash", r->hash}}
                           .dump());
    return 0;
  }
  if (a.dry_run) {
    fmt::print("Dry run: nothing written or recorded. The audience for {} would hold:\n\n",
               r->recipient);
  } else {
    fmt::print(
        "Audience for {} (purpose {}) written to {}; recorded as export.audience and as a "
        "disclosure of each member\n\n",
        r->recipient, r->purpose, a.out);
  }
  Table cols({"column", "quasi-identifier", "released as"});
  cols.add_row({"token", "no", "keyed per recipient (unlinkable across recipients)"});
  cols.add_row({"segment", "no", "as is"});
  for (const auto& c : r->columns) {
    cols.add_row({c.name, c.quasi_identifier ? "yes" : "no", c.treatment});
  }
  fmt::print("{}\n", cols.render());
  Table risk({"re-identification risk", "as held", "as released"});
  const auto pct = [](double v) { return fmt::format("{:.1f}%", 100 * v); };
  risk.add_row({"records", with_thousands(r->before.records), with_thousands(r->after.records)});
  risk.add_row(
      {"equivalence classes", with_thousands(r->before.classes), with_thousands(r->after.classes)});
  risk.add_row({"smallest class", with_thousands(r->before.smallest_class),
                with_thousands(r->after.smallest_class)});
  risk.add_row(
      {"highest risk (prosecutor)", pct(r->before.highest_risk), pct(r->after.highest_risk)});
  risk.add_row({"average risk", pct(r->before.average_risk), pct(r->after.average_risk)});
  risk.add_row({fmt::format("records at risk (class < k = {})", r->k),
                with_thousands(r->before.records_at_risk),
                with_thousands(r->after.records_at_risk)});
  fmt::print("{}", risk.render());
  fmt::print("\n  {} records {}, {} withheld to reach k = {}{}; information loss {:.1f}%\n",
             with_thousands(r->rows), a.dry_run ? "would be released" : "released",
             with_thousands(r->suppressed), r->k,
             r->l > 0 ? fmt::format(" and l = {}", r->l) : std::string(),
             100 * r->information_loss);
  if (!r->hash.empty()) fmt::print("  file hash (BLAKE2b-256): {}\n", r->hash);
  return 0;
}

namespace {

int write_ropa(const Globals& g, const std::string& out, const std::string& html) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  const report::ReportContext ctx{.actor = g.actor, .now = make_system_clock()->now()};
  auto ropa = report::build_ropa(*sd, ctx);
  if (!ropa.ok()) return report_error(ropa.status());
  auto seq = report::write_report(*sd, *ropa, "report.ropa", out, html, ctx);
  if (!seq.ok()) return report_error(seq.status());
  if (g.json) {
    fmt::print("{}\n", ropa->json.dump());
    return 0;
  }
  fmt::print("Record of processing activities: {} purposes, written to {}; recorded as audit "
             "entry {} (report.ropa)\n",
             sd->config.purposes.size(),
             out.empty() ? html : (html.empty() ? out : out + " and " + html), *seq);
  return 0;
}

int write_dpia(const Globals& g, const std::string& out, const std::string& html, bool check) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  const report::ReportContext ctx{.actor = g.actor, .now = make_system_clock()->now()};
  if (check) {
    auto st = report::dpia_status(*sd);
    if (!st.ok()) return report_error(st.status());
    if (g.json) {
      fmt::print("{}\n", json{{"current", st->current()},
                              {"generated", st->made_at ? json(format_timestamp(*st->made_at))
                                                        : json(nullptr)},
                              {"made_for", st->made_for},
                              {"declaration", st->declaration}}
                             .dump());
    } else if (!st->made_at) {
      fmt::print("no DPIA has been generated for this store (report dpia --out FILE)\n");
    } else {
      fmt::print("DPIA of {}: {}\n", format_timestamp(*st->made_at),
                 st->current() ? "current (made for the declaration in force)"
                               : "OUT OF DATE: the declaration changed since (report dpia --out "
                                 "FILE makes a new one)");
    }
    return st->current() ? 0 : 1;
  }
  auto dpia = report::build_dpia(*sd, ctx);
  if (!dpia.ok()) return report_error(dpia.status());
  auto seq = report::write_dpia(*sd, *dpia, out, html, ctx);
  if (!seq.ok()) return report_error(seq.status());
  if (g.json) {
    fmt::print("{}\n", dpia->json.dump());
    return 0;
  }
  fmt::print("DPIA draft written to {}: {} risks with their measures; made for declaration {}...; "
             "recorded as audit entry {} (report.dpia)\n",
             out.empty() ? html : (html.empty() ? out : out + " and " + html),
             dpia->json["risks"].size(),
             dpia->json["declaration_hash"].get<std::string>().substr(0, 16), *seq);
  return 0;
}

void add_dp_options(CLI::App* cmd, DpArgs& a, report::DpStatistic s) {
  cmd->add_option("--purpose", a.purpose,
                  "The purpose whose view is counted (and whose budget pays)");
  cmd->add_option("--segment", a.segment, "Only the released members of this segment");
  cmd->add_option("--group", a.group, "With --segment: only this group of it");
  cmd->add_option("--epsilon", a.epsilon,
                  "Privacy loss of this release (default: the declaration's)");
  if (s != report::DpStatistic::kCount) {
    cmd->add_option("--column", a.column, "The column (a field or feature)")->required();
    cmd->add_option("--lower", a.lower,
                    "Values below are clamped to this (public, not from the data)");
    cmd->add_option("--upper", a.upper, "Values above are clamped to this");
  }
  if (s == report::DpStatistic::kCount || s == report::DpStatistic::kSum ||
      s == report::DpStatistic::kMean) {
    cmd->add_option("--by", a.by, "Group by this column (groups pass partition selection)");
    cmd->add_option("--delta", a.delta, "Delta of the selection (default: the declaration's)");
  }
  if (s == report::DpStatistic::kCount) {
    cmd->add_flag("--gaussian", a.gaussian, "Discrete Gaussian noise, (epsilon, delta)-DP");
  }
  if (s == report::DpStatistic::kHistogram || s == report::DpStatistic::kQuantiles) {
    cmd->add_option("--bins", a.bins, "Equal-width bins over [lower, upper] (10; quantiles 64)");
  }
  if (s == report::DpStatistic::kQuantiles) {
    cmd->add_option("--quantiles", a.quantiles,
                    "Comma-separated, in [0, 1] (default 0.25,0.5,0.75)");
  }
}

}  // namespace

void add_report_commands(CLI::App& app, Globals& g) {
  auto* rep = app.add_subcommand("report", "Aggregates that may leave the engine");
  rep->require_subcommand(1);
  auto* dp = rep->add_subcommand(
      "dp", "Differentially private figures, each charged to its purpose's privacy budget");
  dp->require_subcommand(1);
  for (auto [stat, help] : {std::pair{report::DpStatistic::kCount, "How many subjects"},
                            {report::DpStatistic::kSum, "The sum of a numeric column"},
                            {report::DpStatistic::kMean, "The mean of a numeric column"},
                            {report::DpStatistic::kHistogram, "Counts per bin or category"},
                            {report::DpStatistic::kQuantiles, "Quantiles of a numeric column"}}) {
    auto args = std::make_shared<DpArgs>();
    auto* cmd = dp->add_subcommand(std::string(report::to_string(stat)), help);
    add_dp_options(cmd, *args, stat);
    cmd->callback(
        [&g, args, stat = stat] { g.run = [&g, args, stat] { return run_dp(g, stat, *args); }; });
  }
  auto purpose = std::make_shared<std::string>();
  auto* budget = dp->add_subcommand("budget", "What each purpose's privacy budget has left");
  budget->add_option("--purpose", *purpose, "Only this purpose");
  budget->callback([&g, purpose] { g.run = [&g, purpose] { return show_budgets(g, *purpose); }; });

  auto ropa_out = std::make_shared<std::string>();
  auto ropa_html = std::make_shared<std::string>();
  auto* ropa = rep->add_subcommand(
      "ropa", "Record of processing activities (Art. 30) from the declaration and live figures");
  ropa->add_option("--out", *ropa_out, "Markdown file to write");
  ropa->add_option("--html", *ropa_html, "HTML page to write (self-contained)");
  ropa->callback([&g, ropa_out, ropa_html] {
    g.run = [&g, ropa_out, ropa_html] { return write_ropa(g, *ropa_out, *ropa_html); };
  });

  auto dpia_out = std::make_shared<std::string>();
  auto dpia_html = std::make_shared<std::string>();
  auto dpia_check = std::make_shared<bool>(false);
  auto* dpia = rep->add_subcommand(
      "dpia", "Data protection impact assessment (Art. 35), a draft from the facts");
  dpia->add_option("--out", *dpia_out, "Markdown file to write");
  dpia->add_option("--html", *dpia_html, "HTML page to write (self-contained)");
  dpia->add_flag("--check", *dpia_check,
                 "Only say whether the last DPIA was made for the declaration in force (exit 1 "
                 "if not)");
  dpia->callback([&g, dpia_out, dpia_html, dpia_check] {
    g.run = [&g, dpia_out, dpia_html, dpia_check] {
      return write_dpia(g, *dpia_out, *dpia_html, *dpia_check);
    };
  });

  auto* exp = app.add_subcommand("export", "Disclosures to declared recipients");
  exp->require_subcommand(1);
  auto a = std::make_shared<AudienceArgs>();
  auto* aud = exp->add_subcommand(
      "audience", "A segment's members for one recipient: per-recipient tokens, k-anonymous");
  aud->add_option("--segment", a->segment, "The segment")->required();
  aud->add_option("--recipient", a->recipient, "A recipient declared for its purpose")->required();
  aud->add_option("--group", a->group, "Only this group of the segment");
  aud->add_option("--fields", a->fields, "Comma-separated fields the purpose declares (no pii)");
  aud->add_option("--k", a->k, "k for this export (at least the declaration's)");
  aud->add_option("--l", a->l, "Distinct values of the sensitive field per class");
  aud->add_option("--out", a->out, "CSV file to write");
  aud->add_flag("--dry-run", a->dry_run, "Show what would be released; write and record nothing");
  aud->callback([&g, a] { g.run = [&g, a] { return export_audience(g, *a); }; });
}

}  // namespace consentric::cli
