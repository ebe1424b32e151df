// consentric gate counts | view

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"
#include "crypto/keys.h"
#include "disclose/small_groups.h"
#include "gate/gate.h"

namespace consentric::cli {
namespace {

std::string percent(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? "-"
                    : fmt::format("{:.1f}%",
                                  100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

}  // namespace

int print_gate_counts(const Globals& g, const std::string& as_of_text) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  const UnixSeconds now = make_system_clock()->now();
  auto at = parse_time_arg(as_of_text, now);
  if (!at.ok()) return report_error(at.status());
  auto counts = gate::count_lawful(*sd, *at, g.actor, now);
  if (!counts.ok()) return report_error(counts.status());
  auto recorded = sd->store->consent_counts();
  if (!recorded.ok()) return report_error(recorded.status());
  auto granted_of = [&](const std::string& purpose) -> std::pair<std::int64_t, std::int64_t> {
    for (const auto& c : *recorded) {
      if (c.purpose == purpose) return {c.granted, c.withdrawn};
    }
    return {0, 0};
  };
  const int k = sd->config.k_anonymity;
  if (g.json) {
    nlohmann::json j = {
        {"as_of", format_timestamp(*at)}, {"k", k}, {"purposes", nlohmann::json::array()}};
    for (const auto& c : *counts) {
      const auto [granted, withdrawn] = granted_of(c.purpose);
      j["purposes"].push_back({{"purpose", c.purpose},
                               {"legal_basis", to_string(c.basis)},
                               {"subjects", released_count(c.subjects, k)},
                               {"consent_granted", released_count(granted, k)},
                               {"consent_withdrawn", released_count(withdrawn, k)},
                               {"gate_open", released_count(c.lawful, k)}});
    }
    fmt::print("{}\n", j.dump());
    return 0;
  }
  Table t({"purpose", "legal basis", "said yes", "said no", "gate lets through", "of subjects"});
  for (const auto& c : *counts) {
    const auto [granted, withdrawn] = granted_of(c.purpose);
    const bool consent = c.basis == LegalBasis::kConsent;
    // A share of a count that may not be shown would show it.
    const bool shareable =
        disclose::releasable_count(c.lawful, k) && disclose::releasable_count(c.subjects, k);
    t.add_row({c.purpose, std::string(to_string(c.basis)), consent ? people_count(granted, k) : "-",
               people_count(withdrawn, k), people_count(c.lawful, k),
               shareable ? percent(c.lawful, c.subjects) : "-"});
  }
  fmt::print("Purpose gate as of {}: {} subjects\n\n{}", format_timestamp(*at),
             people_count(counts->empty() ? 0 : counts->front().subjects, k), t.render());
  return 0;
}

namespace {

std::string cell(const gate::Column& c, std::size_t row) {
  if (c.missing(row)) return "";
  if (c.kind == gate::ColumnKind::kCategory)
    return c.dictionary[static_cast<std::size_t>(c.codes[row])];
  return fmt::format("{}", c.numbers[row]);
}

// Writes the view as CSV with pseudonymous ids, and records the export (a recipient of
// personal data, Art. 30(1)(d)) in the audit chain: file name and hash, rows, columns.
Status export_view(StoreDir& sd, const gate::PurposeView& v, const std::string& path,
                   std::string_view actor, UnixSeconds now) {
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    std::string line = "subject";
    for (const auto& c : v.columns()) line += "," + csv_field(c.name);
    f << line << "\n";
    for (std::size_t r = 0; r < v.rows(); ++r) {
      line = v.row_ids()[r];
      for (const auto& c : v.columns()) line += "," + csv_field(cell(c, r));
      f << line << "\n";
    }
    if (!f.flush()) return failed_precondition(fmt::format("cannot write {}", path));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::string hash, crypto::hash256_file(path));
  nlohmann::json detail = {{"file", std::filesystem::path(path).filename().string()},
                           {"hash", crypto::to_hex(hash)},
                           {"rows", v.rows()},
                           {"as_of", format_timestamp(v.as_of())},
                           {"columns", nlohmann::json::array()}};
  for (const auto& c : v.columns()) detail["columns"].push_back(c.name);
  return audit::append_committed(*sd.store,
                                 {.actor = std::string(actor),
                                  .action = "gate.export",
                                  .purpose = v.purpose(),
                                  .detail = detail.dump()},
                                 now);
}

}  // namespace

int print_view(const Globals& g, const ViewArgs& a) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  const UnixSeconds now = make_system_clock()->now();
  auto at = parse_time_arg(a.as_of, now);
  if (!at.ok()) return report_error(at.status());
  gate::ViewRequest req{
      .purpose = a.purpose, .as_of = *at, .actor = g.actor, .columns = split_commas(a.columns)};
  auto v = gate::build_view(*sd, req, now);
  if (!v.ok()) return report_error(v.status());
  if (!a.out.empty()) {
    if (Status s = export_view(*sd, *v, a.out, g.actor, now); !s.ok()) return report_error(s);
  }
  const int k = sd->config.k_anonymity;
  const auto rows = static_cast<std::int64_t>(v->rows());
  if (g.json) {
    nlohmann::json j = {{"purpose", v->purpose()},
                        {"as_of", format_timestamp(v->as_of())},
                        {"rows", released_count(rows, k)},
                        {"columns", nlohmann::json::array()}};
    for (const auto& c : v->columns()) j["columns"].push_back(c.name);
    fmt::print("{}\n", j.dump());
    return 0;
  }
  fmt::print("View of purpose {} as of {}: {} subjects (pseudonymous ids)\n\n", v->purpose(),
             format_timestamp(v->as_of()), people_count(rows, k));
  Table t({"column", "kind", "present", "mean or values"});
  for (const auto& c : v->columns()) {
    std::int64_t present = 0;
    double sum = 0;
    for (std::size_t r = 0; r < v->rows(); ++r) {
      if (c.missing(r)) continue;
      ++present;
      if (c.kind == gate::ColumnKind::kNumber) sum += c.numbers[r];
    }
    // A mean of fewer than k people describes them: the small-group rule applies to it too.
    const bool shown = present >= k;
    const std::string summary = !shown ? "-"
                                : c.kind == gate::ColumnKind::kNumber
                                    ? fmt::format("{:.2f}", sum / static_cast<double>(present))
                                    : fmt::format("{} distinct", c.dictionary.size());
    t.add_row({c.name, c.kind == gate::ColumnKind::kNumber ? "number" : "category",
               people_count(present, k), summary});
  }
  fmt::print("{}", t.render());
  if (!a.out.empty()) fmt::print("\nwritten to {}\n", a.out);
  return 0;
}

