// consentric audit verify | log | checkpoint | prove

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace consentric::cli {

void add_audit_commands(CLI::App& app, Globals& g) {
  auto* audit_cmd = app.add_subcommand("audit", "The hash-chained audit log");
  audit_cmd->require_subcommand(1);
  auto* verify = audit_cmd->add_subcommand(
      "verify", "Recompute the chain; exit 1 if any entry was altered, removed or reordered");
  verify->callback([&g] {
    g.run = [&g] {
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      auto report = audit::verify(*sd->store);
      if (!report.ok()) return report_error(report.status());
      if (g.json) {
        fmt::print("{}\n", nlohmann::json{{"entries", report->entries},
                                          {"intact", report->intact},
                                          {"first_bad_seq", report->first_bad_seq},
                                          {"problem", report->problem},
                                          {"head_hash", report->head_hash_hex}}
                               .dump());
      } else if (report->intact) {
        fmt::print("audit chain intact: {} entries, head {}\n", with_thousands(report->entries),
                   report->head_hash_hex.substr(0, 16));
      } else {
        fmt::print("audit chain BROKEN at entry {}: {}\n", report->first_bad_seq, report->problem);
      }
      return report->intact ? 0 : 1;
    };
  });
}

}  // namespace consentric::cli
