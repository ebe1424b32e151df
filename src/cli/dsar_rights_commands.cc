// consentric dsar access | portability (docs/rights.md "Access", "Portability"): carrying out
// a person's request to see their data (GDPR Art. 15) or take a copy of it (Art. 20).

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"
#include "rights/access_report.h"
#include "rights/portability.h"

namespace consentric::cli {
namespace {

using nlohmann::json;

struct RightsArgs {
  std::string identifier, regime = "gdpr", json_out, html_out, out;
  std::int64_t request = 0;
};

Result<rights::Regime> regime_of(const std::string& text) {
  const auto regime = rights::parse_regime(text);
  if (!regime) {
    return invalid_argument(
        fmt::format("--regime {}: expected gdpr or ccpa", quote_for_message(text)));
  }
  return *regime;
}

json file_json(const rights::WrittenFile& f) {
  return {{"path", f.path.string()}, {"blake2b_256", f.hash}, {"bytes", f.bytes}};
}

// "Request 3 (access): no data held ..." for a person of whom nothing is held.
int print_no_data(const Globals& g, const rights::Request& r) {
  if (g.json) {
    fmt::print("{}\n", json{{"request", r.row.request_id},
                            {"type", r.row.type},
                            {"status", r.row.status},
                            {"answer", "no data held"}}
                           .dump());
  } else {
    fmt::print("Request {} ({}): no data held about this person; answered and recorded\n",
               r.row.request_id, r.row.type);
  }
  return 0;
}

int access_cmd(const Globals& g, const RightsArgs& a) {
  auto regime = regime_of(a.regime);
  if (!regime.ok()) return report_error(regime.status());
  if (a.json_out.empty() && a.html_out.empty()) {
    return report_error(invalid_argument("give --json FILE, --html FILE or both"));
  }
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  rights::AccessRequest req{.identifier = a.identifier,
                            .regime = *regime,
                            .actor = g.actor,
                            .now = make_system_clock()->now()};
  if (a.request > 0) req.request_id = a.request;
  if (!a.json_out.empty()) req.json_out = a.json_out;
  if (!a.html_out.empty()) req.html_out = a.html_out;
  auto done = rights::access(*sd, req);
  if (!done.ok()) return report_error(done.status());
  if (done->request.row.status == "no_data") return print_no_data(g, done->request);

  if (g.json) {
    json files = json::array();
    for (const auto& f : done->files) files.push_back(file_json(f));
    fmt::print("{}\n", json{{"request", done->request.row.request_id},
                            {"type", "access"},
                            {"status", done->request.row.status},
                            {"subject", done->request.pseudonym},
                            {"files", files},
                            {"counts", done->counts}}
                           .dump());
    return 0;
  }
  fmt::print("Request {} (access) completed: the report on {} was written\n",
             done->request.row.request_id, done->request.pseudonym);
  for (const auto& f : done->files) {
    fmt::print("  {} ({} bytes, BLAKE2b-256 {})\n", f.path.string(), with_thousands(f.bytes),
               f.hash.substr(0, 16));
  }
  if (!g.quiet) {
    // In the report's order, not the JSON object's alphabetical one.
    constexpr std::pair<const char*, const char*> kSections[] = {
        {"identifiers", "identifiers"},
        {"profile_fields", "profile fields"},
        {"events", "events"},
        {"consent_entries", "consent decisions"},
        {"processing_limits", "restrictions and objections"},
        {"purposes", "purposes"},
        {"segments", "segments"},
        {"scores", "scores"},
        {"retention_rules", "retention rules"},
        {"recipients", "recipients"},
        {"sources", "sources"},
    };
    Table t({"section", "entries"});
    for (const auto& [key, label] : kSections) {
      t.add_row({label, with_thousands(done->counts.value(key, std::int64_t{0}))});
    }
    fmt::print("{}", t.render());
    fmt::print("The files hold personal data (mode 0600): send them to the person securely.\n");
  }
  return 0;
}

int portability_cmd(const Globals& g, const RightsArgs& a) {
  auto regime = regime_of(a.regime);
  if (!regime.ok()) return report_error(regime.status());
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  rights::PortabilityRequest req{.identifier = a.identifier,
                                 .regime = *regime,
                                 .actor = g.actor,
                                 .now = make_system_clock()->now(),
                                 .out = a.out};
  if (a.request > 0) req.request_id = a.request;
  auto done = rights::portability(*sd, req);
  if (!done.ok()) return report_error(done.status());
  if (done->request.row.status == "no_data") return print_no_data(g, done->request);

  if (g.json) {
    fmt::print("{}\n", json{{"request", done->request.row.request_id},
                            {"type", "portability"},
                            {"status", done->request.row.status},
                            {"subject", done->request.pseudonym},
                            {"file", file_json(*done->archive)},
                            {"files", done->manifest["files"]}}
                           .dump());
    return 0;
  }
  fmt::print("Request {} (portability) completed: {} ({} bytes, BLAKE2b-256 {})\n",
             done->request.row.request_id, done->archive->path.string(),
             with_thousands(done->archive->bytes), done->archive->hash.substr(0, 16));
  if (!g.quiet) {
    Table t({"file", "rows", "what it holds"});
    for (const json& f : done->manifest["files"]) {
      t.add_row({f["name"].get<std::string>(), with_thousands(f["rows"].get<std::int64_t>()),
                 f["description"].get<std::string>()});
    }
    fmt::print("{}", t.render());
    fmt::print("The archive holds personal data (mode 0600): send it to the person securely.\n");
  }
  return 0;
}

}  // namespace

void add_dsar_rights_commands(CLI::App* dsar, Globals& g) {
  auto aa = std::make_shared<RightsArgs>();
  auto* access = dsar->add_subcommand(
      "access", "Answer an access request (GDPR Art. 15): a report of everything held");
  access->add_option("identifier", aa->identifier, "FIELD=VALUE or a bare value")->required();
  access->add_option("--json", aa->json_out, "Write the report as JSON to this file");
  access->add_option("--html", aa->html_out, "Write the report as a readable HTML page");
  access->add_option("--request", aa->request, "Complete this open request");
  access->add_option("--regime", aa->regime, "For a new request: gdpr (default) or ccpa");
  access->callback([&g, aa] { g.run = [&g, aa] { return access_cmd(g, *aa); }; });

  auto pa = std::make_shared<RightsArgs>();
  auto* port = dsar->add_subcommand(
      "portability", "Answer a portability request (GDPR Art. 20): the person's data as a zip");
  port->add_option("identifier", pa->identifier, "FIELD=VALUE or a bare value")->required();
  port->add_option("--out", pa->out, "The zip file to write")->required();
  port->add_option("--request", pa->request, "Complete this open request");
  port->add_option("--regime", pa->regime, "For a new request: gdpr (default) or ccpa");
  port->callback([&g, pa] { g.run = [&g, pa] { return portability_cmd(g, *pa); }; });
}

}  // namespace consentric::cli
