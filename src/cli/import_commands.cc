// consentric import profiles|events|consents FILE

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"

namespace consentric::cli {

Result<ingest::ImportReport> run_import(StoreDir& sd, const ingest::ImportOptions& options,
                                        const Globals& g) {
  ProgressLine progress(fmt::format("importing {}", options.file.filename().string()),
                        g.quiet || g.json);
  ingest::ImportOptions o = options;
  o.actor = g.actor;
  o.progress = [&progress](const ingest::ImportProgress& p) {
    progress.update(p.bytes_done, p.bytes_total, p.rows, "rows");
  };
  auto report = ingest::import_file(sd, o);
  progress.finish();
  return report;
}

std::string render_import_report(const ingest::ImportReport& r) {
  const double rate = r.seconds > 0 ? static_cast<double>(r.rows) / r.seconds : 0;
  std::string out = fmt::format("imported {} from {}: {} rows: {} new, {} updated, {} unchanged",
                                ingest::to_string(r.kind), r.file, with_thousands(r.rows),
                                with_thousands(r.inserted), with_thousands(r.updated),
                                with_thousands(r.unchanged));
  if (r.suppressed > 0)
    out += fmt::format(", {} refused (erased people)", with_thousands(r.suppressed));
  if (r.rejected > 0)
    out +=
        fmt::format(", {} rejected (see {})", with_thousands(r.rejected), r.reject_file->string());
  out += fmt::format(" in {:.2f} s ({} rows/s)\n", r.seconds,
                     with_thousands(static_cast<std::int64_t>(rate)));
  return out;
}

namespace {

nlohmann::json report_json(const ingest::ImportReport& r) {
  nlohmann::json j = {{"kind", ingest::to_string(r.kind)},
                      {"file", r.file},
                      {"rows", r.rows},
                      {"inserted", r.inserted},
                      {"updated", r.updated},
                      {"unchanged", r.unchanged},
                      {"rejected", r.rejected},
                      {"suppressed", r.suppressed},
                      {"subjects_created", r.subjects_created},
                      {"seconds", r.seconds}};
  if (r.reject_file) j["reject_file"] = r.reject_file->string();
  return j;
}

}  // namespace

void add_import_kind(CLI::App* parent, Globals& g, ingest::ImportKind kind, const std::string& name,
                     const std::string& help) {
  auto* cmd = parent->add_subcommand(name, help);
  struct Args {
    std::string file, reject_file, format = "auto";
    bool skip_invalid = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("FILE", a->file, "A .csv or .ndjson file")->required();
  cmd->add_flag("--skip-invalid", a->skip_invalid,
                "Import the valid rows and write the rejected ones with reasons to a reject file");
  cmd->add_option("--reject-file", a->reject_file,
                  "Where rejected rows go (default: FILE.rejects.csv)");
  cmd->add_option("--format", a->format, "csv, ndjson or auto (by extension)")
      ->check(CLI::IsMember({"auto", "csv", "ndjson"}));
  cmd->callback([&g, kind, a] {
    g.run = [&g, kind, a] {
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      ingest::ImportOptions o;
      o.kind = kind;
      o.file = a->file;
      o.format = a->format == "csv"      ? ingest::FileFormat::kCsv
                 : a->format == "ndjson" ? ingest::FileFormat::kNdjson
                                         : ingest::FileFormat::kAuto;
      o.skip_invalid = a->skip_invalid;
      if (!a->reject_file.empty()) o.reject_file = a->reject_file;
      o.now = make_system_clock()->now();
      auto report = run_import(*sd, o, g);
      if (!report.ok()) return report_error(report.status());
      if (g.json)
        fmt::print("{}\n", report_json(*report).dump());
      else
        fmt::print("{}", render_import_report(*report));
      return 0;
    };
  });
}

void add_import_commands(CLI::App& app, Globals& g) {
  auto* import =
      app.add_subcommand("import", "Validated, all-or-nothing import of CSV or NDJSON files");
  import->require_subcommand(1);
  add_import_kind(import, g, ingest::ImportKind::kProfiles, "profiles",
                  "Customer profiles: one row per person, upserted by identifier");
  add_import_kind(import, g, ingest::ImportKind::kEvents, "events",
                  "Behavioural events: identifier, type, time, properties");
  add_import_kind(import, g, ingest::ImportKind::kConsents, "consents",
                  "Consent records: identifier, purpose, grant or withdraw, time, proof");
}

}  // namespace consentric::cli
