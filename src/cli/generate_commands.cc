// consentric generate

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "synth/generator.h"

namespace consentric::cli {

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

}  // namespace consentric::cli
