// consentric doctor (docs/governance.md, "Compliance doctor").

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "doctor/doctor.h"

namespace consentric::cli {
namespace {

int run(const Globals& g) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto report = doctor::run_doctor(*sd, {.actor = g.actor, .now = make_system_clock()->now()});
  if (!report.ok()) return report_error(report.status());
  if (g.json) {
    fmt::print("{}\n", report->to_json().dump());
  } else {
    print_doctor_report(*report);
  }
  return report->failed() ? 1 : 0;
}

}  // namespace

void print_doctor_report(const doctor::DoctorReport& report) {
  Table table({"", "check", "found"});
  for (const doctor::Check& c : report.checks) {
    table.add_row({std::string(doctor::to_string(c.verdict)), c.name, c.figure});
  }
  fmt::print("{}", table.render());
  bool heading = false;
  for (const doctor::Check& c : report.checks) {
    if (c.advice.empty()) continue;
    if (!heading) fmt::print("\nTo do:\n");
    heading = true;
    fmt::print("  {} {}: {}\n", doctor::to_string(c.verdict), c.name, c.advice);
  }
  fmt::print("\n{} pass, {} warn, {} fail\n", report.count(doctor::Verdict::kPass),
             report.count(doctor::Verdict::kWarn), report.count(doctor::Verdict::kFail));
}

void add_doctor_command(CLI::App& app, Globals& g) {
  app.add_subcommand("doctor",
                     "Check the store against what a regulator may ask to see (exit 1 on a fail)")
      ->callback([&g] { g.run = [&g] { return run(g); }; });
}

}  // namespace consentric::cli
