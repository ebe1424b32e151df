#pragma once

// Every command of the consentric tool by its path ("score review decide"), for the tests that
// check each command is classified.

#include <set>
#include <string>

#include "cli/commands.h"

namespace consentric::cli {

inline void command_leaves(const CLI::App* app, const std::string& prefix,
                           std::set<std::string>* out) {
  const auto subs = app->get_subcommands([](const CLI::App*) { return true; });
  if (subs.empty() && !prefix.empty()) out->insert(prefix);
  for (const CLI::App* sub : subs) {
    command_leaves(sub, prefix.empty() ? sub->get_name() : prefix + " " + sub->get_name(), out);
  }
}

inline std::set<std::string> all_command_paths() {
  CLI::App app;
  Globals g;
  add_all_commands(app, g);
  std::set<std::string> out;
  command_leaves(&app, "", &out);
  return out;
}

}  // namespace consentric::cli
