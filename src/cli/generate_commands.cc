// consentric generate | quickstart

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/summary.h"
#include "synth/generator.h"

namespace consentric::cli {
namespace {

namespace fs = std::filesystem;

Result<synth::GenerateSummary> run_generate(std::int64_t customers, std::uint64_t seed,
                                            const fs::path& out, UnixSeconds as_of,
                                            const Globals& g) {
  ProgressLine progress("generating customers", g.quiet || g.json);
  synth::GenerateOptions o;
  o.customers = customers;
  o.seed = seed;
  o.out_dir = out;
  o.as_of = as_of;
  o.progress = [&progress](std::int64_t done, std::int64_t total) {
    progress.update(done, total, done, "customers");
  };
  auto summary = synth::generate(o);
  progress.finish();
  return summary;
}

}  // namespace

void add_generate_command(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "generate", "Write realistic synthetic B2B customers: profiles, events, consents, outcomes");
  struct Args {
    std::int64_t customers = 10'000;
    std::uint64_t seed = 42;
    std::string out, as_of;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--customers", a->customers, "How many customers")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}));
  cmd->add_option("--seed", a->seed, "Random seed: the same seed and --as-of give the same files");
  cmd->add_option("--out", a->out, "Output folder")->required();
  cmd->add_option("--as-of", a->as_of,
                  "End of the twelve months of events, exclusive (default: today, UTC)");
  cmd->callback([&g, a] {
    g.run = [&g, a] {
      UnixSeconds as_of = today_utc();
      if (!a->as_of.empty()) {
        auto t = parse_date(a->as_of);
        if (!t.ok()) return report_error(t.status().with_context("--as-of"));
        as_of = *t;
      }
      auto summary = run_generate(a->customers, a->seed, a->out, as_of, g);
      if (!summary.ok()) return report_error(summary.status());
      if (g.json) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : summary->files) files.push_back(f.string());
        fmt::print("{}\n", nlohmann::json{{"customers", summary->customers},
                                          {"events", summary->events},
                                          {"consents", summary->consents},
                                          {"converted", summary->converted},
                                          {"files", files}}
                               .dump());
      } else {
        fmt::print("wrote {} customers, {} events, {} consent records ({} converted) to {}\n",
                   with_thousands(summary->customers), with_thousands(summary->events),
                   with_thousands(summary->consents), with_thousands(summary->converted), a->out);
      }
      return 0;
    };
  });
}

void add_quickstart_command(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "quickstart", "Create a store, generate 10,000 customers, import them and summarize");
  struct Args {
    std::string dir = "consentric-quickstart";
    std::int64_t customers = 10'000;
    bool replace = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("DIR", a->dir, "Folder for the store and the generated data");
  cmd->add_option("--customers", a->customers, "How many customers")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10'000'000}));
  cmd->add_flag("--replace", a->replace, "Replace an earlier quickstart store in DIR");
  cmd->callback([&g, a] {
    g.run = [&g, a] {
      const fs::path dir = a->dir;
      const fs::path store = dir / "store";
      const fs::path data = dir / "data";
      if (fs::exists(store / kDataFileName)) {
        if (!a->replace) {
          return report_error(already_exists(
              fmt::format("{} already holds a quickstart store; pass --replace to start over",
                          store.string())));
        }
        std::error_code ec;
        fs::remove_all(store, ec);
        if (ec)
          return report_error(
              internal_error(fmt::format("cannot remove {}: {}", store.string(), ec.message())));
      }
      Globals local = g;
      local.key_file.clear();  // the quickstart keeps its key beside its store
      fmt::print(
          "1. Create a store with the B2B SaaS privacy declaration "
          "(examples/b2b_saas/consentric.yaml)\n");
      auto sd = init_store(store, "", local);
      if (!sd.ok()) return report_error(sd.status());
      fmt::print(
          "   {}: {} purposes, {} fields ({} encrypted as pii), key ring and master key apart from "
          "the data\n\n",
          store.string(), sd->config.purposes.size(), sd->config.fields.size(),
          std::count_if(sd->config.fields.begin(), sd->config.fields.end(),
                        [](const FieldSpec& f) { return f.pii; }));

      fmt::print("2. Generate {} synthetic customers with twelve months of behaviour\n",
                 with_thousands(a->customers));
      auto gen = run_generate(a->customers, 42, data, today_utc(), g);
      if (!gen.ok()) return report_error(gen.status());
      fmt::print("   {} profiles, {} events, {} consent records in {}\n\n",
                 with_thousands(gen->customers), with_thousands(gen->events),
                 with_thousands(gen->consents), data.string());

      fmt::print(
          "3. Import them: validated against the declaration, pii encrypted per person, all or "
          "nothing\n");
      const std::pair<ingest::ImportKind, const char*> files[] = {
          {ingest::ImportKind::kProfiles, "profiles.csv"},
          {ingest::ImportKind::kEvents, "events.ndjson"},
          {ingest::ImportKind::kConsents, "consents.ndjson"}};
      for (const auto& [kind, name] : files) {
        ingest::ImportOptions o;
        o.kind = kind;
        o.file = data / name;
        o.now = make_system_clock()->now();
        auto report = run_import(*sd, o, g);
        if (!report.ok()) return report_error(report.status());
        fmt::print("   {}", render_import_report(*report));
      }
      fmt::print("\n4. Bad input changes nothing: a file with two bad rows is refused whole\n");
      const fs::path bad = data / "bad_profiles.csv";
      {
        std::ofstream out(bad, std::ios::binary | std::ios::trunc);
        out << "customer_id,email,age,country\n"
               "C90000001,new.lead@example.test,34,DE\n"
               "C90000002,not-an-email,29,FR\n"
               "C90000003,third.lead@example.test,forty,XX\n";
      }
      const std::int64_t before = sd->store->counts()->subjects;
      ingest::ImportOptions bad_import;
      bad_import.kind = ingest::ImportKind::kProfiles;
      bad_import.file = bad;
      bad_import.now = make_system_clock()->now();
      auto refused = ingest::import_file(*sd, bad_import);
      if (refused.ok()) return report_error(internal_error("the bad file was accepted"));
      std::string message = refused.status().message();
      for (std::size_t at = message.find('\n'); at != std::string::npos;
           at = message.find('\n', at + 4)) {
        message.replace(at, 1, "\n   ");
      }
      fmt::print("   {}\n", message);
      fmt::print("   subjects before: {}, after: {}\n", with_thousands(before),
                 with_thousands(sd->store->counts()->subjects));
      ingest::ImportOptions again;
      again.kind = ingest::ImportKind::kProfiles;
      again.file = data / "profiles.csv";
      again.now = make_system_clock()->now();
      auto repeat = run_import(*sd, again, g);
      if (!repeat.ok()) return report_error(repeat.status());
      fmt::print("   importing profiles.csv again: {} unchanged, {} new\n",
                 with_thousands(repeat->unchanged), with_thousands(repeat->inserted));

      fmt::print("\n5. What the store holds now\n\n");
      auto summary = collect_summary(*sd);
      if (!summary.ok()) return report_error(summary.status());
      fmt::print("{}", render_summary(*summary));
      fmt::print("\nNext: consentric --store {} status | audit verify | import ...\n",
                 store.string());
      return summary->audit_intact ? 0 : 1;
    };
  });
}

}  // namespace consentric::cli