void add_gate_commands(CLI::App& app, Globals& g) {
  auto* gate_cmd = app.add_subcommand(
      "gate", "The purpose gate: who may be processed for a purpose, and what analytics sees");
  gate_cmd->require_subcommand(1);

  auto as_of = std::make_shared<std::string>();
  auto* counts_cmd = gate_cmd->add_subcommand("counts",
                                              "Consent coverage and how many subjects each purpose "
                                              "may process now");
  counts_cmd->add_option("--as-of", *as_of, "At this time (default: now)");
  counts_cmd->callback(
      [&g, as_of] { g.run = [&g, as_of] { return print_gate_counts(g, *as_of); }; });

  auto a = std::make_shared<ViewArgs>();
  auto* view_cmd = gate_cmd->add_subcommand(
      "view", "Build a PurposeView: lawful subjects only, declared columns only (audited)");
  view_cmd->add_option("--purpose", a->purpose, "A declared purpose")->required();
  view_cmd->add_option("--as-of", a->as_of, "At this time (default: now)");
  view_cmd->add_option("--columns", a->columns,
                       "Comma-separated fields and features (default: every non-pii one)");
  view_cmd->add_option("--out", a->out, "Write the rows as CSV (pseudonymous subject ids)");
  view_cmd->callback([&g, a] { g.run = [&g, a] { return print_view(g, *a); }; });
}

}  // namespace consentric::cli
