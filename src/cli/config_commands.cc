// consentric config check FILE

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"

namespace consentric::cli {

void add_config_commands(CLI::App& app, Globals& g) {
  auto* config = app.add_subcommand("config", "The privacy declaration (consentric.yaml)");
  config->require_subcommand(1);
  auto* check = config->add_subcommand(
      "check", "Validate a consentric.yaml and report every problem at once");
  auto file = std::make_shared<std::string>();
  check->add_option("FILE", *file, "The file to check")->required();
  check->callback([&g, file] {
    g.run = [&g, file] {
      std::ifstream in(*file, std::ios::binary);
      if (!in) return report_error(not_found(fmt::format("{}: cannot read the file", *file)));
      std::stringstream ss;
      ss << in.rdbuf();
      const ConfigCheck result = check_config(ss.str(), *file);
      if (g.json) {
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& p : result.problems) {
          problems.push_back({{"line", p.where.line},
                              {"column", p.where.column},
                              {"path", p.path},
                              {"message", p.message}});
        }
        fmt::print(
            "{}\n",
            nlohmann::json{{"file", *file}, {"ok", result.problems.empty()}, {"problems", problems}}
                .dump());
      } else if (result.problems.empty()) {
        const Config& c = *result.config;
        fmt::print(
            "{}: ok: {} fields ({} pii, {} quasi-identifiers), {} event types, {} purposes, {} "
            "roles\n",
            *file, c.fields.size(),
            std::count_if(c.fields.begin(), c.fields.end(),
                          [](const FieldSpec& f) { return f.pii; }),
            std::count_if(c.fields.begin(), c.fields.end(),
                          [](const FieldSpec& f) { return f.quasi_identifier; }),
            c.event_types.size(), c.purposes.size(), c.roles.size());
      } else {
        for (const auto& p : result.problems) fmt::print(stderr, "{}\n", p.to_string(*file));
        fmt::print(stderr, "{}: {} {}\n", *file, result.problems.size(),
                   result.problems.size() == 1 ? "problem" : "problems");
      }
      return result.problems.empty() ? 0 : 1;
    };
  });
}

}  // namespace consentric::cli
