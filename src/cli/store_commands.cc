// consentric init | status

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/summary.h"
#include "rights/erasure.h"
#include "synth/generator.h"

namespace consentric::cli {

StoreDirOptions Globals::store_options() const {
  StoreDirOptions o;
  if (!key_file.empty()) o.key_file = key_file;
  return o;
}

Result<StoreDir> Globals::open_store() const {
  if (!store_access) {
    return internal_error(
        "this command was not authorized to open a store "
        "(cli/command_access.cc)");
  }
  CONSENTRIC_ASSIGN_OR_RETURN(StoreDir sd, open_store_dir(store, store_options()));
  // Before anything reads the data: a backup restored by hand, or an erasure interrupted
  // between the key ring and the data, must not bring anyone back (docs/rights.md).
  CONSENTRIC_RETURN_IF_ERROR(
      rights::apply_recorded_erasures(sd, actor, make_system_clock()->now()).status());
  return sd;
}

UnixSeconds today_utc() {
  const UnixSeconds now = make_system_clock()->now();
  return now - now % kSecondsPerDay;
}

Result<StoreDir> init_store(const std::filesystem::path& dir, const std::string& config_file,
                            const Globals& g) {
  std::string yaml;
  std::string name = "quickstart consentric.yaml (built in)";
  if (!config_file.empty()) {
    std::ifstream in(config_file, std::ios::binary);
    if (!in) return not_found(fmt::format("{}: cannot read the config file", config_file));
    std::stringstream ss;
    ss << in.rdbuf();
    yaml = ss.str();
    name = config_file;
  } else {
    yaml = std::string(synth::quickstart_config_yaml());
  }
  const UnixSeconds now = make_system_clock()->now();
  CONSENTRIC_ASSIGN_OR_RETURN(StoreDir sd, init_store_dir(dir, yaml, name, now, g.store_options()));
  nlohmann::json detail = {{"config", std::filesystem::path(name).filename().string()},
                           {"purposes", sd.config.purposes.size()},
                           {"fields", sd.config.fields.size()}};
  CONSENTRIC_RETURN_IF_ERROR(sd.store->begin());
  auto entry = audit::append(
      *sd.store, {.actor = g.actor, .action = "store.init", .detail = detail.dump()}, now);
  if (!entry.ok()) {
    sd.store->rollback();
    return entry.status();
  }
  CONSENTRIC_RETURN_IF_ERROR(sd.store->commit());
  return sd;
}

void add_store_commands(CLI::App& app, Globals& g) {
  auto* init = app.add_subcommand("init", "Create a store: data file, key ring and master key");
  auto dir = std::make_shared<std::string>();
  auto config = std::make_shared<std::string>();
  init->add_option("DIR", *dir, "The folder to create the store in")->required();
  init->add_option("--config", *config,
                   "The privacy declaration (default: the quickstart B2B config)");
  init->callback([&g, dir, config] {
    g.run = [&g, dir, config] {
      auto sd = init_store(*dir, *config, g);
      if (!sd.ok()) return report_error(sd.status());
      if (g.json) {
        fmt::print("{}\n",
                   nlohmann::json{{"store", *dir}, {"key_file", sd->key_file.string()}}.dump());
      } else {
        fmt::print("Created a consentric store in {}\n", *dir);
        fmt::print("  config:   {} purposes, {} fields, {} event types\n",
                   sd->config.purposes.size(), sd->config.fields.size(),
                   sd->config.event_types.size());
        if (!sd->key_file.empty()) {
          fmt::print("  key file: {} (mode 0600; keep a copy apart from data backups)\n",
                     sd->key_file.string());
        } else {
          fmt::print("  key:      from CONSENTRIC_MASTER_KEY\n");
        }
      }
      return 0;
    };
  });

  auto* status =
      app.add_subcommand("status", "What the store holds: subjects, events, consents per purpose");
  status->callback([&g] {
    g.run = [&g] {
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      auto summary = collect_summary(*sd);
      if (!summary.ok()) return report_error(summary.status());
      fmt::print("{}", g.json ? summary_json(*summary) + "\n" : render_summary(*summary));
      return 0;
    };
  });
}

}  // namespace consentric::cli
