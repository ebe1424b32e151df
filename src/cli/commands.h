#pragma once

// The consentric command's subcommands. Each add_* registers its commands on the app; the
// chosen one sets Globals::run, which main() calls after parsing.

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "doctor/doctor.h"
#include "ingest/importer.h"
#include "report/dp_report.h"
#include "runs/segment_definition.h"
#include "store/store_dir.h"
#include "synth/generator.h"

namespace consentric::cli {

struct Globals {
  std::string store = ".";  // --store, else CONSENTRIC_STORE, else the current folder
  std::string key_file;     // --key-file
  bool json = false;
  bool quiet = false;
  // Who runs the command: the name of the access token given (--token, CONSENTRIC_TOKEN), else
  // the local operator who holds the store's key file. Every audit entry names it.
  std::string actor = "local-operator";
  std::string role = "admin";
  std::string token;  // --token, else CONSENTRIC_TOKEN
  // Set by authorize_command (cli/command_access.h) once the actor may run the command on the
  // store; open_store() refuses otherwise, so no command reaches data unchecked.
  bool store_access = false;
  std::function<int()> run;

  StoreDirOptions store_options() const;
  Result<StoreDir> open_store() const;
};

// Every command of the consentric tool, registered on app (main() and the tests that walk the
// command tree use it).
void add_all_commands(CLI::App& app, Globals& g);

void add_store_commands(CLI::App& app, Globals& g);      // init, status
void add_audit_commands(CLI::App& app, Globals& g);      // audit verify|log|checkpoint|prove
void add_consent_commands(CLI::App& app, Globals& g);    // consent grant|withdraw|show|...
void add_gate_commands(CLI::App& app, Globals& g);       // gate counts|view
void add_segment_commands(CLI::App& app, Globals& g);    // segment create|list|show|...
void add_score_commands(CLI::App& app, Globals& g);      // score train|list|show|run|...
void add_points_commands(CLI::App* score, Globals& g);   // score points run|show|top
void add_dsar_commands(CLI::App& app, Globals& g);       // dsar open|list|show|...
void add_dsar_rights_commands(CLI::App* dsar, Globals& g);  // dsar access|portability
// dsar erase, receipt verify, backup, restore. REQUIRES: add_dsar_commands ran first.
void add_erasure_commands(CLI::App& app, Globals& g);
void add_report_commands(CLI::App& app, Globals& g);     // report dp ..., export audience
void add_config_commands(CLI::App& app, Globals& g);     // config check
void add_import_commands(CLI::App& app, Globals& g);     // import profiles|events|consents
void add_generate_command(CLI::App& app, Globals& g);    // generate
void add_quickstart_command(CLI::App& app, Globals& g);  // quickstart
void add_token_commands(CLI::App& app, Globals& g);      // token create|list|revoke
void add_notice_commands(CLI::App& app, Globals& g);     // notice publish|list|show
void add_doctor_command(CLI::App& app, Globals& g);      // doctor
void add_governance_commands(CLI::App& app, Globals& g);  // retention run, quality

// Registers `parent NAME FILE [--skip-invalid ...]` importing files of `kind`.
void add_import_kind(CLI::App* parent, Globals& g, ingest::ImportKind kind, const std::string& name,
                     const std::string& help);

// Creates a store with the config file given (empty: the built-in quickstart config) and
// records the creation in the audit chain.
Result<StoreDir> init_store(const std::filesystem::path& dir, const std::string& config_file,
                            const Globals& g);

// Imports one file with a progress line, printing a one-line report unless quiet_report.
Result<ingest::ImportReport> run_import(StoreDir& sd, const ingest::ImportOptions& options,
                                        const Globals& g);
std::string render_import_report(const ingest::ImportReport& r);

// Generates `customers` synthetic customers into `out` with a progress line.
Result<synth::GenerateSummary> run_generate(std::int64_t customers, std::uint64_t seed,
                                            const std::filesystem::path& out, UnixSeconds as_of,
                                            const Globals& g);

// Prints where a person stands for every purpose (consent show).
int show_consent(const Globals& g, const std::string& identifier, const std::string& as_of);

// Builds a PurposeView and prints its column summary (gate view); columns comma-separated.
struct ViewArgs {
  std::string purpose, as_of, columns, out;
};
int print_view(const Globals& g, const ViewArgs& args);

// Creates and runs a segment with a progress line, then prints it as `segment show` does.
int create_segment_and_show(const Globals& g, StoreDir& sd, const runs::SegmentDefinition& d);

// report dp STATISTIC: runs, charges and prints one differentially private release.
struct DpArgs {
  std::string purpose, segment, group, column, by, quantiles = "0.25,0.5,0.75";
  std::optional<double> lower, upper, epsilon, delta;
  int bins = 0;
  bool gaussian = false;
};
int run_dp(const Globals& g, report::DpStatistic statistic, const DpArgs& a);

// export audience: writes (or with dry_run shows) a k-anonymous audience for a recipient.
struct AudienceArgs {
  std::string segment, group, recipient, fields, out;
  std::optional<int> k, l;
  bool dry_run = false;
};
int export_audience(const Globals& g, const AudienceArgs& a);

// score run: scores everyone the purpose may process with its active model and prints the
// `top` highest with their reasons.
int run_scores(const Globals& g, const std::string& purpose, std::int64_t top);

// The doctor's checks as a table with the advice under it (doctor, quickstart).
void print_doctor_report(const doctor::DoctorReport& report);

// Consent coverage and gate counts per purpose (gate counts).
int print_gate_counts(const Globals& g, const std::string& as_of);

// Runs fn (returning a Result) inside one transaction on the store and one on the key ring (a
// new subject gets a data key), committing both or neither.
template <typename Fn>
auto in_store_transaction(StoreDir& sd, Fn&& fn) -> decltype(fn()) {
  CONSENTRIC_RETURN_IF_ERROR(sd.keyring->begin());
  if (Status s = sd.store->begin(); !s.ok()) {
    sd.keyring->rollback();
    return s;
  }
  auto out = fn();
  Status s = out.status();
  if (s.ok()) s = sd.keyring->commit();
  if (s.ok()) s = sd.store->commit();
  if (!s.ok()) {
    sd.store->rollback();
    sd.keyring->rollback();
    return s;
  }
  return out;
}

// A time argument: empty or "now" is `now`; else an ISO 8601 time or a date (midnight UTC).
Result<UnixSeconds> parse_time_arg(std::string_view text, UnixSeconds now);

// Today at midnight UTC: the default "as of" for generated data.
UnixSeconds today_utc();

}  // namespace consentric::cli
